/**
 * What the engines derive from Settings on every event — how phone numbers are read (the default country and
 * the shop's own numbers, which are never a customer's) and the shop's currency — kept per backend and
 * dropped when Settings are saved (`settings.changed`) or WhatsApp reveals another of the shop's numbers.
 * Reading them from the data file per event would cost a query each.
 */
import { eq } from 'drizzle-orm';
import { businessNumbers } from '../connections/whatsapp-connection';
import { defineService, type EngineContext } from '../context';
import { brand } from '../db/schema';
import { stmt } from '../db/statements';
import { steady } from '../db/steady-reads';
import type { NormalizeOptions } from '../identity/normalize';
import { readSettings } from './settings-store';

const derivedOf = defineService((ctx) => {
  const state: { normalize: NormalizeOptions | undefined } = { normalize: undefined };
  const forget = () => {
    state.normalize = undefined;
  };
  ctx.bus.on('settings.changed', forget);
  ctx.bus.on('data.changed', forget);
  return state;
});

/** How this shop's identifiers are read: its default phone country and its own numbers. */
export function normalizeOptions(ctx: EngineContext): NormalizeOptions {
  const state = derivedOf(ctx);
  if (!state.normalize) {
    const settings = readSettings(ctx.db);
    state.normalize = {
      defaultCountry: settings.defaultCountry,
      shopNumbers: new Set([...settings.shopPhoneNumbers, ...businessNumbers(ctx.db)]),
    };
  }
  return state.normalize;
}

/** Normalisation for a brand: its own default phone country; the shop numbers are the install's. */
export function normalizeOptionsFor(ctx: EngineContext, brandId: number): NormalizeOptions {
  const base = normalizeOptions(ctx);
  if (brandId === ctx.brandId) return base;
  const country = ctx.db.orm.select({ c: brand.defaultCountry }).from(brand).where(eq(brand.id, brandId)).get()?.c;
  return { ...base, defaultCountry: country ?? base.defaultCountry };
}

/** WhatsApp told us another of the shop's own numbers: read it again on the next event. */
export function forgetShopNumbers(ctx: EngineContext): void {
  derivedOf(ctx).normalize = undefined;
}

/** The shop's currency (ISO code), for pages and messages. */
export function shopCurrency(ctx: EngineContext): string {
  // A prepared statement, not the query builder: read for every message written (its cost) and every page.
  return steady(
    'currency',
    () =>
      (stmt(ctx.db, 'SELECT currency FROM brand WHERE id = ?').pluck().get(ctx.brandId) as string | undefined) ?? 'USD',
  );
}
