/**
 * The merge review queue: merges ConstIntel will not make alone (more than
 * three profiles, or one that would chain too many emails or phones). A
 * person approves (merge) or rejects (remember them as different people on
 * this evidence).
 */
import { AppError } from '../../../shared/contract/errors';
import type { Database } from '../db/open';
import { stmt } from '../db/statements';
import { getProfile, redirectOf } from './identity-repo';
import { type EvidenceItem, type MergeResult, mergeProfiles, separate } from './merge';
import { identifierKey } from './normalize';

export interface ReviewRow {
  id: number;
  brand_id: number;
  candidate_profile_ids: string;
  evidence: string;
  evidence_key: string;
  status: 'pending' | 'approved' | 'rejected' | 'superseded';
  created_at: number;
  decided_at: number | null;
  merge_history_id: number | null;
}

const evidenceKey = (evidence: EvidenceItem[]) =>
  evidence
    .map((e) => identifierKey(e.type, e.value))
    .sort()
    .join('|');

/** Queues a review unless the same candidates already wait for one. Returns its id, or undefined if one was already pending. */
export function queueReview(
  db: Database,
  args: { brandId: number; profileIds: readonly number[]; evidence: EvidenceItem[]; now: number },
): number | undefined {
  const ids = [...new Set(args.profileIds)].sort((a, b) => a - b);
  const key = JSON.stringify(ids);
  const existing = stmt(
    db,
    "SELECT id, evidence FROM merge_review WHERE brand_id = ? AND status = 'pending' AND candidate_profile_ids = ?",
  ).get(args.brandId, key) as { id: number; evidence: string } | undefined;
  if (existing) {
    // Same people, maybe new evidence: keep the union so the reviewer sees all of it.
    const merged = new Map<string, EvidenceItem>();
    for (const item of [...(JSON.parse(existing.evidence) as EvidenceItem[]), ...args.evidence]) {
      merged.set(identifierKey(item.type, item.value), item);
    }
    const all = [...merged.values()];
    stmt(db, 'UPDATE merge_review SET evidence = ?, evidence_key = ? WHERE id = ?').run(
      JSON.stringify(all),
      evidenceKey(all),
      existing.id,
    );
    return undefined;
  }
  const result = stmt(
    db,
    `INSERT INTO merge_review (brand_id, candidate_profile_ids, evidence, evidence_key, status, created_at)
     VALUES (?, ?, ?, ?, 'pending', ?)`,
  ).run(args.brandId, key, JSON.stringify(args.evidence), evidenceKey(args.evidence), args.now);
  return Number(result.lastInsertRowid);
}

function pendingReview(db: Database, reviewId: number): ReviewRow {
  const review = stmt(db, 'SELECT * FROM merge_review WHERE id = ?').get(reviewId) as ReviewRow | undefined;
  if (!review) throw new AppError('not_found', `There is no merge review #${reviewId}.`);
  if (review.status !== 'pending')
    throw new AppError('conflict', `Merge review #${reviewId} was already ${review.status}.`);
  return review;
}

/** The candidates as they are now (a candidate merged elsewhere since is followed to its survivor). */
function currentCandidates(db: Database, review: ReviewRow): number[] {
  const ids = (JSON.parse(review.candidate_profile_ids) as number[]).map((id) =>
    getProfile(db, id) ? id : (redirectOf(db, id) ?? id),
  );
  return [...new Set(ids)].filter((id) => getProfile(db, id) !== undefined);
}

export function approveReview(db: Database, reviewId: number, now: number): MergeResult {
  const review = pendingReview(db, reviewId);
  const ids = currentCandidates(db, review);
  if (ids.length < 2) {
    stmt(db, "UPDATE merge_review SET status = 'superseded', decided_at = ? WHERE id = ?").run(now, reviewId);
    throw new AppError('conflict', 'These customers are already one customer.');
  }
  const result = mergeProfiles(db, {
    brandId: review.brand_id,
    profileIds: ids,
    reason: 'review',
    evidence: JSON.parse(review.evidence) as EvidenceItem[],
    now,
  });
  stmt(db, "UPDATE merge_review SET status = 'approved', decided_at = ?, merge_history_id = ? WHERE id = ?").run(
    now,
    result.mergeId,
    reviewId,
  );
  return result;
}

export function rejectReview(db: Database, reviewId: number, now: number): void {
  const review = pendingReview(db, reviewId);
  const evidence = (JSON.parse(review.evidence) as EvidenceItem[]).map((e) => identifierKey(e.type, e.value));
  separate(db, review.brand_id, currentCandidates(db, review), evidence, now);
  stmt(db, "UPDATE merge_review SET status = 'rejected', decided_at = ? WHERE id = ?").run(now, reviewId);
}
