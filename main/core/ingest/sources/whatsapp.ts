/**
 * WhatsApp Cloud API webhook bodies → canonical events (PROTOCOLS.md).
 *
 *   entry[].changes[].value.messages[] → message_in, identified by the sender's
 *     number (`from`, digits without +) and business-scoped user id when sent;
 *     the contact's profile name is kept; the wamid is the natural key.
 *   statuses[] → delivery updates for messages the shop sent.
 *   metadata.display_phone_number → the shop's own number, never a customer's.
 */
import { z } from 'zod';
import { checkedText, type ParsedEvent, parseEventOrThrow } from '../../../../shared/events';
import {
  DATE_MESSAGE,
  dateProblem,
  LIMIT_PARAMS,
  MAX_IDENTIFIER_CHARS,
  MAX_SHORT_TEXT_CHARS,
} from '../../../../shared/limits';

/** Most error entries one status may carry (Meta sends one). */
const MAX_STATUS_ERRORS = 100;

/**
 * Meta's timestamps are whole seconds since 1970, as a string of digits (or a number). Anything else is
 * not a time (undefined: the message cannot be read); a time outside the date limits is a broken limit.
 */
const seconds = z.union([z.string(), z.number()]).transform((t, ctx) => {
  const n = typeof t === 'number' ? t : /^\d+$/.test(t) ? Number(t) : Number.NaN;
  if (Number.isNaN(n)) return undefined;
  const problem = Number.isSafeInteger(n) ? dateProblem(n * 1000) : DATE_MESSAGE;
  if (problem) {
    ctx.addIssue({ code: 'custom', message: problem, params: LIMIT_PARAMS, input: t });
    return z.NEVER;
  }
  return n * 1000;
});
const id = checkedText(MAX_IDENTIFIER_CHARS);

const contactSchema = z.object({
  wa_id: id.nullish(),
  user_id: id.nullish(),
  profile: z.object({ name: z.string().nullish() }).nullish(),
});
const messageSchema = z.object({
  from: id.nullish(),
  from_user_id: id.nullish(),
  id,
  timestamp: seconds,
  type: checkedText(MAX_SHORT_TEXT_CHARS).nullish(),
  text: z.object({ body: z.string() }).nullish(),
});
const statusSchema = z.object({
  id,
  status: checkedText(40),
  timestamp: seconds,
  recipient_id: id.nullish(),
  errors: z
    .array(z.unknown())
    .refine((errors) => errors.length <= MAX_STATUS_ERRORS, {
      message: `must have at most ${MAX_STATUS_ERRORS} entries`,
      params: LIMIT_PARAMS,
    })
    .nullish(),
});
const valueSchema = z.object({
  metadata: z.object({ display_phone_number: z.string().nullish(), phone_number_id: z.string().nullish() }).nullish(),
  contacts: z.array(contactSchema).nullish(),
  messages: z.array(messageSchema).nullish(),
  statuses: z.array(statusSchema).nullish(),
});
export const whatsappBodySchema = z.object({
  object: z.string(),
  entry: z.array(z.object({ changes: z.array(z.object({ field: z.string().nullish(), value: valueSchema })) })),
});

export interface StatusUpdate {
  messageId: string;
  status: string;
  recipient: string | null;
  errors: unknown[] | null;
  occurredAt: number;
}

export interface WhatsAppMapping {
  events: ParsedEvent[];
  statuses: StatusUpdate[];
  businessNumbers: string[];
}

/** A time no later than a day after `now` (received), or a broken limit named by where it was. */
function notAhead(ms: number | undefined, now: number, path: (string | number)[]): void {
  const problem = ms === undefined ? undefined : dateProblem(ms, now);
  if (problem) throw new z.ZodError([{ code: 'custom', path, message: problem, params: LIMIT_PARAMS, input: ms }]);
}

/** A body → events and status updates; `now` is when it was received (times may be at most a day after it). */
export function mapWhatsApp(body: unknown, now: number): WhatsAppMapping {
  const parsed = whatsappBodySchema.parse(body);
  const mapping: WhatsAppMapping = { events: [], statuses: [], businessNumbers: [] };
  for (const [e, entry] of parsed.entry.entries()) {
    for (const [c, change] of entry.changes.entries()) {
      const at = ['entry', e, 'changes', c, 'value'];
      const value = change.value;
      const business = value.metadata?.display_phone_number;
      if (business) mapping.businessNumbers.push(business);
      const contacts = value.contacts ?? [];
      for (const [m, message] of (value.messages ?? []).entries()) {
        notAhead(message.timestamp, now, [...at, 'messages', m, 'timestamp']);
        const contact =
          contacts.find((c) => c.wa_id && c.wa_id === message.from) ??
          (contacts.length === 1 ? contacts[0] : undefined);
        const name = contact?.profile?.name?.trim() ?? '';
        const [firstName, ...rest] = name.split(/\s+/).filter(Boolean);
        mapping.events.push(
          parseEventOrThrow(
            {
              type: 'message_in',
              source: 'whatsapp',
              externalId: message.id,
              occurredAt: message.timestamp === undefined ? undefined : new Date(message.timestamp).toISOString(),
              identifiers: {
                ...(message.from ? { whatsapp: message.from } : {}),
                ...((message.from_user_id ?? contact?.user_id)
                  ? { whatsapp_user_id: message.from_user_id ?? contact?.user_id }
                  : {}),
              },
              payload: {
                channel: 'whatsapp',
                messageType: message.type ?? 'text',
                ...(message.text?.body !== undefined ? { text: message.text.body } : {}),
                ...(firstName ? { firstName } : {}),
                ...(rest.length > 0 ? { lastName: rest.join(' ') } : {}),
              },
            },
            now,
          ),
        );
      }
      for (const [i, status] of (value.statuses ?? []).entries()) {
        notAhead(status.timestamp, now, [...at, 'statuses', i, 'timestamp']);
        mapping.statuses.push({
          messageId: status.id,
          status: status.status,
          recipient: status.recipient_id ?? null,
          errors: status.errors ?? null,
          occurredAt: status.timestamp ?? 0,
        });
      }
    }
  }
  return mapping;
}
