/**
 * A simulated small shop where the truth is known, for the coverage tests and `npm run bench -- uplift`.
 *
 * Each firing is a distinct customer with two hidden traits, z₁ (disengagement) and z₂ (spend level), both N(0, 1):
 * - true churn risk c = logistic(−0.4 + 1.2·z₁); true yearly value v = 80·e^(0.9·z₂);
 * - chance of buying in the window without the message p₀ = logistic(−1.5 − 0.9·z₁ + 0.5·z₂) (about 22%), and
 *   with it p₁ = logistic(logit p₀ + `effect`): the message shifts the log-odds of buying by a known amount;
 * - a buyer places 1 + Poisson(0.4·e^(0.3·z₂)) orders, each a log-normal basket with mean 30·e^(0.6·z₂), σ = 0.7;
 * - the shop's scores are what a model would give, not the truth: churnRisk = logistic(logit c + N(0, 0.5²)),
 *   predictedValue = v·e^(N(0, 0.4²) − 0.08); each is missing (null) for `missingShare` of customers.
 * Customers are held out with chance `heldOutShare` each, as the hash of (automation, customer) would.
 *
 * The true effects are the population differences in expected share who bought, orders and revenue per customer,
 * integrated over (z₁, z₂) on a 1,000 × 1,000 grid of normal quantiles: no draw of the simulation enters them.
 */

import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { normalQuantile } from './intervals';
import type { Unit } from './types';

export interface ShopScenario {
  firings: number;
  /** Shift in the log-odds of buying caused by the message; 0 = the message does nothing. */
  effect: number;
  seed: number;
  heldOutShare?: number;
  missingShare?: number;
}

export interface TrueEffects {
  /** Expected share who bought without the message. */
  baseShare: number;
  boughtShare: number;
  ordersPerCustomer: number;
  revenuePerCustomer: number;
}

const logistic = (x: number) => 1 / (1 + Math.exp(-x));
const logit = (p: number) => Math.log(p / (1 - p));

function buyingLogOdds(z1: number, z2: number): number {
  return -1.5 - 0.9 * z1 + 0.5 * z2;
}
const ordersBeyondFirst = (z2: number) => 0.4 * Math.exp(0.3 * z2);
const meanBasket = (z2: number) => 30 * Math.exp(0.6 * z2);
const BASKET_SIGMA = 0.7;

/** A seeded source of uniforms, normals and Poisson counts. */
function randomSource(seed: number) {
  const rng = xoroshiro128plus(seed);
  const uniform = () => uniformFloat64(rng);
  const normal = () => {
    // Box–Muller; 1 − u keeps the logarithm's argument in (0, 1].
    const u = 1 - uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
  const poisson = (mean: number) => {
    let k = 0;
    let p = Math.exp(-mean);
    let cumulative = p;
    const u = uniform();
    while (u > cumulative && k < 1000) {
      k++;
      p *= mean / k;
      cumulative += p;
    }
    return k;
  };
  return { uniform, normal, poisson };
}

export function simulateShop(scenario: ShopScenario): Unit[] {
  const heldOutShare = scenario.heldOutShare ?? 0.1;
  const missingShare = scenario.missingShare ?? 0.1;
  const random = randomSource(scenario.seed);
  const units: Unit[] = [];
  for (let i = 0; i < scenario.firings; i++) {
    const z1 = random.normal();
    const z2 = random.normal();
    const treated = random.uniform() >= heldOutShare;
    const logOdds = buyingLogOdds(z1, z2) + (treated ? scenario.effect : 0);
    const bought = random.uniform() < logistic(logOdds);
    let orders = 0;
    let revenue = 0;
    if (bought) {
      orders = 1 + random.poisson(ordersBeyondFirst(z2));
      const median = meanBasket(z2) * Math.exp((-BASKET_SIGMA * BASKET_SIGMA) / 2);
      for (let k = 0; k < orders; k++) revenue += median * Math.exp(BASKET_SIGMA * random.normal());
      revenue = Math.round(revenue * 100) / 100;
    }
    const churnScore = logistic(-0.4 + 1.2 * z1 + 0.5 * random.normal());
    const valueScore = 80 * Math.exp(0.9 * z2 + 0.4 * random.normal() - 0.08);
    units.push({
      treated,
      bought,
      orders,
      revenue,
      churnRisk: random.uniform() < missingShare ? null : churnScore,
      predictedValue: random.uniform() < missingShare ? null : Math.round(valueScore * 100) / 100,
    });
  }
  return units;
}

/** The population truth for a given `effect`, by quadrature over the two hidden traits. */
export function trueEffects(effect: number, grid = 1000): TrueEffects {
  const nodes = Array.from({ length: grid }, (_, i) => normalQuantile((i + 0.5) / grid));
  let base = 0;
  let share = 0;
  let orders = 0;
  let revenue = 0;
  for (const z1 of nodes) {
    for (const z2 of nodes) {
      const p0 = logistic(buyingLogOdds(z1, z2));
      const lift = logistic(logit(p0) + effect) - p0;
      const perBuyerOrders = 1 + ordersBeyondFirst(z2);
      base += p0;
      share += lift;
      orders += lift * perBuyerOrders;
      revenue += lift * perBuyerOrders * meanBasket(z2);
    }
  }
  const cells = grid * grid;
  return {
    baseShare: base / cells,
    boughtShare: share / cells,
    ordersPerCustomer: orders / cells,
    revenuePerCustomer: revenue / cells,
  };
}
