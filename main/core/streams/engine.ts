/**
 * The streams engine: the runner starts with the backend (catching up what a crash left) and stops last, and a
 * nightly job prunes what every subscriber has read (prune.ts).
 */
import { defineEngine } from '../engine';
import { pruneStreams } from './prune';
import { streamsOf } from './streams';

export const streamsEngine = defineEngine({
  name: 'streams',
  jobs: [
    {
      name: 'streams.prune',
      description:
        'Clear out the internal change log that the app’s background work has already read, so the data file does not grow: every night at 3:30.',
      cron: '30 3 * * *',
      async run(ctx) {
        const n = await pruneStreams(ctx.db, { now: ctx.clock.now().getTime() });
        return n === 0 ? 'Nothing to clear.' : `${n.toLocaleString('en')} read entr${n === 1 ? 'y' : 'ies'} cleared.`;
      },
    },
  ],
  start(ctx) {
    streamsOf(ctx).notify();
  },
  stop(ctx) {
    streamsOf(ctx).stop();
  },
});
