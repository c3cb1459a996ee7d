/**
 * Co-purchase recommendations on real data files: "bought with" pairs found
 * in seeded baskets, nothing the customer bought recently, the reason naming
 * the product that contributes most, ties ordered the same whatever order the
 * events arrived in, and cancelled orders, repeat orders and title-only items
 * handled as documented in recommendations.ts, products.ts and learners/co-purchase/.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { recommendFor } from '../../../main/core/ml/learners/co-purchase/recommend';
import type { CoPurchaseModel } from '../../../main/core/ml/learners/co-purchase/similarity';
import { buildAndRecommend, buildCoPurchase, recommendAll } from '../../../main/core/ml/recommendations';
import { tempDir } from '../../support/backend';
import { ProductShop } from '../../support/product-shop';

const DAY = 86_400_000;
const NOW = Date.parse('2026-03-01T12:00:00Z');
const dir = tempDir();
afterAll(() => dir.remove());

const BEANS = { sku: 'BEANS-1', title: 'Coffee beans 1kg', quantity: 1, price: 12 };
const FILTER = { sku: 'FLT-1', title: 'Paper filters', quantity: 1, price: 3 };
const MUG = { sku: 'MUG-1', title: 'Enamel mug', quantity: 1, price: 8 };
const TEA = { sku: 'TEA-1', title: 'Earl Grey tea', quantity: 1, price: 6 };
const POT = { sku: 'POT-1', title: 'Teapot', quantity: 1, price: 25 };
type Item = { sku?: string; title?: string; quantity: number; price?: number };

class Shop extends ProductShop {
  private orders = 0;
  constructor() {
    super(dir.path);
  }
  /** One order; returns its id. */
  buy(profileId: number, daysAgo: number, items: Item[]): string {
    const orderId = `O${this.orders++}`;
    const total = items.reduce((sum, i) => sum + (i.price ?? 0) * i.quantity, 0);
    this.event(profileId, 'purchase', NOW - daysAgo * DAY, { orderId, total, items }, orderId);
    return orderId;
  }
}

/**
 * 10 coffee drinkers buy beans and filters (half of them on separate visits), 3 of them a mug too; 6 tea drinkers
 * buy tea and a teapot, 2 of them the mug; one customer buys tea and filters (a coincidence: support 1).
 */
function seedCoffeeAndTea(shop: Shop): void {
  for (let c = 0; c < 10; c++) {
    const id = shop.customer();
    if (c % 2 === 0) shop.buy(id, 300 + c, [BEANS, FILTER]);
    else {
      shop.buy(id, 300 + c, [BEANS]);
      shop.buy(id, 280 + c, [FILTER]);
    }
    if (c < 3) shop.buy(id, 200, [MUG]);
  }
  for (let c = 0; c < 6; c++) {
    const id = shop.customer();
    shop.buy(id, 250 + c, [TEA, POT]);
    if (c < 2) shop.buy(id, 240, [MUG]);
  }
  const odd = shop.customer();
  shop.buy(odd, 100, [TEA, FILTER]);
}

const neighboursOf = (model: CoPurchaseModel, sku: string) => {
  const product = model.products.find((p) => p.sku === sku);
  return (product?.neighbours ?? []).map((n) => ({
    sku: model.products[n.product]?.sku,
    score: n.score,
    together: n.together,
  }));
};

describe('co-purchase model', () => {
  it('finds what is bought together, as cosine over customers, with a minimum support', () => {
    const shop = new Shop();
    seedCoffeeAndTea(shop);
    const model = buildCoPurchase(shop.db, 1, NOW);
    const loose = buildCoPurchase(shop.db, 1, NOW, { minSupport: 1 });
    shop.close();

    expect(model.customers).toBe(17);
    // Beans: 10 buyers; filters: 10 coffee + 1 odd = 11 buyers; together 10 (once each, whether one order or two).
    const beans = neighboursOf(model, 'BEANS-1');
    expect(beans[0]).toEqual({ sku: 'FLT-1', together: 10, score: round6(10 / Math.sqrt(10 * 11)) });
    expect(beans.map((n) => n.sku)).toEqual(['FLT-1', 'MUG-1']);
    expect(neighboursOf(model, 'TEA-1').map((n) => n.sku)).toEqual(['POT-1', 'MUG-1']);
    // Tea with filters happened once: not a pattern.
    expect(neighboursOf(model, 'FLT-1').map((n) => n.sku)).not.toContain('TEA-1');
    expect(model.products.find((p) => p.sku === 'BEANS-1')).toMatchObject({ title: 'Coffee beans 1kg', buyers: 10 });

    // With a support of 1 the coincidence shows: the threshold is what keeps it out.
    expect(neighboursOf(loose, 'FLT-1').map((n) => n.sku)).toContain('TEA-1');
  });

  it('counts a pair once per customer: one regular re-ordering the same pair is not a pattern', () => {
    const shop = new Shop();
    const regular = shop.customer();
    for (let i = 0; i < 6; i++) shop.buy(regular, 10 + i * 20, [BEANS, MUG]);
    const other = shop.customer();
    shop.buy(other, 50, [BEANS]);
    const model = buildCoPurchase(shop.db, 1, NOW);
    expect(neighboursOf(model, 'BEANS-1')).toEqual([]);
    expect(model.products.find((p) => p.sku === 'BEANS-1')?.buyers).toBe(2);
    // A second customer with the pair makes it one (bought the other way round, on two visits).
    const second = shop.customer();
    shop.buy(second, 9, [MUG]);
    shop.buy(second, 5, [BEANS]);
    expect(neighboursOf(buildCoPurchase(shop.db, 1, NOW), 'BEANS-1')).toEqual([
      { sku: 'MUG-1', together: 2, score: round6(2 / Math.sqrt(3 * 2)) },
    ]);
    // A third.
    shop.buy(shop.customer(), 5, [BEANS, MUG]);
    expect(neighboursOf(buildCoPurchase(shop.db, 1, NOW), 'BEANS-1')).toEqual([
      { sku: 'MUG-1', together: 3, score: round6(3 / Math.sqrt(4 * 3)) },
    ]);
    shop.close();
  });

  it('leaves out cancelled and fully refunded orders, and purchases after the cut-off', () => {
    const shop = new Shop();
    for (let c = 0; c < 3; c++) shop.buy(shop.customer(), 30, [BEANS, FILTER]);
    // Three more pairs of beans and a mug, each undone one way or another.
    const cancelled = shop.customer();
    const order = shop.buy(cancelled, 30, [BEANS, MUG]);
    shop.event(cancelled, 'cancellation', NOW - 29 * DAY, { orderId: order }, order);
    const refunded = shop.customer();
    const refundedOrder = shop.buy(refunded, 30, [BEANS, MUG]);
    shop.event(refunded, 'refund', NOW - 20 * DAY, { orderId: refundedOrder, total: 20 }, refundedOrder);
    const late = shop.customer();
    shop.buy(late, -1, [BEANS, MUG]);
    const model = buildCoPurchase(shop.db, 1, NOW);
    expect(neighboursOf(model, 'BEANS-1').map((n) => n.sku)).toEqual(['FLT-1']);
    expect(model.customers).toBe(3);
    // A partial refund keeps the order.
    const partial = shop.customer();
    const partialOrder = shop.buy(partial, 30, [BEANS, MUG]);
    shop.event(partial, 'refund', NOW - 20 * DAY, { orderId: partialOrder, total: 5 }, partialOrder);
    shop.buy(shop.customer(), 30, [BEANS, MUG]);
    expect(neighboursOf(buildCoPurchase(shop.db, 1, NOW), 'BEANS-1').map((n) => n.sku)).toEqual(['FLT-1', 'MUG-1']);
    shop.close();
  });

  it('keeps only the strongest neighbours asked for', () => {
    const shop = new Shop();
    seedCoffeeAndTea(shop);
    const model = buildCoPurchase(shop.db, 1, NOW, { neighbours: 1 });
    shop.close();
    expect(neighboursOf(model, 'BEANS-1').map((n) => n.sku)).toEqual(['FLT-1']);
    expect(neighboursOf(model, 'MUG-1')).toHaveLength(1);
  });
});

describe('recommending', () => {
  it('recommends what is bought with their purchases, with the reason, never what they bought recently', () => {
    const shop = new Shop();
    seedCoffeeAndTea(shop);
    const model = buildCoPurchase(shop.db, 1, NOW);
    shop.close();

    const beansLongAgo = recommendFor(model, [{ ...BEANS, at: NOW - 200 * DAY }], { now: NOW });
    expect(beansLongAgo.map((r) => r.product)).toEqual(['FLT-1', 'MUG-1']);
    expect(beansLongAgo[0]).toMatchObject({ title: 'Paper filters', reason: 'Bought with Coffee beans 1kg' });
    expect(beansLongAgo[0]?.score).toBeCloseTo(0.5 ** (200 / 180) * (10 / Math.sqrt(110)), 3);

    // Filters bought 10 days ago: never recommended back within 90 days, and again once the window is shorter.
    const history = [
      { ...BEANS, at: NOW - 10 * DAY },
      { ...FILTER, at: NOW - 10 * DAY },
    ];
    expect(recommendFor(model, history, { now: NOW }).map((r) => r.product)).not.toContain('FLT-1');
    expect(recommendFor(model, history, { now: NOW, recentDays: 5 }).map((r) => r.product)).toContain('FLT-1');
    // Beans (bought recently) are a neighbour of filters, but are not offered either.
    expect(recommendFor(model, history, { now: NOW }).map((r) => r.product)).toEqual(['MUG-1']);
    // A product bought long ago may come back (a refill).
    const refill = recommendFor(
      model,
      [
        { ...FILTER, at: NOW - 400 * DAY },
        { ...MUG, at: NOW - 20 * DAY },
      ],
      {
        now: NOW,
      },
    );
    expect(refill.map((r) => r.product)).toContain('BEANS-1');

    expect(recommendFor(model, [{ ...BEANS, at: NOW - 200 * DAY }], { now: NOW, limit: 1 })).toHaveLength(1);
  });

  it('names the purchase that contributes most, recent purchases weighing more', () => {
    const shop = new Shop();
    seedCoffeeAndTea(shop);
    const model = buildCoPurchase(shop.db, 1, NOW);
    shop.close();
    // The mug (5 buyers): with beans 3 of 10 buyers (cosine 3/√50 = 0.42), with tea 2 of 7 (2/√35 = 0.34).
    const same = recommendFor(
      model,
      [
        { ...TEA, at: NOW - 120 * DAY },
        { ...BEANS, at: NOW - 120 * DAY },
      ],
      { now: NOW },
    );
    expect(same.find((r) => r.product === 'MUG-1')?.reason).toBe('Bought with Coffee beans 1kg');
    expect(same.find((r) => r.product === 'POT-1')?.reason).toBe('Bought with Earl Grey tea');
    // Beans bought two years ago, tea last season: the tea purchase now says more.
    const teaRecent = recommendFor(
      model,
      [
        { ...TEA, at: NOW - 120 * DAY },
        { ...BEANS, at: NOW - 730 * DAY },
      ],
      { now: NOW },
    );
    expect(teaRecent.find((r) => r.product === 'MUG-1')?.reason).toBe('Bought with Earl Grey tea');
    // The score sums both purchases' similarities (each weighted by how long ago it was bought).
    const w = 0.5 ** (120 / 180);
    expect(same.find((r) => r.product === 'MUG-1')?.score).toBeCloseTo(w * (3 / Math.sqrt(50) + 2 / Math.sqrt(35)), 3);
    expect(same.map((r) => r.product)).toEqual(['FLT-1', 'POT-1', 'MUG-1']);
  });

  it('orders ties the same way whatever order the sales arrived in', () => {
    const item = (sku: string) => ({ sku, title: sku.charAt(0) + sku.slice(1).toLowerCase(), quantity: 1 });
    const build = (reverse: boolean) => {
      const shop = new Shop();
      // A lamp with each of three shades (two customers each), and a pen with ink B and a pad with ink A: ties.
      const sales: Item[][] = [];
      for (const sku of ['SHADE-C', 'SHADE-A', 'SHADE-B'])
        for (let c = 0; c < 2; c++) sales.push([item('LAMP'), item(sku)]);
      for (let c = 0; c < 2; c++) sales.push([item('PEN'), item('INK-B')], [item('PAD'), item('INK-A')]);
      if (reverse) sales.reverse();
      for (const items of sales) shop.buy(shop.customer(), 100, reverse ? [...items].reverse() : items);
      const model = buildCoPurchase(shop.db, 1, NOW);
      // Only two of the three equal shades fit: the same two, by sku.
      const two = buildCoPurchase(shop.db, 1, NOW, { neighbours: 2 });
      expect(two.products.find((p) => p.sku === 'LAMP')?.neighbours.map((n) => two.products[n.product]?.sku)).toEqual([
        'SHADE-A',
        'SHADE-B',
      ]);
      shop.close();
      return [
        recommendFor(model, [{ sku: 'LAMP', at: NOW - 200 * DAY }], { now: NOW }),
        // Pen and pad: one ink from each, both with similarity 1; ranked by score, then by product.
        recommendFor(
          model,
          [
            { sku: 'PEN', at: NOW - 200 * DAY },
            { sku: 'PAD', at: NOW - 200 * DAY },
          ],
          { now: NOW, limit: 4 },
        ),
      ];
    };
    const [lamp, both] = build(false);
    expect(lamp?.map((r) => r.product)).toEqual(['SHADE-A', 'SHADE-B', 'SHADE-C']);
    expect(new Set(lamp?.map((r) => r.score)).size).toBe(1);
    expect(both?.map((r) => [r.product, r.score])).toEqual([
      ['INK-A', both?.[0]?.score],
      ['INK-B', both?.[0]?.score],
    ]);
    expect(build(true)).toEqual([lamp, both]);
  });

  it('matches a title-only till sale to the product with that sku', () => {
    const shop = new Shop();
    seedCoffeeAndTea(shop);
    const model = buildCoPurchase(shop.db, 1, NOW);
    shop.close();
    const recs = recommendFor(model, [{ title: '  coffee BEANS 1kg ', at: NOW - 200 * DAY }], { now: NOW });
    expect(recs[0]).toMatchObject({ product: 'FLT-1', reason: 'Bought with Coffee beans 1kg' });
    expect(recommendFor(model, [{ title: 'Something else', at: NOW - 200 * DAY }], { now: NOW })).toEqual([]);
  });

  it('recommends for every customer in one pass, the same as one at a time, as JSON-storable lists', () => {
    const shop = new Shop();
    seedCoffeeAndTea(shop);
    const beansOnly = shop.customer();
    shop.buy(beansOnly, 200, [BEANS]);
    const recentFilters = shop.customer();
    shop.buy(recentFilters, 150, [BEANS]);
    shop.buy(recentFilters, 20, [FILTER]);
    const nothingToSay = shop.customer();
    shop.buy(nothingToSay, 20, [{ sku: 'GIFT', title: 'Gift card', quantity: 1, price: 10 }]);
    const model = buildCoPurchase(shop.db, 1, NOW);
    const all = recommendAll(shop.db, 1, NOW, model);
    // A retrain builds and recommends in one pass: exactly the same model and lists.
    const together = buildAndRecommend(shop.db, 1, NOW);
    shop.close();
    expect(together.model).toEqual(model);
    expect([...together.recommendations.entries()].sort((a, b) => a[0] - b[0])).toEqual(
      [...all.entries()].sort((a, b) => a[0] - b[0]),
    );

    expect(all.get(beansOnly)).toEqual(recommendFor(model, [{ ...BEANS, at: NOW - 200 * DAY }], { now: NOW }));
    expect(all.get(beansOnly)?.[0]).toMatchObject({ product: 'FLT-1', reason: 'Bought with Coffee beans 1kg' });
    // Filters (20 days ago) are not offered back; beans (150 days ago) may be, as a refill.
    expect(all.get(recentFilters)?.map((r) => r.product)).toEqual(['BEANS-1', 'MUG-1']);
    expect(all.has(nothingToSay)).toBe(false);
    // Every coffee drinker who has not bought the mug is offered it.
    expect([...all.values()].filter((list) => list.some((r) => r.product === 'MUG-1')).length).toBeGreaterThan(5);
    expect(JSON.parse(JSON.stringify(all.get(beansOnly)))).toEqual(all.get(beansOnly));
    expect(JSON.parse(JSON.stringify(model))).toEqual(model);
  });
});

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
