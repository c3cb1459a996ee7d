/**
 * Which Shopify store belongs to which brand, and its app secret (kept in the
 * secret store, never in SQLite and never sent back to the screen).
 */
import { AppError } from '../../../shared/contract/errors';
import type { Database } from '../db/open';
import { stmt } from '../db/statements';
import type { SecretStore } from '../secrets/secret-store';
import { DEFAULT_BRAND_ID } from '../settings/settings-store';

export const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

export const shopifySecretName = (brandId: number) => `shopify.${brandId}.secret`;

export interface ShopifyConnectionView {
  brandId: number;
  brandName: string;
  shopDomain: string;
  secretSaved: boolean;
}

export function listShopify(db: Database, secrets: SecretStore): ShopifyConnectionView[] {
  const rows = stmt(
    db,
    `SELECT c.brand_id, c.shop_domain, b.name FROM shopify_connection c JOIN brand b ON b.id = c.brand_id ORDER BY c.brand_id`,
  ).all() as { brand_id: number; shop_domain: string; name: string }[];
  return rows.map((r) => ({
    brandId: r.brand_id,
    brandName: r.name,
    shopDomain: r.shop_domain,
    secretSaved: secrets.get(shopifySecretName(r.brand_id)) !== undefined,
  }));
}

/**
 * Every delivery looks its store up: a found store is remembered for a few seconds (a store connected or
 * removed from a terminal while the app runs is seen within that time; one not found is never remembered).
 */
const SHOP_MEMORY_MS = 5_000;
const shopMemory = new WeakMap<Database, Map<string, { brandId: number; until: number }>>();

export function findShopByDomain(db: Database, domain: string): { brandId: number } | undefined {
  const key = domain.trim().toLowerCase();
  let memory = shopMemory.get(db);
  if (!memory) {
    memory = new Map();
    shopMemory.set(db, memory);
  }
  const now = performance.now();
  const known = memory.get(key);
  if (known && known.until > now) return { brandId: known.brandId };
  const brandId = stmt(db, 'SELECT brand_id FROM shopify_connection WHERE shop_domain = ?').pluck().get(key) as
    | number
    | undefined;
  if (brandId === undefined) {
    memory.delete(key);
    return undefined;
  }
  if (memory.size > 100) memory.clear();
  memory.set(key, { brandId, until: now + SHOP_MEMORY_MS });
  return { brandId };
}

/** Forget remembered stores (a connection changed in this process). */
export function forgetShops(db: Database): void {
  shopMemory.get(db)?.clear();
}

export function normalizeShopDomain(raw: string): string {
  const domain = raw
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/\/.*$/, '');
  if (!SHOP_DOMAIN.test(domain)) {
    throw new AppError(
      'validation',
      'shopDomain: give the store address that ends in .myshopify.com, such as corner-shop.myshopify.com',
      'shopDomain',
    );
  }
  return domain;
}

export function saveShopify(
  db: Database,
  secrets: SecretStore,
  args: { brandId: number; shopDomain: string; secret?: string | undefined },
  now: number,
): void {
  const domain = normalizeShopDomain(args.shopDomain);
  const other = findShopByDomain(db, domain);
  if (other && other.brandId !== args.brandId) {
    throw new AppError('conflict', `${domain} is already connected to another shop in ConstIntel.`);
  }
  const existing = secrets.get(shopifySecretName(args.brandId));
  const secret = args.secret?.trim();
  if (!secret && existing === undefined) {
    throw new AppError(
      'validation',
      "secret: paste the app's client secret from Shopify (Settings → Apps → your app → API credentials)",
      'secret',
    );
  }
  stmt(
    db,
    `INSERT INTO shopify_connection (brand_id, shop_domain, created_at, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (brand_id) DO UPDATE SET shop_domain = excluded.shop_domain, updated_at = excluded.updated_at`,
  ).run(args.brandId, domain, now, now);
  forgetShops(db);
  if (secret) secrets.set(shopifySecretName(args.brandId), secret);
}

/** The brand called `name` (any case), created with the main shop's country and currency if it does not exist. */
export function brandByName(db: Database, name: string | undefined, now: number): number {
  if (name === undefined || name.trim() === '') return DEFAULT_BRAND_ID;
  const found = stmt(db, 'SELECT id FROM brand WHERE lower(name) = lower(?) ORDER BY id LIMIT 1')
    .pluck()
    .get(name.trim()) as number | undefined;
  if (found !== undefined) return found;
  const result = stmt(
    db,
    `INSERT INTO brand (name, default_country, currency, created_at, updated_at)
     SELECT ?, default_country, currency, ?, ? FROM brand WHERE id = ?`,
  ).run(name.trim(), now, now, DEFAULT_BRAND_ID);
  return Number(result.lastInsertRowid);
}
