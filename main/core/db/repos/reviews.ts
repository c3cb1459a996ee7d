/** The `merge_review` rows: merges waiting for a person to approve or reject them. */
import type { Database } from '../open';
import { stmt } from '../statements';

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

export function getReview(db: Database, reviewId: number): ReviewRow | undefined {
  return stmt(db, 'SELECT * FROM merge_review WHERE id = ?').get(reviewId) as ReviewRow | undefined;
}

/** The pending review of exactly these candidates (a sorted JSON list), if one waits. */
export function pendingReviewOf(
  db: Database,
  brandId: number,
  candidates: string,
): { id: number; evidence: string } | undefined {
  return stmt(
    db,
    "SELECT id, evidence FROM merge_review WHERE brand_id = ? AND status = 'pending' AND candidate_profile_ids = ?",
  ).get(brandId, candidates) as { id: number; evidence: string } | undefined;
}

/** Every pending review's candidates, of all brands. */
export function pendingCandidates(db: Database): { id: number; candidate_profile_ids: string }[] {
  return stmt(db, "SELECT id, candidate_profile_ids FROM merge_review WHERE status = 'pending'").all() as {
    id: number;
    candidate_profile_ids: string;
  }[];
}

export function insertReview(
  db: Database,
  row: { brandId: number; candidates: string; evidence: string; evidenceKey: string; now: number },
): number {
  const result = stmt(
    db,
    `INSERT INTO merge_review (brand_id, candidate_profile_ids, evidence, evidence_key, status, created_at)
     VALUES (?, ?, ?, ?, 'pending', ?)`,
  ).run(row.brandId, row.candidates, row.evidence, row.evidenceKey, row.now);
  return Number(result.lastInsertRowid);
}

export function setReviewEvidence(db: Database, reviewId: number, evidence: string, evidenceKey: string): void {
  stmt(db, 'UPDATE merge_review SET evidence = ?, evidence_key = ? WHERE id = ?').run(evidence, evidenceKey, reviewId);
}

export function setReviewCandidates(db: Database, reviewId: number, candidates: string): void {
  stmt(db, 'UPDATE merge_review SET candidate_profile_ids = ? WHERE id = ?').run(candidates, reviewId);
}

/** An undone merge puts a review it rewrote back as it was, pending again. */
export function reopenReview(db: Database, reviewId: number, candidates: string): void {
  stmt(
    db,
    "UPDATE merge_review SET candidate_profile_ids = ?, status = 'pending', decided_at = NULL WHERE id = ? AND status IN ('pending', 'superseded')",
  ).run(candidates, reviewId);
}

export function supersedeReview(db: Database, reviewId: number, now: number): void {
  stmt(db, "UPDATE merge_review SET status = 'superseded', decided_at = ? WHERE id = ?").run(now, reviewId);
}

export function approveReviewRow(db: Database, reviewId: number, now: number, mergeId: number): void {
  stmt(db, "UPDATE merge_review SET status = 'approved', decided_at = ?, merge_history_id = ? WHERE id = ?").run(
    now,
    mergeId,
    reviewId,
  );
}

export function rejectReviewRow(db: Database, reviewId: number, now: number): void {
  stmt(db, "UPDATE merge_review SET status = 'rejected', decided_at = ? WHERE id = ?").run(now, reviewId);
}

/** A brand's reviews in one state, newest first (at most 500). */
export function reviewsWithStatus(db: Database, brandId: number, status: ReviewRow['status']): ReviewRow[] {
  return stmt(
    db,
    'SELECT * FROM merge_review WHERE brand_id = ? AND status = ? ORDER BY created_at DESC, id DESC LIMIT 500',
  ).all(brandId, status) as ReviewRow[];
}

export function pendingReviewCount(db: Database, brandId: number): number {
  return stmt(db, "SELECT count(*) FROM merge_review WHERE brand_id = ? AND status = 'pending'")
    .pluck()
    .get(brandId) as number;
}
