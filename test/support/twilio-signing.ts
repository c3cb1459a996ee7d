/**
 * Twilio's side of its webhooks, for the tests that post them: the X-Twilio-Signature as Twilio computes it (written
 * here again from Twilio's description, not imported from the app, so a mistake in one is caught by the other), and
 * a signed form POST to the ingest listener whose signature covers the shop's public URL — the address Twilio
 * called — while the request itself goes to the loopback listener, as it does through a tunnel.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import type { Backend } from '../../main/core/backend';
import { fixedClock } from '../../main/core/clock';
import { TEST_NOW, tempDir, testBackend } from './backend';
import { type ProviderFake, providerFake } from './provider-fakes';

export const TWILIO_AUTH_TOKEN = 'twilio-auth-token-5f1c9e2a7b';
export const TWILIO_ACCOUNT_SID = `AC${'c3'.repeat(16)}`;
export const SHOP_SMS_NUMBER = '+15005550006';

/** base64 HMAC-SHA1 of the URL followed by each field's name and value, sorted by name. */
export function signTwilio(authToken: string, url: string, fields: Record<string, string>): string {
  const data =
    url +
    Object.keys(fields)
      .sort()
      .map((name) => `${name}${fields[name]}`)
      .join('');
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf-8')).digest('base64');
}

/** A fresh Twilio message sid (SM + 32 hex digits). */
let sids = 0;
export const messageSid = () =>
  `SM${(Date.now().toString(16) + (++sids).toString(16).padStart(8, '0')).padStart(32, '0')}`;

export interface TwilioPost {
  /** The ingest listener's loopback address (where the request really goes). */
  ingestUrl: string;
  /** The shop's public address (what the signature covers). */
  publicUrl: string;
  path: string;
  fields: Record<string, string>;
  /** Defaults to a correct signature over the public URL; a string replaces it; null sends none. */
  signature?: string | null;
  authToken?: string;
}

export function postTwilio(post: TwilioPost): Promise<Response> {
  const signature =
    post.signature === undefined
      ? signTwilio(post.authToken ?? TWILIO_AUTH_TOKEN, `${post.publicUrl}${post.path}`, post.fields)
      : post.signature;
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (signature !== null) headers['x-twilio-signature'] = signature;
  return fetch(`${post.ingestUrl}${post.path}`, {
    method: 'POST',
    headers,
    body: new URLSearchParams(post.fields).toString(),
  });
}

/** The fields of an inbound SMS as Twilio posts them to the shop's "A message comes in" URL. */
export function inboundSms(from: string, body: string, extra: Record<string, string> = {}): Record<string, string> {
  const sid = messageSid();
  return {
    ToCountry: 'US',
    SmsMessageSid: sid,
    NumMedia: '0',
    SmsSid: sid,
    SmsStatus: 'received',
    Body: body,
    To: SHOP_SMS_NUMBER,
    NumSegments: '1',
    MessageSid: sid,
    AccountSid: TWILIO_ACCOUNT_SID,
    From: from,
    ApiVersion: '2010-04-01',
    ...extra,
  };
}

/** The fields of a status callback for a message the shop sent. */
export function statusCallback(sid: string, status: string, to: string, errorCode?: string): Record<string, string> {
  return {
    SmsSid: sid,
    SmsStatus: status,
    MessageStatus: status,
    To: to,
    MessageSid: sid,
    AccountSid: TWILIO_ACCOUNT_SID,
    From: SHOP_SMS_NUMBER,
    ApiVersion: '2010-04-01',
    ...(errorCode ? { ErrorCode: errorCode } : {}),
  };
}

/**
 * A listening shop (temp data folder, UK numbers, a clock the test moves) with SMS connected through Twilio and a
 * public address set. `post` sends a signed Twilio webhook to it. Registers its own beforeAll/afterAll.
 */
export const PUBLIC_URL = 'https://corner-shop.trycloudflare.com';

export interface TwilioShop {
  readonly backend: Backend;
  readonly clock: ReturnType<typeof fixedClock>;
  /** The fake Twilio REST API the shop sends through (CONSTINTEL_TWILIO_API_URL). */
  readonly twilio: ProviderFake;
  /** Posts a signed Twilio webhook (signature over PUBLIC_URL + path unless told otherwise). */
  post(path: string, fields: Record<string, string>, signature?: string | null): Promise<Response>;
  count(sql: string, ...params: unknown[]): number;
}

export function twilioShop(): TwilioShop {
  let backend: Backend | undefined;
  let twilio: ProviderFake | undefined;
  const clock = fixedClock(TEST_NOW);
  const dir = tempDir();
  const previousApi = process.env.CONSTINTEL_TWILIO_API_URL;
  let sent = 0;
  const running = (): Backend => {
    if (!backend) throw new Error('the shop starts in beforeAll');
    return backend;
  };
  beforeAll(async () => {
    twilio = await providerFake(() => {
      sent += 1;
      return { status: 201, json: { sid: `SM${sent.toString(16).padStart(32, 'a')}`, status: 'queued' } };
    });
    process.env.CONSTINTEL_TWILIO_API_URL = twilio.url;
    backend = await testBackend({ dataDir: dir.path, listen: true, uiPort: 0, ingestPort: 0, clock });
    await backend.call('settings.update', {
      defaultCountry: 'GB',
      currency: 'GBP',
      timeZone: 'Europe/London',
      sendRates: { email: 100, sms: 100, whatsapp: 100 },
    });
    await backend.call('channels.saveSms', {
      accountSid: TWILIO_ACCOUNT_SID,
      authToken: TWILIO_AUTH_TOKEN,
      from: SHOP_SMS_NUMBER,
    });
    await backend.call('connections.savePublicAddress', { url: PUBLIC_URL });
  });
  afterAll(async () => {
    if (previousApi === undefined) delete process.env.CONSTINTEL_TWILIO_API_URL;
    else process.env.CONSTINTEL_TWILIO_API_URL = previousApi;
    await backend?.close();
    await twilio?.close();
    dir.remove();
  });
  return {
    get backend() {
      return running();
    },
    clock,
    get twilio() {
      if (!twilio) throw new Error('the fake starts in beforeAll');
      return twilio;
    },
    post: (path, fields, signature) =>
      postTwilio({ ingestUrl: running().runtime.ingest.url ?? '', publicUrl: PUBLIC_URL, path, fields, signature }),
    count: (sql, ...params) =>
      running()
        .db.sqlite.prepare(sql)
        .pluck()
        .get(...params) as number,
  };
}
