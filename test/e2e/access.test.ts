/**
 * Issue 14, finding 4, in a real browser: after the printed link is opened, another local web server on another
 * port of 127.0.0.1 (browsers send cookies for a host to every port of it) receives nothing that lets it in. The
 * tab keeps its access across navigation and reload; a tab opened without the link is told how to get in.
 * Without Chromium this file is skipped loudly; under CI=true a missing Chromium fails.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appInBrowser, skipBrowser, watchForProblems } from '../support/browser';
import { tokenOf } from '../support/spawn';

describe.skipIf(skipBrowser)('access from the browser', () => {
  const app = appInBrowser('constintel-e2e-access-');
  const problems: string[] = [];
  /** Another local web server the shop owner happens to visit: it keeps every header it is sent. */
  let nosy: Server;
  let nosyUrl: string;
  const seen: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    nosy = createServer((req, res) => {
      seen.push(req.headers);
      res.setHeader('content-type', 'text/html');
      res.end('<!doctype html><title>Another local app</title><p>Hello</p>');
    });
    await new Promise<void>((resolve) => nosy.listen(0, '127.0.0.1', resolve));
    nosyUrl = `http://127.0.0.1:${(nosy.address() as { port: number }).port}/`;
  });
  afterAll(async () => {
    await new Promise((resolve) => nosy.close(resolve));
  });

  it('gives another local server nothing that opens ConstIntel, and keeps the tab signed in', async () => {
    const token = tokenOf(app.server.launchUrl);
    const origin = new URL(app.server.launchUrl).origin;
    const context = await app.browser.newContext();
    const page = await context.newPage();
    watchForProblems(page, problems);

    await page.goto(app.server.launchUrl);
    await page.getByText('Welcome, My shop.').waitFor();
    // The key leaves the address bar (and so the history entry and anything copied from it).
    await expect.poll(() => page.url()).toBe(`${origin}/`);

    // Nothing the browser keeps for 127.0.0.1 (sent to every port of it) holds the key.
    const cookies = await context.cookies();
    expect(cookies.filter((c) => c.value.includes(token))).toEqual([]);

    await page.goto(nosyUrl);
    await page.getByText('Hello').waitFor();
    expect(seen.length).toBeGreaterThan(0);
    for (const headers of seen) {
      expect(JSON.stringify(headers)).not.toContain(token);
      expect(headers.cookie ?? '').not.toMatch(/constintel/i);
    }

    // Back in the same tab, ConstIntel still knows it, on any page and after a reload.
    await page.goto(`${origin}/settings`);
    await expect.poll(() => page.getByLabel('Shop name').inputValue()).toBe('My shop');
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    await expect.poll(() => page.getByLabel('Shop name').inputValue()).toBe('My shop');

    // A tab opened by typing the address has no key: it says how to get in.
    const other = await context.newPage();
    await other.goto(origin);
    await other.getByRole('alert').filter({ hasText: 'Open ConstIntel with the link it printed' }).waitFor();
    await context.close();
    expect(problems).toEqual([]);
  });
});
