/**
 * Settings → Channels through the backend's commands: saving each channel keeps its secret in the secret store
 * (never in the data file, never sent back), says what is missing, and "Send a test message" goes straight to the
 * provider (a real SMTP server, Graph and Twilio fakes reached through CONSTINTEL_*_API_URL) and answers in words.
 * `channelSenderOf` is what the outbox calls: undefined until a channel is set up.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../../main/core/backend';
import { SECRET_NAMES } from '../../../main/core/channels/channel-settings';
import { channelSenderOf } from '../../../main/core/channels/senders';
import { inMemoryBackend } from '../../support/backend';
import { type ProviderFake, providerFake, type SmtpPeer, smtpPeer } from '../../support/provider-fakes';

const SID = `AC${'c3'.repeat(16)}`;
let backend: Backend;
let smtp: SmtpPeer;
let graph: ProviderFake;
let twilio: ProviderFake;

beforeAll(async () => {
  smtp = await smtpPeer({ users: { shop: 'right' } });
  graph = await providerFake(() => ({ status: 200, json: { messages: [{ id: 'wamid.TEST1' }] } }));
  twilio = await providerFake(() => ({ status: 201, json: { sid: 'SMtest1', status: 'queued' } }));
  process.env.CONSTINTEL_WHATSAPP_API_URL = graph.url;
  process.env.CONSTINTEL_TWILIO_API_URL = twilio.url;
});
afterAll(async () => {
  delete process.env.CONSTINTEL_WHATSAPP_API_URL;
  delete process.env.CONSTINTEL_TWILIO_API_URL;
  await Promise.all([smtp.close(), graph.close(), twilio.close()]);
});
afterEach(async () => backend?.close());

describe('channels.*', () => {
  it('starts with nothing set up and says what is missing; the outbox gets no sender', async () => {
    backend = await inMemoryBackend();
    const view = await backend.call('channels.get', {});
    expect(view.email).toMatchObject({
      connected: false,
      missing: ['the mail server (host)', 'the port', 'the From address'],
    });
    expect(view.whatsapp.missing).toEqual(['the phone number ID', 'the access token']);
    expect(view.sms.connected).toBe(false);
    for (const channel of ['email', 'whatsapp', 'sms'] as const)
      expect(channelSenderOf(backend.ctx, channel)).toBeUndefined();
    await expect(backend.call('channels.test', { channel: 'sms', to: '+447700900123' })).rejects.toThrow(
      /^SMS is not set up yet: the account SID, the auth token, a From number or a Messaging Service SID are missing/,
    );
  });

  it('saves email with the password in the secret store, and the test message arrives', async () => {
    backend = await inMemoryBackend();
    await backend.call('settings.update', { brandName: 'Corner Shop' });
    const view = await backend.call('channels.saveEmail', {
      host: '127.0.0.1',
      port: smtp.port,
      security: 'none',
      user: 'shop',
      password: 'right',
      fromAddress: 'hello@corner-shop.test',
      fromName: 'Corner Shop',
    });
    expect(view.email).toMatchObject({ connected: true, missing: [], secretSaved: true, user: 'shop' });
    expect(JSON.stringify(view)).not.toContain('right');
    expect(backend.ctx.secrets.get(SECRET_NAMES.email)).toBe('right');
    const stored = backend.db.sqlite.prepare("SELECT value FROM setting WHERE key LIKE 'channels.%'").pluck().all();
    expect(JSON.stringify(stored)).not.toContain('right');

    const result = await backend.call('channels.test', { channel: 'email', to: 'Owner@Corner-Shop.test' });
    expect(result).toMatchObject({ outcome: 'accepted', code: null });
    expect(result.message).toBe('Sent: the mail server accepted the test message to owner@corner-shop.test.');
    const mail = smtp.mails.at(-1);
    expect(mail?.to).toEqual(['owner@corner-shop.test']);
    expect(mail?.raw).toMatch(/^Subject: Test message from Corner Shop\r?$/m);
    expect(channelSenderOf(backend.ctx, 'email')?.channel).toBe('email');
  });

  it('keeps the saved password when it is left out, and reports a refused one in words', async () => {
    backend = await inMemoryBackend();
    const base = {
      host: '127.0.0.1',
      port: smtp.port,
      security: 'none' as const,
      user: 'shop',
      fromAddress: 'a@b.test',
    };
    await backend.call('channels.saveEmail', { ...base, password: 'wrong' });
    expect((await backend.call('channels.saveEmail', base)).email.secretSaved).toBe(true);
    const result = await backend.call('channels.test', { channel: 'email', to: 'owner@example.com' });
    expect(result).toMatchObject({ outcome: 'refused', code: '535' });
    expect(result.message).toMatch(/^The mail server refused the user name or password/);
  });

  it('WhatsApp and SMS test messages go to the providers set by CONSTINTEL_*_API_URL', async () => {
    backend = await inMemoryBackend();
    await backend.call('settings.update', { defaultCountry: 'GB' });
    const wa = await backend.call('channels.saveWhatsApp', { phoneNumberId: '106540352242922', accessToken: 'EAAx' });
    expect(wa.whatsapp).toMatchObject({ connected: true, phoneNumberId: '106540352242922', secretSaved: true });
    const sent = await backend.call('channels.test', { channel: 'whatsapp', to: '07700 900123' });
    expect(sent).toMatchObject({ outcome: 'accepted', providerId: 'wamid.TEST1' });
    expect(JSON.parse(graph.requests.at(-1)?.body ?? '')).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '447700900123',
      type: 'template',
      template: { name: 'hello_world', language: { code: 'en_US' } },
    });

    await backend.call('channels.saveSms', { accountSid: SID, authToken: 'tok', from: '+15005550006' });
    twilio.answer({
      status: 400,
      json: { code: 21610, message: 'Attempt to send to unsubscribed recipient', status: 400 },
    });
    const refused = await backend.call('channels.test', { channel: 'sms', to: '+447700900123' });
    expect(refused).toMatchObject({ outcome: 'refused', code: '21610' });
    expect(refused.message).toMatch(/replied STOP/);
    expect(await backend.call('channels.test', { channel: 'sms', to: '+447700900123' })).toMatchObject({
      outcome: 'accepted',
      providerId: 'SMtest1',
    });
  });

  it('refuses fields in words', async () => {
    backend = await inMemoryBackend();
    await expect(
      backend.call('channels.saveSms', { accountSid: 'nope', authToken: 't', from: '+15005550006' }),
    ).rejects.toThrow(/Account SID from the Twilio console/);
    await expect(backend.call('channels.saveSms', { accountSid: SID, authToken: 't' })).rejects.toThrow(
      /Give the From number or the Messaging Service SID/,
    );
    await expect(backend.call('channels.saveWhatsApp', { phoneNumberId: '+44 7700 900123' })).rejects.toThrow(
      /Phone number ID/,
    );
  });
});
