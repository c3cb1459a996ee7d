/**
 * Journeys at shop scale (PERFORMANCE.md: full recompute at 100k profiles / 1M events ≤ 5 s; one event's update
 * p99 ≤ 5 ms; baseline: one indexed pass over the events).
 *
 * Data: `profiles` distinct customers (100k) with `events` events between them (1M), written straight into the real
 * schema (the app's migrations, prepared statements, one transaction per 10k customers), spread over 18 months:
 * browsers (1–3 product views), people considering (4+ views and cart adds, no purchase), one-off, occasional (2)
 * and regular buyers (3+ purchases at a rhythm of their own, a few with a referral), on the web, the online shop,
 * the till and WhatsApp; each with an email address of their own, a dated consent history and a retrain's
 * predictions. Distinctness (one email per profile, no value twice) is checked on the file before measuring.
 *
 * Measured in one process and one run, on a backend made on the file (`createBackend`, a fixed clock):
 * 1. Baseline: `SELECT customer_profile_id, event_type, source, occurred_at FROM customer_raw_event ORDER BY
 *    customer_profile_id, occurred_at`, every row read (what a recompute reads), the median of three after a warm-up.
 * 2. Full recompute (`recomputeJourneys`): the first placing of every customer (every row and stage change written),
 *    then a second (the nightly case: nothing changed). The file is given a shop row saying journeys were computed
 *    once, so the start schedules no recompute of its own and the timed one runs alone.
 * 3. One live event's update: `live` events (2,000) ingested one at a time through the real path (`ingestEvents`),
 *    each followed by its customer's journey update (`updateForLiveEvents` for that customer, in its own immediate
 *    transaction, as the stream's handler runs it): p50/p99/max of the update alone, the ingest beside it.
 * 4. A stage's page of 50 customers (`journeys.stageCustomers`, the next best action worked out for each) and one
 *    customer's journey (`journeys.forCustomer`): the median of three per stage.
 * 5. The customers export of all of them (`customers.export`), each row's next best action worked out as it is written.
 *
 * Measured here (2 shared cores; the baseline pass 1.1–1.5 s): first full recompute 4.8 s (4.4×) after the formatters in
 * rules.ts were made once, 7.5 s (5.0×) before; nightly recompute 3.6–3.8×; live update p99 0.5–0.8 ms; a stage's
 * page of 50 with next best actions 70–550 ms (about 10 ms per customer with no consent: next-best-action.ts
 * `isTopCustomer` counts the shop's predictions twice per customer), 65 ms before they were worked out; 68–74 ms
 * once the ranking read who the customer is lightly instead of their whole Customer 360. The export of all 100,000
 * customers with their next best actions: 23.3 s, then 12.2 s once the number and date formatters were made once
 * (`toLocaleString` with options builds a formatter per call); 64,028 rows name an action.
 *
 * `journeys [profiles=100000] [events=1000000] [live=2000]`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { createBackend } from '../../main/core/backend';
import { fixedClock, silentLogger } from '../../main/core/clock';
import { openDatabase } from '../../main/core/db/open';
import { ingestEvents } from '../../main/core/ingest/ingest-service';
import { updateForLiveEvents } from '../../main/core/journey/live';
import { recomputeJourneys } from '../../main/core/journey/runner';
import { JOURNEY_STAGES, type JourneyStage } from '../../shared/contract/journeys';
import { eventInputSchema } from '../../shared/events';
import { FIRST_NAMES, LAST_NAMES, seededRandom } from '../support/population';

const DAY = 86_400_000;
const SPAN_DAYS = 548;
const TARGETS = { recomputeSeconds: 5, liveP99Ms: 5 };
const SEGMENTS = ['Loyal', 'At risk', 'New', 'Big spenders', 'Occasional'];
const PRICES = [4.25, 12.5, 15, 39, 64];

const round = (x: number, digits = 2) => Number(x.toFixed(digits));
const percentile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? Number.NaN;
const median = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    0.5,
  );
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

type Kind = 'browser' | 'considering' | 'oneOff' | 'occasional' | 'regular';

function kindOf(r: number): Kind {
  if (r < 0.12) return 'browser';
  if (r < 0.22) return 'considering';
  if (r < 0.6) return 'oneOff';
  if (r < 0.8) return 'occasional';
  return 'regular';
}

/** The shop's customers and their events, straight into the real schema. */
export function fill(file: string, profiles: number, events: number, now: number) {
  const started = performance.now();
  const db = openDatabase(file);
  const sqlite = db.sqlite;
  const random = seededRandom(2020);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  sqlite.exec(
    `INSERT INTO brand (id, name, default_country, currency, created_at, updated_at) VALUES (1, 'Bench shop', 'GB', 'GBP', ${now}, ${now})
     ON CONFLICT (id) DO UPDATE SET default_country = 'GB', currency = 'GBP'`,
  );
  const version = Number(
    sqlite
      .prepare(
        `INSERT INTO model_version (brand_id, kind, method, metrics, artifact, training_rows, duration_ms, active, created_at)
         VALUES (1, 'scores', 'trees', '{}', ?, ?, 1000, 1, ?)`,
      )
      .run(JSON.stringify({ asOf: now - DAY, horizons: { churnDays: 90, ltvDays: 365 } }), profiles, now - DAY)
      .lastInsertRowid,
  );
  const profile = sqlite.prepare(
    `INSERT INTO customer_profile (id, brand_id, first_name, last_name, search_name, search_last, lifetime_value, total_orders,
       strength, email_consent, sms_consent, first_seen_at, last_seen_at, last_purchase_at, created_at, updated_at)
     VALUES (?, 1, ?, ?, ?, ?, ?, ?, 0.8, ?, NULL, ?, ?, ?, ?, ?)`,
  );
  const identifier = sqlite.prepare(
    `INSERT INTO profile_identifier (brand_id, profile_id, type, value, raw_value, source, first_seen_at)
     VALUES (1, ?, 'email', ?, NULL, 'shopify', ?)`,
  );
  const consent = sqlite.prepare(
    `INSERT INTO consent_event (brand_id, profile_id, channel, state, source, occurred_at, recorded_at)
     VALUES (1, ?, 'email', 'yes', 'shopify', ?, ?)`,
  );
  const event = sqlite.prepare(
    `INSERT INTO customer_raw_event (brand_id, event_type, source, external_id, payload, identifiers, occurred_at,
       received_at, customer_profile_id, order_id)
     VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const prediction = sqlite.prepare(
    `INSERT INTO predictions (profile_id, brand_id, churn_score, ltv_score, segment, recommendations, still_active,
       purchase_30d, purchase_90d, expected_purchases, next_purchase_at, model_version, predicted_at)
     VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  let written = 0;
  const kinds: Record<Kind, number> = { browser: 0, considering: 0, oneOff: 0, occasional: 0, regular: 0 };
  const BATCH = 10_000;
  for (let start = 1; start <= profiles; start += BATCH) {
    sqlite.transaction(() => {
      for (let id = start; id < Math.min(profiles + 1, start + BATCH); id++) {
        const kind = kindOf(random());
        kinds[kind] += 1;
        const email = `customer${id}@example.co.uk`;
        const since = now - Math.floor((1 + random() * (SPAN_DAYS - 1)) * DAY);
        const purchases: number[] = [];
        if (kind === 'oneOff') purchases.push(since + Math.floor(random() * (now - since)));
        else if (kind === 'occasional')
          for (let k = 0; k < 2; k++) purchases.push(since + Math.floor(random() * (now - since)));
        else if (kind === 'regular') {
          const gap = (7 + random() * 53) * DAY;
          const count = 3 + Math.floor(random() * 10);
          let at = Math.max(now - SPAN_DAYS * DAY, Math.min(since, now - count * gap * 1.1));
          for (let k = 0; k < count && at < now; k++) {
            purchases.push(Math.floor(at));
            at += gap * (0.85 + random() * 0.3);
          }
        }
        purchases.sort((a, b) => a - b);
        const first = purchases[0] ?? since;
        // The rest of the events budget, shared out evenly over the customers still to write (browsers take 1–3).
        const left = Math.max(0, events - written - purchases.length);
        const each = left / Math.max(1, profiles - id + 1);
        const others =
          kind === 'browser'
            ? 1 + Math.floor(random() * 3)
            : kind === 'considering'
              ? 4 + Math.floor(random() * Math.max(1, 2 * each - 4))
              : Math.floor(random() * 2 * each);
        const totals = purchases.map(() => pick(PRICES) * (1 + Math.floor(random() * 4)));
        const spent = totals.reduce((sum, t) => sum + t, 0);
        written += purchases.length + others;
        const lastAt = purchases.at(-1) ?? null;
        const emailYes = random() < 0.6;
        const [firstName, lastName] = [pick(FIRST_NAMES), pick(LAST_NAMES)];
        profile.run(
          id,
          firstName,
          lastName,
          `${firstName} ${lastName}`.toLowerCase(),
          lastName.toLowerCase(),
          round(spent),
          purchases.length,
          emailYes ? 1 : null,
          Math.min(since, first),
          now - Math.floor(random() * 30 * DAY),
          lastAt,
          Math.min(since, first),
          now - DAY,
        );
        const sourceOfPurchase = random() < 0.35 ? 'pos' : 'shopify';
        for (const [o, at] of purchases.entries()) {
          const total = totals[o] as number;
          const orderId = `${id}-${o}`;
          event.run(
            'purchase',
            random() < 0.1 ? 'pos' : sourceOfPurchase,
            `o:${orderId}`,
            JSON.stringify({ orderId, total, currency: 'GBP' }),
            JSON.stringify([['email', email]]),
            at,
            at,
            id,
            orderId,
          );
        }
        for (let k = 0; k < others; k++) {
          const r = random();
          const type =
            kind === 'regular' && k === 0 && random() < 0.1
              ? 'referral'
              : r < 0.7
                ? 'product_view'
                : r < 0.95
                  ? 'cart_add'
                  : 'message_in';
          const source =
            type === 'message_in' ? 'whatsapp' : type === 'product_view' && random() < 0.5 ? 'web' : 'shopify';
          const at = Math.min(now - 60_000, first - DAY * 3 + Math.floor(random() * (now - first + 3 * DAY)));
          event.run(type, source, `e:${id}-${k}`, '{}', JSON.stringify([['email', email]]), at, at, id, null);
        }
        identifier.run(id, email, since);
        if (emailYes) consent.run(id, since, since);
        const recency = lastAt === null ? 1 : (now - lastAt) / (400 * DAY);
        const churn = Math.min(0.999, Math.max(0.001, recency + (random() - 0.5) * 0.3));
        prediction.run(
          id,
          churn,
          round(spent * (0.2 + random())),
          pick(SEGMENTS),
          purchases.length > 0 && random() < 0.5 ? '["TEA-1"]' : '[]',
          1 - churn,
          (1 - churn) * 0.3,
          (1 - churn) * 0.6,
          (1 - churn) * 2,
          random() < 0.3 ? now - Math.floor(random() * 30 * DAY) : now + Math.floor(random() * 90 * DAY),
          version,
          now - DAY,
        );
      }
    })();
  }
  // Computed once before (long ago): the start schedules no recompute of its own, so the timed one runs alone.
  sqlite.exec(`INSERT INTO journey_shop (brand_id, thresholds, distributions, computed_at) VALUES (1, '{}', '{}', 1)`);
  sqlite.exec('ANALYZE');
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return { fillMs: performance.now() - started, events: written, kinds };
}

/** Refuses to measure on a population where two profiles share an email (or one has none). */
export function checkDistinct(file: string, profiles: number): void {
  const db = new Sqlite(file, { readonly: true });
  try {
    const row = db
      .prepare(
        `SELECT (SELECT count(*) FROM customer_profile) AS profiles,
           (SELECT count(DISTINCT profile_id) FROM profile_identifier WHERE type = 'email') AS withEmail,
           (SELECT count(DISTINCT value) FROM profile_identifier WHERE type = 'email') AS emails,
           (SELECT count(*) FROM profile_identifier WHERE type = 'email') AS emailRows,
           (SELECT count(DISTINCT customer_profile_id) FROM customer_raw_event) AS withEvents`,
      )
      .get() as Record<string, number>;
    if (Object.values(row).some((n) => n !== profiles))
      throw new Error(`The population is not ${profiles} distinct customers: ${JSON.stringify(row)}`);
  } finally {
    db.close();
  }
}

/** Baseline: one indexed pass over the events, every row read; the median of three (after one warm-up). */
export function passBaseline(file: string): { ms: number; rows: number } {
  const db = new Sqlite(file, { readonly: true });
  try {
    const pass = db
      .prepare(
        `SELECT customer_profile_id, event_type, source, occurred_at FROM customer_raw_event
         ORDER BY customer_profile_id, occurred_at`,
      )
      .raw(true);
    let rows = 0;
    const times: number[] = [];
    for (let i = 0; i < 4; i++) {
      const started = performance.now();
      rows = 0;
      for (const _ of pass.iterate()) rows += 1;
      if (i > 0) times.push(performance.now() - started);
    }
    return { ms: median(times), rows };
  } finally {
    db.close();
  }
}

function liveEvent(n: number, profileId: number, now: number, random: () => number) {
  const r = random();
  const type = r < 0.6 ? 'product_view' : r < 0.85 ? 'cart_add' : 'purchase';
  return eventInputSchema.parse({
    type,
    source: type === 'purchase' && random() < 0.4 ? 'pos' : type === 'product_view' ? 'web' : 'shopify',
    externalId: `live-${n}`,
    occurredAt: new Date(now - Math.floor(random() * 3_600_000)).toISOString(),
    identifiers: { email: `customer${profileId}@example.co.uk` },
    payload: type === 'purchase' ? { total: 27.5, currency: 'GBP', orderId: `live-${n}` } : {},
  });
}

export async function journeysBench(args: string[]): Promise<void> {
  const profiles = Number(args[0] ?? 100_000);
  const events = Number(args[1] ?? 1_000_000);
  const live = Number(args[2] ?? 2_000);
  const dir = mkdtempSync(join(tmpdir(), 'constintel-bench-journeys-'));
  const file = join(dir, 'constintel.db');
  const now = Date.parse('2026-03-01T10:00:00Z');
  try {
    const filled = fill(file, profiles, events, now);
    checkDistinct(file, profiles);
    const baseline = passBaseline(file);
    const common = { bench: 'journeys', profiles, events: filled.events };
    const beside = (ms: number) => ({
      baselineSeconds: round(baseline.ms / 1000, 3),
      baselineRows: baseline.rows,
      ratio: round(ms / baseline.ms, 1),
    });
    const backend = await createBackend({
      dataDir: dir,
      clock: fixedClock(new Date(now).toISOString()),
      logger: silentLogger,
      listen: false,
    });
    try {
      const ctx = backend.ctx;
      // The things a next best action can be: a template and an automation that is on.
      await backend.call('settings.update', {
        brandName: 'Bench shop',
        timeZone: 'Europe/London',
        sendingPaused: true,
      });
      const template = await backend.call('templates.save', {
        template: {
          name: 'We miss you',
          channel: 'email',
          subject: 'We miss you, {{first_name}}',
          body: 'Hello {{first_name}}. {{unsubscribe_link}}',
        },
      });
      const saved = await backend.call('automations.save', {
        name: 'Win back customers at risk',
        recipe: 'win-back',
        trigger: { type: 'churn_risk', atLeast: 70 },
        conditions: { consentOn: 'email' },
        actions: [{ type: 'send', channel: 'email', templateId: template.template.id }],
        priority: 1,
      });
      backend.db.sqlite
        .prepare('UPDATE marketing_automation SET enabled = 1, armed_at = ? WHERE id = ?')
        .run(now - DAY, saved.id);

      const timed = async () => {
        const cpu = process.cpuUsage();
        const started = performance.now();
        const result = await recomputeJourneys(ctx);
        const used = process.cpuUsage(cpu);
        return { ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000, result };
      };
      const first = await timed();
      const second = await timed();
      console.log(
        JSON.stringify({
          ...common,
          measure: 'fullRecomputeSeconds',
          value: round(first.ms / 1000),
          ...beside(first.ms),
          cpuSeconds: round(first.cpuMs / 1000),
          changed: first.result.changed,
          secondRecomputeSeconds: round(second.ms / 1000),
          secondChanged: second.result.changed,
          secondRatio: round(second.ms / baseline.ms, 1),
          fillSeconds: round(filled.fillMs / 1000, 1),
          target: TARGETS.recomputeSeconds,
          meetsTarget: first.ms / 1000 <= TARGETS.recomputeSeconds && second.ms / 1000 <= TARGETS.recomputeSeconds,
        }),
      );
      console.log(
        JSON.stringify({
          ...common,
          measure: 'customersPerStage',
          value: second.result.stages,
          lapsed: second.result.lapsed,
          generatedAs: filled.kinds,
          ...beside(second.ms),
          target: 'every stage occurs',
          meetsTarget: JOURNEY_STAGES.every((s) => second.result.stages[s] > 0),
        }),
      );

      const random = seededRandom(77);
      const updates: number[] = [];
      const ingests: number[] = [];
      for (let n = 0; n < live; n++) {
        const target = 1 + Math.floor(random() * profiles);
        const event = liveEvent(n, target, now, random);
        const t0 = performance.now();
        const [result] = ingestEvents(ctx, [event]);
        const t1 = performance.now();
        if (!result?.profileId) throw new Error(`live event ${n} did not reach a customer`);
        const pair = new Map([[result.profileId, result.eventId]]);
        ctx.db.sqlite.transaction(() => updateForLiveEvents(ctx, pair)).immediate();
        updates.push(performance.now() - t1);
        ingests.push(t1 - t0);
        await nextTurn(); // the engines' own handlers of the event run here, between two events
      }
      updates.sort((a, b) => a - b);
      ingests.sort((a, b) => a - b);
      const p99 = percentile(updates, 0.99);
      console.log(
        JSON.stringify({
          ...common,
          measure: 'liveUpdateP99Ms',
          value: round(p99, 3),
          p50Ms: round(percentile(updates, 0.5), 3),
          maxMs: round(updates.at(-1) ?? Number.NaN, 3),
          ingestP50Ms: round(percentile(ingests, 0.5), 3),
          ingestP99Ms: round(percentile(ingests, 0.99), 3),
          liveEvents: live,
          ...beside(p99),
          target: TARGETS.liveP99Ms,
          meetsTarget: p99 <= TARGETS.liveP99Ms,
        }),
      );

      const perStage: Record<string, number> = {};
      const withAction: Record<string, number> = {};
      const oneCustomer: number[] = [];
      for (const stage of JOURNEY_STAGES) {
        const times: number[] = [];
        let page: { customers: { profileId: number; nextBestAction: unknown }[] } = { customers: [] };
        for (let i = 0; i < 3; i++) {
          const t = performance.now();
          page = await backend.call('journeys.stageCustomers', { stage: stage as JourneyStage, limit: 50, offset: 0 });
          times.push(performance.now() - t);
        }
        perStage[stage] = round(median(times), 1);
        withAction[stage] = page.customers.filter((c) => c.nextBestAction !== null).length;
        const someone = page.customers[0];
        if (someone) {
          const t = performance.now();
          await backend.call('journeys.forCustomer', { profileId: someone.profileId });
          oneCustomer.push(performance.now() - t);
        }
      }
      const worst = Math.max(...Object.values(perStage));
      console.log(
        JSON.stringify({
          ...common,
          measure: 'stageCustomersMs',
          value: worst,
          pageSize: 50,
          perStage,
          withNextBestAction: withAction,
          forCustomerMedianMs: round(median(oneCustomer), 1),
          ...beside(worst),
          target: null,
          targetIs: 'none stated (PERFORMANCE.md’s Dashboard data line is 200 ms)',
        }),
      );

      // The customers export of every customer (Customers page → Export, `constintel export customers`), each row's
      // next best action worked out as the file is written.
      const exportStarted = performance.now();
      const exported = await backend.call('customers.export', {});
      const exportMs = performance.now() - exportStarted;
      const withNba = exported.csv.split('\r\n').filter((line) => /,(Send|Tag them|Call them)[^,]*$/.test(line)).length;
      console.log(
        JSON.stringify({
          ...common,
          measure: 'customersExportSeconds',
          value: round(exportMs / 1000),
          customers: exported.customers,
          rowsWithNextBestAction: withNba,
          ...beside(exportMs),
          target: null,
          targetIs: 'none stated',
        }),
      );
    } finally {
      await backend.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
