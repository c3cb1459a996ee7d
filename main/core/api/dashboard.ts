/** Handler for `dashboard.summary`: the Dashboard's figures in one command. */
import { dashboardSummary } from '../dashboard/summary';
import { handlers } from './registry';

export const dashboardHandlers = handlers({
  'dashboard.summary': (_input, ctx) => dashboardSummary(ctx),
});
