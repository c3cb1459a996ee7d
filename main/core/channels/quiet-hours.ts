/**
 * Quiet hours and the shop's day, in someone's own time zone. US rules forbid marketing texts before 8:00 or after
 * 21:00 in the recipient's local time (PROTOCOLS.md, contact rules); ConstIntel keeps the same window everywhere.
 *
 * The customer's zone: the country of their phone number (libphonenumber-js, already what reads every phone here;
 * for a number in a range it cannot place, the main country of its calling code: +44 → GB) when that country has
 * exactly one time zone in CLDR — the list ICU ships inside Node, read through `Intl.Locale#getTimeZones()`
 * (`timeZones` in Node 20), the source browsers and the OS calendars use, so there is no hand-kept table to go
 * stale. GB has one (Europe/London); the US has many, so a US number falls back to the
 * shop's zone, as does a customer with no phone (email only).
 *
 * Times are computed from the injected clock's instant: no function here reads the real time of day.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js';

export const QUIET_START_HOUR = 21;
export const QUIET_END_HOUR = 8;
export const QUIET_REASON = 'Quiet hours: sends at 08:00 their time';

type LocaleWithZones = Intl.Locale & { getTimeZones?(): string[]; timeZones?: string[] };

const zonesByCountry = new Map<string, string[]>();

/** The IANA zones CLDR lists for a country (empty when it knows none). */
export function countryTimeZones(country: string): string[] {
  let zones = zonesByCountry.get(country);
  if (!zones) {
    try {
      const locale = new Intl.Locale(`und-${country}`) as LocaleWithZones;
      zones = locale.getTimeZones?.() ?? locale.timeZones ?? [];
    } catch {
      zones = [];
    }
    zonesByCountry.set(country, zones);
  }
  return zones;
}

/** The customer's own zone: their phone's country when it has one zone, else the shop's. */
export function customerTimeZone(phone: string | null | undefined, shopZone: string): string {
  if (!phone) return shopZone;
  const parsed = parsePhoneNumberFromString(phone);
  // A number libphonenumber cannot place exactly (a range not yet assigned) counts as its calling code's main country.
  const country = parsed?.country ?? parsed?.getPossibleCountries()[0];
  if (!country) return shopZone;
  const zones = countryTimeZones(country);
  return zones.length === 1 && zones[0] ? zones[0] : shopZone;
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
export function wallClock(at: Date, zone: string): WallClock {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(zone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, p.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour) % 24,
    minute: Number(parts.minute),
  };
}

/**
 * The instant at which the wall clock in `zone` reads the given local date and time (DST-safe; zones' offsets are
 * whole minutes, so seconds are added as they are).
 */
export function zonedInstant(
  zone: string,
  year: number,
  month: number,
  day: number,
  hour: number,
  minute = 0,
  second = 0,
  millisecond = 0,
): number {
  const target = Date.UTC(year, month - 1, day, hour, minute);
  let guess = target;
  for (let i = 0; i < 3; i++) {
    const w = wallClock(new Date(guess), zone);
    const shown = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute);
    const drift = shown - target;
    if (drift === 0) break;
    guess -= drift;
  }
  return guess + second * 1000 + millisecond;
}

/** When marketing may go again, if `at` falls in quiet hours in `zone`; undefined when it may go now. */
export function quietUntil(at: Date, zone: string): number | undefined {
  const w = wallClock(at, zone);
  if (w.hour >= QUIET_END_HOUR && w.hour < QUIET_START_HOUR) return undefined;
  // Before 08:00 it opens today; after 21:00, tomorrow (Date.UTC rolls the day over the month's end).
  const next = new Date(Date.UTC(w.year, w.month - 1, w.day + (w.hour >= QUIET_START_HOUR ? 1 : 0)));
  return zonedInstant(zone, next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), QUIET_END_HOUR);
}

/** Midnight starting the day `at` falls on in `zone`, and the next one (what a daily cap counts within). */
export function dayBounds(at: Date, zone: string): { start: number; end: number } {
  const w = wallClock(at, zone);
  const next = new Date(Date.UTC(w.year, w.month - 1, w.day + 1));
  return {
    start: zonedInstant(zone, w.year, w.month, w.day, 0),
    end: zonedInstant(zone, next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), 0),
  };
}
