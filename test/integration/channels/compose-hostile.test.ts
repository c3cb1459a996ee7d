/**
 * Customers whose data is hostile (names and products such as "null", "undefined", "{{last_product}}", NUL, half
 * emoji, 20,000 characters) get messages with the shop's fallbacks instead: what the outbox keeps to send never holds
 * `{{`, `}}`, "undefined" or "null". And SMS: a service reply is allowed only within 24 hours of the customer's
 * own text (a `message_in` row), refused after with the reason.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../../main/core/backend';
import { recordConsent } from '../../../main/core/channels/consent';
import { configureOutbox } from '../../../main/core/channels/outbox-worker';
import type { ChannelSender } from '../../../main/core/channels/types';
import { fixedClock } from '../../../main/core/clock';
import { outboxRow } from '../../../main/core/db/repos/message-outbox';
import { stmt } from '../../../main/core/db/statements';
import { ingestEvents } from '../../../main/core/ingest/ingest-service';
import { eventInputSchema } from '../../../shared/events';
import { TEST_NOW, tempDir, testBackend } from '../../support/backend';
import { longText, weirdText } from '../../support/hostile-values';

let backend: Backend;
const clock = fixedClock(TEST_NOW);
const dir = tempDir();
const sink: (ChannelSender & { channel: 'email' | 'sms' })[] = (['email', 'sms'] as const).map((channel) => ({
  channel,
  send: async () => ({ outcome: 'accepted', providerId: null }),
}));

beforeAll(async () => {
  backend = await testBackend({ dataDir: dir.path, clock });
  await backend.call('settings.update', { brandName: 'Corner Shop', defaultCountry: 'GB', timeZone: 'Europe/London' });
  configureOutbox(backend.ctx, { senderFor: (c) => sink.find((s) => s.channel === c) });
});
afterAll(async () => {
  await backend.close();
  dir.remove();
});

let n = 0;
function customer(firstName: string, product: string): number | undefined {
  n += 1;
  const parsed = eventInputSchema.safeParse({
    type: 'purchase',
    externalId: `hostile-${n}`,
    occurredAt: '2026-02-01T10:00:00Z',
    identifiers: { email: `c${n}@example.com`, phone: `+4477009${String(n).padStart(5, '0')}` },
    payload: { total: 5, currency: 'GBP', firstName, items: [{ title: product, quantity: 1 }] },
  });
  if (!parsed.success) return undefined;
  const [result] = ingestEvents(backend.ctx, [parsed.data]);
  const id = result?.profileId ?? undefined;
  if (id === undefined || id === null) return undefined;
  const now = clock.now().getTime();
  recordConsent(backend.db, { profileId: id, channel: 'email', state: 'yes', source: 'shop', occurredAt: now, now });
  return id;
}

describe('hostile customer data', () => {
  it('never reaches a message: fallbacks fill in, and nothing like {{…}}, "undefined" or "null" is sent', async () => {
    const { template } = await backend.call('templates.save', {
      template: {
        name: 'Hostile',
        channel: 'email',
        subject: '{{first_name}}: {{last_product}}',
        body: 'Dear {{first_name}}, thanks for {{last_product}} from {{shop_name}}. {{recommended_product}} {{unsubscribe_link}}',
      },
    });
    const value = fc.oneof(weirdText, longText, fc.constantFrom('{{last_product}}', '}}{{', 'Ann}}'), fc.string());
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(value, value, async (name, product) => {
        const profileId = customer(name, product);
        if (profileId === undefined) return;
        const { message } = await backend.call('messages.send', {
          profileId,
          channel: 'email',
          templateId: template.id,
        });
        const body = outboxRow(backend.db, message.id)?.body;
        for (const text of [body?.text ?? '', body?.subject ?? '', message.summary])
          expect(text).not.toMatch(/\{\{|\}\}|undefined|null/i);
        sent += 1;
      }),
      { numRuns: 60 },
    );
    expect(sent).toBeGreaterThan(20);
    const plain = customer('null', 'undefined') as number;
    const preview = await backend.call('messages.preview', {
      profileId: plain,
      channel: 'email',
      templateId: template.id,
    });
    expect(preview.text).toMatch(/^Dear there, thanks for your last order from Corner Shop\./);
    expect(preview.fellBack).toEqual(['first_name', 'last_product', 'recommended_product', 'unsubscribe_link']);
  });
});

describe('SMS service replies', () => {
  it('go only within 24 hours of the customer’s own text', async () => {
    const profileId = customer('Ann', 'Tea') as number;
    const { db } = backend;
    const service = {
      profileId,
      channel: 'sms' as const,
      text: 'Your order is ready, {{first_name}}',
      kind: 'service' as const,
    };
    await expect(backend.call('messages.send', service)).rejects.toThrow(
      /only a reply inside the customer's own conversation.*never written to the shop on SMS/,
    );
    stmt(
      db,
      `INSERT INTO message_in (brand_id, profile_id, channel, from_address, body, provider_message_id, received_at)
       VALUES (1, ?, 'sms', '+447700900999', 'Is it ready?', 'SM-in-1', ?)`,
    ).run(profileId, clock.now().getTime());
    clock.advance(60_000);
    const { channels } = await backend.call('messages.options', { profileId });
    expect(channels.find((c) => c.channel === 'sms')?.service).toEqual({ allowed: true, reason: null });
    const { message, verdict } = await backend.call('messages.send', service);
    expect(verdict.status).toBe('pending');
    expect(message).toMatchObject({ kind: 'service', channel: 'sms', summary: 'Your order is ready, Ann' });
    await expect(
      backend.call('messages.send', { ...service, text: `${'x'.repeat(1600)} {{first_name}}` }),
    ).rejects.toThrow(
      /SMS messages can be at most 1,600 characters; with the fields filled this one has 1,604\. Shorten it/,
    );
    clock.advance(24 * 3_600_000);
    await expect(backend.call('messages.send', service)).rejects.toThrow(/more than 24 hours ago/);
  });
});
