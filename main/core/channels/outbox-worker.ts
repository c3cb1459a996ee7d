/**
 * The outbox worker: sends due `message_outbox` rows, each at most once. Before the call the row is marked
 * `sending` and that is committed (autocommit, no transaction open around it); the provider's answer then decides:
 * accepted → `sent` with its id; refused with "try again" (connection refused, 429, 5xx, WhatsApp 130429) → back to
 * `pending` after a backoff (30 s, doubling, at most an hour; failed after `maxAttempts`); refused outright →
 * `failed` with the reason; no answer (timeout, dropped connection after the request went out) → `unknown`,
 * shown and never resent by itself. A row still `sending` at start was cut off by a crash: `unknown` too.
 *
 * Throughput: one run at a time per backend, in which each channel is a lane of its own: it reads its own due rows
 * and has up to `concurrency` sends in flight, paced to its messages-per-second setting. Lanes, because with one
 * loop over rows of every channel a WhatsApp row waiting its turn at 80 a second held up the email rows behind it
 * (and slow email sends held every slot): a mixed queue went at the slowest channel's pace (`npm run bench --
 * outbox`: 17 messages a second a channel against limits of 80 and 500). The pacing measures real elapsed time
 * (performance.now), not the injected clock, because it spaces out real network calls; everything about the time of
 * day (quiet hours, the daily cap's day, backoff, when a row is due) uses the injected clock.
 */

import type { Clock } from '../clock';
import { defineService, type EngineContext } from '../context';
import {
  claimOutboxRow,
  dueOutboxRows,
  holdAllDue,
  holdOutboxRow,
  markOutboxFinal,
  markOutboxRetry,
  markOutboxSentMany,
  noteWaiting,
  type OutboxRow,
  recoverInterruptedSends,
} from '../db/repos/message-outbox';
import { readSettings } from '../settings/settings-store';
import { shopCurrency } from '../settings/shop-settings';
import { applyProviderOptOut } from './consent';
import { CHANNEL_LABEL, defaultOutboxDeps, type OutboxDeps } from './outbox-deps';
import { decide, PAUSED_REASON, priceOf } from './outbox-guards';
import type { ChannelName, ChannelSender, OutgoingMessage, SendResult } from './types';

export const INTERRUPTED_REASON =
  'ConstIntel stopped while this message was being sent: it may or may not have gone out, so it is not sent again.';
const BATCH = 100;
/**
 * Email's sends in flight cover this long at its rate (never fewer than `concurrency`): while the main thread answers
 * a page (tens of milliseconds) the sending thread still has mail for every SMTP connection (`npm run bench --
 * outbox`: 410 → 470 a second at a limit of 500).
 */
const EMAIL_QUEUE_SECONDS = 0.05;
const BACKOFF_MS = 30_000;
const MAX_BACKOFF_MS = 3_600_000;
const CHANNELS: readonly ChannelName[] = ['email', 'sms', 'whatsapp'];

export function backoffMs(attempts: number): number {
  return Math.min(MAX_BACKOFF_MS, BACKOFF_MS * 2 ** Math.max(0, attempts - 1));
}

/**
 * Keeps a channel to its rate: never more than `perSecond` sends in any one second (below 2 a second: one every
 * 1/perSecond s), and never more than a fifth of that in any tenth of a second (twice the even pace). Sends may go
 * together within that, so a lane that fell behind (the main thread busy answering a page) catches up in one go
 * instead of one timer per send: with a minimum spacing between sends, every send waited for its own timer and
 * email went at about 370 a second against a limit of 500 (`npm run bench -- outbox`).
 */
export class Pacer {
  /** When the sends of the last second went, oldest first. */
  private readonly recent: number[] = [];
  private last = Number.NEGATIVE_INFINITY;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Waits until one more send is within the rate, and counts it. */
  async take(perSecond: number): Promise<void> {
    for (;;) {
      const now = this.now();
      const at = this.earliest(perSecond, now);
      if (at <= now) {
        this.recent.push(now);
        this.last = now;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, at - now));
    }
  }

  /** The earliest moment (≥ now) one more send keeps to the rate. */
  earliest(perSecond: number, now: number): number {
    while (this.recent.length > 0 && (this.recent[0] as number) <= now - 1000) this.recent.shift();
    const perWindow = Math.floor(perSecond);
    if (perWindow < 2) return Math.max(now, this.last + 1000 / perSecond);
    let at = now;
    const perTenth = Math.max(1, Math.floor(perSecond / 5));
    if (this.recent.length >= perTenth) {
      // The send `perTenth` back must have left the tenth of a second first.
      at = Math.max(at, (this.recent[this.recent.length - perTenth] as number) + 100);
    }
    if (this.recent.length >= perWindow) {
      // The send `perWindow` back must have left the one-second window first.
      at = Math.max(at, (this.recent[this.recent.length - perWindow] as number) + 1000);
    }
    return at;
  }
}

export class OutboxWorker {
  deps: OutboxDeps;
  private readonly pacers = new Map<ChannelName, Pacer>();
  private readonly inFlight = new Set<Promise<void>>();
  /** Sends in flight per channel, and the lane waiting for one of them to end. */
  private readonly busy = new Map<ChannelName, number>();
  private readonly freeSlot = new Map<ChannelName, () => void>();
  private readonly controllers = new Set<AbortController>();
  /** Accepted sends waiting for their one commit (markSent). */
  private readonly sentQueue: { id: number; providerId: string | null }[] = [];
  private sentFlush: Promise<void> | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private started = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  /** While sending is paused: every row due by then is held with the pause's reason (the next pass looks at newer). */
  private pausedUpTo: number | null = null;

  constructor(private readonly ctx: EngineContext) {
    this.deps = defaultOutboxDeps(ctx);
  }

  private get clock(): Clock {
    return this.ctx.clock;
  }

  configure(deps: Partial<OutboxDeps>): void {
    this.deps = { ...this.deps, ...deps };
    if (this.started && deps.pollMs !== undefined) this.startTimer();
    // A channel may have just been connected: what waited for it can go.
    this.kick();
  }

  /** Rows a stopped process left `sending` become `unknown`; then due rows are looked for every `pollMs`. */
  start(): number {
    const recovered = recoverInterruptedSends(this.ctx.db, INTERRUPTED_REASON, this.clock.now().getTime());
    if (recovered > 0)
      this.ctx.logger.warn(`${recovered} message(s) were being sent when ConstIntel stopped: marked unknown.`);
    this.started = true;
    this.stopped = false;
    this.startTimer();
    this.kick();
    return recovered;
  }

  private startTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = setInterval(() => this.kick(), this.deps.pollMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    // A send cut off here ends `unknown`: now if the data file is still open, else at the next start. Never resent.
    for (const controller of this.controllers) controller.abort();
  }

  /** Look for due rows soon (after a message was written, or a setting changed). */
  kick(): void {
    if (!this.started || this.stopped) return;
    this.run().catch((error: unknown) => this.ctx.logger.error('The outbox could not send', error));
  }

  /** Sends everything due now and waits for the answers (tests call it after moving the clock). */
  async drain(): Promise<void> {
    this.again = true;
    await this.run();
  }

  /** One loop at a time: a kick while it runs makes it look once more before it ends. */
  private run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    // `running` is cleared in the same turn as the last look for `again`, so a kick can never fall between them.
    const loop = async (): Promise<void> => {
      try {
        do {
          this.again = false;
          await Promise.all(
            CHANNELS.map(async (channel) => {
              while (!this.stopped && (await this.pass(channel)) > 0) {
                // Rows that could not go were moved into the future, so each pass sees fewer.
              }
            }),
          );
          await Promise.all([...this.inFlight]);
        } while (this.again && !this.stopped);
      } finally {
        this.running = undefined;
      }
    };
    this.running = loop();
    return this.running;
  }

  /** One batch of a channel's due rows: each decided, then (if it may go) paced, claimed and sent. */
  private async pass(channel: ChannelName): Promise<number> {
    const { db } = this.ctx;
    if (!db.sqlite.open) return 0;
    const nowMs = this.clock.now().getTime();
    // Read again for every batch, so pausing, a new rate or a new cap takes effect within one batch.
    const settings = readSettings(db);
    if (settings.sendingPaused) {
      const since = this.pausedUpTo !== null && this.pausedUpTo <= nowMs ? this.pausedUpTo : null;
      holdAllDue(db, PAUSED_REASON, nowMs, since);
      this.pausedUpTo = nowMs;
      return 0;
    }
    this.pausedUpTo = null;
    const sender = this.deps.senderFor(channel);
    if (!sender) {
      // Left due, so they go as soon as the channel is connected (configure kicks the worker).
      noteWaiting(db, channel, `${CHANNEL_LABEL[channel]} is not connected (Settings → Channels)`, nowMs);
      return 0;
    }
    const rows = dueOutboxRows(db, nowMs, [channel], BATCH);
    const currency = shopCurrency(this.ctx);
    for (const row of rows) {
      if (this.stopped || !db.sqlite.open) break;
      const now = this.clock.now();
      const decision = decide(this.ctx, this.deps, settings, row, now, { countCap: true });
      if (!decision.go) {
        if (decision.status === 'cancelled') markOutboxFinal(db, row.id, 'cancelled', decision.reason, now.getTime());
        else holdOutboxRow(db, row.id, 'held', decision.reason, decision.until, now.getTime());
        continue;
      }
      await this.slot(channel, settings.sendRates[channel]);
      await this.pacer(channel).take(settings.sendRates[channel]);
      if (this.stopped || !db.sqlite.open) break;
      const claimedAt = this.clock.now().getTime();
      if (!claimOutboxRow(db, row.id, priceOf(settings, channel), currency, claimedAt)) continue;
      this.busy.set(channel, (this.busy.get(channel) ?? 0) + 1);
      const sending = this.sendOne(row, sender).finally(() => {
        this.inFlight.delete(sending);
        this.busy.set(channel, (this.busy.get(channel) ?? 1) - 1);
        const free = this.freeSlot.get(channel);
        this.freeSlot.delete(channel);
        free?.();
      });
      this.inFlight.add(sending);
    }
    return rows.length;
  }

  /** Sends a channel may have in flight: `concurrency`, and for HTTP providers enough to keep its rate (outbox-deps). */
  inFlightLimit(channel: ChannelName, perSecond: number): number {
    const floor = Math.max(1, this.deps.concurrency);
    if (channel === 'email') return Math.max(floor, Math.ceil(perSecond * EMAIL_QUEUE_SECONDS));
    return Math.max(floor, Math.ceil((perSecond * this.deps.networkLatencyMs) / 1000));
  }

  /** Waits until the channel has fewer than its limit of sends in flight (each channel's lane waits alone). */
  private async slot(channel: ChannelName, perSecond: number): Promise<void> {
    while ((this.busy.get(channel) ?? 0) >= this.inFlightLimit(channel, perSecond)) {
      await new Promise<void>((resolve) => {
        this.freeSlot.set(channel, resolve);
      });
    }
  }

  private pacer(channel: ChannelName): Pacer {
    let pacer = this.pacers.get(channel);
    if (!pacer) {
      pacer = new Pacer();
      this.pacers.set(channel, pacer);
    }
    return pacer;
  }

  private async sendOne(row: OutboxRow, sender: ChannelSender): Promise<void> {
    const message: OutgoingMessage = { channel: row.channel, to: row.recipient, text: row.body.text, outboxId: row.id };
    if (row.body.subject !== undefined) message.subject = row.body.subject;
    if (row.body.html !== undefined) message.html = row.body.html;
    if (row.body.template !== undefined) message.template = row.body.template;
    if (row.body.headers !== undefined) message.headers = row.body.headers;
    const controller = new AbortController();
    this.controllers.add(controller);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<SendResult>((resolve) => {
      timer = setTimeout(() => {
        controller.abort();
        resolve({
          outcome: 'unknown',
          reason: `No answer from ${CHANNEL_LABEL[row.channel]} within ${(this.deps.sendTimeoutMs / 1000).toLocaleString('en', { maximumFractionDigits: 1 })} s: it may or may not have gone out, so it is not sent again.`,
        });
      }, this.deps.sendTimeoutMs);
    });
    let result: SendResult;
    try {
      result = await Promise.race([sender.send(message, controller.signal), timeout]);
    } catch (error) {
      result = {
        outcome: 'unknown',
        reason: `The send broke off (${(error as Error).message ?? String(error)}): it may or may not have gone out.`,
      };
    } finally {
      clearTimeout(timer);
      this.controllers.delete(controller);
    }
    await this.record(row, result);
  }

  /**
   * Accepted messages are marked `sent` together, once the sends answered in the same turn of the event loop are in
   * (one commit for them all). Safe for at most once: the row is already committed `sending`, so if the process
   * stopped before this commit it would be `unknown` at the next start, never sent again.
   */
  private markSent(id: number, providerId: string | null): Promise<void> {
    this.sentQueue.push({ id, providerId });
    this.sentFlush ??= new Promise<void>((resolve, reject) => {
      setImmediate(() => {
        const batch = this.sentQueue.splice(0);
        this.sentFlush = undefined;
        try {
          if (this.ctx.db.sqlite.open) markOutboxSentMany(this.ctx.db, batch, this.clock.now().getTime());
          resolve();
        } catch (error) {
          reject(error);
        }
      });
    });
    return this.sentFlush;
  }

  private async record(row: OutboxRow, result: SendResult): Promise<void> {
    const { db, logger } = this.ctx;
    if (!db.sqlite.open) return;
    const now = this.clock.now().getTime();
    const attempts = row.attempts + 1;
    const label = CHANNEL_LABEL[row.channel];
    if (result.outcome === 'accepted') {
      await this.markSent(row.id, result.providerId);
    } else if (result.outcome === 'unknown') {
      markOutboxFinal(db, row.id, 'unknown', result.reason, now);
      logger.warn(`Message ${row.id}: ${result.reason}`);
    } else if (result.retry && attempts < this.deps.maxAttempts) {
      const reason = `Not sent yet: ${result.reason.replace(/\.?$/, '.')} Trying again (try ${attempts + 1} of ${this.deps.maxAttempts}).`;
      markOutboxRetry(db, row.id, reason, now + backoffMs(attempts), now);
    } else {
      const code = result.code ? ` [${result.code}]` : '';
      const tries = result.retry ? ` (gave up after ${attempts} tries)` : '';
      const optOut = providerOptOutCode(row.channel, result.code);
      db.sqlite
        .transaction(() => {
          markOutboxFinal(db, row.id, 'failed', `${label} refused it: ${result.reason}${code}${tries}`, now);
          // The provider says the customer opted out (they replied STOP to Twilio, or blocked the business on
          // WhatsApp): recorded as their opt-out, so nothing more is tried on that channel.
          if (optOut)
            applyProviderOptOut(db, {
              ...(row.profileId !== null
                ? { profileId: row.profileId }
                : { phone: row.recipient, brandId: row.brandId }),
              channel: row.channel,
              code: optOut,
              at: now,
            });
        })
        .immediate();
      logger.warn(`Message ${row.id} failed: ${result.reason}`);
    }
  }
}

/** Twilio 21610 on SMS and WhatsApp 131050 mean the customer opted out of that channel. */
function providerOptOutCode(channel: ChannelName, code: string | null): '21610' | '131050' | undefined {
  if (channel === 'sms' && code === '21610') return '21610';
  if (channel === 'whatsapp' && code === '131050') return '131050';
  return undefined;
}

export const outboxOf = defineService((ctx) => new OutboxWorker(ctx));

/** Tests, and the shells at merge time, give the worker its senders and consent check here. */
export function configureOutbox(ctx: EngineContext, deps: Partial<OutboxDeps>): OutboxWorker {
  const worker = outboxOf(ctx);
  worker.configure(deps);
  return worker;
}
