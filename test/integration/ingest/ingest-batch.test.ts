/**
 * The batched ingestion an import uses must reach exactly what the one-by-one
 * path reaches: a seeded population (families sharing a phone, people with two
 * emails, loyalty cards, placeholders, anonymous sales) is ingested event by
 * event into one data file and in chunks through BatchIngest into another,
 * with another connection writing to the second file between chunks (as a
 * webhook would). Every profile, identifier, event, merge and review must match.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../../main/core/db/open';
import { settlePendingTotals } from '../../../main/core/db/repos/profile-totals';
import { BatchIngest } from '../../../main/core/ingest/ingest-batch';
import { type IngestContext, ingestEvent } from '../../../main/core/ingest/ingest-event';
import { eventInputSchema, type ParsedEvent } from '../../../shared/events';
import { generatePopulation } from '../../support/population';

const dir = mkdtempSync(join(tmpdir(), 'constintel-batch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NOW = Date.parse('2025-06-01T00:00:00Z');
const ctx: IngestContext = { brandId: 1, now: NOW, normalize: { defaultCountry: 'GB' } };

function open(name: string): Database {
  const db = openDatabase(join(dir, name));
  db.sqlite
    .prepare(
      "INSERT INTO brand (id, name, default_country, currency, created_at, updated_at) VALUES (1, 'Shop', 'GB', 'GBP', 0, 0)",
    )
    .run();
  return db;
}

/** Everything resolution decides, in a comparable form. */
function dump(db: Database): Record<string, unknown[]> {
  const all = (sql: string) => db.sqlite.prepare(sql).all();
  return {
    profiles: all(
      `SELECT id, first_name, last_name, lifetime_value, total_orders, strength, email_consent, sms_consent,
              first_seen_at, last_seen_at, last_purchase_at FROM customer_profile ORDER BY id`,
    ),
    identifiers: all('SELECT profile_id, type, value, raw_value, shared FROM profile_identifier ORDER BY id'),
    events: all(
      `SELECT id, event_type, source, external_id, payload, identifiers, unused_identifiers, occurred_at,
              customer_profile_id, order_id FROM customer_raw_event ORDER BY id`,
    ),
    merges: all('SELECT * FROM merge_history ORDER BY id'),
    reviews: all('SELECT * FROM merge_review ORDER BY id'),
    shared: all('SELECT * FROM shared_identifier_use ORDER BY brand_id, type, value, profile_id'),
    redirects: all('SELECT * FROM profile_redirect ORDER BY from_profile_id'),
  };
}

describe('batched ingestion (imports)', () => {
  it('reaches exactly what one event at a time reaches, with another connection writing between chunks', () => {
    const population = generatePopulation({ persons: 600, seed: 77, placeholderRate: 0.05 });
    const events: ParsedEvent[] = population.events.map((e) => eventInputSchema.parse(e.input));
    // Every fifth event also comes again later (an overlapping export), and refunds of some orders.
    const again = events.filter((_, i) => i % 5 === 0);
    const sequence = [...events, ...again];
    expect(sequence.length).toBeGreaterThan(3000);

    const one = open('one.db');
    const batch = open('batch.db');
    const other = openDatabase(join(dir, 'batch.db'));
    try {
      const chunk = 40;
      const ingest = new BatchIngest(batch, ctx);
      let fast = 0;
      let pendingSeen = 0;
      for (let start = 0; start < sequence.length; start += chunk) {
        const part = sequence.slice(start, start + chunk);
        // Every seventh chunk, its first event arrives through another connection (a webhook), in both files.
        const outside = (start / chunk) % 7 === 3 ? part.shift() : undefined;
        if (outside) {
          ingestEvent(one, outside, ctx);
          ingestEvent(other, outside, ctx);
        }
        for (const event of part) ingestEvent(one, event, ctx);
        batch.sqlite
          .transaction(() => {
            ingest.begin();
            for (const event of part) {
              const before = batch.sqlite.prepare('SELECT count(*) AS n FROM customer_raw_event').get() as {
                n: number;
              };
              const result = ingest.add(event);
              const after = batch.sqlite.prepare('SELECT count(*) AS n FROM customer_raw_event').get() as {
                n: number;
              };
              // Held back: not yet in the table.
              if (!result.duplicate && after.n === before.n) fast += 1;
            }
            ingest.flush();
            ingest.end();
          })
          .immediate();
        // Held-back totals wait in profile_pending_totals; settling them at any point (here every ninth chunk, as
        // the app does at start after a crash) changes nothing in the end.
        pendingSeen = Math.max(
          pendingSeen,
          batch.sqlite.prepare('SELECT count(*) FROM profile_pending_totals').pluck().get() as number,
        );
        if ((start / chunk) % 9 === 4) settlePendingTotals(batch, ctx.now);
      }
      expect(pendingSeen).toBeGreaterThan(10);
      settlePendingTotals(batch, ctx.now);
      expect(batch.sqlite.prepare('SELECT count(*) FROM profile_pending_totals').pluck().get()).toBe(0);
      // Most events after the first sight of each customer take the quick path: the test exercises it.
      expect(fast).toBeGreaterThan(sequence.length / 3);
      const expected = dump(one);
      const actual = dump(batch);
      expect((expected.merges as unknown[]).length).toBeGreaterThan(0);
      expect((expected.shared as unknown[]).length).toBeGreaterThan(0);
      for (const table of Object.keys(expected))
        expect({ table, rows: actual[table] }).toEqual({ table, rows: expected[table] });
    } finally {
      one.close();
      other.close();
      batch.close();
    }
  });

  it.each([
    ['another connection', false],
    ['the import’s own connection (an import in the app’s thread)', true],
  ])('forgets what it remembered when %s merges customers between chunks', (_, same) => {
    const db = open(same ? 'same.db' : 'foreign.db');
    const other = same ? db : openDatabase(join(dir, 'foreign.db'));
    try {
      const ingest = new BatchIngest(db, ctx);
      const purchase = (id: string, identifiers: ParsedEvent['identifiers']): ParsedEvent =>
        eventInputSchema.parse({
          type: 'purchase',
          source: 'import',
          externalId: `sale:${id}`,
          occurredAt: '2025-05-01T10:00:00Z',
          identifiers,
          payload: { orderId: id, total: 10 },
        });
      const run = (events: ParsedEvent[]) =>
        db.sqlite
          .transaction(() => {
            ingest.begin();
            const results = events.map((e) => ingest.add(e));
            ingest.flush();
            ingest.end();
            return results;
          })
          .immediate();
      const [a] = run([purchase('A1', { email: 'ann@example.com' })]);
      const [b] = run([purchase('B1', { phone: '07700 900123' })]);
      // Both known now, and remembered: the quick path attaches these.
      run([purchase('A2', { email: 'ann@example.com' }), purchase('B1b', { phone: '07700 900123' })]);
      // The other connection links the two: one event carries both, so the profiles merge there.
      ingestEvent(
        other,
        eventInputSchema.parse({
          type: 'purchase',
          source: 'shopify',
          externalId: 'orders/create:9',
          occurredAt: '2025-05-02T10:00:00Z',
          identifiers: { email: 'ann@example.com', phone: '+447700900123' },
          payload: { orderId: '9', total: 5 },
        }),
        ctx,
      );
      const [next] = run([purchase('B2', { phone: '07700900123' })]);
      const survivor = db.sqlite.prepare("SELECT profile_id FROM profile_identifier WHERE type = 'phone'").get() as {
        profile_id: number;
      };
      expect(a?.profileId).not.toBe(b?.profileId);
      expect(next?.profileId).toBe(survivor.profile_id);
      settlePendingTotals(db, ctx.now);
      const profile = db.sqlite
        .prepare('SELECT lifetime_value, total_orders FROM customer_profile WHERE id = ?')
        .get(survivor.profile_id) as { lifetime_value: number; total_orders: number };
      expect(profile).toEqual({ lifetime_value: 55, total_orders: 6 });
      expect(db.sqlite.prepare('SELECT count(*) AS n FROM customer_profile').get()).toEqual({ n: 1 });
    } finally {
      if (!same) other.close();
      db.close();
    }
  });
});
