/**
 * Brands (shops) and app-wide settings. Most installs have one brand; several
 * Shopify stores on one PC are several brands, and every customer table
 * carries `brand_id` so their customers never mix.
 */
import { sql } from 'drizzle-orm';
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const brand = sqliteTable('brand', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  /** ISO 3166 alpha-2 country used to read phone numbers written without +code. */
  defaultCountry: text('default_country').notNull(),
  /** ISO 4217 currency the shop reports in. */
  currency: text('currency').notNull().default('USD'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/** Key/value settings; values are JSON, validated by the contract on the way in. */
export const setting = sqliteTable('setting', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: integer('updated_at').notNull().default(sql`(unixepoch() * 1000)`),
});
