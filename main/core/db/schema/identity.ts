/**
 * Customer profiles and what identifies them: the identifier table is the
 * matching index (one row per brand, type and normalised value), merge history
 * holds what is needed to undo a merge, and the review queue holds merges a
 * person must decide.
 */
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { IDENTIFIER_TYPES } from '../../../../shared/events';
import { brand } from './brand';

export const customerProfile = sqliteTable(
  'customer_profile',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    brandId: integer('brand_id')
      .notNull()
      .references(() => brand.id),
    firstName: text('first_name'),
    lastName: text('last_name'),
    /** Lower-cased "first last" and "last", for name-prefix search. */
    searchName: text('search_name'),
    searchLast: text('search_last'),
    /** Net spend: purchases less refunds and cancellations, in the brand's currency. */
    lifetimeValue: real('lifetime_value').notNull().default(0),
    totalOrders: integer('total_orders').notNull().default(0),
    /** How sure we are this is one real person, from the identifiers held. */
    strength: real('strength').notNull().default(0),
    emailConsent: integer('email_consent', { mode: 'boolean' }),
    smsConsent: integer('sms_consent', { mode: 'boolean' }),
    whatsappConsent: integer('whatsapp_consent', { mode: 'boolean' }),
    firstSeenAt: integer('first_seen_at'),
    lastSeenAt: integer('last_seen_at'),
    lastPurchaseAt: integer('last_purchase_at'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    index('customer_profile_brand_ltv_idx').on(t.brandId, t.lifetimeValue),
    index('customer_profile_brand_last_seen_idx').on(t.brandId, t.lastSeenAt),
    index('customer_profile_brand_name_idx').on(t.brandId, t.lastName, t.firstName),
    index('customer_profile_brand_search_idx').on(t.brandId, t.searchName),
    index('customer_profile_brand_search_last_idx').on(t.brandId, t.searchLast),
  ],
);

/**
 * What an import has added to profiles' totals and not yet written to them (see ingest-batch.ts): a profile's
 * totals plus its row here are always what its events add up to. Rows are written with their events, in the same
 * transaction, and settled into customer_profile when the import ends (or when the app starts after a crash);
 * recomputing a profile's totals from its events drops its row.
 */
export const profilePendingTotals = sqliteTable('profile_pending_totals', {
  profileId: integer('profile_id')
    .primaryKey()
    .references(() => customerProfile.id, { onDelete: 'cascade' }),
  cents: integer('cents').notNull(),
  orders: integer('orders').notNull(),
  lastPurchaseAt: integer('last_purchase_at'),
  firstSeenAt: integer('first_seen_at').notNull(),
  lastSeenAt: integer('last_seen_at').notNull(),
});

export const profileIdentifier = sqliteTable(
  'profile_identifier',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    brandId: integer('brand_id')
      .notNull()
      .references(() => brand.id),
    profileId: integer('profile_id')
      .notNull()
      .references(() => customerProfile.id, { onDelete: 'cascade' }),
    type: text('type', { enum: IDENTIFIER_TYPES }).notNull(),
    /** Normalised form used for matching (lower-cased email, E.164 phone…). */
    value: text('value').notNull(),
    /** As it first arrived, for showing where it came from. */
    rawValue: text('raw_value'),
    source: text('source').notNull(),
    firstSeenAt: integer('first_seen_at').notNull(),
    /**
     * Seen with people who are plainly different (a family phone, a shop tablet): it stays with the
     * profile that had it first, but only decides a match when an event carries nothing better.
     */
    shared: integer('shared', { mode: 'boolean' }).notNull().default(false),
  },
  (t) => [
    uniqueIndex('profile_identifier_brand_type_value_uq').on(t.brandId, t.type, t.value),
    index('profile_identifier_profile_idx').on(t.profileId),
  ],
);

export const mergeHistory = sqliteTable(
  'merge_history',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    brandId: integer('brand_id')
      .notNull()
      .references(() => brand.id),
    /** The profile that survived. */
    baseProfileId: integer('base_profile_id').notNull(),
    /** JSON array of the profile ids merged into the base. */
    mergedProfileIds: text('merged_profile_ids').notNull(),
    /** JSON snapshot of every merged profile, its identifiers and event ids: enough to undo. */
    snapshot: text('snapshot').notNull(),
    /** 'automatic' or 'review'. */
    reason: text('reason').notNull(),
    /** JSON: which identifier values linked the profiles. */
    evidence: text('evidence').notNull(),
    createdAt: integer('created_at').notNull(),
    undoneAt: integer('undone_at'),
  },
  (t) => [index('merge_history_base_idx').on(t.baseProfileId)],
);

export const mergeReview = sqliteTable(
  'merge_review',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    brandId: integer('brand_id')
      .notNull()
      .references(() => brand.id),
    /** JSON array of candidate profile ids. */
    candidateProfileIds: text('candidate_profile_ids').notNull(),
    /** JSON: identifier values, which profiles they link, from which source. */
    evidence: text('evidence').notNull(),
    /** Stable key of the evidence, so a rejected set is never proposed again on it. */
    evidenceKey: text('evidence_key').notNull(),
    status: text('status', { enum: ['pending', 'approved', 'rejected', 'superseded'] })
      .notNull()
      .default('pending'),
    createdAt: integer('created_at').notNull(),
    decidedAt: integer('decided_at'),
    mergeHistoryId: integer('merge_history_id').references(() => mergeHistory.id),
  },
  (t) => [index('merge_review_brand_status_idx').on(t.brandId, t.status)],
);

/** Where a merged-away profile went, so old links and API ids still lead somewhere. */
export const profileRedirect = sqliteTable('profile_redirect', {
  fromProfileId: integer('from_profile_id').primaryKey(),
  toProfileId: integer('to_profile_id').notNull(),
  mergeHistoryId: integer('merge_history_id')
    .notNull()
    .references(() => mergeHistory.id),
});

/**
 * Pairs a person said are different people (a rejected review, an undone
 * merge), with the identifier values that linked them then: the same
 * evidence never proposes them together again.
 */
export const profileSeparation = sqliteTable(
  'profile_separation',
  {
    brandId: integer('brand_id')
      .notNull()
      .references(() => brand.id),
    profileA: integer('profile_a').notNull(),
    profileB: integer('profile_b').notNull(),
    /** JSON array of "type:value" keys that linked them. */
    evidence: text('evidence').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.brandId, t.profileA, t.profileB] })],
);

/**
 * Who uses a shared value (a family's phone, a home tablet's cookie): the
 * identifier row stays with the profile that had it first, and each other
 * person seen with it is recorded here, so a till sale on the family phone
 * goes to the family member named on the receipt. Profile ids are followed
 * through `profile_redirect` after merges (no foreign key: a merged-away id
 * comes back on undo).
 */
export const sharedIdentifierUse = sqliteTable(
  'shared_identifier_use',
  {
    brandId: integer('brand_id')
      .notNull()
      .references(() => brand.id),
    type: text('type', { enum: IDENTIFIER_TYPES }).notNull(),
    value: text('value').notNull(),
    profileId: integer('profile_id').notNull(),
    firstSeenAt: integer('first_seen_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.brandId, t.type, t.value, t.profileId] }),
    index('shared_identifier_use_profile_idx').on(t.profileId),
  ],
);

/**
 * A counter that moves whenever who holds an identifier, or a customer's name, changes (triggers in migration
 * 0022): an import's thread keeps who-is-who in memory across its chunks and forgets it only when this moved
 * under it, not whenever anything at all was written meanwhile (a stream's progress, a message's status).
 */
export const identityVersion = sqliteTable('identity_version', {
  id: integer('id').primaryKey(),
  n: integer('n').notNull().default(0),
});
