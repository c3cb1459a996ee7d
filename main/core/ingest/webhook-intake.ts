/**
 * Verified webhook deliveries → the delivery log and the one ingestion path.
 * A Shopify delivery is committed raw before the sender gets its 2xx and read
 * into events in arrival order, at once when traffic is light and just after
 * the answer in a burst (see WebhookBatcher.receive in ingest/webhook-batcher.ts); a crash in between leaves
 * it waiting, and it is read after the restart. A repeated delivery (same
 * event id, or the same older webhook id) is recorded as a duplicate and
 * changes nothing. WhatsApp deliveries are read before the answer.
 */

import { createHash } from 'node:crypto';
import { ZodError, z } from 'zod';
import type { DeliveryOutcome } from '../../../shared/contract/connections';
import { validationError } from '../../../shared/contract/validation';
import type { IdentifiersInput, ParsedEvent } from '../../../shared/events';
import { applyKeyword } from '../channels/consent';
import { applyWhatsAppStatus } from '../channels/status-updates';
import { rememberBusinessNumbers } from '../connections/whatsapp-connection';
import type { Database } from '../db/open';
import { firstShopifyPurchaseIdentifiers, refundCountedByImport } from '../db/repos/events';
import { stmt } from '../db/statements';
import {
  customerData,
  eraseBrand,
  eraseProfiles,
  profilesByIdentifiers,
  recordRequest,
  writeExport,
} from '../privacy/privacy';
import { type IngestContext, type IngestResult, ingestInTransaction } from './ingest-event';
import { mapShopify, type ShopifyMapping } from './sources/shopify';
import { applyCheckout } from './sources/shopify-checkouts';
import { mapWhatsApp } from './sources/whatsapp';

export type Outcome = DeliveryOutcome;

export interface DeliveryLogEntry {
  provider: 'shopify' | 'whatsapp' | 'twilio';
  brandId: number | null;
  topic: string | null;
  deliveryKey?: string | null;
  webhookId?: string | null;
  outcome: Outcome;
  detail: string;
  body?: string | null;
  receivedAt: number;
  triggeredAt?: number | null;
  eventCount?: number;
  /** Stored and acknowledged, waiting to be read into events. */
  pending?: boolean;
}

/** Rows kept for refused deliveries: enough to see a pattern, bounded so a flood cannot fill the disk. */
const REFUSED_KEPT = 1000;

export function logDelivery(db: Database, entry: DeliveryLogEntry): number {
  const result = stmt(
    db,
    `INSERT INTO webhook_delivery (provider, brand_id, topic, delivery_key, webhook_id, outcome, detail, body, received_at, triggered_at, event_count, pending)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    entry.provider,
    entry.brandId,
    entry.topic,
    entry.deliveryKey ?? null,
    entry.webhookId ?? null,
    entry.outcome,
    entry.detail,
    entry.body ?? null,
    entry.receivedAt,
    entry.triggeredAt ?? null,
    entry.eventCount ?? 0,
    entry.pending ? 1 : 0,
  );
  const id = Number(result.lastInsertRowid);
  if (entry.outcome !== 'accepted' && id % 100 === 0) {
    stmt(db, "DELETE FROM webhook_delivery WHERE outcome NOT IN ('accepted') AND id < ?").run(id - REFUSED_KEPT);
  }
  return id;
}

export interface ShopifyDelivery {
  brandId: number;
  topic: string;
  eventId: string | null;
  webhookId: string | null;
  triggeredAt: number | null;
  raw: string;
  json: unknown;
  /** What the receiver's limit check already read from it (ingest/edge-check.ts), reused when it is read. */
  mapped?: ShopifyMapping | undefined;
}

/**
 * Mappings the receiver made while checking a delivery, by data file and delivery id, so the reading just
 * after does not parse the same order twice (measured: a third of a delivery's CPU). Only a hint: the
 * stored body is compared before use (a rolled-back id can be reused), and after a restart it is empty.
 */
const premapped = new WeakMap<Database, Map<number, { raw: string; mapping: ShopifyMapping }>>();
const PREMAPPED_MAX = 10_000;

function rememberMapping(db: Database, deliveryId: number, raw: string, mapping: ShopifyMapping): void {
  let byId = premapped.get(db);
  if (!byId) {
    byId = new Map();
    premapped.set(db, byId);
  }
  if (byId.size >= PREMAPPED_MAX) byId.clear();
  byId.set(deliveryId, { raw, mapping });
}

function takeMapping(db: Database, row: WaitingRow): ShopifyMapping | undefined {
  const byId = premapped.get(db);
  const found = byId?.get(row.id);
  if (!found) return undefined;
  byId?.delete(row.id);
  return found.raw === row.body ? found.mapping : undefined;
}

export interface IntakeResult {
  deliveryId: number;
  duplicate: boolean;
  results: IngestResult[];
  detail: string;
  /** Profiles changed without a new event on them (a checkout completed): caches drop them. */
  touched: number[];
}

/** What a waiting delivery says in the log until it has been read. */
export const WAITING_DETAIL = 'received; being read';

/**
 * A verified Shopify delivery, inside the caller's transaction (deliveries arriving together are
 * committed as one; see WebhookBatcher.receive): a repeat is logged as a duplicate; anything else is
 * stored raw and waits (`pending`) to be read by `readWaitingShopify`, in arrival order. Privacy
 * topics are acted on at once, after everything that arrived before them has been read (so an
 * erased customer's earlier orders cannot come back afterwards), and their bodies are never kept.
 */
export function acceptShopifyInTransaction(
  db: Database,
  delivery: ShopifyDelivery,
  contextFor: (brandId: number) => IngestContext,
  dataDir: string,
): IntakeResult {
  const ctx = contextFor(delivery.brandId);
  const key = delivery.eventId ?? delivery.webhookId;
  // Two indexed lookups (an OR across the two columns would scan every delivery).
  const byKey = stmt(
    db,
    "SELECT id FROM webhook_delivery WHERE provider = 'shopify' AND delivery_key = ? AND outcome = 'accepted' LIMIT 1",
  ).pluck();
  const byWebhookId = stmt(
    db,
    "SELECT id FROM webhook_delivery WHERE provider = 'shopify' AND webhook_id = ? AND outcome = 'accepted' LIMIT 1",
  ).pluck();
  const earlier = ((key === null ? undefined : byKey.get(key)) ??
    (delivery.webhookId === null ? undefined : byWebhookId.get(delivery.webhookId))) as number | undefined;
  const base = {
    provider: 'shopify' as const,
    brandId: delivery.brandId,
    topic: delivery.topic,
    receivedAt: ctx.now,
    triggeredAt: delivery.triggeredAt,
    webhookId: delivery.webhookId,
  };
  if (earlier !== undefined) {
    const detail = `same delivery as #${earlier}; nothing changed`;
    return {
      deliveryId: logDelivery(db, { ...base, outcome: 'duplicate', detail }),
      duplicate: true,
      results: [],
      detail,
      touched: [],
    };
  }
  if (PRIVACY_TOPICS.has(delivery.topic)) {
    const before = readWaitingShopify(db, Number.POSITIVE_INFINITY, contextFor);
    const done = handlePrivacyTopic(db, delivery, ctx, dataDir);
    // After shop/redact the brand itself may be gone: the log line then belongs to no brand.
    const brandGone = stmt(db, 'SELECT 1 FROM brand WHERE id = ?').get(delivery.brandId) === undefined;
    const deliveryId = logDelivery(db, {
      ...base,
      brandId: brandGone ? null : delivery.brandId,
      deliveryKey: key,
      outcome: 'accepted',
      detail: done.detail,
    });
    return {
      deliveryId,
      duplicate: false,
      results: before.results,
      detail: done.detail,
      touched: [...before.touched, ...done.touched],
    };
  }
  const deliveryId = logDelivery(db, {
    ...base,
    deliveryKey: key,
    outcome: 'accepted',
    detail: WAITING_DETAIL,
    body: delivery.raw,
    pending: true,
  });
  if (delivery.mapped) rememberMapping(db, deliveryId, delivery.raw, delivery.mapped);
  return { deliveryId, duplicate: false, results: [], detail: WAITING_DETAIL, touched: [] };
}

/**
 * Reads up to `limit` waiting deliveries, oldest first, inside the caller's transaction: each becomes
 * events through the one ingestion path and its log row says what was done. A delivery that cannot
 * be read (or whose events cannot be stored) is rolled back alone and kept as received, with the
 * reason in the log, so it never blocks the ones behind it.
 */
export function readWaitingShopify(
  db: Database,
  limit: number,
  contextFor: (brandId: number) => IngestContext,
): { read: number; results: IngestResult[]; touched: number[] } {
  const rows = stmt(
    db,
    'SELECT id, brand_id, topic, body, received_at FROM webhook_delivery WHERE pending = 1 ORDER BY id LIMIT ?',
  ).all(Number.isFinite(limit) ? limit : -1) as WaitingRow[];
  if (rows.length === 0) return { read: 0, results: [], touched: [] };
  const readAll = db.sqlite.transaction(() => rows.map((row) => readOne(db, row, contextFor)));
  let outcomes: ReturnType<typeof readOne>[];
  try {
    // One savepoint for the lot; only if something fails does each get its own.
    outcomes = readAll();
  } catch {
    const alone = db.sqlite.transaction((row: WaitingRow) => readOne(db, row, contextFor));
    outcomes = rows.map((row) => {
      try {
        return alone(row);
      } catch (error) {
        const detail = `kept as received; its events could not be stored: ${firstLine(error)}`;
        stmt(db, 'UPDATE webhook_delivery SET pending = 0, detail = ? WHERE id = ?').run(detail, row.id);
        return { results: [], touched: [] };
      }
    });
  }
  return {
    read: rows.length,
    results: outcomes.flatMap((o) => o.results),
    touched: outcomes.flatMap((o) => o.touched),
  };
}

interface WaitingRow {
  id: number;
  brand_id: number;
  topic: string;
  body: string;
  received_at: number;
}

function readOne(
  db: Database,
  row: WaitingRow,
  contextFor: (brandId: number) => IngestContext,
): { results: IngestResult[]; touched: number[] } {
  const current = contextFor(row.brand_id);
  const ctx = { ...current, now: row.received_at };
  // Dates may be up to a day after receipt, and after now: a delivery read late (after a restart) was
  // checked when it arrived and must not be refused for the time it waited.
  const latestBase = Math.max(row.received_at, current.now);
  let events: ParsedEvent[] = [];
  let detail: string;
  let touched: number[] = [];
  try {
    const early = takeMapping(db, row);
    const json = early ? undefined : (JSON.parse(row.body) as unknown);
    const mapped = early
      ? early
      : row.topic.startsWith('checkouts/')
        ? applyCheckout(db, row.brand_id, row.topic, json, ctx.now, latestBase)
        : mapShopify(
            row.topic,
            json,
            (orderId) => orderIdentifiers(db, row.brand_id, orderId),
            new Date(ctx.now),
            latestBase,
          );
    events = mapped.events;
    detail = mapped.detail;
    // A refund an imported orders export already counted (its "Refunded Amount" is the total refunded so far, as of
    // the import) is not added again: the same money would come off the customer's value twice.
    if (row.topic === 'refunds/create')
      events = events.filter((e) => {
        const orderId = e.payload.orderId;
        if (e.type !== 'refund' || typeof orderId !== 'string') return true;
        const importedAt = refundCountedByImport(db, row.brand_id, orderId, Date.parse(e.occurredAt));
        if (importedAt === undefined) return true;
        detail = `${detail}: already counted in the refunded amount of the orders export imported ${new Date(importedAt).toISOString().slice(0, 16).replace('T', ' ')} UTC, not added again`;
        return false;
      });
    if ('touched' in mapped) touched = mapped.touched as number[];
  } catch (error) {
    // Verified and stored: acknowledged so Shopify does not retry something that will never read differently.
    detail = `kept as received; could not be read as ${row.topic}: ${firstLine(error)}`;
  }
  const results = events.map((event) => ingestInTransaction(db, event, ctx));
  stmt(db, 'UPDATE webhook_delivery SET pending = 0, detail = ?, event_count = ? WHERE id = ?').run(
    detail,
    results.filter((r) => !r.duplicate).length,
    row.id,
  );
  return { results, touched };
}

export interface WhatsAppDelivery {
  brandId: number;
  raw: string;
  json: unknown;
}

/**
 * A verified WhatsApp delivery. Meta sends no delivery id, so a repeat is
 * recognised by the hash of its body (and each message by its wamid).
 * Returns whether a new business number was learned (normalisation changes).
 */
export function receiveWhatsApp(
  db: Database,
  delivery: WhatsAppDelivery,
  ctx: IngestContext,
  refreshNormalize: () => IngestContext['normalize'],
): IntakeResult & { learnedNumbers: boolean } {
  return db.sqlite
    .transaction(() => {
      const key = createHash('sha256').update(delivery.raw).digest('hex');
      const base = { provider: 'whatsapp' as const, brandId: delivery.brandId, receivedAt: ctx.now };
      const earlier = stmt(
        db,
        "SELECT id FROM webhook_delivery WHERE provider = 'whatsapp' AND outcome = 'accepted' AND delivery_key = ?",
      )
        .pluck()
        .get(key) as number | undefined;
      if (earlier !== undefined) {
        const detail = `same delivery as #${earlier}; nothing changed`;
        return {
          deliveryId: logDelivery(db, { ...base, topic: 'messages', outcome: 'duplicate', detail }),
          duplicate: true,
          results: [],
          detail,
          touched: [],
          learnedNumbers: false,
        };
      }
      let detail: string;
      let results: IngestResult[] = [];
      let learnedNumbers = false;
      let topic = 'messages';
      // Everything a delivery changes is one savepoint: if any part cannot be stored (a status, say), none of it
      // is, and the log says so — never "could not be read" beside messages that were stored.
      const store = db.sqlite.transaction(() => {
        const mapped = mapWhatsApp(delivery.json, ctx.now);
        // The shop's own number is learned before the messages, so it can never be taken as a customer's.
        const learned = rememberBusinessNumbers(db, mapped.businessNumbers, ctx.normalize.defaultCountry, ctx.now);
        // Set before anything can fail: a rolled-back number must also leave the cached normalisation.
        learnedNumbers = learned;
        const eventCtx = learned ? { ...ctx, normalize: refreshNormalize() } : ctx;
        const stored = mapped.events.map((event) => ingestInTransaction(db, event, eventCtx));
        // A customer's STOP / START on WhatsApp is their own, dated word on that channel (channels/consent.ts).
        for (const [i, event] of mapped.events.entries()) {
          const result = stored[i];
          const text = event.payload.text;
          if (!result || result.duplicate || result.profileId === null || text === undefined) continue;
          applyKeyword(db, {
            profileId: result.profileId,
            channel: 'whatsapp',
            text,
            at: Date.parse(event.occurredAt),
            now: ctx.now,
          });
        }
        const insertStatus = stmt(
          db,
          `INSERT INTO message_delivery_update (brand_id, provider, provider_message_id, status, recipient, errors, occurred_at, received_at)
           VALUES (?, 'whatsapp', ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        );
        for (const status of mapped.statuses) {
          insertStatus.run(
            delivery.brandId,
            status.messageId,
            status.status,
            status.recipient,
            status.errors ? JSON.stringify(status.errors) : null,
            status.occurredAt,
            ctx.now,
          );
          // Delivered / read / failed after all move the shop's message on (channels/status-updates.ts).
          applyWhatsAppStatus(db, { ...status, brandId: delivery.brandId }, ctx.now);
        }
        return { mapped, stored };
      });
      try {
        const { mapped, stored } = store();
        results = stored;
        topic = mapped.events.length > 0 ? 'messages' : mapped.statuses.length > 0 ? 'statuses' : 'other';
        const fresh = results.filter((r) => !r.duplicate).length;
        detail = `${mapped.events.length} message(s)${fresh < mapped.events.length ? ` (${mapped.events.length - fresh} already known)` : ''}, ${mapped.statuses.length} status update(s)`;
      } catch (error) {
        detail = `kept as received; could not be read as a WhatsApp delivery: ${firstLine(error)}`;
      }
      const deliveryId = logDelivery(db, {
        ...base,
        topic,
        deliveryKey: key,
        outcome: 'accepted',
        detail,
        body: delivery.raw,
        eventCount: results.filter((r) => !r.duplicate).length,
      });
      return { deliveryId, duplicate: false, results, detail, touched: [], learnedNumbers };
    })
    .immediate();
}

export const PRIVACY_TOPICS = new Set(['customers/redact', 'customers/data_request', 'shop/redact']);

/** The part of a privacy request read; the receiver refuses a body without it (ingest/edge-check.ts). */
export const privacyCustomer = z.object({
  customer: z
    .object({
      id: z.union([z.number(), z.string()]).nullish(),
      email: z.string().nullish(),
      phone: z.string().nullish(),
    })
    .nullish(),
});

function handlePrivacyTopic(
  db: Database,
  delivery: ShopifyDelivery,
  ctx: IngestContext,
  dataDir: string,
): { detail: string; touched: number[] } {
  const base = { brandId: delivery.brandId, requestedBy: 'shopify' as const, now: ctx.now };
  if (delivery.topic === 'shop/redact') {
    const erased = eraseBrand(db, delivery.brandId);
    const id = recordRequest(db, { ...base, kind: 'redact_shop', profiles: erased.profiles, events: erased.events });
    return {
      detail: `shop erased: ${erased.profiles} customer(s), ${erased.events} event(s) (privacy request #${id})`,
      touched: [],
    };
  }
  const customer = privacyCustomer.parse(delivery.json).customer ?? {};
  const profiles = profilesByIdentifiers(
    db,
    delivery.brandId,
    {
      shopify_customer_id: customer.id === null || customer.id === undefined ? null : String(customer.id),
      email: customer.email,
      phone: customer.phone,
    },
    ctx.normalize,
  );
  if (delivery.topic === 'customers/redact') {
    const erased = eraseProfiles(db, profiles);
    const id = recordRequest(db, {
      ...base,
      kind: 'redact_customer',
      profiles: erased.profiles,
      events: erased.events,
    });
    return {
      detail: `customer erased: ${erased.profiles} profile(s), ${erased.events} event(s) (privacy request #${id})`,
      touched: profiles,
    };
  }
  const documents = profiles.flatMap((profileId): Record<string, unknown>[] => {
    const document = customerData(db, profileId);
    return document ? [document] : [];
  });
  const path = writeExport(dataDir, profiles, documents, ctx.now);
  const id = recordRequest(db, {
    ...base,
    kind: 'data_request',
    profiles: documents.length,
    events: 0,
    exportPath: path,
  });
  return { detail: `customer data exported to ${path} (privacy request #${id})`, touched: [] };
}

/** The identifiers the first event about a Shopify order carried. */
function orderIdentifiers(db: Database, brandId: number, orderId: string): IdentifiersInput | undefined {
  const row = firstShopifyPurchaseIdentifiers(db, brandId, orderId);
  if (!row) return undefined;
  const identifiers: Record<string, string> = {};
  for (const [type, value] of JSON.parse(row) as [string, string][]) identifiers[type] ??= value;
  return identifiers as IdentifiersInput;
}

function firstLine(error: unknown): string {
  const message =
    error instanceof ZodError ? validationError(error).message : error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]?.slice(0, 300) ?? 'unknown problem';
}
