/**
 * Ingestion as the rest of the app calls it: events from the event API (all or nothing, in one transaction), a
 * verified WhatsApp delivery, and the sweep that marks unfinished Shopify checkouts abandoned. Each says which
 * profiles it changed on the change bus once its transaction has committed.
 */
import type { ParsedEvent } from '../../../shared/events';
import type { EngineContext } from '../context';
import { inTurn } from '../db/write-turns';
import { readSettings } from '../settings/settings-store';
import { forgetShopNumbers, normalizeOptions, normalizeOptionsFor } from '../settings/shop-settings';
import { type IngestResult, ingestInTransaction } from './ingest-event';
import { dueAbandonments } from './sources/shopify-checkouts';
import { type IntakeResult, receiveWhatsApp } from './webhook-intake';

/** Ingests events in one transaction; all or nothing. */
export function ingestEvents(ctx: EngineContext, events: readonly ParsedEvent[]): IngestResult[] {
  return touchedChanged(ctx, ingestWrite(ctx, events)());
}

/**
 * `ingestEvents` for a request on the app's thread (the event API): in its turn at the write lock, never waiting on
 * it in this thread while a file imports (write-turns.ts).
 */
export async function ingestEventsInTurn(ctx: EngineContext, events: readonly ParsedEvent[]): Promise<IngestResult[]> {
  return touchedChanged(ctx, await inTurn(ctx.db, ingestWrite(ctx, events)));
}

/** Says whose profiles the ingested events changed (caches and the outbox's held messages listen). */
function touchedChanged(ctx: EngineContext, results: IngestResult[]): IngestResult[] {
  ctx.bus.emit(
    'profiles.changed',
    results.flatMap((r) => r.touched),
  );
  return results;
}

function ingestWrite(ctx: EngineContext, events: readonly ParsedEvent[]): () => IngestResult[] {
  return () => {
    const ingest = { brandId: ctx.brandId, now: ctx.clock.now().getTime(), normalize: normalizeOptions(ctx) };
    return ctx.db.sqlite
      .transaction(() => events.map((event) => ingestInTransaction(ctx.db, event, ingest)))
      .immediate();
  };
}

/** A verified WhatsApp delivery: stored and read into events at once (WhatsApp traffic is light). */
export function receiveWhatsAppDelivery(ctx: EngineContext, raw: string, json: unknown): IntakeResult {
  const ingest = { brandId: ctx.brandId, now: ctx.clock.now().getTime(), normalize: normalizeOptions(ctx) };
  const result = receiveWhatsApp(ctx.db, { brandId: ctx.brandId, raw, json }, ingest, () => {
    forgetShopNumbers(ctx);
    return normalizeOptions(ctx);
  });
  if (result.learnedNumbers) forgetShopNumbers(ctx);
  ctx.bus.emit(
    'profiles.changed',
    result.results.flatMap((r) => r.touched),
  );
  return result;
}

/** Marks checkouts unfinished past the delay in Settings as abandoned, with a cart_abandoned event each. */
export function sweepAbandonedCheckouts(ctx: EngineContext): number {
  const now = ctx.clock.now().getTime();
  const delay = readSettings(ctx.db).abandonedCheckoutMinutes;
  const results = ctx.db.sqlite
    .transaction(() =>
      dueAbandonments(ctx.db, now, delay).map(({ brandId, event }) =>
        ingestInTransaction(ctx.db, event, { brandId, now, normalize: normalizeOptionsFor(ctx, brandId) }),
      ),
    )
    .immediate();
  if (results.length > 0)
    ctx.bus.emit(
      'profiles.changed',
      results.flatMap((r) => r.touched),
    );
  return results.length;
}
