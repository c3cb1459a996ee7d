/**
 * Settings the shop can change: its name, the country its phone numbers are
 * written in, its time zone (what scheduled work runs by), and where the two
 * listeners live. Ports and the ingest host take effect the next time
 * ConstIntel starts.
 */
import { isSupportedCountry } from 'libphonenumber-js';
import { z } from 'zod';
import { canonicalTimeZone } from '../time-zone';
import { command } from './define';

const TIME_ZONE_ERROR = 'Time zone must be a name such as Europe/London, America/New_York or UTC';

const port = (label: string) =>
  z
    .number({ error: `${label} must be a whole number` })
    .int(`${label} must be a whole number`)
    .min(1024, `${label} must be between 1024 and 65535`)
    .max(65535, `${label} must be between 1024 and 65535`);

const dailyCap = z
  .number({ error: 'A daily limit must be a whole number, or empty for none' })
  .int('A daily limit must be a whole number, or empty for none')
  .min(0, 'A daily limit cannot be negative')
  .max(1_000_000, 'A daily limit can be at most 1,000,000')
  .nullable();
const price = z
  .number({ error: 'A price must be a number, or empty when unknown' })
  .min(0, 'A price cannot be negative')
  .max(100, 'A price per message can be at most 100')
  .nullable();
const rate = z
  .number({ error: 'Messages per second must be a number' })
  .min(0.1, 'Give between 0.1 and 1000 messages per second')
  .max(1000, 'Give between 0.1 and 1000 messages per second');

export const settingsSchema = z.object({
  brandName: z
    .string({ error: 'Shop name must be text' })
    .trim()
    .min(1, 'Shop name cannot be empty')
    .max(80, 'Shop name can be at most 80 characters'),
  defaultCountry: z
    .string({ error: 'Default country must be a two-letter country code' })
    .trim()
    .toUpperCase()
    .refine((code) => /^[A-Z]{2}$/.test(code) && isSupportedCountry(code), {
      error: 'Default country must be a two-letter country code such as GB, US or DE',
    }),
  currency: z
    .string({ error: 'Currency must be a three-letter code such as GBP, EUR or USD' })
    .trim()
    .toUpperCase()
    .refine((code) => /^[A-Z]{3}$/.test(code) && Intl.supportedValuesOf('currency').includes(code), {
      error: 'Currency must be a three-letter code such as GBP, EUR or USD',
    }),
  /** IANA name, stored as Intl spells it; the nightly retrain and other scheduled work run at this zone's hours. */
  timeZone: z
    .string({ error: TIME_ZONE_ERROR })
    .refine((name) => canonicalTimeZone(name) !== undefined, { error: TIME_ZONE_ERROR })
    .transform((name) => canonicalTimeZone(name) ?? name),
  /** The shop's own numbers: never taken as a customer's phone. Stored as E.164. */
  shopPhoneNumbers: z.array(z.string().trim().min(1).max(40)).max(20, 'List at most 20 shop phone numbers'),
  /** A Shopify checkout not finished within this many minutes counts as abandoned. */
  abandonedCheckoutMinutes: z
    .number({ error: 'Minutes must be a whole number' })
    .int('Minutes must be a whole number')
    .min(5, 'Give between 5 minutes and 7 days (10080 minutes)')
    .max(10080, 'Give between 5 minutes and 7 days (10080 minutes)'),
  uiPort: port('App port'),
  ingestHost: z.union([z.ipv4(), z.ipv6(), z.literal('localhost')], {
    error: 'Ingest address must be an IP address such as 127.0.0.1 or 0.0.0.0, or "localhost"',
  }),
  ingestPort: port('Ingest port'),
  /**
   * Retrain the churn and value models once a night at 03:00 (shop's time zone) while ConstIntel is open (default off). Always present
   * in what settings.get answers; optional in the type only so older forms that do not show it still compile.
   */
  retrainNightly: z.boolean({ error: 'Nightly retrain must be on or off' }).optional(),
  /** A customer counts as lost after this many days without a purchase (what churn risk predicts). */
  churnHorizonDays: z
    .number({ error: 'Days must be a whole number' })
    .int('Days must be a whole number')
    .min(30, 'Give between 30 and 365 days')
    .max(365, 'Give between 30 and 365 days'),
  /** Predicted value is the spend expected over this many days. */
  valueHorizonDays: z
    .number({ error: 'Days must be a whole number' })
    .int('Days must be a whole number')
    .min(30, 'Give between 30 and 730 days')
    .max(730, 'Give between 30 and 730 days'),
  /**
   * Settings → Channels: while on, nothing is sent; messages wait (held, with the reason) until it is off. Always
   * present in what settings.get answers (default off); optional, like the three below, so older forms compile.
   */
  sendingPaused: z.boolean({ error: 'Pause all sending must be on or off' }).optional(),
  /** At most this many messages a day (the shop's day) per channel; null: no limit. Over it, messages wait for tomorrow. */
  dailyCaps: z.object({ email: dailyCap, sms: dailyCap, whatsapp: dailyCap }).optional(),
  /** What one message costs the shop, in its currency, as the shop entered it; shown on send screens, kept on each message. */
  messagePrices: z.object({ sms: price, whatsapp: price }).optional(),
  /** Messages per second per channel (WhatsApp allows 80 by default; an SMTP server or a Twilio number may allow fewer). */
  sendRates: z.object({ email: rate, sms: rate, whatsapp: rate }).optional(),
  /**
   * The shop-wide comparison group: this share of customers (0 = off; 5 is a good start) gets no automated marketing
   * at all, so all automations together are measured against it ("Did it help?").
   */
  comparisonGroupPercent: z
    .number({ error: 'The comparison group must be a percentage' })
    .int('The comparison group is a whole percentage')
    .min(0, 'Give between 0 (off) and 20 percent')
    .max(20, 'Give between 0 (off) and 20 percent')
    .optional(),
  /** "Did it help?" looks at what customers bought in this many days after the message (or the hold-out). */
  comparisonWindowDays: z
    .number({ error: 'Days must be a whole number' })
    .int('Days must be a whole number')
    .min(1, 'Give between 1 and 60 days')
    .max(60, 'Give between 1 and 60 days')
    .optional(),
  /** The smallest difference worth finding, in points of the share who bought (2: 2 in every 100 customers). */
  smallestEffectPoints: z
    .number({ error: 'Give a number of points' })
    .min(0.5, 'Give between 0.5 and 20 points')
    .max(20, 'Give between 0.5 and 20 points')
    .optional(),
});
export type Settings = z.output<typeof settingsSchema>;

export const settingsPatchSchema = settingsSchema.partial().strict();
export type SettingsPatch = z.input<typeof settingsPatchSchema>;

export const settingsContract = {
  'settings.get': command('Read the current settings.', z.object({}).strict(), settingsSchema),
  'settings.update': command(
    'Change some settings; returns all settings as stored.',
    settingsPatchSchema,
    z.object({ settings: settingsSchema, restartNeeded: z.boolean() }),
  ),
  'settings.apiKey': command(
    'The key scripts and other systems send as X-Api-Key to the event API.',
    z.object({}).strict(),
    z.object({ apiKey: z.string() }),
  ),
  'settings.rotateApiKey': command(
    'Replace the event API key; the old one stops working at once.',
    z.object({}).strict(),
    z.object({ apiKey: z.string() }),
  ),
  'settings.countries': command(
    'The countries a default phone country can be chosen from.',
    z.object({}).strict(),
    z.array(z.object({ code: z.string(), name: z.string() })),
  ),
};
