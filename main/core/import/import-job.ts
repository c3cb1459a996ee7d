/**
 * Reading a file: recognise it from its first 64 KB, then stream it (never
 * held whole in memory) through the decoder, the row guard (row-guard.ts: no
 * line over 1 MB or 2,000 columns) and papaparse, in chunks of rows,
 * each chunk's events committed in one transaction together with the job's
 * progress — so a kill at any moment leaves a consistent database, and
 * importing the same file again completes it (natural keys make the rows
 * already stored duplicates). Rejected rows are written beside the data file
 * as a CSV with a `reason` column.
 */
import {
  appendFileSync,
  closeSync,
  createReadStream,
  existsSync,
  mkdirSync,
  openSync,
  readSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { Transform } from 'node:stream';
import { Worker } from 'node:worker_threads';
import Papa from 'papaparse';
import { AppError } from '../../../shared/contract/errors';
import type { ParsedEvent } from '../../../shared/events';
import type { Database } from '../db/open';
import { stmt } from '../db/statements';
import { settlePendingTotals } from '../identity/identity-repo';
import { BatchIngest } from '../ingest/ingest-batch';
import type { IngestContext, IngestResult } from '../ingest/ingest-event';
import { appRoot } from '../paths';
import {
  AMBIGUOUS_DATES_WARNING,
  decodeSample,
  detectDelimiter,
  detectEncoding,
  missingColumnWarnings,
  recognize,
  rolesFor,
} from './recognize';
import { guessNewline, MAX_ROW_CHARS, type Newline, RowGuard } from './row-guard';
import { type MappedRow, REFUNDED_SO_FAR, type Rejection, RowMapper } from './to-events';
import type { ColumnRole, DateOrder, Delimiter, Encoding, FormatId, Recognition } from './types';

export const SAMPLE_BYTES = 64 * 1024;
/**
 * Enough bytes to hold a whole first line of MAX_ROW_CHARS characters in any of the encodings read (UTF-8 takes at
 * most 4 bytes for a character, and such a character counts 2): read only when the first 64 KB end inside line 1.
 */
const LONG_HEADER_BYTES = MAX_ROW_CHARS * 4 + 16;
/** What the newline is guessed from (papaparse guesses from its first megabyte too). */
const NEWLINE_SAMPLE_BYTES = 1024 * 1024;
/** Text a chunk of rows holds at most: rows of up to 1 MB must not make 1,000-row chunks of a gigabyte. */
const CHUNK_CHARS = 4 * 1024 * 1024;
/** The built reading thread (see mapInThread). */
export const READER_SCRIPT = join(appRoot(), 'dist', 'main', 'import-reader.js');
/** Write-ahead log pages between checkpoints while importing (SQLite's default is 1,000). */
const IMPORT_CHECKPOINT_PAGES = 30_000;
/**
 * Page cache while importing (SQLite's default is 2 MB): a big file's customers' pages and the events' per-customer
 * index stay in memory instead of being read again for every chunk. 16 MB imports a 1M-row file as fast as 24 MB
 * did once totals stopped rewriting profiles at every chunk, and keeps the app's peak memory under 400 MB.
 */
const IMPORT_CACHE_KIB = 16 * 1024;

/** What the shop may change in the preview (or a preset / the CLI sets). */
export interface ImportChoices {
  format?: FormatId;
  roles?: ColumnRole[];
  dateOrder?: DateOrder;
  decimalComma?: boolean;
  delimiter?: Delimiter;
  encoding?: Encoding;
  /** Country for phone numbers written without one (else the shop's default). */
  defaultCountry?: string;
}

export interface ImportSettings extends Recognition {
  defaultCountry: string;
}

export interface ImportCounts {
  bytesRead: number;
  rowsRead: number;
  eventsCreated: number;
  profilesCreated: number;
  autoMerged: number;
  queuedForReview: number;
  duplicates: number;
  rejected: number;
  anonymousSales: number;
}

export interface ImportSummary extends ImportCounts {
  jobId: number;
  status: 'completed' | 'cancelled' | 'failed';
  fileBytes: number;
  rejectedFile: string | null;
  error: string | null;
  durationMs: number;
}

/** A file that cannot be read as it is: the shop is told why (a validation error on every transport). */
export class ImportFileError extends AppError {
  constructor(message: string) {
    super('validation', message);
  }
}

/** The file's first `bytes` bytes (fewer when it is shorter). */
function readHead(path: string, bytes: number): Buffer {
  try {
    const fd = openSync(path, 'r');
    try {
      const head = Buffer.alloc(bytes);
      return head.subarray(0, readSync(fd, head, 0, bytes, 0));
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    throw new ImportFileError(`Cannot read ${basename(path)}: ${(error as Error).message}`);
  }
}

/**
 * The complete rows of the file's head, checked by the row guard: a header line over 1 MB or 2,000 columns is
 * refused here, before recognition (which needs the whole header row) and before any import starts.
 */
function guardedSample(
  path: string,
  head: Buffer,
  encoding: Encoding,
  bom: boolean,
  delimiter: Delimiter | undefined,
): string {
  const fileBytes = statSync(path).size;
  for (let bytes = head.length; ; ) {
    const sample = decodeSample(head, encoding, bom);
    const guard = new RowGuard(
      delimiter ?? detectDelimiter(sample.split(/\r?\n|\r/, 1)[0] ?? ''),
      guessNewline(sample),
    );
    const rows = guard.push(sample);
    if (guard.rows === 0 && guard.problem) throw new ImportFileError(guard.problem);
    // The whole file, or at least its header row: recognise from that.
    if (bytes >= fileBytes) return rows + guard.end();
    if (guard.rows > 0 || bytes >= LONG_HEADER_BYTES) return rows === '' ? sample : rows;
    // The first 64 KB end inside the header row: read on until it ends (or proves too long).
    bytes = LONG_HEADER_BYTES;
    head = readHead(path, bytes);
  }
}

/** The file's first bytes, recognised, with the shop's choices applied. */
export function inspectFile(path: string, choices: ImportChoices, defaultCountry: string): ImportSettings {
  const head = readHead(path, SAMPLE_BYTES);
  if (head.length === 0) throw new ImportFileError(`${basename(path)} is empty.`);
  const detected = detectEncoding(head);
  const encoding = choices.encoding ?? detected.encoding;
  const bom = detected.bom && (choices.encoding === undefined || choices.encoding === detected.encoding);
  const sample = guardedSample(path, head, encoding, bom, choices.delimiter);
  let recognition: Recognition;
  try {
    recognition = recognize(sample, encoding, bom, choices.delimiter);
  } catch (error) {
    throw new ImportFileError(`${basename(path)}: ${(error as Error).message}`);
  }
  const format = choices.format ?? recognition.format;
  const roles =
    choices.roles ?? (format === recognition.format ? recognition.roles : rolesFor(format, recognition.headers));
  if (roles.length !== recognition.headers.length) {
    throw new ImportFileError(
      `The mapping has ${roles.length} columns but the file has ${recognition.headers.length}.`,
    );
  }
  // Warnings as they stand after the shop's choices (a column chosen, the date order settled).
  const warnings = [
    ...(recognition.dateAmbiguous && choices.dateOrder === undefined ? [AMBIGUOUS_DATES_WARNING] : []),
    ...missingColumnWarnings(format, roles),
  ];
  return {
    ...recognition,
    format,
    roles,
    warnings,
    dateOrder: choices.dateOrder ?? recognition.dateOrder,
    decimalComma: choices.decimalComma ?? recognition.decimalComma,
    defaultCountry: choices.defaultCountry ?? defaultCountry,
  };
}

/**
 * Bytes → text in the file's encoding (a byte-order mark is dropped), counting bytes for progress, and handed on
 * through the row guard: complete rows only, and nothing more once a row is too long or too wide (the guard's
 * problem says why; `onStop` stops the file being read on). With `truncated`, the file is read only in part: the
 * row cut off at its end is dropped.
 */
function decoder(
  encoding: Encoding,
  onBytes: (n: number) => void,
  guard: RowGuard,
  onStop: () => void,
  truncated: boolean,
): Transform {
  // UTF-8 is decoded strictly: bytes that are not UTF-8 further into the file stop the import with the reason,
  // rather than turning names into "Zo�" (the encoding was judged from the file's beginning only).
  const text = new TextDecoder(encoding, { fatal: encoding === 'utf-8' });
  let read = 0;
  return new Transform({
    // Text goes on as strings, not re-encoded to bytes: papaparse reads strings. One piece waits at most, so the
    // file is read only as fast as rows are handled (memory stays flat, and bytes read is honest progress).
    readableObjectMode: true,
    readableHighWaterMark: 1,
    transform(chunk: Buffer, _enc, done) {
      // Stopped at a bad row: what was still on its way is dropped.
      if (guard.problem !== undefined) {
        done();
        return;
      }
      onBytes(chunk.length);
      let decoded: string;
      try {
        decoded = text.decode(chunk, { stream: true });
      } catch {
        done(
          new ImportFileError(
            `The file is not UTF-8 text after its first ${Math.round(read / 1024)} KB. Choose the text encoding it was saved in (for example Windows / Western European) in the preview, or with the import settings, and import again.`,
          ),
        );
        return;
      }
      read += chunk.length;
      const rows = guard.push(decoded);
      if (guard.problem === undefined) {
        done(null, rows === '' ? undefined : rows);
        return;
      }
      // The rows before the bad one go on to the parser, then the text ends there.
      if (rows !== '') this.push(rows);
      this.push(null);
      onStop();
      done();
    },
    flush(done) {
      if (guard.problem !== undefined) {
        done();
        return;
      }
      // A file read in part may end inside a character, as inside a row: both are dropped.
      const rows = truncated ? '' : guard.push(text.decode()) + guard.end();
      done(null, rows === '' ? undefined : rows);
    },
  });
}

/** The line break papaparse would guess from the file's beginning, worked out once so the guard agrees with it. */
function fileNewline(path: string, encoding: Encoding): Newline {
  return guessNewline(new TextDecoder(encoding).decode(readHead(path, NEWLINE_SAMPLE_BYTES), { stream: true }));
}

/**
 * The file's rows, as arrays of cells, in batches as papaparse parses each piece of the file (the header row
 * first). Parsing pauses while a batch is being handled, so memory stays at a few pieces of the file (and a row
 * at 1 MB: a longer one, or one of more than 2,000 columns, ends the reading with an ImportFileError saying
 * which line, after the rows before it). With `prefixBytes`, only that much of the file is read (the preview).
 */
export async function* readRows(
  path: string,
  settings: Pick<ImportSettings, 'encoding' | 'delimiter'>,
  onBytes: (n: number) => void,
  options: { prefixBytes?: number } = {},
): AsyncGenerator<string[][]> {
  const newline = fileNewline(path, settings.encoding);
  const guard = new RowGuard(settings.delimiter, newline);
  const prefix = options.prefixBytes;
  const truncated = prefix !== undefined && statSync(path).size > prefix;
  const source = createReadStream(path, {
    highWaterMark: 256 * 1024,
    ...(prefix === undefined ? {} : { end: prefix - 1 }),
  });
  const stop = () => {
    source.unpipe();
    source.destroy();
  };
  const text = source.pipe(decoder(settings.encoding, onBytes, guard, stop, truncated));
  source.on('error', (error) => text.destroy(error));
  const batches: string[][][] = [];
  let finished = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  let parser: Papa.Parser | undefined;
  let rowsBefore = 0;
  Papa.parse<string[]>(text as unknown as File, {
    delimiter: settings.delimiter,
    newline,
    skipEmptyLines: 'greedy',
    chunk: (results, handle) => {
      parser = handle;
      // Papaparse's pause stops its parser but not the stream feeding it: stop that too.
      handle.pause();
      text.pause();
      batches.push(results.data);
      // An unclosed quote swallows everything after it into one cell: stop rather than import that.
      const quote = results.errors.find((e) => e.type === 'Quotes');
      if (quote) {
        failure = new ImportFileError(
          `A quote mark (") near row ${rowsBefore + (quote.row ?? 0) + 1} is never closed, so the rest of the file cannot be read reliably. Fix that row in a spreadsheet or text editor and import the file again (rows already imported are skipped).`,
        );
      }
      rowsBefore += results.data.length;
      wake?.();
    },
    complete: () => {
      finished = true;
      wake?.();
    },
    error: (error: unknown) => {
      failure = error;
      wake?.();
    },
  });
  text.on('error', (error) => {
    failure = error;
    wake?.();
  });
  try {
    for (;;) {
      const batch = batches.shift();
      if (batch) {
        yield batch;
        if (failure) throw failure;
        if (batches.length === 0 && !finished) {
          parser?.resume();
          text.resume();
        }
        continue;
      }
      if (failure) throw failure;
      if (finished) {
        if (guard.problem !== undefined) throw new ImportFileError(guard.problem);
        return;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
  } finally {
    if (!finished) parser?.abort();
    source.destroy();
    text.destroy();
  }
}

export interface RunOptions {
  db: Database;
  path: string;
  fileName?: string;
  settings: ImportSettings;
  ctx: IngestContext;
  /** Where the rejected-rows file goes (`<dataDir>/imports`). */
  dataDir: string;
  chunkRows?: number;
  signal?: AbortSignal;
  onProgress?: (counts: ImportCounts & { jobId: number; fileBytes: number }) => void;
  /** After each committed chunk: the profiles it changed (caches drop them). */
  onCommitted?: (touched: number[]) => void;
  /** The built reading thread (dist/main/import-reader.js): the file is read and mapped there when it exists. */
  readerScript?: string;
  /** Called at once with the new job's id, before any row is read. */
  onStarted?: (jobId: number) => void;
}

/** Cells a spreadsheet would run as a formula are written with a leading ' (a plain negative number is left alone). */
export const escapeCells = /^[=+@\t\r]|^-(?!\d[\d.,]*$)/;

export async function runImport(options: RunOptions): Promise<ImportSummary> {
  const { db, settings, ctx } = options;
  const started = performance.now();
  // Each chunk's commit would otherwise copy the write-ahead log back into the data file every 1,000 pages: while a
  // file imports, that happens thirty times less often (SQLite's default is set back when the import ends). A page
  // rewritten by many chunks is then copied once instead of many times: a 1M-row file imports about 10% faster
  // than at 10,000, with the same peak memory; the log grows to about 120 MB meanwhile.
  db.sqlite.pragma(`wal_autocheckpoint = ${IMPORT_CHECKPOINT_PAGES}`);
  const cacheBefore = db.sqlite.pragma('cache_size', { simple: true }) as number;
  db.sqlite.pragma(`cache_size = -${IMPORT_CACHE_KIB}`);
  const fileBytes = statSync(options.path).size;
  const jobId = Number(
    stmt(
      db,
      `INSERT INTO import_job (brand_id, file_name, file_bytes, settings, status, started_at) VALUES (?, ?, ?, ?, 'running', ?)`,
    ).run(ctx.brandId, options.fileName ?? basename(options.path), fileBytes, JSON.stringify(settings), ctx.now)
      .lastInsertRowid,
  );
  options.onStarted?.(jobId);
  const counts: ImportCounts = {
    bytesRead: 0,
    rowsRead: 0,
    eventsCreated: 0,
    profilesCreated: 0,
    autoMerged: 0,
    queuedForReview: 0,
    duplicates: 0,
    rejected: 0,
    anonymousSales: 0,
  };
  const dir = join(options.dataDir, 'imports');
  const rejectedFile = join(dir, `import-${jobId}-rejected.csv`);
  let rejectedStarted = false;
  const writeRejected = (rejections: Rejection[]) => {
    if (rejections.length === 0) return;
    const rows = rejections.map((r) => [
      ...settings.headers.map((_, i) => r.cells[i] ?? ''),
      `row ${r.row}: ${r.reason}`,
    ]);
    const csv = Papa.unparse(rejectedStarted ? rows : [[...settings.headers, 'reason'], ...rows], {
      escapeFormulae: escapeCells,
      newline: '\r\n',
    });
    if (!rejectedStarted) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      writeFileSync(rejectedFile, `\ufeff${csv}\r\n`, { mode: 0o600 });
      rejectedStarted = true;
    } else appendFileSync(rejectedFile, `${csv}\r\n`);
  };

  // The chunk's counts are worked out on a copy and kept only once the chunk has committed, so a chunk that rolls
  // back (a busy data file) never inflates the summary.
  // A file's events are history, not today's traffic: their stream messages say `import`.
  const ingest = new BatchIngest(db, { ...ctx, origin: 'import' });
  const save = db.sqlite.transaction((mapped: Pick<MappedChunk, 'events' | 'rejected'>, rowsInChunk: number) => {
    ingest.begin();
    const touched = new Set<number>();
    const next = { ...counts };
    for (const event of mapped.events) {
      if (isRefundedSoFar(event)) {
        ingest.flush();
        if (refundAlreadyKnown(db, ctx.brandId, event)) {
          next.duplicates += 1;
          continue;
        }
      }
      const result: IngestResult = ingest.add(event);
      for (const id of result.touched) touched.add(id);
      if (result.duplicate) next.duplicates += 1;
      else {
        next.eventsCreated += 1;
        if (result.createdProfile) next.profilesCreated += 1;
        if (result.mergeId !== null) next.autoMerged += 1;
        if (result.reviewId !== null) next.queuedForReview += 1;
        if (result.profileId === null && (event.type === 'purchase' || event.type === 'refund'))
          next.anonymousSales += 1;
      }
    }
    ingest.flush();
    next.rejected += mapped.rejected.length;
    next.rowsRead += rowsInChunk;
    stmt(
      db,
      `UPDATE import_job SET bytes_read = ?, rows_read = ?, events_created = ?, profiles_created = ?, auto_merged = ?,
         queued_for_review = ?, duplicates = ?, rejected = ?, anonymous_sales = ? WHERE id = ?`,
    ).run(
      next.bytesRead,
      next.rowsRead,
      next.eventsCreated,
      next.profilesCreated,
      next.autoMerged,
      next.queuedForReview,
      next.duplicates,
      next.rejected,
      next.anonymousSales,
      jobId,
    );
    ingest.end();
    return { touched: [...touched], next };
  });
  const commit = (mapped: Pick<MappedChunk, 'events' | 'rejected'>, rowsInChunk: number) => {
    let saved: ReturnType<typeof save>;
    try {
      saved = save.immediate(mapped, rowsInChunk);
    } catch (error) {
      ingest.forget();
      throw error;
    }
    const { touched, next } = saved;
    Object.assign(counts, next);
    writeRejected(mapped.rejected);
    options.onCommitted?.(touched);
    options.onProgress?.({ ...counts, jobId, fileBytes });
  };

  const finish = (status: ImportSummary['status'], error: string | null): ImportSummary => {
    // What the chunks added to customers' totals goes into their profiles now (see ingest-batch.ts); if this
    // fails (the data file busy for seconds), the app settles it at its next start.
    try {
      settlePendingTotals(db, Date.now());
    } catch {
      // Left pending: totals plus pending stay the truth meanwhile.
    }
    db.sqlite.pragma('wal_autocheckpoint = 1000');
    db.sqlite.pragma(`cache_size = ${cacheBefore}`);
    stmt(db, 'UPDATE import_job SET status = ?, error = ?, finished_at = ?, rejected_file = ? WHERE id = ?').run(
      status,
      error,
      Date.now(),
      rejectedStarted ? rejectedFile : null,
      jobId,
    );
    return {
      jobId,
      status,
      fileBytes,
      ...counts,
      rejectedFile: rejectedStarted ? rejectedFile : null,
      error,
      durationMs: Math.round(performance.now() - started),
    };
  };

  const chunkRows = options.chunkRows ?? 1000;
  const chunks =
    options.readerScript && existsSync(options.readerScript)
      ? mapInThread(options.readerScript, { path: options.path, settings, now: ctx.now, chunkRows })
      : mapFile(options.path, settings, ctx.now, chunkRows);
  try {
    for await (const chunk of chunks) {
      // Checked before a chunk rather than after: a Cancel while the last one saves finds nothing left to stop.
      if (options.signal?.aborted) return finish('cancelled', null);
      counts.bytesRead = chunk.bytesRead;
      try {
        commit({ events: chunk.events, rejected: chunk.rejected }, chunk.rows);
      } catch (error) {
        // Keep the reason the reading stopped, when it did.
        return finish('failed', chunk.problem ?? (error as Error).message);
      }
      if (chunk.problem !== undefined) return finish('failed', chunk.problem);
      // Let the listeners answer between chunks.
      await new Promise((resolve) => setImmediate(resolve));
    }
    counts.bytesRead = Math.max(counts.bytesRead, fileBytes);
    return finish('completed', null);
  } catch (error) {
    return finish('failed', (error as Error).message);
  } finally {
    await chunks.return(undefined);
  }
}

/** A chunk of a file's rows as events, ready to be committed. */
export interface MappedChunk {
  events: ParsedEvent[];
  rejected: Rejection[];
  /** Rows read in this chunk (rejected ones included). */
  rows: number;
  /** Bytes of the file read so far. */
  bytesRead: number;
  /** Why reading stopped after this chunk (an unclosed quote, another encoding): the rows before it are good. */
  problem?: string;
}

/**
 * The file's rows → events, `chunkRows` rows at a time: the header checked against the preview's, rows with the
 * wrong number of cells rejected, each order's rows kept together (the mapper holds an order until the next).
 */
export async function* mapFile(
  path: string,
  settings: ImportSettings,
  now: number,
  chunkRows: number,
): AsyncGenerator<MappedChunk> {
  const mapper = new RowMapper(settings, new Date(now));
  let bytesRead = 0;
  let header: string[] | undefined;
  let batch: MappedRow[] = [];
  /** Rows with the wrong number of cells since the last chunk: rejected with the next one. */
  let misshapen: Rejection[] = [];
  const take = (last: boolean, problem?: string): MappedChunk => {
    const mapped = mapper.push(batch);
    const rest = last ? mapper.end() : { events: [], rejected: [] };
    const chunk: MappedChunk = {
      events: [...mapped.events, ...rest.events].map((e) => e.event),
      rejected: [...misshapen, ...mapped.rejected, ...rest.rejected],
      rows: batch.length + misshapen.length,
      bytesRead,
      ...(problem === undefined ? {} : { problem }),
    };
    batch = [];
    misshapen = [];
    return chunk;
  };
  let row = 1;
  /** Text in the rows gathered since the last chunk. */
  let chars = 0;
  try {
    for await (const rows of readRows(path, settings, (n) => {
      bytesRead += n;
    })) {
      for (const cells of rows) {
        for (const cell of cells) chars += cell.length;
        if (header === undefined) {
          header = cells.map((c) => c.trim());
          if (header.join('\u0001') !== settings.headers.join('\u0001')) {
            throw new Error('The file’s header row changed since it was previewed; open it again.');
          }
          continue;
        }
        row += 1;
        if (cells.length !== header.length) {
          // Cells shifted by a stray separator or quote: importing them would put values in the wrong columns.
          misshapen.push({
            row,
            cells,
            reason: `has ${cells.length} ${cells.length === 1 ? 'column' : 'columns'} where the header has ${header.length}`,
          });
        } else batch.push({ row, cells });
        if (batch.length + misshapen.length >= chunkRows || chars >= CHUNK_CHARS) {
          chars = 0;
          yield take(false);
        }
      }
    }
  } catch (error) {
    // A file that cannot be read on (an unclosed quote, another encoding): the rows read before it are good, and
    // are kept; importing the fixed file again adds the rest.
    if (error instanceof ImportFileError && header !== undefined) {
      yield take(true, error.message);
      return;
    }
    throw error;
  }
  yield take(true);
}

/** What the reading thread (main/import-reader.ts) is given. */
export interface ReaderData {
  path: string;
  settings: ImportSettings;
  now: number;
  chunkRows: number;
}

export type ReaderMessage =
  | { type: 'chunk'; chunk: MappedChunk }
  | { type: 'end' }
  | { type: 'error'; message: string };

const READER_HEAP_MB = 64;
/** Chunks read ahead of the one being committed: enough to keep both threads busy, few enough to keep memory flat. */
const READ_AHEAD = 2;

/**
 * `mapFile` in a thread of its own, so reading and mapping the file (a third of an import's work) runs beside the
 * commits instead of before each one. The thread reads at most READ_AHEAD chunks ahead.
 */
async function* mapInThread(script: string, data: ReaderData): AsyncGenerator<MappedChunk> {
  // What the reader keeps is small (a few chunks, the orders seen as flat arrays): a bounded heap keeps it so.
  const worker = new Worker(script, { workerData: data, resourceLimits: { maxOldGenerationSizeMb: READER_HEAP_MB } });
  const inbox: ReaderMessage[] = [];
  let wake: (() => void) | undefined;
  const deliver = (message: ReaderMessage) => {
    inbox.push(message);
    wake?.();
  };
  worker.on('message', deliver);
  worker.on('error', (error) => deliver({ type: 'error', message: error.message }));
  worker.on('exit', () => deliver({ type: 'error', message: 'The file reader stopped unexpectedly.' }));
  try {
    worker.postMessage({ type: 'more', count: READ_AHEAD });
    for (;;) {
      const message = inbox.shift();
      if (!message) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
        continue;
      }
      if (message.type === 'end') return;
      if (message.type === 'error') throw new Error(message.message);
      worker.postMessage({ type: 'more', count: 1 });
      yield message.chunk;
    }
  } finally {
    worker.removeAllListeners();
    // A late error (the thread running out of memory as it stops) must not go unheard and end the process.
    worker.on('error', () => {});
    await worker.terminate();
  }
}

/**
 * An orders export's "Refunded Amount" is the total refunded so far: when refunds of that order are already
 * known (from Shopify's refunds webhook, or an earlier export), adding it would count them twice.
 */
const isRefundedSoFar = (event: ParsedEvent) =>
  event.type === 'refund' && event.externalId?.startsWith(REFUNDED_SO_FAR) === true && !!event.payload.orderId;

function refundAlreadyKnown(db: Database, brandId: number, event: ParsedEvent): boolean {
  if (!isRefundedSoFar(event)) return false;
  return (
    stmt(
      db,
      "SELECT 1 FROM customer_raw_event WHERE brand_id = ? AND order_id = ? AND event_type = 'refund' LIMIT 1",
    ).get(brandId, event.payload.orderId) !== undefined
  );
}

/**
 * Jobs still `running` when the app starts were cut short by a crash or a kill; what they had added to customers'
 * totals and not yet written is written now.
 */
export function markInterruptedJobs(db: Database, now: number): number {
  settlePendingTotals(db, now);
  return stmt(db, "UPDATE import_job SET status = 'interrupted' WHERE status = 'running'").run().changes;
}
