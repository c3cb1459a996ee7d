/**
 * The automations engine: the `automations.*` commands, live events and new scores evaluated as they arrive (in the
 * stream's transaction: exactly once, never for imported history), the time-based work every 5 minutes, and the
 * sender of URL calls.
 */
import { automationsHandlers } from '../api/automations';
import { outboxOf } from '../channels/outbox-worker';
import { defineEngine } from '../engine';
import { callSenderOf } from './calls';
import { evaluateTimeBased, type LiveEvent, onLiveEvents, onPredictionsUpdated } from './evaluate';

const said = (t: { fired: number; held: number; skipped: number; waiting: number }) => {
  const total = t.fired + t.held + t.skipped + t.waiting;
  if (total === 0) return 'Nothing was due.';
  return `${t.fired} acted on, ${t.held} held, ${t.waiting} waiting, ${t.skipped} not sent (see Automations → log).`;
};

export const automationsEngine = defineEngine({
  name: 'automations',
  handlers: automationsHandlers,
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
          live.push({ profileId: p.profileId, type: p.type, occurredAt: p.occurredAt });
        }
        if (live.length === 0) return;
        onLiveEvents(ctx, live);
        callSenderOf(ctx).kick();
      },
    },
    {
      // A retrain or a rollback: churn risk and segments changed for everyone. In the offset's transaction, so a crash
      // part-way leaves nothing and the next start does it once.
      stream: 'predictions.updated',
      name: 'automations.onScores',
      effect: 'database',
      handle(_messages, ctx) {
        onPredictionsUpdated(ctx);
        callSenderOf(ctx).kick();
      },
    },
  ],
  jobs: [
    {
      name: 'automations.timeBased',
      description:
        'Send what automations were waiting to send (cart reminders after their delay, actions after a wait) and check "no purchase for N days" and "next purchase overdue": every 5 minutes while ConstIntel is open.',
      cron: '*/5 * * * *',
      run(ctx) {
        const t = evaluateTimeBased(ctx);
        outboxOf(ctx).kick();
        callSenderOf(ctx).kick();
        return said(t);
      },
    },
  ],
  start(ctx) {
    callSenderOf(ctx).start();
  },
  stop(ctx) {
    callSenderOf(ctx).stop();
  },
});
