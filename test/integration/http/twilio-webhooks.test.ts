/**
 * Twilio's webhooks on the ingest listener. The signature is Twilio's published example first, then the status
 * callback end to end: an SMS sent through the outbox to a fake speaking Twilio's REST format asks for its status
 * callback at the shop's public address, and Twilio's callbacks — signed over that public URL while the request
 * arrives on loopback, as through a tunnel — move it to delivered, or failed with the reason in words; 21610 also
 * opts the customer out. A wrong signature (one over the loopback URL included) is 401 and changes nothing; with no
 * public address or no auth token the listener cannot check anything and refuses, saying why in the delivery log.
 */
import { describe, expect, it } from 'vitest';
import { SECRET_NAMES } from '../../../main/core/channels/channel-settings';
import { consentOf, recordConsent } from '../../../main/core/channels/consent';
import { enqueueMessage } from '../../../main/core/channels/outbox';
import { outboxOf } from '../../../main/core/channels/outbox-worker';
import { TWILIO_SMS_PATH, TWILIO_STATUS_PATH } from '../../../main/core/connections/public-address';
import { outboxRow } from '../../../main/core/db/repos/message-outbox';
import { twilioSignature } from '../../../main/core/http/twilio-receiver';
import { ingestOne } from '../../support/backend';
import { ev } from '../../support/events';
import {
  inboundSms,
  PUBLIC_URL,
  signTwilio,
  statusCallback,
  TWILIO_AUTH_TOKEN,
  twilioShop,
} from '../../support/twilio-signing';

const shop = twilioShop();
const BEA = '+447700900321';
let beaId = 0;

/** Sends one marketing SMS to Bea through the outbox and the Twilio fake; answers its row id and Twilio sid. */
async function sendSms(text: string): Promise<{ id: number; sid: string }> {
  const { id } = enqueueMessage(shop.backend.ctx, { channel: 'sms', to: BEA, text, profileId: beaId });
  await outboxOf(shop.backend.ctx).drain();
  const row = outboxRow(shop.backend.db, id);
  expect(row).toMatchObject({ status: 'sent' });
  return { id, sid: row?.providerMessageId ?? '' };
}
const lastLog = () =>
  shop.backend.db.sqlite
    .prepare("SELECT topic, outcome, detail FROM webhook_delivery WHERE provider = 'twilio' ORDER BY id DESC LIMIT 1")
    .get() as { topic: string; outcome: string; detail: string };

describe('the X-Twilio-Signature', () => {
  it('matches Twilio’s published example, in the app and in the tests’ own copy', () => {
    const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
    const fields = {
      CallSid: 'CA1234567890ABCDE',
      Caller: '+14158675309',
      Digits: '1234',
      From: '+14158675309',
      To: '+18005551212',
    };
    expect(twilioSignature('12345', url, Object.entries(fields))).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
    expect(signTwilio('12345', url, fields)).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
  });
});

describe('status callbacks', () => {
  it('each SMS send asks Twilio for its status callback at the public address', async () => {
    const { backend } = shop;
    beaId = ingestOne(backend, ev({ identifiers: { phone: BEA } })).profileId ?? 0;
    const now = backend.ctx.clock.now().getTime();
    recordConsent(backend.db, { profileId: beaId, channel: 'sms', state: 'yes', source: 'shop', occurredAt: now, now });
    await sendSms('Hello Bea');
    const form = new URLSearchParams(shop.twilio.requests.at(-1)?.body);
    expect(form.get('StatusCallback')).toBe(`${PUBLIC_URL}/webhooks/twilio/status`);
    expect(form.get('To')).toBe(BEA);
  });

  it('queued and sent leave the row; delivered moves it on; a repeat changes nothing', async () => {
    const { id, sid } = await sendSms('Your order is ready');
    for (const status of ['queued', 'sent']) {
      expect((await shop.post(TWILIO_STATUS_PATH, statusCallback(sid, status, BEA))).status).toBe(200);
      expect(outboxRow(shop.backend.db, id)?.status).toBe('sent');
    }
    const delivered = await shop.post(TWILIO_STATUS_PATH, statusCallback(sid, 'delivered', BEA));
    expect(delivered.status).toBe(200);
    expect(outboxRow(shop.backend.db, id)).toMatchObject({ status: 'delivered', statusReason: null });
    expect(lastLog()).toEqual({ topic: 'status', outcome: 'accepted', detail: `message #${id} delivered` });
    await shop.post(TWILIO_STATUS_PATH, statusCallback(sid, 'delivered', BEA));
    expect(lastLog().outcome).toBe('duplicate');
  });

  it('undelivered and failed fail the row with Twilio’s code in words', async () => {
    const cases = [
      ['undelivered', '30006', /landline or cannot receive texts \(30006\)/],
      ['failed', '30003', /could not be reached: it may be switched off/],
      ['undelivered', '30007', /filtered the message out/],
      ['failed', '30005', /unknown to the mobile network/],
      ['undelivered', '30008', /gave no reason \(30008\)/],
      ['failed', '99999', /Twilio could not deliver it \(error 99999/],
    ] as const;
    for (const [status, code, words] of cases) {
      const { id, sid } = await sendSms(`Offer ${code}`);
      expect((await shop.post(TWILIO_STATUS_PATH, statusCallback(sid, status, BEA, code))).status).toBe(200);
      const row = outboxRow(shop.backend.db, id);
      expect(row?.status).toBe('failed');
      expect(row?.statusReason).toMatch(words);
    }
    expect(consentOf(shop.backend.db, beaId).sms.state).toBe('yes');
  });

  it('a wrong signature — one over the loopback URL too — is 401 and changes nothing', async () => {
    const { id, sid } = await sendSms('Hello again');
    const fields = statusCallback(sid, 'delivered', BEA);
    const loopback = `${shop.backend.runtime.ingest.url}${TWILIO_STATUS_PATH}`;
    const attempts = [
      signTwilio(TWILIO_AUTH_TOKEN, loopback, fields),
      signTwilio('another-token', `${PUBLIC_URL}${TWILIO_STATUS_PATH}`, fields),
      signTwilio(TWILIO_AUTH_TOKEN, `${PUBLIC_URL}${TWILIO_STATUS_PATH}`, { ...fields, MessageStatus: 'failed' }),
      null,
    ];
    for (const signature of attempts) {
      const response = await shop.post(TWILIO_STATUS_PATH, fields, signature);
      expect(response.status).toBe(401);
      expect(outboxRow(shop.backend.db, id)?.status).toBe('sent');
      expect(lastLog()).toMatchObject({ outcome: 'bad_signature' });
    }
    expect(lastLog().detail).toBe('no signature');
    // A query string Twilio called is part of what it signed.
    const withQuery = `${TWILIO_STATUS_PATH}?shop=1`;
    const signed = signTwilio(TWILIO_AUTH_TOKEN, `${PUBLIC_URL}${withQuery}`, fields);
    expect((await shop.post(withQuery, fields, signed)).status).toBe(200);
    expect(outboxRow(shop.backend.db, id)?.status).toBe('delivered');
  });

  it('21610 fails the message and records the customer’s SMS opt-out', async () => {
    const { id, sid } = await sendSms('Last chance');
    const changed: number[] = [];
    const off = shop.backend.ctx.bus.on('profiles.changed', (ids) => changed.push(...ids));
    await shop.post(TWILIO_STATUS_PATH, statusCallback(sid, 'failed', BEA, '21610'));
    off();
    expect(outboxRow(shop.backend.db, id)).toMatchObject({
      status: 'failed',
      statusReason: expect.stringMatching(/replied STOP .*\(21610\)/),
    });
    expect(consentOf(shop.backend.db, beaId).sms).toMatchObject({ state: 'opted_out', source: 'provider' });
    expect(changed).toEqual([beaId]);
  });

  it('a body that is not a status callback is 400, one far bigger than Twilio sends 413, both logged', async () => {
    expect((await shop.post(TWILIO_STATUS_PATH, { MessageSid: 'nope' })).status).toBe(400);
    expect(lastLog()).toMatchObject({ outcome: 'invalid' });
    expect((await shop.post(TWILIO_STATUS_PATH, { Body: 'x'.repeat(100_000) })).status).toBe(413);
    expect(lastLog()).toMatchObject({ outcome: 'too_large', detail: 'body over 64 KB' });
  });
});

describe('without what is needed to check a signature', () => {
  it('no auth token: 401, and the log says Twilio is not connected', async () => {
    const token = shop.backend.ctx.secrets.get(SECRET_NAMES.sms) ?? '';
    shop.backend.ctx.secrets.delete(SECRET_NAMES.sms);
    const response = await shop.post(TWILIO_SMS_PATH, inboundSms(BEA, 'START'));
    expect(response.status).toBe(401);
    expect(lastLog()).toMatchObject({
      topic: 'sms',
      outcome: 'bad_signature',
      detail: expect.stringMatching(/no Twilio auth token/),
    });
    shop.backend.ctx.secrets.set(SECRET_NAMES.sms, token);
  });

  it('no public address: 403, nothing stored, and the log says why', async () => {
    await shop.backend.call('connections.savePublicAddress', { url: '' });
    const before = shop.count('SELECT count(*) FROM message_in');
    const response = await shop.post(TWILIO_SMS_PATH, inboundSms(BEA, 'START'));
    expect(response.status).toBe(403);
    expect(shop.count('SELECT count(*) FROM message_in')).toBe(before);
    expect(consentOf(shop.backend.db, beaId).sms.state).toBe('opted_out');
    expect(lastLog().detail).toMatch(/no public address is set/);
    // And sends no longer ask for a callback nobody could check.
    recordConsent(shop.backend.db, {
      profileId: beaId,
      channel: 'sms',
      state: 'yes',
      source: 'shop',
      occurredAt: shop.clock.now().getTime() + 1,
      now: shop.clock.now().getTime() + 1,
    });
    await sendSms('No callback');
    expect(new URLSearchParams(shop.twilio.requests.at(-1)?.body).has('StatusCallback')).toBe(false);
  });
});
