/** Handlers for `merges.*`: the review queue, approve, reject, undo. */
import type { Review } from '../../../shared/contract/merges';
import { summarize } from '../customers/customer-360';
import type { Database } from '../db/open';
import { identifiersOf } from '../db/repos/identifiers';
import { mergeBaseOf } from '../db/repos/merges';
import { getProfile, redirectOf } from '../db/repos/profiles';
import { pendingReviewCount, reviewsWithStatus } from '../db/repos/reviews';
import type { EvidenceItem } from '../identity/merge';
import { approveMerge, rejectMerge, undoMergeById } from '../identity/merge-actions';
import { activeRiskBands } from '../ml/predictions-read';
import { handlers } from './registry';

export function listReviews(db: Database, brandId: number, status: Review['status']): Review[] {
  const rows = reviewsWithStatus(db, brandId, status);
  const bands = activeRiskBands(db, brandId);
  return rows.map((row) => {
    const ids = JSON.parse(row.candidate_profile_ids) as number[];
    const mergedInto = row.merge_history_id ? mergeBaseOf(db, row.merge_history_id) : null;
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
    count: pendingReviewCount(db, brandId),
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
