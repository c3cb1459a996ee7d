/**
 * A tiny shop on a real data file for the product tests (recommendations, intent): one brand, customers with
 * nothing but an id, and events written straight into the table (no ingestion), each its own file in `dir`.
 */
import { join } from 'node:path';
import { type Database, openDatabase } from '../../main/core/db/open';

let files = 0;

export class ProductShop {
  readonly db: Database;
  protected events = 0;

  constructor(dir: string) {
    this.db = openDatabase(join(dir, `shop-${files++}.db`));
    this.db.sqlite
      .prepare(
        "INSERT INTO brand (id, name, default_country, currency, created_at, updated_at) VALUES (1, 'Shop', 'GB', 'GBP', 0, 0)",
      )
      .run();
  }

  customer(): number {
    return Number(
      this.db.sqlite.prepare('INSERT INTO customer_profile (brand_id, created_at, updated_at) VALUES (1, 0, 0)').run()
        .lastInsertRowid,
    );
  }

  /** One event of the customer's at `at`; `orderId` also fills the order column (the payload is as given). */
  event(profileId: number, type: string, at: number, payload: Record<string, unknown>, orderId?: string): void {
    this.db.sqlite
      .prepare(
        `INSERT INTO customer_raw_event (brand_id, event_type, source, external_id, payload, occurred_at, received_at,
           customer_profile_id, order_id) VALUES (1, ?, 'test', ?, ?, ?, ?, ?, ?)`,
      )
      .run(type, `e${this.events++}`, JSON.stringify(payload), at, at, profileId, orderId ?? null);
  }

  close(): void {
    this.db.close();
  }
}
