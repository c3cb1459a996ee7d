/**
 * SMS through Twilio against a local fake in Twilio's format: the form-encoded request with Basic auth, the SM sid on
 * 201, 21610 (the customer replied STOP) refused with its code for the consent rules, 401, 429, and a request taken
 * and never answered (unknown after the timeout).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSmsSender } from '../../../main/core/channels/sms';
import type { OutgoingMessage } from '../../../main/core/channels/types';
import { type ProviderFake, providerFake } from '../../support/provider-fakes';

const SID = `AC${'a1'.repeat(16)}`;
const sms: OutgoingMessage = {
  channel: 'sms',
  to: '+447700900123',
  text: 'Hello Ann, 10% off this week.',
  outboxId: 3,
};
const twilioError = (status: number, code: number, message: string) => ({
  status,
  json: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
});

let twilio: ProviderFake;
beforeEach(async () => {
  twilio = await providerFake(() => ({
    status: 201,
    json: { sid: 'SM0123456789abcdef0123456789abcdef', status: 'queued', to: '+447700900123', num_segments: '1' },
  }));
});
afterEach(() => twilio.close());

const sender = (extra: { messagingServiceSid?: string; timeoutMs?: number } = {}) =>
  createSmsSender(
    {
      accountSid: SID,
      authToken: 'tok',
      ...(extra.messagingServiceSid ? { messagingServiceSid: extra.messagingServiceSid } : { from: '+15005550006' }),
    },
    { baseUrl: twilio.url, timeoutMs: extra.timeoutMs },
  );

describe('Twilio SMS sender', () => {
  it('posts the form with Basic auth and answers the message sid', async () => {
    expect(await sender().send(sms)).toEqual({ outcome: 'accepted', providerId: 'SM0123456789abcdef0123456789abcdef' });
    const [request] = twilio.requests;
    expect(request?.url).toBe(`/2010-04-01/Accounts/${SID}/Messages.json`);
    expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request?.headers.authorization).toBe(`Basic ${Buffer.from(`${SID}:tok`).toString('base64')}`);
    expect(Object.fromEntries(new URLSearchParams(request?.body))).toEqual({
      To: '+447700900123',
      Body: 'Hello Ann, 10% off this week.',
      From: '+15005550006',
    });
  });

  it('sends through a Messaging Service when one is set', async () => {
    const service = `MG${'b2'.repeat(16)}`;
    await sender({ messagingServiceSid: service }).send(sms);
    const form = new URLSearchParams(twilio.requests[0]?.body);
    expect(form.get('MessagingServiceSid')).toBe(service);
    expect(form.has('From')).toBe(false);
  });

  it('21610 (the customer replied STOP) is refused with its code, never retried', async () => {
    twilio.answer(twilioError(400, 21610, 'Attempt to send to unsubscribed recipient'));
    const result = await sender().send(sms);
    expect(result).toMatchObject({ outcome: 'refused', retry: false, code: '21610' });
    expect(result.outcome === 'refused' && result.reason).toMatch(/replied STOP.*unsubscribed recipient/);
  });

  it('401 says the SID or auth token was refused', async () => {
    twilio.answer(twilioError(401, 20003, 'Authenticate'));
    const result = await sender().send(sms);
    expect(result).toMatchObject({ outcome: 'refused', retry: false, code: '20003' });
    expect(result.outcome === 'refused' && result.reason).toMatch(/account SID or auth token/);
  });

  it('429 is refused and retried', async () => {
    twilio.answer(twilioError(429, 20429, 'Too Many Requests'));
    expect(await sender().send(sms)).toMatchObject({ outcome: 'refused', retry: true, code: '20429' });
  });

  it('a request taken and never answered is unknown after the timeout', async () => {
    twilio.answer('hang');
    expect((await sender({ timeoutMs: 300 }).send(sms)).outcome).toBe('unknown');
  });
});
