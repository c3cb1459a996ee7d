/**
 * The scheduler: timed work (the nightly retrain, the abandoned-checkout
 * sweep, any engine's jobs) registered once by name, run in the shop's time
 * zone (Settings), and shown in Settings with its last and next run.
 *
 * Due times come from croner (`nextRun` in the shop's zone, so 03:00 stays
 * 03:00 across summer time); *when* to run is this file's own tick, which
 * compares the injected clock with each job's next due time every TICK_MS.
 * That is what makes the rules below hold, and tests drive it with a fake
 * clock instead of waiting:
 *
 * - Once per due time. A PC asleep through one or more due times runs the job
 *   once when it wakes (3:00 slept through from 2:00 to 5:00 runs at 5:00,
 *   once), or not at all for a job registered with `catchUp: false`. Due
 *   times that passed while ConstIntel was closed are not run at the next
 *   start: the first due time is the next one after the start.
 * - Never twice at once. A due time that comes while the job's previous run
 *   is still going is skipped, not queued: the job runs again at its next due
 *   time after that run has ended. Across processes the job's claim
 *   (claims.ts) decides: a process finding it held skips the due time, and
 *   one finding the due time already run by another does not run it again.
 * - A turned-off job (`enabled` false, e.g. the nightly retrain unticked) lets
 *   its due times pass without running and without a record.
 */
import { Cron } from 'croner';
import { AppError } from '../../../shared/contract/errors';
import type { ScheduledJobView } from '../../../shared/contract/jobs';
import type { Clock, Logger } from '../clock';
import { defineService } from '../context';
import type { Database } from '../db/open';
import { readScheduledJobs } from '../db/repos/scheduled-job';
import { readSettings } from '../settings/settings-store';
import { type ClaimOptions, JobClaims, type RunOutcome } from './claims';

/** How often the clock is compared with the due times: a job starts at most this late. */
export const TICK_MS = 30_000;
/** A job without catch-up still runs when found due this late (one missed tick); later than that it was slept through. */
const LATE_MS = 2 * TICK_MS;

export interface JobRunContext {
  /** The due time this run is for (the latest one that passed, after a sleep). */
  due: Date;
  now: Date;
}

export interface ScheduledJob {
  /** `domain.verb`, unique across engines; also the claim's name, shared with the same work started by hand. */
  name: string;
  /** What it does, in the shop's words (shown in Settings). */
  description: string;
  /** A cron pattern (five fields, or six with seconds) read in the shop's time zone. */
  cron: string;
  /** Does the work; a message returned is shown in Settings as the last run's result. A throw records a failure. */
  run(context: JobRunContext): Promise<string | undefined> | string | undefined;
  /** Run once on wake when a due time passed while the PC slept (default true). */
  catchUp?: boolean;
  /** False while the shop has it turned off; due times then pass without a run. */
  enabled?(): boolean;
}

interface Entry {
  job: ScheduledJob;
  /** Next due time (ms), computed in `zone`; undefined until the first tick or `start`. */
  next: number | undefined;
  running: Promise<RunOutcome> | undefined;
}

export interface SchedulerOptions {
  db: Database;
  clock: Clock;
  logger: Logger;
  /** The shop's time zone now (read again every tick, so a change in Settings applies from the next due time). */
  timeZone(): string;
  claims?: ClaimOptions;
}

export class Scheduler {
  readonly claims: JobClaims;
  private readonly entries = new Map<string, Entry>();
  private zone: string | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: SchedulerOptions) {
    this.claims = new JobClaims(options.db, options.clock, options.logger, options.claims);
  }

  /** Adds a job; a second job with a name already registered is refused, so a clash is found at start. */
  register(job: ScheduledJob): void {
    if (this.entries.has(job.name))
      throw new Error(`Two scheduled jobs are named "${job.name}"; each job needs its own name.`);
    // A bad pattern is found here too, not at 03:00.
    new Cron(job.cron, { paused: true });
    this.entries.set(job.name, { job, next: undefined, running: undefined });
  }

  /** Computes every job's first due time (after now) and checks the clock every TICK_MS until `stop`. */
  start(): void {
    if (this.timer) return;
    this.tick();
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  /**
   * Compares the clock with every job's next due time and starts the jobs that are due. Answers the names
   * started (tests; the timer ignores it).
   */
  tick(): string[] {
    const now = this.options.clock.now().getTime();
    this.followZone(now);
    const started: string[] = [];
    for (const entry of this.entries.values()) {
      try {
        if (this.due(entry, now)) started.push(entry.job.name);
      } catch (error) {
        // The data file was busy or failed: the due time stays due and the next tick tries again.
        this.options.logger.error(`Starting the scheduled job "${entry.job.name}" failed; trying again shortly`, error);
      }
    }
    return started;
  }

  /** Resolves when every run started so far has ended (tests, and the CLI before it closes). */
  async settled(): Promise<void> {
    await Promise.all([...this.entries.values()].map((e) => e.running));
  }

  /** What Settings shows: each job, its last run (in this process or another) and its next due time. */
  list(): ScheduledJobView[] {
    const now = this.options.clock.now().getTime();
    this.followZone(now);
    const rows = readScheduledJobs(this.options.db);
    const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString());
    return [...this.entries.values()].map(({ job, next }) => {
      const row = rows.get(job.name);
      const held = row?.claimedBy != null && (row.expiresAt ?? 0) > now;
      return {
        name: job.name,
        description: job.description,
        enabled: job.enabled?.() ?? true,
        running: held,
        lastRunAt: iso(row?.lastStartedAt),
        lastFinishedAt: held ? null : iso(row?.lastFinishedAt),
        lastResult: held ? null : (row?.lastResult ?? null),
        lastMessage: held ? null : (row?.lastMessage ?? null),
        nextRunAt: iso(next ?? this.nextDue(job, now)),
      };
    });
  }

  /** Stops the clock checks; claims still held are released (a run in hand is stopped by whoever owns it). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.claims.close();
  }

  private due(entry: Entry, now: number): boolean {
    const { job } = entry;
    if (entry.next === undefined) entry.next = this.nextDue(job, now);
    if (now < entry.next) return false;
    // However many due times passed (a PC asleep), this is one run, for the latest of them.
    const due = this.latestDue(job, now, entry.next);
    const skip = (): false => {
      entry.next = this.nextDue(job, now);
      return false;
    };
    if (job.catchUp === false && now - due > LATE_MS) return skip();
    if (job.enabled && !job.enabled()) return skip();
    if (entry.running) {
      this.options.logger.info(`"${job.name}" was due while its previous run was still going; skipped this time.`);
      return skip();
    }
    const attempt = this.claims.take(job.name, due);
    skip();
    if (attempt !== 'taken') return false;
    const run = this.claims.hold(job.name, async () => {
      const message = await job.run({ due: new Date(due), now: new Date(now) });
      return { result: 'ok', message: message ?? null };
    });
    entry.running = run;
    void run.finally(() => {
      if (entry.running === run) entry.running = undefined;
    });
    return true;
  }

  /** The shop changed its time zone: due times are computed again, from the last check, in the new zone. */
  private followZone(now: number): void {
    const zone = this.options.timeZone();
    if (zone === this.zone) return;
    const before = this.zone;
    this.zone = zone;
    if (before === undefined) return;
    for (const entry of this.entries.values())
      if (entry.next !== undefined) entry.next = this.nextDue(entry.job, Math.min(now, entry.next - 1));
  }

  private cron(job: ScheduledJob): Cron {
    return new Cron(job.cron, { paused: true, timezone: this.zone ?? this.options.timeZone() });
  }

  /** The first due time strictly after `after`. */
  private nextDue(job: ScheduledJob, after: number): number {
    const next = this.cron(job).nextRun(new Date(after));
    if (!next) throw new AppError('internal', `The schedule "${job.cron}" of "${job.name}" has no next time.`);
    return next.getTime();
  }

  /** The latest due time at or before `now` (at least `first`, the one found due). */
  private latestDue(job: ScheduledJob, now: number, first: number): number {
    const [latest] = this.cron(job).previousRuns(1, new Date(now + 1));
    return Math.max(first, latest?.getTime() ?? first);
  }
}

/** This backend's scheduler, in the shop's time zone from Settings. */
export const schedulerOf = defineService(
  (ctx) =>
    new Scheduler({ db: ctx.db, clock: ctx.clock, logger: ctx.logger, timeZone: () => readSettings(ctx.db).timeZone }),
);
