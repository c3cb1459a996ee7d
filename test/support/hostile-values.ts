/**
 * Hostile values for the ingest fuzz (test/integration/http/ingest-fuzz.test.ts): huge and tiny numbers,
 * exponent, hex and blank strings, lone surrogates, NUL, long strings, nesting deeper than any parser allows.
 */
import fc from 'fast-check';

export const DEEP = '__deep__';
/** Placeholders replaced in the JSON text by values nested this deep (JSON.stringify could not write 100,000 levels). */
export const deepText = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
export const deepMarker = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(31, 32, 33, 40) },
  { weight: 1, arbitrary: fc.constantFrom(1_001, 5_000, 100_000) },
);
export const withDeep = (json: string) =>
  json.replace(new RegExp(`"${DEEP}(\\d+)"`, 'g'), (_, depth: string) => deepText(Number(depth)));

export const weirdText = fc.constantFrom(
  '',
  '   ',
  '0x10',
  '1e5',
  '1e308',
  '-0',
  'NaN',
  'Infinity',
  '12,50',
  '$12.50',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udc00y',
  '\ud83d\ude00',
  'null',
  'undefined',
  '[object Object]',
  '0000000000',
  'test@test.com',
  '<script>alert(1)</script>',
  "'; DROP TABLE customer_profile; --",
);
export const longText = fc.constantFrom(201, 256, 321, 501, 4_097, 10_001, 20_000).map((n) => 'x'.repeat(n));
export const weirdNumber = fc.constantFrom(
  1e308,
  -1e308,
  5e-324,
  1e12,
  1e12 + 0.01,
  -1e12,
  -1e12 - 1,
  0,
  -0,
  Number.MAX_SAFE_INTEGER,
  2 ** 53 + 2,
  1e21,
  0.1 + 0.2,
);
export const leaf = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  { weight: 3, arbitrary: weirdText },
  { weight: 3, arbitrary: weirdNumber },
  { weight: 2, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
);
/** Anything at all: wrong types, hostile text and numbers, long strings, deep nesting. */
export const hostile: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 12, arbitrary: leaf },
  { weight: 1, arbitrary: longText },
  { weight: 2, arbitrary: fc.array(leaf, { maxLength: 3 }) },
  { weight: 2, arbitrary: fc.dictionary(fc.string({ maxLength: 5 }), leaf, { maxKeys: 3 }) },
  { weight: 1, arbitrary: deepMarker.map((depth) => `${DEEP}${depth}`) },
);
/** Mostly a good value, now and then anything (a body has a dozen fields: most bodies break one or none). */
export const mostly = <T>(good: fc.Arbitrary<T>, weight = 30) =>
  fc.oneof({ weight, arbitrary: good as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: hostile });
export const text = mostly(fc.string({ maxLength: 20 }), 12);
