/**
 * Journeys in Chromium (issue 20), against the headless server on an injected clock (CONSTINTEL_CLOCK_START, a Monday
 * 11:00 in London) with a seeded sales history imported and retrained through the CLI, and email through a real SMTP
 * server: "Work it out again" answers in a sentence; the funnel's counts equal `journeys.summary`'s customers per
 * stage, every stage's threshold is shown in the shop's words, and the moves and conversion tables are there; a
 * stage's customers are listed (the same as `journeys.stageCustomers`) and one opens its Customer 360, where the next
 * best action is done with Do it (a message arrives at the SMTP peer, or the tag is on them). The Customers page's
 * "Export these customers (CSV)" downloads a file with the header and one row per customer listed. axe-core finds no
 * violation and the Journeys page never scrolls sideways at 1280 or 1024 px.
 */
import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandOutput } from '../../shared/contract/index';
import { JOURNEY_STAGES } from '../../shared/contract/journeys';
import {
  axeSource,
  axeViolations,
  CLOCK_START,
  cornerShop,
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
type Summary = CommandOutput<'journeys.summary'>;
type Rpc = ReturnType<typeof rpcOf>;

const digits = (text: string | null) => Number((text ?? '').replace(/\D/g, ''));

describe.skipIf(skipBrowser)('Journeys in Chromium', () => {
  const data = tempDir('constintel-e2e-journeys-');
  let browser: Browser;
  let server: Served;
  let rpc: Rpc;
  let smtp: SmtpPeer;
  let consenting: Customer[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    importHistory(data.path, 31);
    smtp = await smtpPeer();
    browser = await launchChromium();
    server = await serve(['serve', '--data-dir', data.path, '--port', '0', '--ingest-port', '0'], {
      CONSTINTEL_CLOCK_START: CLOCK_START,
    });
    rpc = rpcOf(server.launchUrl);
    await cornerShop(rpc, smtp.port);
    await rpc('templates.save', {
      template: {
        name: 'We miss you (email)',
        channel: 'email',
        subject: 'We miss you, {{first_name}}',
        body: 'Hello {{first_name}}, it has been a while. Come and see what is new at {{shop_name}}.',
      },
    });
    const { items } = await rpc<CommandOutput<'customers.search'>>('customers.search', {
      sort: 'churn_risk',
      limit: 200,
    });
    consenting = items.filter((c) => c.churnScore !== null && c.email !== null).slice(0, 12);
    for (const c of consenting) await rpc('consent.set', { id: c.id, channel: 'email', state: 'yes' });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await smtp?.close();
    data.remove();
  });

  const newPage = async (): Promise<Page> => {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 720 },
      locale: 'en-GB',
      timezoneId: 'Europe/London',
      acceptDownloads: true,
    });
    const page = await context.newPage();
    watchForProblems(page, problems);
    await page.goto(server.launchUrl);
    return page;
  };

  it('works the journeys out, shows the funnel as journeys.summary counts it, and each stage’s customers', async () => {
    const page = await newPage();
    await nav(page, 'Journeys');
    await page.getByRole('heading', { level: 1, name: 'Journeys' }).waitFor();
    await page.getByRole('button', { name: 'Work it out again' }).click();
    const answer = page.getByTestId('journeys-recompute-answer');
    await answer.waitFor({ timeout: 60_000 });
    expect(await answer.textContent()).toMatch(/Done: \d+ customers: .*stage changes/);

    const summary = await rpc<Summary>('journeys.summary', {});
    expect(summary.customers).toBeGreaterThan(0);
    const funnel = page.getByTestId('journeys-funnel');
    await funnel.waitFor();
    for (const stage of JOURNEY_STAGES) {
      const expected = summary.funnel.find((f) => f.stage === stage);
      const bar = funnel.getByTestId(`funnel-${stage}`);
      expect(digits(await bar.getByTestId('funnel-count').textContent()), stage).toBe(expected?.customers);
      const row = page.getByTestId('journeys-funnel-table').getByRole('row', { name: new RegExp(`^${stage}`, 'i') });
      expect(await row.getByRole('cell').nth(1).textContent()).toBe(String(expected?.customers));
      expect(await row.getByRole('cell').nth(2).textContent()).toBe(String(expected?.lapsed));
    }
    const shownTotal = summary.funnel.reduce((n, f) => n + f.customers, 0);
    expect(shownTotal).toBe(summary.customers);

    // Each stage's threshold, in this shop's figures.
    const thresholds = page.getByTestId('journeys-thresholds');
    expect(summary.thresholds.words).toHaveLength(JOURNEY_STAGES.length);
    for (const w of summary.thresholds.words) expect(await thresholds.textContent()).toContain(w.text);

    // Moves and conversion: their tables say the same as the summary.
    if (summary.moves.some((m) => m.last30 + m.last90 > 0)) {
      const moves = page.getByTestId('journeys-moves-table');
      await moves.waitFor();
      const rows = summary.moves.filter((m) => m.last30 + m.last90 > 0);
      expect(await moves.locator('tbody tr').count()).toBe(rows.length);
      expect(await page.getByTestId('journeys-moves').locator('svg.recharts-surface').count()).toBeGreaterThan(0);
    }
    if (summary.conversion.some((c) => c.inStage > 0)) {
      const months = new Set(summary.conversion.map((c) => c.month));
      expect(await page.getByTestId('journeys-conversion-table').locator('tbody tr').count()).toBe(months.size);
    }
    await shot(page, 'journeys-funnel', funnel);
    await shot(page, 'journeys-moves', page.getByTestId('journeys-moves'));
    await shot(page, 'journeys-conversion', page.getByTestId('journeys-conversion'));

    // A stage's customers: the biggest stage, as journeys.stageCustomers lists it.
    const biggest = [...summary.funnel].sort((a, b) => b.customers - a.customers)[0];
    expect(biggest).toBeDefined();
    const stage = biggest?.stage ?? 'purchase';
    const list = page.getByTestId('journeys-stage-customers');
    await list.getByRole('combobox', { name: /^Stage/ }).selectOption(stage);
    const listed = await rpc<CommandOutput<'journeys.stageCustomers'>>('journeys.stageCustomers', {
      stage,
      limit: 25,
      offset: 0,
    });
    expect(listed.total).toBe(biggest?.customers);
    const table = list.getByTestId('stage-customers-table');
    await table
      .getByRole('caption')
      .filter({ hasText: new RegExp(stage, 'i') })
      .waitFor();
    expect(await table.locator('tbody tr').count()).toBe(listed.customers.length);
    const firstRow = table.locator('tbody tr').first();
    expect(await firstRow.getByRole('link').textContent()).toBe(listed.customers[0]?.name);
    await list
      .getByRole('status')
      .filter({ hasText: `of ${listed.total}` })
      .waitFor();
    if (listed.total > 25) {
      await list.getByRole('button', { name: 'Next' }).click();
      await list.getByRole('status').filter({ hasText: `Showing 26–` }).waitFor();
      await list.getByRole('button', { name: 'Previous' }).click();
      await list.getByRole('status').filter({ hasText: 'Showing 1–' }).waitFor();
    }
    await shot(page, 'journeys-stage-customers', list);
    expect(await axeViolations(page, axeSource())).toEqual([]);
    await noSidewaysScroll(page);
    expect(problems).toEqual([]);
    await page.context().close();
  }, 180_000);

  it('opens a customer from their stage and does their next best action with Do it', async () => {
    const page = await newPage();
    // A customer with a yes to email, found in their stage's list on the Journeys page.
    let chosen: { id: number; stage: (typeof JOURNEY_STAGES)[number]; name: string; offset: number } | undefined;
    const why: string[] = [];
    for (const c of consenting) {
      const journey = await rpc<CommandOutput<'journeys.forCustomer'>>('journeys.forCustomer', { profileId: c.id });
      const offers = await rpc<CommandOutput<'journeys.nextBestActions'>>('journeys.nextBestActions', {
        profileId: c.id,
      });
      why.push(...offers.notNow);
      if (!journey.stage || offers.actions.length === 0) continue;
      for (let offset = 0; !chosen; offset += 25) {
        const page25 = await rpc<CommandOutput<'journeys.stageCustomers'>>('journeys.stageCustomers', {
          stage: journey.stage,
          limit: 25,
          offset,
        });
        const found = page25.customers.find((x) => x.profileId === c.id);
        if (found) chosen = { id: c.id, stage: journey.stage, name: found.name, offset };
        if (offset + 25 >= page25.total) break;
      }
      if (chosen) break;
    }
    expect(chosen, `a customer with a yes to email, a stage and something to do: ${why.join(' ')}`).toBeDefined();
    if (!chosen) return;
    await nav(page, 'Journeys');
    const list = page.getByTestId('journeys-stage-customers');
    await list.getByRole('combobox', { name: /^Stage/ }).selectOption(chosen.stage);
    await list.getByRole('status').filter({ hasText: 'Showing 1–' }).waitFor();
    for (let at = 0; at < chosen.offset; at += 25) {
      await list.getByRole('button', { name: 'Next' }).click();
      await list
        .getByRole('status')
        .filter({ hasText: `Showing ${at + 26}–` })
        .waitFor();
    }
    await list.getByRole('link', { name: chosen.name, exact: true }).first().click();
    await expect.poll(() => new URL(page.url()).pathname).toBe(`/customers/${chosen.id}`);

    // Their journey on the 360: the stage they were listed in, the score's four parts, the next milestone.
    const journey = page.getByTestId('customer-journey');
    await journey.getByRole('heading', { name: 'Journey' }).waitFor({ timeout: 30_000 });
    const mine = await rpc<CommandOutput<'journeys.forCustomer'>>('journeys.forCustomer', { profileId: chosen.id });
    await journey
      .getByText(new RegExp(`^${chosen.stage}$`, 'i'))
      .first()
      .waitFor();
    expect(await journey.textContent()).toContain(`${Math.round(mine.score.total)} of 100`);
    if (mine.nextMilestone) expect(await journey.textContent()).toContain(mine.nextMilestone.text);
    await shot(page, 'journeys-customer-journey', journey);

    const panel = page.getByTestId('next-best-action');
    await panel.getByRole('heading', { name: 'Next best action' }).waitFor({ timeout: 30_000 });
    const offered = await rpc<CommandOutput<'journeys.nextBestActions'>>('journeys.nextBestActions', {
      profileId: chosen.id,
    });
    const best = offered.actions[0];
    expect(best, 'a customer with a yes to email has something worth doing').toBeDefined();
    if (!best) return;
    expect(await panel.getByTestId('nba-best').textContent()).toBe(best.label);
    await shot(page, 'journeys-customer-next-best-action', panel);
    await panel.getByRole('button', { name: /^Do it/ }).click();
    if (best.question) await panel.getByRole('button', { name: 'Yes, send it' }).click();
    const said = panel.getByTestId('nba-answer');
    await said.waitFor({ timeout: 30_000 });
    const sentence = (await said.textContent()) ?? '';
    expect(sentence.length).toBeGreaterThan(10);
    const email = consenting.find((c) => c.id === chosen.id)?.email ?? '';
    if ((best.kind === 'automation' || best.kind === 'template') && best.channel === 'email') {
      expect(sentence).toMatch(/^Sent .* to /);
      await expect.poll(() => smtp.mails.some((m) => m.to.includes(email)), { timeout: 30_000 }).toBe(true);
    } else if (best.kind === 'tag') {
      expect(sentence).toContain('Tagged');
      const tagged = await rpc<CommandOutput<'customers.search'>>('customers.search', {
        tag: String(best.what),
        limit: 200,
      });
      expect(tagged.items.map((c) => c.id)).toContain(chosen.id);
    }
    await shot(page, 'journeys-customer-done', panel);
    expect(await axeViolations(page, axeSource())).toEqual([]);
    expect(problems).toEqual([]);
    await page.context().close();
  }, 180_000);

  it('exports the customers listed on the Customers page as a CSV', async () => {
    const page = await newPage();
    await nav(page, 'Customers');
    await page.getByRole('heading', { level: 1, name: 'Customers' }).waitFor();
    const showing = page.getByTestId('showing');
    await showing.waitFor();
    const total = Number(/of ([\d,]+)/.exec((await showing.textContent()) ?? '')?.[1]?.replace(/,/g, ''));
    const listed = await rpc<CommandOutput<'customers.search'>>('customers.search', { limit: 1 });
    expect(total).toBe(listed.total);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export these customers (CSV)' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^customers-.*\.csv$/);
    const csv = readFileSync(await download.path(), 'utf8').replace(/^\uFEFF/, '');
    const lines = csv.split(/\r?\n/).filter((l) => l.trim() !== '');
    const header = lines[0]?.split(',') ?? [];
    expect(header.slice(0, 4)).toEqual(['Customer number', 'Name', 'Email', 'Phone']);
    for (const column of ['Orders', 'Last purchase', 'Segment', 'Churn risk', 'Journey stage', 'Journey score'])
      expect(header).toContain(column);
    expect(header).toContain('Next best action');
    expect(lines.length - 1).toBe(total);
    // The next best action column holds what Customer 360 shows for that customer.
    const rows = Papa.parse<Record<string, string>>(csv, { header: true, skipEmptyLines: true }).data;
    const withAction = rows.filter((r) => (r['Next best action'] ?? '') !== '');
    expect(withAction.length).toBeGreaterThan(0);
    for (const row of withAction.slice(0, 5)) {
      const ranked = await rpc<CommandOutput<'journeys.nextBestActions'>>('journeys.nextBestActions', {
        profileId: Number(row['Customer number']),
      });
      expect(row['Next best action']).toBe(ranked.actions[0]?.label);
    }
    expect(problems).toEqual([]);
    await page.context().close();
  }, 120_000);
});
