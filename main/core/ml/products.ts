/**
 * What a "product" is for the ML code (recommendations and intent read the same): how an item or event names one,
 * and how two names are known to be the same product. Pure.
 *

 * Product identity: an item's sku when it has one (trimmed, compared without
 * case), else its title (trimmed, case and spacing ignored), else a productId
 * (`productId`/`product_id`, for event-API items that carry nothing else). A
 * title-only item is matched to the sku product with that title where one is
 * known, so a till sale typed as "paper filters" still counts as the Shopify
 * product FLT-1 "Paper filters" when recommending.
 */

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
export function productsInItems(itemsJson: string | null): ProductMention[] {
  if (!itemsJson) return [];
  let items: unknown;
  try {
    items = JSON.parse(itemsJson);
  } catch {
    return [];
  }
  return productsInPayload({ items });
}

/** A product a customer kept (not cancelled, not refunded in full), and when they bought it. */
export interface Bought {
  at: number;
  mention: ProductMention;
}
