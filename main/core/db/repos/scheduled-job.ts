/**
 * The `scheduled_job` rows: claims on scheduled work and the record of each
 * job's last run. A claim is taken in one IMMEDIATE transaction, so of two
 * processes asking at once exactly one gets it; every write that ends or
 * renews a claim names its holder, so a holder whose stale claim was taken
 * over cannot release or extend the new holder's.
 */
import { and, eq } from 'drizzle-orm';
import type { Database } from '../open';
import { scheduledJob } from '../schema';

export type ScheduledJobRow = typeof scheduledJob.$inferSelect;
export type RunResult = NonNullable<ScheduledJobRow['lastResult']>;

/** `taken`: the caller holds it now; `busy`: someone holds an unexpired claim; `done`: this due time already ran. */
export type ClaimAttempt = 'taken' | 'busy' | 'done';

export interface ClaimRequest {
  name: string;
  holder: string;
  now: number;
  ttlMs: number;
  /** The due time a scheduled run is for; a manual run (the Retrain button, the CLI) has none. */
  due?: number | undefined;
}

export function takeClaim(db: Database, request: ClaimRequest): ClaimAttempt {
  const { name, holder, now, ttlMs, due } = request;
  return db.sqlite
    .transaction((): ClaimAttempt => {
      const row = db.orm.select().from(scheduledJob).where(eq(scheduledJob.name, name)).get();
      if (row?.claimedBy && (row.expiresAt ?? 0) > now) return 'busy';
      if (due !== undefined && row?.lastDueAt != null && row.lastDueAt >= due) return 'done';
      const claim = {
        claimedBy: holder,
        claimedAt: now,
        expiresAt: now + ttlMs,
        lastStartedAt: now,
        lastFinishedAt: null,
        lastResult: null,
        lastMessage: null,
        ...(due === undefined ? {} : { lastDueAt: due }),
      };
      db.orm
        .insert(scheduledJob)
        .values({ name, ...claim })
        .onConflictDoUpdate({ target: scheduledJob.name, set: claim })
        .run();
      return 'taken';
    })
    .immediate();
}

/** Pushes the expiry on; false when the claim is no longer this holder's (it went stale and was taken over). */
export function renewClaim(db: Database, name: string, holder: string, now: number, ttlMs: number): boolean {
  const result = db.orm
    .update(scheduledJob)
    .set({ expiresAt: now + ttlMs })
    .where(and(eq(scheduledJob.name, name), eq(scheduledJob.claimedBy, holder)))
    .run();
  return result.changes > 0;
}

/** Ends the holder's claim, recording how the run ended. */
export function releaseClaim(
  db: Database,
  name: string,
  holder: string,
  now: number,
  outcome: { result: RunResult; message: string | null },
): boolean {
  const result = db.orm
    .update(scheduledJob)
    .set({
      claimedBy: null,
      claimedAt: null,
      expiresAt: null,
      lastFinishedAt: now,
      lastResult: outcome.result,
      lastMessage: outcome.message,
    })
    .where(and(eq(scheduledJob.name, name), eq(scheduledJob.claimedBy, holder)))
    .run();
  return result.changes > 0;
}

export function readScheduledJobs(db: Database): Map<string, ScheduledJobRow> {
  return new Map(
    db.orm
      .select()
      .from(scheduledJob)
      .all()
      .map((row) => [row.name, row]),
  );
}
