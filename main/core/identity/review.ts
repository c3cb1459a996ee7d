/**
 * The merge review queue: merges ConstIntel will not make alone (more than
 * three profiles, or one that would chain too many emails or phones). A
 * person approves (merge) or rejects (remember them as different people on
 * this evidence).
 */
import { AppError } from '../../../shared/contract/errors';
import type { Database } from '../db/open';
import { getProfile, redirectOf } from '../db/repos/profiles';
import {
  approveReviewRow,
  getReview,
  insertReview,
  pendingReviewOf,
  type ReviewRow,
  rejectReviewRow,
  setReviewEvidence,
  supersedeReview,
} from '../db/repos/reviews';
import { type EvidenceItem, type MergeResult, mergeProfiles, separate } from './merge';
import { identifierKey } from './normalize';

export type { ReviewRow };

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
  const existing = pendingReviewOf(db, args.brandId, key);
  if (existing) {
    // Same people, maybe new evidence: keep the union so the reviewer sees all of it.
    const merged = new Map<string, EvidenceItem>();
    for (const item of [...(JSON.parse(existing.evidence) as EvidenceItem[]), ...args.evidence]) {
      merged.set(identifierKey(item.type, item.value), item);
    }
    const all = [...merged.values()];
    setReviewEvidence(db, existing.id, JSON.stringify(all), evidenceKey(all));
    return undefined;
  }
  return insertReview(db, {
    brandId: args.brandId,
    candidates: key,
    evidence: JSON.stringify(args.evidence),
    evidenceKey: evidenceKey(args.evidence),
    now: args.now,
  });
}

function pendingReview(db: Database, reviewId: number): ReviewRow {
  const review = getReview(db, reviewId);
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
    supersedeReview(db, reviewId, now);
    throw new AppError('conflict', 'These customers are already one customer.');
  }
  const result = mergeProfiles(db, {
    brandId: review.brand_id,
    profileIds: ids,
    reason: 'review',
    evidence: JSON.parse(review.evidence) as EvidenceItem[],
    now,
  });
  approveReviewRow(db, reviewId, now, result.mergeId);
  return result;
}

export function rejectReview(db: Database, reviewId: number, now: number): void {
  const review = pendingReview(db, reviewId);
  const evidence = (JSON.parse(review.evidence) as EvidenceItem[]).map((e) => identifierKey(e.type, e.value));
  separate(db, review.brand_id, currentCandidates(db, review), evidence, now);
  rejectReviewRow(db, reviewId, now);
}
