/**
 * Limits on what comes in from outside (event API, Shopify, WhatsApp, files):
 * bounds no real shop ever reaches, so a value past one is a mistake or an
 * attack, refused with the field named rather than stored to break a page,
 * a total or a retrain later (issue 14).
 *
 * - Money: within ±10^12 in any currency (a 10-billion-rupiah order is 10^10).
 *   Sums of such amounts stay far inside what a double holds exactly enough.
 * - Dates: from 1990-01-01 to a day after now (clock skew, time zones).
 * - Identifiers and ids ≤ 320 characters (the longest email address), names
 *   ≤ 255 (Shopify's own limit), short text (sku, title, category, query)
 *   ≤ 500, any other text ≤ 10,000; well-formed Unicode only (no lone
 *   surrogate halves, no NUL), field names ≤ 200.
 * - Structure: nested at most 32 levels (SQLite's JSON functions give up at
 *   1,000; real payloads use fewer than 10), at most 256 KB of JSON per
 *   event, at most 1,000 items.
 *
 * The structure check is bounded recursion: it never goes below level 33, so
 * a value nested 100,000 deep costs 33 calls, not a stack overflow.
 */

export const MAX_MONEY = 1e12;
export const MAX_QUANTITY = 1_000_000;
export const MAX_IDENTIFIER_CHARS = 320;
export const MAX_NAME_CHARS = 255;
export const MAX_SHORT_TEXT_CHARS = 500;
export const MAX_TEXT_CHARS = 10_000;
export const MAX_KEY_CHARS = 200;
export const MAX_DEPTH = 32;
export const MAX_EVENT_BYTES = 256 * 1024;
export const MAX_ITEMS = 1000;
export const EARLIEST_DATE = Date.UTC(1990, 0, 1);
/** How far ahead of now a date may be. */
export const AHEAD_MS = 86_400_000;
/** Dates at or past this are refused even where "now" is not known (a file's rows are checked again when read). */
export const LATEST_STATIC_DATE = Date.UTC(2100, 0, 1);
/** Lifetime values and other sums are kept within this (a thousand orders at the money limit). */
export const MAX_TOTAL = 1e15;

/** Zod issue params marking a broken limit (see shared/events.ts `isLimitBreach`). */
export const LIMIT_PARAMS = { limit: true } as const;

export const MONEY_MESSAGE = 'must be between -1,000,000,000,000 and 1,000,000,000,000';
export const DATE_MESSAGE = 'must be between 1990-01-01 and a day after now';

/** Why a string is not acceptable text, or undefined. */
export function textProblem(value: string): string | undefined {
  if (value.includes('\u0000')) return 'contains a NUL character';
  if (LONE_SURROGATE.test(value)) return 'is not well-formed text (a lone UTF-16 surrogate)';
  return undefined;
}
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export interface JsonProblem {
  /** Where, from the value checked (keys and indexes). */
  path: (string | number)[];
  message: string;
}

/**
 * The first problem in a parsed JSON value: nested deeper than `maxDepth` containers, a string longer
 * than `maxString` or not well-formed, a field name longer than MAX_KEY_CHARS or not well-formed.
 * A container at the top counts as level 1.
 */
export function jsonProblem(value: unknown, maxDepth = MAX_DEPTH, maxString = MAX_TEXT_CHARS): JsonProblem | undefined {
  return checkJson(value, maxDepth, maxString).problem;
}

/**
 * `jsonProblem`, and an upper bound of the value's size as JSON in UTF-8 (every character counted as
 * an escape), found in the same walk so the exact size is only measured when the bound is near a limit.
 */
export function checkJson(
  value: unknown,
  maxDepth = MAX_DEPTH,
  maxString = MAX_TEXT_CHARS,
): { problem?: JsonProblem; sizeBound: number } {
  const path: (string | number)[] = [];
  let size = 0;
  const visit = (v: unknown, depth: number): JsonProblem | undefined => {
    if (typeof v === 'string') {
      size += 2 + 6 * v.length;
      if (v.length > maxString) return { path: [...path], message: `must be at most ${maxString} characters` };
      const problem = textProblem(v);
      return problem ? { path: [...path], message: problem } : undefined;
    }
    size += 25;
    if (v === null || typeof v !== 'object') return undefined;
    if (depth > maxDepth) return { path: [...path], message: `is nested more than ${maxDepth} levels deep` };
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        path.push(i);
        const problem = visit(v[i], depth + 1);
        path.pop();
        if (problem) return problem;
      }
      return undefined;
    }
    // Parsed JSON has no inherited enumerable keys: for…in walks the object's own, without a keys array.
    for (const key in v) {
      size += 3 + 6 * key.length;
      const keyProblem =
        key.length > MAX_KEY_CHARS ? `has a field name longer than ${MAX_KEY_CHARS} characters` : textProblem(key);
      if (keyProblem) {
        return {
          path: [...path],
          message: key.length > MAX_KEY_CHARS ? keyProblem : `has a field name that ${keyProblem}`,
        };
      }
      path.push(key);
      const problem = visit((v as Record<string, unknown>)[key], depth + 1);
      path.pop();
      if (problem) return problem;
    }
    return undefined;
  };
  const problem = visit(value, 1);
  return problem ? { problem, sizeBound: size } : { sizeBound: size };
}

/** Bytes of a string in UTF-8 (without encoding it). */
export function utf8Bytes(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length) {
      bytes += 4;
      i += 1;
    } else bytes += 3;
  }
  return bytes;
}

/** An amount within the money limit. */
export function moneyInRange(value: number): boolean {
  return Number.isFinite(value) && Math.abs(value) <= MAX_MONEY;
}

/** A plain decimal amount ("42.50", "-3", "0.5"): no hex, exponents, blanks, thousands separators or spaces. */
const DECIMAL = /^[+-]?\d{1,16}(\.\d{1,12})?$/;

/** A path for a message: dotted, at most `segments` long (a depth problem's path is 33 keys). */
export function pathText(path: readonly PropertyKey[], segments = 12): string {
  const shown = path.slice(0, segments).map(String).join('.');
  return path.length > segments ? `${shown}…` : shown;
}

/** A money string parsed strictly, or undefined when it is not a plain decimal. */
export function parseDecimal(text: string): number | undefined {
  return DECIMAL.test(text) ? Number(text) : undefined;
}

/** Why a date (ms since epoch) is out of range, or undefined. Without `now`, only the fixed bounds. */
export function dateProblem(ms: number, now?: number): string | undefined {
  if (!Number.isFinite(ms)) return 'is not a real date';
  const latest = now === undefined ? LATEST_STATIC_DATE : now + AHEAD_MS;
  if (ms < EARLIEST_DATE || ms > latest) {
    return now === undefined ? DATE_MESSAGE : `${DATE_MESSAGE} (${new Date(latest).toISOString()})`;
  }
  return undefined;
}

/** An amount kept within the money limit (a non-number counts as 0). */
export function clampMoney(value: number): number {
  if (Number.isNaN(value)) return 0;
  return Math.min(MAX_MONEY, Math.max(-MAX_MONEY, value));
}

/** A sum kept finite and within MAX_TOTAL (a non-number counts as 0). */
export function clampTotal(value: number): number {
  if (Number.isNaN(value)) return 0;
  return Math.min(MAX_TOTAL, Math.max(-MAX_TOTAL, value));
}
