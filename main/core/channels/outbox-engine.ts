/**
 * The outbox engine: at start, messages a stopped process left `sending` become `unknown` (never resent), then the
 * worker sends what is due and keeps looking every second; a settings change (pause lifted, a new cap) or a customer's
 * changed consent looks at their held messages again at once. On close the worker stops; a send cut off then is `unknown` at the next start.
 */
import { messagesHandlers } from '../api/messages';
import { recheckHeld } from '../db/repos/message-outbox';
import { defineEngine } from '../engine';
import { outboxOf } from './outbox-worker';
import { sendThreadOf } from './send-thread';

export const outboxEngine = defineEngine({
  name: 'outbox',
  handlers: messagesHandlers,
  start(ctx) {
    const worker = outboxOf(ctx);
    const now = () => ctx.clock.now().getTime();
    // A hold's reason must not outlive its cause: a lifted limit, resumed sending or a customer's new consent
    // makes their held messages go through the guards again at once.
    ctx.bus.on('settings.changed', () => {
      if (ctx.db.sqlite.open) recheckHeld(ctx.db, now());
      worker.kick();
    });
    ctx.bus.on('profiles.changed', (ids) => {
      if (ctx.db.sqlite.open && ids.length > 0 && recheckHeld(ctx.db, now(), ids) > 0) worker.kick();
    });
    ctx.bus.on('data.changed', () => worker.kick());
    worker.start();
  },
  stop(ctx) {
    outboxOf(ctx).stop();
    // Sends still in the thread answer `unknown` (recorded now if the data file is open, else at the next start).
    void sendThreadOf(ctx).stop();
  },
});
