/**
 * Migration 0022: a counter that moves whenever who holds an identifier or a customer's name changes — and only
 * then (an import's thread keeps who-is-who across its chunks until it moves).
 */
import { describe, expect, it } from 'vitest';
import { addBrand, steppedFile } from './steps';

describe('migration 0022 (identity version)', () => {
  it('starts at 0 and moves on identifier and name changes, not on totals', () => {
    const file = steppedFile();
    file.upTo(22);
    const db = file.sqlite;
    const brand = addBrand(db);
    const n = () => db.prepare('SELECT n FROM identity_version WHERE id = 1').pluck().get() as number;
    expect(n()).toBe(0);
    const profile = Number(
      db.prepare('INSERT INTO customer_profile (brand_id, created_at, updated_at) VALUES (?, 0, 0)').run(brand)
        .lastInsertRowid,
    );
    expect(n()).toBe(0);
    const identifier = Number(
      db
        .prepare(
          "INSERT INTO profile_identifier (brand_id, profile_id, type, value, source, first_seen_at) VALUES (?, ?, 'email', 'a@example.com', 'api', 0)",
        )
        .run(brand, profile).lastInsertRowid,
    );
    expect(n()).toBe(1);
    db.prepare('UPDATE customer_profile SET lifetime_value = 10, total_orders = 1 WHERE id = ?').run(profile);
    expect(n()).toBe(1);
    db.prepare("UPDATE customer_profile SET first_name = 'Ann' WHERE id = ?").run(profile);
    expect(n()).toBe(2);
    db.prepare('UPDATE profile_identifier SET shared = 1 WHERE id = ?').run(identifier);
    expect(n()).toBe(3);
    db.prepare('DELETE FROM profile_identifier WHERE id = ?').run(identifier);
    expect(n()).toBe(4);
    db.prepare('DELETE FROM customer_profile WHERE id = ?').run(profile);
    expect(n()).toBe(5);
    file.close();
  });
});
