/**
 * The campaigns engine: the `campaigns.*` commands, and at start the campaigns whose sending a stop cut short,
 * finished once the app is up (each customer still reached once: the occasion ledger refuses a second time).
 */
import { campaignsHandlers } from '../api/campaigns';
import { defineEngine } from '../engine';
import { finishInterrupted } from './send';

export const campaignsEngine = defineEngine({
  name: 'campaigns',
  handlers: campaignsHandlers,
  start(ctx) {
    setImmediate(() => {
      if (!ctx.db.sqlite.open) return;
      finishInterrupted(ctx).catch((error: unknown) =>
        ctx.logger.error('A campaign stopped part-way could not be finished; press Send on it again', error),
      );
    });
  },
});
