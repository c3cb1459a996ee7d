/**
 * What a retrain now gives beyond churn and value, on a real data file through
 * the commands: a segment for every customer (names stable across two retrains
 * of the same history, sizes on the Models overview, a filter in Customers),
 * every buyer's next purchase from the purchase pattern, recommendations with a
 * reason that never repeat a recent purchase — and small-shop mode: a shop with
 * 60 customers, below the learned models' minimum, gets BG/NBD predictions and
 * a segment for each, and the version says which method made them.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../../main/core/backend';
import { SEGMENT_NAMES } from '../../../main/core/ml/learners/segments/naming';
import type { RetrainJobView } from '../../../shared/contract/models';
import { TEST_NOW, tempDir, testBackend } from '../../support/backend';
import { retrainFinished, seedMlShop } from '../../support/ml-shop';

const DAY = 86_400_000;
const NOW = Date.parse(TEST_NOW);
const dir = tempDir();
afterAll(() => dir.remove());

async function retrained(backend: Backend): Promise<RetrainJobView> {
  const job = await retrainFinished(backend, (await backend.call('models.retrain', {})).jobId);
  expect(job).toMatchObject({ status: 'completed', error: null });
  return job;
}

interface Row {
  profile_id: number;
  segment: string | null;
  churn_score: number | null;
  ltv_score: number | null;
  recommendations: string;
  total_orders: number;
}

function rows(backend: Backend): Row[] {
  return backend.db.sqlite
    .prepare(
      `SELECT pr.profile_id, pr.segment, pr.churn_score, pr.ltv_score, pr.recommendations, p.total_orders
       FROM predictions pr JOIN customer_profile p ON p.id = pr.profile_id ORDER BY pr.profile_id`,
    )
    .all() as Row[];
}

function profileCount(backend: Backend): number {
  return backend.db.sqlite.prepare('SELECT count(*) FROM customer_profile').pluck().get() as number;
}

/** Titles of the products a customer bought in the 90 days before `asOf`. */
function recentTitles(backend: Backend, profileId: number, asOf: number): Set<string> {
  const payloads = backend.db.sqlite
    .prepare(
      `SELECT payload FROM customer_raw_event WHERE customer_profile_id = ? AND event_type = 'purchase'
         AND occurred_at >= ? AND occurred_at <= ?`,
    )
    .pluck()
    .all(profileId, asOf - 90 * DAY, asOf) as string[];
  return new Set(
    payloads.flatMap((p) => (JSON.parse(p) as { items: { title: string }[] }).items.map((i) => i.title.toLowerCase())),
  );
}

describe('segments, next purchase and recommendations from a retrain', () => {
  let backend: Backend;

  beforeAll(async () => {
    backend = await testBackend({ dataDir: join(dir.path, 'shop') });
    seedMlShop(backend.db, { customers: 1500, browsers: 20, end: NOW, days: 548, seed: 11 });
  });
  afterAll(() => backend.close());

  it('gives every customer a named segment, and the names stay the same on a second retrain', async () => {
    const first = await retrained(backend);
    const before = rows(backend);
    expect(before).toHaveLength(profileCount(backend));
    for (const r of before) {
      expect(SEGMENT_NAMES).toContain(r.segment);
      // Not bought yet exactly for those who never bought.
      expect(r.segment === 'Not bought yet').toBe(r.total_orders === 0);
    }
    const overview = await backend.call('models.overview', {});
    expect(overview.active).toMatchObject({ id: first.versionId, method: 'trees' });
    const names = overview.segments.map((s) => s.name);
    expect(names.length).toBeGreaterThanOrEqual(4);
    expect(names[names.length - 1]).toBe('Not bought yet');
    expect(overview.segments.reduce((a, s) => a + s.customers, 0)).toBe(before.length);
    for (const s of overview.segments) {
      expect(s.customers).toBe(before.filter((r) => r.segment === s.name).length);
      expect(s.description.length).toBeGreaterThan(10);
      expect(s.share).toBeCloseTo(s.customers / before.length, 10);
    }

    const second = await retrained(backend);
    expect(second.versionId).not.toBe(first.versionId);
    const after = rows(backend);
    expect(after.map((r) => [r.profile_id, r.segment])).toEqual(before.map((r) => [r.profile_id, r.segment]));
    expect((await backend.call('models.overview', {})).segments.map((s) => s.name)).toEqual(names);
  });

  it('filters Customers by a segment: exactly its members, each showing it', async () => {
    const all = rows(backend);
    const { segments } = await backend.call('models.overview', {});
    for (const s of segments.slice(0, 3)) {
      const found = await backend.call('customers.search', { segment: s.name, sort: 'churn_risk', limit: 200 });
      expect(found.total).toBe(s.customers);
      const members = new Set(all.filter((r) => r.segment === s.name).map((r) => r.profile_id));
      for (const c of found.items) {
        expect(members.has(c.id)).toBe(true);
        expect(c.segment).toBe(s.name);
      }
      // Riskiest first within the segment.
      const churn = found.items.map((c) => c.churnScore ?? -1);
      expect(churn).toEqual([...churn].sort((a, b) => b - a));
    }
    // With a search text too, and an unknown segment finds nobody.
    const [someone] = (await backend.call('customers.search', { segment: segments[0]?.name as string, limit: 1 }))
      .items;
    const byName = await backend.call('customers.search', {
      query: String(someone?.email).slice(0, 6),
      segment: segments[0]?.name as string,
    });
    expect(byName.items.map((c) => c.id)).toContain(someone?.id);
    expect(byName.items.every((c) => c.segment === segments[0]?.name)).toBe(true);
    expect((await backend.call('customers.search', { segment: 'Nobody here' })).total).toBe(0);
  });

  it("shows a buyer's next purchase and recommendations with a reason, never a recent purchase", async () => {
    const all = rows(backend);
    const active = (await backend.call('models.overview', {})).active;
    const asOf = Date.parse(active?.asOf as string);
    const withRecommendations = all.filter((r) => r.recommendations !== '[]');
    expect(withRecommendations.length).toBeGreaterThan(all.length / 2);
    for (const r of withRecommendations.slice(0, 40)) {
      const scores = await backend.call('models.customer', { profileId: r.profile_id });
      expect(scores.method).toBe('trees');
      expect(scores.recommendations.length).toBeGreaterThan(0);
      expect(scores.recommendations.length).toBeLessThanOrEqual(3);
      const recent = recentTitles(backend, r.profile_id, asOf);
      for (const rec of scores.recommendations) {
        expect(rec.reason).toMatch(/^Bought with \S/);
        expect(recent.has(rec.title.toLowerCase())).toBe(false);
      }
      const next = scores.nextPurchase;
      expect(next).not.toBeNull();
      if (!next) continue;
      expect(next.within30Days).toBeGreaterThanOrEqual(0);
      expect(next.within30Days).toBeLessThanOrEqual(next.within90Days);
      expect(next.within90Days).toBeLessThanOrEqual(next.stillActive + 1e-9);
      expect(next.stillActive).toBeLessThanOrEqual(1);
      expect(next.horizonDays).toBe(180);
      expect(next.expectedPurchases).toBeGreaterThanOrEqual(0);
      // A date is given exactly when a purchase is more likely than not at some point.
      if (next.expectedDate !== null) {
        expect(next.stillActive).toBeGreaterThan(0.5);
        expect(Date.parse(next.expectedDate)).toBeGreaterThanOrEqual(asOf);
      } else expect(next.stillActive).toBeLessThanOrEqual(0.5 + 1e-4);
    }
    // Someone who never bought has no next purchase and no churn score, but a segment.
    const browser = all.find((r) => r.total_orders === 0) as Row;
    expect(await backend.call('models.customer', { profileId: browser.profile_id })).toMatchObject({
      churnScore: null,
      nextPurchase: null,
      segment: 'Not bought yet',
    });
  });

  it('lists the segments for the Customers filter, and dates next purchases from the version’s date', async () => {
    const overview = await backend.call('models.overview', {});
    expect(await backend.call('models.segments', {})).toEqual(overview.segments);
    const buyer = rows(backend).find((r) => r.total_orders > 0) as Row;
    const { nextPurchase } = await backend.call('models.customer', { profileId: buyer.profile_id });
    expect(nextPurchase?.from).toBe(overview.active?.asOf);
  });

  it('keeps segments and recommendations on a roll back to the first version', async () => {
    const versions = await backend.call('models.versions', {});
    const before = rows(backend);
    await backend.call('models.activate', { versionId: versions[versions.length - 1]?.id as number });
    const after = rows(backend);
    expect(after.map((r) => [r.profile_id, r.segment, r.recommendations])).toEqual(
      before.map((r) => [r.profile_id, r.segment, r.recommendations]),
    );
  });

  it("shows the products a customer is keen on from today's cart add and views, until they buy", async () => {
    const [someone] = rows(backend);
    const id = someone?.profile_id as number;
    const insert = backend.db.sqlite.prepare(
      `INSERT INTO customer_raw_event (brand_id, event_type, source, external_id, payload, identifiers, occurred_at,
         received_at, customer_profile_id) VALUES (1, ?, 'shopify', NULL, ?, '[]', ?, ?, ?)`,
    );
    const item = { items: [{ sku: 'GRN-1', title: 'Burr grinder', quantity: 1 }] };
    insert.run('product_view', JSON.stringify(item), NOW - 2 * DAY, NOW, id);
    insert.run('cart_add', JSON.stringify(item), NOW - DAY / 2, NOW, id);
    const { interest } = await backend.call('models.customer', { profileId: id });
    expect(interest).toHaveLength(1);
    expect(interest[0]).toMatchObject({ product: 'GRN-1', title: 'Burr grinder' });
    // 40 for the cart add and 15 for the view, each halving every 7 days.
    expect(interest[0]?.score).toBeCloseTo(40 * 0.5 ** (0.5 / 7) + 15 * 0.5 ** (2 / 7), 0);
    insert.run('purchase', JSON.stringify({ orderId: 'g-1', total: 89, ...item }), NOW - DAY / 4, NOW, id);
    expect((await backend.call('models.customer', { profileId: id })).interest).toEqual([]);
  });
});

describe('a version from before segments (rolled back to)', () => {
  it('scores as before with no segments, next purchase or recommendations, and nothing breaks', async () => {
    const backend = await testBackend({ dataDir: join(dir.path, 'old-version') });
    try {
      seedMlShop(backend.db, { customers: 300, end: NOW, days: 400, seed: 8 });
      const first = await retrained(backend);
      // What issue 6's retrain stored: no method, purchase pattern, segments or co-purchases in the artifact.
      backend.db.sqlite
        .prepare(
          `UPDATE model_version SET method = 'trees',
             artifact = json_remove(artifact, '$.method', '$.pattern', '$.segments', '$.copurchase') WHERE id = ?`,
        )
        .run(first.versionId);
      await retrained(backend);
      await backend.call('models.activate', { versionId: first.versionId as number });
      const all = rows(backend);
      expect(all.every((r) => r.segment === null && r.recommendations === '[]')).toBe(true);
      expect(all.filter((r) => r.churn_score !== null).length).toBeGreaterThan(250);
      expect((await backend.call('models.overview', {})).segments).toEqual([]);
      expect(await backend.call('models.segments', {})).toEqual([]);
      const scores = await backend.call('models.customer', { profileId: all[0]?.profile_id as number });
      expect(scores).toMatchObject({ segment: null, nextPurchase: null, recommendations: [], method: 'trees' });
    } finally {
      await backend.close();
    }
  });
});

describe('small shops below small-shop mode’s minimum', () => {
  const insert = (backend: Backend, profileId: number, at: number, orderId: string) =>
    backend.db.sqlite
      .prepare(
        `INSERT INTO customer_raw_event (brand_id, event_type, source, external_id, payload, identifiers, occurred_at,
           received_at, customer_profile_id, order_id) VALUES (1, 'purchase', 'pos', ?, ?, '[]', ?, ?, ?, ?)`,
      )
      .run(orderId, JSON.stringify({ orderId, total: 20, currency: 'GBP', items: [] }), at, at, profileId, orderId);

  async function shop(name: string, repeatAt: (i: number) => number | null): Promise<RetrainJobView> {
    const backend = await testBackend({ dataDir: join(dir.path, name) });
    try {
      const profile = backend.db.sqlite.prepare(
        `INSERT INTO customer_profile (brand_id, lifetime_value, total_orders, strength, created_at, updated_at)
         VALUES (1, 0, 0, 0.5, ?, ?)`,
      );
      for (let i = 0; i < 12; i++) {
        const id = Number(profile.run(NOW, NOW).lastInsertRowid);
        const first = NOW - (40 + i) * DAY;
        insert(backend, id, first, `o-${i}-1`);
        const again = repeatAt(i);
        if (again !== null) insert(backend, id, first + again, `o-${i}-2`);
      }
      const job = await retrainFinished(backend, (await backend.call('models.retrain', {})).jobId);
      expect(await backend.call('models.versions', {})).toEqual([]);
      return job;
    } finally {
      await backend.close();
    }
  }

  it('says what is missing when only one customer came back, or everyone came back the same day', async () => {
    const message =
      /^Not enough history to predict from yet: predictions need at least 10 customers who bought, 3 of them coming back on a later day \(you have 12, (\d+) of them coming back\)/;
    const oneBack = await shop('one-back', (i) => (i === 0 ? 20 * DAY : null));
    expect(oneBack.status).toBe('failed');
    expect(oneBack.error).toMatch(message);
    expect(oneBack.error?.match(message)?.[1]).toBe('1');
    const sameDay = await shop('same-day', (i) => (i < 6 ? 3_600_000 : null));
    expect(sameDay.status).toBe('failed');
    expect(sameDay.error?.match(message)?.[1]).toBe('0');
  });
});

describe('small-shop mode: 60 customers', () => {
  it('gets BG/NBD predictions and a segment for each, and says which method made them', async () => {
    const backend = await testBackend({ dataDir: join(dir.path, 'small') });
    try {
      seedMlShop(backend.db, { customers: 60, end: NOW, days: 200, seed: 5 });
      const job = await retrained(backend);
      const versions = await backend.call('models.versions', {});
      expect(versions).toHaveLength(1);
      expect(versions[0]).toMatchObject({ id: job.versionId, method: 'bgnbd', active: true, trainingRows: 60 });
      const all = rows(backend);
      expect(all).toHaveLength(60);
      for (const r of all) {
        expect(SEGMENT_NAMES).toContain(r.segment);
        expect(r.churn_score).toBeGreaterThanOrEqual(0);
        expect(r.churn_score).toBeLessThanOrEqual(1);
        expect(r.ltv_score).toBeGreaterThanOrEqual(0);
      }
      // Regulars are less at risk than one-time buyers, on average.
      const meanChurn = (list: Row[]) => list.reduce((a, r) => a + (r.churn_score ?? 0), 0) / list.length;
      expect(meanChurn(all.filter((r) => r.total_orders >= 5))).toBeLessThan(
        meanChurn(all.filter((r) => r.total_orders === 1)),
      );
      const overview = await backend.call('models.overview', {});
      expect(overview.active?.method).toBe('bgnbd');
      expect(overview.scored).toBe(60);
      expect(overview.segments.reduce((a, s) => a + s.customers, 0)).toBe(60);
      expect(overview.importance).toEqual([]);
      const scores = await backend.call('models.customer', { profileId: all[0]?.profile_id as number });
      expect(scores).toMatchObject({ method: 'bgnbd' });
      expect(scores.nextPurchase).not.toBeNull();
      expect(scores.reasons.length).toBeGreaterThan(0);
      const found = await backend.call('customers.search', { segment: all[0]?.segment as string });
      expect(found.items.map((c) => c.id)).toContain(all[0]?.profile_id);
    } finally {
      await backend.close();
    }
  });
});
