import { describe, expect, it } from 'vitest';
import { ADJUSTED_NOTE, moreCustomersNeeded } from '../../../../main/core/automations/uplift/readout';
import {
  customersNeeded,
  type Interval,
  readOut,
  type UpliftResult,
} from '../../../../main/core/automations/uplift/stats';

const GBP = { currency: 'GBP', smallestDifference: 0.02, heldOutShare: 0.1 };
const interval = (estimate: number, low: number, high: number, adjusted = false): Interval => ({
  estimate,
  low,
  high,
  adjusted,
});

function result(
  share: Interval | null,
  revenue: Interval | null,
  messaged = { customers: 180, bought: 40 },
  heldOut = { customers: 20, bought: 4 },
): UpliftResult {
  return {
    messaged: { ...messaged, orders: messaged.bought, revenue: 0 },
    heldOut: { ...heldOut, orders: heldOut.bought, revenue: 0 },
    confidence: 0.95,
    boughtShare: share,
    ordersPerCustomer: null,
    revenuePerCustomer: revenue,
  };
}

describe('readOut', () => {
  it('money first when the revenue interval excludes zero: per customer × customers messaged', () => {
    const r = readOut(result(interval(0.056, 0.012, 0.1), interval(3.35, 0.5, 6.2)), GBP);
    expect(r).toEqual({
      status: 'effect',
      headline: 'Brought about £603 more (between £90 and £1,116)',
      bought: '5.6 more in every 100 bought (between 1.2 and 10)',
      revenue: 'Brought about £603 more (between £90 and £1,116)',
      adjustedNote: null,
    });
  });

  it('says "less" and "fewer" when the message cost sales', () => {
    const r = readOut(result(interval(-0.07, -0.12, -0.02), interval(-2, -3.5, -0.5)), GBP);
    expect(r.status).toBe('effect');
    expect(r.headline).toBe('Brought about £360 less (between £90 and £630)');
    expect(r.bought).toBe('7 fewer in every 100 bought (between 2 and 12)');
  });

  it('the share leads when only the share is clear, in the shop currency', () => {
    const r = readOut(result(interval(0.05, 0.01, 0.09), interval(1, -0.5, 2.5, true)), { ...GBP, currency: 'EUR' });
    expect(r.headline).toBe('5 more in every 100 bought (between 1 and 9)');
    expect(r.revenue).toBe('Brought about €180 more, but it could be anywhere between €90 less and €450 more');
    expect(r.adjustedNote).toBe(ADJUSTED_NOTE);
  });

  it('"no effect larger than" when the share interval holds zero inside ± the smallest difference worth finding', () => {
    const r = readOut(
      result(interval(0.001, -0.015, 0.018), interval(0.1, -0.8, 0.9), { customers: 1800, bought: 400 }),
      GBP,
    );
    expect(r.status).toBe('no_effect');
    expect(r.headline).toBe('No effect larger than £1,620 (1.8 points of the share who bought)');
    expect(r.bought).toBe('0.1 more in every 100 bought, but it could be anywhere between 1.5 fewer and 1.8 more');
    const withoutMoney = readOut(result(interval(0, -0.0191, 0.0149), null), GBP);
    expect(withoutMoney.headline).toBe('No effect larger than 2 points of the share who bought');
    expect(withoutMoney.revenue).toBe('Not enough buyers yet to say what it did to revenue.');
  });

  it('counts the customers still needed while the interval is wide', () => {
    const wide = result(interval(0.05, -0.15, 0.25), null);
    const r = readOut(wide, GBP);
    expect(r.status).toBe('too_few');
    // The share without the message from everyone: (40 + 4 + ½) / (200 + 1); each group needs customersNeeded of it.
    const perGroup = customersNeeded(44.5 / 201, 0.02);
    expect(perGroup).toBe(6979);
    expect(moreCustomersNeeded(wide, 0.02, 0.1)).toBe(Math.ceil((perGroup - 20) / 0.1));
    expect(r.headline).toBe(
      'Not enough customers yet to see a difference of 2 points in the share who bought (about 69,590 more needed)',
    );
    // Half held out: the held-out group needs (6979 − 20) / 0.5 more firings, more than the messaged one.
    expect(readOut(wide, { ...GBP, heldOutShare: 0.5 }).headline).toContain('(about 13,918 more needed)');
  });

  it('too few with no interval at all, and when the groups are already big enough but the range still straddles', () => {
    expect(readOut(result(null, null, { customers: 5, bought: 1 }, { customers: 0, bought: 0 }), GBP)).toMatchObject({
      status: 'too_few',
      bought: 'Not enough customers yet to compare who bought.',
    });
    const big = result(
      interval(0.01, -0.009, 0.029),
      null,
      { customers: 90_000, bought: 20_000 },
      { customers: 10_000, bought: 2_200 },
    );
    expect(readOut(big, GBP).headline).toBe(
      'Not enough customers yet to see a difference of 2 points in the share who bought (keep it running: the range is still wider than that)',
    );
  });
});
