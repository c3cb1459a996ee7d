/**
 * Reading the cells of imported CSV files: money and quantities in either
 * number convention (1,234.50 or 1.234,50), dates in the shop's day/month
 * order, consent flags, full names and Loyverse-style contact cells.
 * Pure functions: `null` means the cell is blank, `'invalid'` means it holds
 * text we cannot read (the row is then reported, never guessed).
 */
import railsTimeZone from 'rails-timezone';
import { zonedInstant } from '../../channels/quiet-hours';
import type { DateOrder } from './types';

const CURRENCY = '[$£€]|USD|GBP|EUR';
/** Digits with any thousands separators (`,` `.` spaces, `'`) and decimals; checked against the convention later. */
const DIGITS = String.raw`(?<digits>[\d.,\s']+?)`;
/** Optional parenthesis, sign and currency on either side of the digits: `-$12.50`, `$-12.50`, `(12.50)`, `12,50 €`. */
const MONEY = new RegExp(
  String.raw`^(?<open>\()?\s*(?<minus>-)?\s*(?<currency>${CURRENCY})?\s*(?<minusAfterCurrency>-)?\s*${DIGITS}\s*(?<currencyAfter>${CURRENCY})?\s*(?<close>\))?$`,
  'i',
);
const QUANTITY = new RegExp(String.raw`^(?<open>\()?\s*(?<minus>-)?\s*${DIGITS}\s*(?<close>\))?$`);

/** A money cell: `$1,234.50` → 1234.5, `(12.50)` → -12.5, `1.234,50 €` with `decimalComma` → 1234.5; rounded to cents. */
export function parseMoney(text: string | undefined, decimalComma: boolean): number | null | 'invalid' {
  const value = parseSigned(text, decimalComma, MONEY);
  return typeof value === 'number' ? roundToCents(value) : value;
}

/** A quantity cell: the number rules of {@link parseMoney} without the currency, and not rounded. */
export function parseQuantity(text: string | undefined, decimalComma: boolean): number | null | 'invalid' {
  return parseSigned(text, decimalComma, QUANTITY);
}

function parseSigned(text: string | undefined, decimalComma: boolean, shape: RegExp): number | null | 'invalid' {
  const trimmed = text?.trim() ?? '';
  if (trimmed === '') return null;
  const groups = shape.exec(trimmed)?.groups;
  if (!groups) return 'invalid';
  const { open, minus, minusAfterCurrency, digits = '', close, currency, currencyAfter } = groups;
  const signs = [open, minus, minusAfterCurrency].filter(Boolean).length;
  if (Boolean(open) !== Boolean(close) || signs > 1 || (currency && currencyAfter)) return 'invalid';
  const magnitude = parseUnsigned(digits, decimalComma);
  if (magnitude === null) return 'invalid';
  return signs === 1 ? -magnitude : magnitude;
}

/** The shape of digits and the thousands separators, per convention (built once: this runs for every cell). */
function convention(decimalComma: boolean): { shape: RegExp; groups: RegExp } {
  const group = decimalComma ? String.raw`[.\s']` : String.raw`[,\s']`;
  const decimal = decimalComma ? ',' : String.raw`\.`;
  return {
    shape: new RegExp(String.raw`^(?:\d{1,3}(?:${group}\d{3})+|\d+)(?:${decimal}\d+)?$`),
    groups: new RegExp(group, 'g'),
  };
}
const DECIMAL_POINT = convention(false);
const DECIMAL_COMMA = convention(true);

/** Digits with optional thousands groups and decimals in the given convention; null when they do not fit it. */
function parseUnsigned(digits: string, decimalComma: boolean): number | null {
  const { shape, groups } = decimalComma ? DECIMAL_COMMA : DECIMAL_POINT;
  if (!shape.test(digits)) return null;
  return Number(digits.replace(groups, '').replace(',', '.'));
}

/** Half away from zero, on the decimal value as written (1.005 → 1.01, although 1.005 * 100 is 100.4999…). */
function roundToCents(value: number): number {
  const cents = Math.round(Number((Math.abs(value) * 100).toPrecision(15)));
  return (Math.sign(value) * cents) / 100 || 0;
}

/**
 * Whether money-like cells are written with a decimal comma (`12,50`, `1.234,50`).
 * Only cells that can be read one way count: `12.50` and `1,234.50` vote for the
 * decimal point, `12,50` and `1.234,50` for the comma, `1,234` for neither.
 * Mixed or unclear samples → false (the decimal point).
 */
export function detectDecimalComma(samples: string[]): boolean {
  let commaVotes = 0;
  let pointVotes = 0;
  for (const sample of samples) {
    const number = sample.trim().replace(/[^\d.,]+$/, '');
    if (/\d,\d{1,2}$/.test(number) || /\.\d{3},/.test(number)) commaVotes++;
    if (/\d\.\d{1,2}$/.test(number) || /,\d{3}\./.test(number)) pointVotes++;
  }
  return commaVotes > 0 && pointVotes === 0;
}

/** Day, month and year as written, before the order is known: `03/04/25` → ['03', '04', '25']. */
const NUMERIC_DATE = /^(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})(?=$|[\sT])/;

/**
 * The order of day, month and year in date (or date-time) cells. Year-first
 * dates (`2026-03-01`) are YMD. For `a/b/yy` (also with `.` or `-`), a date
 * that is a real calendar date only as day/month decides DMY (`28/07/26`),
 * only as month/day decides MDY (`7/28/26`); dates that fit both (`03/04/25`)
 * leave it ambiguous, and we then read day/month/year — the shop can change
 * it in the preview. Dates that fit neither (`31/02/2025`) are not evidence.
 */
export function detectDateOrder(samples: string[]): { order: DateOrder; ambiguous: boolean } {
  const votes = { DMY: 0, MDY: 0, YMD: 0, both: 0 };
  for (const sample of samples) {
    const vote = dateVote(sample.trim());
    if (vote) votes[vote]++;
  }
  if (votes.DMY > 0 && votes.MDY === 0) return { order: 'DMY', ambiguous: false };
  if (votes.MDY > 0 && votes.DMY === 0) return { order: 'MDY', ambiguous: false };
  if (votes.DMY > 0 || votes.both > 0) return { order: 'DMY', ambiguous: true };
  return { order: votes.YMD > 0 ? 'YMD' : 'DMY', ambiguous: false };
}

function dateVote(sample: string): DateOrder | 'both' | undefined {
  const match = NUMERIC_DATE.exec(sample);
  if (!match) return undefined;
  const [, first = '', second = '', third = ''] = match;
  if (first.length > 2) return 'YMD';
  const year = fullYear(third);
  const asDMY = isCalendarDate(year, Number(second), Number(first));
  const asMDY = isCalendarDate(year, Number(first), Number(second));
  if (asDMY && asMDY) return 'both';
  if (asDMY) return 'DMY';
  return asMDY ? 'MDY' : undefined;
}

/** `13:33`, `13:33:05.120`, `1:33 PM`, `1:33:05 pm`, then an optional offset (`Z`, `+0000`, `-05:00`, `UTC`). */
const TIME =
  /^(?:(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?\s*(?:([ap])\.?m\.?)?)?\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2})?$/i;

interface DateParts {
  year: number;
  month: number;
  day: number;
}

interface TimeParts {
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** Minutes east of UTC; undefined when the cell gives none (the PC's local time). */
  offset?: number;
}

/**
 * A date (and time) as an ISO 8601 instant. The time may be in the date cell
 * (`2026-03-01 10:15:00 +0000`, `7/28/26 1:33 PM`) or in its own `time` cell.
 * Without an offset the time is the shop PC's local time. Two-digit years are
 * 20xx. Null when the date cell is blank; 'invalid' when unreadable or not a
 * calendar date (`31/02/2026`).
 */
export function parseDateTime(
  date: string | undefined,
  time: string | undefined,
  order: DateOrder,
  zoneName?: string,
): string | null | 'invalid' {
  const dateText = date?.trim() ?? '';
  if (dateText === '') return null;
  const match = NUMERIC_DATE.exec(dateText);
  const day = match ? dateParts(match, order) : undefined;
  if (!match || !day) return 'invalid';
  const rest = `${dateText.slice(match[0].length).replace(/^T/, '')} ${time ?? ''}`.trim();
  const clock = timeParts(rest);
  if (!clock) return 'invalid';
  const zone = clock.offset === undefined ? ianaZone(zoneName) : undefined;
  return zone ? inZone(day, clock, zone) : toIso(day, clock);
}

/**
 * The IANA zone a row's time zone cell names: an IANA name as it is, or a Rails (ActiveSupport) name as Square
 * writes them ("Pacific Time (US & Canada)", "London") through rails-timezone's copy of ActiveSupport's table.
 * Undefined for a blank or unknown one (the time is then read as the shop PC's local time, as without the column).
 */
const zones = new Map<string, string | undefined>();
export function ianaZone(name: string | undefined): string | undefined {
  const text = name?.trim();
  if (!text) return undefined;
  if (zones.has(text)) return zones.get(text);
  let zone: string | undefined = railsTimeZone.from(text) ?? text;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    zone = undefined;
  }
  zones.set(text, zone);
  return zone;
}

/** The instant the wall clock in `zone` reads this date and time (the zone's offset then, daylight saving included). */
function inZone(
  { year, month, day }: DateParts,
  { hour, minute, second, millisecond }: TimeParts,
  zone: string,
): string {
  return new Date(zonedInstant(zone, year, month, day, hour, minute, second, millisecond)).toISOString();
}

function dateParts(match: RegExpExecArray, order: DateOrder): DateParts | undefined {
  const [, first = '', second = '', third = ''] = match;
  const parts =
    first.length > 2 || order === 'YMD' ? [first, second, third] : [third, ...dayMonth(first, second, order)];
  const [year = '', month = '', day = ''] = parts;
  if (year.length !== 2 && year.length !== 4) return undefined;
  const result = { year: fullYear(year), month: Number(month), day: Number(day) };
  return isCalendarDate(result.year, result.month, result.day) ? result : undefined;
}

/** [month, day] from the first two parts of a day-month or month-day date. */
function dayMonth(first: string, second: string, order: 'DMY' | 'MDY'): [string, string] {
  return order === 'DMY' ? [second, first] : [first, second];
}

function timeParts(text: string): TimeParts | undefined {
  const match = TIME.exec(text);
  if (!match) return undefined;
  const [, hourText, minuteText, secondText, fraction, meridiem, offsetText] = match;
  const hour = to24Hour(Number(hourText ?? 0), meridiem);
  const minute = Number(minuteText ?? 0);
  const second = Number(secondText ?? 0);
  if (hour === undefined || minute > 59 || second > 59) return undefined;
  const millisecond = Number((fraction ?? '').padEnd(3, '0'));
  return { hour, minute, second, millisecond, offset: offsetMinutes(offsetText) };
}

function to24Hour(hour: number, meridiem: string | undefined): number | undefined {
  if (meridiem === undefined) return hour <= 23 ? hour : undefined;
  if (hour < 1 || hour > 12) return undefined;
  return (hour % 12) + (meridiem.toLowerCase() === 'p' ? 12 : 0);
}

function offsetMinutes(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const match = /^([+-])(\d{2}):?(\d{2})$/.exec(text);
  if (!match) return 0; // Z, UTC, GMT
  const [, sign, hours, minutes] = match;
  return (sign === '-' ? -1 : 1) * (Number(hours) * 60 + Number(minutes));
}

function toIso({ year, month, day }: DateParts, { hour, minute, second, millisecond, offset }: TimeParts): string {
  if (offset === undefined) return new Date(year, month - 1, day, hour, minute, second, millisecond).toISOString();
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millisecond) - offset * 60_000;
  return new Date(utc).toISOString();
}

function fullYear(text: string): number {
  return text.length === 2 ? 2000 + Number(text) : Number(text);
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Also in the languages whose headers are read (header-aliases.ts): ja/nein, oui/non, sí/no, sì/no, ja/nee, sim/não. */
const CONSENT_YES = new Set([
  ...['yes', 'y', 'true', '1', 'subscribed', 'opted in', 'opt in'],
  ...['ja', 'j', 'wahr', 'oui', 'o', 'vrai', 'sí', 'si', 's', 'sì', 'sim', 'verdadero', 'vero', 'verdadeiro', 'waar'],
]);
const CONSENT_NO = new Set([
  ...['no', 'n', 'false', '0', 'unsubscribed', 'not subscribed', 'opted out', 'opt out'],
  ...['nein', 'falsch', 'non', 'faux', 'falso', 'nee', 'onwaar', 'não', 'nao'],
]);

/**
 * A marketing-consent cell: yes/no, true/false, y/n, 1/0, subscribed/unsubscribed, opted in/out (and yes/no, true/false
 * in German, French, Spanish, Italian, Dutch and Portuguese); else undefined.
 */
export function parseConsent(text: string | undefined): boolean | undefined {
  const word = (text ?? '')
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, ' ');
  if (CONSENT_YES.has(word)) return true;
  if (CONSENT_NO.has(word)) return false;
  return undefined;
}

/** Words that start a family name: "Ann van der Berg", "María de la Cruz". */
const SURNAME_PARTICLES = new Set([
  'van',
  'von',
  'der',
  'den',
  'de',
  'del',
  'della',
  'di',
  'da',
  'dos',
  'das',
  'du',
  'la',
  'le',
  'ter',
  'ten',
  'bin',
  'ibn',
  'al',
  'st',
  'st.',
]);

/**
 * "Ann Lee" → Ann / Lee, "Lee, Ann" → Ann / Lee, "Mary Ann Lee" → Mary Ann / Lee,
 * "Ann van der Berg" → Ann / van der Berg; one word is a first name only.
 */
export function splitFullName(text: string | undefined): { firstName?: string; lastName?: string } {
  const name = (text ?? '').trim().replace(/\s+/g, ' ');
  const comma = name.indexOf(',');
  if (comma >= 0) return nameParts(name.slice(comma + 1).trim(), name.slice(0, comma).trim());
  const words = name.split(' ');
  if (words.length < 2) return nameParts(name, '');
  const particle = words.findIndex((word, index) => index > 0 && SURNAME_PARTICLES.has(word.toLowerCase()));
  const lastStart = particle > 0 && particle < words.length - 1 ? particle : words.length - 1;
  return nameParts(words.slice(0, lastStart).join(' '), words.slice(lastStart).join(' '));
}

function nameParts(first: string, last: string): { firstName?: string; lastName?: string } {
  if (first === '') return last === '' ? {} : { firstName: last };
  return last === '' ? { firstName: first } : { firstName: first, lastName: last };
}

const EMAIL = /[^\s,;:<>()"']+@[^\s,;:<>()"']+\.[^\s,;:<>()"']+/;
/** A run of digits with the usual phone punctuation; kept only with 7 or more digits. */
const PHONE_CANDIDATES = /\+?\(?\d[\d\s().\-/]*\d/g;

/** A Loyverse "Customer contacts" cell ("ann@example.com, +44 7700 900123"): the first email and the first phone. */
export function splitContacts(text: string | undefined): { email?: string; phone?: string } {
  const cell = text ?? '';
  const email = EMAIL.exec(cell)?.[0];
  const rest = email ? cell.replace(email, ' ') : cell;
  const phone = rest.match(PHONE_CANDIDATES)?.find((candidate) => candidate.replace(/\D/g, '').length >= 7);
  const contacts: { email?: string; phone?: string } = {};
  if (email) contacts.email = email;
  if (phone) contacts.phone = phone;
  return contacts;
}
