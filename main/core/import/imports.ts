/**
 * The import feature as the app and the terminal use it: preview a file (what
 * was recognised, the first rows as they will be imported, rows that would be
 * rejected), save and offer presets, run a job through the app's host (so caches and
 * streams follow), cancel it, and list past jobs.
 */
import type { Clock, Logger } from '../clock';
import type { Database } from '../db/open';
import { stmt } from '../db/statements';
import type { NormalizeOptions } from '../identity/normalize';
import { readSettings } from '../settings/settings-store';
import { type PhoneCheck, phoneCountry, phoneWarning } from './file/phone-country';
import { type ImportChoices, type ImportSettings, inspectFile, readRows } from './file/read-file';
import { headerKey, notImportedColumns } from './file/recognize';
import { type MappedRow, RowMapper } from './file/to-events';
import type { ColumnRole } from './file/types';
import { splitContacts } from './file/values';
import { CHECKPOINT_SCRIPT } from './worker/checkpoint-thread';
import { type ImportSummary, runImport } from './worker/import-job';
import { READER_SCRIPT } from './worker/reader-thread';

/** What importing needs of the app (import-service.ts builds it from the engine context): data, clock, log, shop, and where to say who changed. */
export interface ImportHost {
  readonly db: Database;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly brandId: number;
  readonly dataDir: string;
  normalizeOptionsFor(brandId: number): NormalizeOptions;
  /** Customers an import touched: caches drop them, pages refresh. */
  changed(touched: number[]): void;
  /** An import was undone: customers' journey stages are worked out again (the app; a terminal leaves it to the app). */
  undone?(): void;
}

export const PREVIEW_ROWS = 20;
/** The preview reads at most this much of the file: its first rows are there, however big the file. */
export const PREVIEW_BYTES = 4 * 1024 * 1024;

export interface PreviewRow {
  row: number;
  /** Cells in file order. */
  cells: string[];
  /** What the row becomes ("purchase of 12.50 by ann@example.com") or why it would be rejected. */
  becomes: string;
  rejected: boolean;
}

export interface Preview {
  settings: ImportSettings;
  headerKey: string;
  /** Headers of the columns left out (notImportedColumns), said on the page so nothing is dropped without a word. */
  notImported: string[];
  /** The first rows' phone numbers read in the chosen country (checkPhones). */
  phones: PhoneCheck;
  rows: PreviewRow[];
  presets: { name: string; settings: ImportChoices }[];
}

function describe(event: {
  type: string;
  identifiers: Record<string, unknown>;
  payload: Record<string, unknown>;
}): string {
  const who =
    (event.identifiers.email as string | undefined) ??
    (event.identifiers.phone as string | undefined) ??
    (event.identifiers.pos_customer_id as string | undefined) ??
    (event.identifiers.shopify_customer_id as string | undefined) ??
    (event.identifiers.loyalty_id as string | undefined);
  const name = [event.payload.firstName, event.payload.lastName].filter(Boolean).join(' ');
  const whom = who
    ? ` by ${name ? `${name} <${who}>` : who}`
    : name
      ? ` by ${name}`
      : ' (no customer: an anonymous sale)';
  if (event.type === 'profile_update') return `customer ${name || who}`.trim();
  const total = typeof event.payload.total === 'number' ? ` of ${event.payload.total.toFixed(2)}` : '';
  const items = Array.isArray(event.payload.items) ? `, ${event.payload.items.length} item(s)` : '';
  return `${event.type}${total}${items}${whom}`;
}

/** The file recognised, with the shop's choices, phones read in the shop's country unless chosen otherwise. */
export function inspect(core: ImportHost, path: string, choices: ImportChoices, name?: string): ImportSettings {
  return inspectFile(path, choices, readSettings(core.db).defaultCountry, name);
}

/** Recognises the file and maps its first rows (within its first PREVIEW_BYTES), writing nothing. */
export async function previewImport(
  core: ImportHost,
  path: string,
  choices: ImportChoices = {},
  name?: string,
): Promise<Preview> {
  const settings = inspect(core, path, choices, name);
  const mapper = new RowMapper(settings, core.clock.now());
  const rows: MappedRow[] = [];
  let header = true;
  let line = 1;
  reading: for await (const batch of readRows(path, settings, () => {}, { prefixBytes: PREVIEW_BYTES })) {
    for (const cells of batch) {
      if (header) {
        header = false;
        continue;
      }
      line += 1;
      rows.push({ row: line, cells });
      if (rows.length >= PREVIEW_ROWS) break reading;
    }
  }
  const mapped = mapper.push(rows);
  const rest = mapper.end();
  const outcome = new Map<number, { becomes: string; rejected: boolean }>();
  for (const { event, rows: from } of [...mapped.events, ...rest.events]) {
    const text = describe(event as never);
    for (const r of from) {
      const before = outcome.get(r.row);
      outcome.set(r.row, { becomes: before ? `${before.becomes}; ${text}` : text, rejected: false });
    }
  }
  for (const r of [...mapped.rejected, ...rest.rejected]) outcome.set(r.row, { becomes: r.reason, rejected: true });
  const key = headerKey(settings.headers);
  const phones = await checkPhones(path, settings);
  const phoneProblem = phoneWarning(phones, settings.defaultCountry);
  return {
    settings: phoneProblem ? { ...settings, warnings: [...settings.warnings, phoneProblem] } : settings,
    phones,
    headerKey: key,
    notImported: notImportedColumns(settings),
    rows: rows.map((r) => ({
      row: r.row,
      cells: r.cells,
      ...(outcome.get(r.row) ?? { becomes: 'part of an order continued below', rejected: false }),
    })),
    presets: presetsFor(core, key),
  };
}

/** Phone numbers are checked in the first rows of the file, within this many bytes (about 10,000 rows). */
const PHONE_CHECK_BYTES = 1024 * 1024;

/**
 * The phone numbers of the file's first rows (phone, other phone and contact columns), checked in the country chosen
 * for numbers written without one (file/phone-country.ts): how many cannot be read, and which country reads most.
 */
export async function checkPhones(path: string, settings: ImportSettings): Promise<PhoneCheck> {
  const columns = settings.roles.flatMap((role, i) =>
    role === 'phone' || role === 'phone_alt' || role === 'contacts' ? [{ i, contacts: role === 'contacts' }] : [],
  );
  const cells: string[] = [];
  if (columns.length > 0) {
    let header = true;
    for await (const batch of readRows(path, settings, () => {}, { prefixBytes: PHONE_CHECK_BYTES }))
      for (const row of batch) {
        if (header) {
          header = false;
          continue;
        }
        for (const { i, contacts } of columns) {
          const cell = contacts ? splitContacts(row[i]).phone : row[i]?.trim();
          if (cell) cells.push(cell);
        }
      }
  }
  return phoneCountry(cells, settings.defaultCountry);
}

export function presetsFor(core: ImportHost, key: string): { name: string; settings: ImportChoices }[] {
  return (
    stmt(core.db, 'SELECT name, settings FROM import_preset WHERE brand_id = ? AND header_key = ? ORDER BY name').all(
      core.brandId,
      key,
    ) as { name: string; settings: string }[]
  ).map((p) => ({ name: p.name, settings: JSON.parse(p.settings) as ImportChoices }));
}

export function presetByName(core: ImportHost, name: string): ImportChoices | undefined {
  const row = stmt(core.db, 'SELECT settings FROM import_preset WHERE brand_id = ? AND lower(name) = lower(?)').get(
    core.brandId,
    name.trim(),
  ) as { settings: string } | undefined;
  return row ? (JSON.parse(row.settings) as ImportChoices) : undefined;
}

export function savePreset(
  core: ImportHost,
  name: string,
  headers: string[],
  choices: ImportChoices & { roles: ColumnRole[] },
): void {
  stmt(
    core.db,
    `INSERT INTO import_preset (brand_id, name, header_key, settings, created_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (brand_id, name) DO UPDATE SET header_key = excluded.header_key, settings = excluded.settings`,
  ).run(core.brandId, name.trim(), headerKey(headers), JSON.stringify(choices), core.clock.now().getTime());
}

export interface StartOptions {
  path: string;
  fileName?: string;
  choices?: ImportChoices;
  signal?: AbortSignal;
  onProgress?: Parameters<typeof runImport>[0]['onProgress'];
  onStarted?: (jobId: number) => void;
  chunkRows?: number;
}

/** Runs an import through the one ingestion path, dropping changed customers from the 360 cache as it goes. */
export async function importFile(core: ImportHost, options: StartOptions): Promise<ImportSummary> {
  const settings = inspect(core, options.path, options.choices ?? {}, options.fileName);
  const normalize = { ...core.normalizeOptionsFor(core.brandId), defaultCountry: settings.defaultCountry };
  const summary = await runImport({
    db: core.db,
    path: options.path,
    ...(options.fileName ? { fileName: options.fileName } : {}),
    settings,
    ctx: { brandId: core.brandId, now: core.clock.now().getTime(), normalize },
    clock: core.clock,
    dataDir: core.dataDir,
    readerScript: READER_SCRIPT,
    checkpointScript: CHECKPOINT_SCRIPT,
    ...(options.chunkRows ? { chunkRows: options.chunkRows } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.onStarted ? { onStarted: options.onStarted } : {}),
    onCommitted: (touched) => core.changed(touched),
  });
  return summary;
}
