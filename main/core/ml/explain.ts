/**
 * What the models mean in a shop owner's words: a label for every feature
 * (the overview's "what the churn risk depends on most"), and for one
 * customer up to three reasons behind their scores. Reasons are facts read
 * from the customer's own history as of the data's "now" (orders counted as
 * the feature builder and the profile totals count them: once per order,
 * refunds off, cancelled orders left out), some set against the shop's
 * typical customer. Which facts are told follows the features the active
 * models weigh most: two for the churn risk, one for the predicted value.
 * Nothing is estimated here.
 */

import { formatMoney } from '../../../shared/describe-event';
import { clampTotal } from '../../../shared/limits';
import type { Database } from '../db/open';
import { featureEventsOf } from '../db/repos/event-reads';
import { buyerCount, buyerValueAt, consentOf } from '../db/repos/profiles';
import type { BgnbdFeatureName, FeatureName } from './feature-names';

const DAY = 86_400_000;

/** Every feature but the category shares (named after the version's categories); a new feature fails to compile here. */
const LABELS: Record<Exclude<FeatureName, `category_${number}_share`> | BgnbdFeatureName, string> = {
  recency_days: 'Days since last purchase',
  frequency: 'Number of orders',
  monetary: 'Total spent',
  avg_order_value: 'Average order value',
  tenure_days: 'Days since first purchase',
  gap_mean_days: 'Usual days between orders',
  gap_spread_days: 'How much the days between orders vary',
  overdue_ratio: 'Days since last purchase compared with their usual gap',
  purchases_30d: 'Orders in the last 30 days',
  purchases_90d: 'Orders in the last 90 days',
  purchases_365d: 'Orders in the last year',
  spend_90d: 'Spent in the last 90 days',
  spend_trend: 'Spending in the last 90 days compared with the 90 before',
  refund_share: 'Share of spending refunded',
  top_category_share: 'Share of purchases in their favourite category',
  categories_bought: 'Number of categories bought from',
  channel_online: 'Share of orders placed online',
  channel_store: 'Share of orders in the shop',
  channel_whatsapp: 'Share of orders on WhatsApp',
  channel_api: 'Share of orders from other systems',
  views: 'Visits and products viewed',
  cart_adds: 'Baskets and checkouts started',
  searches: 'Searches',
  messages: 'Messages sent to the shop',
  engagement_90d: 'Visits, browsing and messages in the last 90 days',
  days_since_last_activity: 'Days since last seen',
  profile_strength: 'How well we know who they are (profile strength)',
  email_consent: 'Agreed to emails',
  sms_consent: 'Agreed to text messages',
  whatsapp_consent: 'Agreed to WhatsApp messages',
  bgnbd_p_alive: 'Chance they are still a customer (purchase pattern)',
  bgnbd_expected_purchases: 'Orders expected in the coming period (purchase pattern)',
  bgnbd_p_no_purchase: 'Chance of no order in the coming period (purchase pattern)',
};

const ORDINAL = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth'];

/** A feature in plain words; `categories` are the version's top categories (category_1_share is the first). */
export function featureLabel(feature: string, categories: readonly string[]): string {
  const category = /^category_(\d+)_share$/.exec(feature);
  if (category) {
    const n = Number(category[1]);
    const name = categories[n - 1];
    return name
      ? `Share of purchases in ${name}`
      : `Share of purchases in the shop's ${ORDINAL[n - 1] ?? `number ${n}`} category`;
  }
  return (LABELS as Record<string, string>)[feature] ?? feature.replaceAll('_', ' ');
}

type Family =
  | 'rhythm'
  | 'tenure'
  | 'spend'
  | 'recent'
  | 'trend'
  | 'channel'
  | 'category'
  | 'refunds'
  | 'engagement'
  | 'consent';

/** The fact a feature is told by (several features share one: each fact is told once). */
function familyOf(feature: string): Family | undefined {
  if (feature.startsWith('category_')) return 'category';
  switch (feature as FeatureName | BgnbdFeatureName) {
    // BG/NBD reads the purchase rhythm: how often and how long ago.
    case 'bgnbd_p_alive':
    case 'bgnbd_expected_purchases':
    case 'bgnbd_p_no_purchase':
    case 'recency_days':
    case 'overdue_ratio':
    case 'gap_mean_days':
    case 'gap_spread_days':
      return 'rhythm';
    case 'tenure_days':
      return 'tenure';
    case 'frequency':
    case 'monetary':
    case 'avg_order_value':
    case 'purchases_365d':
      return 'spend';
    case 'purchases_30d':
    case 'purchases_90d':
    case 'spend_90d':
      return 'recent';
    case 'spend_trend':
      return 'trend';
    case 'channel_online':
    case 'channel_store':
    case 'channel_whatsapp':
    case 'channel_api':
      return 'channel';
    case 'top_category_share':
    case 'categories_bought':
      return 'category';
    case 'refund_share':
      return 'refunds';
    case 'views':
    case 'cart_adds':
    case 'searches':
    case 'messages':
    case 'engagement_90d':
    case 'days_since_last_activity':
      return 'engagement';
    case 'email_consent':
    case 'sms_consent':
    case 'whatsapp_consent':
      return 'consent';
    default:
      return undefined;
  }
}

/** Told when the models weigh fewer than three facts. */
const FALLBACK = ['rhythm', 'spend', 'recent', 'channel', 'category'] as const;
const FALLBACK_FEATURE: Record<(typeof FALLBACK)[number], FeatureName> = {
  rhythm: 'recency_days',
  spend: 'monetary',
  recent: 'purchases_90d',
  channel: 'channel_online',
  category: 'top_category_share',
};

interface Facts {
  /** Orders (not cancelled), oldest first, with their net value. */
  orders: { at: number; net: number }[];
  gross: number;
  refunded: number;
  channels: Record<'online' | 'store' | 'whatsapp' | 'api', number>;
  categories: Map<string, number>;
  engagement90: number;
  lastActivity: number | null;
  consent: { email: boolean; sms: boolean; whatsapp: boolean };
}

const CHANNEL: Record<string, keyof Facts['channels']> = { shopify: 'online', whatsapp: 'whatsapp', api: 'api' };
const MONEY_EVENTS = new Set(['purchase', 'refund', 'cancellation']);

/** One customer's history before `at`, folded as the feature builder folds it. */
function readFacts(db: Database, profileId: number, at: number): Facts {
  const rows = featureEventsOf(db, profileId, at);
  const orders = new Map<
    string,
    { total: number; at: number; channel: keyof Facts['channels']; items: { category?: string; quantity?: number }[] }
  >();
  const refunds = new Map<string, number>();
  const cancelled = new Set<string>();
  const facts: Facts = {
    orders: [],
    gross: 0,
    refunded: 0,
    channels: { online: 0, store: 0, whatsapp: 0, api: 0 },
    categories: new Map(),
    engagement90: 0,
    lastActivity: null,
    consent: { email: false, sms: false, whatsapp: false },
  };
  for (const row of rows) {
    facts.lastActivity = row.at;
    const total = Math.abs(Number(row.total ?? 0) || 0);
    if (row.t === 'purchase') {
      const key = row.o ? `o:${row.o}` : `e:${orders.size}:${row.at}`;
      const seen = orders.get(key);
      const items = row.items ? (JSON.parse(row.items) as { category?: string; quantity?: number }[]) : [];
      // An order sent by two feeds is one order: where it was first seen, the items of the copy that has them.
      orders.set(key, {
        total: Math.max(total, seen?.total ?? 0),
        at: Math.min(row.at, seen?.at ?? Infinity),
        channel: seen?.channel ?? CHANNEL[row.s] ?? 'store',
        items: seen && seen.items.length > 0 ? seen.items : items,
      });
    } else if (row.t === 'refund') {
      const key = row.o ? `o:${row.o}` : `r:${refunds.size}`;
      refunds.set(key, (refunds.get(key) ?? 0) + total);
    } else if (row.t === 'cancellation' && row.o) cancelled.add(`o:${row.o}`);
    if (!MONEY_EVENTS.has(row.t) && row.at >= at - 90 * DAY) facts.engagement90 += 1;
  }
  for (const [key, order] of orders) {
    if (cancelled.has(key)) continue;
    const refund = Math.min(refunds.get(key) ?? 0, order.total);
    facts.refunded += refund;
    facts.gross += order.total;
    facts.orders.push({ at: order.at, net: order.total - refund });
    facts.channels[order.channel] += 1;
    for (const item of order.items)
      if (item.category)
        facts.categories.set(item.category, (facts.categories.get(item.category) ?? 0) + (item.quantity ?? 1));
  }
  for (const [key, amount] of refunds) if (!orders.has(key) && !cancelled.has(key)) facts.refunded += amount;
  facts.orders.sort((a, b) => a.at - b.at);
  const consent = consentOf(db, profileId);
  facts.consent = { email: consent?.e === 1, sms: consent?.s === 1, whatsapp: consent?.w === 1 };
  return facts;
}

/** Net spend of the shop's middle customer (among those who bought), from the profile totals. */
function typicalSpend(db: Database, brandId: number): number | undefined {
  const buyers = buyerCount(db, brandId);
  if (buyers < 10) return undefined;
  const middle = buyerValueAt(db, brandId, Math.floor(buyers / 2));
  return middle === undefined ? undefined : clampTotal(middle);
}

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;
const days = (ms: number) => Math.max(0, Math.floor(ms / DAY));
const percent = (share: number) => `${Math.round(share * 100)}%`;

export interface ReasonContext {
  db: Database;
  brandId: number;
  profileId: number;
  /** The data's "now" (the clock, or the day after the last sale for an old history). */
  at: number;
  currency: string;
  /** The active version's features by model, heaviest first. */
  importance: {
    churn: readonly { feature: string; weight: number }[];
    ltv: readonly { feature: string; weight: number }[];
  };
}

/** Up to three reasons, in plain words, behind a customer's churn risk and predicted value. */
export function reasonsFor(ctx: ReasonContext): string[] {
  const facts = readFacts(ctx.db, ctx.profileId, ctx.at);
  const money = (amount: number) => {
    const whole = Math.round(amount);
    return formatMoney(whole, ctx.currency).replace(/\.00$/, '');
  };
  const { orders } = facts;
  const last = orders[orders.length - 1];
  const first = orders[0];
  const ordersNet = orders.reduce((sum, o) => sum + o.net, 0);
  // Refunds of orders not seen here still lower the spend (as in the features and the profile totals).
  const net = ordersNet - Math.max(0, facts.refunded - (facts.gross - ordersNet));
  const within = (window: number) => orders.filter((o) => ctx.at - o.at <= window * DAY);

  const tell = (family: Family, feature: string): string | undefined => {
    switch (family) {
      case 'rhythm': {
        if (!last || !first) return 'Has not bought anything yet';
        const since = days(ctx.at - last.at);
        const ago = since === 0 ? 'today' : `${plural(since, 'day')} ago`;
        if (orders.length === 1) return `Has bought once, ${ago}`;
        const gap = Math.max(1, Math.round((last.at - first.at) / DAY / (orders.length - 1)));
        return since > gap
          ? `No purchase for ${plural(since, 'day')}; usually buys every ${plural(gap, 'day')}`
          : `Last bought ${ago}; usually buys every ${plural(gap, 'day')}`;
      }
      case 'tenure':
        return first ? `First bought ${plural(days(ctx.at - first.at), 'day')} ago` : undefined;
      case 'spend': {
        if (orders.length === 0) return undefined;
        const spent =
          orders.length === 1 ? `Spent ${money(net)} on one order` : `Spent ${money(net)} over ${orders.length} orders`;
        const typical = typicalSpend(ctx.db, ctx.brandId);
        return typical === undefined ? spent : `${spent}; a typical customer has spent ${money(typical)}`;
      }
      case 'recent': {
        if (orders.length === 0) return undefined;
        const window = feature === 'purchases_30d' ? 30 : 90;
        const recent = within(window);
        if (recent.length === 0) return `No orders in the last ${window} days`;
        return `${plural(recent.length, 'order')} in the last ${window} days (${money(recent.reduce((s, o) => s + o.net, 0))})`;
      }
      case 'trend': {
        if (orders.length === 0) return undefined;
        const recent = within(90).reduce((s, o) => s + o.net, 0);
        const before = orders
          .filter((o) => ctx.at - o.at > 90 * DAY && ctx.at - o.at <= 180 * DAY)
          .reduce((s, o) => s + o.net, 0);
        if (recent === 0 && before === 0) return 'Spent nothing in the last 180 days';
        return `Spent ${money(recent)} in the last 90 days, against ${money(before)} in the 90 days before`;
      }
      case 'channel': {
        const total = Object.values(facts.channels).reduce((a, b) => a + b, 0);
        if (total === 0) return undefined;
        const words = { online: 'online', store: 'in the shop', whatsapp: 'on WhatsApp', api: 'through other systems' };
        const ranked = (Object.keys(facts.channels) as (keyof typeof words)[])
          .map((c) => ({ c, share: facts.channels[c] / total }))
          .sort((a, b) => b.share - a.share);
        const top = ranked[0] as { c: keyof typeof words; share: number };
        if (top.share === 1) return `Buys only ${words[top.c]}`;
        const used = ranked.filter((r) => r.share >= 0.2).map((r) => words[r.c]);
        if (top.share >= 0.6 || used.length < 2) return `Buys mostly ${words[top.c]} (${percent(top.share)} of orders)`;
        return `Buys ${used.slice(0, -1).join(', ')} and ${used[used.length - 1]}`;
      }
      case 'category': {
        const bought = [...facts.categories.values()].reduce((a, b) => a + b, 0);
        if (bought === 0) return undefined;
        const [name, quantity] = [...facts.categories.entries()].sort(
          (a, b) => b[1] - a[1] || a[0].localeCompare(b[0]),
        )[0] as [string, number];
        const share = quantity / bought;
        if (facts.categories.size === 1) return `Buys only ${name}`;
        return share >= 0.5
          ? `Buys mostly ${name} (${percent(share)} of items)`
          : `Buys from ${plural(facts.categories.size, 'category', 'categories')}, most often ${name}`;
      }
      case 'refunds':
        if (facts.gross === 0) return undefined;
        return facts.refunded > 0
          ? `Returned ${money(facts.refunded)} of ${money(facts.gross)} bought (${percent(facts.refunded / facts.gross)})`
          : 'Has never returned anything';
      case 'engagement': {
        if (feature === 'days_since_last_activity') {
          // Told only when it adds to the last purchase: seen since, or never bought.
          if (facts.lastActivity === null || (last && facts.lastActivity <= last.at)) return undefined;
          const since = days(ctx.at - facts.lastActivity);
          const seen = since === 0 ? 'Last seen today' : `Last seen ${plural(since, 'day')} ago`;
          return last ? `${seen}, after their last purchase` : seen;
        }
        return facts.engagement90 === 0
          ? 'No visits, browsing or messages in the last 90 days'
          : `Visited, browsed or messaged ${plural(facts.engagement90, 'time')} in the last 90 days`;
      }
      case 'consent': {
        const agreed = [
          facts.consent.email ? 'emails' : undefined,
          facts.consent.sms ? 'text messages' : undefined,
          facts.consent.whatsapp ? 'WhatsApp messages' : undefined,
        ].filter((x): x is string => x !== undefined);
        if (agreed.length === 0) return 'Has not agreed to marketing messages';
        return `Agreed to ${agreed.length === 1 ? agreed[0] : `${agreed.slice(0, -1).join(', ')} and ${agreed[agreed.length - 1]}`}`;
      }
    }
  };

  const reasons: string[] = [];
  const told = new Set<Family>();
  /** Adds reasons from features in the order given, one per fact, until there are `upTo`. */
  const tellFrom = (features: readonly { feature: string; weight: number }[], upTo: number) => {
    for (const { feature, weight } of features) {
      if (reasons.length >= upTo) return;
      const family = familyOf(feature);
      if (!family || told.has(family) || !(weight > 0)) continue;
      const reason = tell(family, feature);
      if (reason === undefined || reasons.includes(reason)) continue;
      told.add(family);
      reasons.push(reason);
    }
  };
  // Two behind the churn risk, one behind the predicted value, each from what its model weighs most.
  tellFrom(ctx.importance.churn, 2);
  tellFrom(ctx.importance.ltv, 3);
  tellFrom(ctx.importance.churn, 3);
  tellFrom(
    FALLBACK.map((family) => ({ feature: FALLBACK_FEATURE[family], weight: 1 })),
    3,
  );
  return reasons;
}
