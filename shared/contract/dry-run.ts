/**
 * "What would this have done?": an automation replayed over the last 90 days of live events (and today's scores for
 * state triggers) without sending or recording anything. The answer is what the page and `constintel automations
 * dry-run` show: customers it would have messaged per week and channel, what each guard would have stopped, how many
 * of those it would have messaged bought anyway within the window, and the cost in the shop's currency.
 */
import { z } from 'zod';
import { command } from './define';

const count = z.number().int().min(0);

export const dryRunResultSchema = z.object({
  automationId: z.number().int().positive(),
  automationName: z.string(),
  /** ISO dates (UTC) of the replayed period: the first and last day. */
  from: z.string(),
  to: z.string(),
  days: z.number().int(),
  /** Live events replayed (API, webhooks, the checkout sweep; never imported history). */
  eventsReplayed: count,
  /** Messages it would have written, and the distinct customers they were for. */
  messages: count,
  customersMessaged: count,
  /** Per ISO week (its Monday, YYYY-MM-DD) and channel: customers and messages. Weeks with nothing are left out. */
  weeks: z.array(
    z.object({
      weekOf: z.string(),
      channel: z.enum(['email', 'sms', 'whatsapp']),
      customers: count,
      messages: count,
    }),
  ),
  /** What stopped or delayed a message, in the shop's words, largest first. `guard` is the decision log's key. */
  stopped: z.array(z.object({ guard: z.string(), words: z.string(), decisions: count, customers: count })),
  /** Of the customers it would have messaged, how many bought within `windowDays` after the would-be message. */
  boughtAnyway: count,
  windowDays: z.number().int(),
  /** Other actions it would have taken (tags, URL calls) and occasions still waiting at the end. */
  tagged: count,
  urlCalls: count,
  stillWaiting: count,
  cost: z.object({
    amount: z.number(),
    currency: z.string(),
    /** Messages on channels without a price set (Settings → Channels): not in `amount`. */
    unpricedMessages: count,
  }),
  /** The whole answer in one paragraph of plain words. */
  summary: z.string(),
  /** How long the replay took (ms): ConstIntel pauses other work for that long. */
  tookMs: z.number(),
});
export type DryRunResult = z.output<typeof dryRunResultSchema>;

export const dryRunContract = {
  'automations.dryRun': command(
    'What would this automation have done over the last 90 days? Nothing is sent or recorded (works while it is off)',
    z.object({ id: z.number().int().positive() }).strict(),
    dryRunResultSchema,
  ),
} as const;
