/**
 * Marketing automations (a trigger, conditions and an action on a channel),
 * each time one fired for a customer, and the outbox of messages waiting to
 * be sent.
 */
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { brand } from './brand';
import { customerProfile } from './identity';

export const AUTOMATION_TRIGGERS = ['churn_risk', 'abandoned_cart', 'product_intent', 'ltv_milestone'] as const;
export const CHANNELS = ['whatsapp', 'email', 'sms'] as const;

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
    status: text('status', { enum: ['pending', 'sent', 'failed'] })
      .notNull()
      .default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    lastError: text('last_error'),
    providerMessageId: text('provider_message_id'),
    createdAt: integer('created_at').notNull(),
    sentAt: integer('sent_at'),
  },
  (t) => [index('message_outbox_pending_idx').on(t.status, t.nextAttemptAt)],
);
