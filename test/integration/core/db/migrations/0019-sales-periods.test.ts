/**
 * Migration 0019: the Dashboard's stored sales periods and their dirty mark. A brand already there gets its state
 * row (never built: the first Dashboard works every period out); after that, the triggers lower `dirty_from` to the
 * earliest purchase, refund or cancellation added, removed, moved to another customer or changed — and leave it
 * alone for other events and for sales later than the mark. A cancellation marks its order's purchase. The churn
 * index of predictions also holds the predicted value.
 */
import { describe, expect, it } from 'vitest';
import { addBrand, steppedFile } from './steps';

describe('migration 0019 (sales periods)', () => {
  it('gives existing brands a state row and marks changed sales from the earliest one', () => {
    const file = steppedFile();
    file.upTo(18);
    const brand = addBrand(file.sqlite);
    file.upTo(19);
    const db = file.sqlite;
    const dirty = () =>
      db.prepare('SELECT dirty_from, built_at FROM dashboard_state WHERE brand_id = ?').get(brand) as {
        dirty_from: number | null;
        built_at: number | null;
      };
    expect(dirty()).toEqual({ dirty_from: null, built_at: null });
    // The high churn band's predicted value is read from the index alone.
    expect((db.pragma('index_info(predictions_brand_churn_idx)') as { name: string }[]).map((c) => c.name)).toEqual([
      'brand_id',
      'churn_score',
      'ltv_score',
    ]);
    const profile = Number(
      db.prepare('INSERT INTO customer_profile (brand_id, created_at, updated_at) VALUES (?, 1, 1)').run(brand)
        .lastInsertRowid,
    );
    const other = Number(
      db.prepare('INSERT INTO customer_profile (brand_id, created_at, updated_at) VALUES (?, 1, 1)').run(brand)
        .lastInsertRowid,
    );
    let n = 0;
    const add = (type: string, at: number, order: string | null = null, who: number | null = profile) =>
      Number(
        db
          .prepare(
            `INSERT INTO customer_raw_event (brand_id, event_type, source, external_id, payload, occurred_at, received_at,
               customer_profile_id, order_id) VALUES (?, ?, 'pos', ?, '{"total": 10}', ?, 1, ?, ?)`,
          )
          .run(brand, type, `e${n++}`, at, who, order).lastInsertRowid,
      );
    const clear = () => db.prepare('UPDATE dashboard_state SET dirty_from = NULL').run();

    add('product_view', 50);
    expect(dirty().dirty_from).toBeNull();
    const sale = add('purchase', 500, 'A1');
    expect(dirty().dirty_from).toBe(500);
    add('purchase', 700);
    expect(dirty().dirty_from).toBe(500);
    add('refund', 300, 'A1');
    expect(dirty().dirty_from).toBe(300);
    clear();
    // A cancellation on day 900 marks its order's purchase (day 500): that period loses the order.
    add('cancellation', 900, 'A1');
    expect(dirty().dirty_from).toBe(500);
    clear();
    db.prepare('UPDATE customer_raw_event SET customer_profile_id = ? WHERE id = ?').run(other, sale);
    expect(dirty().dirty_from).toBe(500);
    clear();
    db.prepare("UPDATE customer_raw_event SET received_at = 2 WHERE event_type = 'purchase'").run();
    expect(dirty().dirty_from).toBeNull();
    db.prepare('DELETE FROM customer_raw_event WHERE id = ?').run(sale);
    expect(dirty().dirty_from).toBe(500);
    file.close();
  });
});
