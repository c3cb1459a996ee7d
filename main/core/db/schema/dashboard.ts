/**
 * The Dashboard's sales figures per week and per month (`sales_period`), kept so the Dashboard answers without
 * reading every sale: each period's revenue, refunds, orders, buyers (new and returning) and walk-in sales, in the
 * shop's time zone. `dashboard_state.dirty_from` is the earliest sale time whose periods must be worked out again:
 * triggers on `customer_raw_event` (migration 0019) lower it whenever a purchase, refund or cancellation is added,
 * removed, moved to another customer (a merge, its undo, an erasure) or changed, from any process writing the file.
 */
import { integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { brand } from './brand';

export const salesPeriod = sqliteTable(
  'sales_period',
  {
    brandId: integer('brand_id')
      .notNull()
      .references(() => brand.id),
    /** 'week' (from Monday) or 'month', in the shop's time zone. */
    kind: text('kind').notNull(),
    /** The period's first instant (epoch ms). */
    start: integer('start').notNull(),
    revenue: real('revenue').notNull().default(0),
    refunds: real('refunds').notNull().default(0),
    orders: integer('orders').notNull().default(0),
    buyers: integer('buyers').notNull().default(0),
    newBuyers: integer('new_buyers').notNull().default(0),
    returningBuyers: integer('returning_buyers').notNull().default(0),
    walkInOrders: integer('walk_in_orders').notNull().default(0),
    walkInRevenue: real('walk_in_revenue').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.brandId, t.kind, t.start] })],
);

export const dashboardState = sqliteTable('dashboard_state', {
  brandId: integer('brand_id')
    .primaryKey()
    .references(() => brand.id),
  /** Periods from this instant on are to be worked out again; null: all are current. */
  dirtyFrom: integer('dirty_from'),
  /** The time zone the stored periods were cut in (a change of zone works them all out again). */
  timeZone: text('time_zone'),
  builtAt: integer('built_at'),
});
