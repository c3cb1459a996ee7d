/**
 * What the outbox's main thread and its sending thread (main/send-worker.ts) say to each other. A send carries the
 * channel's setup, so the thread needs no data file and no secret store: it only talks to the providers.
 */
import type { EmailConfig } from './email';
import type { SmsConfig } from './sms';
import type { OutgoingMessage, SendResult } from './types';
import type { WhatsAppConfig } from './whatsapp';

export type SenderSetup =
  | { channel: 'email'; config: EmailConfig; timeoutMs?: number | undefined }
  | { channel: 'whatsapp'; config: WhatsAppConfig; baseUrl: string; timeoutMs?: number | undefined }
  | {
      channel: 'sms';
      config: SmsConfig;
      baseUrl: string;
      statusCallback?: string | undefined;
      timeoutMs?: number | undefined;
    };

export type ToSendThread =
  | { type: 'send'; id: number; setup: SenderSetup; message: OutgoingMessage }
  /** The main thread gave up waiting (timeout, stop): the thread stops that send if it still can. */
  | { type: 'abort'; id: number };

export interface FromSendThread {
  id: number;
  result: SendResult;
}
