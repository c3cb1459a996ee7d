import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../../main/core/backend';
import { ingestEvents } from '../../../main/core/ingest/ingest-service';
import { tempDir, testBackend } from '../../support/backend';
import { builtScript } from '../../support/spawn';
import { SHOP_WHATSAPP_NUMBER, whatsappDelivery } from '../../support/whatsapp-delivery';

const APP_SECRET = 'meta-app-secret-0123';
const VERIFY = 'my-verify-token';
let backend: Backend;
let url: string;
const dir = tempDir();

beforeAll(async () => {
  backend = await testBackend({ dataDir: dir.path, listen: true, uiPort: 0, ingestPort: 0 });
  await backend.call('settings.update', { defaultCountry: 'GB' });
  await backend.call('connections.saveWhatsApp', { appSecret: APP_SECRET, verifyToken: VERIFY });
  url = `${backend.runtime.ingest.url}/webhooks/whatsapp`;
});
afterAll(async () => {
  await backend.close();
  dir.remove();
});

const sign = (body: string, secret = APP_SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
const post = (payload: unknown, signature?: string | null) => {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const sig = signature === undefined ? sign(body) : signature;
  if (sig !== null) headers['x-hub-signature-256'] = sig;
  return fetch(url, { method: 'POST', headers, body });
};

const SHOP_NUMBER = SHOP_WHATSAPP_NUMBER;
const delivery = (messages: unknown[], statuses: unknown[] = [], contacts: unknown[] = []) =>
  whatsappDelivery({ contacts, messages, statuses });
const text = (id: string, from: string, body: string, timestamp = '1772359200') => ({
  from,
  id,
  timestamp,
  type: 'text',
  text: { body },
});

describe('GET /webhooks/whatsapp (verification)', () => {
  it('answers the challenge when the verify token matches, 403 otherwise', async () => {
    const ok = await fetch(`${url}?hub.mode=subscribe&hub.verify_token=${VERIFY}&hub.challenge=1158201444`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1158201444');
    expect((await fetch(`${url}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1`)).status).toBe(403);
    expect((await fetch(`${url}?hub.challenge=1`)).status).toBe(403);
  });
});

describe('POST /webhooks/whatsapp', () => {
  it('turns messages into message_in events on the sender, with their name, and never uses the shop number', async () => {
    const response = await post(
      delivery(
        [text('wamid.AAA1', '447700900123', 'Hi, is the teapot in stock?')],
        [],
        [{ wa_id: '447700900123', user_id: 'GB.1234', profile: { name: 'Ann Lee' } }],
      ),
    );
    expect(response.status).toBe(200);
    const { items } = await backend.call('customers.search', { query: '07700 900123' });
    expect(items).toHaveLength(1);
    const ann = await backend.call('customers.get', { id: items[0]?.id ?? 0 });
    if (ann.status !== 'found') throw new Error('expected found');
    expect(ann.customer.name).toBe('Ann Lee');
    expect(ann.customer.identifiers.map((i) => `${i.type}:${i.value}:${i.source}`).sort()).toEqual([
      'phone:+447700900123:whatsapp',
      'whatsapp_user_id:GB.1234:whatsapp',
    ]);
    const timeline = await backend.call('customers.timeline', { id: ann.customer.id });
    expect(timeline.events[0]).toMatchObject({
      type: 'message_in',
      externalId: 'wamid.AAA1',
      occurredAt: '2026-03-01T10:00:00.000Z',
      summary: 'Sent a message: "Hi, is the teapot in stock?"',
    });
    // The shop's own number, learned from the metadata, is never a customer identifier.
    expect((await backend.call('connections.get', {})).whatsapp.businessNumbers).toEqual(['+447700900999']);
    const [shopEvent] = ingestEvents(backend.ctx, [
      {
        type: 'visit',
        occurredAt: '2026-03-01T11:00:00Z',
        source: 'pos',
        identifiers: { phone: '07700 900999' },
        payload: {},
      },
    ]);
    expect(shopEvent?.profileId).toBeNull();
    // Even a message that names the shop's own number as its sender never gives it to a customer.
    await post(delivery([text('wamid.SHOP1', SHOP_NUMBER, 'test from our own phone')]));
    const stored = backend.db.sqlite
      .prepare(
        "SELECT customer_profile_id, unused_identifiers FROM customer_raw_event WHERE external_id = 'wamid.SHOP1'",
      )
      .get() as { customer_profile_id: number | null; unused_identifiers: string };
    expect(stored.customer_profile_id).toBeNull();
    expect(JSON.parse(stored.unused_identifiers)).toEqual([
      { type: 'whatsapp', value: SHOP_NUMBER, reason: 'shop_number' },
    ]);
  });

  it('dedupes on the wamid, and a repeated delivery is recorded as a duplicate', async () => {
    const payload = delivery([text('wamid.BBB1', '447700900124', 'Hello')]);
    expect((await post(payload)).status).toBe(200);
    const again = await post(payload);
    expect(await again.json()).toMatchObject({ duplicate: true });
    // The same message inside a different delivery is still one event.
    expect(
      (
        await post(
          delivery([text('wamid.BBB1', '447700900124', 'Hello'), text('wamid.BBB2', '447700900124', 'Anyone?')]),
        )
      ).status,
    ).toBe(200);
    const count = backend.db.sqlite
      .prepare("SELECT count(*) FROM customer_raw_event WHERE external_id LIKE 'wamid.BBB%'")
      .pluck()
      .get();
    expect(count).toBe(2);
  });

  it('records statuses as delivery updates for messages the shop sent', async () => {
    const status = { id: 'wamid.OUT1', status: 'delivered', timestamp: '1772359300', recipient_id: '447700900123' };
    expect((await post(delivery([], [status, { ...status, status: 'read', timestamp: '1772359400' }]))).status).toBe(
      200,
    );
    const rows = backend.db.sqlite
      .prepare(
        "SELECT status, recipient FROM message_delivery_update WHERE provider_message_id = 'wamid.OUT1' ORDER BY occurred_at",
      )
      .all();
    expect(rows).toEqual([
      { status: 'delivered', recipient: '447700900123' },
      { status: 'read', recipient: '447700900123' },
    ]);
  });

  it('refuses a wrong or missing signature with 401 and stores nothing', async () => {
    const payload = delivery([text('wamid.EVIL', '447700900666', 'spam')]);
    expect((await post(payload, sign(JSON.stringify(payload), 'wrong'))).status).toBe(401);
    expect((await post(payload, null)).status).toBe(401);
    expect((await post(payload, 'sha1=abc')).status).toBe(401);
    const stored = backend.db.sqlite
      .prepare("SELECT count(*) FROM customer_raw_event WHERE external_id = 'wamid.EVIL'")
      .pluck()
      .get();
    expect(stored).toBe(0);
    const [latest] = await backend.call('connections.deliveries', { limit: 1 });
    expect(latest).toMatchObject({ provider: 'whatsapp', outcome: 'bad_signature' });
  });

  it('keeps secrets out of what the screen gets', async () => {
    const connections = await backend.call('connections.get', {});
    expect(connections.whatsapp).toMatchObject({ appSecretSaved: true, verifyTokenSaved: true });
    expect(JSON.stringify(connections)).not.toContain(APP_SECRET);
    expect(JSON.stringify(connections)).not.toContain(VERIFY);
  });
});

describe('constintel connect whatsapp', () => {
  it('saves the app secret and verify token where the server finds them', async () => {
    const other = tempDir();
    try {
      const run = spawnSync(
        process.execPath,
        [
          builtScript('cli'),
          'connect',
          'whatsapp',
          '--app-secret',
          'from-terminal',
          '--verify-token',
          'tok-123',
          '--data-dir',
          other.path,
        ],
        { encoding: 'utf8' },
      );
      expect(run.stderr).toBe('');
      expect(run.stdout).toMatch(/^Connected WhatsApp\./);
      const server = await testBackend({ dataDir: other.path, listen: true, uiPort: 0, ingestPort: 0 });
      try {
        const answer = await fetch(
          `${server.runtime.ingest.url}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=tok-123&hub.challenge=42`,
        );
        expect(await answer.text()).toBe('42');
        expect((await server.call('connections.get', {})).whatsapp).toMatchObject({
          appSecretSaved: true,
          verifyTokenSaved: true,
        });
      } finally {
        await server.close();
      }
    } finally {
      other.remove();
    }
  });
});
