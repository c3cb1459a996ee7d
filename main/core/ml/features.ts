/**
 * Features per customer as of a cutoff, and what happened after it (labels),
 * from the events table in one streaming pass ordered by customer (the
 * per-customer time index), never one query per customer.
 *
 * Orders count as the profile's totals do (db/repos/profile-totals `recomputeTotals`):
 * an order once however many copies of it arrived, refunds subtracted (never
 * more than the order), cancelled orders left out. Only events strictly
 * before the cutoff shape the features; the label window starts at the cutoff,
 * so nothing from the horizon leaks into what the model learns from.
 */
import type { Database } from '../db/open';
import { type FeatureEventRow, streamFeatureEvents } from '../db/repos/event-reads';
import { streamProfileTraits } from '../db/repos/profiles';
import { FEATURE_NAMES, type FeatureName, TOP_CATEGORIES } from './feature-names';

const DAY = 86_400_000;
const INDEX = Object.fromEntries(FEATURE_NAMES.map((n, i) => [n, i])) as Record<FeatureName, number>;

export interface FeatureSet {
  asOf: number;
  names: readonly string[];
  /** The shop's top categories, in the order of the category_N_share features. */
  categories: string[];
  profileIds: number[];
  rows: Float64Array[];
  /** Per row: has the customer bought anything before the cutoff (churn is defined for buyers only). */
  buyer: boolean[];
}

export interface Outcome {
  /** Distinct orders in the window, cancelled ones left out. */
  purchases: number;
  /** Net spend in the window: orders less refunds. */
  spend: number;
}

/** An event as the feature builder and the reasons read it (`p`: the customer). */
export type EventRow = FeatureEventRow;

/** One customer's money events folded as the profile totals are. */
class OrderBook {
  private readonly orders = new Map<string, { total: number; at: number }>();
  private readonly refunds = new Map<string, number>();
  private readonly cancelled = new Set<string>();

  add(row: EventRow): void {
    const total = Math.abs(Number(row.total ?? 0) || 0);
    if (row.t === 'purchase') {
      const key = row.o ? `o:${row.o}` : `e:${this.orders.size}:${row.at}`;
      const seen = this.orders.get(key);
      if (!seen || total > seen.total) this.orders.set(key, { total, at: Math.min(row.at, seen?.at ?? Infinity) });
    } else if (row.t === 'refund') {
      const key = row.o ? `o:${row.o}` : `r:${this.refunds.size}`;
      this.refunds.set(key, (this.refunds.get(key) ?? 0) + total);
    } else if (row.t === 'cancellation' && row.o) this.cancelled.add(`o:${row.o}`);
  }

  /** Orders (not cancelled) with their time and net value, oldest first; and refunds in total. */
  settle(): { orders: { at: number; net: number }[]; refunded: number; gross: number } {
    const orders: { at: number; net: number }[] = [];
    let refunded = 0;
    let gross = 0;
    for (const [key, order] of this.orders) {
      if (this.cancelled.has(key)) continue;
      const refund = Math.min(this.refunds.get(key) ?? 0, order.total);
      refunded += refund;
      gross += order.total;
      orders.push({ at: order.at, net: order.total - refund });
    }
    // A refund of an order not seen here still lowers the spend.
    for (const [key, amount] of this.refunds) if (!this.orders.has(key) && !this.cancelled.has(key)) refunded += amount;
    orders.sort((a, b) => a.at - b.at);
    return { orders, refunded, gross };
  }
}

const CHANNEL: Record<string, FeatureName> = {
  shopify: 'channel_online',
  whatsapp: 'channel_whatsapp',
  api: 'channel_api',
};

/** Rows grouped by customer (`p`), in customer order: the rows must come ordered by customer. */
export function* byCustomer<R extends { p: number }>(rows: IterableIterator<R>): Generator<[number, R[]]> {
  let current: number | undefined;
  let group: R[] = [];
  for (const row of rows) {
    if (row.p !== current) {
      if (current !== undefined) yield [current, group];
      current = row.p;
      group = [];
    }
    group.push(row);
  }
  if (current !== undefined) yield [current, group];
}

/**
 * Every customer with an event before `asOf`, as one feature row each. `categories` fixes which categories the
 * category_N_share features stand for (a trained model's own list); by default the shop's most bought before `asOf`.
 */
export function buildFeatures(db: Database, brandId: number, asOf: number, categories?: readonly string[]): FeatureSet {
  const profiles = new Map<number, { strength: number; email: number; sms: number; whatsapp: number }>();
  for (const row of streamProfileTraits(db, brandId))
    profiles.set(row.id, { strength: row.strength, email: row.e ?? 0, sms: row.s ?? 0, whatsapp: row.w ?? 0 });

  const profileIds: number[] = [];
  const rows: Float64Array[] = [];
  const buyer: boolean[] = [];
  const perCustomerCategories: Map<string, number>[] = [];
  const shopCategories = new Map<string, number>();

  for (const [profileId, events] of byCustomer(streamFeatureEvents(db, brandId, 0, asOf))) {
    const profile = profiles.get(profileId);
    if (!profile) continue;
    const f = new Float64Array(FEATURE_NAMES.length);
    const add = (name: FeatureName, by = 1) => {
      f[INDEX[name]] = (f[INDEX[name]] ?? 0) + by;
    };
    const book = new OrderBook();
    const categories = new Map<string, number>();
    let lastActivity = 0;
    let channels = 0;
    for (const e of events) {
      lastActivity = Math.max(lastActivity, e.at);
      book.add(e);
      switch (e.t) {
        case 'purchase': {
          channels += 1;
          const channel = CHANNEL[e.s] ?? 'channel_store';
          add(channel);
          if (e.items) {
            for (const item of JSON.parse(e.items) as { category?: string; quantity?: number }[]) {
              if (!item.category) continue;
              const quantity = item.quantity ?? 1;
              categories.set(item.category, (categories.get(item.category) ?? 0) + quantity);
              shopCategories.set(item.category, (shopCategories.get(item.category) ?? 0) + quantity);
            }
          }
          break;
        }
        case 'product_view':
        case 'visit':
          add('views');
          break;
        case 'cart_add':
        case 'checkout_started':
        case 'cart_abandoned':
          add('cart_adds');
          break;
        case 'search':
          add('searches');
          break;
        case 'message_in':
          add('messages');
          break;
      }
      if (e.at >= asOf - 90 * DAY && e.t !== 'purchase' && e.t !== 'refund' && e.t !== 'cancellation')
        add('engagement_90d');
    }
    const { orders, refunded, gross } = book.settle();
    const first = orders[0];
    const last = orders[orders.length - 1];
    const net = orders.reduce((sum, o) => sum + o.net, 0);
    // Refunds of orders not seen here (refunded - what the orders' own refunds took off) still lower the spend.
    const monetary = net - Math.max(0, refunded - (gross - net));
    f[INDEX.frequency] = orders.length;
    f[INDEX.monetary] = Math.round(monetary * 100) / 100;
    f[INDEX.avg_order_value] = orders.length > 0 ? monetary / orders.length : Number.NaN;
    f[INDEX.recency_days] = last ? (asOf - last.at) / DAY : Number.NaN;
    f[INDEX.tenure_days] = first ? (asOf - first.at) / DAY : Number.NaN;
    const gaps = orders.slice(1).map((o, i) => (o.at - (orders[i] as { at: number }).at) / DAY);
    const gapMean = gaps.length > 0 ? gaps.reduce((a, b) => a + b, 0) / gaps.length : Number.NaN;
    f[INDEX.gap_mean_days] = gapMean;
    f[INDEX.gap_spread_days] =
      gaps.length > 1 ? Math.sqrt(gaps.reduce((a, g) => a + (g - gapMean) ** 2, 0) / (gaps.length - 1)) : Number.NaN;
    f[INDEX.overdue_ratio] = last && gapMean > 0 ? (asOf - last.at) / DAY / gapMean : Number.NaN;
    let spend90 = 0;
    let spendBefore = 0;
    for (const o of orders) {
      const age = asOf - o.at;
      if (age <= 30 * DAY) add('purchases_30d');
      if (age <= 90 * DAY) {
        add('purchases_90d');
        spend90 += o.net;
      } else if (age <= 180 * DAY) spendBefore += o.net;
      if (age <= 365 * DAY) add('purchases_365d');
    }
    f[INDEX.spend_90d] = spend90;
    f[INDEX.spend_trend] = spend90 - spendBefore;
    f[INDEX.refund_share] = gross > 0 ? refunded / gross : 0;
    const bought = [...categories.values()].reduce((a, b) => a + b, 0);
    f[INDEX.top_category_share] = bought > 0 ? Math.max(...categories.values()) / bought : Number.NaN;
    f[INDEX.categories_bought] = categories.size;
    if (channels > 0)
      for (const c of ['channel_online', 'channel_store', 'channel_whatsapp', 'channel_api'] as const)
        f[INDEX[c]] = (f[INDEX[c]] ?? 0) / channels;
    f[INDEX.days_since_last_activity] = (asOf - lastActivity) / DAY;
    f[INDEX.profile_strength] = profile.strength;
    f[INDEX.email_consent] = profile.email;
    f[INDEX.sms_consent] = profile.sms;
    f[INDEX.whatsapp_consent] = profile.whatsapp;
    profileIds.push(profileId);
    rows.push(f);
    buyer.push(orders.length > 0);
    perCustomerCategories.push(categories);
  }

  // The shop's top categories are known only after the pass: each customer's share of them filled in now.
  const top =
    categories?.slice(0, TOP_CATEGORIES) ??
    [...shopCategories.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, TOP_CATEGORIES)
      .map(([name]) => name);
  rows.forEach((f, i) => {
    const own = perCustomerCategories[i] as Map<string, number>;
    const bought = [...own.values()].reduce((a, b) => a + b, 0);
    top.forEach((name, k) => {
      f[INDEX.category_1_share + k] = bought > 0 ? (own.get(name) ?? 0) / bought : Number.NaN;
    });
  });
  return { asOf, names: FEATURE_NAMES, categories: [...top], profileIds, rows, buyer };
}

/** Purchases and net spend per customer in [from, to): the labels of a time split. */
export function outcomes(db: Database, brandId: number, from: number, to: number): Map<number, Outcome> {
  const result = new Map<number, Outcome>();
  for (const [profileId, events] of byCustomer(streamFeatureEvents(db, brandId, from, to))) {
    const book = new OrderBook();
    for (const e of events) book.add(e);
    const { orders, refunded, gross } = book.settle();
    const net = orders.reduce((sum, o) => sum + o.net, 0);
    // Refunds of orders from before the window lower the window's spend too (they happened in it).
    const orphanRefunds = refunded - (gross - net);
    result.set(profileId, { purchases: orders.length, spend: Math.max(0, net - Math.max(0, orphanRefunds)) });
  }
  return result;
}
