import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../../main/core/backend';
import { tempDir, testBackend } from '../../support/backend';

let backend: Backend;
const dir = tempDir();

beforeAll(async () => {
  backend = await testBackend({ dataDir: dir.path, listen: true, uiPort: 0, ingestPort: 0, ingestRateLimitPer10s: 20 });
});
afterAll(async () => {
  await backend.close();
  dir.remove();
});

describe('ingest listener hardening', () => {
  it('answers 429 past the per-address limit (senders retry), never silently dropping', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) {
      const response = await fetch(`${backend.runtime.ingest.url}/api/v1/events`, { method: 'POST', body: '{}' });
      statuses.push(response.status);
      await response.arrayBuffer();
    }
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(20)).toEqual([429, 429, 429, 429, 429]);
    const last = await fetch(`${backend.runtime.ingest.url}/webhooks/shopify`, { method: 'POST', body: '{}' });
    expect(last.status).toBe(429);
    expect(await last.json()).toEqual({
      ok: false,
      error: { kind: 'unavailable', message: 'Too many requests; try again in a few seconds.' },
    });
    expect(last.headers.get('ratelimit-policy') ?? last.headers.get('ratelimit')).toBeTruthy();
  });

  it('serves only health, webhooks and the event API, without stack traces', async () => {
    const health = await fetch(`${backend.runtime.ingest.url}/healthz`);
    expect(health.status).toBe(200);
    const other = await fetch(`${backend.runtime.ingest.url}/rpc/app.info`, { method: 'POST' });
    expect([404, 429]).toContain(other.status);
    expect(await other.text()).not.toMatch(/at .*\.(js|ts):\d+/);
  });
});
