/**
 * Reads and writes the shop's settings. The shop name and default phone
 * country belong to the brand row (every customer table hangs off a brand);
 * listener addresses are app-wide keys in `setting`.
 */

import { eq } from 'drizzle-orm';
import { type Settings, settingsSchema } from '../../../shared/contract/settings';
import { pcTimeZone } from '../../../shared/time-zone';
import type { Clock } from '../clock';
import type { Database } from '../db/open';
import { brand, setting } from '../db/schema';
import { stmt } from '../db/statements';
import { steady } from '../db/steady-reads';
import { DEFAULT_HORIZONS } from '../ml/retrain/trained';

export const DEFAULT_BRAND_ID = 1;
export const DEFAULT_UI_PORT = 4310;
export const DEFAULT_INGEST_PORT = 4311;
export const DEFAULT_INGEST_HOST = '127.0.0.1';
/** Shopify has no "abandoned" topic; two hours without completion is the usual definition. */
export const DEFAULT_ABANDONED_CHECKOUT_MINUTES = 120;
/** No daily limit and no price until the shop sets them (Settings → Channels). */
export const DEFAULT_DAILY_CAPS = { email: null, sms: null, whatsapp: null };
export const DEFAULT_MESSAGE_PRICES = { sms: null, whatsapp: null };
/** WhatsApp Cloud API's default throughput is 80/s; a Twilio long code sends about 1/s; SMTP servers vary. */
export const DEFAULT_SEND_RATES = { email: 10, sms: 1, whatsapp: 80 };

/** Settings as read: the fields optional in the contract for older forms are always present. */
export type StoredSettings = Settings &
  Required<
    Pick<
      Settings,
      | 'retrainNightly'
      | 'sendingPaused'
      | 'dailyCaps'
      | 'messagePrices'
      | 'sendRates'
      | 'comparisonGroupPercent'
      | 'comparisonWindowDays'
      | 'smallestEffectPoints'
    >
  >;

/** "Did it help?": purchases in the 7 days after a message; 2 points of the share who bought worth finding. */
export const DEFAULT_COMPARISON_WINDOW_DAYS = 7;
export const DEFAULT_SMALLEST_EFFECT_POINTS = 2;

const KEYS = {
  shopPhoneNumbers: 'shop.phoneNumbers',
  timeZone: 'shop.timeZone',
  abandonedCheckoutMinutes: 'checkout.abandonAfterMinutes',
  uiPort: 'ui.port',
  ingestHost: 'ingest.host',
  ingestPort: 'ingest.port',
  retrainNightly: 'models.retrainNightly',
  churnHorizonDays: 'models.churnHorizonDays',
  valueHorizonDays: 'models.valueHorizonDays',
  sendingPaused: 'channels.sendingPaused',
  dailyCaps: 'channels.dailyCaps',
  messagePrices: 'channels.messagePrices',
  sendRates: 'channels.sendRates',
  comparisonGroupPercent: 'automations.comparisonGroupPercent',
  comparisonWindowDays: 'automations.comparisonWindowDays',
  smallestEffectPoints: 'automations.smallestEffectPoints',
} as const;
type ListenerKey = keyof typeof KEYS;

/** The country of the machine's locale (en-GB → GB), else US. */
export function localeCountry(locale = Intl.DateTimeFormat().resolvedOptions().locale): string {
  try {
    const region = new Intl.Locale(locale).maximize().region;
    if (region && /^[A-Z]{2}$/.test(region)) return region;
  } catch {
    // An unreadable locale falls through to the default.
  }
  return 'US';
}

/** A sensible first currency for the shop's country (changeable in Settings). */
const EURO = new Set([
  'AT',
  'BE',
  'CY',
  'DE',
  'EE',
  'ES',
  'FI',
  'FR',
  'GR',
  'HR',
  'IE',
  'IT',
  'LT',
  'LU',
  'LV',
  'MT',
  'NL',
  'PT',
  'SI',
  'SK',
]);
const CURRENCY: Record<string, string> = {
  GB: 'GBP',
  US: 'USD',
  CA: 'CAD',
  AU: 'AUD',
  NZ: 'NZD',
  IN: 'INR',
  CH: 'CHF',
  SE: 'SEK',
  NO: 'NOK',
  DK: 'DKK',
  PL: 'PLN',
  CZ: 'CZK',
  HU: 'HUF',
  JP: 'JPY',
  CN: 'CNY',
  SG: 'SGD',
  HK: 'HKD',
  ZA: 'ZAR',
  NG: 'NGN',
  KE: 'KES',
  BR: 'BRL',
  MX: 'MXN',
  AE: 'AED',
  SA: 'SAR',
  TR: 'TRY',
  ID: 'IDR',
  MY: 'MYR',
  PH: 'PHP',
  TH: 'THB',
  PK: 'PKR',
  BD: 'BDT',
  EG: 'EGP',
};
export function countryCurrency(country: string): string {
  return EURO.has(country) ? 'EUR' : (CURRENCY[country] ?? 'USD');
}

/** Creates the default brand on first start; a no-op afterwards. */
export function ensureDefaultBrand(db: Database, clock: Clock): void {
  const now = clock.now().getTime();
  db.orm
    .insert(brand)
    .values({
      id: DEFAULT_BRAND_ID,
      name: 'My shop',
      defaultCountry: localeCountry(),
      currency: countryCurrency(localeCountry()),
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing()
    .run();
}

export function readSettings(db: Database): StoredSettings {
  // Inside a batch (steady reads) its readers share one copy, which none of them changes; elsewhere each its own.
  return steady('settings', () => structuredClone(readStoredSettings(db)));
}

function readStoredSettings(db: Database): StoredSettings {
  // Prepared statements (not the query builder): automations read the settings several times per message they write.
  const row = stmt(db, 'SELECT name, default_country AS defaultCountry, currency FROM brand WHERE id = ?').get(
    DEFAULT_BRAND_ID,
  ) as { name: string; defaultCountry: string; currency: string | null } | undefined;
  const keys = Object.values(KEYS);
  const stored = new Map(
    (
      stmt(db, `SELECT key, value FROM setting WHERE key IN (${keys.map(() => '?').join(', ')})`).all(...keys) as {
        key: string;
        value: string;
      }[]
    ).map((r) => [r.key, parseJson(r.value)]),
  );
  const candidate = {
    brandName: row?.name ?? 'My shop',
    defaultCountry: row?.defaultCountry ?? localeCountry(),
    currency: row?.currency ?? 'USD',
    timeZone: stored.get(KEYS.timeZone) ?? pcTimeZone(),
    shopPhoneNumbers: stored.get(KEYS.shopPhoneNumbers) ?? [],
    abandonedCheckoutMinutes: stored.get(KEYS.abandonedCheckoutMinutes) ?? DEFAULT_ABANDONED_CHECKOUT_MINUTES,
    uiPort: stored.get(KEYS.uiPort) ?? DEFAULT_UI_PORT,
    ingestHost: stored.get(KEYS.ingestHost) ?? DEFAULT_INGEST_HOST,
    ingestPort: stored.get(KEYS.ingestPort) ?? DEFAULT_INGEST_PORT,
    retrainNightly: stored.get(KEYS.retrainNightly) ?? false,
    churnHorizonDays: stored.get(KEYS.churnHorizonDays) ?? DEFAULT_HORIZONS.churnDays,
    valueHorizonDays: stored.get(KEYS.valueHorizonDays) ?? DEFAULT_HORIZONS.ltvDays,
    sendingPaused: stored.get(KEYS.sendingPaused) ?? false,
    dailyCaps: stored.get(KEYS.dailyCaps) ?? DEFAULT_DAILY_CAPS,
    messagePrices: stored.get(KEYS.messagePrices) ?? DEFAULT_MESSAGE_PRICES,
    sendRates: stored.get(KEYS.sendRates) ?? DEFAULT_SEND_RATES,
    comparisonGroupPercent: stored.get(KEYS.comparisonGroupPercent) ?? 0,
    comparisonWindowDays: stored.get(KEYS.comparisonWindowDays) ?? DEFAULT_COMPARISON_WINDOW_DAYS,
    smallestEffectPoints: stored.get(KEYS.smallestEffectPoints) ?? DEFAULT_SMALLEST_EFFECT_POINTS,
  };
  // Parsed once per distinct stored value: the schema's checks cost more than the reads, and automations read the
  // settings several times per message they write. A copy each time, so a caller changing it changes nobody else's.
  const key = JSON.stringify(candidate);
  if (lastRead?.key === key) return lastRead.settings;
  const settings = parseSettings(candidate);
  lastRead = { key, settings };
  return settings;
}

let lastRead: { key: string; settings: StoredSettings } | undefined;

function parseSettings(candidate: Record<string, unknown>): StoredSettings {
  // A value edited by hand into something invalid falls back to its default rather than stopping the app.
  const parsed = settingsSchema.safeParse(candidate);
  if (parsed.success) return parsed.data as StoredSettings;
  const bad = new Set(parsed.error.issues.map((i) => String(i.path[0])));
  return settingsSchema.parse({
    ...candidate,
    ...(bad.has('brandName') ? { brandName: 'My shop' } : {}),
    ...(bad.has('defaultCountry') ? { defaultCountry: localeCountry() } : {}),
    ...(bad.has('currency') ? { currency: 'USD' } : {}),
    ...(bad.has('timeZone') ? { timeZone: pcTimeZone() } : {}),
    ...(bad.has('shopPhoneNumbers') ? { shopPhoneNumbers: [] } : {}),
    ...(bad.has('abandonedCheckoutMinutes') ? { abandonedCheckoutMinutes: DEFAULT_ABANDONED_CHECKOUT_MINUTES } : {}),
    ...(bad.has('uiPort') ? { uiPort: DEFAULT_UI_PORT } : {}),
    ...(bad.has('ingestHost') ? { ingestHost: DEFAULT_INGEST_HOST } : {}),
    ...(bad.has('ingestPort') ? { ingestPort: DEFAULT_INGEST_PORT } : {}),
    ...(bad.has('retrainNightly') ? { retrainNightly: false } : {}),
    ...(bad.has('churnHorizonDays') ? { churnHorizonDays: DEFAULT_HORIZONS.churnDays } : {}),
    ...(bad.has('valueHorizonDays') ? { valueHorizonDays: DEFAULT_HORIZONS.ltvDays } : {}),
    ...(bad.has('sendingPaused') ? { sendingPaused: false } : {}),
    ...(bad.has('dailyCaps') ? { dailyCaps: DEFAULT_DAILY_CAPS } : {}),
    ...(bad.has('messagePrices') ? { messagePrices: DEFAULT_MESSAGE_PRICES } : {}),
    ...(bad.has('sendRates') ? { sendRates: DEFAULT_SEND_RATES } : {}),
    ...(bad.has('comparisonGroupPercent') ? { comparisonGroupPercent: 0 } : {}),
    ...(bad.has('comparisonWindowDays') ? { comparisonWindowDays: DEFAULT_COMPARISON_WINDOW_DAYS } : {}),
    ...(bad.has('smallestEffectPoints') ? { smallestEffectPoints: DEFAULT_SMALLEST_EFFECT_POINTS } : {}),
  }) as StoredSettings;
}

/** Stores a validated, complete settings object in one transaction. */
export function writeSettings(db: Database, next: Settings, clock: Clock): void {
  const now = clock.now().getTime();
  db.orm.transaction((tx) => {
    tx.update(brand)
      .set({ name: next.brandName, defaultCountry: next.defaultCountry, currency: next.currency, updatedAt: now })
      .where(eq(brand.id, DEFAULT_BRAND_ID))
      .run();
    for (const key of Object.keys(KEYS) as ListenerKey[]) {
      if (next[key] === undefined) continue;
      const value = JSON.stringify(next[key]);
      tx.insert(setting)
        .values({ key: KEYS[key], value, updatedAt: now })
        .onConflictDoUpdate({ target: setting.key, set: { value, updatedAt: now } })
        .run();
    }
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
