/**
 * Retraining end to end on a real data file: a seeded shop of 2,000 customers
 * over 18 months (about half stop buying) is retrained through the commands —
 * in the training thread, as the app runs it — and what the shop sees
 * follows: the active version, the score distributions, customers sorted and
 * filtered by risk, one customer's reasons. Also: the same history gives the
 * same scores, rollback, Cancel, a shop with too little history, the nightly
 * retrain on a fake clock, and the `retrain` / `export predictions` CLI.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../../main/core/backend';
import { fixedClock, silentLogger } from '../../../main/core/clock';
import { openDatabase } from '../../../main/core/db/open';
import { RETRAIN_JOB } from '../../../main/core/jobs/retrain-jobs';
import { schedulerOf } from '../../../main/core/jobs/scheduler';
import { EXPORT_COLUMNS } from '../../../main/core/ml/export-predictions';
import { retrainOf } from '../../../main/core/ml/retrain/retrain-service';
import { ensureDefaultBrand } from '../../../main/core/settings/settings-store';
import { inMemoryBackend, TEST_NOW, tempDir, testBackend } from '../../support/backend';
import { retrainFinished, seedMlShop } from '../../support/ml-shop';
import { builtScript } from '../../support/spawn';

const DAY = 86_400_000;
const NOW = Date.parse(TEST_NOW);
const CUSTOMERS = 2000;
const BROWSERS = 30;
const dir = tempDir();
afterAll(() => dir.remove());

const finished = retrainFinished;

function predictions(backend: Backend): { profile_id: number; churn_score: number | null; ltv_score: number | null }[] {
  return backend.db.sqlite
    .prepare('SELECT profile_id, churn_score, ltv_score FROM predictions ORDER BY profile_id')
    .all() as { profile_id: number; churn_score: number | null; ltv_score: number | null }[];
}

const sum = (bins: { customers: number }[]) => bins.reduce((a, b) => a + b.customers, 0);

describe('retraining a shop with 18 months of sales', () => {
  let backend: Backend;
  let firstVersion = 0;

  beforeAll(async () => {
    backend = await testBackend({ dataDir: join(dir.path, 'shop') });
    seedMlShop(backend.db, { customers: CUSTOMERS, browsers: BROWSERS, end: NOW, days: 548, seed: 7 });
  });
  afterAll(() => backend.close());

  it('runs in its own thread through the commands and the shop sees the new scores', async () => {
    const before = await backend.call('models.overview', {});
    expect(before).toMatchObject({ active: null, scored: 0, churnHistogram: [], ltvHistogram: [], importance: [] });

    const { jobId } = await backend.call('models.retrain', {});
    // One retrain at a time: asking again while it runs answers with the same job.
    expect(await backend.call('models.retrain', {})).toEqual({ jobId });
    expect((await backend.call('models.overview', {})).running?.id).toBe(jobId);
    const job = await finished(backend, jobId);
    expect(job).toMatchObject({ status: 'completed', stage: 'saving', progress: 1, error: null });
    expect(job.versionId).toBeGreaterThan(0);
    firstVersion = job.versionId as number;

    const versions = await backend.call('models.versions', {});
    expect(versions).toHaveLength(1);
    expect(versions[0]).toMatchObject({
      id: firstVersion,
      active: true,
      method: 'trees',
      asOf: TEST_NOW,
      horizons: { churnDays: 90, ltvDays: 180 },
    });
    expect(versions[0]?.metrics.churn?.auc).toBeGreaterThan(0.8);

    const overview = await backend.call('models.overview', {});
    expect(overview.active?.id).toBe(firstVersion);
    expect(overview.running).toBeNull();
    expect(overview.scored).toBe(CUSTOMERS + BROWSERS);
    expect(overview.churnHistogram).toHaveLength(10);
    // Every buyer has a churn score; people who only browsed have a value but no churn risk.
    expect(sum(overview.churnHistogram)).toBe(CUSTOMERS);
    expect(sum(overview.ltvHistogram)).toBe(overview.scored);
    expect(overview.ltvHistogram.length).toBeGreaterThanOrEqual(9);
    for (const [i, bin] of overview.ltvHistogram.entries()) {
      expect(bin.to).toBeGreaterThan(bin.from);
      if (i > 0) expect(bin.from).toBe(overview.ltvHistogram[i - 1]?.to);
    }
    expect(overview.importance.length).toBeGreaterThan(0);
    expect(overview.importance.reduce((a, f) => a + f.weight, 0)).toBeLessThanOrEqual(1 + 1e-9);
    for (const f of overview.importance) expect(f.label).not.toMatch(/_/);
  });

  it('sorts and filters customers by churn risk and predicted value', async () => {
    const byRisk = await backend.call('customers.search', { sort: 'churn_risk', limit: 200 });
    const risks = byRisk.items.map((c) => c.churnScore);
    expect(risks.every((r) => r !== null)).toBe(true);
    expect(risks).toEqual([...risks].sort((a, b) => (b as number) - (a as number)));
    expect(byRisk.total).toBe(CUSTOMERS + BROWSERS);
    // Customers with no churn score come last.
    const tail = await backend.call('customers.search', { sort: 'churn_risk', offset: CUSTOMERS, limit: 200 });
    expect(tail.items.map((c) => c.churnScore)).toEqual(new Array(BROWSERS).fill(null));

    const byValue = await backend.call('customers.search', { sort: 'predicted_value', limit: 100 });
    const values = byValue.items.map((c) => c.ltvScore as number);
    expect(values).toEqual([...values].sort((a, b) => b - a));

    const bands = await Promise.all(
      (['high', 'medium', 'low'] as const).map((risk) =>
        backend.call('customers.search', { risk, sort: 'churn_risk', limit: 200 }),
      ),
    );
    expect(bands.reduce((a, b) => a + b.total, 0)).toBe(CUSTOMERS);
    // The bands are the shop's own (the active version's thresholds), and every row says its band.
    const levels = (await backend.call('models.overview', {})).riskBands;
    if (!levels?.baseRate) throw new Error('no risk bands set from the shop');
    const [high, medium, low] = bands;
    const score = (c: { churnScore: number | null }) => c.churnScore as number;
    expect(high?.items.every((c) => score(c) >= levels.high && c.riskBand === 'high')).toBe(true);
    expect(
      medium?.items.every((c) => score(c) >= levels.low && score(c) < levels.high && c.riskBand === 'medium'),
    ).toBe(true);
    expect(low?.items.every((c) => score(c) < levels.low && c.riskBand === 'low')).toBe(true);

    // A search by name keeps the filter and the sort.
    const named = await backend.call('customers.search', { query: 'shopper1', risk: 'high', sort: 'churn_risk' });
    expect(named.items.length).toBeGreaterThan(0);
    expect(named.items.every((c) => c.name?.startsWith('Shopper1') && score(c) >= levels.high)).toBe(true);
    // The usual sorts still work and now carry the scores.
    const recent = await backend.call('customers.search', { limit: 5 });
    expect(recent.items.every((c) => c.ltvScore !== null)).toBe(true);
  });

  it("explains a customer's scores in plain words, also under a merged-away id", async () => {
    const [riskiest] = (await backend.call('customers.search', { sort: 'churn_risk', limit: 1 })).items;
    if (!riskiest) throw new Error('no customer');
    const scores = await backend.call('models.customer', { profileId: riskiest.id });
    expect(scores).toMatchObject({
      churnScore: riskiest.churnScore,
      ltvScore: riskiest.ltvScore,
      modelVersion: firstVersion,
      predictedAt: TEST_NOW,
    });
    expect(scores.reasons.length).toBeGreaterThanOrEqual(1);
    expect(scores.reasons.length).toBeLessThanOrEqual(3);
    // The facts are the customer's own: days since their last order as the data says.
    const last = backend.db.sqlite
      .prepare(
        "SELECT max(occurred_at) FROM customer_raw_event WHERE customer_profile_id = ? AND event_type = 'purchase'",
      )
      .pluck()
      .get(riskiest.id) as number;
    const days = Math.floor((NOW - last) / DAY);
    expect(scores.reasons.join('\n')).toMatch(
      new RegExp(`(No purchase for ${days} days|Has bought once, ${days} days ago)`),
    );
    const orders = backend.db.sqlite
      .prepare("SELECT count(*) FROM customer_raw_event WHERE customer_profile_id = ? AND event_type = 'purchase'")
      .pluck()
      .get(riskiest.id) as number;
    for (const reason of scores.reasons) {
      expect(reason).not.toMatch(/NaN|undefined|null|Infinity/);
      const spent = /^Spent .+ over (\d+) orders/.exec(reason);
      if (spent) expect(Number(spent[1])).toBe(orders);
    }
    // Same answer twice (deterministic).
    expect(await backend.call('models.customer', { profileId: riskiest.id })).toEqual(scores);

    const mergeId = Number(
      backend.db.sqlite
        .prepare(
          `INSERT INTO merge_history (brand_id, base_profile_id, merged_profile_ids, snapshot, reason, evidence, created_at)
           VALUES (1, ?, '[999999]', '{}', 'automatic', '[]', ?)`,
        )
        .run(riskiest.id, NOW).lastInsertRowid,
    );
    backend.db.sqlite
      .prepare('INSERT INTO profile_redirect (from_profile_id, to_profile_id, merge_history_id) VALUES (999999, ?, ?)')
      .run(riskiest.id, mergeId);
    expect(await backend.call('models.customer', { profileId: 999999 })).toEqual(scores);
    await expect(backend.call('models.customer', { profileId: 888888 })).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('gives identical scores when retrained on the same history', async () => {
    const first = predictions(backend);
    const { jobId } = await backend.call('models.retrain', {});
    const job = await finished(backend, jobId);
    expect(job.status).toBe('completed');
    expect(job.versionId).not.toBe(firstVersion);
    expect(predictions(backend)).toEqual(first);
    // Both versions' checks on the past have run (the first one's long since): the same history, the same figures.
    await retrainOf(backend.ctx).checksFinished();
    const versions = await backend.call('models.versions', {});
    expect(versions[0]?.metrics.backtest?.auc).toBeGreaterThan(0.8);
    expect(versions.map((v) => [v.id, v.active])).toEqual([
      [job.versionId, true],
      [firstVersion, false],
    ]);
    expect(versions[0]?.metrics).toEqual(versions[1]?.metrics);
  });

  it('rolls back: the first version is active again and scores every customer', async () => {
    expect(await backend.call('models.activate', { versionId: firstVersion })).toEqual({ ok: true });
    const versions = await backend.call('models.versions', {});
    expect(versions.find((v) => v.active)?.id).toBe(firstVersion);
    const used = backend.db.sqlite
      .prepare('SELECT DISTINCT model_version FROM predictions WHERE ltv_score IS NOT NULL')
      .pluck()
      .all();
    expect(used).toEqual([firstVersion]);
    expect((await backend.call('models.overview', {})).active?.id).toBe(firstVersion);
    await expect(backend.call('models.activate', { versionId: 12345 })).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('learns to the horizons set in Settings', async () => {
    await backend.call('settings.update', { churnHorizonDays: 120, valueHorizonDays: 240 });
    try {
      const { jobId } = await backend.call('models.retrain', {});
      expect((await finished(backend, jobId)).status).toBe('completed');
      const [latest] = await backend.call('models.versions', {});
      expect(latest?.horizons).toEqual({ churnDays: 120, ltvDays: 240 });
      await expect(backend.call('settings.update', { churnHorizonDays: 7 })).rejects.toMatchObject({
        kind: 'validation',
        field: 'churnHorizonDays',
      });
    } finally {
      await backend.call('settings.update', { churnHorizonDays: 90, valueHorizonDays: 180 });
      await backend.call('models.activate', { versionId: firstVersion });
    }
  });

  it('can be cancelled: the app keeps answering, nothing is saved and the scores stay', async () => {
    // The earlier retrains' checks on the past add to their versions' metrics: let them finish first.
    await retrainOf(backend.ctx).checksFinished();
    const before = predictions(backend);
    const versionsBefore = await backend.call('models.versions', {});
    const { jobId } = await backend.call('models.retrain', {});
    let job = await backend.call('models.job', { jobId });
    while (job.status === 'running' && job.stage === 'checking') {
      await new Promise((resolve) => setTimeout(resolve, 2));
      job = await backend.call('models.job', { jobId });
    }
    expect(job.status).toBe('running');
    expect((await backend.call('app.info', {})).version).toBeTruthy();
    expect(await backend.call('models.cancel', { jobId })).toEqual({ ok: true });
    job = await finished(backend, jobId);
    expect(job).toMatchObject({ status: 'cancelled', versionId: null });
    expect(job.progress).toBeLessThan(1);
    expect(await backend.call('models.cancel', { jobId })).toEqual({ ok: false });
    expect(await backend.call('models.versions', {})).toEqual(versionsBefore);
    expect(predictions(backend)).toEqual(before);
    // The next retrain runs normally.
    const next = await finished(backend, (await backend.call('models.retrain', {})).jobId);
    expect(next.status).toBe('completed');
  });
});

describe('a shop with too little history', () => {
  it('is told what is missing in plain words, and nothing breaks', async () => {
    const backend = await testBackend({ dataDir: join(dir.path, 'young') });
    try {
      // Below even small-shop mode's minimum (10 buyers).
      seedMlShop(backend.db, { customers: 6, end: NOW, days: 130, seed: 3 });
      const { jobId } = await backend.call('models.retrain', {});
      const job = await finished(backend, jobId);
      expect(job.status).toBe('failed');
      expect(job.error).toMatch(
        /^Not enough history to predict from yet: predictions need at least 10 customers who bought, 3 of them coming back on a later day \(you have \d+, \d+ of them coming back\)\. The learned models need 240 days of purchases \(you have \d+\) and 200 customers who bought more than 90 days ago \(you have \d+\)\. Import older sales or wait for more to come in\.$/,
      );
      expect(await backend.call('models.versions', {})).toEqual([]);
      expect((await backend.call('models.overview', {})).active).toBeNull();
      expect(
        (await backend.call('customers.search', { sort: 'churn_risk', limit: 1 })).items[0]?.churnScore,
      ).toBeNull();
      const [someone] = (await backend.call('customers.search', { limit: 1 })).items;
      expect(await backend.call('models.customer', { profileId: someone?.id as number })).toMatchObject({
        churnScore: null,
        reasons: [],
      });
    } finally {
      await backend.close();
    }
  });
});

describe('retraining without a training thread (a data file in memory)', () => {
  it('runs in this thread between answers, and can be cancelled before it starts', async () => {
    const backend = await inMemoryBackend();
    try {
      seedMlShop(backend.db, { customers: 400, end: NOW, days: 400, seed: 5 });
      const { jobId } = await backend.call('models.retrain', {});
      expect(await backend.call('models.cancel', { jobId })).toEqual({ ok: true });
      expect((await finished(backend, jobId)).status).toBe('cancelled');
      const second = await finished(backend, (await backend.call('models.retrain', {})).jobId);
      expect(second.status).toBe('completed');
      expect((await backend.call('models.overview', {})).scored).toBe(400);
    } finally {
      await backend.close();
    }
  });
});

describe('the nightly retrain', () => {
  it("runs once a day at 03:00 local time (the shop's time zone starts as the PC's) when turned on", async () => {
    const local = (day: number, hour: number, minute = 0) => new Date(2026, 2, day, hour, minute).toISOString();
    const clock = fixedClock(local(2, 2, 59));
    const backend = await testBackend({
      dataDir: '/nonexistent-in-memory',
      databaseFile: ':memory:',
      clock,
      logger: silentLogger,
    });
    try {
      // One check of the scheduler's clock (every 30 s in the app): the retrain it started, if any.
      const nightly = {
        nightlyTick: () =>
          schedulerOf(backend.ctx).tick().includes(RETRAIN_JOB) ? retrainOf(backend.ctx).running()?.id : undefined,
      };
      expect((await backend.call('settings.get', {})).retrainNightly).toBe(false);
      expect(nightly.nightlyTick()).toBeUndefined();
      clock.set(local(2, 3, 0));
      // Off by default: 03:00 passes without a retrain.
      expect(nightly.nightlyTick()).toBeUndefined();

      expect((await backend.call('settings.update', { retrainNightly: true })).settings.retrainNightly).toBe(true);
      clock.set(local(2, 23, 0));
      expect(nightly.nightlyTick()).toBeUndefined();
      clock.set(local(3, 3, 0));
      const jobId = nightly.nightlyTick();
      expect(jobId).toBeGreaterThan(0);
      // The empty shop has no history: the job says so and the app carries on.
      expect((await finished(backend, jobId as number)).error).toMatch(/^Not enough history/);
      await schedulerOf(backend.ctx).settled();
      // Settings shows it: the last run with its reason, the next one tomorrow at 03:00.
      const shown = (await backend.call('jobs.list', {})).jobs.find((j) => j.name === RETRAIN_JOB);
      expect(shown).toMatchObject({ enabled: true, running: false, lastRunAt: local(3, 3, 0), lastResult: 'failed' });
      expect(shown?.lastMessage).toMatch(/^Not enough history/);
      expect(shown?.nextRunAt).toBe(local(4, 3, 0));
      clock.set(local(3, 3, 30));
      expect(nightly.nightlyTick()).toBeUndefined();
      clock.set(local(3, 16, 0));
      expect(nightly.nightlyTick()).toBeUndefined();
      // A PC asleep at 03:00 retrains once when it wakes.
      clock.set(local(4, 8, 15));
      expect(nightly.nightlyTick()).toBeGreaterThan(jobId as number);
      clock.set(local(4, 9, 0));
      expect(nightly.nightlyTick()).toBeUndefined();

      await backend.call('settings.update', { retrainNightly: false });
      clock.set(local(5, 3, 1));
      expect(nightly.nightlyTick()).toBeUndefined();
    } finally {
      await backend.close();
    }
  });
});

describe('constintel retrain and export predictions', () => {
  const cli = (args: string[]) =>
    spawnSync(process.execPath, [builtScript('cli'), ...args], { encoding: 'utf8', timeout: 60_000 });

  it('retrains with --json and exports every scored customer to a CSV a spreadsheet opens safely', () => {
    const dataDir = join(dir.path, 'cli');
    const db = openDatabase(join(dataDir, 'constintel.db'));
    const now = Date.now();
    try {
      ensureDefaultBrand(db, fixedClock(new Date(now).toISOString()));
      seedMlShop(db, { customers: CUSTOMERS, browsers: BROWSERS, end: now, days: 548, seed: 11 });
      // Values a spreadsheet would run as formulas.
      db.sqlite.prepare('UPDATE profile_identifier SET value = \'=HYPERLINK("x")@example.com\' WHERE id = 1').run();
    } finally {
      db.close();
    }

    const retrain = cli(['retrain', '--json', '--data-dir', dataDir]);
    expect(retrain.stderr).toBe('');
    expect(retrain.status).toBe(0);
    const lines = retrain.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0] as string) as {
      versionId: number;
      metrics: { churn: { auc: number }; ltv: { mae: number }; backtest: { auc: number } | null; alarms: unknown[] };
      trainingRows: number;
      durationMs: number;
    };
    expect(result.versionId).toBe(1);
    expect(result.metrics.churn.auc).toBeGreaterThan(0.8);
    // The CLI waits for the check on the past, which agrees with the held-out figure.
    expect(Math.abs((result.metrics.backtest?.auc ?? 0) - result.metrics.churn.auc)).toBeLessThan(0.03);
    expect(result.metrics.alarms).toEqual([]);
    // Customers either model learned from: 60% of the buyers in each training set, most in both.
    expect(result.trainingRows).toBeGreaterThan(CUSTOMERS * 0.5);
    expect(result.trainingRows).toBeLessThan(CUSTOMERS);
    expect(result.durationMs).toBeGreaterThan(0);

    const raw = openDatabase(join(dataDir, 'constintel.db'));
    try {
      raw.sqlite.prepare("UPDATE predictions SET segment = '@risk' WHERE profile_id = 2").run();
      raw.sqlite.prepare("UPDATE predictions SET segment = '-1+2' WHERE profile_id = 3").run();
    } finally {
      raw.close();
    }
    const out = join(dir.path, 'scores.csv');
    const exported = cli(['export', 'predictions', '--out', out, '--data-dir', dataDir]);
    expect(exported.status).toBe(0);
    expect(exported.stdout).toContain(
      `Wrote ${(CUSTOMERS + BROWSERS).toLocaleString('en')} customers' scores to ${out}`,
    );
    const text = readFileSync(out, 'utf8');
    expect(text.startsWith('\ufeff')).toBe(true);
    const parsed = Papa.parse<string[]>(text.slice(1).trim(), { newline: '\r\n' });
    const [header, ...rows] = parsed.data;
    expect(header).toEqual([...EXPORT_COLUMNS]);
    expect(rows).toHaveLength(CUSTOMERS + BROWSERS);
    const row = (id: number) => rows.find((r) => r[0] === String(id)) as string[];
    expect(row(1)[1]).toBe('\'=HYPERLINK("x")@example.com');
    expect(row(2)[1]).toBe('shopper1@example.com');
    expect(row(2)[2]).toBe("'+447700900001");
    expect(row(2)[5]).toBe("'@risk");
    expect(row(3)[5]).toBe("'-1+2");
    for (const r of rows) {
      expect(r[6]).toBe('1');
      expect(Number(r[4])).toBeGreaterThanOrEqual(0);
      // A probability, never exactly 0 or 1, at full precision.
      if (r[3] !== '') expect(Number(r[3]) > 0 && Number(r[3]) < 1).toBe(true);
    }
    const stored = openDatabase(join(dataDir, 'constintel.db'));
    try {
      const distinct = stored.sqlite
        .prepare('SELECT count(DISTINCT churn_score) FROM predictions WHERE churn_score IS NOT NULL')
        .pluck()
        .get();
      expect(new Set(rows.filter((r) => r[3] !== '').map((r) => r[3])).size).toBe(distinct);
    } finally {
      stored.close();
    }
    expect(rows.filter((r) => r[3] === '')).toHaveLength(BROWSERS);
  });

  it('says plainly why it cannot retrain a shop with too little history, and exits non-zero', () => {
    const dataDir = join(dir.path, 'cli-empty');
    const result = cli(['retrain', '--json', '--data-dir', dataDir]);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^constintel: Not enough history to predict from yet: there are no sales to learn from\. Import your sales history/,
    );
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
