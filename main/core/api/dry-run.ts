/** Handler for `automations.dryRun`: "What would this have done?" (automations/dry-run.ts replays; nothing is sent). */
import { dryRun } from '../automations/dry-run-report';
import { handlers } from './registry';

export const dryRunHandlers = handlers({
  'automations.dryRun': ({ id }, ctx) => dryRun(ctx, id),
});
