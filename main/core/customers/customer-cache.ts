/**
 * The Customer 360 read model, cached per backend for CUSTOMER_CACHE_MS (a page opened again within minutes is
 * answered without its dozen queries). Whatever changes a profile, its scores or the settings says so on the
 * change bus, and the cache drops what it held, so no page shows what the data file no longer says.
 */
import { defineService, type EngineContext } from '../context';
import { shopCurrency } from '../settings/shop-settings';
import { type Customer360Result, readCustomer360 } from './customer-360';
import { TtlCache } from './ttl-cache';

export const CUSTOMER_CACHE_MS = 5 * 60_000;

const cacheOf = defineService((ctx) => {
  const cache = new TtlCache<number, Customer360Result>(ctx.clock, CUSTOMER_CACHE_MS);
  ctx.bus.on('profiles.changed', (ids) => cache.invalidate(ids));
  ctx.bus.on('predictions.changed', () => cache.clear());
  ctx.bus.on('settings.changed', () => cache.clear());
  ctx.bus.on('data.changed', () => cache.clear());
  return cache;
});

export function customer360(ctx: EngineContext, id: number): Customer360Result | undefined {
  const cache = cacheOf(ctx);
  const cached = cache.get(id);
  if (cached) return cached;
  const fresh = readCustomer360(ctx.db, id, shopCurrency(ctx));
  // Where a merged-away id leads changes with later merges and undos: only found profiles are cached.
  if (fresh?.status === 'found') cache.set(id, fresh);
  return fresh;
}
