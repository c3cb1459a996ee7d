/** Handlers for `merges.*`: the review queue, approve, reject, undo. */
import type { Review } from '../../../shared/contract/merges';
import { summarize } from '../customers/customer-360';
import type { Database } from '../db/open';
import { stmt } from '../db/statements';
import { getProfile, identifiersOf, redirectOf } from '../identity/identity-repo';
import type { EvidenceItem } from '../identity/merge';
import { approveMerge, rejectMerge, undoMergeById } from '../identity/merge-actions';
import type { ReviewRow } from '../identity/review';
import { activeRiskBands } from '../ml/predictions-read';
import { handlers } from './registry';

export function listReviews(db: Database, brandId: number, status: Review['status']): Review[] {
  const rows = stmt(
    db,
    'SELECT * FROM merge_review WHERE brand_id = ? AND status = ? ORDER BY created_at DESC, id DESC LIMIT 500',
  ).all(brandId, status) as ReviewRow[];
  const bands = activeRiskBands(db, brandId);
  return rows.map((row) => {
    const ids = JSON.parse(row.candidate_profile_ids) as number[];
    const mergedInto = row.merge_history_id
      ? ((stmt(db, 'SELECT base_profile_id FROM merge_history WHERE id = ?')
          .pluck()
          .get(row.merge_history_id) as number) ?? null)
      : null;
    return {
      id: row.id,
      status: row.status,
      createdAt: new Date(row.created_at).toISOString(),
      decidedAt: row.decided_at === null ? null : new Date(row.decided_at).toISOString(),
      candidates: ids.flatMap((id) => {
        const profile = getProfile(db, id) ?? getProfile(db, redirectOf(db, id) ?? id);
        if (!profile) return [];
        return [
          {
            ...summarize(db, profile, bands),
            identifiers: identifiersOf(db, profile.id).map((i) => ({ type: i.type, value: i.value })),
          },
        ];
      }),
      evidence: (JSON.parse(row.evidence) as EvidenceItem[]).map((e) => ({ ...e })),
      mergedInto,
    };
  });
}

export const mergesHandlers = handlers({
  'merges.reviews': ({ status }, { db, brandId }) => listReviews(db, brandId, status),

  'merges.pendingCount': (_input, { db, brandId }) => ({
    count: stmt(db, "SELECT count(*) FROM merge_review WHERE brand_id = ? AND status = 'pending'")
      .pluck()
      .get(brandId) as number,
  }),

  'merges.approve': ({ reviewId }, ctx) => {
    const result = approveMerge(ctx, reviewId);
    return { profileId: result.baseId, mergeId: result.mergeId };
  },

  'merges.reject': ({ reviewId }, ctx) => {
    rejectMerge(ctx, reviewId);
    return { ok: true as const };
  },

  'merges.undo': ({ mergeId }, ctx) => {
    const result = undoMergeById(ctx, mergeId);
    return { restoredProfileIds: result.restoredProfileIds, baseProfileId: result.baseProfileId };
  },
});
