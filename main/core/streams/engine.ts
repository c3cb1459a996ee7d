/** The streams engine: the runner starts with the backend (catching up what a crash left) and stops last. */
import { defineEngine } from '../engine';
import { streamsOf } from './streams';

export const streamsEngine = defineEngine({
  name: 'streams',
  start(ctx) {
    streamsOf(ctx).notify();
  },
  stop(ctx) {
    streamsOf(ctx).stop();
  },
});
