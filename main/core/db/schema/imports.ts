/**
 * File imports: each run of a file is a job (what was found in it, how far it
 * got, what it produced), and a mapping the shop changed can be saved as a
 * named preset, offered again for files with the same headers.
 */
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { brand } from './brand';

export const importJob = sqliteTable(
  'import_job',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    brandId: integer('brand_id')
      .notNull()
      .references(() => brand.id),
    fileName: text('file_name').notNull(),
    fileBytes: integer('file_bytes').notNull(),
    /** JSON of the recognition used (format, columns, encoding, delimiter, dates, decimal comma, country). */
    settings: text('settings').notNull(),
    /**
     * running → completed | cancelled | failed; a running job found at start was interrupted by a crash. Undoing an
     * import: removing (a removal cut short resumes at the next start) → removed.
     */
    status: text('status', {
      enum: ['running', 'completed', 'cancelled', 'failed', 'interrupted', 'removing', 'removed'],
    }).notNull(),
    bytesRead: integer('bytes_read').notNull().default(0),
    rowsRead: integer('rows_read').notNull().default(0),
    eventsCreated: integer('events_created').notNull().default(0),
    profilesCreated: integer('profiles_created').notNull().default(0),
    autoMerged: integer('auto_merged').notNull().default(0),
    queuedForReview: integer('queued_for_review').notNull().default(0),
    duplicates: integer('duplicates').notNull().default(0),
    rejected: integer('rejected').notNull().default(0),
    /** Sales with no customer (walk-ins, placeholders): counted in revenue, on no profile. */
    anonymousSales: integer('anonymous_sales').notNull().default(0),
    /** Phone numbers that could not be read (in the country chosen for numbers written without one): not stored. */
    phonesUnreadable: integer('phones_unreadable').notNull().default(0),
    /** Where the rejected rows were written (CSV with a `reason` column), when there were any. */
    rejectedFile: text('rejected_file'),
    error: text('error'),
    startedAt: integer('started_at').notNull(),
    finishedAt: integer('finished_at'),
    /** Undoing it: what it was before (shown if the removal cannot go on), when it began and ended, what went. */
    statusBeforeRemoval: text('status_before_removal'),
    removalStartedAt: integer('removal_started_at'),
    removedAt: integer('removed_at'),
    removedEvents: integer('removed_events').notNull().default(0),
    removedProfiles: integer('removed_profiles').notNull().default(0),
    undoneMerges: integer('undone_merges').notNull().default(0),
    /** Customers it had reached that stay (another event or a message names them): their totals were recomputed. */
    keptProfiles: integer('kept_profiles').notNull().default(0),
  },
  (t) => [index('import_job_brand_started_idx').on(t.brandId, t.startedAt)],
);

/**
 * What each committed chunk of an import wrote, as id ranges (after, last] per table: a chunk's transaction held
 * the data file's only write lock, so every row in a range is the import's. Undoing the import removes exactly
 * these (import/undo-import.ts). A range with after = last means the chunk wrote none of that table.
 */
export const importChunk = sqliteTable(
  'import_chunk',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    jobId: integer('job_id')
      .notNull()
      .references(() => importJob.id, { onDelete: 'cascade' }),
    eventsAfter: integer('events_after').notNull(),
    eventsLast: integer('events_last').notNull(),
    profilesAfter: integer('profiles_after').notNull(),
    profilesLast: integer('profiles_last').notNull(),
    identifiersAfter: integer('identifiers_after').notNull(),
    identifiersLast: integer('identifiers_last').notNull(),
    mergesAfter: integer('merges_after').notNull(),
    mergesLast: integer('merges_last').notNull(),
    reviewsAfter: integer('reviews_after').notNull(),
    reviewsLast: integer('reviews_last').notNull(),
    consentsAfter: integer('consents_after').notNull(),
    consentsLast: integer('consents_last').notNull(),
    /** JSON array of the identifiers (ids) the chunk marked shared (seen with someone else): unmarked on undo. */
    sharedMarked: text('shared_marked'),
  },
  (t) => [index('import_chunk_job_idx').on(t.jobId)],
);

export const importPreset = sqliteTable(
  'import_preset',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    brandId: integer('brand_id')
      .notNull()
      .references(() => brand.id),
    name: text('name').notNull(),
    /** Normalised header row: a file with the same headers is offered this preset. */
    headerKey: text('header_key').notNull(),
    /** JSON of the mapping: format, column roles, date order, decimal comma, default country. */
    settings: text('settings').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('import_preset_brand_name_uq').on(t.brandId, t.name),
    index('import_preset_header_idx').on(t.brandId, t.headerKey),
  ],
);
