/**
 * Plain words for the models: every feature has a label, and a customer's
 * reasons are facts from their own history (orders once, refunds off,
 * cancelled orders left out), chosen by what the models weigh most.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../../main/core/clock';
import { type Database, openDatabase } from '../../../../main/core/db/open';
import { featureLabel, reasonsFor } from '../../../../main/core/ml/explain';
import { BGNBD_FEATURE_NAMES, FEATURE_NAMES } from '../../../../main/core/ml/feature-names';
import { ensureDefaultBrand } from '../../../../main/core/settings/settings-store';
import { TEST_NOW } from '../../../support/backend';

const DAY = 86_400_000;
const NOW = Date.parse(TEST_NOW);

describe('feature labels', () => {
  it('name every feature in plain words, categories by their name', () => {
    for (const feature of [...FEATURE_NAMES, ...BGNBD_FEATURE_NAMES])
      expect(featureLabel(feature, ['Coffee', 'Tea'])).not.toMatch(/_/);
    expect(featureLabel('bgnbd_p_alive', [])).toBe('Chance they are still a customer (purchase pattern)');
    expect(featureLabel('recency_days', [])).toBe('Days since last purchase');
    expect(featureLabel('category_2_share', ['Coffee', 'Tea'])).toBe('Share of purchases in Tea');
    expect(featureLabel('category_5_share', ['Coffee', 'Tea'])).toBe("Share of purchases in the shop's fifth category");
  });
});

describe('reasons', () => {
  let db: Database;
  let profileId = 0;
  let n = 0;
  const event = (type: string, source: string, daysAgo: number, payload: Record<string, unknown>) => {
    n += 1;
    db.sqlite
      .prepare(
        `INSERT INTO customer_raw_event (brand_id, event_type, source, external_id, payload, occurred_at, received_at,
           customer_profile_id, order_id) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        type,
        source,
        `e-${n}`,
        JSON.stringify(payload),
        NOW - daysAgo * DAY,
        NOW - daysAgo * DAY,
        profileId,
        (payload.orderId as string | undefined) ?? null,
      );
  };
  const reasons = (churn: string[], ltv: string[]) =>
    reasonsFor({
      db,
      brandId: 1,
      profileId,
      at: NOW,
      currency: 'GBP',
      importance: {
        churn: churn.map((feature, i) => ({ feature, weight: 1 / (i + 2) })),
        ltv: ltv.map((feature, i) => ({ feature, weight: 1 / (i + 2) })),
      },
    });

  beforeEach(() => {
    db = openDatabase(':memory:');
    ensureDefaultBrand(db, fixedClock(TEST_NOW));
    profileId = Number(
      db.sqlite
        .prepare(
          "INSERT INTO customer_profile (brand_id, first_name, email_consent, created_at, updated_at) VALUES (1, 'Ann', 1, 0, 0)",
        )
        .run().lastInsertRowid,
    );
    const coffee = [{ category: 'Coffee', quantity: 2 }];
    event('purchase', 'shopify', 154, { orderId: 'A', total: 100, items: coffee });
    event('purchase', 'shopify', 124, { orderId: 'B', total: 200, items: [{ category: 'Tea', quantity: 1 }] });
    event('purchase', 'shopify', 124, { orderId: 'B', total: 200 }); // the same order again, from another feed
    event('refund', 'shopify', 120, { orderId: 'B', total: 20 });
    event('purchase', 'pos', 94, { orderId: 'C', total: 120, items: coffee });
    event('purchase', 'pos', 60, { orderId: 'D', total: 999 });
    event('cancellation', 'pos', 59, { orderId: 'D' });
    event('product_view', 'shopify', 10, {});
  });

  it('tell the facts the models weigh most, one per fact, two for churn and one for value', () => {
    expect(reasons(['overdue_ratio', 'recency_days', 'channel_online'], ['monetary'])).toEqual([
      'No purchase for 94 days; usually buys every 30 days',
      'Buys mostly online (67% of orders)',
      'Spent £400 over 3 orders',
    ]);
    expect(reasons(['days_since_last_activity', 'purchases_90d'], ['top_category_share'])).toEqual([
      'Last seen 10 days ago, after their last purchase',
      'No orders in the last 90 days',
      'Buys mostly Coffee (80% of items)',
    ]);
    expect(reasons(['refund_share', 'email_consent'], ['spend_trend'])).toEqual([
      'Returned £20 of £420 bought (5%)',
      'Agreed to emails',
      'Spent £0 in the last 90 days, against £400 in the 90 days before',
    ]);
  });

  it('fill up from the main facts when the models weigh fewer, and say the same twice', () => {
    const first = reasons([], []);
    expect(first).toEqual([
      'No purchase for 94 days; usually buys every 30 days',
      'Spent £400 over 3 orders',
      'No orders in the last 90 days',
    ]);
    expect(reasons([], [])).toEqual(first);
  });
});
