/**
 * A seeded buy-till-you-die shop with known truth, for the BG/NBD tests and the churn/LTV
 * benchmarks. Each customer draws a purchase rate λ ~ Gamma(r, α), a dropout chance
 * p ~ Beta(a, b) and a spend scale ν ~ Gamma(q, γ); buys at Poisson rate λ, leaves after each
 * repeat purchase with chance p, and pays Gamma(p_spend, ν) per order. As in CDNOW, first
 * purchases fall over the first 12 weeks of a 39-week history and the next 39 weeks are the
 * holdout. Times are in weeks, rounded to whole days the way a shop's records are (which
 * also lets the fit group identical customers). Same seed, same shop.
 */
import type { BgnbdCustomer, BgnbdParams } from '../../main/core/ml/learners/btyd/bgnbd';
import type { GammaGammaParams } from '../../main/core/ml/learners/btyd/gamma-gamma';

/** FHL (2005) BG/NBD fit to CDNOW, weeks. */
export const CDNOW_BGNBD: BgnbdParams = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
/** FHL (2005) Gamma-Gamma fit to CDNOW, US dollars. */
export const CDNOW_GAMMA_GAMMA: GammaGammaParams = { p: 6.25, q: 3.74, gamma: 15.44 };

export interface BtydOptions {
  customers: number;
  seed: number;
  params?: BgnbdParams;
  spend?: GammaGammaParams;
  calibrationWeeks?: number;
  holdoutWeeks?: number;
  /** First purchases are spread uniformly over whole days in the first this-many weeks. */
  entryWeeks?: number;
}

export interface SimulatedCustomer extends BgnbdCustomer {
  /** Mean value of the x repeat purchases in the history; 0 when x = 0. */
  m: number;
  /** Value of every purchase in the history, the first purchase first. */
  spends: number[];
  /** Purchases in the holdout window and what they came to. */
  holdoutPurchases: number;
  holdoutSpend: number;
  purchasedAgain: boolean;
  /** The hidden truth, for oracle scores. */
  lambda: number;
  dropout: number;
  aliveAtEnd: boolean;
  /** The customer's true mean order value p_spend/ν. */
  meanSpend: number;
}

/** The seeded mulberry32 the other simulators use, shared. */
import { seededRandom } from './population';

export { seededRandom };

/** Samplers over one uniform source; `open` never returns 0, so logs stay finite. */
export function samplers(random: () => number) {
  const open = () => 1 - random();
  const normal = () => Math.sqrt(-2 * Math.log(open())) * Math.cos(2 * Math.PI * random());
  /** Marsaglia–Tsang (2000); shapes below 1 via Gamma(k+1) · U^(1/k). */
  const gamma = (shape: number, rate: number): number => {
    if (shape < 1) return gamma(shape + 1, rate) * open() ** (1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const z = normal();
      const v = (1 + c * z) ** 3;
      if (v <= 0) continue;
      const u = open();
      if (Math.log(u) < 0.5 * z * z + d - d * v + d * Math.log(v)) return (d * v) / rate;
    }
  };
  const beta = (a: number, b: number) => {
    const g = gamma(a, 1);
    return g / (g + gamma(b, 1));
  };
  const exponential = (rate: number) => -Math.log(open()) / rate;
  return { random, open, normal, gamma, beta, exponential };
}

export function simulateBtyd(options: BtydOptions): SimulatedCustomer[] {
  const { r, alpha, a, b } = options.params ?? CDNOW_BGNBD;
  const spend = options.spend ?? CDNOW_GAMMA_GAMMA;
  const historyDays = Math.round((options.calibrationWeeks ?? 39) * 7);
  const holdout = options.holdoutWeeks ?? 39;
  const entryDays = Math.round((options.entryWeeks ?? 12) * 7);
  const draw = samplers(seededRandom(options.seed));
  const out: SimulatedCustomer[] = [];
  for (let i = 0; i < options.customers; i++) {
    const lambda = draw.gamma(r, alpha);
    const dropout = draw.beta(a, b);
    const nu = draw.gamma(spend.q, spend.gamma);
    const order = () => draw.gamma(spend.p, nu);
    const T = (historyDays - Math.floor(draw.random() * entryDays)) / 7;
    const spends = [order()];
    let x = 0;
    let last = 0;
    let holdoutPurchases = 0;
    let holdoutSpend = 0;
    let alive = true;
    let aliveAtEnd = true;
    // Time since the first purchase; death can only follow a repeat purchase.
    for (let time = draw.exponential(lambda); alive && time <= T + holdout; time += draw.exponential(lambda)) {
      if (time <= T) {
        x += 1;
        last = time;
        spends.push(order());
      } else {
        holdoutPurchases += 1;
        holdoutSpend += order();
      }
      if (draw.random() < dropout) {
        alive = false;
        if (time <= T) aliveAtEnd = false;
      }
    }
    const repeat = spends.slice(1);
    out.push({
      x,
      tx: Math.round(last * 7) / 7,
      T,
      m: x > 0 ? repeat.reduce((sum, value) => sum + value, 0) / x : 0,
      spends,
      holdoutPurchases,
      holdoutSpend,
      purchasedAgain: holdoutPurchases > 0,
      lambda,
      dropout,
      aliveAtEnd,
      meanSpend: spend.p / nu,
    });
  }
  return out;
}
