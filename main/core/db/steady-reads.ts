/**
 * Reads that cannot change while one synchronous piece of work holds this connection's write transaction: no other
 * connection can commit inside it, and the work declares it does not write what it reads (an automation's batch
 * writes messages, occasions, decisions and tags, never settings, consent, templates, identifiers or profiles). Inside
 * `withSteadyReads` such a read is done once per key; outside it, every call reads. An automation writing a message
 * read the settings three times and a customer's consent three or four times (`npm run bench -- automations`).
 */
let scope: Map<string, unknown> | undefined;
/** Per-customer reads (or anything numbered), a map of ids per kind: no key to build for each of thousands. */
let byId: Map<string, Map<number, unknown>> | undefined;
/** Reads of many at once, each done at the first miss it covers (so work that reads none of them pays nothing). */
const bulk = new Map<string, { covers(kind: string): boolean; load(): void }>();

export function withSteadyReads<T>(work: () => T): T {
  if (scope) return work();
  scope = new Map();
  byId = new Map();
  try {
    return work();
  } finally {
    scope = undefined;
    byId = undefined;
    bulk.clear();
  }
}

/**
 * Inside `withSteadyReads`: forgets the numbered reads (customers') done so far and keeps the others (settings,
 * templates). A sweep calls it between chunks of customers: what a chunk read is garbage once the chunk is done,
 * rather than living until the commit and being copied by every young-generation collection meanwhile.
 */
export function forgetNumbered(): void {
  if (byId) byId = new Map();
}

/** The first miss a bulk read covers: it reads them all (once). True when one ran. */
function loadInBulk(kind: string): boolean {
  for (const [name, b] of bulk) {
    if (!b.covers(kind)) continue;
    bulk.delete(name);
    b.load();
    return true;
  }
  return false;
}

/** `read()` once per key inside `withSteadyReads`; every time outside it. */
export function steady<T>(key: string, read: () => T): T {
  if (!scope) return read();
  if (scope.has(key)) return scope.get(key) as T;
  if (loadInBulk(key) && scope.has(key)) return scope.get(key) as T;
  const value = read();
  scope.set(key, value);
  return value;
}

function kindMap(kind: string): Map<number, unknown> | undefined {
  if (!byId) return undefined;
  let map = byId.get(kind);
  if (!map) {
    map = new Map();
    byId.set(kind, map);
  }
  return map;
}

/** `steady` for one of many numbered things of a kind (a customer's consent, their first name). */
export function steadyOf<T>(kind: string, id: number, read: () => T): T {
  const map = kindMap(kind);
  if (!map) return read();
  if (map.has(id)) return map.get(id) as T;
  if (loadInBulk(kind) && map.has(id)) return map.get(id) as T;
  const value = read();
  map.set(id, value);
  return value;
}

/**
 * Inside `withSteadyReads`: when a key or kind `covers` is first missed, `load` reads them all in bulk (with
 * `primeSteadyOf`). Replaces the bulk read of the same name set before, if it was not needed.
 */
export function readInBulkOnMiss(name: string, covers: (kind: string) => boolean, load: () => void): void {
  if (scope) bulk.set(name, { covers, load });
}

/** Gives a numbered thing its value read in bulk beforehand; ignored outside `withSteadyReads`. */
export function primeSteadyOf(kind: string, id: number, value: unknown): void {
  kindMap(kind)?.set(id, value);
}
