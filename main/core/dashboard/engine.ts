/**
 * The Dashboard's engine: its one command. It keeps the sales periods (sales-periods.ts), brought up to date when the
 * Dashboard is read; the triggers that mark them out of date are in the schema (migration 0019), so it subscribes
 * to nothing and runs no job.
 */
import { dashboardHandlers } from '../api/dashboard';
import { defineEngine } from '../engine';

export const dashboardEngine = defineEngine({
  name: 'dashboard',
  handlers: dashboardHandlers,
});
