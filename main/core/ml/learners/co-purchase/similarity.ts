/**
 * Item-to-item co-purchase similarities: the model recommendations come from (recommend.ts), fitted on what each
 * customer kept. Pure: the purchases are read by ../../recommendations.ts.
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
 * Memory is one small record per product plus an

 * open-addressing table of pair counts in typed arrays (12 bytes a slot, at
 * most half full): at most products²/2 pairs, about 50 MB for 2,000 products
 * bought in every combination, far less in real shops; never per customer.
 */
import type { Bought } from '../../products';

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

export const round = (value: number, places: number) => {
  const f = 10 ** places;
  return Math.round(value * f) / f;
};

/** What each customer bought, as model product ids with the last time each was bought, kept while building. */
export interface BoughtLog {
  profileIds: number[];
  /** Customer k's entries are [start[k], start[k + 1]). */
  start: number[];
  product: number[];
  at: number[];
}

/** Item-to-item co-purchase similarities from each customer's kept purchases (in customer order), as of `asOf`. */
export function fitCoPurchase(
  history: Iterable<[number, readonly Bought[]]>,
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

  for (const [profileId, kept] of history) {
    const lastBought = new Map<number, number>();
    for (const { at, mention } of kept) {
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
