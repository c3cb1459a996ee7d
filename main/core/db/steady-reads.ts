/**
 * Reads that cannot change while one synchronous piece of work holds this connection's write transaction: no other
 * connection can commit inside it, and the work declares it does not write what it reads (an automation's batch
 * writes messages, occasions and decisions, never settings, consent or templates). Inside `withSteadyReads` such a
 * read is done once per key; outside it, every call reads. An automation writing a message read the settings three
 * times and a customer's consent three or four times (`npm run bench -- automations`).
 */
let scope: Map<string, unknown> | undefined;

export function withSteadyReads<T>(work: () => T): T {
  if (scope) return work();
  scope = new Map();
  try {
    return work();
  } finally {
    scope = undefined;
  }
}

/** `read()` once per key inside `withSteadyReads`; every time outside it. */
export function steady<T>(key: string, read: () => T): T {
  if (!scope) return read();
  if (scope.has(key)) return scope.get(key) as T;
  const value = read();
  scope.set(key, value);
  return value;
}
