/**
 * Recommendations (`predictions.recommendations`): the products a customer is
 * likely to buy next, from item-to-item co-purchase patterns in the shop's own
 * sales, each with a reason in shop words ("Bought with Coffee beans 1kg").
 * Also owns what a "product" is for the ML code (intent.ts uses the same).
 *
 * Product identity: an item's sku when it has one (trimmed, compared without
 * case), else its title (trimmed, case and spacing ignored), else a productId
 * (`productId`/`product_id`, for event-API items that carry nothing else). A
 * title-only item is matched to the sku product with that title where one is
 * known, so a till sale typed as "paper filters" still counts as the Shopify
 * product FLT-1 "Paper filters" when recommending.
 *
 * Co-purchase counts a pair once per customer, not per order: a small shop's
 * complements are mostly bought on separate visits (beans this week, filters
 * next week), which per-order baskets would miss, and one regular with forty
 * orders must not outweigh forty customers. Cancelled and fully refunded
 * orders do not count. A customer's most recent `maxProductsPerCustomer`
 * distinct products take part, so a trade account that bought half the shop
 * adds bounded work (its pairs would be noise anyway).
 *
 * Similarity is cosine over customers: together / sqrt(buyers(a) · buyers(b)),
 * kept only for pairs bought together by at least `minSupport` customers (one
 * coincidence is not a pattern), then the top `neighbours` per product.
 *
 * One streaming pass ordered by customer over the (customer_profile_id,
 * occurred_at) index. Memory is one small record per product plus an
 * open-addressing table of pair counts in typed arrays (12 bytes a slot, at
 * most half full): at most products²/2 pairs, about 50 MB for 2,000 products
 * bought in every combination, far less in real shops; never per customer.
 */
import type { Database } from '../db/open';
import { byCustomer } from './features';

const DAY = 86_400_000;

/** How an item or event names a product (any may be missing). */
export interface ProductRef {
  sku?: string | null;
  title?: string | null;
  productId?: string | number | null;
}

/** A product as recognised in a payload: its identity key plus what to show. */
export interface ProductMention {
  /** `sku:<SKU>`, `title:<normalised title>` or `id:<productId>`. */
  key: string;
  sku: string | null;
  title: string | null;
  productId: string | null;
}

const clean = (value: unknown): string | null => {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
};

/** Title as compared: case, accents' composition and runs of spaces ignored. */
export function normalizeTitle(title: string): string {
  return title.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

export function titleKey(title: string): string {
  return `title:${normalizeTitle(title)}`;
}

/** The identity of a product reference (sku, else title, else productId), or undefined when it names nothing. */
export function mentionOf(ref: ProductRef): ProductMention | undefined {
  const sku = clean(ref.sku);
  const title = clean(ref.title);
  const productId = clean(ref.productId);
  const key = sku ? `sku:${sku.toUpperCase()}` : title ? titleKey(title) : productId ? `id:${productId}` : undefined;
  return key === undefined ? undefined : { key, sku, title, productId };
}

function refOf(value: Record<string, unknown>, titleFields: readonly string[]): ProductRef {
  let title: unknown;
  for (const field of titleFields) {
    if (clean(value[field])) {
      title = value[field];
      break;
    }
  }
  return {
    sku: clean(value.sku),
    title: clean(title),
    productId: clean(value.productId) ?? clean(value.product_id),
  };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Every product an event names, once each. Shapes handled: `items: [{ sku, title | name, productId }]` (purchases,
 * Shopify checkouts and abandoned carts, the event API's views and cart adds), a single product on the payload
 * itself (`sku`, `productId`/`product_id`, `title`/`productTitle`/`productName`) and a `product` object or title.
 */
export function productsInPayload(payload: unknown): ProductMention[] {
  if (!isObject(payload)) return [];
  const found = new Map<string, ProductMention>();
  const add = (ref: ProductRef) => {
    const mention = mentionOf(ref);
    if (mention && !found.has(mention.key)) found.set(mention.key, mention);
  };
  if (Array.isArray(payload.items)) {
    for (const item of payload.items) if (isObject(item)) add(refOf(item, ['title', 'name']));
  }
  add(refOf(payload, ['title', 'productTitle', 'productName']));
  const product = payload.product;
  if (isObject(product)) {
    const ref = refOf(product, ['title', 'name']);
    add({ ...ref, productId: ref.productId ?? clean(product.id) });
  } else if (typeof product === 'string') add({ title: product });
  return [...found.values()];
}

/** Products named by a purchase's `items` JSON (the text of `payload -> '$.items'`). */
function productsInItems(itemsJson: string | null): ProductMention[] {
  if (!itemsJson) return [];
  let items: unknown;
  try {
    items = JSON.parse(itemsJson);
  } catch {
    return [];
  }
  return productsInPayload({ items });
}

// ---------------------------------------------------------------------------------------------
// Purchases, read per customer

interface PurchaseRow {
  p: number;
  t: string;
  at: number;
  o: string | null;
  total: number | string | null;
  items: string | null;
}

/** Purchases, refunds and cancellations before `asOf`, ordered by customer then time (the per-customer index). */
function streamPurchaseRows(db: Database, brandId: number, asOf: number): IterableIterator<PurchaseRow> {
  return db.sqlite
    .prepare(
      `SELECT customer_profile_id AS p, event_type AS t, occurred_at AS at, order_id AS o, payload ->> '$.total' AS total,
              CASE WHEN event_type = 'purchase' THEN payload -> '$.items' END AS items
       FROM customer_raw_event INDEXED BY customer_raw_event_profile_time_idx
       WHERE customer_profile_id IS NOT NULL AND brand_id = ? AND occurred_at < ?
         AND event_type IN ('purchase', 'refund', 'cancellation')
       ORDER BY customer_profile_id, occurred_at, id`,
    )
    .iterate(brandId, asOf) as IterableIterator<PurchaseRow>;
}

/** One product bought at a time: the history `recommendFor` reads. */
export interface PurchasedItem extends ProductRef {
  at: number;
}

/**
 * What a customer kept: items of their purchases, leaving out cancelled orders and orders refunded in full (the same
 * order arriving from two sources counts once). Partial refunds do not say which item went back, so they are kept.
 */
function keptItems(rows: readonly PurchaseRow[]): { at: number; mention: ProductMention }[] {
  const orders = new Map<string, { at: number; total: number; refunded: number; items: ProductMention[] }>();
  const cancelled = new Set<string>();
  let anonymous = 0;
  for (const row of rows) {
    const total = Number(row.total ?? 0) || 0;
    if (row.t === 'purchase') {
      const id = row.o ?? `\u0000${anonymous++}`;
      const order = orders.get(id);
      const items = productsInItems(row.items);
      if (order) {
        order.total = Math.max(order.total, total);
        for (const item of items) if (!order.items.some((i) => i.key === item.key)) order.items.push(item);
      } else orders.set(id, { at: row.at, total, refunded: 0, items });
    } else if (row.o !== null) {
      if (row.t === 'cancellation') cancelled.add(row.o);
      else {
        const order = orders.get(row.o);
        if (order) order.refunded += total;
      }
    }
  }
  const kept: { at: number; mention: ProductMention }[] = [];
  for (const [id, order] of orders) {
    if (cancelled.has(id)) continue;
    if (order.total > 0 && order.refunded >= order.total - 0.005) continue;
    for (const mention of order.items) kept.push({ at: order.at, mention });
  }
  return kept;
}

// ---------------------------------------------------------------------------------------------
// The model

export interface Neighbour {
  /** Index into `CoPurchaseModel.products`. */
  product: number;
  /** Cosine similarity, 0–1. */
  score: number;
  /** Customers who bought both. */
  together: number;
}

export interface ModelProduct {
  key: string;
  sku: string | null;
  /** The most recently seen title, else the sku. */
  title: string;
  /** Customers who bought it. */
  buyers: number;
  /** Most similar first; ties by key. */
  neighbours: Neighbour[];
}

/** Plain JSON: can be stored as a model artifact and handed to a worker. */
export interface CoPurchaseModel {
  asOf: number;
  /** Customers with at least one kept purchase. */
  customers: number;
  products: ModelProduct[];
}

export interface CoPurchaseOptions {
  /** Neighbours kept per product. */
  neighbours?: number;
  /** Customers who must have bought both before a pair counts. */
  minSupport?: number;
  /** Distinct products per customer (the most recent) that take part. */
  maxProductsPerCustomer?: number;
}

/** Pair counts (i < j) in an open-addressing table of typed arrays, doubling at half full. */
class PairCounts {
  private first: Int32Array;
  private second: Int32Array;
  private counts: Uint32Array;
  private mask: number;
  private size = 0;

  constructor(capacity = 1 << 16) {
    this.first = new Int32Array(capacity).fill(-1);
    this.second = new Int32Array(capacity);
    this.counts = new Uint32Array(capacity);
    this.mask = capacity - 1;
  }

  private static slot(i: number, j: number, mask: number): number {
    return (Math.imul(i, 0x9e3779b1) ^ Math.imul(j + 0x7f4a7c15, 0x85ebca77)) & mask;
  }

  add(i: number, j: number): void {
    const { first, second, mask } = this;
    let h = PairCounts.slot(i, j, mask);
    for (;;) {
      const a = first[h];
      if (a === -1) {
        first[h] = i;
        second[h] = j;
        this.counts[h] = 1;
        this.size += 1;
        if (this.size * 2 > first.length) this.grow();
        return;
      }
      if (a === i && second[h] === j) {
        this.counts[h] = (this.counts[h] ?? 0) + 1;
        return;
      }
      h = (h + 1) & mask;
    }
  }

  private grow(): void {
    const { first, second, counts } = this;
    const capacity = first.length * 2;
    this.first = new Int32Array(capacity).fill(-1);
    this.second = new Int32Array(capacity);
    this.counts = new Uint32Array(capacity);
    this.mask = capacity - 1;
    for (let s = 0; s < first.length; s++) {
      const i = first[s] ?? -1;
      if (i === -1) continue;
      const j = second[s] ?? 0;
      let h = PairCounts.slot(i, j, this.mask);
      while (this.first[h] !== -1) h = (h + 1) & this.mask;
      this.first[h] = i;
      this.second[h] = j;
      this.counts[h] = counts[s] ?? 0;
    }
  }

  forEach(visit: (i: number, j: number, count: number) => void): void {
    for (let s = 0; s < this.first.length; s++) {
      const i = this.first[s] ?? -1;
      if (i !== -1) visit(i, this.second[s] ?? 0, this.counts[s] ?? 0);
    }
  }
}

const round = (value: number, places: number) => {
  const f = 10 ** places;
  return Math.round(value * f) / f;
};

/** Item-to-item co-purchase similarities from the purchases before `asOf`. */
export function buildCoPurchase(
  db: Database,
  brandId: number,
  asOf: number,
  options: CoPurchaseOptions = {},
): CoPurchaseModel {
  return build(db, brandId, asOf, options).model;
}

/** What each customer bought, as model product ids with the last time each was bought, kept while building. */
interface BoughtLog {
  profileIds: number[];
  /** Customer k's entries are [start[k], start[k + 1]). */
  start: number[];
  product: number[];
  at: number[];
}

/**
 * The co-purchase model and, in the same pass over the purchases, every customer's recommendations from it: what a
 * retrain does (reading the history twice, as buildCoPurchase then recommendAll would, costs seconds at 100k).
 * Gives exactly what those two give.
 */
export function buildAndRecommend(
  db: Database,
  brandId: number,
  asOf: number,
  options: CoPurchaseOptions & Omit<RecommendOptions, 'now'> = {},
): { model: CoPurchaseModel; recommendations: Map<number, Recommendation[]> } {
  const log: BoughtLog = { profileIds: [], start: [0], product: [], at: [] };
  const { model } = build(db, brandId, asOf, options, log);
  const recommendations = new Map<number, Recommendation[]>();
  const bought = new Map<number, number>();
  log.profileIds.forEach((profileId, k) => {
    bought.clear();
    for (let e = log.start[k] as number; e < (log.start[k + 1] as number); e++)
      bought.set(log.product[e] as number, log.at[e] as number);
    const list = recommendFromBought(model, bought, { ...options, now: asOf });
    if (list.length > 0) recommendations.set(profileId, list);
  });
  return { model, recommendations };
}

function build(
  db: Database,
  brandId: number,
  asOf: number,
  options: CoPurchaseOptions,
  log?: BoughtLog,
): { model: CoPurchaseModel } {
  const keep = options.neighbours ?? 20;
  const minSupport = Math.max(1, options.minSupport ?? 2);
  const maxProducts = options.maxProductsPerCustomer ?? 60;

  const index = new Map<string, number>();
  const products: { key: string; sku: string | null; title: string | null; buyers: number }[] = [];
  const pairs = new PairCounts();
  let customers = 0;

  for (const [profileId, rows] of byCustomer(streamPurchaseRows(db, brandId, asOf))) {
    const lastBought = new Map<number, number>();
    for (const { at, mention } of keptItems(rows)) {
      let id = index.get(mention.key);
      if (id === undefined) {
        id = products.length;
        index.set(mention.key, id);
        products.push({ key: mention.key, sku: mention.sku, title: null, buyers: 0 });
      }
      const product = products[id];
      if (product && mention.title) product.title = mention.title;
      lastBought.set(id, Math.max(lastBought.get(id) ?? at, at));
    }
    if (lastBought.size === 0) continue;
    customers += 1;
    if (log) {
      log.profileIds.push(profileId);
      for (const [id, at] of lastBought) {
        log.product.push(id);
        log.at.push(at);
      }
      log.start.push(log.product.length);
    }
    let bought = [...lastBought.keys()];
    if (bought.length > maxProducts) {
      bought = bought
        .sort((a, b) => (lastBought.get(b) ?? 0) - (lastBought.get(a) ?? 0) || a - b)
        .slice(0, maxProducts);
    }
    bought.sort((a, b) => a - b);
    for (let x = 0; x < bought.length; x++) {
      const i = bought[x] ?? 0;
      const product = products[i];
      if (product) product.buyers += 1;
      for (let y = x + 1; y < bought.length; y++) pairs.add(i, bought[y] ?? 0);
    }
  }

  const neighbours: Neighbour[][] = products.map(() => []);
  const before = (a: Neighbour, b: Neighbour) =>
    b.score - a.score || ((products[a.product]?.key ?? '') < (products[b.product]?.key ?? '') ? -1 : 1);
  const offer = (to: number, candidate: Neighbour) => {
    const list = neighbours[to];
    if (!list) return;
    if (list.length >= keep) {
      const worst = list[list.length - 1];
      if (!worst || before(candidate, worst) >= 0) return;
      list.pop();
    }
    let at = list.length;
    while (at > 0 && before(candidate, list[at - 1] as Neighbour) < 0) at--;
    list.splice(at, 0, candidate);
  };
  pairs.forEach((i, j, together) => {
    if (together < minSupport) return;
    const score = round(together / Math.sqrt((products[i]?.buyers ?? 1) * (products[j]?.buyers ?? 1)), 6);
    offer(i, { product: j, score, together });
    offer(j, { product: i, score, together });
  });

  const model: CoPurchaseModel = {
    asOf,
    customers,
    products: products.map((p, i) => ({
      key: p.key,
      sku: p.sku,
      title: p.title ?? p.sku ?? p.key.slice(p.key.indexOf(':') + 1),
      buyers: p.buyers,
      neighbours: neighbours[i] ?? [],
    })),
  };
  return { model };
}

// ---------------------------------------------------------------------------------------------
// Recommending

export interface Recommendation {
  /** The product's sku, else its title. */
  product: string;
  title: string;
  /** "Bought with <title>": the customer's purchase that contributes most. */
  reason: string;
  /** Summed similarity to what the customer bought, recent purchases weighted more. */
  score: number;
}

export interface RecommendOptions {
  now: number;
  limit?: number;
  /** Products bought in this many days before `now` are never recommended. */
  recentDays?: number;
  /** A purchase's weight halves every this many days (older purchases say less about what comes next). */
  historyHalfLifeDays?: number;
}

interface ModelIndex {
  byKey: Map<string, number>;
  /** Normalised title → product with a sku, so title-only items find it. */
  byTitle: Map<string, number>;
  /** Each product's place in key order: the tie-break, compared as numbers. */
  keyRank: Int32Array;
  /** Scratch per candidate product, reset after each call (recommendAll calls once per customer). */
  score: Float64Array;
  strongest: Float64Array;
  because: Int32Array;
  /** 1 for products the customer bought recently. */
  blocked: Uint8Array;
  /** The neighbour lists flattened: product i's are at [start[i], start[i + 1]). */
  start: Int32Array;
  neighbour: Int32Array;
  similarity: Float64Array;
}

/** Built once per model object (a model is never changed after `buildCoPurchase` returns it). */
const indexes = new WeakMap<CoPurchaseModel, ModelIndex>();

function indexOf(model: CoPurchaseModel): ModelIndex {
  let found = indexes.get(model);
  if (!found) {
    const count = model.products.length;
    const byKey = new Map<string, number>();
    const byTitle = new Map<string, number>();
    model.products.forEach((p, i) => {
      byKey.set(p.key, i);
      const title = normalizeTitle(p.title);
      if (p.sku && !byTitle.has(title)) byTitle.set(title, i);
    });
    const keyRank = new Int32Array(count);
    [...model.products.keys()]
      .sort((a, b) => ((model.products[a]?.key ?? '') < (model.products[b]?.key ?? '') ? -1 : 1))
      .forEach((product, rank) => {
        keyRank[product] = rank;
      });
    found = {
      byKey,
      byTitle,
      keyRank,
      score: new Float64Array(count),
      strongest: new Float64Array(count),
      because: new Int32Array(count).fill(-1),
      blocked: new Uint8Array(count),
      ...flatten(model),
    };
    indexes.set(model, found);
  }
  return found;
}

function flatten(model: CoPurchaseModel): Pick<ModelIndex, 'start' | 'neighbour' | 'similarity'> {
  const start = new Int32Array(model.products.length + 1);
  model.products.forEach((p, i) => {
    start[i + 1] = (start[i] ?? 0) + p.neighbours.length;
  });
  const total = start[model.products.length] ?? 0;
  const neighbour = new Int32Array(total);
  const similarity = new Float64Array(total);
  model.products.forEach((p, i) => {
    p.neighbours.forEach((n, k) => {
      neighbour[(start[i] ?? 0) + k] = n.product;
      similarity[(start[i] ?? 0) + k] = n.score;
    });
  });
  return { start, neighbour, similarity };
}

function resolve(index: ModelIndex, mention: ProductMention): number | undefined {
  return (
    index.byKey.get(mention.key) ??
    (mention.sku === null && mention.title !== null ? index.byTitle.get(normalizeTitle(mention.title)) : undefined)
  );
}

/** The products this customer is most likely to buy next, from what they bought before `now`. */
export function recommendFor(
  model: CoPurchaseModel,
  customerHistory: readonly PurchasedItem[],
  options: RecommendOptions,
): Recommendation[] {
  const bought: { at: number; mention: ProductMention }[] = [];
  for (const item of customerHistory) {
    const mention = mentionOf(item);
    if (mention) bought.push({ at: item.at, mention });
  }
  return recommendFromMentions(model, bought, options);
}

function recommendFromMentions(
  model: CoPurchaseModel,
  history: readonly { at: number; mention: ProductMention }[],
  options: RecommendOptions,
): Recommendation[] {
  const { now } = options;
  const index = indexOf(model);
  const lastBought = new Map<number, number>();
  for (const { at, mention } of history) {
    if (at > now) continue;
    const id = resolve(index, mention);
    if (id === undefined) continue;
    lastBought.set(id, Math.max(lastBought.get(id) ?? at, at));
  }
  return recommendFromBought(model, lastBought, options);
}

/** Recommendations from the model products a customer bought, each with when they last bought it (all before `now`). */
function recommendFromBought(
  model: CoPurchaseModel,
  lastBought: ReadonlyMap<number, number>,
  options: RecommendOptions,
): Recommendation[] {
  const { now } = options;
  const limit = Math.max(0, Math.floor(options.limit ?? 3));
  const recentFrom = now - (options.recentDays ?? 90) * DAY;
  const halfLife = (options.historyHalfLifeDays ?? 180) * DAY;
  const index = indexOf(model);
  const { score, strongest, because, blocked, keyRank, start, neighbour, similarity } = index;
  const recent: number[] = [];
  for (const [id, at] of lastBought) {
    if (at >= recentFrom) {
      blocked[id] = 1;
      recent.push(id);
    }
  }

  const touched: number[] = [];
  for (const bought of [...lastBought.keys()].sort((a, b) => a - b)) {
    const weight = 0.5 ** (Math.max(0, now - (lastBought.get(bought) ?? now)) / halfLife);
    for (let k = start[bought] ?? 0, end = start[bought + 1] ?? 0; k < end; k++) {
      const id = neighbour[k] ?? 0;
      if (blocked[id] === 1) continue;
      const contribution = weight * (similarity[k] ?? 0);
      // Purchases are visited in index order, so an equal contribution keeps the earlier product: deterministic.
      if ((because[id] ?? -1) === -1) {
        touched.push(id);
        score[id] = contribution;
        strongest[id] = contribution;
        because[id] = bought;
      } else {
        score[id] = (score[id] ?? 0) + contribution;
        if (contribution > (strongest[id] ?? 0)) {
          strongest[id] = contribution;
          because[id] = bought;
        }
      }
    }
  }

  // The best `limit` by score (rounded, so the order of summing cannot split a tie), then by product key.
  for (const id of touched) score[id] = round(score[id] ?? 0, 9);
  const ahead = (a: number, b: number) => {
    const sa = score[a] ?? 0;
    const sb = score[b] ?? 0;
    return sa > sb || (sa === sb && (keyRank[a] ?? 0) < (keyRank[b] ?? 0));
  };
  const best: number[] = [];
  for (const id of limit > 0 ? touched : []) {
    if (best.length === limit && !ahead(id, best[limit - 1] as number)) continue;
    let at = best.length === limit ? limit - 1 : best.length;
    while (at > 0 && ahead(id, best[at - 1] as number)) at--;
    if (best.length === limit) best.pop();
    best.splice(at, 0, id);
  }
  const result = best.map((id) => {
    const product = model.products[id] as ModelProduct;
    return {
      product: product.sku ?? product.title,
      title: product.title,
      reason: `Bought with ${model.products[because[id] ?? -1]?.title ?? 'an earlier purchase'}`,
      score: round(score[id] ?? 0, 4),
    };
  });
  for (const id of touched) because[id] = -1;
  for (const id of recent) blocked[id] = 0;
  return result;
}

/**
 * Recommendations for every customer with purchases before `asOf`, in one pass ordered by customer. Customers with
 * nothing to recommend are left out (their stored list is the empty default).
 */
export function recommendAll(
  db: Database,
  brandId: number,
  asOf: number,
  model: CoPurchaseModel,
  options: Omit<RecommendOptions, 'now'> = {},
): Map<number, Recommendation[]> {
  const result = new Map<number, Recommendation[]>();
  for (const [profileId, rows] of byCustomer(streamPurchaseRows(db, brandId, asOf))) {
    const history = keptItems(rows);
    if (history.length === 0) continue;
    const recommendations = recommendFromMentions(model, history, { ...options, now: asOf });
    if (recommendations.length > 0) result.set(profileId, recommendations);
  }
  return result;
}
