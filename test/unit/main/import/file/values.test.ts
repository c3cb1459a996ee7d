import { describe, expect, it } from 'vitest';
import {
  detectDateOrder,
  detectDecimalComma,
  parseConsent,
  parseDateTime,
  parseMoney,
  parseQuantity,
  splitContacts,
  splitFullName,
} from '../../../../../main/core/import/file/values';

/** The ISO instant of a wall-clock time on the PC running the tests. */
const local = (...parts: [number, number, number, number?, number?, number?]) => {
  const [year, month, day, hour = 0, minute = 0, second = 0] = parts;
  return new Date(year, month - 1, day, hour, minute, second).toISOString();
};

describe('parseMoney', () => {
  it.each([
    [undefined, false, null],
    ['', false, null],
    ['   ', true, null],
    ['12.50', false, 12.5],
    ['$12.50', false, 12.5],
    ['$1,234.50', false, 1234.5],
    ['1,234', false, 1234],
    ['£1,234,567.891', false, 1234567.89],
    ['12.5 GBP', false, 12.5],
    ['USD 7', false, 7],
    ['eur 3.10', false, 3.1],
    ['-12.50', false, -12.5],
    ['-$12.50', false, -12.5],
    ['$-12.50', false, -12.5],
    ['(12.50)', false, -12.5],
    ['($1,234.50)', false, -1234.5],
    ['-0.001', false, 0],
    ['1.005', false, 1.01],
    ['1.234,50', true, 1234.5],
    ['1 234,50', true, 1234.5],
    ['1\u00a0234,50 €', true, 1234.5],
    ['1234,5', true, 1234.5],
    ['€ 12,50', true, 12.5],
    ['-12,50', true, -12.5],
    ['12,5 EUR', true, 12.5],
    ['1.234', true, 1234],
    ['abc', false, 'invalid'],
    ['12,50', false, 'invalid'],
    ['12.50', true, 'invalid'],
    ['1,23,4', false, 'invalid'],
    ['--12', false, 'invalid'],
    ['-(12.50)', false, 'invalid'],
    ['(12.50', false, 'invalid'],
    ['$12.50$', false, 'invalid'],
    ['12.50 abc', false, 'invalid'],
    ['1e3', false, 'invalid'],
  ] as const)('%j (decimal comma %s) → %j', (text, decimalComma, expected) => {
    expect(parseMoney(text, decimalComma)).toBe(expected);
  });
});

describe('parseQuantity', () => {
  it.each([
    [undefined, false, null],
    [' ', false, null],
    ['2', false, 2],
    ['-1', false, -1],
    ['0.125', false, 0.125],
    ['0,125', true, 0.125],
    ['1,000', false, 1000],
    ['1.000', true, 1000],
    ['(3)', false, -3],
    ['$2', false, 'invalid'],
    ['2 x', false, 'invalid'],
    ['two', false, 'invalid'],
  ] as const)('%j (decimal comma %s) → %j', (text, decimalComma, expected) => {
    expect(parseQuantity(text, decimalComma)).toBe(expected);
  });
});

describe('detectDecimalComma', () => {
  it.each([
    [['12,50'], true],
    [['1.234,50', '3,8'], true],
    [['12,50 €', '-4,20', '(1,00)'], true],
    [['1.234,00', '1'], true],
    [['1,234.50'], false],
    [['12.50', '$3.00'], false],
    [['1,234'], false],
    [['1.234'], false],
    [['12,50', '12.50'], false],
    [['2', '10'], false],
    [[], false],
  ])('%j → %s', (samples, expected) => {
    expect(detectDecimalComma(samples)).toBe(expected);
  });
});

describe('detectDateOrder', () => {
  it.each([
    [['2026-03-01', '2026-03-14 10:15:00 +0000'], 'YMD', false],
    [['2026-03-01T10:15:00Z'], 'YMD', false],
    [['28/07/2026', '03/04/2026'], 'DMY', false],
    [['28.07.26', '1.8.26'], 'DMY', false],
    [['7/28/26 1:33 PM', '8/1/26 7:15 AM'], 'MDY', false],
    [['07-28-2026'], 'MDY', false],
    [['03/04/25', '05/04/25'], 'DMY', true],
    [['03/04/25', '31/02/2025'], 'DMY', true],
    [['28/07/26', '7/28/26'], 'DMY', true],
    [['not a date', ''], 'DMY', false],
    [[], 'DMY', false],
  ] as const)('%j → %s (ambiguous %s)', (samples, order, ambiguous) => {
    expect(detectDateOrder([...samples])).toEqual({ order, ambiguous });
  });
});

describe('parseDateTime', () => {
  it.each([
    [undefined, undefined, 'DMY', null],
    ['  ', '13:33', 'DMY', null],
    ['2026-03-01T10:15:00Z', undefined, 'DMY', '2026-03-01T10:15:00.000Z'],
    ['2026-03-01T10:15:00.250+01:00', undefined, 'MDY', '2026-03-01T09:15:00.250Z'],
    ['2026-03-01 10:15:00 +0000', undefined, 'DMY', '2026-03-01T10:15:00.000Z'],
    ['2026-03-01 10:15:00 -0500', undefined, 'DMY', '2026-03-01T15:15:00.000Z'],
    ['2026-04-02 14:05:31 +0100', undefined, 'DMY', '2026-04-02T13:05:31.000Z'],
    ['2026-03-14', '07:42:18', 'DMY', local(2026, 3, 14, 7, 42, 18)],
    ['2026-03-01', undefined, 'MDY', local(2026, 3, 1)],
    ['2026-03-01 10:15', undefined, 'DMY', local(2026, 3, 1, 10, 15)],
    ['03/04/2025', undefined, 'DMY', local(2025, 4, 3)],
    ['03/04/2025', undefined, 'MDY', local(2025, 3, 4)],
    ['03/04/25', '13:33', 'DMY', local(2025, 4, 3, 13, 33)],
    ['28.07.26', '13:33:05', 'DMY', local(2026, 7, 28, 13, 33, 5)],
    ['7/28/26 1:33 PM', undefined, 'MDY', local(2026, 7, 28, 13, 33)],
    ['7/28/26', '1:33:05 pm', 'MDY', local(2026, 7, 28, 13, 33, 5)],
    ['8/1/26 12:05 AM', undefined, 'MDY', local(2026, 8, 1, 0, 5)],
    ['8/1/26 12:05 PM', undefined, 'MDY', local(2026, 8, 1, 12, 5)],
    ['26/07/28', undefined, 'YMD', local(2026, 7, 28)],
    ['29/02/2028', undefined, 'DMY', local(2028, 2, 29)],
    ['31/02/2026', undefined, 'DMY', 'invalid'],
    ['29/02/2026', undefined, 'DMY', 'invalid'],
    ['7/28/26', undefined, 'DMY', 'invalid'],
    ['03/04/202', undefined, 'DMY', 'invalid'],
    ['2026-13-01', undefined, 'YMD', 'invalid'],
    ['03/04/25', '25:00', 'DMY', 'invalid'],
    ['03/04/25', '13:33 PM', 'DMY', 'invalid'],
    ['03/04/25', '10:61', 'DMY', 'invalid'],
    ['yesterday', undefined, 'DMY', 'invalid'],
    ['03/04/25 noon', undefined, 'DMY', 'invalid'],
  ] as const)('%j + %j as %s → %j', (date, time, order, expected) => {
    expect(parseDateTime(date, time, order)).toBe(expected);
  });
});

describe('parseConsent', () => {
  it.each([
    ['yes', true],
    ['YES', true],
    [' y ', true],
    ['true', true],
    ['1', true],
    ['subscribed', true],
    ['Opted in', true],
    ['opted_in', true],
    ['no', false],
    ['N', false],
    ['FALSE', false],
    ['0', false],
    ['unsubscribed', false],
    ['not_subscribed', false],
    ['Opted out', false],
    ['Ja', true],
    ['Nein', false],
    ['oui', true],
    ['Non', false],
    ['Sí', true],
    ['si', true],
    ['Sì', true],
    ['SIM', true],
    ['Não', false],
    ['nao', false],
    ['nee', false],
    ['J', true],
    ['O', true],
    ['S', true],
    ['Vrai', true],
    ['falso', false],
    ['', undefined],
    [undefined, undefined],
    ['pending', undefined],
    ['maybe', undefined],
  ] as const)('%j → %s', (text, expected) => {
    expect(parseConsent(text)).toBe(expected);
  });
});

describe('splitFullName', () => {
  it.each([
    ['Ann Lee', { firstName: 'Ann', lastName: 'Lee' }],
    ['  Ann   Lee ', { firstName: 'Ann', lastName: 'Lee' }],
    ['Ann van der Berg', { firstName: 'Ann', lastName: 'van der Berg' }],
    ['María José de la Cruz', { firstName: 'María José', lastName: 'de la Cruz' }],
    ['Mary Ann Lee', { firstName: 'Mary Ann', lastName: 'Lee' }],
    ['Lee, Ann', { firstName: 'Ann', lastName: 'Lee' }],
    ["O'Neill, Mary Kate", { firstName: 'Mary Kate', lastName: "O'Neill" }],
    ['Lee,', { firstName: 'Lee' }],
    ['Raj', { firstName: 'Raj' }],
    ['', {}],
    [undefined, {}],
  ] as const)('%j → %j', (text, expected) => {
    expect(splitFullName(text)).toEqual(expected);
  });
});

describe('splitContacts', () => {
  it.each([
    ['ann@example.com, +44 7700 900123', { email: 'ann@example.com', phone: '+44 7700 900123' }],
    ['+44 7700 900123, ann@example.com', { email: 'ann@example.com', phone: '+44 7700 900123' }],
    ['ann@example.com +49 151 23456789', { email: 'ann@example.com', phone: '+49 151 23456789' }],
    ['zoe.mueller@example.de', { email: 'zoe.mueller@example.de' }],
    ['(0113) 496-0123', { phone: '(0113) 496-0123' }],
    ['a@b.co; b@c.co; 07700 900123; 07700 900456', { email: 'a@b.co', phone: '07700 900123' }],
    ['room 12, 07700 900123', { phone: '07700 900123' }],
    ['ext 123', {}],
    ['', {}],
    [undefined, {}],
  ] as const)('%j → %j', (text, expected) => {
    expect(splitContacts(text)).toEqual(expected);
  });
});

describe('parseDateTime in a row’s time zone (Square’s Time Zone column)', () => {
  it.each([
    // US daylight saving began on 8 March 2026: Pacific is UTC−7 on the 14th, UTC−8 on the 7th.
    ['2026-03-14', '07:42:18', 'Pacific Time (US & Canada)', '2026-03-14T14:42:18.000Z'],
    ['2026-03-07', '07:42:18', 'Pacific Time (US & Canada)', '2026-03-07T15:42:18.000Z'],
    ['2026-01-10', '09:00:00', 'London', '2026-01-10T09:00:00.000Z'],
    ['2026-07-10', '09:00:00', 'London', '2026-07-10T08:00:00.000Z'],
    ['2026-07-10', '09:00:00', 'Europe/Berlin', '2026-07-10T07:00:00.000Z'],
    ['2026-07-10', '23:30:00', 'Eastern Time (US & Canada)', '2026-07-11T03:30:00.000Z'],
    // An offset written in the time wins over the column.
    ['2026-07-10', '09:00:00 +0000', 'Europe/Berlin', '2026-07-10T09:00:00.000Z'],
  ] as const)('%s %s in %s → %s', (date, time, zone, expected) => {
    expect(parseDateTime(date, time, 'YMD', zone)).toBe(expected);
  });

  it('an unknown or blank zone reads the time as without the column', () => {
    const plain = parseDateTime('2026-07-10', '09:00:00', 'YMD');
    expect(parseDateTime('2026-07-10', '09:00:00', 'YMD', 'Atlantis')).toBe(plain);
    expect(parseDateTime('2026-07-10', '09:00:00', 'YMD', '  ')).toBe(plain);
  });
});
