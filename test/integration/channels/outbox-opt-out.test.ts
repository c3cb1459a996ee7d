/**
 * A provider's "this customer opted out" answer, through the real Twilio sender against a fake speaking Twilio's
 * format: 21610 (the customer replied STOP to the shop's number) fails the message and records the opt-out, so the
 * next message on SMS is cancelled with the reason — a service one too — while email is untouched.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { consentOf, recordConsent } from '../../../main/core/channels/consent';
import { enqueueMessage } from '../../../main/core/channels/outbox';
import { configureOutbox } from '../../../main/core/channels/outbox-worker';
import { createSmsSender } from '../../../main/core/channels/sms';
import { fixedClock } from '../../../main/core/clock';
import { outboxRow } from '../../../main/core/db/repos/message-outbox';
import { ingestOne, testBackend } from '../../support/backend';
import { ev } from '../../support/events';
import { type ProviderFake, providerFake } from '../../support/provider-fakes';

const UK = '+447700900123';
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

describe('a provider’s opt-out answer', () => {
  it('Twilio 21610 fails the message and records the customer’s SMS opt-out; later SMS is cancelled', async () => {
    const twilio: ProviderFake = await providerFake(() => ({
      status: 400,
      json: { code: 21610, message: 'Attempt to send to unsubscribed recipient', status: 400 },
    }));
    const backend = await testBackend({
      dataDir: '/nonexistent-in-memory',
      databaseFile: ':memory:',
      clock: fixedClock('2026-03-02T12:00:00Z'),
    });
    cleanup.push(
      () => twilio.close(),
      () => backend.close(),
    );
    await backend.call('settings.update', { timeZone: 'Europe/London' });
    const sender = createSmsSender(
      { accountSid: `AC${'a1'.repeat(16)}`, authToken: 'tok', from: '+15005550006' },
      { baseUrl: twilio.url },
    );
    const worker = configureOutbox(backend.ctx, { senderFor: (channel) => (channel === 'sms' ? sender : undefined) });
    const profileId = ingestOne(backend, ev({ identifiers: { phone: UK, email: 'ann@example.com' } })).profileId;
    if (profileId === null) throw new Error('no profile');
    const now = Date.parse('2026-03-02T11:00:00Z');
    for (const channel of ['sms', 'email'] as const)
      recordConsent(backend.db, { profileId, channel, state: 'yes', source: 'shop', occurredAt: now, now });

    const { id } = enqueueMessage(backend.ctx, { channel: 'sms', to: UK, text: '10% off this week', profileId });
    await worker.drain();
    expect(outboxRow(backend.db, id)).toMatchObject({ status: 'failed' });
    expect(outboxRow(backend.db, id)?.statusReason).toMatch(/\[21610\]/);
    expect(twilio.requests).toHaveLength(1);

    const consent = consentOf(backend.db, profileId);
    expect(consent.sms.state).toBe('opted_out');
    expect(consent.email.state).toBe('yes');
    const next = enqueueMessage(backend.ctx, {
      channel: 'sms',
      to: UK,
      text: 'Your order',
      profileId,
      kind: 'service',
    });
    expect(next).toMatchObject({ status: 'cancelled', reason: expect.stringMatching(/asked to stop SMS messages/) });
    await worker.drain();
    expect(twilio.requests).toHaveLength(1);
  });
});
