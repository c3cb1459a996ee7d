/**
 * The Dashboard's figures (`dashboard.summary`) on a real backend with the real migrations, against values worked
 * out by hand for a seeded shop in London on Wednesday 4 March 2026: this week's and month's revenue (an order seen
 * from two sources counted once, a cancelled order not at all, a refund subtracted), orders, average basket, new and
 * returning customers and the repeat rate, the walk-in share, the same week and month last year; value at risk and
 * the 20 customers to contact first in order of what is at stake; the periods kept up to date when a sale arrives,
 * a customer is erased or the time zone changes; and what waits for the shop.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../../main/core/backend';
import { fixedClock } from '../../../main/core/clock';
import { ingestEvents } from '../../../main/core/ingest/ingest-service';
import type { DashboardView } from '../../../shared/contract/dashboard';
import { testBackend } from '../../support/backend';
import { ev } from '../../support/events';

let backend: Backend;
beforeEach(async () => {
  // Wednesday 4 March 2026, 10:00 in London (GMT in March).
  backend = await testBackend({
    dataDir: '/nonexistent-in-memory',
    databaseFile: ':memory:',
    clock: fixedClock('2026-03-04T10:00:00Z'),
  });
  await backend.call('settings.update', { timeZone: 'Europe/London', currency: 'GBP' });
});
afterEach(() => backend.close());

const sale = (
  email: string | null,
  at: string,
  total: number,
  orderId: string,
  source: 'shopify' | 'pos' = 'shopify',
) =>
  ev({
    type: 'purchase',
    source,
    occurredAt: at,
    identifiers: email ? { email } : {},
    payload: { total, currency: 'GBP', orderId },
  });

function seed(): Record<string, number> {
  const results = ingestEvents(backend.ctx, [
    // Last year, the same week (Monday 3 March 2025) and month: Ann's first order.
    sale('ann@example.com', '2025-03-04T12:00:00Z', 40, 'A0'),
    // This week (from Monday 2 March 2026): Ann again (returning), 30, refunded 5 on Wednesday.
    sale('ann@example.com', '2026-03-02T09:00:00Z', 30, 'A1'),
    // Bob's first order, 50, seen from the online shop and again from the till: one order.
    sale('bob@example.com', '2026-03-03T10:00:00Z', 50, 'B1'),
    sale('bob@example.com', '2026-03-03T10:05:00Z', 50, 'B1', 'pos'),
    // Cat's order, cancelled the next day: counts nothing, and Cat is not a buyer.
    sale('cat@example.com', '2026-03-03T11:00:00Z', 20, 'C1'),
    ev({
      type: 'cancellation',
      occurredAt: '2026-03-04T08:00:00Z',
      identifiers: { email: 'cat@example.com' },
      payload: { orderId: 'C1' },
    }),
    // A walk-in at the till: nobody in particular.
    sale(null, '2026-03-03T15:00:00Z', 10, 'W1', 'pos'),
    ev({
      type: 'refund',
      occurredAt: '2026-03-04T09:00:00Z',
      identifiers: { email: 'ann@example.com' },
      payload: { total: 5, currency: 'GBP', orderId: 'A1' },
    }),
    // February: Dan, in last month's column only.
    sale('dan@example.com', '2026-02-10T12:00:00Z', 100, 'D1'),
  ]);
  const ids: Record<string, number> = {};
  for (const r of results) if (r.profileId !== null) ids[`p${r.profileId}`] = r.profileId;
  return ids;
}

const summary = () => backend.call('dashboard.summary', {}) as Promise<DashboardView>;

describe('dashboard: sales', () => {
  it('counts this week and month, and the same period last year, as worked out by hand', async () => {
    seed();
    const d = await summary();
    expect(d.hasData).toBe(true);
    const week = d.weeks.at(-1);
    expect(week?.start).toBe('2026-03-02T00:00:00.000Z');
    expect(week?.current).toBe(true);
    expect(week?.figures).toEqual({
      revenue: 85, // 30 + 50 + 10 − 5
      orders: 3, // A1, B1 once, W1 (C1 cancelled)
      averageBasket: 28.33,
      buyers: 2, // Ann, Bob
      newCustomers: 1, // Bob
      returningCustomers: 1, // Ann (bought last year)
      repeatRate: 0.5,
      walkInOrders: 1,
      walkInShare: 1 / 3,
    });
    // 52 weeks before: the week from Monday 3 March 2025, Ann's first order.
    expect(week?.lastYear).toMatchObject({ revenue: 40, orders: 1, buyers: 1, newCustomers: 1, returningCustomers: 0 });
    expect(d.weeks).toHaveLength(13);
    expect(d.weeks.slice(0, -1).every((w) => !w.current)).toBe(true);

    const month = d.months.at(-1);
    expect(month?.label).toBe('Mar 2026');
    expect(month?.figures).toMatchObject({ revenue: 85, orders: 3, buyers: 2, newCustomers: 1, walkInOrders: 1 });
    expect(month?.lastYear).toMatchObject({ revenue: 40, orders: 1 });
    expect(d.months.at(-2)?.figures).toMatchObject({ revenue: 100, orders: 1, buyers: 1, newCustomers: 1 });
    expect(d.months.at(-2)?.lastYear).toBeNull();
  });

  it('keeps the periods up to date: a new sale, an erased customer, a change of time zone', async () => {
    seed();
    await summary();
    ingestEvents(backend.ctx, [sale('eve@example.com', '2026-03-04T09:30:00Z', 12, 'E1')]);
    let week = (await summary()).weeks.at(-1)?.figures;
    expect(week).toMatchObject({ revenue: 97, orders: 4, buyers: 3, newCustomers: 2 });

    // Erasing Bob removes his order from the figures.
    const bob = (await backend.call('customers.search', { query: 'bob@example.com' })).items[0]?.id as number;
    await backend.call('customers.erase', { id: bob });
    week = (await summary()).weeks.at(-1)?.figures;
    expect(week?.revenue).toBe(47);
    expect(week?.orders).toBe(3);

    // In Los Angeles, Monday 2 March 09:00 UTC is still Monday 1 a.m.: Ann's order stays in the week, but the week
    // now starts at 08:00 UTC.
    await backend.call('settings.update', { timeZone: 'America/Los_Angeles' });
    const la = (await summary()).weeks.at(-1);
    expect(la?.start).toBe('2026-03-02T08:00:00.000Z');
    expect(la?.figures.revenue).toBe(47);
  });

  it('an empty shop has no data (the first-run guide shows)', async () => {
    const d = await summary();
    expect(d.hasData).toBe(false);
    expect(d.customers).toBe(0);
    expect(d.weeks.every((w) => w.figures.orders === 0 && w.lastYear === null)).toBe(true);
    expect(d.contactFirst).toEqual([]);
  });
});

describe('dashboard: value at risk and whom to contact first', () => {
  it('sums the predicted value of the high band and lists the 20 with the most at stake, in order', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 26; i++)
      ids.push(
        ingestEvents(backend.ctx, [sale(`c${i}@example.com`, '2026-01-10T12:00:00Z', 10 + i, `O${i}`)])[0]
          ?.profileId as number,
      );
    const db = backend.db.sqlite;
    const version = Number(
      db
        .prepare(
          `INSERT INTO model_version (brand_id, kind, method, metrics, artifact, training_rows, duration_ms, active, created_at)
           VALUES (1, 'scores', 'bgnbd', '{}', ?, 26, 10, 1, ?)`,
        )
        .run(
          JSON.stringify({
            asOf: 0,
            horizons: { churnDays: 90, ltvDays: 365 },
            riskBands: { high: 0.6, low: 0.3, baseRate: 0.4 },
          }),
          Date.parse('2026-03-03T00:00:00Z'),
        ).lastInsertRowid,
    );
    // 24 in the high band (churn ≥ 0.6) with values chosen so that the stakes are all different; 2 below it.
    const expected: { id: number; stake: number; value: number }[] = [];
    ids.forEach((id, i) => {
      const churn = i < 24 ? 0.6 + (i % 4) * 0.1 : 0.2;
      const value = 100 + ((i * 37) % 23) * 10;
      db.prepare(
        `INSERT INTO predictions (profile_id, brand_id, churn_score, ltv_score, segment, model_version, predicted_at)
         VALUES (?, 1, ?, ?, ?, ?, 0)`,
      ).run(id, churn, value, i % 2 ? 'At risk' : 'Loyal', version);
      if (i < 24) expected.push({ id, stake: churn * value, value });
    });
    const d = await summary();
    expect(d.valueAtRisk.customers).toBe(24);
    expect(d.valueAtRisk.line).toBe(0.6);
    expect(d.valueAtRisk.value).toBeCloseTo(
      expected.reduce((s, e) => s + e.value, 0),
      6,
    );
    const order = [...expected].sort((a, b) => b.stake - a.stake || a.id - b.id).slice(0, 20);
    expect(d.contactFirst.map((c) => c.profileId)).toEqual(order.map((e) => e.id));
    expect(d.contactFirst[0]?.stake).toBeCloseTo(order[0]?.stake ?? 0, 6);
    // The same customers the Customers page lists as high risk.
    const high = await backend.call('customers.search', { risk: 'high', limit: 50 });
    expect(high.total).toBe(24);
    expect(d.segments).toEqual([
      { segment: 'At risk', customers: 13 },
      { segment: 'Loyal', customers: 13 },
    ]);
    // Each with the next best action Customer 360 shows (none here: no consent, no automation; top ones: a call).
    for (const c of d.contactFirst) {
      const ranked = await backend.call('journeys.nextBestActions', { profileId: c.profileId });
      expect(c.action).toBe(ranked.actions[0]?.label ?? null);
    }
  });
});

describe('dashboard: what waits', () => {
  it('lists scores never trained for a shop with sales, and failed or unknown messages', async () => {
    seed();
    let d = await summary();
    expect(d.waiting.map((w) => w.kind)).toEqual(['retrain']);
    expect(d.waiting[0]).toMatchObject({ link: '/models' });
    const db = backend.db.sqlite;
    for (const status of ['failed', 'unknown', 'unknown'])
      db.prepare(
        `INSERT INTO message_outbox (brand_id, channel, recipient, body, status, next_attempt_at, created_at)
         VALUES (1, 'email', 'x@example.com', '{}', ?, 0, ?)`,
      ).run(status, backend.ctx.clock.now().getTime());
    d = await summary();
    expect(d.waiting.find((w) => w.kind === 'messages_failed')?.count).toBe(1);
    expect(d.waiting.find((w) => w.kind === 'messages_unknown')?.count).toBe(2);
  });
});
