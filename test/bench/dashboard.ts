/**
 * The Dashboard's data at shop scale (PERFORMANCE.md: Dashboard data ≤ 200 ms at 100k profiles / 1M events; baseline:
 * one indexed pass over the events).
 *
 * Data: the journeys bench's shop (`fill` in journeys.ts): `profiles` distinct customers (100k) with `events` events
 * (1M) over 18 months, purchases among them (one-off, occasional and regular buyers, on the online shop and the till),
 * and a retrain's predictions (churn risk from recency, so many above the High line of 0.7 that the active version,
 * which stores no risk bands, falls back to). Distinctness (one email per profile, no value twice, every profile with
 * events) is checked on the file before measuring. The journeys are computed once before the Dashboard is read (as a
 * shop's would be), so its stages and next best actions are the real ones; a template and a win-back automation that
 * is on give the next best actions something to name.
 *
 * Measured in one process and one run, on a backend made on the file (`createBackend`, the fill's clock, fixed):
 * 1. Baseline: the journeys bench's indexed pass over the events (`passBaseline`), the median of three after a warm-up.
 * 2. The first `dashboard.summary` after the fill: it builds every stored sales period (`sales_period`) once from all
 *    sales (`firstBuildMs`, no target).
 * 3. Steady state: `dashboard.summary` with nothing changed, 20 calls: p95 (the value held to 200 ms) and median. The
 *    figures are checked not empty (revenue this month, 20 customers to contact first, customers at risk).
 * 4. After one live sale: a purchase dated now for an existing customer through `ingestEvents` (the triggers mark the
 *    periods dirty), then the next summary (it works out the current week and month again): the median of 10 such
 *    pairs on the fill's clock (1 March, 10:00: the month is hours old, so a week of sales is read again), then of 5
 *    with the clock on 28 February, 20:00 (the whole month read again: the month's worst case). Each pair checks that
 *    the current week's and month's revenue went up by exactly the sale's total, with one more order.
 * 5. After a sale dated 17 months ago (history imported late): the next summary rebuilds every period from that one
 *    on: the median of 3 pairs; each checks that the month's revenue (shown as last year's beside its month) went up.
 *
 * Measured here, first (three runs, 2 shared cores, another engineer's tests running; the baseline pass 1.2–3.4 s):
 * first build 4.1–5.4 s; steady state median 71–142 ms, p95 106–209 ms (one run of three over 200 ms). 80–150 ms of
 * it was value at risk and the 20 to contact first: both visited the ~32.5k High-risk predictions through the
 * (brand, churn_score) index and fetched each row for its ltv_score. After a live sale: on 1 March 135–327 ms, on
 * 28 February 287–403 ms: the first purchase of each of the range's buyers was looked up through all their events
 * (156–319 ms), and `salesFrom` reads each sale's row for its JSON total (38–326 ms). A rebuild from 17 months back:
 * 3.5–6.2 s.
 * Then the churn index became (brand_id, churn_score, ltv_score) (migration 0019) and a partial rebuild asks only
 * whether each buyer bought before the range (stopping at their first purchase). One run on a quieter machine
 * (baseline pass 1.12 s): first build 1.75 s; steady state p95 29.6 ms (median 25.1); after a live sale 56 ms (max
 * 62), at the month's end 126 ms (max 135); a rebuild from 17 months back 1.4–1.8 s.
 *
 * `dashboard [profiles=100000] [events=1000000]`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { createBackend } from '../../main/core/backend';
import { fixedClock, silentLogger } from '../../main/core/clock';
import { periodStart, shiftPeriod } from '../../main/core/dashboard/sales-periods';
import { ingestEvents } from '../../main/core/ingest/ingest-service';
import { recomputeJourneys } from '../../main/core/journey/runner';
import type { DashboardView } from '../../shared/contract/dashboard';
import { eventInputSchema } from '../../shared/events';
import { seededRandom } from '../support/population';
import { checkDistinct, fill, passBaseline } from './journeys';

const DAY = 86_400_000;
const TARGET_MS = 200;
const STEADY_CALLS = 20;
const LIVE_PAIRS = 10;
const OLD_PAIRS = 3;
const MONTH_END_PAIRS = 5;
/** The last evening of the month before the fill's clock: a live sale then reworks the whole month. */
const MONTH_END = Date.parse('2026-02-28T20:00:00Z');
const ZONE = 'Europe/London';
/** The High line when the active model version stores no risk bands (FIXED_RISK_BANDS.high). */
const FIXED_HIGH = 0.7;

const round = (x: number, digits = 2) => Number(x.toFixed(digits));
const percentile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? Number.NaN;
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => percentile(sorted(xs), 0.5);
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The fill's predictions above the High line (the fill stores no risk bands, so the fixed line is the one used). */
function highRiskPredictions(file: string): { withBands: number; highRisk: number; highRiskWithValue: number } {
  const db = new Sqlite(file, { readonly: true });
  try {
    return db
      .prepare(
        `SELECT (SELECT count(*) FROM model_version WHERE active = 1 AND artifact -> '$.riskBands' IS NOT NULL) AS withBands,
           (SELECT count(*) FROM predictions WHERE churn_score >= ?) AS highRisk,
           (SELECT count(*) FROM predictions WHERE churn_score >= ? AND ltv_score > 0) AS highRiskWithValue`,
      )
      .get(FIXED_HIGH, FIXED_HIGH) as { withBands: number; highRisk: number; highRiskWithValue: number };
  } finally {
    db.close();
  }
}

function sale(externalId: string, profileId: number, at: number, total: number) {
  return eventInputSchema.parse({
    type: 'purchase',
    source: 'shopify',
    externalId,
    occurredAt: new Date(at).toISOString(),
    identifiers: { email: `customer${profileId}@example.co.uk` },
    payload: { total, currency: 'GBP', orderId: externalId },
  });
}

const currentOf = (periods: DashboardView['weeks']) => {
  const current = periods.find((p) => p.current);
  if (!current) throw new Error('The Dashboard shows no current period');
  return current;
};

export async function dashboardBench(args: string[]): Promise<void> {
  const profiles = Number(args[0] ?? 100_000);
  const events = Number(args[1] ?? 1_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'constintel-bench-dashboard-'));
  const file = join(dir, 'constintel.db');
  const now = Date.parse('2026-03-01T10:00:00Z');
  try {
    const filled = fill(file, profiles, events, now);
    checkDistinct(file, profiles);
    const risk = highRiskPredictions(file);
    if (risk.withBands !== 0 || risk.highRiskWithValue < 20)
      throw new Error(`The fill's predictions give no High band of 20 valued customers: ${JSON.stringify(risk)}`);
    const baseline = passBaseline(file);
    const common = { bench: 'dashboard', profiles, events: filled.events };
    const beside = (ms: number) => ({
      baselineSeconds: round(baseline.ms / 1000, 3),
      baselineRows: baseline.rows,
      ratio: round(ms / baseline.ms, 3),
    });
    const clock = fixedClock(new Date(now).toISOString());
    const backend = await createBackend({
      dataDir: dir,
      clock,
      logger: silentLogger,
      listen: false,
    });
    try {
      const ctx = backend.ctx;
      await backend.call('settings.update', { brandName: 'Bench shop', timeZone: ZONE, sendingPaused: true });
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
      const journeysStarted = performance.now();
      await recomputeJourneys(ctx);
      const journeysMs = performance.now() - journeysStarted;

      const summary = async () => {
        const started = performance.now();
        const view = await backend.call('dashboard.summary', {});
        return { ms: performance.now() - started, view };
      };

      // 2. The first summary: every period built once from all sales.
      const first = await summary();
      console.log(
        JSON.stringify({
          ...common,
          measure: 'firstBuildMs',
          value: round(first.ms, 1),
          tookMs: first.view.tookMs,
          ...beside(first.ms),
          journeysRecomputeSeconds: round(journeysMs / 1000),
          fillSeconds: round(filled.fillMs / 1000, 1),
          target: null,
          targetIs: 'none stated (once after an import or a change of time zone)',
        }),
      );

      // 3. Steady state: nothing changed.
      const steady: number[] = [];
      let view = first.view;
      for (let i = 0; i < STEADY_CALLS; i++) {
        const r = await summary();
        steady.push(r.ms);
        view = r.view;
      }
      const monthNow = currentOf(view.months).figures;
      const weekNow = currentOf(view.weeks).figures;
      if (!(monthNow.revenue > 0) || view.contactFirst.length !== 20 || !(view.valueAtRisk.customers > 0))
        throw new Error(
          `The Dashboard's figures are empty: this month ${JSON.stringify(monthNow)}, ${view.contactFirst.length} to ` +
            `contact first, value at risk ${JSON.stringify(view.valueAtRisk)}`,
        );
      const steadySorted = sorted(steady);
      const steadyP95 = percentile(steadySorted, 0.95);
      console.log(
        JSON.stringify({
          ...common,
          measure: 'summaryP95Ms',
          value: round(steadyP95, 1),
          medianMs: round(percentile(steadySorted, 0.5), 1),
          maxMs: round(steadySorted.at(-1) ?? Number.NaN, 1),
          calls: STEADY_CALLS,
          ...beside(steadyP95),
          figures: {
            monthRevenue: monthNow.revenue,
            monthOrders: monthNow.orders,
            weekRevenue: weekNow.revenue,
            weeksWithLastYear: view.weeks.filter((w) => w.lastYear !== null).length,
            valueAtRisk: view.valueAtRisk,
            contactFirst: view.contactFirst.length,
            contactFirstWithAction: view.contactFirst.filter((c) => c.action !== null).length,
            segments: view.segments.length,
            stages: view.stages.reduce((n, s) => n + s.customers, 0),
          },
          target: TARGET_MS,
          meetsTarget: steadyP95 <= TARGET_MS,
        }),
      );

      // 4. After one live sale: the current week and month worked out again. On 1 March (the fill's clock) the month
      // is hours old, so the rework reads a week of sales; the same again with the clock on 28 February in the
      // evening, where it reads the whole month (the worst case of the month).
      const random = seededRandom(2121);
      const livePairs = async (label: string, pairs: number, at: number) => {
        clock.set(new Date(at).toISOString());
        const times: number[] = [];
        const ingests: number[] = [];
        for (let n = 0; n < pairs; n++) {
          const customer = 1 + Math.floor(random() * profiles);
          const total = round(5 + random() * 95);
          const before = { week: currentOf(view.weeks).figures, month: currentOf(view.months).figures };
          const t0 = performance.now();
          const [result] = ingestEvents(ctx, [sale(`bench-${label}-${n}`, customer, at, total)]);
          ingests.push(performance.now() - t0);
          if (result?.profileId !== customer)
            throw new Error(`live sale ${n} went to ${result?.profileId}, not customer ${customer}`);
          await nextTurn(); // the engines' own handlers of the event run here, outside the timing
          await nextTurn();
          const r = await summary();
          times.push(r.ms);
          view = r.view;
          const after = { week: currentOf(view.weeks).figures, month: currentOf(view.months).figures };
          for (const kind of ['week', 'month'] as const)
            if (
              Math.abs(after[kind].revenue - before[kind].revenue - total) > 0.005 ||
              after[kind].orders !== before[kind].orders + 1
            )
              throw new Error(
                `live sale ${n} of ${total}: the ${kind}'s revenue went from ${before[kind].revenue} to ${after[kind].revenue}` +
                  ` (orders ${before[kind].orders} → ${after[kind].orders})`,
              );
        }
        clock.set(new Date(now).toISOString());
        const value = median(times);
        console.log(
          JSON.stringify({
            ...common,
            measure: label,
            value: round(value, 1),
            maxMs: round(Math.max(...times), 1),
            pairs,
            clock: new Date(at).toISOString(),
            ingestMedianMs: round(median(ingests), 2),
            revenueChecked: 'current week and month up by each sale, one more order',
            ...beside(value),
            target: TARGET_MS,
            meetsTarget: value <= TARGET_MS,
          }),
        );
      };
      await livePairs('afterLiveSaleMs', LIVE_PAIRS, now);
      // The summary on 28 February first sees February as the current month (nothing is rebuilt: nothing changed).
      clock.set(new Date(MONTH_END).toISOString());
      view = (await summary()).view;
      await livePairs('afterLiveSaleMonthEndMs', MONTH_END_PAIRS, MONTH_END);

      // 5. After a sale dated 17 months ago: every period rebuilt from that one on.
      const oldAt = now - 17 * 30 * DAY - 5 * DAY;
      const oldMonth = periodStart('month', oldAt, ZONE);
      const shownAs = new Date(shiftPeriod('month', oldMonth, 12, ZONE)).toISOString();
      const monthName = new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, month: 'short', year: 'numeric' });
      const lastYearOf = (v: DashboardView) => {
        const month = v.months.find((m) => m.start === shownAs);
        if (!month) throw new Error(`No month starting ${shownAs} among ${v.months.map((m) => m.start).join(', ')}`);
        return month.lastYear?.revenue ?? 0;
      };
      const afterOld: number[] = [];
      for (let n = 0; n < OLD_PAIRS; n++) {
        const customer = 1 + Math.floor(random() * profiles);
        const total = round(5 + random() * 95);
        const before = lastYearOf(view);
        const [result] = ingestEvents(ctx, [sale(`bench-old-${n}`, customer, oldAt, total)]);
        if (result?.profileId !== customer)
          throw new Error(`old sale ${n} went to ${result?.profileId}, not customer ${customer}`);
        await nextTurn();
        await nextTurn();
        const r = await summary();
        afterOld.push(r.ms);
        view = r.view;
        const after = lastYearOf(view);
        if (Math.abs(after - before - total) > 0.005)
          throw new Error(`old sale ${n} of ${total}: that month's revenue went from ${before} to ${after}`);
      }
      const oldMedian = median(afterOld);
      console.log(
        JSON.stringify({
          ...common,
          measure: 'afterOldSaleMs',
          value: round(oldMedian, 1),
          allMs: afterOld.map((ms) => round(ms, 1)),
          saleDated: new Date(oldAt).toISOString(),
          revenueChecked: `the month of ${monthName.format(oldMonth)} (last year beside ${monthName.format(Date.parse(shownAs))}) up by each sale`,
          ...beside(oldMedian),
          target: null,
          targetIs: 'none stated (a rebuild from 17 months back, as after importing old history)',
        }),
      );
    } finally {
      await backend.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
