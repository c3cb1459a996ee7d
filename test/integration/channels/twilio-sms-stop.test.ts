/**
 * A customer's texts to the shop, end to end through the ingest listener as Twilio posts them (signed over the
 * shop's public address): every text is kept once in `message_in` on the customer who owns the number; STOP opts
 * them out of SMS, so a marketing SMS enqueued afterwards is cancelled with the reason; an undated "yes" (an import,
 * an event) does not undo it; START does; STOPALL opts them out of all three channels; Twilio's own OptOutType is
 * honoured for a word ConstIntel does not know.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { consentOf, recordConsent } from '../../../main/core/channels/consent';
import { enqueueMessage } from '../../../main/core/channels/outbox';
import { TWILIO_SMS_PATH } from '../../../main/core/connections/public-address';
import { messagesInOf } from '../../../main/core/db/repos/message-in';
import { ingestOne } from '../../support/backend';
import { ev } from '../../support/events';
import { inboundSms, twilioShop } from '../../support/twilio-signing';

const ANN_PHONE = '+447700900123';
const ANN_EMAIL = 'ann.lee@example.com';
const shop = twilioShop();
let annId = 0;
const changed: number[] = [];

async function text(from: string, body: string, extra: Record<string, string> = {}) {
  shop.clock.advance(60_000);
  const fields = inboundSms(from, body, extra);
  const response = await shop.post(TWILIO_SMS_PATH, fields);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/xml/);
  expect(await response.text()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
  return fields;
}

const marketing = (channel: 'sms' | 'email' | 'whatsapp') =>
  enqueueMessage(shop.backend.ctx, {
    channel,
    to: channel === 'email' ? ANN_EMAIL : ANN_PHONE,
    subject: channel === 'email' ? 'New teapots' : undefined,
    text: 'New teapots are in: 10% off this week.',
    profileId: annId,
  });

describe('inbound SMS and STOP / START / STOPALL', () => {
  it('a text from a customer is kept once, on them; one from an unknown number on nobody', async () => {
    const { backend } = shop;
    annId = ingestOne(backend, ev({ identifiers: { phone: '07700 900123', email: ANN_EMAIL } })).profileId ?? 0;
    expect(annId).toBeGreaterThan(0);
    backend.ctx.bus.on('profiles.changed', (ids) => changed.push(...ids));
    const now = backend.ctx.clock.now().getTime();
    for (const channel of ['sms', 'email', 'whatsapp'] as const)
      recordConsent(backend.db, { profileId: annId, channel, state: 'yes', source: 'shop', occurredAt: now, now });

    const fields = await text(ANN_PHONE, 'Is the blue teapot back in stock?');
    const again = await shop.post(TWILIO_SMS_PATH, fields);
    expect(again.status).toBe(200);
    expect(messagesInOf(backend.db, annId)).toEqual([
      expect.objectContaining({
        channel: 'sms',
        fromAddress: ANN_PHONE,
        body: 'Is the blue teapot back in stock?',
        providerMessageId: fields.MessageSid,
      }),
    ]);
    expect(
      shop.count("SELECT count(*) FROM webhook_delivery WHERE provider = 'twilio' AND outcome = 'duplicate'"),
    ).toBe(1);
    // An ordinary text is no keyword: consent stays, and nobody's cache needs dropping.
    expect(consentOf(backend.db, annId).sms.state).toBe('yes');
    expect(changed).toEqual([]);

    const stranger = await text('+447700900555', 'STOP');
    expect(
      shop.count(
        'SELECT count(*) FROM message_in WHERE provider_message_id = ? AND profile_id IS NULL',
        stranger.MessageSid,
      ),
    ).toBe(1);
  });

  it('STOP cancels later marketing SMS with the reason; an undated yes does not undo it', async () => {
    const { backend } = shop;
    await text(ANN_PHONE, 'Stop');
    expect(consentOf(backend.db, annId).sms).toMatchObject({
      state: 'opted_out',
      source: 'keyword',
      detail: 'replied “STOP” on SMS',
    });
    expect(changed).toEqual([annId]);
    expect(marketing('sms')).toMatchObject({
      status: 'cancelled',
      reason: expect.stringMatching(/asked to stop SMS messages on 1 Mar 2026 \(replied “STOP” on SMS\)/),
    });
    expect(marketing('email').status).toBe('pending');

    // A later event saying yes without a date (an import, the shop's own system) is not the customer's word.
    shop.clock.advance(60_000);
    ingestOne(backend, ev({ source: 'import', identifiers: { phone: ANN_PHONE }, payload: { smsConsent: true } }));
    expect(
      shop.count(
        'SELECT count(*) FROM consent_event WHERE profile_id = ? AND channel = ? AND occurred_at IS NULL',
        annId,
        'sms',
      ),
    ).toBe(1);
    expect(consentOf(backend.db, annId).sms.state).toBe('opted_out');
    expect(marketing('sms').status).toBe('cancelled');
  });

  it('START opts back in to SMS', async () => {
    await text(ANN_PHONE, 'START');
    expect(consentOf(shop.backend.db, annId).sms).toMatchObject({ state: 'yes', source: 'keyword' });
    expect(marketing('sms')).toMatchObject({ status: 'pending', reason: null });
  });

  it('STOPALL opts out of every channel', async () => {
    await text(ANN_PHONE, 'stopall');
    const consent = consentOf(shop.backend.db, annId);
    expect([consent.sms.state, consent.email.state, consent.whatsapp.state]).toEqual([
      'opted_out',
      'opted_out',
      'opted_out',
    ]);
    for (const channel of ['sms', 'email', 'whatsapp'] as const)
      expect(marketing(channel)).toMatchObject({ status: 'cancelled', reason: expect.stringMatching(/asked to stop/) });
  });

  it('Twilio’s OptOutType counts for a word ConstIntel does not know; HELP changes nothing', async () => {
    const { backend } = shop;
    await text(ANN_PHONE, 'Unstop');
    expect(consentOf(backend.db, annId).sms.state).toBe('yes');
    await text(ANN_PHONE, 'ARRET', { OptOutType: 'STOP' });
    expect(consentOf(backend.db, annId).sms).toMatchObject({ state: 'opted_out', detail: 'replied “STOP” on SMS' });
    await text(ANN_PHONE, 'ARRIBA', { OptOutType: 'START' });
    expect(consentOf(backend.db, annId).sms.state).toBe('yes');
    const before = shop.count('SELECT count(*) FROM consent_event WHERE profile_id = ?', annId);
    await text(ANN_PHONE, 'HELP', { OptOutType: 'HELP' });
    expect(shop.count('SELECT count(*) FROM consent_event WHERE profile_id = ?', annId)).toBe(before);
    expect(shop.count('SELECT count(*) FROM message_in WHERE profile_id = ?', annId)).toBe(8);
  });

  it('the privacy export has the messages to and from them; erasing deletes their texts, a stranger’s stay', async () => {
    const strangers = shop.count('SELECT count(*) FROM message_in WHERE profile_id IS NULL');
    const { path } = await shop.backend.call('customers.exportData', { id: annId });
    const exported = JSON.parse(readFileSync(path, 'utf8')) as {
      customers: { messagesSent: { status: string; reason: string | null }[]; messagesReceived: { body: string }[] }[];
    };
    const [ann] = exported.customers;
    expect(ann?.messagesReceived.length).toBe(
      shop.count('SELECT count(*) FROM message_in WHERE profile_id = ?', annId),
    );
    expect(ann?.messagesReceived).toContainEqual(
      expect.objectContaining({ body: 'Is the blue teapot back in stock?' }),
    );
    expect(ann?.messagesSent.length).toBe(
      shop.count('SELECT count(*) FROM message_outbox WHERE profile_id = ?', annId),
    );
    expect(ann?.messagesSent.length).toBeGreaterThan(0);
    expect(ann?.messagesSent).toContainEqual(expect.objectContaining({ status: 'cancelled' }));
    await shop.backend.call('customers.erase', { id: annId });
    expect(shop.count('SELECT count(*) FROM message_in WHERE from_address = ?', ANN_PHONE)).toBe(0);
    expect(shop.count('SELECT count(*) FROM message_in')).toBe(strangers);
  });

  it('a text kept on nobody, from a number that later becomes a customer’s, goes when that customer is erased', async () => {
    const BEN_PHONE = '+447700900456';
    await text(BEN_PHONE, 'Do you deliver to Leeds?');
    expect(shop.count('SELECT count(*) FROM message_in WHERE from_address = ? AND profile_id IS NULL', BEN_PHONE)).toBe(
      1,
    );
    const benId = ingestOne(shop.backend, ev({ identifiers: { phone: '07700 900456' } })).profileId ?? 0;
    expect(benId).toBeGreaterThan(0);
    const others = shop.count('SELECT count(*) FROM message_in WHERE from_address <> ?', BEN_PHONE);
    await shop.backend.call('customers.erase', { id: benId });
    expect(shop.count('SELECT count(*) FROM message_in WHERE from_address = ?', BEN_PHONE)).toBe(0);
    expect(shop.count('SELECT count(*) FROM message_in')).toBe(others);
  });
});
