/**
 * Customer 360 at shop scale: 100k profiles, 1M events (default), written
 * straight into the real schema with prepared statements (ingesting a
 * million events one by one would only measure ingestion), then read
 * through the real read path:
 *
 * - uncached: `customers.get` on an id never asked before, plus the first
 *   timeline page (`customers.timeline`), as the Customer 360 page loads them;
 *   also the two read-model functions alone, without the contract checks;
 * - cached: `customers.get` again for ids already asked;
 * - search: `customers.search` by name prefix, full name, email, email
 *   prefix and phone typed the local way;
 * - baseline: `SELECT * FROM customer_profile WHERE id = ?`.
 *
 * Events per profile are skewed the way shops are (a few regulars with
 * thousands, most with a handful). `customer360 [profiles] [events]`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBackend } from '../../main/core/backend';
import { fixedClock, silentLogger } from '../../main/core/clock';
import { readCustomer360, readTimeline } from '../../main/core/customers/customer-360';
import { openDatabase } from '../../main/core/db/open';
import { FIRST_NAMES, LAST_NAMES, seededRandom } from '../support/population';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const DAY = 86_400_000;
const SAMPLES = 2000;
const SEARCH_SAMPLES = 200;
const TARGETS = { uncachedP95Ms: 20, cachedP95Ms: 2, searchP95Ms: 50 };

interface Fill {
  emails: string[];
  phones: (string | null)[];
  names: { first: string; last: string }[];
  eventsOf: Uint32Array;
  fillMs: number;
}

function fillDatabase(file: string, profiles: number, events: number): Fill {
  const started = performance.now();
  const db = openDatabase(file);
  const random = seededRandom(360);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const sqlite = db.sqlite;
  sqlite.exec(
    `INSERT INTO brand (id, name, default_country, currency, created_at, updated_at) VALUES (1, 'Bench shop', 'GB', 'GBP', ${NOW}, ${NOW})
     ON CONFLICT (id) DO UPDATE SET default_country = 'GB', currency = 'GBP'`,
  );
  const profile = sqlite.prepare(
    `INSERT INTO customer_profile (id, brand_id, first_name, last_name, search_name, search_last, lifetime_value, total_orders, strength,
       email_consent, first_seen_at, last_seen_at, last_purchase_at, created_at, updated_at)
     VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const identifier = sqlite.prepare(
    `INSERT INTO profile_identifier (brand_id, profile_id, type, value, raw_value, source, first_seen_at)
     VALUES (1, ?, ?, ?, ?, ?, ?)`,
  );
  const event = sqlite.prepare(
    `INSERT INTO customer_raw_event (brand_id, event_type, source, external_id, payload, identifiers, occurred_at, received_at, customer_profile_id)
     VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const merge = sqlite.prepare(
    `INSERT INTO merge_history (brand_id, base_profile_id, merged_profile_ids, snapshot, reason, evidence, created_at)
     VALUES (1, ?, ?, ?, 'automatic', ?, ?)`,
  );

  const emails: string[] = [];
  const phones: (string | null)[] = [];
  const names: { first: string; last: string }[] = [];
  const created: number[] = [];
  sqlite.transaction(() => {
    for (let id = 1; id <= profiles; id++) {
      const first = pick(FIRST_NAMES);
      const last = pick(LAST_NAMES);
      const since = NOW - Math.floor(random() * 730 * DAY);
      const email = `${first}.${last}${id}@example.co.uk`.toLowerCase().replace(/'/g, '');
      const phone = random() < 0.7 ? `+4477${String(id).padStart(8, '0')}` : null;
      names.push({ first, last });
      emails.push(email);
      phones.push(phone);
      created.push(since);
      profile.run(
        id,
        first,
        last,
        `${first} ${last}`.toLowerCase(),
        last.toLowerCase(),
        Math.round(random() * 200_000) / 100,
        Math.floor(random() * 20),
        0.7,
        random() < 0.5 ? 1 : null,
        since,
        since + Math.floor(random() * (NOW - since)),
        since,
        since,
        NOW,
      );
      identifier.run(id, 'email', email, random() < 0.3 ? ` ${email.toUpperCase()}` : null, 'shopify', since);
      if (phone) identifier.run(id, 'phone', phone, `0${phone.slice(3)}`, 'pos', since);
      if (random() < 0.4) identifier.run(id, 'shopify_customer_id', `S${id}`, null, 'shopify', since);
      if (random() < 0.3) identifier.run(id, 'pos_customer_id', `C${id}`, null, 'pos', since);
      if (random() < 0.2) identifier.run(id, 'loyalty_id', `LOY${id}`, null, 'pos', since);
      if (random() < 0.5) identifier.run(id, 'cookie_id', `ck_${id}`, null, 'api', since);
      if (random() < 0.03) {
        const other = profiles + id;
        merge.run(
          id,
          JSON.stringify([other]),
          JSON.stringify({
            merged: [{ profile: { id: other }, identifiers: [], eventIds: [] }],
            filler: 'x'.repeat(1500),
          }),
          JSON.stringify([{ type: 'email', value: email, profileIds: [other], source: 'shopify' }]),
          since + DAY,
        );
      }
    }
  })();

  // Skewed: the profile of an event is ⌊profiles·r²⌋, so a few regulars hold thousands of events.
  const eventsOf = new Uint32Array(profiles + 1);
  const batch = 20_000;
  for (let start = 0; start < events; start += batch) {
    sqlite.transaction(() => {
      for (let i = start; i < Math.min(events, start + batch); i++) {
        const r = random();
        const id = 1 + Math.min(profiles - 1, Math.floor(profiles * r * r));
        eventsOf[id] = (eventsOf[id] ?? 0) + 1;
        const since = created[id - 1] as number;
        const at = since + Math.floor(random() * (NOW - since));
        const kind = random();
        const sku = `SKU-${100 + Math.floor(random() * 400)}`;
        const item = { sku, title: `Product ${sku}`, category: 'Shoes', quantity: 1, price: 19.99 };
        let type: string;
        let source: string;
        let payload: Record<string, unknown>;
        if (kind < 0.35) {
          type = 'purchase';
          source = random() < 0.5 ? 'shopify' : 'pos';
          payload = { orderId: `O${i}`, total: 39.98, currency: 'GBP', items: [item, { ...item, sku: 'SKU-1' }] };
        } else if (kind < 0.7) {
          type = 'product_view';
          source = 'api';
          payload = { items: [item] };
        } else if (kind < 0.8) {
          type = 'cart_add';
          source = 'shopify';
          payload = { items: [item] };
        } else if (kind < 0.9) {
          type = 'message_in';
          source = 'whatsapp';
          payload = { text: 'Hello, do you have this in a size 8?', channel: 'whatsapp' };
        } else {
          type = 'visit';
          source = 'pos';
          payload = {};
        }
        event.run(
          type,
          source,
          `e-${i}`,
          JSON.stringify(payload),
          JSON.stringify([['email', emails[id - 1]]]),
          at,
          at,
          id,
        );
      }
    })();
  }
  sqlite.exec('ANALYZE');
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return { emails, phones, names, eventsOf, fillMs: performance.now() - started };
}

function percentiles(samples: number[]): { p50: number; p95: number; p99: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  const ms = (x: number) => Number(x.toFixed(3));
  return { p50: ms(at(0.5)), p95: ms(at(0.95)), p99: ms(at(0.99)), max: ms(sorted[sorted.length - 1] ?? Number.NaN) };
}

async function time(runs: number, run: (i: number) => unknown | Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await run(i);
    out.push(performance.now() - started);
  }
  return out;
}

export async function customer360Bench(args: string[]): Promise<void> {
  const profiles = Number(args[0] ?? 100_000);
  const events = Number(args[1] ?? 1_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'constintel-bench-c360-'));
  try {
    const file = join(dir, 'constintel.db');
    const fill = fillDatabase(file, profiles, events);
    const backend = await createBackend({
      dataDir: dir,
      databaseFile: file,
      listen: false,
      logger: silentLogger,
      clock: fixedClock(new Date(NOW).toISOString()),
    });
    try {
      const random = seededRandom(7);
      // Distinct ids in random order: each uncached read asks for a profile nobody asked for before.
      const order = Array.from({ length: profiles }, (_, i) => i + 1);
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j] as number, order[i] as number];
      }
      const ids = order.slice(0, SAMPLES * 3);
      const idAt = (i: number) => ids[i % ids.length] as number;
      const db = backend.db;
      const base = { profiles, events, samples: SAMPLES, fillMs: Math.round(fill.fillMs) };
      const report = (measure: string, samples: number[], extra: Record<string, unknown> = {}) =>
        console.log(JSON.stringify({ bench: 'customer360', measure, ...base, ...percentiles(samples), ...extra }));

      const pk = db.sqlite.prepare('SELECT * FROM customer_profile WHERE id = ?');
      // Warm the statement and the page cache the same way for every measure.
      for (let i = 0; i < 200; i++) pk.get(1 + Math.floor(random() * profiles));
      const baselineSamples = await time(SAMPLES, (i) => pk.get(idAt(i + 2 * SAMPLES)));
      const baseline = percentiles(baselineSamples);
      report('baseline: primary-key lookup', baselineSamples);

      const uncached = await time(SAMPLES, async (i) => {
        const id = idAt(i);
        const got = await backend.call('customers.get', { id });
        if (got.status !== 'found') throw new Error(`profile ${id} not found`);
        await backend.call('customers.timeline', { id });
      });
      const u = percentiles(uncached);
      report('uncached: customers.get + first timeline page', uncached, {
        targetP95Ms: TARGETS.uncachedP95Ms,
        meets: u.p95 <= TARGETS.uncachedP95Ms,
        p95RatioToBaseline: Number((u.p95 / baseline.p95).toFixed(1)),
      });

      const core = await time(SAMPLES, (i) => {
        const id = idAt(i + SAMPLES);
        readCustomer360(db, id, 'GBP');
        readTimeline(db, id, undefined, 50, 'GBP');
      });
      report('uncached, read model only: readCustomer360 + readTimeline', core);

      // Split the uncached time: the profile part and the timeline part, on the heaviest tenth of profiles too.
      report(
        'uncached part: customers.timeline alone',
        await time(SAMPLES, (i) => backend.call('customers.timeline', { id: idAt(i) })),
      );
      const heavy = order.filter((id) => (fill.eventsOf[id] ?? 0) >= 100).slice(0, SAMPLES);
      if (heavy.length > 0) {
        backend.ctx.bus.emit('settings.changed'); // clears the Customer 360 cache
        const h = await time(heavy.length, async (i) => {
          const id = heavy[i] as number;
          await backend.call('customers.get', { id });
          await backend.call('customers.timeline', { id });
        });
        const hp = percentiles(h);
        report('uncached, profiles with ≥100 events', h, {
          samples: heavy.length,
          maxEventsPerProfile: Math.max(...fill.eventsOf),
          targetP95Ms: TARGETS.uncachedP95Ms,
          meets: hp.p95 <= TARGETS.uncachedP95Ms,
        });
      }

      // Cached: the first SAMPLES ids were read above (heavy ones cleared the cache: read them again once).
      for (let i = 0; i < SAMPLES; i++) await backend.call('customers.get', { id: idAt(i) });
      const cached = await time(SAMPLES, (i) => backend.call('customers.get', { id: idAt(i) }));
      const c = percentiles(cached);
      report('cached: customers.get', cached, {
        targetP95Ms: TARGETS.cachedP95Ms,
        meets: c.p95 <= TARGETS.cachedP95Ms,
        p95RatioToBaseline: Number((c.p95 / baseline.p95).toFixed(1)),
      });

      const searches: [string, (i: number) => string][] = [
        ['name prefix (3 letters)', (i) => (FIRST_NAMES[i % FIRST_NAMES.length] as string).slice(0, 3).toLowerCase()],
        [
          'full name',
          (i) => {
            const n = fill.names[(i * 7919) % profiles] as { first: string; last: string };
            return `${n.first} ${n.last}`;
          },
        ],
        ['email', (i) => fill.emails[(i * 7919) % profiles] as string],
        ['email prefix', (i) => (fill.emails[(i * 7919) % profiles] as string).slice(0, 8)],
        [
          'phone typed 07…',
          (i) => {
            let k = (i * 7919) % profiles;
            while (!fill.phones[k]) k = (k + 1) % profiles;
            const e164 = fill.phones[k] as string;
            return `0${e164.slice(3, 7)} ${e164.slice(7)}`;
          },
        ],
      ];
      for (const [name, query] of searches) {
        let matches = 0;
        const samples = await time(SEARCH_SAMPLES, async (i) => {
          const found = await backend.call('customers.search', { query: query(i) });
          matches += found.total;
        });
        const s = percentiles(samples);
        report(`search: ${name}`, samples, {
          samples: SEARCH_SAMPLES,
          meanMatches: Math.round(matches / SEARCH_SAMPLES),
          targetP95Ms: TARGETS.searchP95Ms,
          meets: s.p95 <= TARGETS.searchP95Ms,
        });
      }
    } finally {
      await backend.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
