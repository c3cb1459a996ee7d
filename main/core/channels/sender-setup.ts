/**
 * A channel's sender from its setup (what `senders.ts` reads from Settings → Channels): the same code whether it
 * runs in the main thread (the test message, a backend without the built sending thread) or in the outbox's
 * sending thread (main/send-worker.ts).
 */
import { createEmailSender } from './email';
import type { SenderSetup } from './send-protocol';
import { createSmsSender } from './sms';
import type { ChannelSender } from './types';
import { createWhatsAppSender } from './whatsapp';

export function createSenderFromSetup(setup: SenderSetup): ChannelSender {
  switch (setup.channel) {
    case 'email':
      return createEmailSender(setup.config, { timeoutMs: setup.timeoutMs });
    case 'whatsapp':
      return createWhatsAppSender(setup.config, { baseUrl: setup.baseUrl, timeoutMs: setup.timeoutMs });
    case 'sms':
      return createSmsSender(setup.config, {
        baseUrl: setup.baseUrl,
        timeoutMs: setup.timeoutMs,
        ...(setup.statusCallback ? { statusCallback: setup.statusCallback } : {}),
      });
  }
}
