/**
 * Customers a live event updated while a recompute of this process runs (kept apart from the runner, which the
 * recompute and the live update both need, so neither imports the other).
 */
import { defineService } from '../context';

/**
 * Customers a live event updated while a recompute of this process runs: it leaves them as the live update wrote
 * them (it read fresher events). Another process's live updates are told by their later `updated_at`.
 */
export const liveDuringRecomputeOf = defineService((): { running: number; touched: Set<number> } => ({
  running: 0,
  touched: new Set(),
}));
