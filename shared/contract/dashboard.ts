/**
 * The Dashboard (the first page): the shop's morning in one command — sales by week and month beside the same
 * period last year, walk-in share, value at risk and the 20 customers to contact first with their next best action,
 * segments and stages at a glance, what the automations did, and what waits for the shop. `hasData` false: the
 * first-run guide instead.
 */
import { z } from 'zod';
import { command } from './define';

/** One period's sales (see main/core/dashboard/sales-periods.ts for what each counts). */
export const salesFiguresSchema = z.object({
  revenue: z.number(),
  orders: z.number().int(),
  /** Revenue ÷ orders; null with no orders. */
  averageBasket: z.number().nullable(),
  buyers: z.number().int(),
  newCustomers: z.number().int(),
  returningCustomers: z.number().int(),
  /** Returning ÷ buyers (0–1); null with no buyers. */
  repeatRate: z.number().nullable(),
  walkInOrders: z.number().int(),
  /** Walk-in orders ÷ orders (0–1); null with no orders. */
  walkInShare: z.number().nullable(),
});
export type SalesFigures = z.output<typeof salesFiguresSchema>;

export const salesPeriodSchema = z.object({
  /** ISO instant the period starts (a Monday for weeks, the 1st for months, in the shop's time zone). */
  start: z.string(),
  /** "3 Mar" for a week, "Mar 2026" for a month. */
  label: z.string(),
  /** The period still running (today is in it). */
  current: z.boolean(),
  figures: salesFiguresSchema,
  /** The same period a year before (52 weeks; 12 months); null when there were no sales then. */
  lastYear: salesFiguresSchema.nullable(),
});
export type SalesPeriod = z.output<typeof salesPeriodSchema>;

export const contactFirstSchema = z.object({
  profileId: z.number().int(),
  name: z.string(),
  churnRisk: z.number(),
  predictedValue: z.number(),
  /** Churn risk × predicted value. */
  stake: z.number(),
  /** The next best action's words, null when none may be taken now. */
  action: z.string().nullable(),
  reason: z.string().nullable(),
});
export type ContactFirst = z.output<typeof contactFirstSchema>;

export const waitingItemSchema = z.object({
  kind: z.enum(['replies', 'merge_reviews', 'messages_failed', 'messages_unknown', 'retrain', 'backup']),
  count: z.number().int(),
  text: z.string(),
  /** Where to go to deal with it (a page of the app). */
  link: z.string(),
});
export type WaitingItem = z.output<typeof waitingItemSchema>;

export const dashboardSchema = z.object({
  hasData: z.boolean(),
  brandName: z.string(),
  currency: z.string(),
  timeZone: z.string(),
  customers: z.number().int(),
  /** Newest last: the last 13 weeks and 13 months, the current one included. */
  weeks: z.array(salesPeriodSchema),
  months: z.array(salesPeriodSchema),
  valueAtRisk: z.object({
    /** Predicted value of the customers in the high churn band. */
    value: z.number(),
    customers: z.number().int(),
    /** The band's line (0–1), from the active retrain (or the fixed line before one). */
    line: z.number(),
    scored: z.boolean(),
  }),
  contactFirst: z.array(contactFirstSchema),
  segments: z.array(z.object({ segment: z.string(), customers: z.number().int() })),
  stages: z.array(z.object({ stage: z.string(), customers: z.number().int() })),
  automations: z.object({
    /** Automated messages (automations and campaigns) that went out in the last 30 days. */
    sent: z.number().int(),
    /** Occasions kept as a comparison (held out) in the last 30 days. */
    heldOut: z.number().int(),
    /** "Did the automations help, all together?" in one sentence. */
    difference: z.string(),
    enabled: z.number().int(),
  }),
  waiting: z.array(waitingItemSchema),
  /** How long the figures took to put together (ms). */
  tookMs: z.number(),
});
export type DashboardView = z.output<typeof dashboardSchema>;

export const dashboardContract = {
  'dashboard.summary': command(
    'The Dashboard: sales by week and month beside last year, value at risk, whom to contact first, what waits',
    z.object({}).strict(),
    dashboardSchema,
  ),
};
