/**
 * The next best action for one customer (Customer 360 → "Next best action"): what the shop could do for them now —
 * an automation's message, a template, a tag, or "call them" — ranked by expected value (the chance it changes what
 * they do × what is at stake: churn risk × predicted value), each with its reason in words and whether the chance is
 * the shop's own measurement ("Did it help?") or a stated default. "Do it" goes through the automations' guards.
 */
import { z } from 'zod';
import { command } from './define';

export const NEXT_BEST_ACTION_KINDS = ['automation', 'template', 'tag', 'call'] as const;
export type NextBestActionKind = (typeof NEXT_BEST_ACTION_KINDS)[number];

const channel = z.enum(['email', 'sms', 'whatsapp']);

/** Which action: an automation's or template's id, a tag's name, or `call` for "call them". */
export const actionChoiceSchema = z
  .object({
    kind: z.enum(NEXT_BEST_ACTION_KINDS),
    what: z.union([
      z.number().int().positive(),
      z.string().trim().min(1, 'Say which tag').max(80, 'A tag can be at most 80 characters'),
    ]),
    /** The message's channel; null for a tag or a call. */
    channel: channel.nullable().default(null),
  })
  .strict();
export type ActionChoice = z.input<typeof actionChoiceSchema>;

export const nextBestActionSchema = z.object({
  kind: z.enum(NEXT_BEST_ACTION_KINDS),
  what: z.union([z.number().int().positive(), z.string()]),
  channel: channel.nullable(),
  /** In words: "Send “Win back (email)” by email", "Tag them “VIP”", "Call them". */
  label: z.string(),
  /** chance × stake, in the shop's currency. */
  expectedValue: z.number(),
  /** 0–1: how much more likely they are to buy because of it. */
  chance: z.number().min(0).max(1),
  /** measured: the automation's own "Did it help?" found an effect; default: the stated default for its kind. */
  chanceSource: z.enum(['measured', 'default']),
  /** The chance in words, saying which it is ("default for a win-back message: 3%"). */
  chanceWords: z.string(),
  /** Churn risk × predicted value: what the shop stands to lose if they go. */
  stake: z.number(),
  currency: z.string(),
  /** Why this, and what stops the others, in words. */
  reason: z.string(),
  /** Asked before a message goes ("Send “Win back (email)” by email now?"); null when no question is needed. */
  question: z.string().nullable(),
});
export type NextBestActionView = z.output<typeof nextBestActionSchema>;

export const DO_IT_OUTCOMES = ['sent', 'held', 'held_out', 'not_sent', 'already', 'tagged', 'noted'] as const;

export const doItResultSchema = z.object({
  outcome: z.enum(DO_IT_OUTCOMES),
  /** What happened, in a sentence: sent, held until 08:00, not sent and why. */
  sentence: z.string(),
});
export type DoItResult = z.output<typeof doItResultSchema>;

const profileId = z.number().int().positive();

export const nextBestActionContract = {
  'journeys.nextBestActions': command(
    'The actions the shop could take for one customer, best first, each with its reason and expected value',
    z.object({ profileId }).strict(),
    z.object({
      /** Best first (by expected value). */
      actions: z.array(nextBestActionSchema),
      /** Why no message (or another action) is offered now, in words: the weekly limit, no yes, a cooldown. */
      notNow: z.array(z.string()),
    }),
  ),
  'journeys.doIt': command(
    'Do one of them now, through the automations’ guards (consent, weekly limit, cooldown, quiet hours)',
    z.object({ profileId, action: actionChoiceSchema }).strict(),
    doItResultSchema,
  ),
} as const;
