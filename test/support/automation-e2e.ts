/**
 * What the automation e2e tests share: a seeded sales history to import (customers who buy every few weeks, about
 * four in ten stopping at some point, so a retrain gives them churn risks), the built CLI run on the data folder,
 * axe-core run in the page, and screenshots kept when CONSTINTEL_E2E_SHOTS names a folder.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { seededRandom } from './population';
import { builtScript, type rpcOf } from './spawn';

/** Monday 2 March 2026, 11:00 in London: inside the 08:00–21:00 sending window. */
export const CLOCK_START = '2026-03-02T11:00:00Z';
export const CUSTOMERS = 240;
export const DAY = 86_400_000;
const FIRST_DAY = Date.UTC(2024, 10, 1);
const LAST_DAY = Date.UTC(2025, 11, 31);
const NAMES = ['Ann', 'Ben', 'Cara', 'Dev', 'Ella', 'Finn', 'Gita', 'Hugo', 'Isla', 'Jon', 'Kemi', 'Liam'];
const SURNAMES = ['Adams', 'Baker', 'Clarke', 'Dixon', 'Evans', 'Fox', 'Green', 'Hughes', 'Iqbal', 'Jones'];

/** Receipt, Date, Customer, Email, Amount: customers who buy every few weeks; about four in ten stop at some point. */
export function salesHistory(seed: number): string {
  const random = seededRandom(seed);
  const sales: { at: number; name: string; email: string; amount: number }[] = [];
  for (let c = 0; c < CUSTOMERS; c++) {
    const first = NAMES[c % NAMES.length] as string;
    const last = SURNAMES[Math.floor(c / NAMES.length) % SURNAMES.length] as string;
    const email = `${first}.${last}${c}@example.com`.toLowerCase();
    const gapDays = 7 + random() * 60;
    const basket = 12 + random() * 60;
    const start = FIRST_DAY + Math.floor(random() * 240) * DAY;
    const stops = random() < 0.3 + gapDays / 200;
    const end = stops ? start + (20 + random() * 300) * DAY : LAST_DAY;
    for (
      let at = start;
      at <= Math.min(end, LAST_DAY);
      at += Math.max(1, Math.round(gapDays * (0.4 + random() * 1.2))) * DAY
    ) {
      sales.push({ at, name: `${first} ${last}`, email, amount: Math.round(basket * (0.5 + random()) * 100) / 100 });
    }
  }
  sales.sort((a, b) => a.at - b.at);
  const lines = ['Receipt,Date,Customer,Email,Amount'];
  sales.forEach((s, i) => {
    const date = new Date(s.at).toISOString().slice(0, 10);
    lines.push(`R${String(i + 1).padStart(6, '0')},${date},${s.name},${s.email},${s.amount.toFixed(2)}`);
  });
  return `${lines.join('\n')}\n`;
}

/** Runs the built CLI on the data folder (before the server starts) and fails loudly with its output. */
export function cli(args: string[]): string {
  const run = spawnSync(process.execPath, [builtScript('cli'), ...args], { encoding: 'utf8', timeout: 60_000 });
  if (run.status !== 0)
    throw new Error(`constintel ${args.join(' ')} exited ${run.status}:\n${run.stdout}${run.stderr}`);
  return run.stdout;
}

/** axe-core's script (a dev dependency). */
export function axeSource(): string {
  return readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
}

/** The rules axe-core finds broken on the page, each with the elements at fault. */
export async function axeViolations(page: Page, source: string): Promise<string[]> {
  // Evaluated through the browser's debugging channel: the app's Content-Security-Policy refuses inline scripts.
  await page.evaluate(source);
  return page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run(): Promise<{ violations: { id: string; nodes: { target: unknown }[] }[] }> } }
    ).axe;
    const result = await axe.run();
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
  });
}

/** Set CONSTINTEL_E2E_SHOTS to a folder to keep screenshots at 1280×720 and 1024×768, scrolled to `what`. */
export async function shot(page: Page, name: string, what?: Locator) {
  const dir = process.env.CONSTINTEL_E2E_SHOTS;
  if (!dir) return;
  for (const size of [
    { width: 1280, height: 720 },
    { width: 1024, height: 768 },
  ]) {
    await page.setViewportSize(size);
    if (what) await what.evaluate((e) => e.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: `${dir}/${name}-${size.width}.png` });
  }
  await page.setViewportSize({ width: 1280, height: 720 });
}

/** A link of the app's menu. */
export const nav = (page: Page, name: string) =>
  page.getByRole('navigation').getByRole('link', { name, exact: true }).click();

/** The page never scrolls sideways at 1280×720 or 1024×768 (left at 1280×720). */
export async function noSidewaysScroll(page: Page): Promise<void> {
  for (const size of [
    { width: 1280, height: 720 },
    { width: 1024, height: 768 },
  ]) {
    await page.setViewportSize(size);
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth),
      `sideways scroll at ${size.width} px`,
    ).toBeLessThanOrEqual(0);
  }
  await page.setViewportSize({ width: 1280, height: 720 });
}

/** A seeded sales history imported into `dataDir` and retrained from the terminal (before the server starts). */
export function importHistory(dataDir: string, seed: number): void {
  const file = join(dataDir, 'sales-history.csv');
  writeFileSync(file, salesHistory(seed));
  cli(['import', file, '--data-dir', dataDir, '--json']);
  cli(['retrain', '--data-dir', dataDir, '--json']);
}

/** The Corner Shop in London with email through the SMTP peer on `smtpPort`. */
export async function cornerShop(rpc: ReturnType<typeof rpcOf>, smtpPort: number): Promise<void> {
  await rpc('settings.update', { brandName: 'Corner Shop', timeZone: 'Europe/London', defaultCountry: 'GB' });
  await rpc('channels.saveEmail', {
    host: '127.0.0.1',
    port: smtpPort,
    security: 'none',
    fromAddress: 'hello@corner-shop.test',
    fromName: 'Corner Shop',
  });
}
