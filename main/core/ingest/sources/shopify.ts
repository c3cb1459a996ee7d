/**
 * Shopify webhook topics → canonical events (see ../../../../shared/events.ts
 * and PROTOCOLS.md). Only the fields we use are validated; everything else in
 * the payload is kept in the delivery log as received.
 *
 *   orders/create, orders/paid → purchase (order id as orderId, so both count once)
 *   orders/updated             → profile_update (who the order is for; money unchanged)
 *   orders/cancelled           → cancellation
 *   refunds/create             → refund, on the customer of the refunded order
 *   customers/create, /update  → profile_update (names, identifiers, marketing consent)
 *   anything else              → no event; the delivery is kept raw and acknowledged
 */
import { z } from 'zod';
import { type IdentifiersInput, type ParsedEvent, parseEventOrThrow } from '../../../../shared/events';
import { dateProblem, LIMIT_PARAMS, MONEY_MESSAGE, moneyInRange, parseDecimal } from '../../../../shared/limits';

const id = z.union([z.number(), z.string()]).transform(String);
const text = z.string().nullish();
/**
 * Shopify sends money as decimal strings ("42.50"). Read strictly: "0x10", "1e5", "   " or "" are not
 * amounts (Number() would make them 16, 100000 and 0), and an amount must be within the money limit.
 */
export const shopifyMoney = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((v, ctx) => {
    if (v === null || v === undefined) return undefined;
    const amount = typeof v === 'number' ? v : parseDecimal(v);
    if (amount === undefined || !moneyInRange(amount)) {
      ctx.addIssue({
        code: 'custom',
        message: amount === undefined ? 'must be a decimal amount such as 42.50' : MONEY_MESSAGE,
        params: LIMIT_PARAMS,
        input: v,
      });
      return z.NEVER;
    }
    return amount;
  });
/** A Shopify date-time: one that reads as a date must be within the date limits (1990 to 2100 here; a day after now for events). */
const shopifyDateText = z.string().superRefine((v, ctx) => {
  const ms = Date.parse(v);
  const problem = Number.isFinite(ms) ? dateProblem(ms) : undefined;
  if (problem) ctx.addIssue({ code: 'custom', message: problem, params: LIMIT_PARAMS, input: v });
});
export const shopifyDate = shopifyDateText.nullish();
const money = shopifyMoney;
const consent = z.object({ state: z.string().nullish(), consent_updated_at: z.string().nullish() }).nullish();

const customerSchema = z.object({
  id,
  email: text,
  phone: text,
  first_name: text,
  last_name: text,
  email_marketing_consent: consent,
  sms_marketing_consent: consent,
  created_at: shopifyDate,
  updated_at: shopifyDate,
});
const addressSchema = z.object({ phone: text, first_name: text, last_name: text }).nullish();
const orderSchema = z.object({
  id,
  name: text,
  email: text,
  phone: text,
  created_at: shopifyDateText,
  processed_at: shopifyDate,
  updated_at: shopifyDate,
  cancelled_at: shopifyDate,
  total_price: money,
  currency: text,
  customer: customerSchema.partial().extend({ id: id.optional() }).nullish(),
  billing_address: addressSchema,
  shipping_address: addressSchema,
  line_items: z
    .array(
      z.object({
        sku: text,
        title: text,
        quantity: z.number().nullish(),
        price: money,
        product_type: text,
      }),
    )
    .nullish(),
});
const refundSchema = z.object({
  id,
  order_id: id,
  created_at: shopifyDateText,
  transactions: z.array(z.object({ amount: money, kind: text, status: text })).nullish(),
  refund_line_items: z.array(z.object({ subtotal: money })).nullish(),
});

export interface ShopifyMapping {
  events: ParsedEvent[];
  /** For the delivery log: what became of it. */
  detail: string;
}

/** Identifiers of the customer an earlier order event was for (refunds carry only the order id). */
export type OrderLookup = (orderId: string) => IdentifiersInput | undefined;

const consentOf = (c: z.infer<typeof consent>) =>
  c?.state === 'subscribed' ? true : c?.state && c.state !== 'pending' ? false : undefined;
/** When the customer gave or withdrew it (Shopify's consent_updated_at), when it reads as a date. */
const consentAt = (c: z.infer<typeof consent>) =>
  consentOf(c) !== undefined && c?.consent_updated_at && Number.isFinite(Date.parse(c.consent_updated_at))
    ? new Date(Date.parse(c.consent_updated_at)).toISOString()
    : undefined;
const clean = <T extends Record<string, unknown>>(o: T) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null && v !== '')) as Partial<T>;

/**
 * An event through the edge's checks (a day after `now` at the latest); a date problem is named by the
 * Shopify field it came from rather than `occurredAt`.
 */
function checkedEvent(input: Record<string, unknown>, latestBase: number, dateField: string): ParsedEvent {
  try {
    return parseEventOrThrow(input, latestBase);
  } catch (error) {
    if (!(error instanceof z.ZodError)) throw error;
    throw new z.ZodError(
      error.issues.map((issue) => (issue.path[0] === 'occurredAt' ? { ...issue, path: [dateField] } : issue)),
    );
  }
}

/**
 * `now`: when the delivery was received (a customer without dates is dated then); dates may be up to a day
 * after `latestBase` (by default `now`; later for a delivery read after a restart).
 */
export function mapShopify(
  topic: string,
  body: unknown,
  lookup: OrderLookup,
  now: Date,
  latestBase = now.getTime(),
): ShopifyMapping {
  const event = (input: Record<string, unknown>, dateField = 'created_at') =>
    checkedEvent(input, latestBase, dateField);
  switch (topic) {
    case 'orders/create':
    case 'orders/paid':
    case 'orders/updated':
    case 'orders/cancelled': {
      const order = orderSchema.parse(body);
      const customer = order.customer ?? undefined;
      const identifiers = clean({
        email: order.email ?? customer?.email ?? undefined,
        phone:
          order.phone ?? customer?.phone ?? order.billing_address?.phone ?? order.shipping_address?.phone ?? undefined,
        shopify_customer_id: customer?.id,
      }) as IdentifiersInput;
      const names = clean({
        firstName: customer?.first_name ?? order.billing_address?.first_name ?? undefined,
        lastName: customer?.last_name ?? order.billing_address?.last_name ?? undefined,
      });
      const base = { source: 'shopify', externalId: `${topic}:${order.id}`, identifiers };
      if (topic === 'orders/cancelled') {
        return {
          events: [
            event(
              {
                ...base,
                type: 'cancellation',
                occurredAt: order.cancelled_at ?? order.updated_at ?? order.created_at,
                payload: clean({ orderId: order.id, orderName: order.name ?? undefined, total: order.total_price }),
              },
              order.cancelled_at ? 'cancelled_at' : order.updated_at ? 'updated_at' : 'created_at',
            ),
          ],
          detail: `order ${order.name ?? order.id} cancelled`,
        };
      }
      if (topic === 'orders/updated') {
        return {
          events: [
            event(
              {
                ...base,
                externalId: `${topic}:${order.id}:${order.updated_at ?? order.created_at}`,
                type: 'profile_update',
                occurredAt: order.updated_at ?? order.created_at,
                payload: { ...names, orderId: order.id },
              },
              order.updated_at ? 'updated_at' : 'created_at',
            ),
          ],
          detail: `order ${order.name ?? order.id} updated (customer details only)`,
        };
      }
      return {
        events: [
          event(
            {
              ...base,
              type: 'purchase',
              occurredAt: topic === 'orders/paid' ? (order.processed_at ?? order.created_at) : order.created_at,
              payload: clean({
                ...names,
                orderId: order.id,
                orderName: order.name ?? undefined,
                total: order.total_price ?? 0,
                currency: order.currency ?? undefined,
                emailConsent: consentOf(customer?.email_marketing_consent),
                smsConsent: consentOf(customer?.sms_marketing_consent),
                emailConsentAt: consentAt(customer?.email_marketing_consent),
                smsConsentAt: consentAt(customer?.sms_marketing_consent),
                items: (order.line_items ?? []).map((item) =>
                  clean({
                    sku: item.sku ?? undefined,
                    title: item.title ?? undefined,
                    category: item.product_type ?? undefined,
                    quantity: item.quantity && item.quantity > 0 ? item.quantity : 1,
                    price: item.price,
                  }),
                ),
              }),
            },
            topic === 'orders/paid' && order.processed_at ? 'processed_at' : 'created_at',
          ),
        ],
        detail: `order ${order.name ?? order.id}`,
      };
    }
    case 'refunds/create': {
      const refund = refundSchema.parse(body);
      const fromTransactions = (refund.transactions ?? [])
        .filter((t) => t.kind === 'refund' && t.status !== 'failure' && t.status !== 'error')
        .reduce((sum, t) => sum + (t.amount ?? 0), 0);
      const fromLines = (refund.refund_line_items ?? []).reduce((sum, l) => sum + (l.subtotal ?? 0), 0);
      const total = Math.round((fromTransactions || fromLines) * 100) / 100;
      const identifiers = lookup(refund.order_id);
      return {
        events: [
          event({
            type: 'refund',
            source: 'shopify',
            externalId: `${topic}:${refund.id}`,
            occurredAt: refund.created_at,
            identifiers: identifiers ?? {},
            payload: { orderId: refund.order_id, total },
          }),
        ],
        detail: identifiers
          ? `refund of ${total} on order ${refund.order_id}`
          : `refund of ${total}; the order is not known here`,
      };
    }
    case 'customers/create':
    case 'customers/update': {
      const customer = customerSchema.parse(body);
      return {
        events: [
          event(
            {
              type: 'profile_update',
              source: 'shopify',
              externalId: `${topic}:${customer.id}:${customer.updated_at ?? customer.created_at ?? ''}`,
              occurredAt: customer.updated_at ?? customer.created_at ?? now.toISOString(),
              identifiers: clean({
                email: customer.email ?? undefined,
                phone: customer.phone ?? undefined,
                shopify_customer_id: customer.id,
              }) as IdentifiersInput,
              payload: clean({
                firstName: customer.first_name ?? undefined,
                lastName: customer.last_name ?? undefined,
                emailConsent: consentOf(customer.email_marketing_consent),
                smsConsent: consentOf(customer.sms_marketing_consent),
                emailConsentAt: consentAt(customer.email_marketing_consent),
                smsConsentAt: consentAt(customer.sms_marketing_consent),
              }),
            },
            customer.updated_at ? 'updated_at' : 'created_at',
          ),
        ],
        detail: `customer ${customer.id}`,
      };
    }
    default:
      return { events: [], detail: `kept as received (topic ${topic} is not turned into events)` };
  }
}
