/**
 * When the data file cannot be written — the disk is full, the file or folder became read-only, the drive fails,
 * the file is damaged — SQLite answers with an error code, and the shop owner needs words and a next step, not
 * "SQLITE_FULL". Senders (Shopify, WhatsApp, scripts on the event API) need a 503 with Retry-After, so they send
 * again later: nothing is acknowledged before it is committed, so nothing acknowledged is lost.
 *
 * The last problem seen is kept per backend (`storage-health.ts`) for the Dashboard.
 */
import { dirname } from 'node:path';

export type StorageProblemKind = 'full' | 'read_only' | 'disk_error' | 'damaged';

export interface StorageProblem {
  kind: StorageProblemKind;
  /** What happened and what to do, in the shop's words. */
  message: string;
}

/** Seconds a sender is asked to wait before trying again. */
export const RETRY_AFTER_S = 30;

/**
 * The problem behind a SQLite error, or undefined for any other error. `atStart`: the app could not open the file
 * (nothing was received yet, so the message says to start again once fixed).
 */
export function storageProblem(error: unknown, databaseFile: string, atStart = false): StorageProblem | undefined {
  const problem = describe(error, databaseFile);
  if (!problem || !atStart) return problem;
  return {
    kind: problem.kind,
    message: `ConstIntel could not start: ${problem.message.replace(/ Nothing received was lost; senders are asked to try again\.$/, '')} Then start it again.`,
  };
}

const errorCode = (error: unknown): string => String((error as { code?: unknown } | null)?.code ?? '');

/** Is this SQLite telling us the file cannot be written or read (the cheap check before anything else)? */
export function isStorageError(error: unknown): boolean {
  const code = errorCode(error);
  return (
    code === 'SQLITE_FULL' ||
    code.startsWith('SQLITE_READONLY') ||
    code === 'SQLITE_PERM' ||
    code === 'SQLITE_CANTOPEN' ||
    code.startsWith('SQLITE_IOERR') ||
    code === 'SQLITE_CORRUPT' ||
    code === 'SQLITE_NOTADB'
  );
}

function describe(error: unknown, databaseFile: string): StorageProblem | undefined {
  const code = errorCode(error);
  const folder = databaseFile === ':memory:' ? 'the data folder' : dirname(databaseFile);
  if (code === 'SQLITE_FULL')
    return {
      kind: 'full',
      message: `The disk holding your data is full: free some space on it (${folder}). Nothing received was lost; senders are asked to try again.`,
    };
  if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_PERM' || code === 'SQLITE_CANTOPEN')
    return {
      kind: 'read_only',
      message: `ConstIntel cannot write to its data file: give your user account write access to ${folder} and the files in it (or move the data folder off a read-only drive). Nothing received was lost; senders are asked to try again.`,
    };
  if (code.startsWith('SQLITE_IOERR'))
    return {
      kind: 'disk_error',
      message: `The disk holding your data could not be read or written (${folder}): check that the drive is connected and healthy. Nothing received was lost; senders are asked to try again.`,
    };
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB')
    return {
      kind: 'damaged',
      message: `The data file ${databaseFile} is damaged. Stop ConstIntel and restore your last good backup (Settings → Backups, or constintel restore).`,
    };
  return undefined;
}
