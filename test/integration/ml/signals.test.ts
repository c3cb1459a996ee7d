/**
 * ml/signals.ts, what the other engines read, on a seeded shop through a real backend: for every customer it answers
 * what Customer 360 shows (`models.customer`) — churn probability and band, predicted value, segment, next purchase,
 * intent and recommendations — before the first retrain (nothing scored, intent already there) and after it; many
 * customers at once answer as one at a time.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../../main/core/backend';
import { type CustomerSignals, signalsFor, signalsForMany } from '../../../main/core/ml/signals';
import type { CustomerScores } from '../../../shared/contract/models';
import { TEST_NOW, tempDir, testBackend } from '../../support/backend';
import { retrainFinished, seedMlShop } from '../../support/ml-shop';

const DAY = 86_400_000;
const NOW = Date.parse(TEST_NOW);
/** seedMlShop's brand. */
const BRAND = 1;
const dir = tempDir();
afterAll(() => dir.remove());

/** What `models.customer` answers, in the shape signals.ts gives it. */
function asSignals(profileId: number, scores: CustomerScores): CustomerSignals {
  return {
    profileId,
    churn:
      scores.churnScore === null || scores.riskBand === null
        ? null
        : { probability: scores.churnScore, band: scores.riskBand },
    predictedValue: scores.ltvScore,
    segment: scores.segment,
    nextPurchase: scores.nextPurchase,
    intent: scores.interest,
    recommendations: scores.recommendations,
    modelVersion: scores.modelVersion,
  };
}

describe('signals: what the engines read', () => {
  let backend: Backend;
  let profileIds: number[];

  beforeAll(async () => {
    backend = await testBackend({ dataDir: join(dir.path, 'shop') });
    ({ profileIds } = seedMlShop(backend.db, { customers: 600, browsers: 15, end: NOW, days: 548, seed: 23 }));
    // Interest lately for every tenth customer: cart adds and views of products, some bought since, some not.
    const insert = backend.db.sqlite.prepare(
      `INSERT INTO customer_raw_event (brand_id, event_type, source, external_id, payload, identifiers, occurred_at,
         received_at, customer_profile_id, order_id) VALUES (?, ?, 'shopify', ?, ?, '[]', ?, ?, ?, NULL)`,
    );
    profileIds.forEach((id, k) => {
      if (k % 10 !== 0) return;
      const at = NOW - (1 + (k % 7)) * DAY;
      const items = [{ sku: `SIG-${k % 4}`, title: `Signal product ${k % 4}` }];
      insert.run(BRAND, 'cart_add', `sig-cart-${k}`, JSON.stringify({ items }), at, at, id);
      insert.run(
        BRAND,
        'product_view',
        `sig-view-${k}`,
        JSON.stringify({ items: [{ title: 'Tea no. 1' }] }),
        at,
        at,
        id,
      );
    });
  });
  afterAll(() => backend.close());

  async function compareAll(): Promise<CustomerSignals[]> {
    const all: CustomerSignals[] = [];
    for (const id of profileIds) {
      const signals = signalsFor(backend.db, BRAND, id, { now: NOW });
      expect(signals).toEqual(asSignals(id, await backend.call('models.customer', { profileId: id })));
      all.push(signals);
    }
    return all;
  }

  it('answers as Customer 360 before the first retrain: nothing scored, intent already there', async () => {
    const all = await compareAll();
    expect(all.every((s) => s.churn === null && s.predictedValue === null && s.segment === null)).toBe(true);
    expect(all.filter((s) => s.intent.length > 0).length).toBeGreaterThanOrEqual(profileIds.length / 10 - 5);
  });

  it('answers as Customer 360 for every customer after a retrain, and many at once as one at a time', async () => {
    const job = await retrainFinished(backend, (await backend.call('models.retrain', {})).jobId);
    expect(job).toMatchObject({ status: 'completed', error: null });
    const all = await compareAll();
    // Every kind of figure is there for someone, so the comparison says something.
    const bands = new Set(all.map((s) => s.churn?.band));
    expect([...bands].sort()).toEqual(['high', 'low', 'medium', undefined]);
    expect(all.every((s) => s.modelVersion === job.versionId && s.predictedValue !== null)).toBe(true);
    expect(all.filter((s) => s.nextPurchase !== null).length).toBeGreaterThan(profileIds.length / 2);
    expect(all.filter((s) => s.recommendations.length > 0).length).toBeGreaterThan(profileIds.length / 2);
    expect(all.filter((s) => s.intent.length > 0).length).toBeGreaterThan(0);
    expect(new Set(all.map((s) => s.segment)).size).toBeGreaterThanOrEqual(4);

    const many = signalsForMany(backend.db, BRAND, [...profileIds, profileIds[0] as number], { now: NOW });
    expect(many.size).toBe(profileIds.length);
    expect([...many.values()]).toEqual(all);
  });

  it('keeps as much intent as asked', () => {
    const id = profileIds.find((_, k) => k % 10 === 0) as number;
    const all = signalsFor(backend.db, BRAND, id, { now: NOW, intent: { minScore: 0, limit: 10 } }).intent;
    expect(all.length).toBeGreaterThan(0);
    expect(signalsFor(backend.db, BRAND, id, { now: NOW, intent: { limit: 1 } }).intent).toEqual(all.slice(0, 1));
    expect(signalsFor(backend.db, BRAND, id, { now: NOW, intent: { minScore: 101 } }).intent).toEqual([]);
  });
});
