/**
 * What every channel (email over SMTP, WhatsApp's Cloud API, SMS through Twilio) offers the outbox: one send,
 * answered with what is certain about it. The outbox's at-most-once rule rests on the three outcomes:
 * `accepted` (the provider took it), `refused` (the provider certainly did not take it — retry only when it says
 * so: connection refused, 429, 5xx, WhatsApp 130429), and `unknown` (the request may have gone out and no answer
 * came: never resent by itself).
 */
export type ChannelName = 'email' | 'sms' | 'whatsapp';

export interface OutgoingMessage {
  channel: ChannelName;
  /** An email address, or a phone number in E.164 (+447700900123). */
  to: string;
  /** Email only. */
  subject?: string;
  text: string;
  html?: string;
  /** WhatsApp outside the 24-hour window: an approved template and its body parameters in order. */
  template?: { name: string; language: string; parameters: string[] };
  /** Email headers such as List-Unsubscribe and List-Unsubscribe-Post (RFC 8058). */
  headers?: Record<string, string>;
  /** The outbox row's id: providers that accept an idempotency key get it. */
  outboxId: number;
}

export type SendResult =
  | { outcome: 'accepted'; providerId: string | null }
  | { outcome: 'refused'; retry: boolean; code: string | null; reason: string }
  | { outcome: 'unknown'; reason: string };

export interface ChannelSender {
  readonly channel: ChannelName;
  send(message: OutgoingMessage, signal?: AbortSignal): Promise<SendResult>;
}
