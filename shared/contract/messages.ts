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

export const messagesContract = {
  'messages.list': command(
    'Messages to customers, newest first, with the reason for every hold or failure.',
    messagesListInputSchema,
    z.object({ messages: z.array(messageViewSchema) }),
  ),
};
