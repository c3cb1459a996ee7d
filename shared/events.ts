/**
 * The canonical event vocabulary: every source (API, webhooks, files) turns
 * what it receives into one of these types with this payload, so everything
 * downstream (totals, features, automations, journeys) reads one shape.
 */
import { z } from 'zod';

export const EVENT_TYPES = [
  'purchase',
  'refund',
  'cancellation',
  'cart_add',
  'checkout_started',
  /** A checkout not completed within the shop's delay (Shopify has no such topic: the silence is the abandonment). */
  'cart_abandoned',
  'product_view',
  'search',
  'message_in',
  'message_out',
  'visit',
  'loyalty_scan',
  'referral',
  'profile_update',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Identifier types stored on profiles. */
export const IDENTIFIER_TYPES = [
  'email',
  'phone',
  'loyalty_id',
  'device_id',
  'cookie_id',
  'qr_id',
  'shopify_customer_id',
  'pos_customer_id',
  'whatsapp_user_id',
] as const;
export type IdentifierType = (typeof IDENTIFIER_TYPES)[number];

/** Identifier types an event may carry: the stored ones, and `whatsapp` (a WhatsApp number is stored as a phone). */
export const INPUT_IDENTIFIER_TYPES = [...IDENTIFIER_TYPES, 'whatsapp'] as const;
export type InputIdentifierType = (typeof INPUT_IDENTIFIER_TYPES)[number];

const money = z.number({ error: 'must be a number' }).finite();
const text = z.string().trim().max(500);

export const itemSchema = z.object({
  sku: text.optional(),
  title: text.optional(),
  category: text.optional(),
  quantity: z.number().finite().positive().default(1),
  price: money.optional(),
});
export type Item = z.output<typeof itemSchema>;

/** Fields any event may carry; each type below says which it needs. */
const basePayload = z
  .object({
    /** Order number/id, so the same order from two sources counts once. */
    orderId: text.optional(),
    total: money.optional(),
    currency: z.string().trim().length(3).toUpperCase().optional(),
    items: z.array(itemSchema).max(1000).optional(),
    firstName: text.optional(),
    lastName: text.optional(),
    emailConsent: z.boolean().optional(),
    smsConsent: z.boolean().optional(),
    whatsappConsent: z.boolean().optional(),
    query: text.optional(),
    text: z.string().max(10_000).optional(),
    channel: text.optional(),
  })
  .catchall(z.unknown());

const PAYLOAD_RULES: Partial<Record<EventType, { required: (keyof z.output<typeof basePayload>)[] }>> = {
  purchase: { required: ['total'] },
  refund: { required: ['total'] },
  cancellation: { required: ['orderId'] },
  search: { required: ['query'] },
};

export type EventPayload = z.output<typeof basePayload>;

export const identifiersInputSchema = z
  .object(
    Object.fromEntries(INPUT_IDENTIFIER_TYPES.map((t) => [t, z.union([z.string(), z.number()]).optional()])) as Record<
      InputIdentifierType,
      z.ZodOptional<z.ZodUnion<[z.ZodString, z.ZodNumber]>>
    >,
  )
  .strict();
export type IdentifiersInput = z.input<typeof identifiersInputSchema>;

export const eventInputSchema = z
  .object({
    type: z.enum(EVENT_TYPES, { error: `must be one of ${EVENT_TYPES.join(', ')}` }),
    occurredAt: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time such as 2026-03-01T10:00:00Z' }),
    source: z
      .string()
      .trim()
      .min(1)
      .max(40)
      .regex(/^[a-z0-9_.-]+$/i, 'must be letters, digits, dot, dash or underscore')
      .default('api'),
    externalId: z.union([z.string().trim().min(1).max(200), z.number().transform(String)]).optional(),
    identifiers: identifiersInputSchema.default({}),
    payload: basePayload.default({}),
  })
  .strict()
  .superRefine((event, ctx) => {
    for (const field of PAYLOAD_RULES[event.type]?.required ?? []) {
      if (event.payload[field] === undefined) {
        ctx.addIssue({ code: 'custom', path: ['payload', field], message: `is required for a ${event.type} event` });
      }
    }
  });
export type EventInput = z.input<typeof eventInputSchema>;
export type ParsedEvent = z.output<typeof eventInputSchema>;
