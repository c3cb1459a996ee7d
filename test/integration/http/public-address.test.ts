/**
 * Settings → Connections, the shop's public address: saved with its problems in words, cleared, and the features
 * built on it each on or off with why. "Check it reaches this PC" goes through a real https tunnel on loopback (a
 * self-signed certificate the check is told to trust) to the ingest listener's reach-check route and back; every
 * other outcome — a TLS problem, another server, a ConstIntel that is not this one, a tunnel with nothing behind
 * it, refused, a name that does not exist, no answer — is said in words.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../../main/core/backend';
import { NO_PUBLIC_ADDRESS, TWILIO_NOT_CONNECTED } from '../../../main/core/connections/public-address';
import { checkReach } from '../../../main/core/connections/reach-check';
import { tempDir, testBackend } from '../../support/backend';
import { closedPort } from '../../support/provider-fakes';
import { type HttpsPeer, httpsPeer, publicTunnel, TUNNEL_CA } from '../../support/public-tunnel';
import { SHOP_SMS_NUMBER, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN } from '../../support/twilio-signing';

let backend: Backend;
let tunnel: HttpsPeer;
const peers: HttpsPeer[] = [];
const dir = tempDir();

beforeAll(async () => {
  backend = await testBackend({ dataDir: dir.path, listen: true, uiPort: 0, ingestPort: 0 });
  tunnel = await publicTunnel(backend.runtime.ingest.url ?? '');
});
afterAll(async () => {
  for (const peer of [tunnel, ...peers]) await peer?.close();
  await backend.close();
  dir.remove();
});

const save = (url: string) => backend.call('connections.savePublicAddress', { url });
const problemOf = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a refusal');
    },
    (error: { kind: string; message: string; field?: string }) => error,
  );
const peer = async (handle: Parameters<typeof httpsPeer>[0]) => {
  const made = await httpsPeer(handle);
  peers.push(made);
  return made;
};

describe('the public address setting', () => {
  it('is off until set, and each feature that needs it says why', async () => {
    const publicAddress = await backend.call('connections.publicAddress', {});
    expect(publicAddress).toMatchObject({ url: null, twilioInboundSms: null, twilioStatusCallback: null });
    expect(publicAddress.features).toEqual([
      { name: 'Twilio delivery reports', on: false, why: NO_PUBLIC_ADDRESS },
      { name: 'Replies by SMS', on: false, why: NO_PUBLIC_ADDRESS },
      { name: 'One-click unsubscribe', on: false, why: NO_PUBLIC_ADDRESS },
    ]);
    await expect(backend.call('connections.checkPublicAddress', {})).rejects.toThrow(/public address/);
  });

  it('refuses what is not an https address, in words, next to the field', async () => {
    for (const [input, words] of [
      ['http://shop.example.com', /must start with https/],
      ['shop example', /is not a web address/],
      ['https://user:pw@shop.example.com', /must not contain a password/],
      ['https://shop.example.com/?x=1', /anything after a “\?” or “#”/],
      [
        'https://corner-shop.trycloudflare.com/webhooks/whatsapp',
        /only up to the name, https:\/\/corner-shop\.trycloudflare\.com \(without \/webhooks\/whatsapp\)/,
      ],
    ] as const) {
      const problem = await problemOf(save(input));
      expect(problem).toMatchObject({ kind: 'validation', field: 'url' });
      expect(problem.message).toMatch(words);
    }
    expect((await backend.call('connections.publicAddress', {})).url).toBeNull();
  });

  it('saves it without a trailing slash, shows the Twilio addresses, and Twilio features wait for Twilio', async () => {
    const publicAddress = await save('  https://Corner-Shop.trycloudflare.com/ ');
    expect(publicAddress).toMatchObject({
      url: 'https://corner-shop.trycloudflare.com',
      twilioInboundSms: 'https://corner-shop.trycloudflare.com/webhooks/twilio/sms',
      twilioStatusCallback: 'https://corner-shop.trycloudflare.com/webhooks/twilio/status',
      unsubscribeLinks: 'https://corner-shop.trycloudflare.com/u/…',
    });
    expect(publicAddress.features).toEqual([
      { name: 'Twilio delivery reports', on: false, why: TWILIO_NOT_CONNECTED },
      { name: 'Replies by SMS', on: false, why: TWILIO_NOT_CONNECTED },
      { name: 'One-click unsubscribe', on: true, why: null },
    ]);
    await backend.call('channels.saveSms', {
      accountSid: TWILIO_ACCOUNT_SID,
      authToken: TWILIO_AUTH_TOKEN,
      from: SHOP_SMS_NUMBER,
    });
    const after = await backend.call('connections.publicAddress', {});
    expect(after.features.every((f) => f.on && f.why === null)).toBe(true);
  });

  it('an empty address clears it, and the features are off again', async () => {
    const publicAddress = await save('');
    expect(publicAddress.url).toBeNull();
    expect(publicAddress.features.map((f) => f.on)).toEqual([false, false, false]);
  });
});

describe('the reach check', () => {
  it('the ingest listener answers the route with the nonce and this process’s proof only', async () => {
    const answer = await fetch(`${backend.runtime.ingest.url}/webhooks/reach-check/abcdefgh12345678`);
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as { service: string; nonce: string; proof: string };
    expect(body).toMatchObject({ service: 'constintel-ingest', nonce: 'abcdefgh12345678' });
    expect(body.proof).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(body)).not.toContain('key');
    expect((await fetch(`${backend.runtime.ingest.url}/webhooks/reach-check/<x>`)).status).toBe(400);
  });

  it('through the tunnel it comes back to this very app', async () => {
    const result = await checkReach(tunnel.url, { ca: TUNNEL_CA });
    expect(result).toEqual({
      reached: true,
      url: expect.stringMatching(new RegExp(`^${tunnel.url}/webhooks/reach-check/[A-Za-z0-9_-]{22}$`)),
      detail: `It reaches this PC: ${tunnel.url} answered from this very ConstIntel.`,
    });
  });

  it('the command refuses a certificate this PC does not trust, in words', async () => {
    await save(tunnel.url);
    const result = await backend.call('connections.checkPublicAddress', {});
    expect(result.reached).toBe(false);
    expect(result.detail).toMatch(/secure \(https\) connection to 127\.0\.0\.1:\d+ failed: its certificate/);
  });

  it('another server at the address is not this app', async () => {
    const other = await peer((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<h1>Not Found</h1>');
    });
    const result = await checkReach(other.url, { ca: TUNNEL_CA, ingestPort: 4321 });
    expect(result.reached).toBe(false);
    expect(result.detail).toBe(
      'Another server answered (answer 404), not this ConstIntel: the address does not lead to this PC. Point the tunnel at this PC’s ingest port 4321.',
    );
  });

  it('a ConstIntel that is not this one cannot make this one’s proof', async () => {
    const impostor = await peer((req, res) => {
      const nonce = (req.url ?? '').split('/').pop();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ service: 'constintel-ingest', nonce, proof: 'x'.repeat(43) }));
    });
    const result = await checkReach(impostor.url, { ca: TUNNEL_CA });
    expect(result).toMatchObject({
      reached: false,
      detail: expect.stringMatching(/A ConstIntel answered, but not this one/),
    });
  });

  it('a tunnel with nothing behind it, a redirect', async () => {
    const dead = await publicTunnel(`http://127.0.0.1:${await closedPort()}`);
    peers.push(dead);
    expect((await checkReach(dead.url, { ca: TUNNEL_CA })).detail).toMatch(
      /^The tunnel answered, but nothing answered behind it \(answer 502\)/,
    );
    const redirect = await peer((_req, res) => {
      res.writeHead(302, { location: 'https://login.example.com/' });
      res.end();
    });
    expect((await checkReach(redirect.url, { ca: TUNNEL_CA })).detail).toMatch(
      /redirect to https:\/\/login\.example\.com\/ \(answer 302\)/,
    );
  });

  it('refused, a name that does not exist, and no answer in time', async () => {
    const refused = await checkReach(`https://127.0.0.1:${await closedPort()}`);
    expect(refused.detail).toMatch(/^Nothing accepted the connection at 127\.0\.0\.1:\d+ \(refused\)/);
    const unknown = await checkReach('https://no-such-tunnel.invalid');
    expect(unknown.detail).toMatch(/“no-such-tunnel\.invalid” could not be (found|looked up)/);
    const silent = await peer(() => {});
    const late = await checkReach(silent.url, { ca: TUNNEL_CA, timeoutMs: 300 });
    expect(late).toMatchObject({ reached: false, detail: expect.stringMatching(/within 300 ms \(timed out\)/) });
  });
});
