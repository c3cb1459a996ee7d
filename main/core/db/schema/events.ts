/**
 * Every event from every source, exactly as received plus the profile it was
 * resolved to. (brand, source, external id) is the natural key that makes a
 * repeated delivery or re-import a no-op.
 */
import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { brand } from './brand';
import { customerProfile } from './identity';

export const customerRawEvent = sqliteTable(
  'customer_raw_event',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    brandId: integer('brand_id')
      .notNull()
      .references(() => brand.id),
    eventType: text('event_type').notNull(),
    source: text('source').notNull(),
    externalId: text('external_id'),
    /** JSON payload in the canonical event vocabulary. */
    payload: text('payload').notNull(),
    /** JSON array of [type, normalised value] the event carried: used to re-resolve it after an undo. */
    identifiers: text('identifiers').notNull().default('[]'),
    /** Identifier values that could not be used (an unparseable phone…), kept as they came: JSON. */
    unusedIdentifiers: text('unused_identifiers'),
    occurredAt: integer('occurred_at').notNull(),
    receivedAt: integer('received_at').notNull(),
    customerProfileId: integer('customer_profile_id').references(() => customerProfile.id, {
      onDelete: 'set null',
    }),
    /** The payload's order id, kept beside it so an order's events are found by index (totals, refunds). */
    orderId: text('order_id'),
  },
  (t) => [
    uniqueIndex('customer_raw_event_natural_key_uq').on(t.brandId, t.source, t.externalId),
    index('customer_raw_event_profile_time_idx').on(t.customerProfileId, t.occurredAt),
    index('customer_raw_event_brand_type_time_idx').on(t.brandId, t.eventType, t.occurredAt),
    index('customer_raw_event_brand_order_idx').on(t.brandId, t.orderId).where(sql`order_id IS NOT NULL`),
  ],
);
