/**
 * An order met again further down a file: the very same rows again are an
 * overlapping export (already known), other rows are rejected with the reason —
 * for every order of a large file, whatever its key hashes to.
 */
import { describe, expect, it } from 'vitest';
import { RowMapper } from '../../../../../main/core/import/file/to-events';
import type { ColumnRole } from '../../../../../main/core/import/file/types';

const headers = ['Receipt', 'Date', 'Email', 'Amount'];
const roles: ColumnRole[] = ['order_id', 'date', 'email', 'order_total'];

function mapper() {
  return new RowMapper(
    { format: 'generic_transactions', headers, roles, decimalComma: false, dateOrder: 'YMD' },
    new Date('2025-06-01T00:00:00Z'),
  );
}

const rows = (count: number, amount: (i: number) => string, firstRow: number) =>
  Array.from({ length: count }, (_, i) => ({
    row: firstRow + i,
    cells: [`R${i + 1}`, '2025-05-01', `c${i + 1}@example.com`, amount(i)],
  }));

describe('orders met again further down a file', () => {
  it('rejects every order that comes back with other rows, and recognises every one that comes back the same', () => {
    const m = mapper();
    const first = m.push(rows(5000, (i) => `${10 + (i % 7)}.00`, 2));
    expect(first.events).toHaveLength(4999);
    // The same 5,000 orders again with other amounts: none may pass as "already known".
    const changed = m.push(rows(5000, (i) => `${20 + (i % 7)}.00`, 5002));
    const end = m.end();
    const rejected = [...first.rejected, ...changed.rejected, ...end.rejected];
    expect(rejected).toHaveLength(5000);
    expect(rejected.every((r) => /already appeared higher up/.test(r.reason))).toBe(true);

    const again = mapper();
    const once = again.push(rows(3000, () => '12.50', 2));
    const same = again.push(rows(3000, () => '12.50', 3002));
    const rest = again.end();
    expect([...once.rejected, ...same.rejected, ...rest.rejected]).toHaveLength(0);
    // Each order twice, with the same natural key: the second copy is what the data file calls already known.
    const keys = [...once.events, ...same.events, ...rest.events].map((e) => e.event.externalId);
    expect(keys).toHaveLength(6000);
    expect(new Set(keys).size).toBe(3000);
  });

  it('tells apart orders whose cells only shift between rows', () => {
    const m = new RowMapper(
      {
        format: 'generic_transactions',
        headers: ['Receipt', 'Date', 'Item', 'Amount'],
        roles: ['order_id', 'date', 'line_title', 'line_total'],
        decimalComma: false,
        dateOrder: 'YMD',
      },
      new Date('2025-06-01T00:00:00Z'),
    );
    m.push([
      { row: 2, cells: ['R1', '2025-05-01', 'Tea', '1'] },
      { row: 3, cells: ['R1', '2025-05-01', 'Cake', '12'] },
      { row: 4, cells: ['R2', '2025-05-01', 'Jam', '3'] },
    ]);
    const later = m.push([
      { row: 5, cells: ['R1', '2025-05-01', 'Tea', '11'] },
      { row: 6, cells: ['R1', '2025-05-01', 'Cake', '2'] },
    ]);
    expect([...later.rejected, ...m.end().rejected].map((r) => r.row)).toEqual([5, 6]);
  });
});

describe('an order with more rows than any order has', () => {
  it('is rejected with the reason instead of being held in memory row after row; the orders around it are kept', () => {
    const m = mapper();
    const order = (id: string, count: number, firstRow: number) =>
      Array.from({ length: count }, (_, i) => ({
        row: firstRow + i,
        cells: [id, '2025-05-01', 'a@example.com', '5.00'],
      }));
    const out = [
      m.push(order('R1', 2, 2)),
      m.push(order('BIG', 700, 4)),
      m.push(order('BIG', 700, 704)),
      m.push(order('R2', 1, 1404)),
      m.end(),
    ];
    const events = out.flatMap((o) => o.events.map((e) => e.event.externalId));
    const rejected = out.flatMap((o) => o.rejected);
    expect(events).toEqual(['sale:R1', 'sale:R2']);
    expect(rejected).toHaveLength(1400);
    expect(rejected[0]?.reason).toMatch(/^order “BIG” has more than 1,000 rows/);
  });
});
