/**
 * Product intent on real data files: the points per signal (cart add > view >
 * search), the half-life decay, a purchase clearing what came before it,
 * search words matched to titles, the minimum score, the payload shapes the
 * sources write, and one customer's events never showing on another's.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { highIntentProducts, intentForAll } from '../../../main/core/ml/intent';
import { tempDir } from '../../support/backend';
import { ProductShop } from '../../support/product-shop';

const DAY = 86_400_000;
const NOW = Date.parse('2026-03-01T12:00:00Z');
const dir = tempDir();
afterAll(() => dir.remove());

const BEANS = { sku: 'BEANS-1', title: 'Coffee Beans 1kg', quantity: 1, price: 12 };
const FILTER = { sku: 'FLT-1', title: 'Paper filters', quantity: 1, price: 3 };
const TEA = { sku: 'TEA-1', title: 'Earl Grey tea', quantity: 1, price: 6 };
const POT = { sku: 'POT-1', title: 'Teapot', quantity: 1, price: 25 };
const CATALOG = [BEANS, FILTER, TEA, POT];

class Shop extends ProductShop {
  constructor() {
    super(dir.path);
  }
  view(profileId: number, at: number, ...items: object[]): void {
    this.event(profileId, 'product_view', at, { items });
  }
  cartAdd(profileId: number, at: number, ...items: object[]): void {
    this.event(profileId, 'cart_add', at, { items });
  }
  buy(profileId: number, at: number, ...items: object[]): void {
    this.event(profileId, 'purchase', at, { orderId: `O${this.events}`, total: 10, items });
  }
  search(profileId: number, at: number, query: string): void {
    this.event(profileId, 'search', at, { query });
  }
  intent(profileId: number, options: Partial<Parameters<typeof highIntentProducts>[3]> = {}) {
    return highIntentProducts(this.db, 1, profileId, { now: NOW, minScore: 0, ...options });
  }
}

let shop: Shop;
const fresh = () => {
  shop?.close();
  shop = new Shop();
  return shop;
};
afterAll(() => shop?.close());

describe('product intent', () => {
  it('scores a cart add above a view, and a view above a matching search', () => {
    const s = fresh();
    const ann = s.customer();
    s.cartAdd(ann, NOW, BEANS);
    s.view(ann, NOW, TEA);
    s.search(ann, NOW, 'paper filter');
    expect(s.intent(ann, { catalog: CATALOG })).toEqual([
      { product: 'BEANS-1', title: 'Coffee Beans 1kg', score: 40, lastSignalAt: NOW },
      { product: 'TEA-1', title: 'Earl Grey tea', score: 15, lastSignalAt: NOW },
      { product: 'FLT-1', title: 'Paper filters', score: 10, lastSignalAt: NOW },
    ]);
  });

  it('halves after the half-life, adds up repeated signals and saturates at 100', () => {
    const s = fresh();
    const ann = s.customer();
    s.cartAdd(ann, NOW - 7 * DAY, BEANS);
    s.view(ann, NOW - 14 * DAY, TEA);
    expect(s.intent(ann).map((i) => [i.product, i.score])).toEqual([
      ['BEANS-1', 20],
      ['TEA-1', 3.8],
    ]);
    // A longer half-life decays less: 40 · 2^(-7/14).
    expect(s.intent(ann, { halfLifeDays: 14 })[0]?.score).toBe(28.3);
    // A second view of the tea today: 3.75 carried + 15.
    s.view(ann, NOW, TEA);
    expect(s.intent(ann).find((i) => i.product === 'TEA-1')).toMatchObject({ score: 18.8, lastSignalAt: NOW });

    const keen = s.customer();
    for (let i = 0; i < 5; i++) s.cartAdd(keen, NOW - 7 * DAY, POT);
    // 200 points on the day would be capped at 100, then halve.
    expect(s.intent(keen)).toEqual([{ product: 'POT-1', title: 'Teapot', score: 50, lastSignalAt: NOW - 7 * DAY }]);
  });

  it('is cleared by a later purchase of the product, and starts again after it', () => {
    const s = fresh();
    const ann = s.customer();
    s.cartAdd(ann, NOW - 3 * DAY, BEANS, POT);
    s.view(ann, NOW - 3 * DAY, TEA);
    s.buy(ann, NOW - 2 * DAY, BEANS);
    // A till sale that names the tea by title only still clears it.
    s.buy(ann, NOW - 2 * DAY, { title: 'earl grey TEA', quantity: 1 });
    expect(s.intent(ann).map((i) => i.product)).toEqual(['POT-1']);
    s.view(ann, NOW - DAY, BEANS);
    const beans = s.intent(ann).find((i) => i.product === 'BEANS-1');
    expect(beans).toEqual({
      product: 'BEANS-1',
      title: 'Coffee Beans 1kg',
      score: Math.round(15 * 0.5 ** (1 / 7) * 10) / 10,
      lastSignalAt: NOW - DAY,
    });
    // A purchase before the signals does not clear them.
    const bob = s.customer();
    s.buy(bob, NOW - 5 * DAY, FILTER);
    s.cartAdd(bob, NOW - 4 * DAY, FILTER);
    expect(s.intent(bob).map((i) => i.product)).toEqual(['FLT-1']);
  });

  it('matches searches to products by the words of their titles', () => {
    const s = fresh();
    const ann = s.customer();
    s.search(ann, NOW, 'Coffee bean');
    const found = (query: string, catalog: readonly object[] | null = CATALOG) => {
      const t = s.customer();
      s.search(t, NOW, query);
      return s.intent(t, catalog ? { catalog } : {}).map((i) => i.product);
    };
    expect(s.intent(ann, { catalog: CATALOG })).toEqual([
      { product: 'BEANS-1', title: 'Coffee Beans 1kg', score: 10, lastSignalAt: NOW },
    ]);
    expect(found('coff')).toEqual(['BEANS-1']);
    expect(found('TEA')).toEqual(['TEA-1']);
    expect(found('teapots')).toEqual(['POT-1']);
    expect(found('filter')).toEqual(['FLT-1']);
    expect(found('green tea')).toEqual([]);
    expect(found('the')).toEqual([]);
    // Without a catalogue, a search can only match products the customer's own events name.
    expect(found('teapot', null)).toEqual([]);
    const bob = s.customer();
    s.view(bob, NOW - DAY, POT);
    s.search(bob, NOW, 'teapot');
    expect(s.intent(bob)).toEqual([
      { product: 'POT-1', title: 'Teapot', score: Math.round((15 * 0.5 ** (1 / 7) + 10) * 10) / 10, lastSignalAt: NOW },
    ]);
  });

  it('leaves out products below the minimum score, and returns at most the limit', () => {
    const s = fresh();
    const ann = s.customer();
    s.cartAdd(ann, NOW, BEANS);
    s.view(ann, NOW, TEA);
    s.view(ann, NOW - 2 * DAY, POT);
    expect(s.intent(ann).map((i) => i.product)).toEqual(['BEANS-1', 'TEA-1', 'POT-1']);
    expect(s.intent(ann, { minScore: 15 }).map((i) => i.product)).toEqual(['BEANS-1', 'TEA-1']);
    expect(s.intent(ann, { minScore: 15.1 }).map((i) => i.product)).toEqual(['BEANS-1']);
    expect(s.intent(ann, { minScore: 41 })).toEqual([]);
    expect(s.intent(ann, { limit: 1 }).map((i) => i.product)).toEqual(['BEANS-1']);
  });

  it("never shows another customer's events, or events after now or long before it", () => {
    const s = fresh();
    const ann = s.customer();
    const bob = s.customer();
    s.view(ann, NOW - DAY, TEA);
    s.cartAdd(bob, NOW - DAY, BEANS);
    s.search(bob, NOW, 'teapot');
    s.buy(bob, NOW - 10, TEA);
    expect(s.intent(ann, { catalog: CATALOG }).map((i) => i.product)).toEqual(['TEA-1']);
    expect(s.intent(bob, { catalog: CATALOG }).map((i) => i.product)).toEqual(['BEANS-1', 'POT-1']);
    s.cartAdd(ann, NOW + DAY, POT);
    s.cartAdd(ann, NOW - 120 * DAY, FILTER);
    expect(s.intent(ann).map((i) => i.product)).toEqual(['TEA-1']);
    expect(s.intent(ann, { now: NOW + DAY }).map((i) => i.product)).toEqual(['POT-1', 'TEA-1']);
    // Another shop's profile with the same products is its own.
    expect(highIntentProducts(s.db, 2, ann, { now: NOW, minScore: 0 })).toEqual([]);
  });

  it('reads products the way the sources write them', () => {
    const s = fresh();
    const ann = s.customer();
    // Shopify checkout started and abandoned (line items), each counting as a cart add.
    s.event(ann, 'checkout_started', NOW - 7 * DAY, { checkoutToken: 'c1', total: 12, items: [BEANS] });
    s.event(ann, 'cart_abandoned', NOW - 7 * DAY, { checkoutToken: 'c1', total: 12, items: [BEANS] });
    // Event API: one product on the payload itself, a product object, a title-only item of a known sku.
    s.event(ann, 'product_view', NOW, { sku: 'mug-1', title: 'Enamel mug' });
    s.event(ann, 'product_view', NOW, { product: { id: 77, name: 'Brass lamp' } });
    s.event(ann, 'product_view', NOW, { productId: 'P-9' });
    s.event(ann, 'cart_add', NOW, { items: [{ title: 'paper  FILTERS', quantity: 1 }] });
    expect(s.intent(ann, { catalog: CATALOG })).toEqual([
      // Equal scores: the latest signal first, then by product.
      { product: 'FLT-1', title: 'Paper filters', score: 40, lastSignalAt: NOW },
      { product: 'BEANS-1', title: 'Coffee Beans 1kg', score: 40, lastSignalAt: NOW - 7 * DAY },
      { product: 'P-9', title: 'P-9', score: 15, lastSignalAt: NOW },
      { product: 'mug-1', title: 'Enamel mug', score: 15, lastSignalAt: NOW },
      { product: 'Brass lamp', title: 'Brass lamp', score: 15, lastSignalAt: NOW },
    ]);
    // The same sku in another case is the same product.
    s.event(ann, 'purchase', NOW, { orderId: 'X', total: 8, items: [{ sku: 'MUG-1', quantity: 1 }] });
    expect(s.intent(ann, { catalog: CATALOG }).map((i) => i.product)).not.toContain('mug-1');
  });

  it('scores every customer in one pass, the same as one at a time', () => {
    const s = fresh();
    const ids: number[] = [];
    for (let c = 0; c < 20; c++) {
      const id = s.customer();
      ids.push(id);
      if (c % 3 === 0) s.cartAdd(id, NOW - c * DAY, BEANS);
      if (c % 2 === 0) s.view(id, NOW - c * 3_600_000, TEA, POT);
      if (c % 5 === 0) s.search(id, NOW - DAY, 'filters');
      if (c % 4 === 0) s.buy(id, NOW - 3_600_000, TEA);
    }
    const all = intentForAll(s.db, 1, NOW, { catalog: CATALOG, minScore: 5 });
    for (const id of ids) {
      const one = highIntentProducts(s.db, 1, id, { now: NOW, minScore: 5, catalog: CATALOG });
      expect(all.get(id) ?? []).toEqual(one);
    }
    expect(all.size).toBeGreaterThan(8);
    // The first customer bought tea an hour before viewing it again: the view counts.
    expect(all.get(ids[0] as number)?.map((i) => i.product)).toEqual(['BEANS-1', 'POT-1', 'TEA-1', 'FLT-1']);
    // The fifth bought it after viewing it: cleared.
    expect(all.get(ids[4] as number)?.map((i) => i.product)).toEqual(['POT-1']);
  });
});
