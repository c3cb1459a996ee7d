/**
 * Recommending from a co-purchase model (similarity.ts): the products a customer is likely to buy next, from what they
 * bought, recent purchases weighted more and recent ones never recommended again, each with a reason in shop words
 * ("Bought with Coffee beans 1kg"). A title-only purchase finds the sku product of that title. Pure.
 */
import { mentionOf, normalizeTitle, type ProductMention, type ProductRef } from '../../products';
import { type CoPurchaseModel, type ModelProduct, round } from './similarity';

const DAY = 86_400_000;

/** One product bought at a time: the history `recommendFor` reads. */
export interface PurchasedItem extends ProductRef {
  at: number;
}

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

export function recommendFromMentions(
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
export function recommendFromBought(
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
