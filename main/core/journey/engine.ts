/**
 * The journey engine: the `journeys.*` commands; live events update the customers they concern in the stream's
 * transaction (exactly once; stage changes published as `journey.stage_changed`); imported history and new scores
 * are noted in that transaction (so a crash does not lose them) and handled by a full recompute after the commit,
 * in slices the event loop turns between; and a full recompute every night. Only live events' changes are
 * published: an import's or a recompute's are recorded, marked, and never fire an automation.
 */
import { journeysHandlers } from '../api/journeys';
import { flagShop, shopRow } from '../db/repos/journey';
import { defineEngine } from '../engine';
import { updateForLiveEvents } from './live';
import { AFTER_IMPORT_MS, recomputeJourneys, runnerOf } from './runner';

export const journeysEngine = defineEngine({
  name: 'journeys',
  handlers: journeysHandlers,
  subscriptions: [
    {
      stream: 'events.normalized',
      name: 'journeys.onEvent',
      effect: 'database',
      handle(messages, ctx) {
        const live = new Map<number, number>();
        let imported = false;
        for (const m of messages) {
          const p = m.payload;
          if (p.origin !== 'live') imported = true;
          else if (p.kind === 'event' && p.profileId !== null) live.set(p.profileId, p.eventId);
        }
        updateForLiveEvents(ctx, live);
        if (imported) {
          flagShop(ctx.db, ctx.brandId, 'import_pending', true);
          runnerOf(ctx).soon(AFTER_IMPORT_MS);
        }
      },
    },
    {
      // A retrain or a rollback: every customer's churn risk and predicted value changed (lapsed, advocacy).
      stream: 'predictions.updated',
      name: 'journeys.onScores',
      effect: 'database',
      handle(_messages, ctx) {
        flagShop(ctx.db, ctx.brandId, 'recompute_due', true);
        runnerOf(ctx).soon(0);
      },
    },
  ],
  jobs: [
    {
      name: 'journeys.recompute',
      description:
        "Work out again every customer's journey stage, score and next milestone, and what regular and frequent mean for your shop: every night while ConstIntel is open.",
      cron: '15 3 * * *',
      async run(ctx) {
        return (await recomputeJourneys(ctx)).summary;
      },
    },
  ],
  start(ctx) {
    // Never computed, or new scores or imported history a stop cut short: recompute once the app is up.
    const row = shopRow(ctx.db, ctx.brandId);
    if (!row || row.computedAt === 0 || row.recomputeDue === 1 || row.importPending === 1) runnerOf(ctx).soon(0);
  },
  stop(ctx) {
    runnerOf(ctx).stop();
  },
});
