/** Handlers for `jobs.*`: the scheduled jobs with their last and next run, for Settings. */
import { schedulerOf } from '../jobs/scheduler';
import { readSettings } from '../settings/settings-store';
import { handlers } from './registry';

export const jobsHandlers = handlers({
  'jobs.list': (_input, ctx) => ({ timeZone: readSettings(ctx.db).timeZone, jobs: schedulerOf(ctx).list() }),
});
