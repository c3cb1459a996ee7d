/**
 * A seeded shop whose next 90 days are known, for the "future check" benchmark
 * (test/bench/future.ts): its history is written as a sales CSV, goes through the real CLI
 * (import, retrain, export), and the exported churn scores are scored against the simulated
 * next 90 days, which the app never sees.
 *
 * Time runs in days from `origin = cutoff − historyDays` (about 18 months). The cutoff is the
 * end of the history: by default today at midnight UTC, because `constintel retrain` takes the
 * system clock as "now"; the app then predicts as of now, and the simulated future is
 * [cutoff, cutoff + 90 days). Every customer's first purchase falls uniformly over the
 * history, so all of them have bought before the cutoff. A purchase at continuous time t is
 * recorded on day ⌊t⌋ at a random second of shop hours (09:00–19:00 UTC), so it lies in the
 * future exactly when t ≥ historyDays.
 *
 * Two kinds of customer, mixed by population (`btyd`: all BTYD; `mixed35`: 35% replenishers;
 * `mixed60`: 60%):
 *
 * - buy-till-you-die (BG/NBD, CDNOW parameters per week): λ ~ Gamma(r, α), p ~ Beta(a, b);
 *   Poisson purchases at rate λ from the first purchase; after each repeat purchase they leave
 *   for good with chance p. Order values Gamma-Gamma with the CDNOW parameters. Oracle:
 *   gone at the cutoff → 1, else e^(−λ·90 days) (one still there leaves only after buying).
 * - replenishers: their own usual gap g (log-normal, median 28 days, kept within 14–60), each
 *   gap g·e^(s·Z) with their own jitter s ∈ [0.15, 0.25]; they stop for good at a constant
 *   hazard h ~ Gamma(2, mean 1/400 per day) from their first purchase. Order values around a
 *   personal mean (log-normal, median 30) with Gamma(8) noise. Oracle: stopped at the cutoff →
 *   1; else, with d days since the last purchase, the next gap G is log-normal conditioned on
 *   G > d, and they buy in the window when G ≤ d + 90 and they are still there at that moment:
 *   P(buy) = ∫_d^{d+90} f(G) e^(−h(G − d)) dG / S(d).
 *
 * Each customer has a distinct name and email. `duplicateHistories` counts customers whose
 * whole pre-cutoff history (timestamps and amounts) equals another customer's: a generator
 * that repeats itself would make the app's test customers copies of its training ones.
 * Same seed (and cutoff), same shop.
 */
import { mulberry32 } from '../../main/core/ml/learners/random';
import { CDNOW_BGNBD, CDNOW_GAMMA_GAMMA, samplers } from './btyd';
import { FIRST_NAMES, LAST_NAMES } from './population';

const DAY = 86_400_000;
const WEEK_DAYS = 7;
const OPEN_HOURS = { from: 9, to: 19 };

export type FuturePopulation = 'btyd' | 'mixed35' | 'mixed60';
export const FUTURE_POPULATIONS: readonly FuturePopulation[] = ['btyd', 'mixed35', 'mixed60'];
/** Share of replenishers in each population; the rest are BTYD buyers. */
export const REPLENISHER_SHARE: Record<FuturePopulation, number> = { btyd: 0, mixed35: 0.35, mixed60: 0.6 };

/** About 18 months of history before the cutoff. */
export const HISTORY_DAYS = 548;
export const FUTURE_DAYS = 90;

/** Replenishers' process (days). */
const GAP = { median: 28, sigma: 0.4, min: 14, max: 60 };
const JITTER = { min: 0.15, max: 0.25 };
const STOP_HAZARD = { shape: 2, mean: 1 / 400 };
const BASKET = { median: 30, sigma: 0.5, noiseShape: 8 };

export interface FutureOrder {
  /** Epoch ms. */
  at: number;
  /** Money, whole cents. */
  total: number;
}

export interface FutureCustomer {
  kind: 'btyd' | 'replenisher';
  name: string;
  /** Lower case, distinct. */
  email: string;
  /** Purchases before the cutoff, oldest first: what the app is given. */
  history: FutureOrder[];
  /** Purchases in [cutoff, cutoff + futureDays): never given to the app. */
  future: FutureOrder[];
  /** No purchase in the next futureDays days. */
  churned: boolean;
  /** Still a customer at the cutoff (the hidden state). */
  aliveAtCutoff: boolean;
  /** The generating process's own P(no purchase in the next futureDays days), given the hidden state. */
  oracleChurn: number;
}

export interface FutureShop {
  population: FuturePopulation;
  seed: number;
  /** End of the history (midnight UTC), start of the simulated future. */
  cutoff: number;
  historyDays: number;
  futureDays: number;
  customers: FutureCustomer[];
}

export interface FutureShopOptions {
  population: FuturePopulation;
  customers: number;
  seed: number;
  /** Default: today at midnight UTC. */
  cutoff?: number;
}

type Draw = ReturnType<typeof samplers>;

const cents = (value: number) => Math.max(1, Math.round(value * 100)) / 100;

/** "Oliver Smith", "Oliver A. Smith", …, "Oliver AB. Smith": distinct for every index. */
export function customerName(index: number): { first: string; middle: string; last: string } {
  const first = FIRST_NAMES[index % FIRST_NAMES.length] as string;
  const rest = Math.floor(index / FIRST_NAMES.length);
  const last = LAST_NAMES[rest % LAST_NAMES.length] as string;
  let m = Math.floor(rest / LAST_NAMES.length);
  let middle = '';
  while (m > 0) {
    m -= 1;
    middle = String.fromCharCode(65 + (m % 26)) + middle;
    m = Math.floor(m / 26);
  }
  return { first, middle, last };
}

/** Numerical Recipes' erfcc coefficients, highest power of t last. */
const ERFC = [
  -1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223,
  0.17087277,
];

/** P(Z > z) for a standard normal Z, by erfc (Numerical Recipes' erfcc: relative error < 1.2e-7, tails included). */
function normalUpper(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  let poly = 0;
  for (let k = ERFC.length - 1; k >= 0; k--) poly = (ERFC[k] as number) + t * poly;
  const erfc = t * Math.exp(-x * x + poly);
  return z >= 0 ? 0.5 * erfc : 1 - 0.5 * erfc;
}

/** ∫ f over [a, b] by composite Simpson with n (even) intervals. */
function simpson(f: (x: number) => number, a: number, b: number, n = 256): number {
  if (!(b > a)) return 0;
  const h = (b - a) / n;
  let sum = f(a) + f(b);
  for (let i = 1; i < n; i++) sum += (i % 2 === 1 ? 4 : 2) * f(a + i * h);
  return (sum * h) / 3;
}

/**
 * P(a purchase in the next `window` days) for a replenisher still there, `since` days after their last
 * purchase, whose gaps are log-normal (ln-median mu, sigma) and who stays at time s with e^(−hazard·s).
 * Integrated over u = ln G: the normal density of u times e^(−hazard (e^u − since)), over
 * [ln since, ln(since + window)], divided by P(u > ln since).
 */
export function replenisherPurchaseChance(
  since: number,
  window: number,
  mu: number,
  sigma: number,
  hazard: number,
): number {
  const lo = Math.log(since);
  const survival = normalUpper((lo - mu) / sigma);
  const from = Math.max(lo, mu - 12 * sigma);
  const to = Math.min(Math.log(since + window), mu + 12 * sigma);
  const density = (u: number) =>
    (Math.exp(-0.5 * ((u - mu) / sigma) ** 2) / (sigma * Math.sqrt(2 * Math.PI))) *
    Math.exp(-hazard * (Math.exp(u) - since));
  // So far past the usual gap that no mass is left: the next purchase is as good as due now.
  if (!(survival > 1e-250)) return 1;
  return Math.min(1, Math.max(0, simpson(density, from, to) / survival));
}

function timeOfDay(draw: Draw): number {
  return OPEN_HOURS.from * 3_600_000 + Math.floor(draw.random() * (OPEN_HOURS.to - OPEN_HOURS.from) * 3600) * 1000;
}

interface Process {
  /** Continuous purchase times, days from the origin, ascending, all < historyDays + futureDays. */
  times: number[];
  aliveAtCutoff: boolean;
  oracleChurn: number;
  order: () => number;
}

function btydBuyer(draw: Draw, entry: number, H: number, F: number): Process {
  const { r, alpha, a, b } = CDNOW_BGNBD;
  const spend = CDNOW_GAMMA_GAMMA;
  const lambda = draw.gamma(r, alpha) / WEEK_DAYS; // per day
  const dropout = draw.beta(a, b);
  const nu = draw.gamma(spend.q, spend.gamma);
  const times = [entry];
  let aliveAtCutoff = true;
  for (let t = entry + draw.exponential(lambda); t < H + F; t += draw.exponential(lambda)) {
    times.push(t);
    if (draw.random() < dropout) {
      if (t < H) aliveAtCutoff = false;
      break;
    }
  }
  return {
    times,
    aliveAtCutoff,
    oracleChurn: aliveAtCutoff ? Math.exp(-lambda * F) : 1,
    order: () => draw.gamma(spend.p, nu),
  };
}

function replenisher(draw: Draw, entry: number, H: number, F: number): Process {
  let median = 0;
  do median = GAP.median * Math.exp(GAP.sigma * draw.normal());
  while (median < GAP.min || median > GAP.max);
  const mu = Math.log(median);
  const sigma = JITTER.min + draw.random() * (JITTER.max - JITTER.min);
  const hazard = draw.gamma(STOP_HAZARD.shape, STOP_HAZARD.shape / STOP_HAZARD.mean);
  const stops = entry + draw.exponential(hazard);
  const basket = BASKET.median * Math.exp(BASKET.sigma * draw.normal());
  const times: number[] = [];
  for (let t = entry; t < Math.min(stops, H + F); t += Math.exp(mu + sigma * draw.normal())) times.push(t);
  const aliveAtCutoff = stops >= H;
  let oracleChurn = 1;
  if (aliveAtCutoff) {
    const last = times.filter((t) => t < H).pop() as number;
    oracleChurn = 1 - replenisherPurchaseChance(H - last, F, mu, sigma, hazard);
  }
  return {
    times,
    aliveAtCutoff,
    oracleChurn,
    order: () => draw.gamma(BASKET.noiseShape, BASKET.noiseShape / basket),
  };
}

/** Today at midnight UTC. */
export function todayUtc(): number {
  return Math.floor(Date.now() / DAY) * DAY;
}

export function generateFutureShop(options: FutureShopOptions): FutureShop {
  const { population, seed } = options;
  const cutoff = options.cutoff ?? todayUtc();
  const H = HISTORY_DAYS;
  const F = FUTURE_DAYS;
  const origin = cutoff - H * DAY;
  const salt = FUTURE_POPULATIONS.indexOf(population) + 1;
  const draw = samplers(mulberry32(Math.imul(seed, 0x9e3779b1) ^ Math.imul(salt, 0x85ebca6b)));
  const replenishers = REPLENISHER_SHARE[population];
  const customers: FutureCustomer[] = [];
  for (let i = 0; i < options.customers; i++) {
    const kind = draw.random() < replenishers ? 'replenisher' : 'btyd';
    const entry = draw.random() * H;
    const process = kind === 'btyd' ? btydBuyer(draw, entry, H, F) : replenisher(draw, entry, H, F);
    const orders = process.times.map((t): FutureOrder & { future: boolean } => ({
      at: origin + Math.floor(t) * DAY + timeOfDay(draw),
      total: cents(process.order()),
      future: t >= H,
    }));
    const { first, middle, last } = customerName(i);
    const future = orders.filter((o) => o.future).map(({ at, total }) => ({ at, total }));
    customers.push({
      kind,
      name: [first, middle ? `${middle}.` : '', last].filter(Boolean).join(' '),
      email: `${first}.${middle ? `${middle}.` : ''}${last}.${i + 1}@example.com`.toLowerCase(),
      history: orders
        .filter((o) => !o.future)
        .map(({ at, total }) => ({ at, total }))
        .sort((x, y) => x.at - y.at),
      future,
      churned: future.length === 0,
      aliveAtCutoff: process.aliveAtCutoff,
      oracleChurn: process.oracleChurn,
    });
  }
  return { population, seed, cutoff, historyDays: H, futureDays: F, customers };
}

export interface Duplicates {
  /** Customers with at least two purchases before the cutoff. */
  repeatBuyers: number;
  /** Of those, how many have a history (every timestamp and amount) identical to another customer's. */
  repeatDuplicated: number;
  /** The same among one-time buyers (one purchase can coincide by chance; at second resolution it rarely does). */
  oneTimeDuplicated: number;
  /** repeatDuplicated / repeatBuyers. */
  share: number;
}

/** Customers whose whole history before the cutoff is identical to another customer's. */
export function duplicateHistories(customers: readonly FutureCustomer[]): Duplicates {
  const count = new Map<string, number>();
  const keys = customers.map((c) => c.history.map((o) => `${o.at}:${o.total}`).join('|'));
  for (const key of keys) count.set(key, (count.get(key) ?? 0) + 1);
  let repeatBuyers = 0;
  let repeatDuplicated = 0;
  let oneTimeDuplicated = 0;
  customers.forEach((c, i) => {
    const duplicated = (count.get(keys[i] as string) ?? 0) > 1;
    if (c.history.length >= 2) {
      repeatBuyers += 1;
      if (duplicated) repeatDuplicated += 1;
    } else if (duplicated) oneTimeDuplicated += 1;
  });
  return {
    repeatBuyers,
    repeatDuplicated,
    oneTimeDuplicated,
    share: repeatBuyers === 0 ? 0 : repeatDuplicated / repeatBuyers,
  };
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `2026-03-01 10:15:00 +0000`, as shop exports write it. */
export function exportDate(at: number): string {
  const d = new Date(at);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

/**
 * The history as a generic sales export the importer recognises (Order ID, Date, Customer Email,
 * Customer Name, Total), one row per order, oldest first. The future is left out.
 */
export function historyCsv(shop: FutureShop): { csv: string; rows: number } {
  const rows: { at: number; total: number; customer: FutureCustomer }[] = [];
  for (const customer of shop.customers) for (const o of customer.history) rows.push({ ...o, customer });
  rows.sort((x, y) => x.at - y.at);
  const lines = ['Order ID,Date,Customer Email,Customer Name,Total'];
  rows.forEach((row, k) => {
    lines.push(
      `F-${pad(k + 1, 7)},${exportDate(row.at)},${row.customer.email},${row.customer.name},${row.total.toFixed(2)}`,
    );
  });
  return { csv: `${lines.join('\n')}\n`, rows: rows.length };
}
