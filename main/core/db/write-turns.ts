/**
 * Taking turns at SQLite's one write lock between the app's thread and an import's thread, so a webhook or an
 * event-API call is never stuck behind a big file, and the app's thread never waits on the lock.
 *
 * SQLite lets one connection write at a time; an import holds the lock for one chunk after another. The app's
 * thread is where every request is answered, and better-sqlite3 is synchronous: a busy timeout there would stop
 * every request while it sleeps. So a write from the app's thread that must not wait (`inTurn`) tries the lock
 * without waiting; when it is taken, it raises a flag in memory both threads share and waits for it asynchronously
 * (the thread answers other requests meanwhile). The import checks the flag between small groups of rows: raised,
 * it commits what it has, says so (waking the waiting write at once), and waits until no write is waiting before it
 * takes the lock again (`yieldIfWanted`). A waiting write thus waits for at most one small group of rows.
 *
 * Background work on the app's thread (the stream subscribers) waits too, but asks only for the end of the chunk in
 * hand (`later`), so the import does not commit more often for it.
 *
 * The flags are three 32-bit integers in a SharedArrayBuffer (Atomics): [WANTED] writes waiting on the app's thread
 * that should go first, [RELEASED] a counter the import bumps each time it lets the lock go, [WANTED_LATER] writes
 * waiting that can wait for the chunk's end.
 */
import type { Database } from './open';

const WANTED = 0;
const RELEASED = 1;
/** Writes waiting that can wait for the end of the import's chunk (the app's own background work). */
const WANTED_LATER = 2;
/** How long a waiting write sleeps before trying again when nothing says the lock was let go (another process). */
const RETRY_MS = 20;
/** The longest an import waits for the app's writes to be done before it takes the lock again. */
const YIELD_MAX_MS = 200;

/** `Atomics.waitAsync` (Node 16 and later, so Electron's too; the ES2024 library types are not in this build). */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(
      array: Int32Array,
      index: number,
      value: number,
      timeoutMs: number,
    ): { async: false; value: string } | { async: true; value: Promise<string> };
  }
).waitAsync;

const flagsOf = new WeakMap<Database, Int32Array>();

/** The flags shared with the import threads writing this data file (their `workerData` carries the buffer). */
export function writeTurnsOf(db: Database): Int32Array {
  let flags = flagsOf.get(db);
  if (!flags) {
    flags = new Int32Array(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT));
    flagsOf.set(db, flags);
  }
  return flags;
}

const isBusy = (error: unknown) => String((error as { code?: unknown } | null)?.code ?? '').startsWith('SQLITE_BUSY');

/**
 * Runs `write` (which opens its own IMMEDIATE transaction) as soon as the write lock is free, without waiting on it
 * in this thread: between tries the thread answers other requests. `later`: it can wait for the end of the import's
 * chunk in hand. Gives up with SQLite's busy error after `maxWaitMs` (another program holding the file that long).
 */
export async function inTurn<T>(
  db: Database,
  write: () => T,
  options: { later?: boolean; maxWaitMs?: number } = {},
): Promise<T> {
  const flags = writeTurnsOf(db);
  const slot = options.later ? WANTED_LATER : WANTED;
  const maxWaitMs = options.maxWaitMs ?? 10_000;
  const deadline = performance.now() + maxWaitMs;
  let waiting = false;
  try {
    for (;;) {
      const released = Atomics.load(flags, RELEASED);
      const timeout = db.sqlite.pragma('busy_timeout', { simple: true }) as number;
      db.sqlite.pragma('busy_timeout = 0');
      try {
        return write();
      } catch (error) {
        if (!isBusy(error) || performance.now() > deadline) throw error;
      } finally {
        db.sqlite.pragma(`busy_timeout = ${timeout}`);
      }
      if (!waiting) {
        Atomics.add(flags, slot, 1);
        waiting = true;
      }
      const wait = waitAsync(flags, RELEASED, released, RETRY_MS);
      if (wait.async) await wait.value;
    }
  } finally {
    if (waiting) {
      Atomics.sub(flags, slot, 1);
      Atomics.notify(flags, slot);
    }
  }
}

/**
 * An import thread between groups of rows (`chunkEnd`: it has just committed a whole chunk): is a write on the app's
 * thread waiting for the lock that should have it now?
 */
export function turnWanted(flags: Int32Array | undefined, chunkEnd = false): boolean {
  if (flags === undefined) return false;
  return Atomics.load(flags, WANTED) > 0 || (chunkEnd && Atomics.load(flags, WANTED_LATER) > 0);
}

/**
 * An import thread that has just committed because a write was waiting: says the lock is free, then waits (at most
 * YIELD_MAX_MS) until no write is waiting any more before going on.
 */
export function yieldTurn(flags: Int32Array): void {
  Atomics.add(flags, RELEASED, 1);
  Atomics.notify(flags, RELEASED);
  const until = performance.now() + YIELD_MAX_MS;
  for (const slot of [WANTED, WANTED_LATER]) {
    for (;;) {
      const wanted = Atomics.load(flags, slot);
      const left = until - performance.now();
      if (wanted === 0 || left <= 0) break;
      Atomics.wait(flags, slot, wanted, left);
    }
  }
}
