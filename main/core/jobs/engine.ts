/** The jobs engine: Settings → Scheduled work reads it; listed last, so its clock stops first on close. */
import { jobsHandlers } from '../api/jobs';
import { defineEngine } from '../engine';
import { schedulerOf } from './scheduler';

export const jobsEngine = defineEngine({
  name: 'jobs',
  handlers: jobsHandlers,
  stop(ctx) {
    schedulerOf(ctx).stop();
  },
});
