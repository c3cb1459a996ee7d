/**
 * Reads that cannot change while one synchronous piece of work holds this connection's write transaction: no other
 * connection can commit inside it, and the work declares it does not write what it reads (an automation's batch
 * writes messages, occasions, decisions and tags, never settings, consent, templates, identifiers or profiles). Inside
 * `withSteadyReads` such a read is done once per key; outside it, every call reads. An automation writing a message
 * read the settings three times and a customer's consent three or four times (`npm run bench -- automations`).
 */
let scope: Map<string, unknown> | undefined;
/** A read of many keys at once, done at the first miss it covers (so work that reads none of them pays nothing). */
let bulk: { covers(key: string): boolean; load(): void } | undefined;

export function withSteadyReads<T>(work: () => T): T {
  if (scope) return work();
  scope = new Map();
  try {
    return work();
  } finally {
    scope = undefined;
    bulk = undefined;
  }
}

/** `read()` once per key inside `withSteadyReads`; every time outside it. */
export function steady<T>(key: string, read: () => T): T {
  if (!scope) return read();
  if (scope.has(key)) return scope.get(key) as T;
  if (bulk?.covers(key)) {
    // The first miss a bulk read covers: it reads them all (once), and this key is among them.
    const { load } = bulk;
    bulk = undefined;
    load();
    if (scope.has(key)) return scope.get(key) as T;
  }
  const value = read();
  scope.set(key, value);
  return value;
}

/**
 * Inside `withSteadyReads`: when a key `covers` is first missed, `load` reads them all in bulk (with `primeSteady`).
 * Replaces the bulk read set before, if it was not needed.
 */
export function readInBulkOnMiss(covers: (key: string) => boolean, load: () => void): void {
  if (scope) bulk = { covers, load };
}

/** Gives a key its value read in bulk beforehand (a sweep's chunk of customers); ignored outside `withSteadyReads`. */
export function primeSteady(key: string, value: unknown): void {
  scope?.set(key, value);
}
