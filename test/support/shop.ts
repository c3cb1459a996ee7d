/**
 * Simulated shops written straight into the real schema, with the truth about every customer
 * kept aside, for the model-quality and retrain benchmarks. Writing goes through prepared
 * statements in big transactions (ingesting a million events one by one would measure
 * ingestion, not the models): the brand, one profile per customer (a first name, strength 0.5,
 * consent flags, totals), one email identifier each and their purchase events with an order id,
 * a unique external id and a Shopify-like payload `{ orderId, total, items: [{ title,
 * category, quantity, price }] }`. Every customer has bought before the cutoff; the truth
 * is what happened in the horizon after it.
 *
 * Two populations, same seed same shop:
 *
 * - `btyd`: the buy-till-you-die process of `simulateBtyd` with the CDNOW parameters: 39 weeks
 *   of history, then a 39-week horizon. The simulator gives each customer's (x, tx, T) in whole
 *   days; they become dated orders: the first at cutoff − T, the last at first + tx, the x − 1
 *   others on days drawn uniformly between, and the holdout purchases on days drawn uniformly
 *   in the horizon, each at a shop-hours time of day. A last purchase on the cutoff's own day
 *   (tx = T) is moved to the day before, so it stays in the history. Order values are the
 *   simulator's; its holdout total is split evenly over the holdout orders. Category and
 *   channel are drawn independently of behaviour: there is nothing beyond recency and
 *   frequency to learn. Oracle: P(no purchase in the horizon | λ, alive at the cutoff), that
 *   is 1 for a customer who has left and e^(−λ·39 weeks) otherwise.
 *
 * - `signal`: two years of history, then the same 273-day horizon; a customer's first
 *   purchase is uniform over the history's first 700 days. What drives behaviour (see
 *   CATEGORIES and CHANNEL_HAZARD):
 *   - category habits: each customer has a main category (80% of their orders); coffee and tea
 *     buyers stay for years, gift buyers less, furniture buyers leave soonest. Leaving is a
 *     lifetime ~ Exponential(hazard) from the first purchase, hazard = BASE_HAZARD × category
 *     × channel; the category also sets the basket size;
 *   - channel: customers who mostly buy in the shop (`pos`) stay longer than online ones;
 *   - regular purchase cycles: most coffee and tea buyers restock on a personal cycle, gaps ~
 *     N(μ_i, (0.1 μ_i)²) with μ_i uniform on 14–70 days; one who is well past their cycle has
 *     almost surely left, which no memoryless model (BG/NBD) can see;
 *   - a yearly occasion: most gift buyers buy once a year around a personal date (gaps ~
 *     N(365, 10²)), so one who bought recently will not buy again within the horizon even
 *     while still a customer: "recent" means "churned" for them, the opposite of BG/NBD;
 *   - the rest buy at a Poisson rate λ_i ~ Gamma(1.2, mean 1/50 per day) while they stay.
 *   A calendar-wide season is left out on purpose: it moves every customer's chance together,
 *   which changes no ranking (AUC) at one cutoff; the yearly occasion is its per-customer form.
 *   Oracle: the exact P(no purchase in the horizon) given the hidden parameters, whether the
 *   customer is still a customer at the cutoff and their last purchase (memoryless lifetime:
 *   alive at the cutoff, they are still there at time s with e^(−hazard·(s − cutoff))).
 */

import type { Database } from '../../main/core/db/open';
import { samplers, seededRandom, simulateBtyd } from './btyd';
import { FIRST_NAMES } from './population';

const DAY = 86_400_000;
const WEEK_DAYS = 7;

export type ShopPopulation = 'btyd' | 'signal';

export interface SeedShopOptions {
  population: ShopPopulation;
  customers: number;
  seed?: number;
  brandId?: number;
}

export interface ShopCustomer {
  profileId: number;
  /** No purchase in [cutoff, now): the churn label. */
  churned: boolean;
  /** Net spend in [cutoff, now): the LTV label. */
  holdoutSpend: number;
  /** The generating process's own P(no purchase in the horizon), knowing what no shop can. */
  oracleChurn: number;
}

export interface SeededShop {
  /** End of the horizon; every event is before it. Midnight UTC. */
  now: number;
  /** now − horizonDays: the end of the history the models may look at. */
  cutoff: number;
  horizonDays: number;
  customers: ShopCustomer[];
  /** Purchase events written. */
  events: number;
}

/** One customer's generated history, before it is written. */
interface Order {
  at: number;
  total: number;
  title: string;
  category: string;
  source: 'pos' | 'shopify';
}

interface Generated {
  orders: Order[];
  oracleChurn: number;
}

const HORIZON_DAYS = 273;
/** First instant of the simulated calendar: the earliest history starts here. */
const START = Date.UTC(2023, 0, 2);
const OPEN_HOURS = { from: 9, to: 19 };

const CD_GENRES = ['Rock', 'Pop', 'Jazz', 'Classical', 'Soundtracks'];

interface Category {
  name: string;
  share: number;
  /** Multiplies BASE_HAZARD: how soon its buyers leave. */
  hazard: number;
  /** Mean order value. */
  basket: number;
  /** Chances of the buying patterns among its buyers; the rest are Poisson buyers. */
  cycle: number;
  annual: number;
  titles: string[];
}

const CATEGORIES: Category[] = [
  { name: 'Coffee', share: 0.3, hazard: 0.35, basket: 18, cycle: 0.75, annual: 0, titles: ['Beans 1kg', 'Espresso'] },
  { name: 'Tea', share: 0.2, hazard: 0.6, basket: 14, cycle: 0.75, annual: 0, titles: ['Loose leaf', 'Green tea'] },
  { name: 'Gifts', share: 0.2, hazard: 1.6, basket: 35, cycle: 0, annual: 0.6, titles: ['Gift box', 'Hamper'] },
  { name: 'Homeware', share: 0.2, hazard: 1.2, basket: 45, cycle: 0.2, annual: 0, titles: ['Mug set', 'Grinder'] },
  { name: 'Furniture', share: 0.1, hazard: 3, basket: 220, cycle: 0, annual: 0, titles: ['Side table', 'Shelf'] },
];
/** Per day: a mean stay of 500 days for a hazard multiplier of 1. */
const BASE_HAZARD = 1 / 500;
const CHANNEL_HAZARD = { pos: 0.6, shopify: 1.4 } as const;
const SIGNAL_HISTORY_DAYS = 730;

type Draw = ReturnType<typeof samplers>;

function timeOfDay(draw: Draw): number {
  return (OPEN_HOURS.from + draw.random() * (OPEN_HOURS.to - OPEN_HOURS.from)) * 3_600_000;
}

const cents = (value: number) => Math.max(0.01, Math.round(value * 100) / 100);

function generateBtyd(count: number, seed: number, cutoff: number): Generated[] {
  const weeks = HORIZON_DAYS / WEEK_DAYS;
  const simulated = simulateBtyd({ customers: count, seed, calibrationWeeks: weeks, holdoutWeeks: weeks });
  const draw = samplers(seededRandom(seed ^ 0x5eed));
  const cutoffDay = Math.round((cutoff - START) / DAY);
  return simulated.map((c) => {
    const genre = CD_GENRES[Math.floor(draw.random() * CD_GENRES.length)] as string;
    const source = draw.random() < 0.5 ? 'pos' : 'shopify';
    const order = (day: number, total: number): Order => {
      const category =
        draw.random() < 0.8 ? genre : (CD_GENRES[Math.floor(draw.random() * CD_GENRES.length)] as string);
      return {
        at: START + day * DAY + timeOfDay(draw),
        total: cents(total),
        title: `${category} CD`,
        category,
        source,
      };
    };
    const firstDay = cutoffDay - Math.round(c.T * WEEK_DAYS);
    const lastDay = Math.min(cutoffDay - 1, firstDay + Math.round(c.tx * WEEK_DAYS));
    const days = [firstDay];
    for (let k = 1; k < c.x; k++) days.push(firstDay + Math.floor(draw.random() * (lastDay - firstDay + 1)));
    if (c.x > 0) days.push(lastDay);
    days.sort((a, b) => a - b);
    const orders = days.map((day, k) => order(day, c.spends[k] ?? c.meanSpend));
    for (let k = 0; k < c.holdoutPurchases; k++)
      orders.push(
        order(cutoffDay + Math.floor(draw.random() * HORIZON_DAYS), c.holdoutSpend / Math.max(1, c.holdoutPurchases)),
      );
    return { orders, oracleChurn: c.aliveAtEnd ? Math.exp(-c.lambda * weeks) : 1 };
  });
}

/** ∫ f over [a, b] by composite Simpson with n (even) intervals. */
function simpson(f: (x: number) => number, a: number, b: number, n = 64): number {
  if (!(b > a)) return 0;
  const h = (b - a) / n;
  let sum = f(a) + f(b);
  for (let i = 1; i < n; i++) sum += (i % 2 === 1 ? 4 : 2) * f(a + i * h);
  return (sum * h) / 3;
}

/**
 * P(a purchase in (H, H + horizon]) for a customer still there at H whose next purchase comes
 * `gap ~ N(mu, sigma²)` after their last one at L < H, given that it has not come by H, and who
 * is still a customer at time s with e^(−hazard (s − H)).
 */
function cyclePurchaseChance(L: number, H: number, horizon: number, mu: number, sigma: number, hazard: number) {
  const density = (g: number) => Math.exp(-0.5 * ((g - mu) / sigma) ** 2);
  const from = Math.max(H - L, mu - 8 * sigma);
  const to = mu + 8 * sigma;
  const waiting = simpson(density, from, to);
  // So far past the cycle that the normal has no mass left: the purchase is due at once.
  if (!(waiting > 1e-300)) return H - L <= horizon ? 1 : 0;
  const buying = simpson((g) => density(g) * Math.exp(-hazard * (L + g - H)), from, Math.min(to, H + horizon - L));
  return Math.min(1, buying / waiting);
}

function pickCategory(r: number): Category {
  let acc = 0;
  for (const category of CATEGORIES) {
    acc += category.share;
    if (r < acc) return category;
  }
  return CATEGORIES[CATEGORIES.length - 1] as Category;
}

function generateSignal(count: number, seed: number, cutoff: number): Generated[] {
  const draw = samplers(seededRandom(seed));
  const H = SIGNAL_HISTORY_DAYS;
  const end = H + HORIZON_DAYS;
  const origin = cutoff - H * DAY;
  const out: Generated[] = [];
  for (let i = 0; i < count; i++) {
    const main = pickCategory(draw.random());
    const source = draw.random() < 0.45 ? 'pos' : 'shopify';
    const hazard = BASE_HAZARD * main.hazard * CHANNEL_HAZARD[source];
    const p = draw.random();
    const pattern = p < main.cycle ? 'cycle' : p < main.cycle + main.annual ? 'annual' : 'poisson';
    const mu = pattern === 'annual' ? 365 : 14 + draw.random() * 56;
    const sigma = pattern === 'annual' ? 10 : 0.1 * mu;
    const lambda = draw.gamma(1.2, 1.2 * 50);
    const basket = main.basket * Math.exp(0.4 * draw.normal());
    const first = draw.random() * (H - 30);
    const leaves = first + draw.exponential(hazard);
    const stop = Math.min(leaves, end);
    const days: number[] = [];
    for (let t = first; t < stop; ) {
      days.push(t);
      t += pattern === 'poisson' ? draw.exponential(lambda) : Math.max(2, mu + sigma * draw.normal());
    }
    const orders = days.map((day): Order => {
      const other = draw.random() >= 0.8;
      const category = other ? (CATEGORIES[Math.floor(draw.random() * CATEGORIES.length)] as Category) : main;
      return {
        // Minute resolution keeps the times a shop's records would have.
        at: origin + Math.floor(day * 1440) * 60_000,
        total: cents(draw.gamma(4, 4 / (category === main ? basket : category.basket))),
        title: category.titles[Math.floor(draw.random() * category.titles.length)] as string,
        category: category.name,
        source: draw.random() < 0.85 ? source : source === 'pos' ? 'shopify' : 'pos',
      };
    });
    let oracleChurn = 1;
    if (leaves > H) {
      const last = days.filter((d) => d < H).pop() ?? first;
      const buys =
        pattern === 'poisson'
          ? (lambda / (lambda + hazard)) * -Math.expm1(-(lambda + hazard) * HORIZON_DAYS)
          : cyclePurchaseChance(last, H, HORIZON_DAYS, mu, sigma, hazard);
      oracleChurn = 1 - buys;
    }
    out.push({ orders, oracleChurn });
  }
  return out;
}

/**
 * Writes a simulated shop into an open, migrated database and returns the truth. The brand
 * row is created (or kept); profile ids are 1…customers, so the database must hold no other
 * profiles.
 */
export function seedShop(db: Database, options: SeedShopOptions): SeededShop {
  const seed = options.seed ?? 20_260_101;
  const brandId = options.brandId ?? 1;
  const historyDays = options.population === 'btyd' ? HORIZON_DAYS : SIGNAL_HISTORY_DAYS;
  const cutoff = START + historyDays * DAY;
  const now = cutoff + HORIZON_DAYS * DAY;
  const generated =
    options.population === 'btyd'
      ? generateBtyd(options.customers, seed, cutoff)
      : generateSignal(options.customers, seed, cutoff);

  const sqlite = db.sqlite;
  sqlite
    .prepare(
      `INSERT INTO brand (id, name, default_country, currency, created_at, updated_at)
       VALUES (?, 'Simulated shop', 'GB', 'GBP', 0, 0) ON CONFLICT (id) DO NOTHING`,
    )
    .run(brandId);
  const profile = sqlite.prepare(
    `INSERT INTO customer_profile (id, brand_id, first_name, search_name, lifetime_value, total_orders, strength,
       email_consent, sms_consent, whatsapp_consent, first_seen_at, last_seen_at, last_purchase_at, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, 0.5, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const identifier = sqlite.prepare(
    `INSERT INTO profile_identifier (brand_id, profile_id, type, value, source, first_seen_at)
     VALUES (?, ?, 'email', ?, 'shopify', ?)`,
  );
  const event = sqlite.prepare(
    `INSERT INTO customer_raw_event (brand_id, event_type, source, external_id, payload, identifiers, occurred_at,
       received_at, customer_profile_id, order_id)
     VALUES (?, 'purchase', ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const consent = seededRandom(seed ^ 0xc0de);

  const customers: ShopCustomer[] = [];
  let events = 0;
  const write = sqlite.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const { orders, oracleChurn } = generated[i] as Generated;
      const profileId = i + 1;
      const name = FIRST_NAMES[i % FIRST_NAMES.length] as string;
      const email = `customer${profileId}@example.com`;
      const first = orders[0]?.at ?? cutoff - DAY;
      const last = orders.reduce((latest, o) => Math.max(latest, o.at), first);
      const total = orders.reduce((sum, o) => sum + o.total, 0);
      profile.run(
        profileId,
        brandId,
        name,
        name.toLowerCase(),
        cents(total),
        orders.length,
        consent() < 0.6 ? 1 : 0,
        consent() < 0.3 ? 1 : 0,
        consent() < 0.2 ? 1 : 0,
        first,
        last,
        last,
        first,
        last,
      );
      identifier.run(brandId, profileId, email, first);
      const identifiers = JSON.stringify([['email', email]]);
      let holdoutPurchases = 0;
      let holdoutSpend = 0;
      for (const o of orders) {
        events += 1;
        const orderId = `${1000 + events}`;
        event.run(
          brandId,
          o.source,
          `${o.source}-order-${orderId}`,
          JSON.stringify({
            orderId,
            total: o.total,
            items: [{ title: o.title, category: o.category, quantity: 1, price: o.total }],
          }),
          identifiers,
          o.at,
          o.at,
          profileId,
          orderId,
        );
        if (o.at >= cutoff) {
          holdoutPurchases += 1;
          holdoutSpend += o.total;
        }
      }
      customers.push({
        profileId,
        churned: holdoutPurchases === 0,
        holdoutSpend: Math.round(holdoutSpend * 100) / 100,
        oracleChurn,
      });
    }
  });
  const batch = 5_000;
  for (let from = 0; from < generated.length; from += batch) write(from, Math.min(generated.length, from + batch));
  return { now, cutoff, horizonDays: HORIZON_DAYS, customers, events };
}
