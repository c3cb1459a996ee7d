/** Consent and opt-out per channel on Customer 360: what counts now, the history behind it, and the owner's edits. */
import { z } from 'zod';
import { command } from './define';

const id = z.number().int().positive();
export const CONSENT_CHANNEL_NAMES = ['email', 'sms', 'whatsapp'] as const;
export type ConsentChannelName = (typeof CONSENT_CHANNEL_NAMES)[number];

export const consentChannelSchema = z.object({
  channel: z.enum(CONSENT_CHANNEL_NAMES),
  /** What counts now: yes, no, opted_out (they asked to stop; only their own yes undoes it), unknown. */
  state: z.enum(['yes', 'no', 'opted_out', 'unknown']),
  /** When that began (ISO); null when unknown. */
  since: z.string().nullable(),
  /** Where it came from: shopify, import, api, shop, keyword, provider, unsubscribe, earlier. */
  source: z.string().nullable(),
  /** Whether offers may go out on this channel, and if not why, in the shop's words. */
  marketing: z.object({ ok: z.boolean(), reason: z.string().nullable() }),
});

export const consentRecordSchema = z.object({
  id,
  channel: z.enum(CONSENT_CHANNEL_NAMES),
  state: z.enum(['yes', 'no', 'opted_out']),
  source: z.string(),
  /** Where it came from, in the shop's words ("by replying", "in an imported file"). */
  sourceWords: z.string(),
  detail: z.string().nullable(),
  /** When the customer said it (ISO), if the source dates it. */
  occurredAt: z.string().nullable(),
  recordedAt: z.string(),
});

export const customerConsentSchema = z.object({
  channels: z.array(consentChannelSchema),
  /** Newest first. */
  history: z.array(consentRecordSchema),
});
export type CustomerConsent = z.output<typeof customerConsentSchema>;
export type ConsentRecordView = z.output<typeof consentRecordSchema>;

export const consentContract = {
  'consent.get': command(
    "A customer's consent per channel and its history (what, when, from where).",
    z.object({ id }).strict(),
    customerConsentSchema,
  ),
  'consent.set': command(
    'The owner records what the customer said on a channel (yes, no or opted out), dated now.',
    z
      .object({
        id,
        channel: z.enum(CONSENT_CHANNEL_NAMES),
        state: z.enum(['yes', 'no', 'opted_out']),
        /** "unsubscribed by email": the customer's unsubscribe mail reached the shop (email only). */
        how: z.enum(['customer_said', 'email_unsubscribe']).default('customer_said'),
      })
      .strict(),
    customerConsentSchema,
  ),
} as const;
