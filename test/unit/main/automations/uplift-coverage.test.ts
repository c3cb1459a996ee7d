/**
 * Coverage of the reported 95% intervals on simulated 200-firing shops (20 held out on average), with and without
 * a true effect: fewer seeds than `npm run bench -- uplift`, so the bounds are binomial (3 standard errors of a
 * 95% rate at this many intervals): they fail when coverage is clearly off, not on a seed's luck.
 */
import { describe, expect, it } from 'vitest';
import { measureCoverage, type Tally } from '../../../../main/core/automations/uplift/coverage';
import { trueEffects } from '../../../../main/core/automations/uplift/simulate';

const SEEDS = 150;
const slack = (tally: Tally) => 3 * Math.sqrt((0.95 * 0.05) / tally.given);
const coverage = (tally: Tally) => tally.covered / tally.given;

describe.each([
  { name: 'a message that raises the chance of buying', effect: 0.35 },
  { name: 'a message that does nothing', effect: 0 },
])('200 firings, 10% held out: $name', ({ effect }) => {
  const truth = trueEffects(effect, 300);
  const run = measureCoverage({ firings: 200, effect, seeds: SEEDS, truth, resamples: 499, firstSeed: 9001 });

  it('the share who bought: interval almost always given, covering the truth at about 95%', () => {
    const share = run.tallies['share.reported'];
    expect(share.given).toBeGreaterThanOrEqual(SEEDS - 3);
    expect(coverage(share)).toBeGreaterThanOrEqual(0.95 - slack(share));
    if (effect === 0) expect(share.excludesZero / share.given).toBeLessThanOrEqual(0.05 + slack(share));
  });

  it('revenue per customer: given once enough held-out customers bought, covering the truth at about 95%', () => {
    const revenue = run.tallies['revenue.reported'];
    expect(revenue.given).toBeGreaterThanOrEqual(0.3 * SEEDS);
    expect(coverage(revenue)).toBeGreaterThanOrEqual(0.95 - slack(revenue));
    if (effect === 0) expect(revenue.excludesZero / revenue.given).toBeLessThanOrEqual(0.05 + slack(revenue));
  });

  it('orders per customer (two-part): given with revenue, covering the truth at about 95%', () => {
    const orders = run.tallies['orders.reported'];
    expect(orders.given).toBe(run.tallies['revenue.reported'].given);
    expect(coverage(orders)).toBeGreaterThanOrEqual(0.95 - slack(orders));
    expect(coverage(orders)).toBeLessThanOrEqual(1);
    if (effect === 0) expect(orders.excludesZero / orders.given).toBeLessThanOrEqual(0.05 + slack(orders));
  });
});

it('the true effects come from the population, not from draws: +0.35 log-odds is about 5.6 points on 22%', () => {
  const truth = trueEffects(0.35, 300);
  expect(truth.baseShare).toBeCloseTo(0.2234, 3);
  expect(truth.boughtShare).toBeCloseTo(0.0555, 3);
  const none = trueEffects(0, 50);
  expect(
    Math.abs(none.boughtShare) + Math.abs(none.ordersPerCustomer) + Math.abs(none.revenuePerCustomer),
  ).toBeLessThan(1e-12);
});
