/**
 * WhatsApp through Meta's Cloud API: `POST {base}/v{version}/{phone-number-id}/messages` with the access token as a
 * Bearer token, a text message inside the 24-hour window or an approved template outside it. The send's answer
 * mostly says "accepted" (the wamid); delivery failures come later in status webhooks, which are not read here.
 */

import { DEFAULT_SEND_TIMEOUT_MS, postToProvider } from './http-send';
import type { ChannelSender, OutgoingMessage, SendResult } from './types';

export const DEFAULT_WHATSAPP_API_URL = 'https://graph.facebook.com';
export const WHATSAPP_API_VERSION = '21.0';

export interface WhatsAppConfig {
  phoneNumberId: string;
  accessToken: string;
}

export interface SenderOptions {
  baseUrl?: string | undefined;
  timeoutMs?: number | undefined;
}

/** What a Graph API error code means to the shop, and whether trying again later can help. */
const GRAPH_ERRORS: Record<number, { retry: boolean; words: string }> = {
  130429: {
    retry: true,
    words: 'WhatsApp is limiting how fast this number may send (too many messages at once). It will be tried again.',
  },
  131056: {
    retry: true,
    words: 'Too many messages to this one customer in a short time. It will be tried again a little later.',
  },
  131047: {
    retry: false,
    words:
      'The customer has not written to the shop in the last 24 hours, so WhatsApp only allows an approved template message.',
  },
  131026: {
    retry: false,
    words: 'WhatsApp could not deliver to this number (it may not be on WhatsApp, or uses an old version of the app).',
  },
  131050: { retry: false, words: 'The customer has stopped marketing messages from the shop on WhatsApp.' },
  131049: {
    retry: false,
    words:
      'WhatsApp held this marketing message back to keep the customer from receiving too many. Wait at least a day.',
  },
  131030: {
    retry: false,
    words: "This number is not on the test list of the shop's WhatsApp number. Add it in Meta's WhatsApp settings.",
  },
  132001: {
    retry: false,
    words: 'WhatsApp has no approved template with that name and language. Check the name and language in Meta.',
  },
  190: {
    retry: false,
    words: 'WhatsApp refused the access token (it is wrong or has expired). Paste a new one in Settings → Channels.',
  },
  100: {
    retry: false,
    words:
      "WhatsApp refused the request's details (often a wrong phone number id, or a bad recipient number). Check Settings → Channels.",
  },
  10: { retry: false, words: 'The access token has no permission to send from this WhatsApp number.' },
};

interface GraphError {
  message?: string;
  code?: number;
  error_subcode?: number;
  error_data?: { details?: string };
}

export function whatsappBody(message: OutgoingMessage): Record<string, unknown> {
  const to = message.to.replace(/[^\d]/g, '');
  const base = { messaging_product: 'whatsapp', recipient_type: 'individual', to };
  if (message.template) {
    const { name, language, parameters } = message.template;
    return {
      ...base,
      type: 'template',
      template: {
        name,
        language: { code: language },
        // A template without parameters (Meta's hello_world) is sent without components, as Meta's own example is.
        ...(parameters.length === 0
          ? {}
          : { components: [{ type: 'body', parameters: parameters.map((text) => ({ type: 'text', text })) }] }),
      },
    };
  }
  return { ...base, type: 'text', text: { preview_url: false, body: message.text } };
}

export function graphErrorResult(status: number, body: unknown, text: string): SendResult {
  const error = (body as { error?: GraphError } | undefined)?.error;
  const code = typeof error?.code === 'number' ? error.code : undefined;
  const known = code === undefined ? undefined : GRAPH_ERRORS[code];
  const theirs = [error?.message, error?.error_data?.details].filter(Boolean).join(': ');
  const said = theirs ? ` WhatsApp said: "${theirs}"` : text ? ` WhatsApp answered: ${text.slice(0, 200)}` : '';
  if (known) return { outcome: 'refused', retry: known.retry, code: String(code), reason: `${known.words}${said}` };
  if (status === 401 || status === 403) {
    return {
      outcome: 'refused',
      retry: false,
      code: code === undefined ? String(status) : String(code),
      reason: `WhatsApp refused the access token. Paste a valid one in Settings → Channels.${said}`,
    };
  }
  const retry = status === 429 || status >= 500;
  return {
    outcome: 'refused',
    retry,
    code: code === undefined ? String(status) : String(code),
    reason: retry
      ? `WhatsApp could not take the message just now (answer ${status}). It will be tried again.${said}`
      : `WhatsApp refused the message (answer ${status}).${said}`,
  };
}

export function createWhatsAppSender(config: WhatsAppConfig, options: SenderOptions = {}): ChannelSender {
  const base = (options.baseUrl ?? DEFAULT_WHATSAPP_API_URL).replace(/\/+$/, '');
  const url = `${base}/v${WHATSAPP_API_VERSION}/${encodeURIComponent(config.phoneNumberId)}/messages`;
  return {
    channel: 'whatsapp',
    async send(message, signal) {
      const attempt = await postToProvider(
        url,
        {
          headers: { authorization: `Bearer ${config.accessToken}`, 'content-type': 'application/json' },
          body: JSON.stringify(whatsappBody(message)),
        },
        { timeoutMs: options.timeoutMs ?? DEFAULT_SEND_TIMEOUT_MS, provider: 'WhatsApp', signal },
      );
      if (attempt.kind === 'not_sent') return { outcome: 'refused', retry: true, code: null, reason: attempt.reason };
      if (attempt.kind === 'maybe_sent') return { outcome: 'unknown', reason: attempt.reason };
      if (attempt.status >= 200 && attempt.status < 300) {
        const id = (attempt.body as { messages?: { id?: unknown }[] } | undefined)?.messages?.[0]?.id;
        return { outcome: 'accepted', providerId: typeof id === 'string' ? id : null };
      }
      return graphErrorResult(attempt.status, attempt.body, attempt.text);
    },
  };
}
