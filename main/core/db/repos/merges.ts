/**
 * `merge_history` (each merge with the snapshot that undoes it), `profile_redirect` (where a merged-away id
 * went) and `profile_separation` (profiles a person said are different people, with the evidence).
 */
import type { Database } from '../open';
import { stmt } from '../statements';

export interface MergeHistoryRow {
  id: number;
  brand_id: number;
  base_profile_id: number;
  merged_profile_ids: string;
  snapshot: string;
  reason: 'automatic' | 'review';
  evidence: string;
  created_at: number;
  undone_at: number | null;
}

export function insertMergeHistory(
  db: Database,
  row: {
    brandId: number;
    baseId: number;
    mergedIds: string;
    snapshot: string;
    reason: string;
    evidence: string;
    now: number;
  },
): number {
  const history = stmt(
    db,
    `INSERT INTO merge_history (brand_id, base_profile_id, merged_profile_ids, snapshot, reason, evidence, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  ).run(row.brandId, row.baseId, row.mergedIds, row.snapshot, row.reason, row.evidence, row.now);
  return Number(history.lastInsertRowid);
}

export function getMergeHistory(db: Database, mergeId: number): MergeHistoryRow | undefined {
  return stmt(db, 'SELECT * FROM merge_history WHERE id = ?').get(mergeId) as MergeHistoryRow | undefined;
}

export function markMergeUndone(db: Database, mergeId: number, now: number): void {
  stmt(db, 'UPDATE merge_history SET undone_at = ? WHERE id = ?').run(now, mergeId);
}

/** The merges into a profile, newest first (the 360 page). */
export function mergesInto(db: Database, profileId: number): MergeHistoryRow[] {
  return stmt(db, 'SELECT * FROM merge_history WHERE base_profile_id = ? ORDER BY created_at DESC, id DESC').all(
    profileId,
  ) as MergeHistoryRow[];
}

/** The merges into a profile, without their snapshots (a data export). */
export function mergeSummariesInto(db: Database, profileId: number): unknown[] {
  return stmt(
    db,
    'SELECT id, merged_profile_ids, reason, created_at, undone_at FROM merge_history WHERE base_profile_id = ?',
  ).all(profileId);
}

export function mergeBaseOf(db: Database, mergeId: number): number | null {
  return (stmt(db, 'SELECT base_profile_id FROM merge_history WHERE id = ?').pluck().get(mergeId) as number) ?? null;
}

/** Redirects that point at a profile (merged into it earlier). */
export function redirectsTo(db: Database, profileId: number): { from: number; to: number }[] {
  return stmt(
    db,
    'SELECT from_profile_id AS "from", to_profile_id AS "to" FROM profile_redirect WHERE to_profile_id = ?',
  ).all(profileId) as { from: number; to: number }[];
}

/** A merge: whatever led to `fromId` leads to `toId`, and `fromId` itself does. */
export function redirect(db: Database, fromId: number, toId: number, mergeId: number): void {
  stmt(db, 'UPDATE profile_redirect SET to_profile_id = ? WHERE to_profile_id = ?').run(toId, fromId);
  stmt(
    db,
    'INSERT OR REPLACE INTO profile_redirect (from_profile_id, to_profile_id, merge_history_id) VALUES (?, ?, ?)',
  ).run(fromId, toId, mergeId);
}

export function deleteRedirectFrom(db: Database, fromId: number): void {
  stmt(db, 'DELETE FROM profile_redirect WHERE from_profile_id = ?').run(fromId);
}

/** An undo: a redirect from `fromId` to the base points where it pointed before. */
export function pointRedirectBack(db: Database, fromId: number, toId: number, baseId: number): void {
  stmt(db, 'UPDATE profile_redirect SET to_profile_id = ? WHERE from_profile_id = ? AND to_profile_id = ?').run(
    toId,
    fromId,
    baseId,
  );
}

/** The separations naming a profile. */
export function separationsOf(
  db: Database,
  brandId: number,
  profileId: number,
): { profile_a: number; profile_b: number; evidence: string }[] {
  return stmt(
    db,
    'SELECT profile_a, profile_b, evidence FROM profile_separation WHERE brand_id = ? AND (profile_a = ? OR profile_b = ?)',
  ).all(brandId, profileId, profileId) as { profile_a: number; profile_b: number; evidence: string }[];
}

/** The evidence text a pair (lower id first) was separated on, if it was. */
export function separationEvidenceText(db: Database, brandId: number, lo: number, hi: number): string | undefined {
  return stmt(db, 'SELECT evidence FROM profile_separation WHERE brand_id = ? AND profile_a = ? AND profile_b = ?')
    .pluck()
    .get(brandId, lo, hi) as string | undefined;
}

export function saveSeparation(db: Database, brandId: number, lo: number, hi: number, evidence: string, now: number) {
  stmt(
    db,
    `INSERT INTO profile_separation (brand_id, profile_a, profile_b, evidence, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (brand_id, profile_a, profile_b) DO UPDATE SET evidence = excluded.evidence`,
  ).run(brandId, lo, hi, evidence, now);
}
