/**
 * Do the file's phone numbers read in the shop's country? Numbers written without a country code (07700 900123) are
 * read in the default country; in the wrong one most of them cannot be read at all, and the customers they would
 * recognise are lost without a word. Before anything is written, the preview and `constintel import` count the
 * phone numbers that cannot be read (by the same reading ingestion uses, identity/normalize.ts) and, when another
 * country reads most of them, say which — libphonenumber-js tells, by trying the sampled numbers in each country it
 * knows.
 */
import { type CountryCode, getCountries, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { normalizePhone } from '../../identity/normalize';

export interface PhoneCheck {
  /** Phone numbers looked at (blank cells and placeholders such as "n/a" left out). */
  checked: number;
  /** Of those, how many cannot be read in the default country. */
  unreadable: number;
  /** Another country that reads most of them (more than the default does), or null. */
  suggestion: { country: string; name: string; readable: number } | null;
}

/** At most this many numbers are tried in each country (the rest only in the default one). */
const TRIAL = 60;

/**
 * The countries tried, those of the shops ConstIntel is made for first (the languages its import reads), then every
 * other: on a tie (a UK mobile is also a valid mobile in Iraq) the earlier wins.
 */
const FIRST = [
  'GB',
  'IE',
  'US',
  'CA',
  'AU',
  'NZ',
  'DE',
  'AT',
  'CH',
  'FR',
  'BE',
  'LU',
  'ES',
  'IT',
  'NL',
  'PT',
  'BR',
  'MX',
];
let ordered: string[] | undefined;
function candidates(): string[] {
  ordered ??= [...FIRST, ...getCountries().filter((c) => !FIRST.includes(c))];
  return ordered;
}

const regionNames = new Intl.DisplayNames(['en-GB'], { type: 'region' });
export const countryName = (code: string) => regionNames.of(code) ?? code;

export function phoneCountry(cells: readonly string[], defaultCountry: string): PhoneCheck {
  const phones: string[] = [];
  let unreadable = 0;
  for (const cell of cells) {
    const read = normalizePhone(cell, { defaultCountry });
    if (!read.ok && read.reason !== 'unparseable_phone') continue;
    phones.push(cell);
    if (!read.ok) unreadable += 1;
  }
  if (unreadable === 0) return { checked: phones.length, unreadable, suggestion: null };
  const trial = phones.slice(0, TRIAL);
  // Ranked by the numbers that are valid mobiles there, then valid numbers of any kind (the full metadata checks each
  // country's real ranges): a UK mobile has a possible length in dozens of countries, is valid in a few (an Austrian
  // area code reads it too), and is a mobile in one; customers give shops their mobiles.
  const score = (country: string) => {
    let valid = 0;
    let mobile = 0;
    for (const p of trial) {
      const parsed = parsePhoneNumberFromString(p, country as CountryCode);
      if (!parsed?.isValid()) continue;
      valid += 1;
      const type = parsed.getType();
      if (type === 'MOBILE' || type === 'FIXED_LINE_OR_MOBILE') mobile += 1;
    }
    return { valid, mobile };
  };
  const own = score(defaultCountry);
  let best: { country: string; valid: number; mobile: number } | null = null;
  for (const country of candidates()) {
    if (country === defaultCountry) continue;
    const s = score(country);
    const bar = best ?? { ...own, country: defaultCountry };
    if (s.mobile > bar.mobile || (s.mobile === bar.mobile && s.valid > bar.valid)) best = { country, ...s };
  }
  // "Most of them": more than half of the numbers tried are valid there, and more of them than in the shop's own.
  const suggestion =
    best && best.valid * 2 > trial.length
      ? {
          country: best.country,
          name: countryName(best.country),
          readable: Math.round((best.valid / trial.length) * phones.length),
        }
      : null;
  return { checked: phones.length, unreadable, suggestion };
}

/** The warning in words, or null when every number reads. */
export function phoneWarning(check: PhoneCheck, defaultCountry: string): string | null {
  if (check.unreadable === 0) return null;
  const some = `${check.unreadable.toLocaleString('en-GB')} of ${check.checked.toLocaleString('en-GB')} phone numbers cannot be read as ${countryName(defaultCountry)} numbers`;
  if (check.suggestion)
    return `${some}; most read as ${check.suggestion.name} numbers. Use ${check.suggestion.name} for phone numbers written without a country code?`;
  return `${some}: those customers cannot be recognised by their phone. Check the country for phone numbers.`;
}
