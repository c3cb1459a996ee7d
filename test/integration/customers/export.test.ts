/**
 * The customers export (main/core/customers/export.ts) on a real backend with the real migrations: the columns and
 * values for hand-checked customers (the main email of one with two, money with 2 decimals, the last purchase's day
 * in the shop's time zone, churn risk as a percentage, the segment, the journey columns empty before the journey
 * engine ran and filled once it did), exactly the customers `customers.search` lists for the same filter (all its
 * pages, in its order), formula-like cells defused, and 100,000 customers written in pages with bounded memory.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../../main/core/backend';
import { customerCsvChunks, EXPORT_BATCH, writeCustomersCsv } from '../../../main/core/customers/export';
import type { CustomerExportFilter } from '../../../shared/contract/customer-export';
import { ingestOne, tempDirs, testBackend } from '../../support/backend';
import { ev } from '../../support/events';

const newDir = tempDirs();

/** A full garbage collection, so the heap measured is what the export holds, not what it has let go. */
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/** Parses an export: its rows as records by header, after checking the byte-order mark and CRLF line ends. */
function parse(csv: string): { header: string[]; rows: Record<string, string>[] } {
  expect(csv.startsWith('\ufeff')).toBe(true);
  expect(csv.replace(/\r\n/g, '')).not.toMatch(/\n/);
  const parsed = Papa.parse<string[]>(csv.slice(1), { skipEmptyLines: true });
  const [header = [], ...rest] = parsed.data;
  return { header, rows: rest.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? '']))) };
}

function scoreVersion(backend: Backend): number {
  return Number(
    backend.db.sqlite
      .prepare(
        `INSERT INTO model_version (brand_id, kind, method, metrics, artifact, training_rows, duration_ms, active, created_at)
         VALUES (1, 'scores', 'bgnbd', '{}', '{"asOf":0,"horizons":{"churnDays":90,"ltvDays":365}}', 5, 10, 1, 0)`,
      )
      .run().lastInsertRowid,
  );
}

function predict(backend: Backend, version: number, id: number, churn: number, ltv: number, segment: string): void {
  backend.db.sqlite
    .prepare(
      `INSERT INTO predictions (profile_id, brand_id, churn_score, ltv_score, segment, model_version, predicted_at)
       VALUES (?, 1, ?, ?, ?, ?, 0)`,
    )
    .run(id, churn, ltv, segment, version);
}

describe('customers export: columns and values', () => {
  let backend: Backend;
  let zoe: number;
  let bob: number;
  let nobody: number;

  beforeAll(async () => {
    backend = await testBackend({ dataDir: newDir(), databaseFile: ':memory:' });
    await backend.call('settings.update', { timeZone: 'America/New_York', currency: 'EUR', defaultCountry: 'GB' });
    // Zoë: first known by one email, later also by a second one (the phone joins them): the first is her main email.
    zoe = ingestOne(
      backend,
      ev({
        type: 'purchase',
        occurredAt: '2026-01-10T15:00:00Z',
        identifiers: { email: 'zoe.first@example.com', phone: '+44 7700 900123' },
        payload: { total: 1000, currency: 'EUR', firstName: 'Zoë', lastName: 'Ångström' },
      }),
    ).profileId as number;
    // A second email, seen later (as a merge or a later sale leaves it); alphabetically first, so order by value
    // or by row would pick it.
    const later = ingestOne(
      backend,
      ev({
        type: 'purchase',
        // 03:30 UTC on 28 February is still 27 February in New York (22:30).
        occurredAt: '2026-02-28T03:30:00Z',
        identifiers: { phone: '+44 7700 900123' },
        payload: { total: 234.5, currency: 'EUR' },
      }),
    ).profileId;
    expect(later).toBe(zoe);
    backend.db.sqlite
      .prepare(
        `INSERT INTO profile_identifier (brand_id, profile_id, type, value, source, first_seen_at)
         VALUES (1, ?, 'email', 'a.zoe.second@example.com', 'shopify', ?)`,
      )
      .run(zoe, Date.parse('2026-02-28T03:30:00Z'));
    bob = ingestOne(
      backend,
      ev({
        type: 'purchase',
        occurredAt: '2026-02-15T12:00:00Z',
        identifiers: { email: 'bob@example.com' },
        payload: {
          total: 19.999,
          currency: 'EUR',
          firstName: '=HYPERLINK("http://evil.test")',
          lastName: 'Smith, "Jr"',
        },
      }),
    ).profileId as number;
    nobody = ingestOne(
      backend,
      ev({ type: 'visit', occurredAt: '2026-02-20T12:00:00Z', identifiers: { email: '+cmd@example.com' } }),
    ).profileId as number;
    const version = scoreVersion(backend);
    predict(backend, version, zoe, 0.876, 250.456, 'At risk');
    predict(backend, version, bob, 0.05, 12, 'Champions');
  });
  afterAll(() => backend.close());

  it('writes one row per customer with the main email, money, dates in the shop zone, churn % and segment', async () => {
    const result = await backend.call('customers.export', {});
    expect(result.customers).toBe(3);
    // 10:00 UTC on 1 March is 05:00 in New York: still 1 March.
    expect(result.fileName).toBe('customers-2026-03-01.csv');
    const { header, rows } = parse(result.csv);
    expect(header).toEqual([
      'Customer number',
      'Name',
      'Email',
      'Phone',
      'Lifetime value (EUR)',
      'Orders',
      'Last purchase',
      'Segment',
      'Churn risk',
      'Predicted value (EUR)',
      'Journey stage',
      'Journey score',
      'Next best action',
    ]);
    const z = rows.find((r) => r['Customer number'] === String(zoe));
    expect(z).toEqual({
      'Customer number': String(zoe),
      Name: 'Zoë Ångström',
      Email: 'zoe.first@example.com',
      // Kept as text with a leading apostrophe, like every cell starting with +: a spreadsheet would read it as a
      // formula or a number (dropping the + and showing 4.4777E+11).
      Phone: "'+447700900123",
      'Lifetime value (EUR)': '1234.50',
      Orders: '2',
      'Last purchase': '2026-02-27',
      Segment: 'At risk',
      'Churn risk': '88%',
      'Predicted value (EUR)': '250.46',
      // The journey engine has not run: empty cells, not a missing row.
      'Journey stage': '',
      'Journey score': '',
      // The shop's highest predicted value and no yes to offers on any channel: the next best action is a call
      // (worked out as the file is written, whether or not the journey engine has run).
      'Next best action': 'Call them',
    });
    const n = rows.find((r) => r['Customer number'] === String(nobody));
    expect(n?.['Lifetime value (EUR)']).toBe('0.00');
    expect(n?.['Last purchase']).toBe('');
    expect(n?.['Churn risk']).toBe('');
    expect(n?.Segment).toBe('');
    // The UTF-8 bytes of the accents, after the byte-order mark Excel looks for.
    expect(Buffer.from(result.csv, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });

  it('defuses cells a spreadsheet would run as a formula, and quotes commas and quotes', async () => {
    const { csv } = await backend.call('customers.export', {});
    const { rows } = parse(csv);
    const b = rows.find((r) => r['Customer number'] === String(bob));
    expect(b?.Name).toBe(`'=HYPERLINK("http://evil.test") Smith, "Jr"`);
    expect(b?.['Lifetime value (EUR)']).toBe('20.00');
    expect(b?.['Churn risk']).toBe('5%');
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.test"") Smith, ""Jr"""`);
    const n = rows.find((r) => r['Customer number'] === String(nobody));
    expect(n?.Email).toBe("'+cmd@example.com");
  });

  it('fills the journey columns from customer_journey once the journey engine has written them', async () => {
    backend.db.sqlite
      .prepare(
        `INSERT INTO customer_journey (profile_id, brand_id, stage, score, entered_stage_at, updated_at)
         VALUES (?, 1, 'retention', 72.6, 0, 0)`,
      )
      .run(zoe);
    const { rows } = parse((await backend.call('customers.export', {})).csv);
    const z = rows.find((r) => r['Customer number'] === String(zoe));
    expect([z?.['Journey stage'], z?.['Journey score']]).toEqual(['Retention', '73']);
    // test/integration/journey/next-best-action.test.ts checks the actions the export names.
    expect(z?.['Next best action']).toBe('Call them');
    // Bob (low value, no yes anywhere, no automation to tag him for): no action may be taken, an empty cell.
    expect(rows.find((r) => r['Customer number'] === String(bob))?.['Next best action']).toBe('');
    backend.db.sqlite.prepare('DELETE FROM customer_journey').run();
  });

  it('refuses a filter the Customers page would refuse', async () => {
    await expect(backend.call('customers.export', { risk: 'extreme' as 'high' })).rejects.toMatchObject({
      kind: 'validation',
    });
  });
});

describe('customers export: the same customers as the Customers page', () => {
  let backend: Backend;

  beforeAll(async () => {
    backend = await testBackend({ dataDir: newDir(), databaseFile: ':memory:' });
    const version = scoreVersion(backend);
    for (let i = 0; i < 130; i += 1) {
      const id = ingestOne(
        backend,
        ev({
          type: 'purchase',
          occurredAt: new Date(Date.UTC(2026, 0, 1 + (i % 50), i % 24)).toISOString(),
          identifiers: { email: `${i % 3 === 0 ? 'ann' : 'max'}${i}@example.com` },
          payload: { total: (i * 37) % 500, currency: 'GBP', firstName: i % 2 ? 'Ann' : 'Max' },
        }),
      ).profileId as number;
      if (i % 4 !== 0) predict(backend, version, id, (i % 10) / 10, i, i % 3 === 0 ? 'At risk' : 'Loyal');
    }
  });
  afterAll(() => backend.close());

  /** Every page of customers.search for a filter, as the shop would page through them. */
  async function listed(filter: CustomerExportFilter | Record<string, string>): Promise<string[]> {
    const ids: string[] = [];
    for (let offset = 0; ; offset += 50) {
      const page = await backend.call('customers.search', { ...filter, offset, limit: 50 });
      ids.push(...page.items.map((c) => String(c.id)));
      if (offset + 50 >= page.total) return ids;
    }
  }

  const filters: Record<string, string>[] = [
    {},
    { sort: 'lifetime_value' },
    { segment: 'At risk', sort: 'churn_risk' },
    { risk: 'high' },
    { query: 'ann', sort: 'predicted_value' },
    { query: 'max1' },
  ];
  for (const filter of filters) {
    it(`lists exactly what customers.search lists, in its order: ${JSON.stringify(filter)}`, async () => {
      const expected = await listed(filter);
      const { csv, customers } = await backend.call('customers.export', filter);
      const ids = parse(csv).rows.map((r) => r['Customer number']);
      expect(ids).toEqual(expected);
      expect(customers).toBe(expected.length);
      if (Object.keys(filter).length === 0) expect(ids.length).toBe(130);
    });
  }
});

describe('customers export: 100,000 customers', () => {
  it('writes them a page at a time, each once, with memory bounded', async () => {
    const dir = newDir();
    const backend = await testBackend({ dataDir: dir });
    try {
      const db = backend.db.sqlite;
      const profile = db.prepare(
        `INSERT INTO customer_profile (brand_id, first_name, last_name, search_name, search_last, lifetime_value,
           total_orders, first_seen_at, last_seen_at, last_purchase_at, created_at, updated_at)
         VALUES (1, ?, 'Customer', ?, 'customer', ?, 1, ?, ?, ?, 0, 0)`,
      );
      const email = db.prepare(
        `INSERT INTO profile_identifier (brand_id, profile_id, type, value, source, first_seen_at)
         VALUES (1, ?, 'email', ?, 'pos', 0)`,
      );
      const TOTAL = 100_000;
      db.transaction(() => {
        for (let i = 0; i < TOTAL; i += 1) {
          const at = Date.UTC(2025, 0, 1) + i * 60_000;
          const id = Number(profile.run(`P${i}`, `p${i} customer`, (i % 997) + 0.5, at, at, at).lastInsertRowid);
          email.run(id, `p${i}@example.com`);
        }
      })();

      // The pieces as they come: one header, then one per page of EXPORT_BATCH; memory sampled at each.
      const rssBefore = process.memoryUsage().rss;
      collect();
      const heapBefore = process.memoryUsage().heapUsed;
      let peakRss = rssBefore;
      let peakHeap = heapBefore;
      let pieces = 0;
      let rows = 0;
      const started = performance.now();
      for (const piece of customerCsvChunks(backend.ctx, { query: '', sort: 'last_seen' }, (n) => {
        expect(n).toBeLessThanOrEqual(EXPORT_BATCH);
        rows += n;
      })) {
        pieces += piece.length > 0 ? 1 : 0;
        collect();
        const now = process.memoryUsage();
        peakRss = Math.max(peakRss, now.rss);
        peakHeap = Math.max(peakHeap, now.heapUsed);
      }
      const ms = performance.now() - started;
      expect(rows).toBe(TOTAL);
      expect(pieces).toBe(1 + TOTAL / EXPORT_BATCH);

      const out = join(dir, 'all.csv');
      const written = writeCustomersCsv(backend.ctx, { query: '', sort: 'last_seen' }, out);
      expect(written.customers).toBe(TOTAL);
      const csv = readFileSync(out, 'utf8');
      const ids = parse(csv).rows.map((r) => r['Customer number']);
      expect(new Set(ids).size).toBe(TOTAL);
      // Newest last seen first, as the page sorts by default.
      expect(ids[0]).toBe(String(TOTAL));
      const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
      const heapGrowthMb = (peakHeap - heapBefore) / 2 ** 20;
      console.info(
        `customers export, 100,000 customers: ${Math.round(ms)} ms (a full GC per page included), file ${(statSync(out).size / 2 ** 20).toFixed(1)} MB, ` +
          `peak RSS ${mb(peakRss)} MB (+${mb(peakRss - rssBefore)} MB), ` +
          `peak JS heap held +${heapGrowthMb.toFixed(0)} MB`,
      );
      // A page is EXPORT_BATCH rows (a few MB of objects); the whole list held at once would be several times more.
      expect(heapGrowthMb).toBeLessThan(48);
    } finally {
      await backend.close();
    }
  }, 120_000);
});
