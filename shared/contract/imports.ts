/**
 * Imports: a file dropped on the window (or picked) is registered — by its
 * path in the desktop app, or streamed to `POST /files` in a browser — then
 * previewed, started as a job with progress and Cancel, and kept in the job
 * history. Rejected rows download from `GET /imports/<job>/rejected.csv`.
 */
import { z } from 'zod';
import { command } from './define';

export const IMPORT_FORMATS = [
  'shopify_customers',
  'shopify_orders',
  'square_item_sales',
  'loyverse_receipts',
  'lightspeed_customers',
  'generic_customers',
  'generic_transactions',
] as const;

export const IMPORT_COLUMN_ROLES = [
  'ignore',
  'customer_id',
  'email',
  'phone',
  'phone_alt',
  'first_name',
  'last_name',
  'full_name',
  'loyalty_id',
  'contacts',
  'order_id',
  'date',
  'time',
  'time_zone',
  'datetime',
  'order_total',
  'line_total',
  'line_quantity',
  'line_title',
  'line_sku',
  'line_price',
  'category',
  'refund_amount',
  'record_type',
  'currency',
  'email_consent',
  'sms_consent',
  'whatsapp_consent',
] as const;

export const importChoicesSchema = z
  .object({
    format: z.enum(IMPORT_FORMATS).optional(),
    roles: z.array(z.enum(IMPORT_COLUMN_ROLES)).max(500).optional(),
    dateOrder: z.enum(['DMY', 'MDY', 'YMD']).optional(),
    decimalComma: z.boolean().optional(),
    delimiter: z.enum([',', ';', '\t']).optional(),
    encoding: z.enum(['utf-8', 'utf-16le', 'utf-16be', 'windows-1252']).optional(),
    defaultCountry: z
      .string()
      .regex(/^[A-Za-z]{2}$/, 'must be a two-letter country code such as GB')
      .transform((c) => c.toUpperCase())
      .optional(),
  })
  .strict();
export type ImportChoicesInput = z.input<typeof importChoicesSchema>;

const fileRefSchema = z.object({ fileId: z.string(), name: z.string(), bytes: z.number().int() });
export type ImportFileRef = z.output<typeof fileRefSchema>;

export const importSettingsSchema = z.object({
  encoding: z.string(),
  delimiter: z.string(),
  decimalComma: z.boolean(),
  format: z.enum(IMPORT_FORMATS),
  headers: z.array(z.string()),
  roles: z.array(z.enum(IMPORT_COLUMN_ROLES)),
  dateOrder: z.enum(['DMY', 'MDY', 'YMD']),
  dateAmbiguous: z.boolean(),
  warnings: z.array(z.string()),
  defaultCountry: z.string(),
});

export const importPreviewSchema = z.object({
  settings: importSettingsSchema,
  headerKey: z.string(),
  /** The columns this import leaves out (not understood, or of no use to this kind of file), by header. */
  notImported: z.array(z.string()),
  /**
   * The phone numbers of the file's first rows, read in the country chosen for numbers written without one: how
   * many, how many cannot be read, and another country that reads most of them (offered in the preview).
   */
  phones: z.object({
    checked: z.number().int(),
    unreadable: z.number().int(),
    suggestion: z.object({ country: z.string(), name: z.string(), readable: z.number().int() }).nullable(),
  }),
  rows: z.array(
    z.object({ row: z.number().int(), cells: z.array(z.string()), becomes: z.string(), rejected: z.boolean() }),
  ),
  presets: z.array(z.object({ name: z.string(), settings: importChoicesSchema })),
});
export type ImportPreview = z.output<typeof importPreviewSchema>;

export const importJobSchema = z.object({
  id: z.number().int(),
  fileName: z.string(),
  fileBytes: z.number().int(),
  format: z.string(),
  /** removing: being undone (in steps, going on after a restart); removed: undone. */
  status: z.enum(['running', 'completed', 'cancelled', 'failed', 'interrupted', 'removing', 'removed']),
  bytesRead: z.number().int(),
  rowsRead: z.number().int(),
  eventsCreated: z.number().int(),
  profilesCreated: z.number().int(),
  autoMerged: z.number().int(),
  queuedForReview: z.number().int(),
  duplicates: z.number().int(),
  rejected: z.number().int(),
  anonymousSales: z.number().int(),
  /** Phone numbers that could not be read (in the country for numbers written without one): not stored. */
  phonesUnreadable: z.number().int(),
  /** Where to download the rejected rows (a CSV with a `reason` column), when there are any. */
  rejectedUrl: z.string().nullable(),
  error: z.string().nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  /** Undoing it, once asked for: when, and what went so far (events, customers it created, merges it caused). */
  removal: z
    .object({
      startedAt: z.string(),
      finishedAt: z.string().nullable(),
      events: z.number().int(),
      customers: z.number().int(),
      merges: z.number().int(),
      /** Customers it had reached who stay (there before it, or another event or a message names them). */
      customersKept: z.number().int(),
    })
    .nullable(),
});
export type ImportJobView = z.output<typeof importJobSchema>;

const jobId = z.number().int().positive();

export const importsContract = {
  'imports.fromPath': command(
    'Register a file on this PC (the desktop app passes the dropped file’s path).',
    z.object({ path: z.string().min(1) }).strict(),
    fileRefSchema,
  ),
  'imports.preview': command(
    'What the file was recognised as, the first 20 rows as they will be imported, and rows that would be rejected.',
    z.object({ fileId: z.string().min(1), choices: importChoicesSchema.default({}) }).strict(),
    importPreviewSchema,
  ),
  'imports.savePreset': command(
    'Save the mapping under a name; it is offered again for files with the same headers.',
    z
      .object({ fileId: z.string().min(1), name: z.string().trim().min(1).max(80), choices: importChoicesSchema })
      .strict(),
    z.object({ name: z.string() }),
  ),
  'imports.start': command(
    'Start importing the file with these choices; follow it with imports.job.',
    z.object({ fileId: z.string().min(1), choices: importChoicesSchema.default({}) }).strict(),
    z.object({ jobId }),
  ),
  'imports.job': command(
    'One import job: progress while it runs, the summary after.',
    z.object({ jobId }).strict(),
    importJobSchema,
  ),
  'imports.cancel': command(
    'Stop a running import after the rows already read (import the file again later to finish it).',
    z.object({ jobId }).strict(),
    z.object({ cancelled: z.boolean() }),
  ),
  'imports.undo': command(
    'Undo an import: its events go, customers it created that nothing else names go, merges it caused are undone and totals worked out again. It shows as removing until done; follow it with imports.job.',
    z.object({ jobId }).strict(),
    importJobSchema,
  ),
  'imports.jobs': command('The last imports, newest first.', z.object({}).strict(), z.array(importJobSchema)),
};
