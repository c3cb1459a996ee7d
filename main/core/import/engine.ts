/**
 * The imports engine: at start, an import still marked running was cut short (the app or PC stopped) — the shop
 * sees it as interrupted, and what it had added to customers' totals but not yet written is written — and
 * uploads no job uses are removed, and an import being undone when the app stopped goes on being undone; on close, running imports are stopped.
 */
import { importsHandlers } from '../api/imports';
import { defineEngine } from '../engine';
import { importsOf } from './import-service';
import { markInterruptedJobs } from './worker/import-job';

export const importsEngine = defineEngine({
  name: 'imports',
  handlers: importsHandlers,
  start(ctx) {
    markInterruptedJobs(ctx.db, ctx.clock.now().getTime());
    importsOf(ctx).sweepUploads();
    // An undo the app was stopped in goes on.
    importsOf(ctx).resumeRemovals();
  },
  stop(ctx) {
    importsOf(ctx).stopAll();
  },
});
