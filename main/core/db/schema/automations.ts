/**
 * Marketing automations (a trigger, conditions and an action on a channel),
 * each time one fired for a customer, and the outbox of messages waiting to
 * be sent.
 */
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { MESSAGE_STATUSES } from '../../../../shared/contract/messages';
import { brand } from './brand';
import { customerProfile } from './identity';

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
    /** The trigger's type (shared/contract/automations.ts), also inside `definition`: for lookups by kind. */
    triggerType: text('trigger_type').notNull(),
    /** JSON: { trigger, conditions, actions } as the contract's automationInputSchema parses them. */
    definition: text('definition').notNull(),
    recipe: text('recipe'),
    /** 1 is the highest. */
    priority: integer('priority').notNull().default(10),
    enabled: integer('enabled', { mode: 'boolean' }).notNull().default(false),
    /** Minimum days between two firings for the same customer. */
    cooldownDays: integer('cooldown_days').notNull().default(30),
    /**
     * When it was last switched on or run by hand: state triggers handle everyone already in the state then; after
     * it, only crossings that happen later (a lapse dated before it, say from an imported history, never fires).
     */
    armedAt: integer('armed_at'),
    lastRunAt: integer('last_run_at'),
    /** Switched on or Run now, and not finished yet (a crash part-way): done again at the next start or tick. */
    armPending: integer('arm_pending', { mode: 'boolean' }).notNull().default(false),
    /** New scores arrived and its crossings are not all evaluated yet (done in batches, resumed after a crash). */
    scoresPending: integer('scores_pending', { mode: 'boolean' }).notNull().default(false),
    /** Time-based triggers: crossings dated up to here were looked at; the next tick looks after it only. */
    sweptAt: integer('swept_at'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('marketing_automation_brand_idx').on(t.brandId, t.enabled)],
);

/**
 * An occasion an automation met for a customer (the ledger that makes it fire once): unique per automation and
 * occasion key (`cart:<event id>`, `ltv:500`, `churn:<entered at>`…). `status` is where it stands now: waiting (for
 * the cart's delay or a wait action, until `resumeAt`, at action `step`), fired, skipped, held, failed, cancelled.
 */
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
    profileId: integer('profile_id').references(() => customerProfile.id, { onDelete: 'cascade' }),
    /** One firing per automation, customer and occasion. */
    dedupeKey: text('dedupe_key').notNull(),
    status: text('status').notNull(),
    detail: text('detail'),
    /** The next action to run (after a wait), and when. */
    step: integer('step').notNull().default(0),
    resumeAt: integer('resume_at'),
    /** When the occasion happened (the cart added, the threshold crossed). */
    occurredAt: integer('occurred_at'),
    createdAt: integer('created_at').notNull(),
    executedAt: integer('executed_at'),
    /**
     * Drawn when every guard had passed and a message was about to be written: `messaged`, `held_out` (the
     * automation's comparison share) or `comparison_group` (the shop-wide group that gets no automated marketing).
     * "Did it help?" compares what each arm bought in the days after `arm_at`, adjusted for the churn risk and
     * predicted value the customer had then (`churn_at`, `value_at`; null when not scored).
     */
    arm: text('arm'),
    armAt: integer('arm_at'),
    churnAt: real('churn_at'),
    valueAt: real('value_at'),
  },
  (t) => [
    uniqueIndex('automation_execution_dedupe_uq').on(t.automationId, t.dedupeKey),
    index('automation_execution_profile_idx').on(t.profileId, t.automationId),
    // No (automation, status) index: the unique key leads with the automation, and what waits is found by status
    // (waiting_idx). One index fewer to write for each of the 100,000 occasions a sweep opens and updates.
    // Only waiting occasions are looked up by status: the index holds those alone, so an occasion opened and then
    // fired or held (nearly all of them) never touches it.
    index('automation_execution_waiting_idx').on(t.resumeAt).where(sql`status = 'waiting'`),
  ],
);

/** Every decision that matters, with its reason in words: what Customer 360 and the execution log show. */
export const automationDecision = sqliteTable(
  'automation_decision',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    brandId: integer('brand_id')
      .notNull()
      .references(() => brand.id),
    automationId: integer('automation_id')
      .notNull()
      .references(() => marketingAutomation.id, { onDelete: 'cascade' }),
    profileId: integer('profile_id').references(() => customerProfile.id, { onDelete: 'cascade' }),
    executionId: integer('execution_id').references(() => automationExecution.id, { onDelete: 'cascade' }),
    /** fired, skipped, waiting, held, failed, cancelled. */
    outcome: text('outcome').notNull(),
    /** Which guard stopped it (occasion, cooldown, frequency_cap, consent, paused, daily_cap, quiet_hours, conditions…). */
    guard: text('guard'),
    reason: text('reason').notNull(),
    outboxId: integer('outbox_id'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    index('automation_decision_profile_idx').on(t.profileId, t.automationId, t.id),
    index('automation_decision_automation_idx').on(t.automationId, t.id),
    index('automation_decision_execution_idx').on(t.executionId),
  ],
);

/** Tags the shop (or an automation) put on customers: they filter Customers and are automation conditions. */
export const profileTag = sqliteTable(
  'profile_tag',
  {
    profileId: integer('profile_id')
      .notNull()
      .references(() => customerProfile.id, { onDelete: 'cascade' }),
    tag: text('tag').notNull(),
    /** automation:<id>, shop. */
    source: text('source').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.profileId, t.tag] }), index('profile_tag_tag_idx').on(t.tag)],
);

/** URL calls an automation asked for: written before the call, then sent once (a signed POST). */
export const automationCall = sqliteTable(
  'automation_call',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    brandId: integer('brand_id')
      .notNull()
      .references(() => brand.id),
    executionId: integer('execution_id').references(() => automationExecution.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    body: text('body').notNull(),
    /** pending → sending → done / failed / unknown. */
    status: text('status').notNull().default('pending'),
    detail: text('detail'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('automation_call_status_idx').on(t.status), index('automation_call_execution_idx').on(t.executionId)],
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
    // Looked up by the provider's id once sent (`= ?` implies not null): rows waiting to go are not in it.
    index('message_outbox_provider_idx').on(t.providerMessageId).where(sql`provider_message_id IS NOT NULL`),
    index('message_outbox_execution_idx').on(t.executionId),
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
