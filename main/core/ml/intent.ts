/**
 * Product intent: how strongly a customer is showing interest in a product
 * they have not bought yet, 0–100, from their own browsing signals. The query
 * the automations call is `highIntentProducts` ("products this profile is
 * keen on, above a minimum score"); `intentForAll` is the nightly bulk form.
 *
 * Points per signal (a stronger signal of buying scores more):
 *   cart add, checkout started, abandoned checkout  40
 *   product view                                    15
 *   search whose words match the product's title    10
 * Each signal's points halve every `halfLifeDays` (7 by default). A product's
 * score is the decayed sum, saturating at 100 (ten views in a day mean "very
 * keen", not 150%), so a single cart add scores 40 today and 20 in a week. A
 * purchase of the product clears everything before it; signals after the
 * purchase start again from zero.
 *
 * Products are identified as in products.ts (sku, else title, else
 * productId); a title-only view matches a sku product of that title seen in the
 * customer's events or in the catalogue passed in.
 *
 * Search matching: the query's words (lower case, accents and a plural "s"
 * dropped, a few filler words ignored) must each be a word of the product's
 * title, or the start of one when the query word has four letters or more
 * ("coff" finds Coffee beans; "tea" does not find Teapot). The products a
 * search can match are those the customer's own events name plus `catalog`
 * (e.g. the co-purchase model's products), so a search alone can surface a
 * product never viewed.
 *
 * Only signals within `halfLifeDays × 11` of `now` are read: the saturating sum
 * means anything older is worth under 0.05 points. One customer's events are
 * found through the (customer_profile_id, occurred_at) index: no scan.
 */
import type { Database } from '../db/open';
import { type SignalRow, signalEventsOf, streamSignalEvents } from '../db/repos/event-reads';
import { type ProductMention, type ProductRef, productsInPayload, titleKey } from './products';

const DAY = 86_400_000;
const MAX_SCORE = 100;
/** Half-lives of history read: 100 points · 2^-11 < 0.05, which rounds away. */
const LOOKBACK_HALF_LIVES = 11;

export const INTENT_POINTS = {
  cart_add: 40,
  checkout_started: 40,
  cart_abandoned: 40,
  product_view: 15,
  search: 10,
} as const;

export type IntentSignal = keyof typeof INTENT_POINTS;
const SIGNAL_TYPES = Object.keys(INTENT_POINTS) as IntentSignal[];
const EVENT_TYPES: readonly string[] = [...SIGNAL_TYPES, 'purchase'];

export interface ProductIntent {
  /** The product's sku, else its title (else its productId). */
  product: string;
  title: string;
  /** 0–100, one decimal. */
  score: number;
  /** The latest signal that still counts (after any purchase that cleared earlier ones), ms. */
  lastSignalAt: number;
}

export interface IntentOptions {
  now: number;
  /** Products scoring below this are left out (0 by default: every product with a score above zero). */
  minScore?: number;
  halfLifeDays?: number;
  /** Known products (sku and title each) that searches can match and title-only events can be resolved to. */
  catalog?: readonly ProductRef[];
  /** At most this many products, strongest first. */
  limit?: number;
}

// ---------------------------------------------------------------------------------------------
// Search words

const FILLER = new Set(['a', 'an', 'and', 'the', 'for', 'of', 'with', 'in', 'on', 'to', 'or']);

function words(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w !== '' && !FILLER.has(w))
    .map((w) => (w.length > 3 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w));
}

function matches(query: readonly string[], title: readonly string[]): boolean {
  return (
    query.length > 0 &&
    query.every((q) => title.some((t) => t === q || (q.length >= 4 && t.length > q.length && t.startsWith(q))))
  );
}

interface Known {
  key: string;
  product: string;
  title: string;
  words: string[];
}

/** A catalogue prepared once: key → product, and normalised title → the sku product of that title. */
interface PreparedCatalog {
  products: Map<string, Known>;
  titleToSku: Map<string, string>;
}

const prepared = new WeakMap<readonly ProductRef[], PreparedCatalog>();

function knownOf(mention: ProductMention): Known {
  const title = mention.title ?? mention.sku ?? mention.productId ?? mention.key;
  return {
    key: mention.key,
    product: mention.sku ?? mention.title ?? mention.productId ?? mention.key,
    title,
    words: words(title),
  };
}

function learn(into: PreparedCatalog, mention: ProductMention): void {
  const existing = into.products.get(mention.key);
  if (!existing || (mention.title !== null && existing.title !== mention.title)) {
    into.products.set(mention.key, knownOf(mention));
  }
  if (mention.sku !== null && mention.title !== null) {
    const title = titleKey(mention.title);
    if (!into.titleToSku.has(title)) into.titleToSku.set(title, mention.key);
  }
}

function prepare(catalog: readonly ProductRef[] | undefined): PreparedCatalog {
  if (!catalog) return { products: new Map(), titleToSku: new Map() };
  let found = prepared.get(catalog);
  if (!found) {
    found = { products: new Map(), titleToSku: new Map() };
    for (const ref of catalog) for (const mention of productsInPayload({ items: [ref] })) learn(found, mention);
    prepared.set(catalog, found);
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// Scoring one customer's events

/** Scores from one customer's signal and purchase events (any order; only those at or before `now` count). */
function scoreEvents(rows: readonly SignalRow[], options: IntentOptions, catalog: PreparedCatalog): ProductIntent[] {
  const { now } = options;
  const halfLife = (options.halfLifeDays ?? 7) * DAY;
  const decay = (ms: number) => 0.5 ** (Math.max(0, ms) / halfLife);

  // This customer's own products, looked up before the shared (cached) catalogue.
  const own: PreparedCatalog = { products: new Map(), titleToSku: new Map() };
  const events = rows
    .filter((row) => row.at <= now)
    .sort((a, b) => a.at - b.at)
    .map((row) => {
      let payload: unknown;
      try {
        payload = JSON.parse(row.payload);
      } catch {
        payload = null;
      }
      const mentions = row.t === 'search' ? [] : productsInPayload(payload);
      for (const mention of mentions) learn(own, mention);
      const query = row.t === 'search' && isQuery(payload) ? words(payload.query) : [];
      return { t: row.t, at: row.at, mentions, query };
    });
  const resolveKey = (key: string) =>
    key.startsWith('title:') ? (own.titleToSku.get(key) ?? catalog.titleToSku.get(key) ?? key) : key;
  const productOf = (key: string) => own.products.get(key) ?? catalog.products.get(key);
  const searchable = () => {
    const list = [...catalog.products.values()];
    for (const [key, product] of own.products) if (!catalog.products.has(key)) list.push(product);
    return list;
  };
  const candidates = events.some((e) => e.t === 'search') ? searchable() : [];

  const state = new Map<string, { points: number; at: number }>();
  for (const event of events) {
    if (event.t === 'purchase') {
      for (const mention of event.mentions) state.delete(resolveKey(mention.key));
      continue;
    }
    const points = INTENT_POINTS[event.t as IntentSignal];
    if (points === undefined) continue;
    const keys =
      event.t === 'search'
        ? candidates.filter((p) => matches(event.query, p.words)).map((p) => p.key)
        : event.mentions.map((m) => m.key);
    for (const key of new Set(keys.map(resolveKey))) {
      const current = state.get(key);
      const carried = current ? current.points * decay(event.at - current.at) : 0;
      state.set(key, { points: Math.min(MAX_SCORE, carried + points), at: event.at });
    }
  }

  const minScore = options.minScore ?? 0;
  const result: (ProductIntent & { key: string })[] = [];
  for (const [key, { points, at }] of state) {
    const score = Math.round(points * decay(now - at) * 10) / 10;
    if (score <= 0 || score < minScore) continue;
    const product = productOf(key);
    const fallback = key.slice(key.indexOf(':') + 1);
    result.push({
      key,
      product: product?.product ?? fallback,
      title: product?.title ?? fallback,
      score,
      lastSignalAt: at,
    });
  }
  return result
    .sort((a, b) => b.score - a.score || b.lastSignalAt - a.lastSignalAt || (a.key < b.key ? -1 : 1))
    .slice(0, options.limit ?? Number.POSITIVE_INFINITY)
    .map(({ key: _key, ...intent }) => intent);
}

const isQuery = (payload: unknown): payload is { query: string } =>
  typeof payload === 'object' && payload !== null && typeof (payload as { query?: unknown }).query === 'string';

const lookbackFrom = (options: IntentOptions) => options.now - (options.halfLifeDays ?? 7) * DAY * LOOKBACK_HALF_LIVES;

/** One customer's products above `minScore`, strongest first (ties: latest signal, then product). */
export function highIntentProducts(
  db: Database,
  brandId: number,
  profileId: number,
  options: IntentOptions,
): ProductIntent[] {
  const rows = signalEventsOf(db, brandId, profileId, EVENT_TYPES, lookbackFrom(options), options.now);
  return scoreEvents(rows, options, prepare(options.catalog));
}

/** Every customer's products above `minScore` as of `now`, in one pass ordered by customer (customers with none left out). */
export function intentForAll(
  db: Database,
  brandId: number,
  now: number,
  options: Omit<IntentOptions, 'now'> = {},
): Map<number, ProductIntent[]> {
  const all: IntentOptions = { ...options, now };
  const catalog = prepare(options.catalog);
  const result = new Map<number, ProductIntent[]>();
  const rows = streamSignalEvents(db, brandId, EVENT_TYPES, lookbackFrom(all), now);
  let current: number | undefined;
  let group: SignalRow[] = [];
  const flush = () => {
    if (current === undefined) return;
    const intents = scoreEvents(group, all, catalog);
    if (intents.length > 0) result.set(current, intents);
  };
  for (const row of rows) {
    if (row.p !== current) {
      flush();
      current = row.p;
      group = [];
    }
    group.push(row);
  }
  flush();
  return result;
}
