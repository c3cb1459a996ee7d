/**
 * The ingest engine: at start, webhook deliveries acknowledged just before a crash are read before anything
 * else is served; every minute, unfinished checkouts past the delay are marked abandoned; on close, what is
 * waiting is read.
 */
import { defineEngine } from '../engine';
import { sweepAbandonedCheckouts } from './ingest-service';
import { webhooksOf } from './webhook-batcher';

export const ingestEngine = defineEngine({
  name: 'ingest',
  jobs: [
    {
      name: 'checkouts.sweep',
      description:
        'Mark Shopify checkouts not finished within the time set above as abandoned: every minute while ConstIntel is open.',
      cron: '* * * * *',
      run: (ctx) => {
        const n = sweepAbandonedCheckouts(ctx);
        return n === 0 ? 'No checkout was due.' : `${n} checkout${n === 1 ? '' : 's'} marked abandoned.`;
      },
    },
  ],
  start(ctx) {
    webhooksOf(ctx).readAllWaiting();
  },
  stop(ctx) {
    webhooksOf(ctx).close();
  },
});
