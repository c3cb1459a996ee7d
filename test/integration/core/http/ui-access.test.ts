/**
 * Issue 14, finding 4: the browser's credential must never be something other local servers receive. Browsers send
 * cookies for 127.0.0.1 to every port of it, so a cookie the printed link sets reaches any other local web server the
 * shop owner visits; whatever such a cookie holds must not open the app's commands, files or downloads.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../../../main/core/backend';
import { tempDir, testBackend } from '../../../support/backend';
import { tokenOf } from '../../../support/spawn';

let backend: Backend;
let base: string;
let port: number;
const dir = tempDir();

beforeAll(async () => {
  const renderer = join(dir.path, 'renderer');
  mkdirSync(renderer, { recursive: true });
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>ConstIntel test page</title>');
  backend = await testBackend({ dataDir: dir.path, listen: true, uiPort: 0, ingestPort: 0, rendererDir: renderer });
  base = backend.runtime.uiUrl ?? '';
  port = Number(new URL(base).port);
});
afterAll(async () => {
  await backend.close();
  dir.remove();
});

/** What a browser sends to the address of the printed link (never its fragment) and the cookies it is given back. */
async function openPrintedLink(): Promise<{ status: number; cookies: string[] }> {
  const link = new URL(backend.launchUrl ?? '');
  link.hash = '';
  const response = await fetch(link, { redirect: 'manual' });
  await response.arrayBuffer();
  return { status: response.status, cookies: response.headers.getSetCookie() };
}

const command = (headers: Record<string, string>) =>
  fetch(`${base}/rpc/settings.apiKey`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: '{}',
  });

describe('the printed link', () => {
  it('carries the access key in its fragment, which a browser never sends to any server', () => {
    const link = new URL(backend.launchUrl ?? '');
    expect(link.search).toBe('');
    expect(link.hash).toMatch(/^#token=[\w-]{20,}$/);
    expect(tokenOf(backend.launchUrl ?? '')).toBe(backend.token);
  });

  it('sets no cookie that could act as the access key', async () => {
    const opened = await openPrintedLink();
    for (const cookie of opened.cookies) {
      const pair = cookie.split(';')[0] ?? '';
      const value = pair.slice(pair.indexOf('=') + 1);
      expect((await command({ authorization: `Bearer ${value}` })).status).toBe(401);
      expect((await command({ cookie: pair })).status).toBe(401);
    }
    expect(opened.cookies).toEqual([]);
    // The page itself: the fragment is read there, not by the server.
    expect(opened.status).toBe(200);
  });
});

describe('a request carrying only the cookies a browser sends to every port of 127.0.0.1', () => {
  // Exactly what an earlier ConstIntel set, and what any other local server the owner visits would have received.
  const cookies = () => [
    `constintel_token_${port}=${backend.token}`,
    `constintel_token_${port + 1}=${backend.token}`,
    `constintel_session=${backend.token}`,
  ];

  it('is refused on commands, file uploads and downloads', async () => {
    for (const cookie of cookies()) {
      const rpc = await command({ cookie });
      expect(rpc.status).toBe(401);
      expect(await rpc.json()).toMatchObject({ ok: false, error: { kind: 'auth' } });

      const upload = await fetch(`${base}/files`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/octet-stream', 'x-file-name': 'sales.csv' },
        body: 'email,total\na@example.com,1\n',
      });
      expect(upload.status).toBe(401);

      const download = await fetch(`${base}/imports/1/rejected.csv`, { headers: { cookie } });
      expect(download.status).toBe(401);
    }
  });

  it('is answered when it carries the key itself as a header (the page and scripts do)', async () => {
    const rpc = await command({ authorization: `Bearer ${backend.token}` });
    expect(rpc.status).toBe(200);
    expect(await rpc.json()).toMatchObject({ ok: true, result: { apiKey: expect.stringMatching(/^ci_/) } });

    const upload = await fetch(`${base}/files`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${backend.token}`,
        'content-type': 'application/octet-stream',
        'x-file-name': 'sales.csv',
      },
      body: 'email,total\na@example.com,1\n',
    });
    expect(upload.status).toBe(200);
    expect(await upload.json()).toMatchObject({ ok: true, result: { name: 'sales.csv' } });

    // No import has run: the download route answers (not_found), past the access check.
    const download = await fetch(`${base}/imports/1/rejected.csv`, {
      headers: { authorization: `Bearer ${backend.token}` },
    });
    expect(download.status).toBe(404);
  });

  it('is still refused from another page even with the key (cross-origin)', async () => {
    const response = await command({
      authorization: `Bearer ${backend.token}`,
      origin: `http://127.0.0.1:${port + 1}`,
    });
    expect(response.status).toBe(401);
  });
});
