import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../../main/core/backend';
import { tempDir, testBackend } from '../../support/backend';
import { builtScript } from '../../support/spawn';

let backend: Backend;
let api: string;
let key: string;
const dir = tempDir();

beforeAll(async () => {
  backend = await testBackend({ dataDir: dir.path, listen: true, uiPort: 0, ingestPort: 0 });
  await backend.call('settings.update', { defaultCountry: 'GB' });
  api = `${backend.runtime.ingest.url}/api/v1`;
  key = (await backend.call('settings.apiKey', {})).apiKey;
});
afterAll(async () => {
  await backend.close();
  dir.remove();
});

const post = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${api}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
const get = (path: string, headers: Record<string, string> = { 'x-api-key': key }) =>
  fetch(`${api}${path}`, { headers, redirect: 'manual' });

const event = (externalId: string, identifiers: Record<string, string>, extra: Record<string, unknown> = {}) => ({
  type: 'purchase',
  occurredAt: '2026-03-01T10:00:00Z',
  source: 'api',
  externalId,
  identifiers,
  payload: {
    total: 42.5,
    currency: 'GBP',
    items: [{ sku: 'TEA-1', title: 'Tea', category: 'Drinks', quantity: 2, price: 21.25 }],
  },
  ...extra,
});

describe('POST /api/v1/events', () => {
  it('answers 401 for a missing or wrong key, and stores nothing', async () => {
    expect((await post(event('x-1', { email: 'x@example.com' }), { 'x-api-key': '' })).status).toBe(401);
    expect((await post(event('x-1', { email: 'x@example.com' }), { 'x-api-key': `${key}0` })).status).toBe(401);
    expect(
      backend.db.sqlite.prepare("SELECT count(*) FROM customer_raw_event WHERE external_id = 'x-1'").pluck().get(),
    ).toBe(0);
  });

  it('accepts one event or an array: 202 with eventId, profileId and duplicate for each', async () => {
    const single = await post(event('o-1', { email: 'ann@example.com' }));
    expect(single.status).toBe(202);
    const one = (await single.json()) as { results: { eventId: number; profileId: number; duplicate: boolean }[] };
    expect(one.results).toEqual([
      { index: 0, eventId: expect.any(Number), profileId: expect.any(Number), duplicate: false },
    ]);
    const batch = await post([
      event('o-1', { email: 'ann@example.com' }),
      event('o-2', { phone: '07700 900123', email: 'ANN@example.com' }),
    ]);
    expect(batch.status).toBe(202);
    const body = (await batch.json()) as { results: { duplicate: boolean; profileId: number }[] };
    expect(body.results.map((r) => r.duplicate)).toEqual([true, false]);
    expect(body.results[1]?.profileId).toBe(one.results[0]?.profileId);
  });

  it('answers 400 naming the index and field of invalid events, and keeps the valid ones', async () => {
    const response = await post([
      event('v-1', { email: 'ben@example.com' }),
      { ...event('v-2', {}), type: 'teleport' },
      { ...event('v-3', {}), payload: {} },
    ]);
    expect(response.status).toBe(400);
    const body = (await response.json()) as {
      errors: { index: number; field: string; message: string }[];
      results: { index: number; eventId: number }[];
    };
    expect(body.errors).toEqual([
      { index: 1, field: 'type', message: expect.stringMatching(/^event 1: type: must be one of purchase/) },
      { index: 2, field: 'payload.total', message: 'event 2: payload.total: is required for a purchase event' },
    ]);
    expect(body.results).toEqual([
      { index: 0, eventId: expect.any(Number), profileId: expect.any(Number), duplicate: false },
    ]);
  });

  it('refuses bodies that are not JSON or batches over 1000', async () => {
    const notJson = await post('{"type":');
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({
      error: { kind: 'validation', message: 'The request body is not valid JSON.' },
    });
    const tooMany = await post(Array.from({ length: 1001 }, (_, i) => event(`b-${i}`, {})));
    expect(tooMany.status).toBe(400);
    expect(await tooMany.json()).toMatchObject({ error: { message: /1 to 1000 events \(got 1001\)/ } });
  });
});

describe('GET /api/v1/profiles', () => {
  it('finds a profile by any identifier, normalised', async () => {
    await post(
      event('p-1', { email: 'cat@example.com', loyalty_id: 'LC-5' }, { payload: { total: 10, firstName: 'Cat' } }),
    );
    for (const identifier of ['email:CAT@example.com', 'loyalty_id:LC-5']) {
      const response = await get(`/profiles?identifier=${encodeURIComponent(identifier)}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        firstName: 'Cat',
        identifiers: expect.arrayContaining([{ type: 'email', value: 'cat@example.com', source: 'api' }]),
        lifetimeValue: 10,
        totalOrders: 1,
        strength: expect.any(Number),
        createdAt: expect.any(String),
      });
    }
    expect((await get('/profiles?identifier=email:nobody@example.com')).status).toBe(404);
    expect((await get('/profiles?identifier=shoe:size-9')).status).toBe(400);
  });

  it('by id; a merged-away id answers 308 to the surviving profile', async () => {
    const a = (await (await post(event('m-1', { email: 'dan@example.com' }))).json()) as {
      results: { profileId: number }[];
    };
    const b = (await (await post(event('m-2', { phone: '07700 900777' }))).json()) as {
      results: { profileId: number }[];
    };
    const link = (await (await post(event('m-3', { email: 'dan@example.com', phone: '+447700900777' }))).json()) as {
      results: { profileId: number }[];
    };
    const survivor = link.results[0]?.profileId;
    const gone = [a.results[0]?.profileId, b.results[0]?.profileId].find((id) => id !== survivor);
    const moved = await get(`/profiles/${gone}`);
    expect(moved.status).toBe(308);
    expect(moved.headers.get('location')).toBe(`/api/v1/profiles/${survivor}`);
    expect(await moved.json()).toMatchObject({ movedTo: survivor });
    expect((await get(`/profiles/${survivor}`)).status).toBe(200);
    expect((await get('/profiles/999999')).status).toBe(404);
  });
});

describe('GET /api/v1/merge-reviews', () => {
  it('lists pending reviews with their evidence', async () => {
    await post([
      event('r-1', { email: 'eve@example.com' }),
      event('r-2', { phone: '07700 900888' }),
      event('r-3', { loyalty_id: 'LC-888' }),
      event('r-4', { device_id: 'till-8' }),
      event('r-5', { email: 'eve@example.com', phone: '07700900888', loyalty_id: 'LC-888', device_id: 'till-8' }),
    ]);
    const response = await get('/merge-reviews?status=pending');
    expect(response.status).toBe(200);
    const reviews = (await response.json()) as { candidates: unknown[]; evidence: { type: string }[] }[];
    expect(reviews).toHaveLength(1);
    expect(reviews[0]?.candidates).toHaveLength(4);
    expect(reviews[0]?.evidence.map((e) => e.type).sort()).toEqual(['device_id', 'email', 'loyalty_id', 'phone']);
  });
});

describe('constintel api-key', () => {
  it('prints the key, and --rotate replaces it so the old one stops working', async () => {
    const other = tempDir();
    try {
      const printed = spawnSync(process.execPath, [builtScript('cli'), 'api-key', '--data-dir', other.path], {
        encoding: 'utf8',
      });
      expect(printed.status).toBe(0);
      const first = printed.stdout.trim();
      expect(first).toMatch(/^ci_[\w-]{30,}$/);
      const again = spawnSync(process.execPath, [builtScript('cli'), 'api-key', '--data-dir', other.path], {
        encoding: 'utf8',
      });
      expect(again.stdout.trim()).toBe(first);
      const rotated = spawnSync(process.execPath, [builtScript('cli'), 'api-key', '--rotate'], {
        encoding: 'utf8',
        env: { ...process.env, CONSTINTEL_DATA_DIR: other.path },
      });
      expect(rotated.stdout.trim()).not.toBe(first);
      const server = await testBackend({ dataDir: other.path });
      expect((await server.call('settings.apiKey', {})).apiKey).toBe(rotated.stdout.trim());
      await server.close();
    } finally {
      other.remove();
    }
  });
});
