/**
 * Segments and risk that agree (issue 13), on a seeded shop in a real in-memory backend with the migrations and a
 * real retrain (train()): the risk bands are the shop's own (base rate the buyers' mean churn risk, High the riskiest
 * fifth of those above it, Low under half of it) and the Customers filter, the rows' bands, Customer 360 and the
 * Models overview all use them; nobody at High risk or far past their usual gap is Champions or Loyal, and "At risk"
 * and "Lost" exist when such customers do, with the Models page's sizes counting them. A rollback keeps a version's
 * own bands and segments; a version from before the bands uses the old fixed ones.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../../main/core/backend';
import { FEATURE_NAMES } from '../../../main/core/ml/feature-names';
import { buildFeatures } from '../../../main/core/ml/features';
import type { SegmentModel } from '../../../main/core/ml/learners/segments/model';
import { segmentNames } from '../../../main/core/ml/learners/segments/naming';
import { saveVersion } from '../../../main/core/ml/retrain/registry';
import type { RiskBands } from '../../../main/core/ml/retrain/risk-bands';
import { train } from '../../../main/core/ml/retrain/train';
import type { Trained } from '../../../main/core/ml/retrain/trained';
import { formatRisk, riskBandOf, shownFloor } from '../../../shared/risk-band';
import { inMemoryBackend, TEST_NOW } from '../../support/backend';
import { seedMlShop } from '../../support/ml-shop';

const NOW = Date.parse(TEST_NOW);
const BRAND = 1;
const col = (name: (typeof FEATURE_NAMES)[number]) => FEATURE_NAMES.indexOf(name);

interface Buyer {
  profileId: number;
  churn: number;
  segment: string;
  recency: number;
  gap: number;
  orders: number;
  spend: number;
}

function retrain(backend: Backend, previous?: SegmentModel): { trained: Trained; versionId: number } {
  const trained = train(backend.db, BRAND, { now: NOW, seed: 1, ...(previous ? { previousSegments: previous } : {}) });
  return { trained, versionId: saveVersion(backend.db, BRAND, trained, 1000, NOW) };
}

/** Every buyer's churn risk and segment beside their features as of the version's date. */
function buyers(backend: Backend, trained: Trained): Buyer[] {
  const set = buildFeatures(backend.db, BRAND, trained.artifact.asOf + 1, trained.artifact.categories);
  const byId = new Map(trained.predictions.map((p) => [p.profileId, p]));
  return set.profileIds.flatMap((profileId, i) => {
    const p = byId.get(profileId);
    const row = set.rows[i] as Float64Array;
    if (!set.buyer[i] || !p || p.churn === null) return [];
    return [
      {
        profileId,
        churn: p.churn,
        segment: p.segment as string,
        recency: row[col('recency_days')] as number,
        gap: row[col('gap_mean_days')] as number,
        orders: row[col('frequency')] as number,
        spend: row[col('monetary')] as number,
      },
    ];
  });
}

/** Value at quantile q of ascending values (linear interpolation). */
function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (pos - lo);
}

describe('segments and risk bands from a retrain', () => {
  let backend: Backend;
  let first: { trained: Trained; versionId: number };
  let all: Buyer[];
  let bands: RiskBands;

  beforeAll(async () => {
    backend = await inMemoryBackend();
    seedMlShop(backend.db, { customers: 1500, browsers: 20, end: NOW, days: 548, seed: 11 });
    first = retrain(backend);
    all = buyers(backend, first.trained);
    bands = first.trained.artifact.riskBands as RiskBands;
  });
  afterAll(() => backend.close());

  it('sets the bands from the shop’s own buyers and stores them with the version', () => {
    expect(first.trained.method).toBe('trees');
    const base = all.reduce((a, b) => a + b.churn, 0) / all.length;
    expect(bands.baseRate).toBeCloseTo(base, 12);
    // Half the base rate, at the lowest risk shown as its percentage.
    expect(bands.low).toBeCloseTo(shownFloor(base / 2), 12);
    const above = all.filter((b) => b.churn > base);
    const high = all.filter((b) => b.churn >= bands.high);
    // The riskiest fifth of those above it, and everyone shown at the same percentage as the line: on this shop
    // hundreds of the riskiest share the calibration's top value, so more than a fifth.
    expect(high.length / above.length).toBeGreaterThanOrEqual(0.2);
    expect(high.length / above.length).toBeLessThan(0.5);
    const shownLine = formatRisk(bands.high);
    for (const b of all) if (formatRisk(b.churn) === shownLine) expect(b.churn).toBeGreaterThanOrEqual(bands.high);
    expect(high.every((b) => b.churn > base)).toBe(true);
    const stored = backend.db.sqlite
      .prepare(`SELECT artifact -> '$.riskBands' FROM model_version WHERE id = ?`)
      .pluck()
      .get(first.versionId) as string;
    expect(JSON.parse(stored)).toEqual(bands);
  });

  it('keeps nobody at High risk or far past their usual gap in Champions or Loyal; At risk and Lost exist', () => {
    const lapse = first.trained.artifact.segments?.lapse;
    const gaps = all
      .map((b) => b.gap)
      .filter((g) => g > 0)
      .sort((a, b) => a - b);
    const p75 = quantile(gaps, 0.75);
    expect(lapse?.p75GapDays).toBeCloseTo(p75, 9);
    expect(lapse?.highRisk).toBe(bands.high);
    const overdue = (b: Buyer) => b.recency > 2 * (b.gap > 0 ? b.gap : p75) && b.recency > p75;
    const atHighRisk = (b: Buyer) => b.churn >= bands.high;
    const lapsing = all.filter((b) => overdue(b) || atHighRisk(b));
    // The seeded shop has plenty of both: regulars who stopped, and one-off buyers long gone.
    expect(lapsing.filter((b) => b.orders >= 2).length).toBeGreaterThan(50);
    expect(lapsing.filter((b) => b.orders === 1).length).toBeGreaterThan(20);
    for (const b of lapsing) {
      expect(['Champions', 'Loyal', 'Promising', 'Need attention', 'Hibernating']).not.toContain(b.segment);
      // A recent first order stays "New" even at High risk; nobody overdue does.
      if (b.segment === 'New') expect(!overdue(b) && b.orders <= 1).toBe(true);
    }
    const segments = new Set(all.map((b) => b.segment));
    expect(segments).toContain('At risk');
    expect(segments).toContain('Lost');
    // "At risk" were good customers: more than one order, or at least the shop's median spend.
    const spends = all.map((b) => b.spend).sort((a, b) => a - b);
    const median = quantile(spends, 0.5);
    for (const b of lapsing.filter((x) => x.segment === 'At risk'))
      expect(b.orders >= 2 || b.spend >= median).toBe(true);
    for (const b of lapsing.filter((x) => x.segment === 'Lost')) expect(b.orders < 2 && b.spend < median).toBe(true);
    // Champions and Loyal now sit beside low risk.
    const mean = (name: string) => {
      const members = all.filter((b) => b.segment === name);
      return members.reduce((a, b) => a + b.churn, 0) / members.length;
    };
    for (const good of ['Champions', 'Loyal'].filter((n) => segments.has(n)))
      expect(mean(good)).toBeLessThan(bands.baseRate);
    expect(mean('At risk')).toBeGreaterThan(bands.baseRate);
  });

  it('counts the final segments on the Models page, and in the model', async () => {
    const overview = await backend.call('models.overview', {});
    expect(overview.riskBands).toEqual(bands);
    const count = (name: string) => first.trained.predictions.filter((p) => p.segment === name).length;
    const names = overview.segments.map((s) => s.name);
    expect(names).toContain('At risk');
    expect(names).toContain('Lost');
    for (const s of overview.segments) expect(s.customers).toBe(count(s.name));
    expect(overview.segments.reduce((a, s) => a + s.customers, 0)).toBe(first.trained.predictions.length);
    const model = first.trained.artifact.segments as SegmentModel;
    for (const { name } of segmentNames(model).filter((s) => s.name !== 'Not bought yet')) {
      const tallied = [...model.segments, ...(model.lapse?.moved ?? [])]
        .filter((s) => s.name === name)
        .reduce((a, s) => a + s.size, 0);
      expect(tallied).toBe(count(name));
    }
  });

  it('filters Customers by the shop’s bands, and every row and Customer 360 says its band', async () => {
    const totals = await Promise.all(
      (['high', 'medium', 'low'] as const).map((risk) =>
        backend.call('customers.search', { risk, sort: 'churn_risk', limit: 200 }),
      ),
    );
    const [high, medium, low] = totals;
    expect(high?.total).toBe(all.filter((b) => b.churn >= bands.high).length);
    expect(low?.total).toBe(all.filter((b) => b.churn < bands.low).length);
    expect(totals.reduce((a, t) => a + t.total, 0)).toBe(all.length);
    for (const [found, band] of [
      [high, 'high'],
      [medium, 'medium'],
      [low, 'low'],
    ] as const) {
      expect(found?.riskBands).toEqual(bands);
      for (const c of found?.items ?? []) {
        expect(c.riskBand).toBe(band);
        expect(riskBandOf(c.churnScore, bands)).toBe(band);
      }
    }
    // A search by name keeps the shop's bands too.
    const named = await backend.call('customers.search', { query: 'shopper1', risk: 'high' });
    expect(named.items.every((c) => c.riskBand === 'high' && (c.churnScore as number) >= bands.high)).toBe(true);
    const riskiest = high?.items[0];
    const scores = await backend.call('models.customer', { profileId: riskiest?.id as number });
    expect(scores).toMatchObject({ riskBand: 'high', riskBands: bands, churnScore: riskiest?.churnScore });
    // Someone who never bought has no band.
    const [browser] = (await backend.call('customers.search', { sort: 'churn_risk', offset: all.length })).items;
    expect(browser).toMatchObject({ churnScore: null, riskBand: null });
  });

  it('keeps a version’s own bands and segments on a rollback; an old version uses the fixed bands', async () => {
    const second = retrain(backend, first.trained.artifact.segments);
    // A version as saved before the bands and the lapsing rule existed.
    backend.db.sqlite
      .prepare(
        `UPDATE model_version SET artifact = json_remove(artifact, '$.riskBands', '$.segments.lapse') WHERE id = ?`,
      )
      .run(second.versionId);
    await backend.call('models.activate', { versionId: second.versionId });
    const old = await backend.call('models.overview', {});
    expect(old.riskBands).toEqual({ high: 0.7, low: 0.4, baseRate: null });
    const high = await backend.call('customers.search', { risk: 'high', sort: 'churn_risk', limit: 200 });
    expect(high.total).toBe(all.filter((b) => b.churn >= 0.7).length);
    expect(high.items.every((c) => c.riskBand === 'high' && (c.churnScore as number) >= 0.7)).toBe(true);
    // Its segments come from the clusters alone, as before.
    const clusterNames = new Set(second.trained.artifact.segments?.segments.map((s) => s.name));
    const stored = backend.db.sqlite
      .prepare('SELECT DISTINCT segment FROM predictions WHERE churn_score IS NOT NULL')
      .pluck()
      .all() as string[];
    for (const name of stored) expect(clusterNames).toContain(name);

    await backend.call('models.activate', { versionId: first.versionId });
    expect((await backend.call('models.overview', {})).riskBands).toEqual(bands);
    const rows = backend.db.sqlite.prepare('SELECT profile_id, segment FROM predictions ORDER BY profile_id').all() as {
      profile_id: number;
      segment: string;
    }[];
    const fitted = new Map(first.trained.predictions.map((p) => [p.profileId, p.segment]));
    expect(rows.every((r) => r.segment === fitted.get(r.profile_id))).toBe(true);
  });
});
