/**
 * Imports as the app runs them: files registered by path (desktop) or
 * streamed in (browser, never held whole in memory), jobs started in the
 * background with Cancel, and the job history. Chunks are small in the app so
 * the windows and the webhook listener keep answering while a file imports.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Worker } from 'node:worker_threads';
import { AppError } from '../../../shared/contract/errors';
import type { ImportFileRef, ImportJobView } from '../../../shared/contract/imports';
import { WAL_CHECKPOINT_PAGES } from '../db/open';
import { settlePendingTotals } from '../db/repos/profile-totals';
import { stmt } from '../db/statements';
import { writeTurnsOf } from '../db/write-turns';
import { collectGarbage } from '../memory';
import { appRoot } from '../paths';
import type { ImportChoices } from './file/read-file';
import { snippet } from './file/row-guard';
import { asTable } from './file/xlsx';
import { Removals } from './import-removal';
import { type ImportHost, importFile, inspect, type Preview, previewImport, savePreset } from './imports';
import type { ImportWorkerData, ImportWorkerMessage } from './worker/worker-protocol';

/** Rows per transaction in this thread: each chunk holds the event loop for a few tens of milliseconds at most. */
const APP_CHUNK_ROWS = 250;
/** Rows per transaction in the import thread: each holds the data file's write lock for some tens of milliseconds. */
const WORKER_CHUNK_ROWS = 1000;
const WORKER_SCRIPT = join(appRoot(), 'dist', 'main', 'import-worker.js');
/**
 * The import thread's heap: what it keeps is bounded (a chunk in hand, memos capped at 100,000 values), and a
 * bound makes V8 collect instead of growing towards the machine's memory. Should it still run out, the thread
 * stops alone and its job ends as failed with the reason (see `startInWorker`); rows cannot make it run out:
 * the row guard (row-guard.ts) bounds them before they are held.
 */
const WORKER_HEAP_MB = 128;
/**
 * Its young generation: V8's default lets it grow to about 48 MB, which the import's short-lived rows fill before
 * each collection. 12 MB: the thread's heap stays at 66–74 MB instead of about 100 MB on a 300k-row file, at the same
 * speed (the app's peak memory during a 1M-row import is the target: ≤ 400 MB).
 */
const WORKER_YOUNG_MB = 12;
/** The app's own connection's page cache while an import runs in its thread (open.ts gives it 64 MiB). */
const IMPORTING_APP_CACHE_KIB = 8 * 1024;

/** Where the import thread's code is and how much heap it gets (tests give a thread that fails). */
export interface ImportManagerOptions {
  workerScript?: string;
  workerHeapMb?: number;
}

/** What a job whose thread stopped without finishing it says, in shop words. */
function threadFailure(error: unknown): string {
  const code = (error as { code?: string } | undefined)?.code;
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return 'The import ran out of memory and was stopped; the rows saved before it are kept. Split the file into smaller ones, or check that it is a customers or sales export.';
  }
  return `The import stopped unexpectedly: ${snippet((error as Error | undefined)?.message ?? String(error), 200)}`;
}
/** Largest upload accepted from a browser. */
export const MAX_UPLOAD_BYTES = 2 * 1024 * 1024 * 1024;

interface FileEntry extends ImportFileRef {
  path: string;
  uploaded: boolean;
}

interface JobRow {
  id: number;
  file_name: string;
  file_bytes: number;
  settings: string;
  status: ImportJobView['status'];
  bytes_read: number;
  rows_read: number;
  events_created: number;
  profiles_created: number;
  auto_merged: number;
  queued_for_review: number;
  duplicates: number;
  rejected: number;
  anonymous_sales: number;
  phones_unreadable: number;
  rejected_file: string | null;
  error: string | null;
  started_at: number;
  finished_at: number | null;
  removal_started_at: number | null;
  removed_at: number | null;
  removed_events: number;
  removed_profiles: number;
  undone_merges: number;
  kept_profiles: number;
}

function view(row: JobRow): ImportJobView {
  return {
    id: row.id,
    fileName: row.file_name,
    fileBytes: row.file_bytes,
    format: (JSON.parse(row.settings) as { format?: string }).format ?? 'unknown',
    status: row.status,
    bytesRead: row.bytes_read,
    rowsRead: row.rows_read,
    eventsCreated: row.events_created,
    profilesCreated: row.profiles_created,
    autoMerged: row.auto_merged,
    queuedForReview: row.queued_for_review,
    duplicates: row.duplicates,
    rejected: row.rejected,
    anonymousSales: row.anonymous_sales,
    phonesUnreadable: row.phones_unreadable,
    rejectedUrl: row.rejected_file ? `/imports/${row.id}/rejected.csv` : null,
    error: row.error,
    startedAt: new Date(row.started_at).toISOString(),
    finishedAt: row.finished_at === null ? null : new Date(row.finished_at).toISOString(),
    removal:
      row.removal_started_at === null
        ? null
        : {
            startedAt: new Date(row.removal_started_at).toISOString(),
            finishedAt: row.removed_at === null ? null : new Date(row.removed_at).toISOString(),
            events: row.removed_events,
            customers: row.removed_profiles,
            merges: row.undone_merges,
            customersKept: row.kept_profiles,
          },
  };
}

export class ImportManager {
  private readonly files = new Map<string, FileEntry>();
  private readonly running = new Map<number, { cancel(): void; stop(): void }>();
  /** Imports running in their own thread, on their own connection. */
  private workerImports = 0;
  /** The app is closing: threads stopped now leave their jobs to show as interrupted at the next start. */
  private stopping = false;
  private readonly workerScript: string;
  private readonly workerHeapMb: number;
  /** Imports being undone. */
  private readonly removals: Removals;

  constructor(
    private readonly core: ImportHost,
    options: ImportManagerOptions = {},
  ) {
    this.workerScript = options.workerScript ?? WORKER_SCRIPT;
    this.workerHeapMb = options.workerHeapMb ?? WORKER_HEAP_MB;
    this.removals = new Removals({
      db: core.db,
      brandId: core.brandId,
      now: () => core.clock.now().getTime(),
      changed: (touched) => core.changed(touched),
      undone: () => core.undone?.(),
      logger: core.logger,
    });
  }

  /**
   * Undoes an import (undo-import.ts): it shows as being removed at once, and goes in steps between answers; an
   * error says why it cannot be (still running, already undone, a later merge to undo first).
   */
  undo(jobId: number): ImportJobView {
    this.removals.start(jobId);
    return this.job(jobId);
  }

  /** From a terminal: the whole undo before returning (interrupted, the app's next start finishes it). */
  undoNow(jobId: number): ImportJobView {
    this.removals.runToEnd(jobId);
    return this.job(jobId);
  }

  /** Removals the app was stopped in go on. */
  resumeRemovals(): void {
    this.removals.resume();
  }

  addPath(path: string): ImportFileRef {
    let bytes: number;
    try {
      const stat = statSync(path);
      if (!stat.isFile()) throw new Error('it is not a file');
      bytes = stat.size;
    } catch (error) {
      throw new AppError('validation', `Cannot open ${basename(path)}: ${(error as Error).message}`, 'path');
    }
    return this.remember({ path, name: basename(path), bytes, uploaded: false });
  }

  /**
   * A file on this PC, as the desktop app passes a dropped one: read in place, except an Excel workbook, read as a
   * CSV copy of its first sheet (deleted once imported).
   */
  async fromPath(path: string): Promise<ImportFileRef> {
    const ref = this.addPath(path);
    const entry = this.file(ref.fileId);
    const table = await asTable(path, entry.name, this.uploadsDir());
    if (table.copy) this.files.set(ref.fileId, { ...entry, path: table.path, uploaded: true });
    return ref;
  }

  private uploadsDir(): string {
    return join(this.core.dataDir, 'imports', 'uploads');
  }

  /** A browser's file, streamed to a temporary file beside the data file. */
  async addUpload(body: Readable, name: string): Promise<ImportFileRef> {
    const dir = join(this.core.dataDir, 'imports', 'uploads');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, `${randomBytes(9).toString('base64url')}.upload`);
    let bytes = 0;
    body.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > MAX_UPLOAD_BYTES) body.destroy(new AppError('validation', 'The file is larger than 2 GB.'));
    });
    try {
      await pipeline(body, createWriteStream(path, { mode: 0o600 }));
    } catch (error) {
      rmSync(path, { force: true });
      throw error instanceof AppError
        ? error
        : new AppError('validation', 'The file did not arrive completely; try again.');
    }
    const shown = basename(name) || 'upload.csv';
    let table: { path: string; copy: boolean };
    try {
      table = await asTable(path, shown, this.uploadsDir());
    } catch (error) {
      rmSync(path, { force: true });
      throw error;
    }
    // The upload itself is not needed once a workbook was copied out as a CSV.
    if (table.copy) rmSync(path, { force: true });
    return this.remember({ path: table.path, name: shown, bytes, uploaded: true });
  }

  private remember(entry: Omit<FileEntry, 'fileId'>): ImportFileRef {
    const fileId = randomBytes(9).toString('base64url');
    this.files.set(fileId, { ...entry, fileId });
    return { fileId, name: entry.name, bytes: entry.bytes };
  }

  private file(fileId: string): FileEntry {
    const entry = this.files.get(fileId);
    if (!entry) throw new AppError('not_found', 'That file is no longer open here; drop it on the window again.');
    return entry;
  }

  preview(fileId: string, choices: ImportChoices): Promise<Preview> {
    const entry = this.file(fileId);
    return previewImport(this.core, entry.path, choices, entry.name);
  }

  savePreset(fileId: string, name: string, choices: ImportChoices): Promise<{ name: string }> {
    return this.preview(fileId, choices).then((preview) => {
      savePreset(this.core, name, preview.settings.headers, { ...choices, roles: preview.settings.roles });
      return { name: name.trim() };
    });
  }

  /**
   * Starts the job and answers with its id at once; the job runs on in the background — in its own thread
   * (the built `import-worker.js`, on its own connection to the data file), or, for a data file held in
   * memory or a run from sources, in this thread between answers.
   */
  start(fileId: string, choices: ImportChoices): Promise<{ jobId: number }> {
    const entry = this.file(fileId);
    const databaseFile = this.core.db.sqlite.name;
    if (databaseFile !== ':memory:' && existsSync(this.workerScript))
      return this.startInWorker(entry, choices, databaseFile);
    return this.startHere(entry, choices);
  }

  private async startInWorker(
    entry: FileEntry,
    choices: ImportChoices,
    databaseFile: string,
  ): Promise<{ jobId: number }> {
    const settings = inspect(this.core, entry.path, choices, entry.name);
    const normalize = this.core.normalizeOptionsFor(this.core.brandId);
    const data: ImportWorkerData = {
      databaseFile,
      dataDir: this.core.dataDir,
      path: entry.path,
      fileName: entry.name,
      settings,
      brandId: this.core.brandId,
      now: this.core.clock.now().getTime(),
      defaultCountry: settings.defaultCountry,
      shopNumbers: [...(normalize.shopNumbers ?? [])],
      chunkRows: WORKER_CHUNK_ROWS,
      turns: writeTurnsOf(this.core.db),
    };
    const worker = new Worker(this.workerScript, {
      workerData: data,
      resourceLimits: { maxOldGenerationSizeMb: this.workerHeapMb, maxYoungGenerationSizeMb: WORKER_YOUNG_MB },
    });
    this.checkpointing(+1);
    return new Promise((resolve, reject) => {
      let jobId: number | undefined;
      /** The thread said how its job ended (the job's row says so too). */
      let done = false;
      /** Why the thread stopped, when it failed. */
      let failure: string | undefined;
      worker.on('message', (message: ImportWorkerMessage) => {
        switch (message.type) {
          case 'started':
            jobId = message.jobId;
            this.running.set(jobId, {
              cancel: () => worker.postMessage({ type: 'cancel' }),
              stop: () => void worker.terminate(),
            });
            resolve({ jobId });
            break;
          case 'committed':
            this.core.changed(message.touched);
            break;
          case 'done':
            done = true;
            if (message.summary.status === 'failed') {
              this.core.logger.error(`Import ${message.summary.jobId} failed: ${message.summary.error}`);
            }
            break;
          case 'error':
            if (jobId === undefined) reject(new AppError('validation', message.message));
            else {
              failure = `The import stopped: ${snippet(message.message, 200)}`;
              this.core.logger.error(`Import ${jobId} stopped: ${message.message}`);
            }
            break;
          default:
            break;
        }
      });
      // Out of memory, or an error nothing in the thread caught: the thread stops alone, never the app.
      worker.on('error', (error) => {
        failure = threadFailure(error);
        if (jobId === undefined) reject(new AppError('unavailable', failure));
        else this.core.logger.error(`Import ${jobId} stopped unexpectedly`, error);
      });
      worker.on('exit', (code) => {
        this.checkpointing(-1);
        this.finished(entry);
        if (jobId === undefined) {
          reject(new AppError('internal', failure ?? 'The import could not start.'));
          return;
        }
        this.running.delete(jobId);
        if (!done && !this.stopping) {
          this.failJob(jobId, failure ?? `The import stopped unexpectedly (its thread ended with code ${code}).`);
        }
      });
    });
  }

  /** A job whose thread stopped without finishing it: failed, with the reason; what it saved is kept and counted. */
  private failJob(jobId: number, reason: string): void {
    if (!this.core.db.sqlite.open) return;
    try {
      settlePendingTotals(this.core.db, this.core.clock.now().getTime());
      stmt(
        this.core.db,
        "UPDATE import_job SET status = 'failed', error = ?, finished_at = ? WHERE id = ? AND status = 'running'",
      ).run(reason, this.core.clock.now().getTime(), jobId);
    } catch (error) {
      // Left running: the next start shows it as interrupted.
      this.core.logger.error(`Import ${jobId}: could not record that it failed`, error);
    }
    this.core.logger.error(`Import ${jobId} failed: ${reason}`);
  }

  private startHere(entry: FileEntry, choices: ImportChoices): Promise<{ jobId: number }> {
    const controller = new AbortController();
    return new Promise((resolve, reject) => {
      let started = false;
      importFile(this.core, {
        path: entry.path,
        fileName: entry.name,
        choices,
        signal: controller.signal,
        chunkRows: APP_CHUNK_ROWS,
        onStarted: (jobId) => {
          started = true;
          this.running.set(jobId, { cancel: () => controller.abort(), stop: () => controller.abort() });
          resolve({ jobId });
        },
      })
        .then((summary) => {
          this.finished(entry);
          this.running.delete(summary.jobId);
          if (summary.status === 'failed') this.core.logger.error(`Import ${summary.jobId} failed: ${summary.error}`);
        })
        .catch((error: unknown) => {
          if (!started) {
            reject(error);
            return;
          }
          this.core.logger.error('An import stopped unexpectedly', error);
        });
    });
  }

  /**
   * While an import runs in its thread, this connection leaves checkpoints to the import's connection. The write-ahead
   * log is then far past SQLite's 1,000 pages, and every small write here (a webhook, a click) would copy it back into
   * the data file itself, holding up this thread for hundreds of milliseconds: measured with webhooks at 100 a second
   * during a 1M-row import, their p99 went from 1,102 ms to 210 ms and `/rpc`'s from 748 ms to 194 ms.
   */
  private checkpointing(importsStarted: number): void {
    const before = this.workerImports;
    this.workerImports += importsStarted;
    // A thread that stops after the app closed its data file (quitting mid-import) has nothing to hand back.
    if (!this.core.db.sqlite.open) return;
    const sqlite = this.core.db.sqlite;
    sqlite.pragma(`wal_autocheckpoint = ${this.workerImports > 0 ? 0 : WAL_CHECKPOINT_PAGES}`);
    // Meanwhile this connection keeps a small page cache and maps none of the file: the import's pages are not this
    // thread's to keep, and the app's peak memory during a 1M-row import is held to 400 MB. Put back after.
    if (before === 0 && this.workerImports > 0) {
      this.appMemory = {
        cache: sqlite.pragma('cache_size', { simple: true }) as number,
        mmap: sqlite.pragma('mmap_size', { simple: true }) as number,
      };
      sqlite.pragma(`cache_size = -${IMPORTING_APP_CACHE_KIB}`);
      sqlite.pragma('mmap_size = 0');
      // And lets go of its own garbage before the import's threads fill up (memory.ts).
      collectGarbage();
    } else if (this.workerImports === 0 && this.appMemory) {
      sqlite.pragma(`cache_size = ${this.appMemory.cache}`);
      sqlite.pragma(`mmap_size = ${this.appMemory.mmap}`);
      this.appMemory = undefined;
    }
  }

  /** This connection's page cache and mapping before imports in their thread began. */
  private appMemory: { cache: number; mmap: number } | undefined;

  /** A browser's copy of the file is deleted once its import has run (it holds customers' details). */
  private finished(entry: FileEntry): void {
    if (!entry.uploaded) return;
    this.files.delete(entry.fileId);
    rmSync(entry.path, { force: true });
  }

  /** Copies left by uploads when the app last stopped (nothing can refer to them any more). */
  sweepUploads(): void {
    rmSync(join(this.core.dataDir, 'imports', 'uploads'), { recursive: true, force: true });
  }

  cancel(jobId: number): { cancelled: boolean } {
    const job = this.running.get(jobId);
    job?.cancel();
    return { cancelled: job !== undefined };
  }

  job(jobId: number): ImportJobView {
    const row = stmt(this.core.db, 'SELECT * FROM import_job WHERE id = ? AND brand_id = ?').get(
      jobId,
      this.core.brandId,
    ) as JobRow | undefined;
    if (!row) throw new AppError('not_found', `There is no import #${jobId}.`);
    return view(row);
  }

  jobs(): ImportJobView[] {
    return (
      stmt(this.core.db, 'SELECT * FROM import_job WHERE brand_id = ? ORDER BY id DESC LIMIT 50').all(
        this.core.brandId,
      ) as JobRow[]
    ).map(view);
  }

  /** The rejected-rows file of a job, if it has one. */
  rejectedFile(jobId: number): string | undefined {
    const row = stmt(this.core.db, 'SELECT rejected_file FROM import_job WHERE id = ? AND brand_id = ?').get(
      jobId,
      this.core.brandId,
    ) as { rejected_file: string | null } | undefined;
    return row?.rejected_file ?? undefined;
  }

  /**
   * Stops running jobs (the app is closing). Work in a thread stops at once, its chunk in hand rolled back;
   * the job then shows as interrupted at the next start, and importing the file again finishes it.
   */
  stopAll(): void {
    this.stopping = true;
    this.removals.stop();
    for (const job of this.running.values()) job.stop();
    this.running.clear();
  }
}
