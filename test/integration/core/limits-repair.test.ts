/**
 * Issue 14, finding 1 (what was already stored): sums stay finite where they
 * are summed, rows an earlier version let in past the limits are repaired at
 * start with a line in the log, and no page fails on a total that is not a
 * finite number even if one reaches the data file some other way.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../../main/core/backend';
import { fixedClock, type Logger } from '../../../main/core/clock';
import { recomputeTotals } from '../../../main/core/db/repos/profile-totals';
import { ingestInTransaction } from '../../../main/core/ingest/ingest-event';
import { normalizeOptions } from '../../../main/core/settings/shop-settings';
import type { ParsedEvent } from '../../../shared/events';
import { MAX_MONEY, MAX_TOTAL } from '../../../shared/limits';
import { inMemoryBackend, TEST_NOW, tempDir, testBackend } from '../../support/backend';
import { retrainFinished, seedMlShop } from '../../support/ml-shop';

const NOW = Date.parse(TEST_NOW);
const DAY = 86_400_000;
let backend: Backend | undefined;
const folders: { remove(): void }[] = [];
afterEach(async () => {
  await backend?.close();
  backend = undefined;
  for (const folder of folders.splice(0)) folder.remove();
});

const lifetimeValues = (b: Backend) =>
  b.db.sqlite.prepare('SELECT lifetime_value FROM customer_profile ORDER BY id').pluck().all() as number[];

/** Pages the shop opens: each must answer, with finite numbers. */
async function pagesAnswer(b: Backend): Promise<void> {
  for (const sort of ['lifetime_value', 'last_seen', 'churn_risk', 'predicted_value'] as const) {
    const page = await b.call('customers.search', { sort, limit: 200 });
    for (const item of page.items) expect(Number.isFinite(item.lifetimeValue)).toBe(true);
  }
  const overview = await b.call('models.overview', {});
  for (const segment of overview.segments) expect(JSON.stringify(segment)).not.toMatch(/null|Infinity/);
  await b.call('models.segments', {});
  const ids = b.db.sqlite.prepare('SELECT id FROM customer_profile ORDER BY lifetime_value DESC LIMIT 3').pluck();
  for (const id of ids.all() as number[]) {
    const found = await b.call('customers.get', { id });
    if (found.status === 'found') expect(Number.isFinite(found.customer.lifetimeValue)).toBe(true);
    await b.call('customers.timeline', { id });
  }
}

/** An event as an older version could have stored it (no limits). */
const unchecked = (externalId: string, total: number, occurredAt = '2026-02-01T10:00:00.000Z'): ParsedEvent =>
  ({
    type: 'purchase',
    occurredAt,
    source: 'api',
    externalId,
    identifiers: { email: 'old@example.com' },
    payload: { total, orderId: externalId },
  }) as ParsedEvent;

describe('sums stay finite', () => {
  it('adding or recomputing amounts stored past the limit never makes an infinite lifetime value', async () => {
    backend = await inMemoryBackend();
    const b = backend;
    const ctx = { brandId: 1, now: NOW, normalize: normalizeOptions(b.ctx) };
    b.db.sqlite.transaction(() => {
      ingestInTransaction(b.db, unchecked('a', 1e308), ctx);
      ingestInTransaction(b.db, unchecked('b', 1e308), ctx);
    })();
    const [incremental] = lifetimeValues(b);
    expect(Number.isFinite(incremental)).toBe(true);
    expect(incremental).toBe(2 * MAX_MONEY);
    recomputeTotals(b.db, 1, NOW);
    expect(lifetimeValues(b)).toEqual([2 * MAX_MONEY]);
    // A total already infinite in the file (SQLite keeps Infinity) is pulled back when an order is added.
    b.db.sqlite.prepare('UPDATE customer_profile SET lifetime_value = 9e999').run();
    b.db.sqlite.transaction(() => ingestInTransaction(b.db, unchecked('c', 5), ctx))();
    expect(lifetimeValues(b)).toEqual([MAX_TOTAL]);
  });
});

describe('repair at start', () => {
  it('repairs rows past the limits, says so in the log, and every page and a retrain work', async () => {
    const folder = tempDir();
    folders.push(folder);
    backend = await testBackend({ dataDir: folder.path });
    seedMlShop(backend.db, { customers: 300, end: NOW, days: 400, seed: 5 });
    const sql = backend.db.sqlite;
    const victim = sql.prepare('SELECT id FROM customer_profile ORDER BY id LIMIT 1').pluck().get() as number;
    const insert = sql.prepare(
      `INSERT INTO customer_raw_event (brand_id, event_type, source, external_id, payload, identifiers, occurred_at, received_at, customer_profile_id, order_id)
       VALUES (1, 'purchase', 'api', ?, ?, '[]', ?, ?, ?, ?)`,
    );
    const deep = `{"total":5,"orderId":"deep","x":${'['.repeat(1500)}${']'.repeat(1500)}}`;
    insert.run('huge-1', '{"total":1e308,"orderId":"huge-1"}', NOW - 5 * DAY, NOW - 5 * DAY, victim, 'huge-1');
    insert.run('huge-2', '{"total":1e308,"orderId":"huge-2"}', NOW - 4 * DAY, NOW - 4 * DAY, victim, 'huge-2');
    insert.run('year-9999', '{"total":7,"orderId":"y9999"}', Date.UTC(9999, 0, 1), NOW - 3 * DAY, victim, 'y9999');
    insert.run('deep', deep, NOW - 2 * DAY, NOW - 2 * DAY, victim, 'deep');
    sql
      .prepare('UPDATE customer_profile SET lifetime_value = 9e999, last_seen_at = ? WHERE id = ?')
      .run(Date.UTC(9999, 0, 1), victim);
    // As a data file an earlier version wrote: it has never been scanned.
    sql.prepare("DELETE FROM setting WHERE key = 'maintenance.limitsScan'").run();
    await backend.close();

    const lines: string[] = [];
    const logger: Logger = {
      info: (message: string) => lines.push(message),
      warn: (message: string) => lines.push(message),
      error: (message: string) => lines.push(message),
    };
    backend = await testBackend({ dataDir: folder.path, logger, clock: fixedClock(TEST_NOW) });
    const b = backend;
    expect(lines.join('\n')).toMatch(/Repaired 4 stored event\(s\) past ConstIntel's limits .*1 customer total\(s\)/);
    const row = b.db.sqlite
      .prepare('SELECT lifetime_value AS value, last_seen_at AS seen FROM customer_profile WHERE id = ?')
      .get(victim) as { value: number; seen: number };
    expect(Number.isFinite(row.value)).toBe(true);
    expect(row.seen).toBeLessThanOrEqual(NOW + DAY);
    expect(
      b.db.sqlite.prepare('SELECT count(*) FROM customer_raw_event WHERE json_valid(payload) = 0').pluck().get(),
    ).toBe(0);
    const repaired = b.db.sqlite
      .prepare(
        "SELECT payload FROM customer_raw_event WHERE external_id IN ('huge-1', 'year-9999', 'deep') ORDER BY id",
      )
      .pluck()
      .all() as string[];
    expect(repaired.map((p) => JSON.parse(p).limitRepair)).toEqual([
      expect.stringMatching(/total 1e\+308 was out of range/),
      expect.stringMatching(/occurredAt 9999-01-01T00:00:00.000Z was out of range/),
      expect.stringMatching(/nested more than 32 levels/),
    ]);
    // The deep event keeps its amount; the huge ones count nothing.
    expect(JSON.parse(repaired[2] as string).total).toBe(5);
    await pagesAnswer(b);
    const { jobId } = await b.call('models.retrain', {});
    const job = await retrainFinished(b, jobId);
    expect(job.error).toBeNull();
    expect(job.status).toBe('completed');
    await pagesAnswer(b);

    // Nothing left to repair: the next start is quiet.
    await b.close();
    lines.length = 0;
    backend = await testBackend({ dataDir: folder.path, logger });
    expect(lines.join('\n')).not.toMatch(/Repaired/);
  }, 60_000);
});

describe('the read side', () => {
  it('no page fails on a lifetime value that is not finite, however it got there', async () => {
    const folder = tempDir();
    folders.push(folder);
    backend = await testBackend({ dataDir: folder.path });
    const b = backend;
    seedMlShop(b.db, { customers: 300, end: NOW, days: 400, seed: 9 });
    const { jobId } = await b.call('models.retrain', {});
    expect((await retrainFinished(b, jobId)).status).toBe('completed');
    // After start (so the repair has not seen it): as if written by something that skipped every check.
    b.db.sqlite.prepare('UPDATE customer_profile SET lifetime_value = 9e999 WHERE id IN (1, 2)').run();
    b.db.sqlite.prepare('UPDATE customer_profile SET lifetime_value = -9e999 WHERE id = 3').run();
    await pagesAnswer(b);
    const found = await b.call('customers.get', { id: 1 });
    expect(found.status === 'found' && found.customer.lifetimeValue).toBe(MAX_TOTAL);
  }, 60_000);
});
