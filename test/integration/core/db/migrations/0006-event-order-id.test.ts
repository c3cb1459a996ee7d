/**
 * 0006 adds `customer_raw_event.order_id` and fills it, by hand, from each stored event's `payload.orderId`:
 * the order an event names is then found through an index instead of by reading every payload.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { addBrand, type SteppedFile, steppedFile } from './steps';

let file: SteppedFile | undefined;
afterEach(() => file?.close());

describe('migration 0006_event_order_id', () => {
  it('fills order_id from each stored payload, and leaves it empty where the payload names no order', () => {
    file = steppedFile();
    file.upTo(5);
    const { sqlite } = file;
    const brand = addBrand(sqlite);
    const insert = sqlite.prepare(
      "INSERT INTO customer_raw_event (brand_id, event_type, source, external_id, payload, occurred_at, received_at) VALUES (?, ?, 'api', ?, ?, 1, 1)",
    );
    const events: [string, string, unknown][] = [
      ['purchase', 'a', { orderId: '1001', total: 20 }],
      ['refund', 'b', { orderId: '1001', total: 5 }],
      ['purchase', 'c', { orderId: 'A-7/β', total: 3 }],
      ['purchase', 'd', { total: 9 }],
      ['page_view', 'e', { url: '/' }],
      ['purchase', 'f', { orderId: null }],
      ['purchase', 'g', { orderId: '' }],
      ['purchase', 'h', { order: { orderId: 'nested' } }],
    ];
    for (const [type, key, payload] of events) insert.run(brand, type, key, JSON.stringify(payload));

    file.upTo(6);

    const rows = sqlite.prepare('SELECT external_id, order_id FROM customer_raw_event ORDER BY id').all();
    expect(rows).toEqual([
      { external_id: 'a', order_id: '1001' },
      { external_id: 'b', order_id: '1001' },
      { external_id: 'c', order_id: 'A-7/β' },
      { external_id: 'd', order_id: null },
      { external_id: 'e', order_id: null },
      { external_id: 'f', order_id: null },
      { external_id: 'g', order_id: '' },
      { external_id: 'h', order_id: null },
    ]);
    // The payloads are left as they were.
    expect(sqlite.prepare("SELECT payload FROM customer_raw_event WHERE external_id = 'a'").pluck().get()).toBe(
      JSON.stringify({ orderId: '1001', total: 20 }),
    );
    // The lookup by order uses the new index.
    const plan = sqlite
      .prepare('EXPLAIN QUERY PLAN SELECT 1 FROM customer_raw_event WHERE brand_id = ? AND order_id = ? LIMIT 1')
      .all(brand, '1001') as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toContain('customer_raw_event_brand_order_idx');
  });

  it('fills a numeric order id as the text a new event stores', () => {
    file = steppedFile();
    file.upTo(5);
    const brand = addBrand(file.sqlite);
    file.sqlite
      .prepare(
        "INSERT INTO customer_raw_event (brand_id, event_type, source, payload, occurred_at, received_at) VALUES (?, 'purchase', 'pos', ?, 1, 1)",
      )
      .run(brand, JSON.stringify({ orderId: 4711 }));
    file.upTo(6);
    const row = file.sqlite.prepare('SELECT order_id, typeof(order_id) AS kind FROM customer_raw_event').get();
    expect(row).toEqual({ order_id: '4711', kind: 'text' });
  });
});
