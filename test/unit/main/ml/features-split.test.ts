/**
 * The honest time split: features as of a cutoff are built only from what
 * happened before it. Events at the cutoff or after it (a purchase, a refund,
 * browsing, a new category) leave every customer's row, and the shop's top
 * categories, exactly as they were; the same events a moment earlier change
 * them. What happened from the cutoff on is the label window.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../../main/core/clock';
import { type Database, openDatabase } from '../../../../main/core/db/open';
import { buildFeatures, outcomes } from '../../../../main/core/ml/features';
import { ensureDefaultBrand } from '../../../../main/core/settings/settings-store';
import { TEST_NOW } from '../../../support/backend';
import { seedMlShop } from '../../../support/ml-shop';

const DAY = 86_400_000;
const NOW = Date.parse(TEST_NOW);
const CUTOFF = NOW - 90 * DAY;

let db: Database;
let customer = 0;
let external = 0;

function add(type: string, at: number, payload: object): void {
  external += 1;
  db.sqlite
    .prepare(
      `INSERT INTO customer_raw_event (brand_id, event_type, source, external_id, payload, occurred_at, received_at,
         customer_profile_id, order_id)
       VALUES (1, ?, 'pos', ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      type,
      `split-${external}`,
      JSON.stringify(payload),
      at,
      at,
      customer,
      (payload as { orderId?: string }).orderId ?? null,
    );
}

/** What a feature set says, comparable with toEqual (NaN equals NaN there). */
const snapshot = (asOf: number) => {
  const set = buildFeatures(db, 1, asOf);
  return {
    categories: set.categories,
    profileIds: set.profileIds,
    buyer: set.buyer,
    rows: set.rows.map((r) => [...r]),
  };
};

beforeEach(() => {
  db = openDatabase(':memory:');
  ensureDefaultBrand(db, fixedClock(TEST_NOW));
  const shop = seedMlShop(db, { customers: 300, end: NOW, days: 400, seed: 21 });
  customer = shop.profileIds[10] as number;
});

describe('features as of a cutoff', () => {
  it('never see events at or after the cutoff', () => {
    const before = snapshot(CUTOFF);
    const labelsBefore = outcomes(db, 1, CUTOFF, NOW).get(customer)?.purchases ?? 0;
    // Enough of a new category that it would become the shop's top one if it were counted.
    const items = [{ category: 'Zebra saddles', quantity: 5000 }];
    add('purchase', CUTOFF, { orderId: 'late-1', total: 900, items });
    add('purchase', CUTOFF + DAY, { orderId: 'late-2', total: 50, items });
    add('refund', CUTOFF + 2 * DAY, { orderId: 'late-1', total: 900 });
    add('product_view', CUTOFF, {});
    add('cancellation', CUTOFF + 3 * DAY, { orderId: 'late-2' });

    expect(snapshot(CUTOFF)).toEqual(before);
    // They are in the label window instead.
    expect(outcomes(db, 1, CUTOFF, NOW).get(customer)?.purchases).toBe(labelsBefore + 1);
  });

  it('do see the same events a moment before the cutoff (so the check above can fail)', () => {
    const before = snapshot(CUTOFF);
    add('purchase', CUTOFF - 1, {
      orderId: 'early-1',
      total: 900,
      items: [{ category: 'Zebra saddles', quantity: 5000 }],
    });
    const after = snapshot(CUTOFF);
    expect(after.categories[0]).toBe('Zebra saddles');
    const i = before.profileIds.indexOf(customer);
    expect(after.rows[i]).not.toEqual(before.rows[i]);
  });
});
