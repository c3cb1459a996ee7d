/** Handlers for `channels.*`: each channel's setup (secrets to the secret store) and the test message. */
import { AppError } from '../../../shared/contract/errors';
import { channelsView, saveChannel } from '../channels/channel-settings';
import { channelSenderOf } from '../channels/senders';
import type { ChannelName } from '../channels/types';
import { normalizeEmail, normalizePhone } from '../identity/normalize';
import { readSettings } from '../settings/settings-store';
import { type HandlerContext, handlers } from './registry';

const CHANNEL_WORDS: Record<ChannelName, string> = { email: 'Email', whatsapp: 'WhatsApp', sms: 'SMS' };

function recipient(ctx: HandlerContext, channel: ChannelName, to: string): string {
  if (channel === 'email') {
    const email = normalizeEmail(to);
    if (!email.ok)
      throw new AppError('validation', `"${to}" is not an email address. Type one such as ann@example.com.`);
    return email.value;
  }
  const phone = normalizePhone(to, { defaultCountry: readSettings(ctx.db).defaultCountry });
  if (!phone.ok) {
    throw new AppError(
      'validation',
      `"${to}" is not a phone number ConstIntel can read. Type it with its country code, such as +447700900123.`,
    );
  }
  return phone.value;
}

export const channelsHandlers = handlers({
  'channels.get': (_input, { db, secrets }) => channelsView(db, secrets),

  'channels.saveEmail': (input, { db, secrets, clock }) => {
    saveChannel(
      db,
      secrets,
      'email',
      {
        host: input.host,
        port: input.port,
        security: input.security,
        user: input.user || null,
        fromAddress: input.fromAddress,
        fromName: input.fromName || null,
      },
      input.password,
      clock.now().getTime(),
    );
    return channelsView(db, secrets);
  },

  'channels.saveWhatsApp': (input, { db, secrets, clock }) => {
    saveChannel(
      db,
      secrets,
      'whatsapp',
      { phoneNumberId: input.phoneNumberId },
      input.accessToken,
      clock.now().getTime(),
    );
    return channelsView(db, secrets);
  },

  'channels.saveSms': (input, { db, secrets, clock }) => {
    saveChannel(
      db,
      secrets,
      'sms',
      {
        accountSid: input.accountSid,
        from: input.messagingServiceSid ? null : (input.from ?? null),
        messagingServiceSid: input.messagingServiceSid ?? null,
      },
      input.authToken,
      clock.now().getTime(),
    );
    return channelsView(db, secrets);
  },

  'channels.test': async ({ channel, to }, ctx) => {
    const sender = channelSenderOf(ctx, channel);
    if (!sender) {
      const missing = channelsView(ctx.db, ctx.secrets)[channel].missing;
      throw new AppError(
        'validation',
        `${CHANNEL_WORDS[channel]} is not set up yet${missing.length ? `: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing` : ''}. Save it first.`,
      );
    }
    const shop = readSettings(ctx.db).brandName;
    const address = recipient(ctx, channel, to);
    const result = await sender.send({
      channel,
      to: address,
      subject: `Test message from ${shop}`,
      text: `This is a test message from ${shop}, sent by ConstIntel to check that ${CHANNEL_WORDS[channel]} works. No need to reply.`,
      // On WhatsApp, Meta's ready-made hello_world template: free text reaches only someone who wrote to the shop in
      // the last 24 hours, so a text test would be "accepted" and then never arrive.
      ...(channel === 'whatsapp' ? { template: { name: 'hello_world', language: 'en_US', parameters: [] } } : {}),
      outboxId: 0,
    });
    if (result.outcome === 'accepted') {
      return {
        outcome: 'accepted' as const,
        message: `Sent: ${channel === 'email' ? 'the mail server' : CHANNEL_WORDS[channel]} accepted the test message to ${address}.${channel === 'whatsapp' ? ' If it does not arrive, WhatsApp reports why later (Settings → Connections shows its deliveries).' : ''}`,
        code: null,
        providerId: result.providerId,
      };
    }
    return {
      outcome: result.outcome,
      message: result.reason,
      code: result.outcome === 'refused' ? result.code : null,
      providerId: null,
    };
  },
});
