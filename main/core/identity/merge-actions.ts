/**
 * What the shop does from the merge review and history: approve or reject a suggested merge, undo a merge. Each
 * runs in one IMMEDIATE transaction and then says which profiles changed, so caches and subscribers follow.
 */
import type { EngineContext } from '../context';
import { type UndoResult, undoMerge } from './merge';
import { approveReview, rejectReview } from './review';

export function approveMerge(ctx: EngineContext, reviewId: number): { baseId: number; mergeId: number } {
  const result = ctx.db.sqlite
    .transaction(() => approveReview(ctx.db, reviewId, ctx.clock.now().getTime()))
    .immediate();
  ctx.bus.emit('profiles.changed', [result.baseId, ...result.mergedIds]);
  return result;
}

export function rejectMerge(ctx: EngineContext, reviewId: number): void {
  ctx.db.sqlite.transaction(() => rejectReview(ctx.db, reviewId, ctx.clock.now().getTime())).immediate();
}

export function undoMergeById(ctx: EngineContext, mergeId: number): UndoResult {
  const result = ctx.db.sqlite.transaction(() => undoMerge(ctx.db, mergeId, ctx.clock.now().getTime())).immediate();
  ctx.bus.emit('profiles.changed', result.touched);
  return result;
}
