/**
 * "Send a message" by email, end to end against a real SMTP server on loopback: a template's fields are filled with
 * the customer's values (fallbacks named where a value is missing), the marketing mail carries the RFC 8058
 * unsubscribe headers, the shop's public address makes {{unsubscribe_link}} the https link, and a refusal (no yes,
 * no address, a service email) says why and writes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../../main/core/backend';
import { recordConsent } from '../../../main/core/channels/consent';
import { outboxOf } from '../../../main/core/channels/outbox-worker';
import { savePublicUrl } from '../../../main/core/connections/public-address';
import { queryOutbox } from '../../../main/core/db/repos/message-outbox';
import { mergeProfiles } from '../../../main/core/identity/merge';
import { ingestOne, tempDir, testBackend } from '../../support/backend';
import { ev } from '../../support/events';
import { type SmtpPeer, smtpPeer } from '../../support/provider-fakes';

let backend: Backend;
let smtp: SmtpPeer;
let ann: number;
let bob: number;
let templateId: number;
const dir = tempDir();

beforeAll(async () => {
  smtp = await smtpPeer();
  backend = await testBackend({ dataDir: dir.path });
  await backend.call('settings.update', { brandName: 'Corner Shop', timeZone: 'Europe/London', defaultCountry: 'GB' });
  await backend.call('channels.saveEmail', {
    host: '127.0.0.1',
    port: smtp.port,
    security: 'none',
    fromAddress: 'hello@corner-shop.test',
    fromName: 'Corner Shop',
  });
  const now = backend.ctx.clock.now().getTime();
  ann = ingestOne(
    backend,
    ev({
      type: 'purchase',
      identifiers: { email: 'ann@example.com' },
      payload: { total: 12, currency: 'GBP', firstName: 'Ann', items: [{ title: 'Coffee beans 1kg', quantity: 1 }] },
    }),
  ).profileId as number;
  bob = ingestOne(backend, ev({ identifiers: { email: 'bob@example.com' } })).profileId as number;
  recordConsent(backend.db, { profileId: ann, channel: 'email', state: 'yes', source: 'shop', occurredAt: now, now });
  const { template } = await backend.call('templates.save', {
    template: {
      name: 'Come back',
      channel: 'email',
      subject: '{{first_name}}, we miss you at {{shop_name}}',
      body: 'Hello {{first_name}}! Your {{last_product}} must be running low. Try {{recommended_product}}. {{unsubscribe_link}}',
    },
  });
  templateId = template.id;
});
afterAll(async () => {
  await backend.close();
  await smtp.close();
  dir.remove();
});

describe('sending an email from a template', () => {
  it('previews it for the customer, naming the fields that fell back, with what will happen', async () => {
    const preview = await backend.call('messages.preview', { profileId: ann, channel: 'email', templateId });
    expect(preview).toMatchObject({
      to: 'ann@example.com',
      channel: 'email',
      kind: 'marketing',
      subject: 'Ann, we miss you at Corner Shop',
      whatsappTemplate: null,
      cost: null,
      verdict: { status: 'pending', reason: null },
    });
    expect(preview.text).toBe(
      'Hello Ann! Your Coffee beans 1kg must be running low. Try something new we think you will like. reply “unsubscribe” to stop these messages',
    );
    expect(preview.fellBack).toEqual(['recommended_product', 'unsubscribe_link']);
  });

  it('sends it through the SMTP server with the fields filled and the List-Unsubscribe headers', async () => {
    savePublicUrl(backend.db, 'https://shop.example.net', backend.ctx.clock.now().getTime());
    await backend.call('templates.saveFallbacks', { fallbacks: { recommended_product: 'our new espresso' } });
    const { message, verdict } = await backend.call('messages.send', { profileId: ann, channel: 'email', templateId });
    expect(verdict.status).toBe('pending');
    expect(message).toMatchObject({
      channel: 'email',
      recipient: 'ann@example.com',
      kind: 'marketing',
      customerName: 'Ann',
    });
    await outboxOf(backend.ctx).drain();
    expect(queryOutbox(backend.db, { limit: 1 })[0]?.status).toBe('sent');
    expect(smtp.mails).toHaveLength(1);
    const raw = smtp.mails[0]?.raw.replace(/=\r?\n/g, '') ?? '';
    expect(smtp.mails[0]?.to).toEqual(['ann@example.com']);
    expect(raw).toMatch(/^Subject: Ann, we miss you at Corner Shop\r?$/m);
    expect(raw).toContain('Hello Ann! Your Coffee beans 1kg must be running low. Try our new espresso.');
    expect(raw).toMatch(/https:\/\/shop\.example\.net\/u\/\d+\.[A-Za-z0-9_-]{32}/);
    expect(raw).toMatch(
      /^List-Unsubscribe:\s*<https:\/\/shop\.example\.net\/u\/[^>]+>,\s*<mailto:hello@corner-shop\.test\?subject=unsubscribe>/m,
    );
    expect(raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
    expect(raw).not.toMatch(/\{\{|\}\}|undefined|null/);
  });

  it('refuses, with the reason, a customer who has not said yes, and a service email; nothing is written', async () => {
    const before = queryOutbox(backend.db, { limit: 100 }).length;
    await expect(backend.call('messages.send', { profileId: bob, channel: 'email', templateId })).rejects.toMatchObject(
      {
        kind: 'validation',
        message: expect.stringMatching(/has not said yes to offers by email/),
      },
    );
    await expect(
      backend.call('messages.send', { profileId: ann, channel: 'email', text: 'Your order is ready', kind: 'service' }),
    ).rejects.toThrow(/A service email cannot be sent from ConstIntel/);
    await expect(backend.call('messages.send', { profileId: ann, channel: 'sms', text: 'Hi' })).rejects.toThrow(
      /SMS is not connected/,
    );
    expect(queryOutbox(backend.db, { limit: 100 })).toHaveLength(before);
    const preview = await backend.call('messages.preview', { profileId: bob, channel: 'email', templateId });
    expect(preview.verdict).toMatchObject({ status: 'refused', reason: expect.stringMatching(/not said yes/) });
  });

  it('lists each channel for the customer: connected, where to, consent, allowed and why not', async () => {
    const { channels } = await backend.call('messages.options', { profileId: ann });
    expect(channels.map((c) => [c.channel, c.connected, c.to, c.consent, c.allowed])).toEqual([
      ['email', true, 'ann@example.com', 'yes', true],
      ['sms', false, null, 'unknown', false],
      ['whatsapp', false, null, 'unknown', false],
    ]);
    expect(channels[0]?.templates).toEqual([{ id: templateId, name: 'Come back' }]);
    expect(channels[0]?.service).toMatchObject({ allowed: false, reason: expect.stringMatching(/service email/) });
    expect(channels[1]?.reason).toMatch(/SMS is not connected/);
  });

  it('a merged-away customer number reaches the customer it was merged into', async () => {
    const other = ingestOne(backend, ev({ identifiers: { phone: '+447700900555' } })).profileId as number;
    const { baseId, mergedIds } = mergeProfiles(backend.db, {
      brandId: 1,
      profileIds: [ann, other],
      reason: 'review',
      evidence: [],
      now: backend.ctx.clock.now().getTime(),
    });
    const away = mergedIds[0] as number;
    const preview = await backend.call('messages.preview', { profileId: away, channel: 'email', templateId });
    expect(preview).toMatchObject({ to: 'ann@example.com', subject: 'Ann, we miss you at Corner Shop' });
    const { message } = await backend.call('messages.send', { profileId: away, channel: 'email', templateId });
    expect(message.profileId).toBe(baseId);
    await expect(backend.call('messages.options', { profileId: 999_999 })).rejects.toThrow(/no customer #999999/);
  });
});
