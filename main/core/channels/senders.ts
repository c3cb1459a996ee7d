/**
 * The one place that turns a channel's saved setup into a `ChannelSender`: what the outbox worker calls before a
 * send, and what Settings → Channels uses for its test message. Undefined when the channel is not set up. The
 * providers' base URLs can be replaced (`CONSTINTEL_WHATSAPP_API_URL`, `CONSTINTEL_TWILIO_API_URL`) for tests and
 * proxies. An SMS send asks Twilio for a status callback when the shop has a public address.
 */
import { twilioStatusCallbackOf } from '../connections/public-address';
import type { EngineContext } from '../context';
import { emailConfig, smsConfig, whatsappConfig } from './channel-settings';
import type { SenderSetup } from './send-protocol';
import { createSenderFromSetup } from './sender-setup';
import { DEFAULT_TWILIO_API_URL } from './sms';
import type { ChannelName, ChannelSender } from './types';
import { DEFAULT_WHATSAPP_API_URL } from './whatsapp';

export interface ChannelSenderOptions {
  /** How long a provider may take to answer before the send is `unknown` (default 30 s). */
  timeoutMs?: number;
}

export function whatsappApiUrl(): string {
  return process.env.CONSTINTEL_WHATSAPP_API_URL || DEFAULT_WHATSAPP_API_URL;
}

export function twilioApiUrl(): string {
  return process.env.CONSTINTEL_TWILIO_API_URL || DEFAULT_TWILIO_API_URL;
}

/** The channel's setup as saved in Settings → Channels; undefined when it is not set up. */
export function senderSetupOf(
  ctx: Pick<EngineContext, 'db' | 'secrets'>,
  channel: ChannelName,
  options: ChannelSenderOptions = {},
): SenderSetup | undefined {
  switch (channel) {
    case 'email': {
      const config = emailConfig(ctx.db, ctx.secrets);
      return config && { channel, config, timeoutMs: options.timeoutMs };
    }
    case 'whatsapp': {
      const config = whatsappConfig(ctx.db, ctx.secrets);
      return config && { channel, config, baseUrl: whatsappApiUrl(), timeoutMs: options.timeoutMs };
    }
    case 'sms': {
      const config = smsConfig(ctx.db, ctx.secrets);
      return (
        config && {
          channel,
          config,
          baseUrl: twilioApiUrl(),
          statusCallback: twilioStatusCallbackOf(ctx.db),
          timeoutMs: options.timeoutMs,
        }
      );
    }
  }
}

/** A sender in this thread (the test message in Settings → Channels); undefined when the channel is not set up. */
export function channelSenderOf(
  ctx: Pick<EngineContext, 'db' | 'secrets'>,
  channel: ChannelName,
  options: ChannelSenderOptions = {},
): ChannelSender | undefined {
  const setup = senderSetupOf(ctx, channel, options);
  return setup && createSenderFromSetup(setup);
}
