/**
 * Marketing automations (a trigger, conditions and an action on a channel),
 * each time one fired for a customer, and the outbox of messages waiting to
 * be sent.
 */
import { index, integer, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { MESSAGE_STATUSES } from '../../../../shared/contract/messages';
import { brand } from './brand';
import { customerProfile } from './identity';

export const AUTOMATION_TRIGGERS = ['churn_risk', 'abandoned_cart', 'product_intent', 'ltv_milestone'] as const;
export const CHANNELS = ['whatsapp', 'email', 'sms'] as const;
/** yes / no as the customer said; opted_out: they withdrew (STOP, unsubscribe) and only their own later yes undoes it. */
export const CONSENT_STATES = ['yes', 'no', 'opted_out'] as const;

export const marketingAutomation = sqliteTable(
  'marketing_automation',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    brandId: integer('brand_id')
      .notNull()
      .references(() => brand.id),
    name: text('name').notNull(),
    triggerType: text('trigger_type', { enum: AUTOMATION_TRIGGERS }).notNull(),
    /** JSON: trigger thresholds and conditions. */
    conditions: text('conditions').notNull().default('{}'),
    channel: text('channel', { enum: CHANNELS }).notNull(),
    /** JSON: the message template and action options. */
    action: text('action').notNull(),
    enabled: integer('enabled', { mode: 'boolean' }).notNull().default(false),
    /** Minimum days between two firings for the same customer. */
    cooldownDays: integer('cooldown_days').notNull().default(30),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('marketing_automation_brand_idx').on(t.brandId, t.enabled)],
);

export const automationExecution = sqliteTable(
  'automation_execution',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    brandId: integer('brand_id')
      .notNull()
      .references(() => brand.id),
    automationId: integer('automation_id')
      .notNull()
      .references(() => marketingAutomation.id, { onDelete: 'cascade' }),
    profileId: integer('profile_id').references(() => customerProfile.id, { onDelete: 'set null' }),
    /** One firing per automation, customer and occasion. */
    dedupeKey: text('dedupe_key').notNull(),
    status: text('status', { enum: ['queued', 'sent', 'skipped', 'failed'] }).notNull(),
    detail: text('detail'),
    createdAt: integer('created_at').notNull(),
    executedAt: integer('executed_at'),
  },
  (t) => [
    uniqueIndex('automation_execution_dedupe_uq').on(t.automationId, t.dedupeKey),
    index('automation_execution_profile_idx').on(t.profileId),
  ],
);

export const messageOutbox = sqliteTable(
  'message_outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    brandId: integer('brand_id')
      .notNull()
      .references(() => brand.id),
    executionId: integer('execution_id').references(() => automationExecution.id, { onDelete: 'set null' }),
    channel: text('channel', { enum: CHANNELS }).notNull(),
    recipient: text('recipient').notNull(),
    /** JSON: rendered subject/body or template parameters. */
    body: text('body').notNull(),
    /**
     * pending → sending (committed before the provider is called) → sent → delivered / read; or held (quiet hours,
     * a cap, sending paused), failed (the provider certainly refused), unknown (the request may have gone out and
     * no answer came: shown, never resent by itself), cancelled.
     */
    status: text('status', { enum: MESSAGE_STATUSES }).notNull().default('pending'),
    /** Why it is held, failed or unknown, in the shop's words. */
    statusReason: text('status_reason'),
    profileId: integer('profile_id').references(() => customerProfile.id, { onDelete: 'set null' }),
    /** Marketing needs a yes on the channel and keeps quiet hours; service (a reply in WhatsApp's window) does not. */
    kind: text('kind', { enum: ['marketing', 'service'] })
      .notNull()
      .default('marketing'),
    /** What asked for it: customer360, cli, automation, campaign, test. */
    source: text('source').notNull().default('customer360'),
    /** Price per message the shop entered for the channel, at the time of sending. */
    cost: real('cost'),
    currency: text('currency'),
    sendingAt: integer('sending_at'),
    updatedAt: integer('updated_at'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    lastError: text('last_error'),
    providerMessageId: text('provider_message_id'),
    createdAt: integer('created_at').notNull(),
    sentAt: integer('sent_at'),
  },
  (t) => [
    index('message_outbox_pending_idx').on(t.status, t.nextAttemptAt),
    index('message_outbox_profile_idx').on(t.profileId),
    index('message_outbox_provider_idx').on(t.providerMessageId),
  ],
);

/**
 * Every consent or opt-out a customer gave or withdrew, per channel, with where it came from: the history Customer
 * 360 shows, and what decides whether marketing may go out (an opt-out is reversed only by the customer's own later,
 * dated yes).
 */
export const consentEvent = sqliteTable(
  'consent_event',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    brandId: integer('brand_id')
      .notNull()
      .references(() => brand.id),
    profileId: integer('profile_id')
      .notNull()
      .references(() => customerProfile.id, { onDelete: 'cascade' }),
    channel: text('channel', { enum: CHANNELS }).notNull(),
    state: text('state', { enum: CONSENT_STATES }).notNull(),
    /** shopify, import, api, shop (set by hand), keyword (STOP/START), provider (WhatsApp 131050, Twilio 21610), unsubscribe. */
    source: text('source').notNull(),
    detail: text('detail'),
    /** When the customer said it, if the source dates it; null for an undated import. */
    occurredAt: integer('occurred_at'),
    recordedAt: integer('recorded_at').notNull(),
  },
  (t) => [index('consent_event_profile_idx').on(t.profileId, t.channel, t.recordedAt)],
);

/** Messages customers sent the shop (inbound SMS; WhatsApp messages also arrive as events). */
export const messageIn = sqliteTable(
  'message_in',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    brandId: integer('brand_id')
      .notNull()
      .references(() => brand.id),
    profileId: integer('profile_id').references(() => customerProfile.id, { onDelete: 'set null' }),
    channel: text('channel', { enum: CHANNELS }).notNull(),
    fromAddress: text('from_address').notNull(),
    body: text('body').notNull(),
    providerMessageId: text('provider_message_id'),
    receivedAt: integer('received_at').notNull(),
  },
  (t) => [
    index('message_in_profile_idx').on(t.profileId),
    uniqueIndex('message_in_provider_uq').on(t.channel, t.providerMessageId),
  ],
);
