/** A WhatsApp Cloud API webhook delivery as Meta sends it, and its signature, for the tests that post them. */
import { createHmac } from 'node:crypto';

export const SHOP_WHATSAPP_NUMBER = '447700900999';

/** One `messages` change for the shop's number: messages, statuses and contacts as given. */
export function whatsappDelivery(value: { messages?: unknown[]; statuses?: unknown[]; contacts?: unknown[] }) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: 'WABA-1',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: SHOP_WHATSAPP_NUMBER, phone_number_id: '1234567890' },
              ...value,
            },
          },
        ],
      },
    ],
  };
}

/** The X-Hub-Signature-256 header Meta sends with a body. */
export const whatsappSignature = (body: string, appSecret: string) =>
  `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
