/**
 * Identifier normalisation: one spelling per real value, so the same person
 * matches across sources, and junk never becomes an identifier.
 *
 * - Emails: trimmed, lower-cased, checked for shape.
 * - Phones (and WhatsApp numbers, which are phones): E.164 through
 *   libphonenumber-js with the shop's default country, so `07700 900123`,
 *   `+44 7700 900123` and `447700900123` are one number. We accept numbers
 *   libphonenumber calls *possible* (right length for the country) rather
 *   than *valid*: its valid-range metadata lags new ranges, and a real
 *   customer's number refused is worse than a rare typo kept.
 * - Everything else: trimmed, inner whitespace collapsed; ids compared as
 *   written (case kept), since POS and loyalty systems differ on case.
 * Placeholders (`null`, `none`, `0`, `WALKIN`, `guest`, `test@test.com`,
 * `0000000000`, the shop's own numbers…) are refused with a reason.
 */
import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js';
import { z } from 'zod';
import type { IdentifierType, InputIdentifierType } from '../../../shared/events';

export interface NormalizeOptions {
  defaultCountry: string;
  /** The shop's own numbers, E.164: never a customer's identifier. */
  shopNumbers?: ReadonlySet<string>;
}

export type Normalized =
  | { ok: true; type: IdentifierType; value: string }
  | { ok: false; reason: 'empty' | 'placeholder' | 'invalid_email' | 'unparseable_phone' | 'shop_number' };

const PLACEHOLDERS = new Set([
  'null',
  'undefined',
  'none',
  'nil',
  'nan',
  'n/a',
  'na',
  '-',
  '--',
  '.',
  '0',
  '[object object]',
  'unknown',
  'walkin',
  'walk-in',
  'walk in',
  'guest',
  'anonymous',
  'cash',
  'cash customer',
  'customer',
  'no email',
  'noemail',
  'test',
]);

const PLACEHOLDER_EMAILS = new Set([
  'test@test.com',
  'test@example.com',
  'example@example.com',
  'email@example.com',
  'none@none.com',
  'no@email.com',
  'noemail@noemail.com',
  'na@na.com',
  'guest@guest.com',
  'customer@customer.com',
]);

const emailShape = z.email();

export function isPlaceholder(raw: string): boolean {
  const v = raw.trim().toLowerCase();
  return v === '' || PLACEHOLDERS.has(v) || /^0+$/.test(v.replace(/[\s\-()+.]/g, ''));
}

export function normalizeEmail(raw: string): Normalized {
  const value = raw.trim().toLowerCase();
  if (value === '') return { ok: false, reason: 'empty' };
  if (isPlaceholder(value) || PLACEHOLDER_EMAILS.has(value)) return { ok: false, reason: 'placeholder' };
  if (!emailShape.safeParse(value).success) return { ok: false, reason: 'invalid_email' };
  return { ok: true, type: 'email', value };
}

/** Parsing a phone is the costliest step of ingestion; the same numbers come back again and again. */
const PHONE_CACHE_MAX = 20_000;
const phoneCache = new Map<string, Normalized>();

export function normalizePhone(raw: string, options: NormalizeOptions): Normalized {
  const key = `${options.defaultCountry}|${raw}`;
  let result = phoneCache.get(key);
  if (result === undefined) {
    result = parsePhone(raw, options.defaultCountry);
    if (phoneCache.size >= PHONE_CACHE_MAX) phoneCache.clear();
    phoneCache.set(key, result);
  }
  // The shop's own numbers change with Settings, so they are checked after the cache.
  if (result.ok && options.shopNumbers?.has(result.value)) return { ok: false, reason: 'shop_number' };
  return result;
}

function parsePhone(raw: string, defaultCountry: string): Normalized {
  const trimmed = raw.trim();
  if (trimmed === '') return { ok: false, reason: 'empty' };
  if (isPlaceholder(trimmed)) return { ok: false, reason: 'placeholder' };
  const digits = trimmed.replace(/\D/g, '');
  // 00 international prefix, and bare digits that already start with a country code.
  const candidates = [trimmed];
  if (trimmed.startsWith('00')) candidates.push(`+${digits.slice(2)}`);
  if (!trimmed.startsWith('+') && !trimmed.startsWith('0') && digits.length >= 10) candidates.push(`+${digits}`);
  for (const candidate of candidates) {
    const parsed = parsePhoneNumberFromString(candidate, defaultCountry as CountryCode);
    if (!parsed?.isPossible()) continue;
    const national = parsed.nationalNumber;
    if (/^(\d)\1+$/.test(national) || /^0+$/.test(national) || hasCountingRun(national))
      return { ok: false, reason: 'placeholder' };
    return { ok: true, type: 'phone', value: parsed.number };
  }
  return { ok: false, reason: 'unparseable_phone' };
}

/**
 * "01234 567890", "07123 456789": a clerk counting along the keypad when the customer gives no number. Nine or
 * more digits counting up or down by one (9 then 0 counts as up) do not occur in real numbers; eight are left
 * alone, since a few national formats are that long after the area code (+31 6 12345678).
 */
function hasCountingRun(digits: string): boolean {
  let up = 1;
  let down = 1;
  for (let i = 1; i < digits.length; i++) {
    const step = (Number(digits[i]) - Number(digits[i - 1]) + 10) % 10;
    up = step === 1 ? up + 1 : 1;
    down = step === 9 ? down + 1 : 1;
    if (up >= 9 || down >= 9) return true;
  }
  return false;
}

export function normalizeOther(type: Exclude<IdentifierType, 'email' | 'phone'>, raw: string): Normalized {
  const value = raw.trim().replace(/\s+/g, ' ').replace(/^'/, '');
  if (value === '') return { ok: false, reason: 'empty' };
  if (isPlaceholder(value)) return { ok: false, reason: 'placeholder' };
  return { ok: true, type, value };
}

export function normalizeIdentifier(
  type: InputIdentifierType,
  raw: string | number,
  options: NormalizeOptions,
): Normalized {
  const text = typeof raw === 'number' ? (Number.isFinite(raw) ? String(raw) : '') : raw;
  if (typeof text !== 'string') return { ok: false, reason: 'placeholder' };
  switch (type) {
    case 'email':
      return normalizeEmail(text);
    case 'phone':
    case 'whatsapp':
    case 'other_phone':
      return normalizePhone(text, options);
    default:
      return normalizeOther(type, text);
  }
}

/** Key used in evidence and separation records. */
export const identifierKey = (type: string, value: string) => `${type}:${value}`;
