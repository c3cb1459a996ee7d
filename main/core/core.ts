/**
 * The engines behind the handlers and listeners, wired once per backend:
 * ingestion, merges and reviews (each in one IMMEDIATE transaction), the
 * Customer 360 cache (invalidated whenever a profile changes), and the
 * stream runner (nudged after every commit).
 */
import { eq } from 'drizzle-orm';
import type { ParsedEvent } from '../../shared/events';
import type { Clock, Logger } from './clock';
import { businessNumbers } from './connections/whatsapp-connection';
import { type Customer360Result, readCustomer360 } from './customers/customer-360';
import { TtlCache } from './customers/ttl-cache';
import type { Database } from './db/open';
import { brand } from './db/schema';
import { type UndoResult, undoMerge } from './identity/merge';
import type { NormalizeOptions } from './identity/normalize';
import { approveReview, rejectReview } from './identity/review';
import { ImportManager } from './import/import-manager';
import { type IngestContext, type IngestResult, ingestInTransaction } from './ingest/ingest-event';
import { dueAbandonments } from './ingest/sources/shopify-checkouts';
import {
  acceptShopifyInTransaction,
  type IntakeResult,
  readWaitingShopify,
  receiveWhatsApp,
  type ShopifyDelivery,
} from './ingest/webhook-intake';
import { nightlyRetrainJob } from './jobs/retrain-jobs';
import { Scheduler } from './jobs/scheduler';
import { RetrainManager } from './ml/retrain/retrain-manager';
import { customerData, eraseProfiles, recordRequest, writeExport } from './privacy/privacy';
import { readApiKey, rotateApiKey } from './secrets/api-key';
import { MemorySecretStore, type SecretStore } from './secrets/secret-store';
import { DEFAULT_BRAND_ID, readSettings } from './settings/settings-store';
import { StreamRunner } from './streams/streams';

export const CUSTOMER_CACHE_MS = 5 * 60_000;
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

export class Core {
  readonly streams: StreamRunner;
  readonly imports: ImportManager;
  readonly retrain: RetrainManager;
  /** Timed work: the nightly retrain, the checkout sweep (jobs/scheduler.ts); running from `startJobs`. */
  readonly jobs: Scheduler;
  readonly brandId = DEFAULT_BRAND_ID;
  private readonly customers: TtlCache<number, Customer360Result>;
  private normalizeCache: NormalizeOptions | undefined;
  private readonly shopifyQueue: {
    delivery: ShopifyDelivery;
    resolve(result: IntakeResult): void;
    reject(error: unknown): void;
  }[] = [];

  constructor(
    readonly db: Database,
    readonly clock: Clock,
    readonly logger: Logger,
    readonly secrets: SecretStore = new MemorySecretStore(),
    /** Where exports (privacy data requests) are written. */
    readonly dataDir: string = '.',
  ) {
    this.streams = new StreamRunner(db, clock, logger);
    this.imports = new ImportManager(this);
    this.retrain = new RetrainManager(this);
    this.customers = new TtlCache(clock, CUSTOMER_CACHE_MS);
    this.jobs = new Scheduler({ db, clock, logger, timeZone: () => readSettings(db).timeZone });
    this.jobs.register(nightlyRetrainJob(this.retrain, () => readSettings(db).retrainNightly));
    this.jobs.register({
      name: 'checkouts.sweep',
      description:
        'Mark Shopify checkouts not finished within the time set above as abandoned: every minute while ConstIntel is open.',
      cron: '* * * * *',
      run: () => {
        const n = this.sweepAbandonedCheckouts();
        return n === 0 ? 'No checkout was due.' : `${n} checkout${n === 1 ? '' : 's'} marked abandoned.`;
      },
    });
  }

  normalizeOptions(): NormalizeOptions {
    if (!this.normalizeCache) {
      const settings = readSettings(this.db);
      this.normalizeCache = {
        defaultCountry: settings.defaultCountry,
        shopNumbers: new Set([...settings.shopPhoneNumbers, ...businessNumbers(this.db)]),
      };
    }
    return this.normalizeCache;
  }

  /** Normalisation for a brand: its own default phone country; the shop numbers are the install's. */
  normalizeOptionsFor(brandId: number): NormalizeOptions {
    const base = this.normalizeOptions();
    if (brandId === this.brandId) return base;
    const country = this.db.orm.select({ c: brand.defaultCountry }).from(brand).where(eq(brand.id, brandId)).get()?.c;
    return { ...base, defaultCountry: country ?? base.defaultCountry };
  }

  /**
   * A verified Shopify delivery: committed raw before the answer goes back, then read into events in
   * arrival order. Deliveries arriving together are committed in one transaction (one WAL write instead of
   * one each) and each sender is answered after that commit; if the batch fails, each is retried alone so
   * one bad delivery cannot take the others down. Reading follows at once when traffic is light; in a
   * burst it takes small turns between answers (`readWaiting`), so senders never wait behind it, and
   * catches up when the burst is over.
   */
  receiveShopify(delivery: ShopifyDelivery): Promise<IntakeResult> {
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
    now: this.clock.now().getTime(),
    normalize: this.normalizeOptionsFor(brandId),
  });

  private flushShopify(): void {
    const batch = this.shopifyQueue.splice(0, MAX_BATCH);
    if (batch.length === 0) return;
    if (this.shopifyQueue.length > 0) setImmediate(() => this.flushShopify());
    type Outcome = { ok: true; result: IntakeResult } | { ok: false; error: unknown };
    const accept = (delivery: ShopifyDelivery) =>
      acceptShopifyInTransaction(this.db, delivery, this.contextFor, this.dataDir);
    // Savepoints cost about a tenth of the throughput, so the batch first runs without them. If any delivery
    // fails, the batch runs again with each delivery in its own savepoint: the failing one is rolled back
    // alone and answered with its error, the others still commit together.
    const alone = this.db.sqlite.transaction(accept);
    let outcomes: Outcome[];
    try {
      outcomes = this.db.sqlite
        .transaction(() => batch.map((item): Outcome => ({ ok: true, result: accept(item.delivery) })))
        .immediate();
    } catch {
      try {
        outcomes = this.db.sqlite
          .transaction(() =>
            batch.map((item): Outcome => {
              try {
                return { ok: true, result: alone(item.delivery) };
              } catch (error) {
                return { ok: false, error };
              }
            }),
          )
          .immediate();
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
    while (this.waiting || this.shopifyQueue.length > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  /** A retrain or a rollback rewrote every customer's scores: no cached page may show the old ones. */
  predictionsChanged(): void {
    this.customers.clear();
  }

  /** Profiles changed (by a delivery, an import, an ingest): caches drop them, stream subscribers are nudged. */
  changed(touched: number[]): void {
    this.customers.invalidate(touched);
    this.streams.notify();
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
    if (this.burst()) setTimeout(() => this.readWaiting(READ_TURN_BURST), READ_GAP_BUSY_MS);
    else setImmediate(() => this.readWaiting(READ_TURN_CALM));
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

  /**
   * One turn of reading waiting deliveries, then back to the event loop so new deliveries are answered
   * between turns. Returns how many were read.
   */
  private readWaiting(limit: number, thenContinue = true): number {
    if (this.closed) return 0;
    let read: ReturnType<typeof readWaitingShopify>;
    try {
      read = this.db.sqlite.transaction(() => readWaitingShopify(this.db, limit, this.contextFor)).immediate();
    } catch (error) {
      // The database itself failed (disk full…): the deliveries stay waiting; try again shortly.
      this.logger.error('Reading waiting webhook deliveries failed; retrying in a few seconds', error);
      this.waiting = false;
      setTimeout(() => this.scheduleReading(), 5_000).unref();
      return 0;
    }
    this.changed([...read.touched, ...read.results.flatMap((r) => r.touched)]);
    if (thenContinue && read.read === limit) this.nextTurn();
    else if (thenContinue) this.waiting = false;
    return read.read;
  }

  /** Reads every waiting delivery now (at start after a crash, on close, and in tests of a burst). */
  readAllWaiting(): number {
    let total = 0;
    for (let n = this.readWaiting(READ_TURN_CALM, false); n > 0; n = this.readWaiting(READ_TURN_CALM, false))
      total += n;
    return total;
  }

  /** The shop erases a customer (their request, made in the shop). */
  eraseCustomer(profileId: number): { profiles: number; events: number } {
    const now = this.clock.now().getTime();
    const result = this.db.sqlite
      .transaction(() => {
        const erased = eraseProfiles(this.db, [profileId]);
        recordRequest(this.db, { brandId: this.brandId, kind: 'redact_customer', requestedBy: 'shop', ...erased, now });
        return erased;
      })
      .immediate();
    this.customers.invalidate([profileId]);
    return result;
  }

  /** The shop exports everything held about a customer (their request, made in the shop). */
  exportCustomer(profileId: number): string | undefined {
    const now = this.clock.now().getTime();
    const document = customerData(this.db, profileId);
    if (!document) return undefined;
    const path = writeExport(this.dataDir, [profileId], [document], now);
    recordRequest(this.db, {
      brandId: this.brandId,
      kind: 'data_request',
      requestedBy: 'shop',
      profiles: 1,
      events: 0,
      exportPath: path,
      now,
    });
    return path;
  }

  /** A verified WhatsApp delivery, the same way. */
  receiveWhatsApp(raw: string, json: unknown): IntakeResult {
    const ctx = { brandId: this.brandId, now: this.clock.now().getTime(), normalize: this.normalizeOptions() };
    const result = receiveWhatsApp(this.db, { brandId: this.brandId, raw, json }, ctx, () => {
      this.normalizeCache = undefined;
      return this.normalizeOptions();
    });
    if (result.learnedNumbers) this.normalizeCache = undefined;
    this.changed(result.results.flatMap((r) => r.touched));
    return result;
  }

  /** Minutes a checkout may stay unfinished before it counts as abandoned (Settings; default 2 hours). */
  abandonAfterMinutes(): number {
    return readSettings(this.db).abandonedCheckoutMinutes;
  }

  /** Marks checkouts past the delay as abandoned and records a cart_abandoned event for each. */
  sweepAbandonedCheckouts(): number {
    const now = this.clock.now().getTime();
    const delay = this.abandonAfterMinutes();
    const results = this.db.sqlite
      .transaction(() =>
        dueAbandonments(this.db, now, delay).map(({ brandId, event }) =>
          ingestInTransaction(this.db, event, { brandId, now, normalize: this.normalizeOptionsFor(brandId) }),
        ),
      )
      .immediate();
    for (const r of results) this.customers.invalidate(r.touched);
    if (results.length > 0) this.streams.notify();
    return results.length;
  }

  /** Runs the scheduled jobs (abandoned checkouts, the nightly retrain when turned on) while the app is open. */
  startJobs(): void {
    this.jobs.start();
  }

  /** Settings changed: drop what was derived from them. */
  settingsChanged(): void {
    this.normalizeCache = undefined;
    this.customers.clear();
  }

  currency(): string {
    return (
      this.db.orm.select({ currency: brand.currency }).from(brand).where(eq(brand.id, this.brandId)).get()?.currency ??
      'USD'
    );
  }

  /** Ingests events in one transaction; all or nothing. */
  ingest(events: readonly ParsedEvent[]): IngestResult[] {
    const ctx = { brandId: this.brandId, now: this.clock.now().getTime(), normalize: this.normalizeOptions() };
    const results = this.db.sqlite
      .transaction(() => events.map((event) => ingestInTransaction(this.db, event, ctx)))
      .immediate();
    this.changed(results.flatMap((r) => r.touched));
    return results;
  }

  approveReview(reviewId: number): { baseId: number; mergeId: number } {
    const result = this.db.sqlite
      .transaction(() => approveReview(this.db, reviewId, this.clock.now().getTime()))
      .immediate();
    this.customers.invalidate([result.baseId, ...result.mergedIds]);
    return result;
  }

  rejectReview(reviewId: number): void {
    this.db.sqlite.transaction(() => rejectReview(this.db, reviewId, this.clock.now().getTime())).immediate();
  }

  undoMerge(mergeId: number): UndoResult {
    const result = this.db.sqlite
      .transaction(() => undoMerge(this.db, mergeId, this.clock.now().getTime()))
      .immediate();
    this.customers.invalidate(result.touched);
    return result;
  }

  customer360(id: number): Customer360Result | undefined {
    const cached = this.customers.get(id);
    if (cached) return cached;
    const fresh = readCustomer360(this.db, id, this.currency());
    // Where a merged-away id leads changes with later merges and undos: only found profiles are cached.
    if (fresh?.status === 'found') this.customers.set(id, fresh);
    return fresh;
  }

  /** The event API key (kept in the secret store), created on first use. */
  apiKey(): string {
    return readApiKey(this.secrets);
  }

  rotateApiKey(): string {
    return rotateApiKey(this.secrets);
  }

  close(): void {
    this.jobs.stop();
    this.imports.stopAll();
    this.retrain.stopAll();
    this.readAllWaiting();
    this.closed = true;
    this.streams.stop();
  }
}
