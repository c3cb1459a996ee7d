/**
 * Connections to outside systems and what they delivered. Secrets are not
 * here: they live in the secret store (main/core/secrets). Every webhook
 * delivery gets a log row; only verified deliveries keep their body.
 */
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { DELIVERY_OUTCOMES } from '../../../../shared/contract/connections';
import { brand } from './brand';

export const shopifyConnection = sqliteTable('shopify_connection', {
  /** One Shopify store per brand. */
  brandId: integer('brand_id')
    .primaryKey()
    .references(() => brand.id),
  /** The store's myshopify.com domain, as Shopify sends it in X-Shopify-Shop-Domain. */
  shopDomain: text('shop_domain').notNull().unique(),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

export const webhookDelivery = sqliteTable(
  'webhook_delivery',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** 'shopify' or 'whatsapp'. */
    provider: text('provider').notNull(),
    brandId: integer('brand_id').references(() => brand.id),
    topic: text('topic'),
    /** The sender's delivery id (X-Shopify-Event-Id…); unique per provider, so a repeat is a no-op. */
    deliveryKey: text('delivery_key'),
    /** The older, retry-constant id Shopify also sends (X-Shopify-Webhook-Id). */
    webhookId: text('webhook_id'),
    outcome: text('outcome', { enum: DELIVERY_OUTCOMES }).notNull(),
    /** What was done or why not, in words. */
    detail: text('detail'),
    /** The raw body, only for verified deliveries. */
    body: text('body'),
    receivedAt: integer('received_at').notNull(),
    triggeredAt: integer('triggered_at'),
    eventCount: integer('event_count').notNull().default(0),
    /** Committed and acknowledged, not yet read into events (read in id order; see webhook-intake). */
    pending: integer('pending', { mode: 'boolean' }).notNull().default(false),
  },
  (t) => [
    uniqueIndex('webhook_delivery_key_uq').on(t.provider, t.deliveryKey),
    index('webhook_delivery_pending_idx').on(t.id).where(sql`pending = 1`),
    index('webhook_delivery_webhook_id_idx').on(t.provider, t.webhookId),
    index('webhook_delivery_received_idx').on(t.receivedAt),
  ],
);

/** Delivery receipts for messages the shop sent (WhatsApp statuses: sent, delivered, read, failed). */
export const messageDeliveryUpdate = sqliteTable(
  'message_delivery_update',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    brandId: integer('brand_id')
      .notNull()
      .references(() => brand.id),
    provider: text('provider').notNull(),
    /** The provider's message id (WhatsApp wamid) of the message we sent. */
    providerMessageId: text('provider_message_id').notNull(),
    status: text('status').notNull(),
    /** The customer's number as the provider sent it. */
    recipient: text('recipient'),
    /** JSON of the provider's error details, when the status is a failure. */
    errors: text('errors'),
    occurredAt: integer('occurred_at').notNull(),
    receivedAt: integer('received_at').notNull(),
  },
  (t) => [uniqueIndex('message_delivery_update_uq').on(t.provider, t.providerMessageId, t.status)],
);

/**
 * Shopify checkouts by token: a checkout not completed within the shop's delay
 * (default 2 hours) is abandoned; completing it later clears that.
 */
export const checkoutState = sqliteTable(
  'checkout_state',
  {
    brandId: integer('brand_id')
      .notNull()
      .references(() => brand.id),
    token: text('token').notNull(),
    /** JSON of the identifiers the checkout carried, as the ingestion path takes them. */
    identifiers: text('identifiers').notNull(),
    total: real('total'),
    currency: text('currency'),
    /** JSON array of canonical items. */
    items: text('items').notNull().default('[]'),
    checkoutUrl: text('checkout_url'),
    startedAt: integer('started_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    completedAt: integer('completed_at'),
    deletedAt: integer('deleted_at'),
    abandonedAt: integer('abandoned_at'),
  },
  (t) => [
    primaryKey({ columns: [t.brandId, t.token] }),
    index('checkout_state_open_idx').on(t.abandonedAt, t.completedAt, t.deletedAt, t.updatedAt),
  ],
);

/** What was done for a privacy request, without the personal data itself. */
export const privacyRequest = sqliteTable('privacy_request', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  brandId: integer('brand_id').notNull(),
  /** 'redact_customer', 'data_request' or 'redact_shop'. */
  kind: text('kind').notNull(),
  /** 'shopify' (a webhook) or 'shop' (asked for in the app). */
  requestedBy: text('requested_by').notNull(),
  profilesAffected: integer('profiles_affected').notNull().default(0),
  eventsAffected: integer('events_affected').notNull().default(0),
  /** For data requests: where the export was written. */
  exportPath: text('export_path'),
  createdAt: integer('created_at').notNull(),
});
