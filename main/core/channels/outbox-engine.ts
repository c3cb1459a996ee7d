/**
 * The outbox engine: at start, messages a stopped process left `sending` become `unknown` (never resent), then the
 * worker sends what is due and keeps looking every second; a settings change (pause lifted, a new cap) looks again
 * at once. On close the worker stops; a send cut off then is `unknown` at the next start.
 */
import { messagesHandlers } from '../api/messages';
import { defineEngine } from '../engine';
import { outboxOf } from './outbox-worker';

export const outboxEngine = defineEngine({
  name: 'outbox',
  handlers: messagesHandlers,
  start(ctx) {
    const worker = outboxOf(ctx);
    ctx.bus.on('settings.changed', () => worker.kick());
    ctx.bus.on('data.changed', () => worker.kick());
    worker.start();
  },
  stop(ctx) {
    outboxOf(ctx).stop();
  },
});
