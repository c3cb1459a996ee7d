import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../../../main/core/backend';
import { tempDir, testBackend } from '../../../support/backend';

let backend: Backend;
let base: string;
const dir = tempDir();

beforeAll(async () => {
  const renderer = join(dir.path, 'renderer');
  mkdirSync(join(renderer, 'assets'), { recursive: true });
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>ConstIntel test page</title>');
  writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log(1)');
  backend = await testBackend({ dataDir: dir.path, listen: true, uiPort: 0, ingestPort: 0, rendererDir: renderer });
  base = backend.runtime.uiUrl ?? '';
});
afterAll(async () => {
  await backend.close();
  dir.remove();
});

const rpc = (command: string, init: { body?: string; headers?: Record<string, string> } = {}) =>
  fetch(`${base}/rpc/${command}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${backend.token}`, 'content-type': 'application/json', ...init.headers },
    body: init.body ?? '{}',
  });

describe('UI server', () => {
  it('binds 127.0.0.1 only', async () => {
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const port = Number(new URL(base).port);
    // Another loopback address on the same port is not listening: the socket is bound to 127.0.0.1 alone.
    const refused = await new Promise<string>((resolve) => {
      const socket = connect({ host: '127.0.0.2', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
  });

  it('answers 401 without the token or with a wrong one', async () => {
    for (const headers of [
      { authorization: '' },
      { authorization: 'Bearer wrong' },
      { authorization: `Bearer ${backend.token}x` },
    ]) {
      const response = await rpc('app.info', { headers });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ ok: false, error: { kind: 'auth' } });
    }
  });

  it('answers a known command', async () => {
    const response = await rpc('app.info');
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({ ok: true, result: { uiUrl: base, dataDir: dir.path } });
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('answers not_found for an unknown command', async () => {
    const response = await rpc('nope.nothing');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      ok: false,
      error: { kind: 'not_found', message: 'There is no command called "nope.nothing".' },
    });
  });

  it('answers a validation error naming the field for a malformed body', async () => {
    const wrongType = await rpc('settings.update', { body: '{"uiPort":"fast"}' });
    expect(wrongType.status).toBe(400);
    expect(await wrongType.json()).toMatchObject({
      error: { kind: 'validation', field: 'uiPort', message: /^uiPort: / },
    });

    const notJson = await rpc('settings.update', { body: '{"uiPort":' });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({
      error: { kind: 'validation', message: 'The request body is not valid JSON.' },
    });

    const notAnObject = await rpc('settings.update', { body: '[1,2]' });
    expect(await notAnObject.json()).toMatchObject({ error: { kind: 'validation' } });

    const formPost = await rpc('settings.update', {
      body: 'brandName=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(formPost.status).toBe(400);
    expect(await formPost.json()).toMatchObject({ error: { kind: 'validation', message: /as JSON/ } });
  });

  it('refuses requests addressed to another host name (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${base}/`, { headers: { host: 'evil.example:80' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(401);
  });

  it('prints a link whose access key is in the fragment; opening it sets no cookie (see ui-access.test.ts)', async () => {
    const link = new URL(backend.launchUrl ?? '');
    expect(link.hash).toBe(`#token=${backend.token}`);
    link.hash = '';
    const page = await fetch(link, { redirect: 'manual' });
    expect(page.status).toBe(200);
    expect(page.headers.get('set-cookie')).toBeNull();
    expect(await page.text()).toContain('ConstIntel test page');
  });

  it('serves the renderer for every page route, with a strict CSP', async () => {
    for (const path of ['/', '/customers', '/settings', '/merge-review']) {
      const page = await fetch(`${base}${path}`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('ConstIntel test page');
      expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
      expect(page.headers.get('x-frame-options')).toBe('DENY');
    }
    const asset = await fetch(`${base}/assets/app.js`);
    expect(asset.status).toBe(200);
    expect((await fetch(`${base}/assets/missing.js`)).status).toBe(404);
  });
});

describe('ingest listener', () => {
  it('answers GET /healthz and nothing else', async () => {
    const url = backend.runtime.ingest.url ?? '';
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', service: 'constintel-ingest' });
    const other = await fetch(`${url}/rpc/app.info`, { method: 'POST' });
    expect(other.status).toBe(404);
    expect(await other.json()).toMatchObject({ ok: false, error: { kind: 'not_found' } });
  });
});

async function freePort(host: string): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, host, resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('busy ports', () => {
  it('moves to the next free port and says so', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as { port: number }).port;
    const other = tempDir();
    const second = await testBackend({ dataDir: other.path, listen: true, uiPort: taken, ingestPort: 0 });
    try {
      expect(second.runtime.uiUrl).not.toBe(`http://127.0.0.1:${taken}`);
      const port = Number(new URL(second.runtime.uiUrl ?? '').port);
      expect(port).toBeGreaterThan(taken);
      expect(port).toBeLessThanOrEqual(taken + 20);
      const info = await second.call('app.info', {});
      expect(info.warnings).toEqual([`Port ${taken} was busy, so the browser address uses port ${port} this time.`]);
    } finally {
      await second.close();
      other.remove();
      blocker.close();
    }
  });

  it('listens for ingest on the host and port from Settings', async () => {
    const other = tempDir();
    const first = await testBackend({ dataDir: other.path });
    const free = await freePort('127.0.0.2');
    await first.call('settings.update', { ingestHost: '127.0.0.2', ingestPort: free });
    await first.close();
    const second = await testBackend({ dataDir: other.path, listen: true, uiPort: 0 });
    try {
      expect(second.runtime.ingest.url).toBe(`http://127.0.0.2:${free}`);
      expect((await fetch(`http://127.0.0.2:${free}/healthz`)).status).toBe(200);
    } finally {
      await second.close();
      other.remove();
    }
  });
});

describe('an ingest address that is not on this PC', () => {
  it('falls back to 127.0.0.1 with a warning instead of refusing to start', async () => {
    const other = tempDir();
    const first = await testBackend({ dataDir: other.path });
    // 192.0.2.0/24 is reserved for documentation: never an address of this machine.
    await first.call('settings.update', { ingestHost: '192.0.2.10' });
    await first.close();
    const second = await testBackend({ dataDir: other.path, listen: true, uiPort: 0, ingestPort: 0 });
    try {
      expect(second.runtime.ingest.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await second.call('app.info', {})).warnings[0]).toMatch(/192\.0\.2\.10 is not available on this PC/);
    } finally {
      await second.close();
      other.remove();
    }
  });
});

describe('RPC from other pages', () => {
  it('refuses a cross-origin caller and a body that is not JSON, even an empty one', async () => {
    const crossOrigin = await rpc('settings.get', { headers: { origin: 'http://127.0.0.1:9999' } });
    expect(crossOrigin.status).toBe(401);
    const sameOrigin = await rpc('settings.get', { headers: { origin: base } });
    expect(sameOrigin.status).toBe(200);
    const empty = await fetch(`${base}/rpc/settings.rotateApiKey`, {
      method: 'POST',
      headers: { authorization: `Bearer ${backend.token}` },
    });
    expect(empty.status).toBe(400);
  });
});
