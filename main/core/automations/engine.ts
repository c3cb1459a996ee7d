/**
 * The automations engine: the `automations.*` commands, live events and new scores evaluated as they arrive (in the
 * stream's transaction: exactly once, never for imported history), the time-based work every 5 minutes, and the
 * sender of URL calls.
 */
import { automationsHandlers } from '../api/automations';
import { dryRunHandlers } from '../api/dry-run';
import { upliftHandlers } from '../api/uplift';
import { outboxOf } from '../channels/outbox-worker';
import type { EngineContext } from '../context';
import { defineEngine } from '../engine';
import { callSenderOf } from './calls';
import { evaluateTimeBased, noteNewScores, sweepPending } from './evaluate';
import { type LiveEvent, onLiveEvents } from './live';

const said = (t: { fired: number; held: number; skipped: number; waiting: number }) => {
  const total = t.fired + t.held + t.skipped + t.waiting;
  if (total === 0) return 'Nothing was due.';
  return `${t.fired} acted on, ${t.held} held, ${t.waiting} waiting, ${t.skipped} not sent (see Automations → log).`;
};

/** Runs what is pending, then lets the outbox and the URL calls go; a failure is logged, the next tick tries again. */
function sweepSoon(ctx: EngineContext): void {
  if (!ctx.db.sqlite.open) return;
  sweepPending(ctx)
    .then(() => {
      outboxOf(ctx).kick();
      callSenderOf(ctx).kick();
    })
    .catch((error: unknown) => ctx.logger.error('Automations could not finish evaluating new scores', error));
}

export const automationsEngine = defineEngine({
  name: 'automations',
  handlers: { ...automationsHandlers, ...dryRunHandlers, ...upliftHandlers },
  subscriptions: [
    {
      stream: 'events.normalized',
      name: 'automations.onEvent',
      effect: 'database',
      handle(messages, ctx) {
        const live: LiveEvent[] = [];
        for (const m of messages) {
          const p = m.payload;
          if (p.kind !== 'event' || p.origin !== 'live' || p.profileId === null) continue;
          live.push({ eventId: p.eventId, profileId: p.profileId, type: p.type, occurredAt: p.occurredAt });
        }
        if (live.length === 0) return;
        onLiveEvents(ctx, live);
        callSenderOf(ctx).kick();
      },
    },
    {
      // A retrain or a rollback: churn risk and segments changed for everyone. Noted in the offset's transaction (so
      // it survives a crash), then evaluated in batches after the commit, webhooks answered between them.
      stream: 'predictions.updated',
      name: 'automations.onScores',
      effect: 'database',
      handle(_messages, ctx) {
        if (noteNewScores(ctx) > 0) setImmediate(() => sweepSoon(ctx));
      },
    },
  ],
  jobs: [
    {
      name: 'automations.timeBased',
      description:
        'Send what automations were waiting to send (cart reminders after their delay, actions after a wait) and check "no purchase for N days" and "next purchase overdue": every 5 minutes while ConstIntel is open.',
      cron: '*/5 * * * *',
      async run(ctx) {
        await sweepPending(ctx);
        const t = await evaluateTimeBased(ctx);
        outboxOf(ctx).kick();
        callSenderOf(ctx).kick();
        return said(t);
      },
    },
  ],
  start(ctx) {
    callSenderOf(ctx).start();
    // What a crash cut short (an arming, new scores' crossings) is finished once the app is up.
    setImmediate(() => sweepSoon(ctx));
  },
  stop(ctx) {
    callSenderOf(ctx).stop();
  },
});
