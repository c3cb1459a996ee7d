/**
 * Shopify webhook batching: each verified delivery is committed raw before its sender is answered, deliveries
 * arriving together share one transaction, and reading them into events follows — at once when traffic is light,
 * in small turns between answers during a burst (see `receive`). One batcher per backend (`webhooksOf`).
 */
import type { EngineContext } from '../context';
import { defineService } from '../context';
import { storageProblem } from '../db/storage-problem';
import { inTurn } from '../db/write-turns';
import { normalizeOptionsFor } from '../settings/shop-settings';
import type { IngestContext } from './ingest-event';
import {
  acceptShopifyInTransaction,
  type IntakeResult,
  readWaitingShopify,
  type ShopifyDelivery,
} from './webhook-intake';

/** Most webhook deliveries committed in one transaction. */
const MAX_BATCH = 500;
/** A batch is committed at once when this many deliveries are waiting for it. */
const FLUSH_AT = 16;
/** Waiting deliveries read per turn: few in a burst (so answers are not held up), more when it is calm. */
const READ_TURN_BURST = 4;
const READ_TURN_CALM = 64;
/** More deliveries than this within about BURST_WINDOW_MS are a burst… */
const BURST_DELIVERIES = 32;
const BURST_WINDOW_MS = 100;
/** …and reading then takes one turn this often. */
const READ_GAP_BUSY_MS = 50;

export class WebhookBatcher {
  private readonly shopifyQueue: {
    delivery: ShopifyDelivery;
    resolve(result: IntakeResult): void;
    reject(error: unknown): void;
  }[] = [];

  constructor(private readonly ctx: EngineContext) {}

  /**
   * A verified Shopify delivery: committed raw before the answer goes back, then read into events in
   * arrival order. Deliveries arriving together are committed in one transaction (one WAL write instead of
   * one each) and each sender is answered after that commit; if the batch fails, each is retried alone so
   * one bad delivery cannot take the others down. Reading follows at once when traffic is light; in a
   * burst it takes small turns between answers (`readWaiting`), so senders never wait behind it, and
   * catches up when the burst is over.
   */
  receive(delivery: ShopifyDelivery): Promise<IntakeResult> {
    return new Promise((resolve, reject) => {
      this.shopifyQueue.push({ delivery, resolve, reject });
      // Committed when this turn of the event loop has read what arrived, or sooner once a handful are
      // waiting, so the first senders of a busy turn are not held until its last one has been read.
      if (this.shopifyQueue.length === 1) setImmediate(() => this.flushShopify());
      else if (this.shopifyQueue.length >= FLUSH_AT) this.flushShopify();
    });
  }

  private readonly contextFor = (brandId: number): IngestContext => ({
    brandId,
    now: this.ctx.clock.now().getTime(),
    normalize: normalizeOptionsFor(this.ctx, brandId),
  });

  /** A batch is being committed (its write may be waiting for an import to let the lock go). */
  private flushing = false;

  private flushShopify(): void {
    if (this.flushing) return;
    const batch = this.shopifyQueue.splice(0, MAX_BATCH);
    if (batch.length === 0) return;
    this.flushing = true;
    void this.commitShopify(batch).finally(() => {
      this.flushing = false;
      if (this.shopifyQueue.length > 0) setImmediate(() => this.flushShopify());
    });
  }

  /**
   * Commits a batch in its turn at the write lock (write-turns.ts: while a file imports, this thread never waits
   * on the lock, and the import lets it go within a few rows), then answers each sender.
   */
  private async commitShopify(batch: WebhookBatcher['shopifyQueue']): Promise<void> {
    type Outcome = { ok: true; result: IntakeResult } | { ok: false; error: unknown };
    const accept = (delivery: ShopifyDelivery) =>
      acceptShopifyInTransaction(this.ctx.db, delivery, this.contextFor, this.ctx.dataDir);
    // Savepoints cost about a tenth of the throughput, so the batch first runs without them. If any delivery
    // fails, the batch runs again with each delivery in its own savepoint: the failing one is rolled back
    // alone and answered with its error, the others still commit together.
    const alone = this.ctx.db.sqlite.transaction(accept);
    let outcomes: Outcome[];
    try {
      outcomes = await inTurn(this.ctx.db, () =>
        this.ctx.db.sqlite
          .transaction(() => batch.map((item): Outcome => ({ ok: true, result: accept(item.delivery) })))
          .immediate(),
      );
    } catch {
      try {
        outcomes = await inTurn(this.ctx.db, () =>
          this.ctx.db.sqlite
            .transaction(() =>
              batch.map((item): Outcome => {
                try {
                  return { ok: true, result: alone(item.delivery) };
                } catch (error) {
                  // A full or read-only disk ends the whole transaction (SQLite rolls it back itself): every delivery
                  // of the batch gets that reason, so each sender is asked to try again.
                  if (storageProblem(error, this.ctx.db.file)) throw error;
                  return { ok: false, error };
                }
              }),
            )
            .immediate(),
        );
      } catch (error) {
        for (const item of batch) item.reject(error);
        return;
      }
    }
    const accepted = outcomes.flatMap((o) => (o.ok ? [o.result] : []));
    this.changed(accepted.flatMap((r) => [...r.touched, ...r.results.flatMap((x) => x.touched)]));
    const stored = accepted.filter((r) => !r.duplicate).length;
    this.burst();
    this.recentDeliveries += stored;
    if (stored > 0) this.scheduleReading();
    for (const [i, item] of batch.entries()) {
      const outcome = outcomes[i];
      if (outcome?.ok) item.resolve(outcome.result);
      else item.reject(outcome?.error);
    }
  }

  /** Resolves once no delivery is queued or waiting to be read (the test delivery button, and tests). */
  async whenRead(): Promise<void> {
    while (this.waiting || this.flushing || this.shopifyQueue.length > 0)
      await new Promise((resolve) => setTimeout(resolve, 5));
  }

  /** Deliveries are waiting to be read (a burst, or a restart after a crash). */
  private waiting = false;
  private closed = false;

  private scheduleReading(): void {
    if (this.waiting) return;
    this.waiting = true;
    this.nextTurn();
  }

  /**
   * While deliveries keep arriving, reading gets one turn every READ_GAP_BUSY_MS, so answers come first
   * and the reading still moves; once they stop, turns follow each other at once.
   */
  private nextTurn(): void {
    if (this.burst()) setTimeout(() => void this.readTurn(READ_TURN_BURST), READ_GAP_BUSY_MS);
    else setImmediate(() => void this.readTurn(READ_TURN_CALM));
  }

  /** One turn of reading, in its turn at the write lock (see `commitShopify`), then the next turn if more wait. */
  private async readTurn(limit: number): Promise<void> {
    if (this.closed) return;
    let read: number;
    try {
      read = await inTurn(this.ctx.db, () => this.readBatch(limit));
    } catch (error) {
      if (this.closed || !this.ctx.db.sqlite.open) return;
      this.readFailed(error);
      return;
    }
    if (read === limit && !this.closed) this.nextTurn();
    else this.waiting = false;
  }

  /** Deliveries stored in the current and the previous BURST_WINDOW_MS. */
  private recentDeliveries = 0;
  private previousDeliveries = 0;
  private windowStart = 0;

  /** More than BURST_DELIVERIES stored within about BURST_WINDOW_MS: a burst is on. (Also moves the window on.) */
  private burst(): boolean {
    const now = performance.now();
    if (now - this.windowStart >= BURST_WINDOW_MS) {
      this.previousDeliveries = now - this.windowStart >= 2 * BURST_WINDOW_MS ? 0 : this.recentDeliveries;
      this.recentDeliveries = 0;
      this.windowStart = now;
    }
    return this.previousDeliveries + this.recentDeliveries > BURST_DELIVERIES;
  }

  /** Reads up to `limit` waiting deliveries now (waiting on the lock if it must). Returns how many were read. */
  private readWaiting(limit: number): number {
    if (this.closed) return 0;
    try {
      return this.readBatch(limit);
    } catch (error) {
      this.readFailed(error);
      return 0;
    }
  }

  /** Reads up to `limit` waiting deliveries in one transaction, says whose profiles changed, and returns how many. */
  private readBatch(limit: number): number {
    const read = this.ctx.db.sqlite
      .transaction(() => readWaitingShopify(this.ctx.db, limit, this.contextFor))
      .immediate();
    this.changed([...read.touched, ...read.results.flatMap((r) => r.touched)]);
    return read.read;
  }

  /** The database itself failed (disk full…): the deliveries stay waiting; reading is tried again shortly. */
  private readFailed(error: unknown): void {
    this.ctx.logger.error('Reading waiting webhook deliveries failed; retrying in a few seconds', error);
    this.waiting = false;
    setTimeout(() => this.scheduleReading(), 5_000).unref();
  }

  /** Reads every waiting delivery now (at start after a crash, on close, and in tests of a burst). */
  readAllWaiting(): number {
    let total = 0;
    for (let n = this.readWaiting(READ_TURN_CALM); n > 0; n = this.readWaiting(READ_TURN_CALM)) total += n;
    return total;
  }

  /** Reads what is waiting and stops reading (the backend is closing). */
  close(): void {
    this.readAllWaiting();
    this.closed = true;
  }

  private changed(touched: number[]): void {
    this.ctx.bus.emit('profiles.changed', touched);
  }
}

export const webhooksOf = defineService((ctx) => new WebhookBatcher(ctx));
