/**
 * The messages to customers (the outbox) as the Messages page and `constintel messages` show them: newest first,
 * each with its status and, for every hold, failure, cancel or unknown, the reason in the shop's words.
 */
import { z } from 'zod';
import { command } from './define';

/** Every status a message can have; the data file's `message_outbox.status` takes the same list. */
export const MESSAGE_STATUSES = [
  'pending',
  'held',
  'sending',
  'sent',
  'delivered',
  'read',
  'failed',
  'unknown',
  'cancelled',
] as const;
export const messageStatusSchema = z.enum(MESSAGE_STATUSES);
export type MessageStatus = z.output<typeof messageStatusSchema>;

export const messageViewSchema = z.object({
  id: z.number().int(),
  channel: z.enum(['email', 'sms', 'whatsapp']),
  recipient: z.string(),
  profileId: z.number().int().nullable(),
  /** The customer's name as the shop knows it; null when the message names no customer or they have no name. */
  customerName: z.string().nullable(),
  kind: z.enum(['marketing', 'service']),
  source: z.string(),
  status: messageStatusSchema,
  /** Why it is held, failed, cancelled or unknown (null when it is pending or went out). */
  reason: z.string().nullable(),
  /** Email subject, or the start of the text. */
  summary: z.string(),
  /** The shop-entered price per message at the time, in `currency`; null for email or when none was entered. */
  cost: z.number().nullable(),
  currency: z.string().nullable(),
  attempts: z.number().int(),
  /** When a waiting message may go next (ISO). */
  nextAttemptAt: z.string().nullable(),
  createdAt: z.string(),
  sentAt: z.string().nullable(),
  providerMessageId: z.string().nullable(),
});
export type MessageView = z.output<typeof messageViewSchema>;

export const messagesListInputSchema = z
  .object({
    status: messageStatusSchema.optional(),
    profileId: z.number().int().positive().optional(),
    limit: z.number().int().min(1).max(1000).default(200),
  })
  .strict();

const channelSchema = z.enum(['email', 'sms', 'whatsapp']);
const kindSchema = z.enum(['marketing', 'service']);

/** Whether a kind of message may go to this customer on this channel now, and if not why, in the shop's words. */
export const permissionSchema = z.object({ allowed: z.boolean(), reason: z.string().nullable() });

export const sendOptionSchema = z.object({
  channel: channelSchema,
  /** Set up in Settings → Channels. */
  connected: z.boolean(),
  /** The address or number it would go to (from the customer's identifiers); null when they have none. */
  to: z.string().nullable(),
  consent: z.enum(['yes', 'no', 'opted_out', 'unknown']),
  /** A marketing message (the default): connected, a recipient, and their yes on this channel. */
  allowed: z.boolean(),
  reason: z.string().nullable(),
  /** A reply inside the customer's own 24-hour conversation on this channel (never by email from ConstIntel). */
  service: permissionSchema,
  /** WhatsApp and SMS: until when the customer's last message lets the shop write freely (ISO); null when closed. */
  whatsappWindowOpenUntil: z.string().nullable(),
  /** WhatsApp outside the window: only templates with an approved WhatsApp template can go. */
  freeTextAllowed: z.boolean(),
  /** The shop-entered price per message; null for email or when none was entered. */
  price: z.number().nullable(),
  currency: z.string(),
  /** Templates of this channel that can be sent now (outside the WhatsApp window: those with an approved template). */
  templates: z.array(z.object({ id: z.number().int(), name: z.string() })),
});
export type SendOption = z.output<typeof sendOptionSchema>;

export const composeInputSchema = z
  .object({
    profileId: z.number().int().positive(),
    channel: channelSchema,
    /** A saved template, or … */
    templateId: z.number().int().positive().optional(),
    /** … text written now (may use fields too). */
    text: z.string().trim().min(1, 'Write the message').max(4096).optional(),
    /** Email with text: the subject (a template brings its own). */
    subject: z.string().trim().max(200).optional(),
    kind: kindSchema.default('marketing'),
  })
  .strict()
  .refine((v) => (v.templateId === undefined) !== (v.text === undefined), {
    message: 'Choose a template or write a text (one of the two)',
    path: ['text'],
  });
export type ComposeInput = z.output<typeof composeInputSchema>;

export const verdictSchema = z.object({
  /** pending: goes as soon as the outbox reaches it; held: waits until sendAfter; refused: not written. */
  status: z.enum(['pending', 'held', 'cancelled', 'refused']),
  /** Why it waits or is refused, in the shop's words; null when it goes now. */
  reason: z.string().nullable(),
  /** When it may go (ISO); null when refused. */
  sendAfter: z.string().nullable(),
});
export type Verdict = z.output<typeof verdictSchema>;

export const previewSchema = z.object({
  to: z.string().nullable(),
  channel: channelSchema,
  kind: kindSchema,
  /** Email only. */
  subject: z.string().nullable(),
  /** The text as the customer reads it (WhatsApp outside the window: the approved template's parameters fill it). */
  text: z.string(),
  /** WhatsApp outside the 24-hour window: the approved template that goes, with its parameters filled. */
  whatsappTemplate: z.object({ name: z.string(), language: z.string(), parameters: z.array(z.string()) }).nullable(),
  /** Fields that had no value for this customer and used the shop's fallback text. */
  fellBack: z.array(z.string()),
  cost: z.number().nullable(),
  currency: z.string(),
  verdict: verdictSchema,
});
export type MessagePreview = z.output<typeof previewSchema>;

export const messagesContract = {
  'messages.list': command(
    'Messages to customers, newest first, with the reason for every hold or failure.',
    messagesListInputSchema,
    z.object({ messages: z.array(messageViewSchema) }),
  ),
  'messages.options': command(
    'For one customer, each channel: connected, where it would go, consent, whether a message may go and why not, cost.',
    z.object({ profileId: z.number().int().positive() }).strict(),
    z.object({ channels: z.array(sendOptionSchema) }),
  ),
  'messages.preview': command(
    'The message as this customer would get it (fields filled, fallbacks named), its cost and what would happen.',
    composeInputSchema,
    previewSchema,
  ),
  'messages.send': command(
    'Writes the message to the outbox (through consent, quiet hours, pause and caps); a refusal says why.',
    composeInputSchema,
    z.object({ message: messageViewSchema, verdict: verdictSchema }),
  ),
};
