/** The limits' building blocks (shared/limits.ts) and the event schema's use of them, as tables of cases. */
import { describe, expect, it } from 'vitest';
import { eventInputSchema, isLimitBreach, limitMessage, parseEvent } from '../../../shared/events';
import {
  clampTotal,
  dateProblem,
  jsonProblem,
  MAX_TOTAL,
  moneyInRange,
  parseDecimal,
  textProblem,
  utf8Bytes,
} from '../../../shared/limits';

const NOW = Date.parse('2026-03-01T10:00:00Z');

describe('text', () => {
  it.each([
    ['Zoë 李 😀', undefined],
    ['', undefined],
    ['a\u0000b', 'contains a NUL character'],
    ['\ud800', 'is not well-formed text (a lone UTF-16 surrogate)'],
    ['x\udc00', 'is not well-formed text (a lone UTF-16 surrogate)'],
    ['\udc00\ud800', 'is not well-formed text (a lone UTF-16 surrogate)'],
  ])('%j → %s', (text, problem) => expect(textProblem(text)).toBe(problem));

  it('counts UTF-8 bytes without encoding', () => {
    for (const text of ['abc', 'Zoë', '李', '😀', 'a😀b€']) expect(utf8Bytes(text)).toBe(Buffer.byteLength(text));
  });
});

describe('structure', () => {
  const nestedText = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

  it('allows 32 levels and names the path at 33', () => {
    expect(jsonProblem(JSON.parse(nestedText(32)))).toBeUndefined();
    expect(jsonProblem(JSON.parse(nestedText(33)))).toEqual({
      path: Array.from({ length: 32 }, () => 0),
      message: 'is nested more than 32 levels deep',
    });
  });

  it('checks 100,000 levels without blowing the stack', () => {
    expect(jsonProblem(JSON.parse(nestedText(100_000)))?.message).toBe('is nested more than 32 levels deep');
  });

  it('names strings too long or not well-formed, and bad field names', () => {
    expect(jsonProblem({ a: { b: 'x'.repeat(10_001) } })).toEqual({
      path: ['a', 'b'],
      message: 'must be at most 10000 characters',
    });
    expect(jsonProblem({ list: ['ok', 'n\u0000'] })?.path).toEqual(['list', 1]);
    expect(jsonProblem({ a: { 'k\ud800': 1 } })).toEqual({
      path: ['a'],
      message: 'has a field name that is not well-formed text (a lone UTF-16 surrogate)',
    });
    expect(jsonProblem({ ['k'.repeat(201)]: 1 })?.message).toBe('has a field name longer than 200 characters');
  });
});

describe('money and dates', () => {
  it.each([
    ['42.50', 42.5],
    ['-3', -3],
    ['0', 0],
    ['1000000000000', 1e12],
    ['0x10', undefined],
    ['1e5', undefined],
    ['   ', undefined],
    ['', undefined],
    [' 42.50', undefined],
    ['12,50', undefined],
    ['$12.50', undefined],
    ['Infinity', undefined],
    ['.5', undefined],
  ])('parseDecimal(%j) → %s', (text, value) => expect(parseDecimal(text)).toBe(value));

  it('keeps money within ±10^12 and sums finite', () => {
    expect([1e12, -1e12, 0].every(moneyInRange)).toBe(true);
    expect([1e12 + 0.01, -1e13, Number.POSITIVE_INFINITY, Number.NaN].some(moneyInRange)).toBe(false);
    expect([clampTotal(Number.POSITIVE_INFINITY), clampTotal(-1e300), clampTotal(Number.NaN)]).toEqual([
      MAX_TOTAL,
      -MAX_TOTAL,
      0,
    ]);
  });

  it('dates from 1990 to a day after now', () => {
    expect(dateProblem(Date.UTC(1990, 0, 1), NOW)).toBeUndefined();
    expect(dateProblem(NOW + 86_400_000, NOW)).toBeUndefined();
    expect(dateProblem(NOW + 86_400_001, NOW)).toMatch(/a day after now \(2026-03-02T10:00:00.000Z\)/);
    expect(dateProblem(Date.UTC(1989, 11, 31), NOW)).toBeDefined();
    expect(dateProblem(Date.UTC(9999, 0, 1))).toBeDefined();
    expect(dateProblem(Number.NaN)).toBe('is not a real date');
  });
});

describe('the event schema', () => {
  const event = (extra: Record<string, unknown>) => ({
    type: 'purchase',
    occurredAt: '2026-03-01T09:00:00Z',
    payload: { total: 10 },
    ...extra,
  });

  it.each([
    [{ payload: { total: 1e308 } }, 'payload.total'],
    [{ payload: { total: 1, items: [{ price: -1e13 }] } }, 'payload.items.0.price'],
    [{ payload: { total: 1, items: [{ quantity: 1e7 }] } }, 'payload.items.0.quantity'],
    [{ identifiers: { email: `${'a'.repeat(320)}@x.com` } }, 'identifiers.email'],
    [{ identifiers: { loyalty_id: 2 ** 53 + 2 } }, 'identifiers.loyalty_id'],
    [{ externalId: 'e\u0000' }, 'externalId'],
    [{ payload: { total: 1, firstName: 'A'.repeat(256) } }, 'payload.firstName'],
    [{ payload: { total: 1, text: 'x'.repeat(10_001) } }, 'payload.text'],
    [{ payload: { total: 1, meta: { note: 'bad\ud800' } } }, 'payload.meta.note'],
    [{ occurredAt: '1989-12-31T23:59:59Z' }, 'occurredAt'],
  ])('%j breaks a limit at %s', (extra, field) => {
    const parsed = eventInputSchema.safeParse(event(extra));
    expect(parsed.success).toBe(false);
    expect(isLimitBreach(parsed.error)).toBe(true);
    expect(limitMessage(parsed.error)).toMatch(new RegExp(`^${field.replace(/\./g, '\\.')}: `));
  });

  it('a missing field is not a limit', () => {
    const parsed = eventInputSchema.safeParse(event({ payload: {} }));
    expect(isLimitBreach(parsed.error)).toBe(false);
  });

  it('the clock decides "a day after now"', () => {
    expect(parseEvent(event({ occurredAt: '2026-03-02T10:00:00Z' }), NOW).success).toBe(true);
    const late = parseEvent(event({ occurredAt: '2026-03-02T10:00:01Z' }), NOW);
    expect(late.success).toBe(false);
    expect(limitMessage(late.error)).toMatch(/^occurredAt: must be between 1990-01-01 and a day after now/);
  });
});
