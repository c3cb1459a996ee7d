/**
 * SMS through Twilio: `POST {base}/2010-04-01/Accounts/{SID}/Messages.json`, form-encoded, HTTP Basic auth with the
 * account SID and auth token, from the shop's number or a Messaging Service. 21610 (the customer replied STOP) comes
 * back as a refusal with that code, so the consent rules can record the opt-out. With the shop's public address, each
 * send names `StatusCallback` (http/twilio-receiver.ts), so Twilio's delivered / failed reaches the outbox row.
 */

import { DEFAULT_SEND_TIMEOUT_MS, postToProvider } from './http-send';
import type { ChannelSender, SendResult } from './types';
import type { SenderOptions } from './whatsapp';

export const DEFAULT_TWILIO_API_URL = 'https://api.twilio.com';

export interface SmsSenderOptions extends SenderOptions {
  /** Where Twilio reports the message's delivery (`<public address>/webhooks/twilio/status`); none without one. */
  statusCallback?: string | undefined;
}

export interface SmsConfig {
  accountSid: string;
  authToken: string;
  /** One of the two: the shop's Twilio number (E.164) or a Messaging Service SID (MG…). */
  from?: string | undefined;
  messagingServiceSid?: string | undefined;
}

const TWILIO_ERRORS: Record<number, string> = {
  21610: "The customer replied STOP to the shop's texts, so Twilio will not send to them until they reply START.",
  21211: 'Twilio says the phone number is not a valid one.',
  21614: 'Twilio says this number cannot receive text messages (it is not a mobile number).',
  21608: "Twilio's trial account can only text numbers verified in Twilio. Verify the number or upgrade the account.",
  21606: 'The From number cannot send text messages. Check the From number in Settings → Channels.',
  21659: "The From number is not one of this Twilio account's numbers. Check it in Settings → Channels.",
  21408:
    "The Twilio account is not allowed to text this country. Turn it on in Twilio's messaging geographic permissions.",
  20003: 'Twilio refused the account SID or auth token. Check them in Settings → Channels.',
  20429: 'Twilio is limiting how fast the shop may send. It will be tried again.',
};

function twilioErrorResult(status: number, body: unknown, text: string): SendResult {
  const error = body as { code?: unknown; message?: unknown } | undefined;
  const code = typeof error?.code === 'number' ? error.code : undefined;
  const theirs =
    typeof error?.message === 'string'
      ? ` Twilio said: "${error.message}"`
      : text
        ? ` Twilio answered: ${text.slice(0, 200)}`
        : '';
  const retry = status === 429 || status >= 500;
  const known = code === undefined ? undefined : TWILIO_ERRORS[code];
  const words =
    known ??
    (status === 401
      ? 'Twilio refused the account SID or auth token. Check them in Settings → Channels.'
      : retry
        ? `Twilio could not take the message just now (answer ${status}). It will be tried again.`
        : `Twilio refused the message (answer ${status}).`);
  return {
    outcome: 'refused',
    retry,
    code: code === undefined ? String(status) : String(code),
    reason: `${words}${theirs}`,
  };
}

export function createSmsSender(config: SmsConfig, options: SmsSenderOptions = {}): ChannelSender {
  const base = (options.baseUrl ?? DEFAULT_TWILIO_API_URL).replace(/\/+$/, '');
  const url = `${base}/2010-04-01/Accounts/${encodeURIComponent(config.accountSid)}/Messages.json`;
  const auth = Buffer.from(`${config.accountSid}:${config.authToken}`).toString('base64');
  return {
    channel: 'sms',
    async send(message, signal) {
      const form = new URLSearchParams({ To: message.to, Body: message.text });
      if (config.messagingServiceSid) form.set('MessagingServiceSid', config.messagingServiceSid);
      else if (config.from) form.set('From', config.from);
      if (options.statusCallback) form.set('StatusCallback', options.statusCallback);
      const attempt = await postToProvider(
        url,
        {
          headers: { authorization: `Basic ${auth}`, 'content-type': 'application/x-www-form-urlencoded' },
          body: form.toString(),
        },
        { timeoutMs: options.timeoutMs ?? DEFAULT_SEND_TIMEOUT_MS, provider: 'Twilio', signal },
      );
      if (attempt.kind === 'not_sent') return { outcome: 'refused', retry: true, code: null, reason: attempt.reason };
      if (attempt.kind === 'maybe_sent') return { outcome: 'unknown', reason: attempt.reason };
      if (attempt.status >= 200 && attempt.status < 300) {
        const sid = (attempt.body as { sid?: unknown } | undefined)?.sid;
        return { outcome: 'accepted', providerId: typeof sid === 'string' ? sid : null };
      }
      return twilioErrorResult(attempt.status, attempt.body, attempt.text);
    },
  };
}
