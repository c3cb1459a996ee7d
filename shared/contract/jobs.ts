/** Scheduled work (the nightly retrain, the checkout sweep, engines' jobs): what Settings shows of it. */
import { z } from 'zod';
import { command } from './define';

export const scheduledJobViewSchema = z.object({
  name: z.string(),
  /** What it does, in the shop's words. */
  description: z.string(),
  /** False while the shop has it turned off (the nightly retrain unticked): its due times pass without a run. */
  enabled: z.boolean(),
  /** Running now, in this app or another ConstIntel process on the same data file (`constintel retrain`). */
  running: z.boolean(),
  /** When the last run started (ISO), null when it never ran. */
  lastRunAt: z.string().nullable(),
  /** When it ended and how: null while running or never run. `stopped`: ConstIntel was closed while it ran. */
  lastFinishedAt: z.string().nullable(),
  lastResult: z.enum(['ok', 'failed', 'stopped']).nullable(),
  /** One sentence about the last run (what it did, or why it failed). */
  lastMessage: z.string().nullable(),
  /** The next due time (ISO), in the shop's time zone's terms. */
  nextRunAt: z.string().nullable(),
});
export type ScheduledJobView = z.output<typeof scheduledJobViewSchema>;

export const jobsContract = {
  'jobs.list': command(
    'The scheduled jobs with their last and next run, and the time zone they run in.',
    z.object({}).strict(),
    z.object({ timeZone: z.string(), jobs: z.array(scheduledJobViewSchema) }),
  ),
};
