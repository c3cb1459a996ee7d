/**
 * Shopify checkouts → checkout state by token, and abandonment. Shopify has
 * no "abandoned" topic: a checkout with no completion within the shop's delay
 * is the abandonment, recorded as a `cart_abandoned` event on the customer
 * (visible on their page and usable by automations). A later completion
 * closes the cart; a deleted checkout is never called abandoned.
 */
import { z } from 'zod';
import {
  checkedText,
  eventInputSchema,
  type IdentifiersInput,
  type ParsedEvent,
  parseEventOrThrow,
} from '../../../../shared/events';
import { dateProblem, LIMIT_PARAMS, MAX_TEXT_CHARS } from '../../../../shared/limits';
import type { Database } from '../../db/open';
import { openCartRows, profilesOfCheckout } from '../../db/repos/events';
import { stmt } from '../../db/statements';
import { shopifyDate, shopifyMoney } from './shopify';

const text = z.string().nullish();
const checkoutSchema = z.object({
  id: z.union([z.number(), z.string()]).nullish(),
  token: text,
  email: text,
  phone: text,
  created_at: shopifyDate,
  updated_at: shopifyDate,
  completed_at: shopifyDate,
  total_price: shopifyMoney,
  currency: text,
  abandoned_checkout_url: checkedText(MAX_TEXT_CHARS).nullish(),
  customer: z
    .object({
      id: z.union([z.number(), z.string()]).nullish(),
      email: text,
      phone: text,
      first_name: text,
      last_name: text,
    })
    .nullish(),
  line_items: z
    .array(
      z.object({ sku: text, title: text, quantity: z.number().nullish(), price: shopifyMoney, product_type: text }),
    )
    .nullish(),
});

/** A checkouts/* body read and checked, with no database access (the receiver checks it before accepting). */
export interface CheckoutRead {
  token: string;
  identifiers: IdentifiersInput;
  items: Record<string, unknown>[];
  total: number | null;
  currency: string | null;
  url: string | null;
  startedAt: number;
  updatedAt: number;
  completedAt: number | null;
  /** The checkout_started event for a checkout seen for the first time (also checked for checkouts/delete). */
  started: ParsedEvent;
}

/** `now`: when it was received; dates may be up to a day after `latestBase` (by default `now`). */
export function readCheckout(body: unknown, now: number, latestBase = now): CheckoutRead {
  const checkout = checkoutSchema.parse(body);
  for (const field of ['created_at', 'updated_at', 'completed_at'] as const) {
    const value = checkout[field];
    const ms = value ? Date.parse(value) : Number.NaN;
    const problem = Number.isFinite(ms) ? dateProblem(ms, latestBase) : undefined;
    if (problem) {
      throw new z.ZodError([{ code: 'custom', path: [field], message: problem, params: LIMIT_PARAMS, input: value }]);
    }
  }
  const token = checkout.token ?? (checkout.id === null || checkout.id === undefined ? undefined : String(checkout.id));
  if (!token) throw new Error('the checkout has no token');
  const identifiers: IdentifiersInput = {};
  const email = checkout.email ?? checkout.customer?.email;
  const phone = checkout.phone ?? checkout.customer?.phone;
  if (email) identifiers.email = email;
  if (phone) identifiers.phone = phone;
  if (checkout.customer?.id !== null && checkout.customer?.id !== undefined)
    identifiers.shopify_customer_id = String(checkout.customer.id);
  const items = (checkout.line_items ?? []).map((item) => ({
    ...(item.sku ? { sku: item.sku } : {}),
    ...(item.title ? { title: item.title } : {}),
    ...(item.product_type ? { category: item.product_type } : {}),
    quantity: item.quantity && item.quantity > 0 ? item.quantity : 1,
    ...(item.price !== undefined ? { price: item.price } : {}),
  }));
  const at = (iso: string | null | undefined) => {
    const ms = iso ? Date.parse(iso) : Number.NaN;
    return Number.isFinite(ms) ? ms : now;
  };
  const total = checkout.total_price ?? null;
  const startedAt = at(checkout.created_at);
  const started = parseEventOrThrow(
    {
      type: 'checkout_started',
      source: 'shopify',
      externalId: `checkout:${token}`,
      occurredAt: new Date(startedAt).toISOString(),
      identifiers,
      payload: {
        checkoutToken: token,
        ...(total !== null ? { total } : {}),
        ...(checkout.currency ? { currency: checkout.currency } : {}),
        items,
        ...(checkout.customer?.first_name ? { firstName: checkout.customer.first_name } : {}),
        ...(checkout.customer?.last_name ? { lastName: checkout.customer.last_name } : {}),
      },
    },
    latestBase,
  );
  return {
    token,
    identifiers,
    items,
    total,
    currency: checkout.currency ?? null,
    url: checkout.abandoned_checkout_url ?? null,
    startedAt,
    updatedAt: at(checkout.updated_at ?? checkout.created_at),
    completedAt: checkout.completed_at ? at(checkout.completed_at) : null,
    started,
  };
}

/** Applies a checkouts/* delivery; returns the events to ingest (checkout_started for a new checkout). */
export function applyCheckout(
  db: Database,
  brandId: number,
  topic: string,
  body: unknown,
  now: number,
  latestBase = now,
): { events: ParsedEvent[]; detail: string; touched: number[] } {
  const checkout = readCheckout(body, now, latestBase);
  const token = checkout.token;
  if (topic === 'checkouts/delete') {
    stmt(db, 'UPDATE checkout_state SET deleted_at = ?, updated_at = ? WHERE brand_id = ? AND token = ?').run(
      now,
      now,
      brandId,
      token,
    );
    return { events: [], detail: `checkout ${token} deleted`, touched: profilesOfCheckout(db, brandId, token) };
  }
  const known =
    stmt(db, 'SELECT 1 FROM checkout_state WHERE brand_id = ? AND token = ?').get(brandId, token) !== undefined;
  stmt(
    db,
    `INSERT INTO checkout_state (brand_id, token, identifiers, total, currency, items, checkout_url, started_at, updated_at, completed_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (brand_id, token) DO UPDATE SET identifiers = excluded.identifiers, total = excluded.total, currency = excluded.currency,
       items = excluded.items, checkout_url = coalesce(excluded.checkout_url, checkout_url), updated_at = excluded.updated_at,
       completed_at = coalesce(excluded.completed_at, completed_at)`,
  ).run(
    brandId,
    token,
    JSON.stringify(checkout.identifiers),
    checkout.total,
    checkout.currency,
    JSON.stringify(checkout.items),
    checkout.url,
    checkout.startedAt,
    checkout.updatedAt,
    checkout.completedAt,
  );
  const events = known ? [] : [checkout.started];
  return {
    events,
    detail:
      checkout.completedAt !== null
        ? `checkout ${token} completed`
        : `checkout ${token} ${known ? 'updated' : 'started'}`,
    touched: profilesOfCheckout(db, brandId, token),
  };
}

/** Checkouts past the delay with no completion: marked abandoned, each as a cart_abandoned event to ingest. */
export function dueAbandonments(
  db: Database,
  now: number,
  delayMinutes: number,
): { brandId: number; event: ParsedEvent }[] {
  const rows = stmt(
    db,
    `SELECT brand_id, token, identifiers, total, currency, items, checkout_url, updated_at FROM checkout_state
     WHERE abandoned_at IS NULL AND completed_at IS NULL AND deleted_at IS NULL AND updated_at <= ? LIMIT 1000`,
  ).all(now - delayMinutes * 60_000) as {
    brand_id: number;
    token: string;
    identifiers: string;
    total: number | null;
    currency: string | null;
    items: string;
    checkout_url: string | null;
    updated_at: number;
  }[];
  const mark = stmt(db, 'UPDATE checkout_state SET abandoned_at = ? WHERE brand_id = ? AND token = ?');
  return rows.flatMap((row) => {
    mark.run(now, row.brand_id, row.token);
    const parsed = eventInputSchema.safeParse({
      type: 'cart_abandoned',
      source: 'shopify',
      externalId: `cart_abandoned:${row.token}`,
      occurredAt: new Date(row.updated_at + delayMinutes * 60_000).toISOString(),
      identifiers: JSON.parse(row.identifiers) as IdentifiersInput,
      payload: {
        checkoutToken: row.token,
        ...(row.total !== null ? { total: row.total } : {}),
        ...(row.currency ? { currency: row.currency } : {}),
        items: JSON.parse(row.items) as unknown[],
        ...(row.checkout_url ? { checkoutUrl: row.checkout_url } : {}),
      },
    });
    // A checkout stored before the limits that cannot make a valid event is closed without one, rather than
    // failing (and holding back) every other abandonment at each sweep.
    return parsed.success ? [{ brandId: row.brand_id, event: parsed.data }] : [];
  });
}

export interface OpenCart {
  token: string;
  total: number | null;
  currency: string | null;
  abandonedAt: string;
  url: string | null;
}

/** Abandoned and still open carts of a profile (through its cart_abandoned events, so merges carry them). */
export function openCarts(db: Database, profileId: number): OpenCart[] {
  return openCartRows(db, profileId).map((r) => ({
    token: r.token,
    total: r.total,
    currency: r.currency,
    abandonedAt: new Date(r.abandoned_at).toISOString(),
    url: r.checkout_url,
  }));
}
