/**
 * Reads that cannot change while one synchronous piece of work holds this connection's write transaction: no other
 * connection can commit inside it, and the work declares it does not write what it reads (an automation's batch
 * writes messages, occasions, decisions and tags, never settings, consent, templates, identifiers or profiles). Inside
 * `withSteadyReads` such a read is done once per key; outside it, every call reads. An automation writing a message
 * read the settings three times and a customer's consent three or four times (`npm run bench -- automations`).
 */
let scope: Map<string, unknown> | undefined;
/** Reads of many keys at once, each done at the first miss it covers (so work that reads none of them pays nothing). */
const bulk = new Map<string, { covers(key: string): boolean; load(): void }>();

export function withSteadyReads<T>(work: () => T): T {
  if (scope) return work();
  scope = new Map();
  try {
    return work();
  } finally {
    scope = undefined;
    bulk.clear();
  }
}

/** `read()` once per key inside `withSteadyReads`; every time outside it. */
export function steady<T>(key: string, read: () => T): T {
  if (!scope) return read();
  if (scope.has(key)) return scope.get(key) as T;
  for (const [name, b] of bulk) {
    if (!b.covers(key)) continue;
    // The first miss a bulk read covers: it reads them all (once), and this key is among them.
    bulk.delete(name);
    b.load();
    if (scope.has(key)) return scope.get(key) as T;
    break;
  }
  const value = read();
  scope.set(key, value);
  return value;
}

/**
 * Inside `withSteadyReads`: when a key `covers` is first missed, `load` reads them all in bulk (with `primeSteady`).
 * Replaces the bulk read of the same name set before, if it was not needed.
 */
export function readInBulkOnMiss(name: string, covers: (key: string) => boolean, load: () => void): void {
  if (scope) bulk.set(name, { covers, load });
}

/**
 * A key the work itself has just changed (a message written changes the customer's count of recent messages): the
 * next read reads again. This lets a read the work writes be kept too, as long as its writer forgets it.
 */
export function forgetSteady(key: string): void {
  scope?.delete(key);
}

/** Gives a key its value read in bulk beforehand (a sweep's chunk of customers); ignored outside `withSteadyReads`. */
export function primeSteady(key: string, value: unknown): void {
  scope?.set(key, value);
}
