/**
 * Scheduled work (jobs/scheduler.ts): one row per job, which is both the
 * claim that keeps the same work from running twice at once — across
 * processes too: the app's nightly retrain and `constintel retrain` hold the
 * same row — and the record of its last run, shown in Settings.
 *
 * A claim expires unless its holder renews it, so a process killed while
 * holding one cannot keep the work from running for ever.
 */
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const scheduledJob = sqliteTable('scheduled_job', {
  /** The job's name (`domain.verb`), unique across engines. */
  name: text('name').primaryKey(),
  /** Who holds the claim (host, pid and a per-process id); null when nobody runs it. */
  claimedBy: text('claimed_by'),
  claimedAt: integer('claimed_at'),
  /** A claim past this time is stale (its holder stopped renewing it) and may be taken over. */
  expiresAt: integer('expires_at'),
  /** The latest due time a run was started for: another process does not run that due time again. */
  lastDueAt: integer('last_due_at'),
  lastStartedAt: integer('last_started_at'),
  lastFinishedAt: integer('last_finished_at'),
  lastResult: text('last_result', { enum: ['ok', 'failed', 'stopped'] }),
  /** One sentence for the shop: what the last run did, or why it failed. */
  lastMessage: text('last_message'),
});
