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
import { appendFileSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import Papa from 'papaparse';
import { AppError } from '../../../../shared/contract/errors';
import type { ParsedEvent } from '../../../../shared/events';
import type { Clock } from '../../clock';
import { type Database, WAL_CHECKPOINT_PAGES } from '../../db/open';
import { refundOfOrderKnown } from '../../db/repos/events';
import { collectSharedMarks } from '../../db/repos/identifiers';
import { highestIds, jobsBeingRemoved, recordChunk } from '../../db/repos/import-undo';
import { settlePendingTotals } from '../../db/repos/profile-totals';
import { stmt } from '../../db/statements';
import { storageProblem } from '../../db/storage-problem';
import { turnWanted, yieldTurn } from '../../db/write-turns';
import { BatchIngest } from '../../ingest/ingest-batch';
import type { IngestContext, IngestResult } from '../../ingest/ingest-event';
import { type MappedChunk, mapFile } from '../file/map-file';
import type { ImportSettings } from '../file/read-file';
import { REFUNDED_SO_FAR, type Rejection } from '../file/to-events';
import { CheckpointThread } from './checkpoint-thread';
import { mapInThread } from './reader-thread';

/** Write-ahead log pages between checkpoints while importing (SQLite's default is 1,000). */
export const IMPORT_CHECKPOINT_PAGES = 30_000;
/**
 * Page cache while importing (SQLite's default is 2 MB): a big file's customers' pages and the events' per-customer
 * index stay in memory instead of being read again for every chunk. 16 MB imports a 1M-row file as fast as 24 MB
 * did once totals stopped rewriting profiles at every chunk, and keeps the app's peak memory under 400 MB.
 */
const IMPORT_CACHE_KIB = 16 * 1024;

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
  /** Phone numbers that could not be read (ingestion refused them as unparseable): those customers lack that phone. */
  phonesUnreadable: number;
}

export interface ImportSummary extends ImportCounts {
  jobId: number;
  status: 'completed' | 'cancelled' | 'failed';
  fileBytes: number;
  rejectedFile: string | null;
  error: string | null;
  durationMs: number;
}

export interface RunOptions {
  db: Database;
  path: string;
  fileName?: string;
  settings: ImportSettings;
  ctx: IngestContext;
  /** The time a job ends at (`ctx.now` is when it started). */
  clock: Clock;
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
  /** Flags shared with the app's thread (write-turns.ts): the import lets a waiting write go first. */
  turns?: Int32Array;
  /** The built checkpoint thread (dist/main/import-checkpointer.js): the log is checkpointed there when it exists. */
  checkpointScript?: string;
  /** Rows between two checkpoints of that thread (CHECKPOINT_EVERY_ROWS; tests use fewer). */
  checkpointEveryRows?: number;
}

/** What a chunk's transactions save: its events (with their payloads' JSON) and its rejected rows. */
type ChunkToSave = Pick<MappedChunk, 'events' | 'rejected' | 'payloads'>;

/** Events saved before an import lets a waiting write on the app's thread have the lock. */
const MIN_SEGMENT = 32;

/** Cells a spreadsheet would run as a formula are written with a leading ' (a plain negative number is left alone). */
export const escapeCells = /^[=+@\t\r]|^-(?!\d[\d.,]*$)/;

export async function runImport(options: RunOptions): Promise<ImportSummary> {
  const { db, settings, ctx } = options;
  const started = performance.now();
  // An import being undone deletes what imports wrote: the same rows imported now would be found "already known"
  // and then deleted by the undo.
  const removing = jobsBeingRemoved(db, ctx.brandId)[0];
  if (removing !== undefined)
    throw new AppError(
      'conflict',
      `Import #${removing} is being undone. Wait until it says Undone on the Import page, then import this file.`,
    );
  // Each chunk's commit would otherwise copy the write-ahead log back into the data file every WAL_CHECKPOINT_PAGES
  // (10,000): while a file imports, every 30,000 (the app's usual setting is put back when the import ends). A page
  // rewritten by many chunks is then copied once instead of many times: a 1M-row file imports about 10% faster
  // than at 10,000, with the same peak memory; the log grows to about 120 MB meanwhile.
  db.sqlite.pragma(`wal_autocheckpoint = ${IMPORT_CHECKPOINT_PAGES}`);
  const cacheBefore = db.sqlite.pragma('cache_size', { simple: true }) as number;
  db.sqlite.pragma(`cache_size = -${IMPORT_CACHE_KIB}`);
  // Pages read through the page cache, not the file's memory mapping (open.ts maps up to 512 MiB for the app's
  // reads): every page of a big import's indexes it touched would stay in the process's memory, mapped.
  const mmapBefore = db.sqlite.pragma('mmap_size', { simple: true }) as number;
  db.sqlite.pragma('mmap_size = 0');
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
    phonesUnreadable: 0,
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
  const save = db.sqlite.transaction((mapped: ChunkToSave, rowsInChunk: number, from: number) => {
    // What this transaction writes is the import's alone (it holds the only write lock): recorded as id ranges, so
    // undoing the import removes exactly it (undo-import.ts).
    const before = highestIds(db);
    const marked: number[] = [];
    collectSharedMarks(db, marked);
    try {
      return saveChunk(mapped, rowsInChunk, from, before, marked);
    } finally {
      collectSharedMarks(db, undefined);
    }
  });
  /**
   * Saves the chunk's events from `from` on, in the transaction in hand; stops early (`upTo` short of the end) when
   * a write on the app's thread is waiting for the lock (write-turns.ts), after at least MIN_SEGMENT events. The
   * chunk's rows and rejections count with its last part.
   */
  const saveChunk = (
    mapped: ChunkToSave,
    rowsInChunk: number,
    from: number,
    before: ReturnType<typeof highestIds>,
    marked: number[],
  ) => {
    ingest.begin();
    const touched = new Set<number>();
    const next = { ...counts };
    let upTo = from;
    for (; upTo < mapped.events.length; upTo++) {
      if (upTo - from >= MIN_SEGMENT && turnWanted(options.turns)) break;
      const event = mapped.events[upTo] as ParsedEvent;
      if (isRefundedSoFar(event)) {
        ingest.flush();
        if (refundAlreadyKnown(db, ctx.brandId, event)) {
          next.duplicates += 1;
          continue;
        }
      }
      const result: IngestResult = ingest.add(event, mapped.payloads[upTo]);
      for (const u of result.unused)
        if ((u.type === 'phone' || u.type === 'other_phone') && u.reason === 'unparseable_phone')
          next.phonesUnreadable += 1;
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
    if (upTo === mapped.events.length) {
      next.rejected += mapped.rejected.length;
      next.rowsRead += rowsInChunk;
    }
    stmt(
      db,
      `UPDATE import_job SET bytes_read = ?, rows_read = ?, events_created = ?, profiles_created = ?, auto_merged = ?,
         queued_for_review = ?, duplicates = ?, rejected = ?, anonymous_sales = ?, phones_unreadable = ? WHERE id = ?`,
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
      next.phonesUnreadable,
      jobId,
    );
    ingest.end();
    recordChunk(db, jobId, before, marked);
    return { touched: [...touched], next, upTo };
  };
  const commit = (mapped: ChunkToSave, rowsInChunk: number) => {
    for (let from = 0; ; ) {
      let saved: ReturnType<typeof save>;
      try {
        saved = save.immediate(mapped, rowsInChunk, from);
      } catch (error) {
        ingest.forget();
        throw error;
      }
      const { touched, next, upTo } = saved;
      Object.assign(counts, next);
      options.onCommitted?.(touched);
      if (upTo >= mapped.events.length) {
        checkpoints?.committed(mapped.events.length);
        // The app's own background writes (its stream subscribers) have their turn between chunks.
        if (turnWanted(options.turns, true)) yieldTurn(options.turns as Int32Array);
        break;
      }
      // A write on the app's thread is waiting: the lock is its until it is done.
      if (options.turns) yieldTurn(options.turns);
      from = upTo;
    }
    writeRejected(mapped.rejected);
    options.onProgress?.({ ...counts, jobId, fileBytes });
  };

  let ended = false;
  const finish = (status: ImportSummary['status'], error: string | null): ImportSummary => {
    ended = true;
    // What the chunks added to customers' totals goes into their profiles now (see ingest-batch.ts); if this
    // fails (the data file busy for seconds), the app settles it at its next start.
    try {
      settlePendingTotals(db, options.clock.now().getTime());
    } catch {
      // Left pending: totals plus pending stay the truth meanwhile.
    }
    db.sqlite.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
    db.sqlite.pragma(`cache_size = ${cacheBefore}`);
    db.sqlite.pragma(`mmap_size = ${mmapBefore}`);
    stmt(db, 'UPDATE import_job SET status = ?, error = ?, finished_at = ?, rejected_file = ? WHERE id = ?').run(
      status,
      error,
      options.clock.now().getTime(),
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
  // With a checkpoint thread (checkpoint-thread.ts), this connection leaves checkpoints to it (and takes them back
  // should it fail).
  let checkpoints: CheckpointThread | undefined;
  try {
    if (options.checkpointScript && existsSync(options.checkpointScript) && db.file !== ':memory:') {
      try {
        checkpoints = new CheckpointThread(
          options.checkpointScript,
          db,
          () => {
            if (!ended) db.sqlite.pragma(`wal_autocheckpoint = ${IMPORT_CHECKPOINT_PAGES}`);
          },
          options.checkpointEveryRows,
        );
        db.sqlite.pragma('wal_autocheckpoint = 0');
      } catch {
        // No thread to be had: this connection checkpoints itself, as set above.
      }
    }
    for await (const chunk of chunks) {
      // Checked before a chunk rather than after: a Cancel while the last one saves finds nothing left to stop.
      if (options.signal?.aborted) return finish('cancelled', null);
      counts.bytesRead = chunk.bytesRead;
      try {
        commit({ events: chunk.events, rejected: chunk.rejected, payloads: chunk.payloads }, chunk.rows);
      } catch (error) {
        // Keep the reason the reading stopped, when it did; a full or read-only disk is said in words.
        return finish('failed', chunk.problem ?? storageProblem(error, db.file)?.message ?? (error as Error).message);
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
    try {
      await chunks.return(undefined);
    } finally {
      await checkpoints?.stop();
    }
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
  return refundOfOrderKnown(db, brandId, event.payload.orderId);
}

/**
 * Jobs still `running` when the app starts were cut short by a crash or a kill; what they had added to customers'
 * totals and not yet written is written now.
 */
export function markInterruptedJobs(db: Database, now: number): number {
  settlePendingTotals(db, now);
  return stmt(db, "UPDATE import_job SET status = 'interrupted' WHERE status = 'running'").run().changes;
}
