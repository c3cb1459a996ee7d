/**
 * "Did it help?": what the customers an automation (or a campaign) messaged bought in the days after, against those
 * held out as a comparison, with the difference and its 95% range in words; and the same for all automations
 * together against the shop-wide comparison group.
 */
import { z } from 'zod';
import { command } from './define';

const interval = z
  .object({ estimate: z.number(), low: z.number(), high: z.number(), adjusted: z.boolean() })
  .nullable();
const group = z.object({
  customers: z.number().int(),
  bought: z.number().int(),
  orders: z.number().int(),
  revenue: z.number(),
});

export const comparisonSchema = z.object({
  /** One automation or campaign, or every automation against the shop-wide comparison group. */
  scope: z.enum(['automation', 'shop']),
  automationId: z.number().int().nullable(),
  name: z.string(),
  /** The automation's comparison share (null for the shop-wide comparison). */
  holdoutPercent: z.number().nullable(),
  windowDays: z.number().int(),
  currency: z.string(),
  messaged: group,
  heldOut: group,
  /** Differences, messaged − held out, per customer (a share for bought: 0.03 = 3 points). */
  boughtShare: interval,
  ordersPerCustomer: interval,
  revenuePerCustomer: interval,
  /** none: nobody held out yet (nothing to compare with). */
  status: z.enum(['effect', 'no_effect', 'too_few', 'none']),
  headline: z.string(),
  bought: z.string(),
  revenue: z.string(),
  adjustedNote: z.string().nullable(),
  /** What other tools report: every purchase within the window after a message, whether or not it caused it. */
  attributedRevenue: z.number(),
  attributedNote: z.string(),
  /** Occasions whose window has not ended yet: counted once it has. */
  stillOpen: z.number().int(),
});
export type ComparisonView = z.output<typeof comparisonSchema>;

export const upliftContract = {
  'automations.comparison': command(
    'Did it help? This automation or campaign: the customers it messaged against those held out',
    z.object({ id: z.number().int().positive() }).strict(),
    comparisonSchema,
  ),
  'automations.shopComparison': command(
    'Did they help? All automations together against the shop-wide comparison group',
    z.object({}).strict(),
    comparisonSchema,
  ),
} as const;
