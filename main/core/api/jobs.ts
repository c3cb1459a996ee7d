/** Handlers for `jobs.*`: the scheduled jobs with their last and next run, for Settings. */
import { readSettings } from '../settings/settings-store';
import { handlers } from './registry';

export const jobsHandlers = handlers({
  'jobs.list': (_input, { db, core }) => ({ timeZone: readSettings(db).timeZone, jobs: core.jobs.list() }),
});
