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
import { eventInputSchema, type ParsedEvent } from '../../../../shared/events';

const contactSchema = z.object({
  wa_id: z.string().nullish(),
  user_id: z.string().nullish(),
  profile: z.object({ name: z.string().nullish() }).nullish(),
});
const messageSchema = z.object({
  from: z.string().nullish(),
  from_user_id: z.string().nullish(),
  id: z.string(),
  timestamp: z.union([z.string(), z.number()]),
  type: z.string().nullish(),
  text: z.object({ body: z.string() }).nullish(),
});
const statusSchema = z.object({
  id: z.string(),
  status: z.string(),
  timestamp: z.union([z.string(), z.number()]),
  recipient_id: z.string().nullish(),
  errors: z.array(z.unknown()).nullish(),
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

const seconds = (t: string | number) => {
  const n = Number(t);
  return Number.isFinite(n) ? new Date(n * 1000) : new Date(Number.NaN);
};

export function mapWhatsApp(body: unknown): WhatsAppMapping {
  const parsed = whatsappBodySchema.parse(body);
  const mapping: WhatsAppMapping = { events: [], statuses: [], businessNumbers: [] };
  for (const entry of parsed.entry) {
    for (const change of entry.changes) {
      const value = change.value;
      const business = value.metadata?.display_phone_number;
      if (business) mapping.businessNumbers.push(business);
      const contacts = value.contacts ?? [];
      for (const message of value.messages ?? []) {
        const contact =
          contacts.find((c) => c.wa_id && c.wa_id === message.from) ??
          (contacts.length === 1 ? contacts[0] : undefined);
        const name = contact?.profile?.name?.trim() ?? '';
        const [firstName, ...rest] = name.split(/\s+/).filter(Boolean);
        const at = seconds(message.timestamp);
        mapping.events.push(
          eventInputSchema.parse({
            type: 'message_in',
            source: 'whatsapp',
            externalId: message.id,
            occurredAt: Number.isNaN(at.getTime()) ? undefined : at.toISOString(),
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
          }),
        );
      }
      for (const status of value.statuses ?? []) {
        mapping.statuses.push({
          messageId: status.id,
          status: status.status,
          recipient: status.recipient_id ?? null,
          errors: status.errors ?? null,
          occurredAt: seconds(status.timestamp).getTime() || 0,
        });
      }
    }
  }
  return mapping;
}
