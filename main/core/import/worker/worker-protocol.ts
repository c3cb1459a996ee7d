/** What the main thread and the import worker (main/import-worker.ts) say to each other. */
import type { ImportSettings } from '../file/read-file';
import type { ImportCounts, ImportSummary } from './import-job';

export interface ImportWorkerData {
  databaseFile: string;
  dataDir: string;
  path: string;
  fileName: string;
  settings: ImportSettings;
  brandId: number;
  /** The main thread's clock when it started the job: the job's start, and where the worker's clock starts. */
  now: number;
  defaultCountry: string;
  /** The shop's own numbers (never a customer's), as E.164. */
  shopNumbers: string[];
  chunkRows: number;
  /** Flags shared with the app's thread, so a webhook's write goes between two groups of rows (write-turns.ts). */
  turns?: Int32Array;
}

export type ImportWorkerMessage =
  | { type: 'started'; jobId: number }
  | { type: 'progress'; counts: ImportCounts & { jobId: number; fileBytes: number } }
  | { type: 'committed'; touched: number[] }
  | { type: 'done'; summary: ImportSummary }
  | { type: 'error'; message: string };
