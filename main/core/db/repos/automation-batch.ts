/**
 * The guards' reads for one chunk of an automation sweep at once (automations/batch.ts): when an automation last acted
 * for each of the chunk's customers, and the automated messages they got lately. Each answers what the per-customer
 * query of automations.ts answers (the same filters, shared as SQL fragments), for many customers in one statement.
 */
import type { Database } from '../open';
import { stmt } from '../statements';
import { ACTED, AUTOMATED_MESSAGE } from './automations';

/** `lastFiredAt` for many customers of one automation: those it never acted for are missing. */
export function lastFiredAtOf(db: Database, automationId: number, profileIds: readonly number[]): Map<number, number> {
  const rows = stmt(
    db,
    `SELECT e.profile_id AS profileId, max(e.executed_at) AS at FROM automation_execution e
     WHERE e.profile_id IN (SELECT value FROM json_each(?)) AND e.automation_id = ? AND ${ACTED}
     GROUP BY e.profile_id`,
  ).all(JSON.stringify(profileIds), automationId) as { profileId: number; at: number | null }[];
  const out = new Map<number, number>();
  for (const r of rows) if (r.at !== null) out.set(r.profileId, r.at);
  return out;
}

/**
 * What `automatedMessagesSince` counts, for many customers, as times: each automated message's `created_at` and each
 * held-out firing's `executed_at` at or after `since` (count those at or after a later time to answer for it).
 */
export function automatedMessageTimes(
  db: Database,
  profileIds: readonly number[],
  since: number,
): { profileId: number; at: number }[] {
  const list = JSON.stringify(profileIds);
  return stmt(
    db,
    `SELECT profile_id AS profileId, created_at AS at FROM message_outbox
     WHERE profile_id IN (SELECT value FROM json_each(?)) AND ${AUTOMATED_MESSAGE} AND created_at >= ?
     UNION ALL
     SELECT profile_id AS profileId, executed_at AS at FROM automation_execution
     WHERE profile_id IN (SELECT value FROM json_each(?)) AND status = 'held_out' AND executed_at >= ?`,
  ).all(list, since, list, since) as { profileId: number; at: number }[];
}
