/**
 * "Did it help?" in Chromium (issue 19), against the headless server on an injected clock (CONSTINTEL_CLOCK_START, a
 * Monday 11:00 in London) with a seeded, imported and retrained sales history and email through a real SMTP server:
 * the win-back recipe dry-run before it is on (a dialog says what it would have done; nothing is sent or logged),
 * then switched on (the mails that arrive are exactly its "Done" decisions; the held-out customers get none), a
 * campaign to a segment previewed and sent with a 30% comparison share; both comparisons shown. Then eight days on
 * (the server restarted with its clock moved, purchases imported in between), both pages show the two groups side by
 * side with what they bought. axe-core finds no violation and no page scrolls sideways at 1280 or 1024 px.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandOutput } from '../../shared/contract/index';
import {
  axeSource,
  axeViolations,
  CLOCK_START,
  cli,
  cornerShop,
  DAY,
  importHistory,
  nav,
  noSidewaysScroll,
  shot,
} from '../support/automation-e2e';
import { tempDir } from '../support/backend';
import { launchChromium, skipBrowser, watchForProblems } from '../support/browser';
import { type SmtpPeer, smtpPeer } from '../support/provider-fakes';
import { rpcOf, type Served, serve } from '../support/spawn';

type Customer = CommandOutput<'customers.search'>['items'][number];
type Rpc = ReturnType<typeof rpcOf>;

describe.skipIf(skipBrowser)('Did it help? in Chromium', () => {
  const data = tempDir('constintel-e2e-uplift-');
  let browser: Browser;
  let server: Served;
  let rpc: Rpc;
  let smtp: SmtpPeer;
  let consenting: Customer[] = [];
  let segment = '';
  let automationId = 0;
  let campaignId = 0;
  const problems: string[] = [];

  const start = async (clockStart: string) => {
    server = await serve(['serve', '--data-dir', data.path, '--port', '0', '--ingest-port', '0'], {
      CONSTINTEL_CLOCK_START: clockStart,
    });
    rpc = rpcOf(server.launchUrl);
  };

  beforeAll(async () => {
    importHistory(data.path, 23);
    smtp = await smtpPeer();
    browser = await launchChromium();
    await start(CLOCK_START);
    await cornerShop(rpc, smtp.port);
    const { items } = await rpc<CommandOutput<'customers.search'>>('customers.search', {
      sort: 'churn_risk',
      limit: 200,
    });
    consenting = items.filter((c) => c.churnScore !== null && c.email !== null).slice(0, 120);
    for (const c of consenting) await rpc('consent.set', { id: c.id, channel: 'email', state: 'yes' });
    const segments = await rpc<CommandOutput<'models.segments'>>('models.segments');
    segment = [...segments].sort((a, b) => b.customers - a.customers)[0]?.name ?? '';
    expect(segment).not.toBe('');
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await smtp?.close();
    data.remove();
  });

  const decisions = async (id: number) =>
    rpc<CommandOutput<'automations.log'>>('automations.log', { automationId: id, limit: 500 });

  it('dry-runs the win-back recipe, switches it on, sends a campaign to a segment; both say what they can compare', async () => {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 720 },
      locale: 'en-GB',
      timezoneId: 'Europe/London',
    });
    const page = await context.newPage();
    watchForProblems(page, problems);
    await page.goto(server.launchUrl);
    await nav(page, 'Automations');
    await page.getByRole('heading', { level: 1, name: 'Automations' }).waitFor();
    await page
      .getByTestId('recipe-win-back')
      .getByRole('button', { name: /^Use this recipe/ })
      .click();
    const editor = page.getByRole('form', { name: 'Automation' });
    const name = await editor.getByLabel('Name', { exact: true }).inputValue();
    expect(await editor.getByLabel('Comparison share (%)').inputValue()).toBe('10');
    await editor.getByRole('button', { name: 'Save automation' }).click();
    const list = page.getByTestId('automations');
    await list.locator('strong', { hasText: name }).waitFor();
    const saved = (await rpc<CommandOutput<'automations.list'>>('automations.list')).find((a) => a.name === name);
    automationId = saved?.id ?? 0;

    // Before it is on: what it would have done, and nothing sent or logged.
    await list.getByRole('button', { name: 'What would this have done?' }).click();
    const dialog = page.getByRole('dialog', { name: 'What it would have done' });
    await dialog.waitFor({ timeout: 30_000 });
    expect(await dialog.textContent()).toMatch(/would have/);
    await shot(page, 'uplift-dry-run', dialog);
    expect(await axeViolations(page, axeSource())).toEqual([]);
    await dialog.getByRole('button', { name: 'Close' }).click();
    expect(smtp.mails).toHaveLength(0);
    expect(await decisions(automationId)).toEqual([]);

    // Switched on: the mails are exactly its "Done" decisions; those held out get none.
    await list.getByRole('switch', { name: new RegExp(name) }).check();
    await page
      .getByRole('status')
      .filter({ hasText: `“${name}” is on.` })
      .waitFor({ timeout: 30_000 });
    const made = await decisions(automationId);
    const done = made.filter((d) => d.outcome === 'fired');
    const heldOut = made.filter((d) => d.outcome === 'held_out');
    expect(done.length).toBeGreaterThan(0);
    await expect.poll(() => smtp.mails.length, { timeout: 30_000 }).toBe(done.length);
    const mailed = new Set(smtp.mails.flatMap((m) => m.to));
    const email = new Map(consenting.map((c) => [c.id, c.email]));
    for (const d of heldOut) expect(mailed.has(email.get(d.profileId ?? 0) ?? '')).toBe(false);

    // Its comparison, in a dialog: nobody's week has passed yet, and it says so.
    await list.getByRole('button', { name: `Did it help? ${name}` }).click();
    const asked = page.getByRole('dialog', { name: `Did “${name}” help?` });
    const comparison = asked.getByTestId(`comparison-${automationId}`);
    await comparison.waitFor({ timeout: 30_000 });
    expect(await comparison.textContent()).toContain('Nothing to compare with yet');
    expect(await comparison.textContent()).toMatch(/\d+ more customers are still inside their 7 days/);
    await shot(page, 'uplift-automation-comparison', comparison);
    expect(await axeViolations(page, axeSource())).toEqual([]);
    await noSidewaysScroll(page);
    await asked.getByRole('button', { name: 'Close' }).click();

    // A campaign to the largest segment, 30% kept back: previewed, asked, sent.
    await nav(page, 'Campaigns');
    await page.getByRole('heading', { level: 1, name: 'Campaigns' }).waitFor();
    await page.getByRole('button', { name: 'New campaign' }).click();
    const form = page.getByRole('form', { name: 'Campaign' });
    await form.getByLabel('Name', { exact: true }).fill('Spring tea offer');
    await form.getByText('Only customers who…').click();
    await form.getByLabel('Are in the segment').selectOption(segment);
    await form.getByLabel('Channel', { exact: true }).selectOption('email');
    const template = form.getByLabel('Template', { exact: true });
    const firstTemplate = await template.locator('option').nth(1).getAttribute('value');
    await template.selectOption(firstTemplate ?? '');
    await form.getByLabel('Comparison share (%)').fill('30');
    const preview = form.getByTestId('campaign-preview');
    await preview.getByText(/This goes to \d+ customers? by email/).waitFor({ timeout: 30_000 });
    await shot(page, 'uplift-campaign-preview', preview);
    expect(await axeViolations(page, axeSource())).toEqual([]);
    await form.getByRole('button', { name: 'Send now' }).click();
    await form.getByRole('button', { name: 'Yes, send it' }).click();
    const detail = page.getByTestId('campaign-detail');
    await detail.waitFor({ timeout: 30_000 });
    const campaigns = await rpc<CommandOutput<'campaigns.list'>>('campaigns.list');
    campaignId = campaigns.find((c) => c.name === 'Spring tea offer')?.id ?? 0;
    await detail.getByTestId(`comparison-${campaignId}`).waitFor({ timeout: 30_000 });
    await shot(page, 'uplift-campaign-sent', detail);
    expect(await axeViolations(page, axeSource())).toEqual([]);
    await noSidewaysScroll(page);
    expect(problems).toEqual([]);
    await context.close();
  }, 180_000);

  it('eight days on, both pages compare what each group bought', async () => {
    // Purchases in the week after: a third of the customers the automation or the campaign looked at buy.
    const drawn = [...(await decisions(automationId)), ...(await decisions(campaignId))].filter(
      (d) => d.outcome === 'fired' || d.outcome === 'held_out',
    );
    const buyers = [...new Set(drawn.map((d) => d.profileId))].filter((_, i) => i % 3 === 0);
    const emails = new Map(consenting.map((c) => [c.id, c]));
    const when = new Date(Date.parse(CLOCK_START) + 2 * DAY).toISOString().slice(0, 10);
    const lines = ['Receipt,Date,Customer,Email,Amount'];
    buyers.forEach((id, i) => {
      const c = emails.get(id ?? 0);
      if (c) lines.push(`W${String(i + 1).padStart(5, '0')},${when},${c.name ?? ''},${c.email},${(20 + i).toFixed(2)}`);
    });
    expect(lines.length).toBeGreaterThan(3);
    await server.stop();
    const file = join(data.path, 'week-after.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);
    cli(['import', file, '--data-dir', data.path, '--json']);
    await start(new Date(Date.parse(CLOCK_START) + 8 * DAY).toISOString());

    const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'en-GB' });
    const page = await context.newPage();
    watchForProblems(page, problems);
    await page.goto(server.launchUrl);
    await nav(page, 'Automations');
    const list = page.getByTestId('automations');
    await list.getByRole('button', { name: /^Did it help\? / }).click();
    const comparison = page.getByRole('dialog').getByTestId(`comparison-${automationId}`);
    const table = comparison.getByRole('table', { name: /Customers messaged and customers held out/ });
    await table.waitFor({ timeout: 30_000 });
    const messagedRow = table.getByRole('row', { name: /^Messaged/ });
    const heldOutRow = table.getByRole('row', { name: /^Held out/ });
    await messagedRow.waitFor();
    await heldOutRow.waitFor();
    const view = await rpc<CommandOutput<'automations.comparison'>>('automations.comparison', { id: automationId });
    expect(view.messaged.customers + view.heldOut.customers).toBeGreaterThan(0);
    expect(view.messaged.bought + view.heldOut.bought).toBeGreaterThan(0);
    expect(await messagedRow.textContent()).toContain(String(view.messaged.customers));
    expect(await comparison.textContent()).toContain(view.headline);
    expect(await comparison.textContent()).toContain('Attributed revenue');
    await shot(page, 'uplift-automation-after', comparison);
    expect(await axeViolations(page, axeSource())).toEqual([]);
    await noSidewaysScroll(page);
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();

    await nav(page, 'Campaigns');
    await page.getByRole('button', { name: /^Open “Spring tea offer”/ }).click();
    const campaignComparison = page.getByTestId(`comparison-${campaignId}`);
    await campaignComparison.getByRole('table').waitFor({ timeout: 30_000 });
    const campaignView = await rpc<CommandOutput<'automations.comparison'>>('automations.comparison', {
      id: campaignId,
    });
    expect(campaignView.heldOut.customers).toBeGreaterThan(0);
    expect(await campaignComparison.textContent()).toContain(campaignView.headline);
    await shot(page, 'uplift-campaign-after', campaignComparison);
    expect(await axeViolations(page, axeSource())).toEqual([]);
    await noSidewaysScroll(page);
    expect(problems).toEqual([]);
    await context.close();
  }, 180_000);
});
