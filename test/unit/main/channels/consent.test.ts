import { describe, expect, it } from 'vitest';
import { type ConsentRecord, effectiveConsent, keywordOf } from '../../../../main/core/channels/consent';

type Row = [state: ConsentRecord['state'], source: string, occurredAt: number | null, recordedAt: number];
const history = (rows: Row[]): ConsentRecord[] =>
  rows.map(([state, source, occurredAt, recordedAt]) => ({ state, source, detail: null, occurredAt, recordedAt }));

const CASES: { name: string; rows: Row[]; state: string; since: number | null; source: string | null }[] = [
  { name: 'nothing known is unknown', rows: [], state: 'unknown', since: null, source: null },
  {
    name: 'an undated import yes is a yes',
    rows: [['yes', 'import', null, 10]],
    state: 'yes',
    since: 10,
    source: 'import',
  },
  {
    name: 'the latest yes or no counts',
    rows: [
      ['yes', 'shopify', 5, 10],
      ['no', 'api', null, 20],
    ],
    state: 'no',
    since: 20,
    source: 'api',
  },
  {
    name: 'an undated yes after an opt-out does not undo it',
    rows: [
      ['yes', 'earlier', null, 1],
      ['opted_out', 'keyword', 100, 100],
      ['yes', 'import', null, 200],
    ],
    state: 'opted_out',
    since: 100,
    source: 'keyword',
  },
  {
    name: 'a dated yes after an opt-out (Shopify) undoes it',
    rows: [
      ['opted_out', 'keyword', 100, 100],
      ['yes', 'shopify', 150, 160],
    ],
    state: 'yes',
    since: 150,
    source: 'shopify',
  },
  {
    name: 'a yes dated before the opt-out (a late delivery) does not undo it',
    rows: [
      ['opted_out', 'keyword', 100, 100],
      ['yes', 'shopify', 90, 160],
    ],
    state: 'opted_out',
    since: 100,
    source: 'keyword',
  },
  {
    name: 'START undoes a STOP',
    rows: [
      ['opted_out', 'keyword', 100, 100],
      ['yes', 'keyword', 300, 300],
    ],
    state: 'yes',
    since: 300,
    source: 'keyword',
  },
  {
    name: 'a yes the shop records by hand (dated now) undoes it',
    rows: [
      ['opted_out', 'provider', 100, 100],
      ['yes', 'shop', 400, 400],
    ],
    state: 'yes',
    since: 400,
    source: 'shop',
  },
  {
    name: 'a no after an opt-out leaves it opted out',
    rows: [
      ['opted_out', 'unsubscribe', 100, 100],
      ['no', 'shop', 400, 400],
    ],
    state: 'opted_out',
    since: 100,
    source: 'unsubscribe',
  },
  {
    name: 'a second STOP keeps the first date, and a yes must come after the last',
    rows: [
      ['opted_out', 'keyword', 100, 100],
      ['opted_out', 'provider', 200, 200],
      ['yes', 'shopify', 150, 250],
    ],
    state: 'opted_out',
    since: 100,
    source: 'keyword',
  },
  {
    name: 'opted out again after a START',
    rows: [
      ['opted_out', 'keyword', 100, 100],
      ['yes', 'keyword', 200, 200],
      ['opted_out', 'keyword', 300, 300],
    ],
    state: 'opted_out',
    since: 300,
    source: 'keyword',
  },
];

describe('effectiveConsent', () => {
  it.each(CASES)('$name', ({ rows, state, since, source }) => {
    expect(effectiveConsent(history(rows))).toEqual({ state, since, source, detail: null });
  });
});

describe('keywordOf', () => {
  it.each([
    ['STOP', 'STOP'],
    [' stop ', 'STOP'],
    ['Stop!', 'STOP'],
    ['stop all', 'STOPALL'],
    ['Unsubscribe', 'UNSUBSCRIBE'],
    ['cancel', 'CANCEL'],
    ['end', 'END'],
    ['quit', 'QUIT'],
    ['start', 'START'],
    ['UNSTOP', 'UNSTOP'],
    ['yes', 'YES'],
    ['please stop sending', undefined],
    ['Can I cancel my order?', undefined],
    ['', undefined],
  ])('%j → %s', (text, keyword) => {
    expect(keywordOf(text)).toBe(keyword);
  });
});
