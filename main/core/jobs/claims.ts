/**
 * Claims on scheduled work, as one process holds them. The same work never
 * runs twice at once, also not in two processes on one data file (the app's
 * nightly retrain and `constintel retrain`): whoever runs it holds the job's
 * row in `scheduled_job` (db/repos/scheduled-job.ts).
 *
 * A claim lasts CLAIM_TTL_MS and its holder renews it every RENEW_EVERY_MS
 * while the work runs, so a process that is killed (or a PC switched off)
 * leaves a claim that is stale within two minutes and is then taken over.
 * Renewal is a timer on this thread: work that holds the thread longer than
 * the claim lasts (a retrain run in this thread, only for an in-memory data
 * file or a start from sources without the built worker) can lose its
 * claim; the renewal then says so in the log.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { AppError } from '../../../shared/contract/errors';
import type { Clock, Logger } from '../clock';
import type { Database } from '../db/open';
import { type ClaimAttempt, type RunResult, releaseClaim, renewClaim, takeClaim } from '../db/repos/scheduled-job';

export const CLAIM_TTL_MS = 2 * 60_000;
export const RENEW_EVERY_MS = 30_000;

export interface RunOutcome {
  result: Exclude<RunResult, 'stopped'>;
  /** One sentence for the shop (what was done, or why it failed); null when there is nothing to say. */
  message: string | null;
}

export interface ClaimOptions {
  /** Who this process is, as written in `claimed_by`; defaults to host, pid and a random id. */
  holder?: string;
  ttlMs?: number;
  renewEveryMs?: number;
}

/** Host, pid and a random part: a pid the OS hands out again later is still another holder. */
export function processHolder(): string {
  return `${hostname()} pid ${process.pid} ${randomBytes(4).toString('hex')}`;
}

export class JobClaims {
  readonly holder: string;
  private readonly ttlMs: number;
  private readonly renewEveryMs: number;
  /** The claims this process holds, with their renewal timers. */
  private readonly held = new Map<string, NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly logger: Logger,
    options: ClaimOptions = {},
  ) {
    this.holder = options.holder ?? processHolder();
    this.ttlMs = options.ttlMs ?? CLAIM_TTL_MS;
    this.renewEveryMs = options.renewEveryMs ?? RENEW_EVERY_MS;
  }

  /** Claims the job for this process (for one due time, when given); renewed from now until it is released. */
  take(name: string, due?: number): ClaimAttempt {
    if (this.closed || this.held.has(name)) return 'busy';
    const now = this.clock.now().getTime();
    const attempt = takeClaim(this.db, { name, holder: this.holder, now, ttlMs: this.ttlMs, due });
    if (attempt === 'taken') {
      const timer = setInterval(() => this.renew(name), this.renewEveryMs);
      timer.unref();
      this.held.set(name, timer);
    }
    return attempt;
  }

  /** Runs work under a claim this process has taken, then records how it ended and releases the claim. */
  async hold(name: string, work: () => Promise<RunOutcome> | RunOutcome): Promise<RunOutcome> {
    let outcome: RunOutcome;
    try {
      outcome = await work();
    } catch (error) {
      outcome = { result: 'failed', message: failureMessage(error) };
      if (!(error instanceof AppError)) this.logger.error(`The scheduled job "${name}" failed`, error);
    }
    this.release(name, outcome);
    return outcome;
  }

  /** Releases a claim this process holds (a no-op once released, or after close). */
  release(name: string, outcome: { result: RunResult; message: string | null }): void {
    const timer = this.held.get(name);
    if (!timer) return;
    clearInterval(timer);
    this.held.delete(name);
    try {
      if (!releaseClaim(this.db, name, this.holder, this.clock.now().getTime(), outcome))
        this.logger.warn(`"${name}" ended after its claim had gone stale; its result was not recorded.`);
    } catch (error) {
      this.logger.error(`Recording the end of "${name}" failed`, error);
    }
  }

  holds(name: string): boolean {
    return this.held.has(name);
  }

  /** This process is closing: what it holds is given back now, so another need not wait for the claims to expire. */
  close(): void {
    for (const name of [...this.held.keys()])
      this.release(name, { result: 'stopped', message: 'ConstIntel was closed while this ran.' });
    this.closed = true;
  }

  private renew(name: string): void {
    try {
      if (!renewClaim(this.db, name, this.holder, this.clock.now().getTime(), this.ttlMs)) {
        this.logger.warn(`The claim on "${name}" went stale and another process took it over.`);
        const timer = this.held.get(name);
        if (timer) clearInterval(timer);
        this.held.delete(name);
      }
    } catch (error) {
      // The data file was busy or failed: the claim is renewed at the next turn, well before it expires.
      this.logger.error(`Renewing the claim on "${name}" failed`, error);
    }
  }
}

function failureMessage(error: unknown): string {
  // An AppError's message is written for the shop; anything else is a fault, kept for the log.
  if (error instanceof AppError) return error.message;
  return 'It stopped with an error; the details are in the log.';
}
