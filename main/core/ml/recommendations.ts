/**
 * Recommendations (`predictions.recommendations`): the products a customer is
 * likely to buy next, from item-to-item co-purchase patterns in the shop's own
 * sales, each with a reason in shop words ("Bought with Coffee beans 1kg").
 *
 * The purchases are read here, in one streaming pass ordered by customer over the (customer_profile_id, occurred_at)
 * index, never per customer; product identity is products.ts, the similarity model
 * learners/co-purchase/similarity.ts, recommending from it learners/co-purchase/recommend.ts.
 */
import type { Database } from '../db/open';
import { type PurchaseRow, streamPurchaseRows } from '../db/repos/event-reads';
import { byCustomer } from './features';
import {
  type Recommendation,
  type RecommendOptions,
  recommendFromBought,
  recommendFromMentions,
} from './learners/co-purchase/recommend';
import {
  type BoughtLog,
  type CoPurchaseModel,
  type CoPurchaseOptions,
  fitCoPurchase,
} from './learners/co-purchase/similarity';
import { type Bought, type ProductMention, productsInItems } from './products';

// ---------------------------------------------------------------------------------------------
// Purchases, read per customer

/**
 * What a customer kept: items of their purchases, leaving out cancelled orders and orders refunded in full (the same
 * order arriving from two sources counts once). Partial refunds do not say which item went back, so they are kept.
 */
function keptItems(rows: readonly PurchaseRow[]): Bought[] {
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
  const kept: Bought[] = [];
  for (const [id, order] of orders) {
    if (cancelled.has(id)) continue;
    if (order.total > 0 && order.refunded >= order.total - 0.005) continue;
    for (const mention of order.items) kept.push({ at: order.at, mention });
  }
  return kept;
}

/** Each customer's kept purchases before `asOf`, in customer order (customers who kept nothing included, empty). */
function* keptByCustomer(db: Database, brandId: number, asOf: number): Generator<[number, Bought[]]> {
  for (const [profileId, rows] of byCustomer(streamPurchaseRows(db, brandId, asOf))) yield [profileId, keptItems(rows)];
}

/** Item-to-item co-purchase similarities from the purchases before `asOf`. */
export function buildCoPurchase(
  db: Database,
  brandId: number,
  asOf: number,
  options: CoPurchaseOptions = {},
): CoPurchaseModel {
  return fitCoPurchase(keptByCustomer(db, brandId, asOf), asOf, options).model;
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
  const { model } = fitCoPurchase(keptByCustomer(db, brandId, asOf), asOf, options, log);
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
