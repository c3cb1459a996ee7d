/**
 * Debian's Chromium for the browser tests, driven by playwright-core (never a
 * downloaded browser). Without it the browser tests are skipped with a loud
 * line; under CI=true a missing Chromium is a failure.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { tempDir } from './backend';
import { type Served, serve } from './spawn';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const inCi = process.env.CI === 'true';

/** True where browser tests cannot run and that is allowed (no Chromium, not CI). */
export const skipBrowser = !haveChromium && !inCi;
if (skipBrowser) {
  console.warn(
    `\n${'!'.repeat(72)}\n!! SKIPPED: browser tests (test/e2e): no Chromium at ${CHROMIUM}.\n!! Install it with: sudo apt-get install -y chromium\n${'!'.repeat(72)}\n`,
  );
}

export async function launchChromium(): Promise<Browser> {
  if (!haveChromium) throw new Error(`CI=true but there is no Chromium at ${CHROMIUM}: .ci/run must install it.`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // No background networking: this machine's network is closed, and the tests must not depend on it.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Collects what the page logs as an error (CSP refusals, crashes); a 4xx answer is how the app reports a rejected value. */
export function watchForProblems(page: Page, problems: string[]): void {
  page.on('console', (message) => {
    if (message.type() === 'error' && !/status of 4\d\d/.test(message.text())) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
}

/** Drops a file on the page as a person dragging it from the desktop does (dragenter, dragover, drop). */
export async function dropFile(page: Page, contents: string | Uint8Array, name: string): Promise<void> {
  await page.evaluate(
    ({ bytes, name }) => {
      const files = new DataTransfer();
      files.items.add(new File([new Uint8Array(bytes)], name, { type: 'text/csv' }));
      document.body.dispatchEvent(new DragEvent('dragenter', { dataTransfer: files, bubbles: true }));
      document.body.dispatchEvent(new DragEvent('dragover', { dataTransfer: files, bubbles: true, cancelable: true }));
      document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: files, bubbles: true, cancelable: true }));
    },
    { bytes: [...(typeof contents === 'string' ? new TextEncoder().encode(contents) : contents)], name },
  );
}

/**
 * Chromium and a headless `constintel serve` on a fresh data folder for the tests of one describe block: started
 * before them, stopped (and the folder removed) after. Read `browser` and `server` inside the tests.
 */
export function appInBrowser(dataPrefix: string): { readonly browser: Browser; readonly server: Served } {
  const data = tempDir(dataPrefix);
  const app = {} as { browser: Browser; server: Served };
  beforeAll(async () => {
    app.browser = await launchChromium();
    app.server = await serve(['serve', '--data-dir', data.path, '--port', '0', '--ingest-port', '0']);
  });
  afterAll(async () => {
    await app.browser?.close();
    await app.server?.stop();
    data.remove();
  });
  return app;
}
