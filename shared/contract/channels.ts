/**
 * Settings → Channels: email over the shop's SMTP server, WhatsApp's Cloud API and SMS through Twilio — their
 * fields, whether each is ready (and what is missing), and a test message sent at once. Secrets (SMTP password,
 * access token, auth token) are accepted here and never sent back: only whether one is saved.
 */
import { z } from 'zod';
import { command } from './define';

const statusFields = {
  /** Everything needed to send is saved. */
  connected: z.boolean(),
  /** What is still missing, in words ("the access token"). */
  missing: z.array(z.string()),
  /** Whether the channel's secret is saved; the secret itself is never sent back. */
  secretSaved: z.boolean(),
};
export type ChannelStatus = z.output<z.ZodObject<typeof statusFields>>;

export const EMAIL_SECURITY_CHOICES = ['none', 'starttls', 'tls'] as const;

const channelsViewSchema = z.object({
  email: z.object({
    ...statusFields,
    host: z.string(),
    port: z.number().int().nullable(),
    security: z.enum(EMAIL_SECURITY_CHOICES),
    user: z.string(),
    fromAddress: z.string(),
    fromName: z.string(),
  }),
  whatsapp: z.object({ ...statusFields, phoneNumberId: z.string() }),
  sms: z.object({ ...statusFields, accountSid: z.string(), from: z.string(), messagingServiceSid: z.string() }),
});
export type ChannelsView = z.output<typeof channelsViewSchema>;

/** Leave a secret out to keep the saved one; an empty one deletes it. */
const secretInput = z.string().trim().max(2000).optional();

export const emailSetupSchema = z
  .object({
    host: z.string().trim().min(1, 'is required').max(255),
    port: z
      .number({ error: 'must be a number between 1 and 65535' })
      .int('must be a number between 1 and 65535')
      .min(1, 'must be a number between 1 and 65535')
      .max(65535, 'must be a number between 1 and 65535'),
    security: z.enum(EMAIL_SECURITY_CHOICES, { error: 'must be none, starttls or tls' }).default('starttls'),
    user: z.string().trim().max(255).optional(),
    password: secretInput,
    fromAddress: z.email('must be an email address, such as hello@your-shop.com').max(255),
    fromName: z.string().trim().max(200).optional(),
  })
  .strict();

export const whatsappSetupSchema = z
  .object({
    phoneNumberId: z
      .string()
      .trim()
      .regex(/^\d{5,30}$/, 'must be the number Meta shows as the Phone number ID (digits only, not the phone number)'),
    accessToken: secretInput,
  })
  .strict();

export const smsSetupSchema = z
  .object({
    accountSid: z
      .string()
      .trim()
      .regex(/^AC[0-9a-fA-F]{32}$/, 'must be the Account SID from the Twilio console (AC followed by 32 characters)'),
    authToken: secretInput,
    from: z
      .string()
      .trim()
      .regex(/^\+[1-9]\d{6,14}$/, 'must be a phone number with its country code, such as +447700900123')
      .optional(),
    messagingServiceSid: z
      .string()
      .trim()
      .regex(/^MG[0-9a-fA-F]{32}$/, 'must be a Messaging Service SID (MG followed by 32 characters)')
      .optional(),
  })
  .strict()
  .refine((v) => v.from !== undefined || v.messagingServiceSid !== undefined, {
    message: 'Give the From number or the Messaging Service SID.',
    path: ['from'],
  });

const testResultSchema = z.object({
  outcome: z.enum(['accepted', 'refused', 'unknown']),
  /** What happened, in words, with the provider's own error when it gave one. */
  message: z.string(),
  /** The provider's code (535, 131026, 21610) when it gave one. */
  code: z.string().nullable(),
  providerId: z.string().nullable(),
});
export type ChannelTestResult = z.output<typeof testResultSchema>;

export const channelsContract = {
  'channels.get': command(
    'The three channels: their saved fields and whether each is ready.',
    z.object({}).strict(),
    channelsViewSchema,
  ),
  'channels.saveEmail': command(
    "Set up email through the shop's own SMTP server.",
    emailSetupSchema,
    channelsViewSchema,
  ),
  'channels.saveWhatsApp': command('Set up sending on WhatsApp (Cloud API).', whatsappSetupSchema, channelsViewSchema),
  'channels.saveSms': command('Set up SMS through Twilio.', smsSetupSchema, channelsViewSchema),
  'channels.test': command(
    'Send one test message now on a channel (not through the outbox) and say what the provider answered.',
    z
      .object({
        channel: z.enum(['email', 'whatsapp', 'sms']),
        /** An email address for email; a phone number with its country code for WhatsApp and SMS. */
        to: z.string().trim().min(1, 'is required').max(255),
      })
      .strict(),
    testResultSchema,
  ),
};
