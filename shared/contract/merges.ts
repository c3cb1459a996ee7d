/** Merge review queue and undo. */
import { z } from 'zod';
import { customerSummarySchema } from './customers';
import { command } from './define';

const id = z.number().int().positive();

export const evidenceSchema = z.object({
  type: z.string(),
  value: z.string(),
  /** Profiles that hold this value (or the event that brought it, when it is new). */
  profileIds: z.array(id),
  source: z.string(),
});
export type Evidence = z.output<typeof evidenceSchema>;

export const reviewSchema = z.object({
  id,
  status: z.enum(['pending', 'approved', 'rejected', 'superseded']),
  createdAt: z.string(),
  decidedAt: z.string().nullable(),
  candidates: z.array(
    customerSummarySchema.extend({ identifiers: z.array(z.object({ type: z.string(), value: z.string() })) }),
  ),
  evidence: z.array(evidenceSchema),
  /** Set once approved: the profile they became. */
  mergedInto: id.nullable(),
});
export type Review = z.output<typeof reviewSchema>;

export const mergesContract = {
  'merges.reviews': command(
    'The merge review queue with candidates and evidence.',
    z.object({ status: z.enum(['pending', 'approved', 'rejected', 'superseded']).default('pending') }).strict(),
    z.array(reviewSchema),
  ),
  'merges.pendingCount': command(
    'How many merges wait for a decision.',
    z.object({}).strict(),
    z.object({ count: z.number().int() }),
  ),
  'merges.approve': command(
    'Approve a proposed merge: the candidates become one customer.',
    z.object({ reviewId: id }).strict(),
    z.object({ profileId: id, mergeId: id }),
  ),
  'merges.reject': command(
    'Reject a proposed merge: the candidates are different people and are not proposed together again on this evidence.',
    z.object({ reviewId: id }).strict(),
    z.object({ ok: z.literal(true) }),
  ),
  'merges.undo': command(
    'Undo a merge: the merged customers come back as they were.',
    z.object({ mergeId: id }).strict(),
    z.object({ restoredProfileIds: z.array(id), baseProfileId: id }),
  ),
};
