/**
 * What an import wrote, chunk by chunk, and the reads and writes that take it away again (import/undo-import.ts
 * decides what goes; this is how).
 */
import type { Database } from '../open';
import { stmt } from '../statements';

/** The id ranges (after, last] one chunk's transaction wrote, per table, and the identifiers it marked shared. */
export interface ChunkRanges {
  sharedMarked: number[];
  events: [after: number, last: number];
  profiles: [after: number, last: number];
  identifiers: [after: number, last: number];
  merges: [after: number, last: number];
  reviews: [after: number, last: number];
  consents: [after: number, last: number];
}

const TABLES = {
  events: 'customer_raw_event',
  profiles: 'customer_profile',
  identifiers: 'profile_identifier',
  merges: 'merge_history',
  reviews: 'merge_review',
  consents: 'consent_event',
} as const;
type Kind = keyof typeof TABLES;
const KINDS = Object.keys(TABLES) as Kind[];

/**
 * The highest id each table an import writes has given (a chunk's starting point, read inside its transaction):
 * AUTOINCREMENT's counter, so a row deleted or put back under its old id (an undone merge) is never inside a range.
 */
export function highestIds(db: Database): Record<Kind, number> {
  const row = stmt(
    db,
    `SELECT ${KINDS.map(
      (k) =>
        `max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '${TABLES[k]}'), 0), (SELECT coalesce(max(id), 0) FROM ${TABLES[k]})) AS ${k}`,
    ).join(', ')}`,
  ).get() as Record<Kind, number>;
  return row;
}

/** Records what the chunk wrote (from `before`, read at its start, to now), when it wrote anything. */
export function recordChunk(
  db: Database,
  jobId: number,
  before: Record<Kind, number>,
  sharedMarked: readonly number[],
): void {
  const after = highestIds(db);
  if (KINDS.every((k) => after[k] === before[k]) && sharedMarked.length === 0) return;
  stmt(
    db,
    `INSERT INTO import_chunk (job_id, events_after, events_last, profiles_after, profiles_last, identifiers_after,
       identifiers_last, merges_after, merges_last, reviews_after, reviews_last, consents_after, consents_last,
       shared_marked)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    jobId,
    ...KINDS.flatMap((k) => [before[k], after[k]]),
    sharedMarked.length > 0 ? JSON.stringify(sharedMarked) : null,
  );
}

interface ChunkRow {
  events_after: number;
  events_last: number;
  profiles_after: number;
  profiles_last: number;
  identifiers_after: number;
  identifiers_last: number;
  merges_after: number;
  merges_last: number;
  reviews_after: number;
  reviews_last: number;
  consents_after: number;
  consents_last: number;
  shared_marked: string | null;
}

/** Every chunk of the job, in the order written; empty for an import made before imports could be undone. */
export function chunksOf(db: Database, jobId: number): ChunkRanges[] {
  const rows = stmt(db, 'SELECT * FROM import_chunk WHERE job_id = ? ORDER BY id').all(jobId) as ChunkRow[];
  return rows.map((r) => ({
    events: [r.events_after, r.events_last],
    profiles: [r.profiles_after, r.profiles_last],
    identifiers: [r.identifiers_after, r.identifiers_last],
    merges: [r.merges_after, r.merges_last],
    reviews: [r.reviews_after, r.reviews_last],
    consents: [r.consents_after, r.consents_last],
    sharedMarked: r.shared_marked ? (JSON.parse(r.shared_marked) as number[]) : [],
  }));
}

export interface RemovedEvent {
  id: number;
  profileId: number | null;
}

/** Deletes up to `limit` of the events in (after, last], lowest id first; says which went and whose they were. */
export function deleteEventsIn(db: Database, after: number, last: number, limit: number): RemovedEvent[] {
  const rows = stmt(
    db,
    'SELECT id, customer_profile_id AS profileId FROM customer_raw_event WHERE id > ? AND id <= ? ORDER BY id LIMIT ?',
  ).all(after, last, limit) as RemovedEvent[];
  if (rows.length === 0) return [];
  const lastId = (rows[rows.length - 1] as RemovedEvent).id;
  stmt(db, 'DELETE FROM customer_raw_event WHERE id > ? AND id <= ?').run(after, lastId);
  return rows;
}

/**
 * Refunds and cancellations on the customer whose order is not theirs (no purchase of it on them) and that carry
 * none of their identifiers: an import's purchase had attached them (a refund that came before its order); with
 * the purchase gone they are on no customer again, as before.
 */
export function detachStrayRefunds(db: Database, profileId: number): number {
  return stmt(
    db,
    `UPDATE customer_raw_event AS e SET customer_profile_id = NULL
     WHERE e.customer_profile_id = @p AND e.event_type IN ('refund', 'cancellation') AND e.order_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM customer_raw_event o WHERE o.brand_id = e.brand_id AND o.order_id = e.order_id
         AND o.event_type = 'purchase' AND o.customer_profile_id = @p)
       AND NOT EXISTS (SELECT 1 FROM json_each(e.identifiers) j JOIN profile_identifier i
         ON i.profile_id = @p AND i.type = j.value ->> 0 AND i.value = j.value ->> 1)`,
  ).run({ p: profileId }).changes;
}

/** The customer's events that state a consent, oldest first, with the payload's consent fields only. */
export function consentsOnEvents(
  db: Database,
  profileId: number,
): { id: number; type: string; source: string; payload: string }[] {
  return stmt(
    db,
    `SELECT id, event_type AS type, source, json_object(
         'emailConsent', payload -> '$.emailConsent', 'emailConsentAt', payload ->> '$.emailConsentAt',
         'smsConsent', payload -> '$.smsConsent', 'smsConsentAt', payload ->> '$.smsConsentAt',
         'whatsappConsent', payload -> '$.whatsappConsent', 'whatsappConsentAt', payload ->> '$.whatsappConsentAt'
       ) AS payload
     FROM customer_raw_event WHERE customer_profile_id = ? AND (payload ->> '$.emailConsent' IS NOT NULL
       OR payload ->> '$.smsConsent' IS NOT NULL OR payload ->> '$.whatsappConsent' IS NOT NULL) ORDER BY id`,
  ).all(profileId) as { id: number; type: string; source: string; payload: string }[];
}

/** The event was written by an import (any job's chunk holds its id). */
export function importedEvent(db: Database, eventId: number): boolean {
  return (
    stmt(db, 'SELECT 1 FROM import_chunk WHERE events_after < ? AND events_last >= ? LIMIT 1').get(eventId, eventId) !==
    undefined
  );
}

/** Identifiers an import marked shared that nobody else's use keeps shared now: no longer shared. */
export function unmarkShared(db: Database, identifierIds: readonly number[]): void {
  for (const id of identifierIds)
    stmt(
      db,
      `UPDATE profile_identifier AS i SET shared = 0 WHERE i.id = ? AND i.shared = 1 AND NOT EXISTS (
         SELECT 1 FROM shared_identifier_use u WHERE u.brand_id = i.brand_id AND u.type = i.type AND u.value = i.value)`,
    ).run(id);
}

/** Merges still in force made after the import began (by hand, a review, another import), with whom they joined. */
export function mergesInForceSince(
  db: Database,
  brandId: number,
  afterId: number,
): { id: number; base: number; merged: number[] }[] {
  return (
    stmt(
      db,
      'SELECT id, base_profile_id AS base, merged_profile_ids AS merged FROM merge_history WHERE brand_id = ? AND id > ? AND undone_at IS NULL',
    ).all(brandId, afterId) as { id: number; base: number; merged: string }[]
  ).map((r) => ({ id: r.id, base: r.base, merged: JSON.parse(r.merged) as number[] }));
}

/** The import (job) whose chunk wrote this merge, if one did. */
export function jobOfMerge(db: Database, mergeId: number): number | undefined {
  return stmt(db, 'SELECT job_id FROM import_chunk WHERE merges_after < ? AND merges_last >= ? LIMIT 1')
    .pluck()
    .get(mergeId, mergeId) as number | undefined;
}

/** Ids of the profile's events above `afterId` (an undo that deletes in id order: what of the import may remain). */
export function eventIdsAbove(db: Database, profileId: number, afterId: number): number[] {
  return stmt(db, 'SELECT id FROM customer_raw_event WHERE customer_profile_id = ? AND id > ?')
    .pluck()
    .all(profileId, afterId) as number[];
}

export function hasEvents(db: Database, profileId: number): boolean {
  return (
    stmt(db, 'SELECT 1 FROM customer_raw_event WHERE customer_profile_id = ? LIMIT 1').get(profileId) !== undefined
  );
}

/** A message was sent to, or came from, the customer: the profile stays whatever else goes. */
export function hasMessages(db: Database, profileId: number): boolean {
  return (
    stmt(
      db,
      `SELECT 1 WHERE EXISTS (SELECT 1 FROM message_outbox WHERE profile_id = ?)
         OR EXISTS (SELECT 1 FROM message_in WHERE profile_id = ?)`,
    ).get(profileId, profileId) !== undefined
  );
}

/** The identifier values the profile's remaining events carry, as `type:value`. */
export function carriedIdentifiers(db: Database, profileId: number): Set<string> {
  const rows = stmt(
    db,
    `SELECT DISTINCT j.value ->> 0 AS type, j.value ->> 1 AS value
     FROM customer_raw_event e, json_each(e.identifiers) j WHERE e.customer_profile_id = ?`,
  ).all(profileId) as { type: string; value: string }[];
  return new Set(rows.map((r) => `${r.type}:${r.value}`));
}

export function identifierRowsOf(db: Database, profileId: number): { id: number; type: string; value: string }[] {
  return stmt(db, 'SELECT id, type, value FROM profile_identifier WHERE profile_id = ?').all(profileId) as {
    id: number;
    type: string;
    value: string;
  }[];
}

export function deleteIdentifier(db: Database, id: number): void {
  stmt(db, 'DELETE FROM profile_identifier WHERE id = ?').run(id);
}

/** Shared-value uses of the profile that none of its remaining events carries. */
export function dropUncarriedSharedUses(db: Database, profileId: number, carried: ReadonlySet<string>): void {
  const rows = stmt(db, 'SELECT type, value FROM shared_identifier_use WHERE profile_id = ?').all(profileId) as {
    type: string;
    value: string;
  }[];
  for (const row of rows) {
    if (carried.has(`${row.type}:${row.value}`)) continue;
    stmt(db, 'DELETE FROM shared_identifier_use WHERE profile_id = ? AND type = ? AND value = ?').run(
      profileId,
      row.type,
      row.value,
    );
  }
}

/** The customer's consent records the job's chunks wrote: deleted; says how many went. */
export function deleteJobConsents(db: Database, profileId: number, jobId: number): number {
  return stmt(
    db,
    `DELETE FROM consent_event WHERE profile_id = ? AND EXISTS (SELECT 1 FROM import_chunk c WHERE c.job_id = ?
       AND consent_event.id > c.consents_after AND consent_event.id <= c.consents_last)`,
  ).run(profileId, jobId).changes;
}

/** A channel with no consent record left has no stated consent. */
export function clearUnrecordedConsent(db: Database, profileId: number): void {
  stmt(
    db,
    `UPDATE customer_profile SET
       email_consent = CASE WHEN EXISTS (SELECT 1 FROM consent_event WHERE profile_id = @id AND channel = 'email') THEN email_consent END,
       sms_consent = CASE WHEN EXISTS (SELECT 1 FROM consent_event WHERE profile_id = @id AND channel = 'sms') THEN sms_consent END,
       whatsapp_consent = CASE WHEN EXISTS (SELECT 1 FROM consent_event WHERE profile_id = @id AND channel = 'whatsapp') THEN whatsapp_consent END
     WHERE id = @id`,
  ).run({ id: profileId });
}

/** The names the profile's remaining events carry, oldest first (for working its name out again). */
export function namesOnEvents(
  db: Database,
  profileId: number,
): { type: string; first: string | null; last: string | null }[] {
  return stmt(
    db,
    `SELECT event_type AS type, payload ->> '$.firstName' AS first, payload ->> '$.lastName' AS last
     FROM customer_raw_event WHERE customer_profile_id = ?
       AND (payload ->> '$.firstName' IS NOT NULL OR payload ->> '$.lastName' IS NOT NULL) ORDER BY id`,
  ).all(profileId) as { type: string; first: string | null; last: string | null }[];
}

/** Merges in (after, last] not undone yet, newest first. */
export function mergesToUndo(db: Database, after: number, last: number): { id: number; base: number }[] {
  return stmt(
    db,
    'SELECT id, base_profile_id AS base FROM merge_history WHERE id > ? AND id <= ? AND undone_at IS NULL ORDER BY id DESC',
  ).all(after, last) as { id: number; base: number }[];
}

/** Reviews the import queued and nobody decided: withdrawn (what they were about is going). */
export function withdrawPendingReviews(db: Database, after: number, last: number, now: number): void {
  stmt(
    db,
    "UPDATE merge_review SET status = 'superseded', decided_at = ? WHERE id > ? AND id <= ? AND status = 'pending'",
  ).run(now, after, last);
}

export interface RemovalCounts {
  removedEvents: number;
  removedProfiles: number;
  undoneMerges: number;
  keptProfiles: number;
}

export function addRemovalCounts(db: Database, jobId: number, counts: RemovalCounts): void {
  stmt(
    db,
    `UPDATE import_job SET removed_events = removed_events + ?, removed_profiles = removed_profiles + ?,
       undone_merges = undone_merges + ?, kept_profiles = kept_profiles + ? WHERE id = ?`,
  ).run(counts.removedEvents, counts.removedProfiles, counts.undoneMerges, counts.keptProfiles, jobId);
}

/** The job is being removed (from this status), or is removed. */
export function markRemoving(db: Database, jobId: number, now: number): void {
  stmt(
    db,
    "UPDATE import_job SET status_before_removal = status, status = 'removing', removal_started_at = ? WHERE id = ?",
  ).run(now, jobId);
}

export function markRemoved(db: Database, jobId: number, now: number): void {
  stmt(db, "UPDATE import_job SET status = 'removed', removed_at = ? WHERE id = ?").run(now, jobId);
}

/** The job's rejected-rows file, forgotten (the caller deletes it). */
export function takeRejectedFile(db: Database, jobId: number): string | null {
  const file = stmt(db, 'SELECT rejected_file FROM import_job WHERE id = ?').pluck().get(jobId) as string | null;
  if (file) stmt(db, 'UPDATE import_job SET rejected_file = NULL WHERE id = ?').run(jobId);
  return file ?? null;
}

export function jobsBeingRemoved(db: Database, brandId: number): number[] {
  return stmt(db, "SELECT id FROM import_job WHERE brand_id = ? AND status = 'removing' ORDER BY id")
    .pluck()
    .all(brandId) as number[];
}

/** An import of the brand still running (its job not ended), if any. */
export function runningImport(db: Database, brandId: number): { id: number; fileName: string } | undefined {
  return stmt(
    db,
    "SELECT id, file_name AS fileName FROM import_job WHERE brand_id = ? AND status = 'running' ORDER BY id LIMIT 1",
  ).get(brandId) as { id: number; fileName: string } | undefined;
}

export function jobStatus(
  db: Database,
  jobId: number,
  brandId: number,
): { status: string; eventsCreated: number } | undefined {
  return stmt(db, 'SELECT status, events_created AS eventsCreated FROM import_job WHERE id = ? AND brand_id = ?').get(
    jobId,
    brandId,
  ) as { status: string; eventsCreated: number } | undefined;
}

/** The merge (still in force) that merged the profile away, with its survivor and when. */
export function mergeThatAbsorbed(
  db: Database,
  profileId: number,
): { id: number; base: number; createdAt: number } | undefined {
  return stmt(
    db,
    `SELECT id, base_profile_id AS base, created_at AS createdAt FROM merge_history
     WHERE undone_at IS NULL AND EXISTS (SELECT 1 FROM json_each(merged_profile_ids) WHERE value = ?)
     ORDER BY id DESC LIMIT 1`,
  ).get(profileId) as { id: number; base: number; createdAt: number } | undefined;
}

/** Puts a job whose removal could not go on back as it was, saying why (what was removed so far stays removed). */
export function stopRemoval(db: Database, jobId: number, reason: string): void {
  stmt(
    db,
    "UPDATE import_job SET status = coalesce(status_before_removal, 'completed'), error = ? WHERE id = ? AND status = 'removing'",
  ).run(reason, jobId);
}

/**
 * Removes customers an import added and nothing else names (no event, no message): the profile (its identifiers,
 * consent history, scores, journey, tags and automation rows go with it) and every row that names it — the merges
 * it took part in and their redirects, reviews, shared-value uses, separations. As privacy erasure does for one
 * customer (erasure.ts), but for a step's customers together: each table that holds ids in JSON is read once per
 * step, not once per customer.
 */
export function removeProfiles(db: Database, ids: readonly number[]): void {
  if (ids.length === 0) return;
  const list = JSON.stringify(ids);
  const inList = 'IN (SELECT value FROM json_each(@list))';
  const histories = `SELECT id FROM merge_history WHERE base_profile_id ${inList}
    OR EXISTS (SELECT 1 FROM json_each(merged_profile_ids) m WHERE m.value ${inList})`;
  const run = (sql: string) => stmt(db, sql).run({ list });
  run(`DELETE FROM profile_redirect WHERE merge_history_id IN (${histories})`);
  run(`UPDATE merge_review SET merge_history_id = NULL WHERE merge_history_id IN (${histories})`);
  run(`DELETE FROM merge_history WHERE id IN (${histories})`);
  run(`DELETE FROM profile_redirect WHERE from_profile_id ${inList} OR to_profile_id ${inList}`);
  run(
    `DELETE FROM merge_review WHERE EXISTS (SELECT 1 FROM json_each(candidate_profile_ids) c WHERE c.value ${inList})`,
  );
  run(`DELETE FROM profile_separation WHERE profile_a ${inList} OR profile_b ${inList}`);
  run(`DELETE FROM shared_identifier_use WHERE profile_id ${inList}`);
  run(
    `DELETE FROM automation_call WHERE execution_id IN (SELECT id FROM automation_execution WHERE profile_id ${inList})`,
  );
  run(`DELETE FROM customer_profile WHERE id ${inList}`);
}
