/**
 * The Dashboard in one command (`dashboard.summary`): sales by week and month beside the same period last year
 * (sales-periods.ts, kept up to date from the earliest changed sale), the walk-in share, value at risk (the predicted
 * value of the customers in the high churn band: exactly those Customers → "High risk" lists) and the 20 of them
 * with the most at stake (churn risk × predicted value) to contact first, each with their next best action (the one
 * Customer 360 shows), segments and stages, what the automations did in the last 30 days, and what waits for the shop.
 *
 * Target: ≤ 200 ms at 1M events (`npm run bench -- dashboard`). No read here walks the events: the periods are
 * stored, the rest are indexed counts over predictions, journeys and messages.
 */
import type { DashboardView, SalesFigures, SalesPeriod, WaitingItem } from '../../../shared/contract/dashboard';
import { shopComparison } from '../automations/comparison';
import { prefetchCustomers } from '../automations/prefetch';
import { enabledAutomations } from '../automations/store';
import { BACKUP_JOB } from '../backup/backups';
import type { EngineContext } from '../context';
import {
  activeTrainedAt,
  anySalePeriod,
  automationTally,
  customerCount,
  dashboardState,
  mostAtStake,
  type PeriodRow,
  repliesSince,
  segmentCounts,
  stageCountsOf,
  storedPeriods,
  troubledMessages,
  valueAtRisk,
} from '../db/repos/dashboard';
import { profileNames } from '../db/repos/profiles';
import { pendingReviewCount } from '../db/repos/reviews';
import { withSteadyReads } from '../db/steady-reads';
import { RETRAIN_JOB } from '../jobs/retrain-jobs';
import { schedulerOf } from '../jobs/scheduler';
import { bestActionIfAny } from '../journey/next-best-action';
import { activeRiskBands } from '../ml/predictions-read';
import { FIXED_RISK_BANDS } from '../ml/retrain/risk-bands';
import { readSettings } from '../settings/settings-store';
import { shopCurrency } from '../settings/shop-settings';
import { type PeriodKind, periodStart, refreshSalesPeriods, shiftPeriod } from './sales-periods';

const DAY = 86_400_000;
const SHOWN = 13;
const CONTACT_FIRST = 20;
/** Scores older than this are overdue for a retrain (the nightly retrain keeps them a day old). */
export const RETRAIN_OVERDUE_DAYS = 8;

function figuresOf(row: PeriodRow | undefined): SalesFigures {
  const r = row ?? { revenue: 0, orders: 0, buyers: 0, newBuyers: 0, returningBuyers: 0, walkInOrders: 0 };
  return {
    revenue: r.revenue,
    orders: r.orders,
    averageBasket: r.orders > 0 ? Math.round((r.revenue / r.orders) * 100) / 100 : null,
    buyers: r.buyers,
    newCustomers: r.newBuyers,
    returningCustomers: r.returningBuyers,
    repeatRate: r.buyers > 0 ? r.returningBuyers / r.buyers : null,
    walkInOrders: r.walkInOrders,
    walkInShare: r.orders > 0 ? r.walkInOrders / r.orders : null,
  };
}

function periods(ctx: EngineContext, kind: PeriodKind, now: number, zone: string): SalesPeriod[] {
  const current = periodStart(kind, now, zone);
  const back = kind === 'week' ? 52 : 12;
  const starts = Array.from({ length: SHOWN }, (_, i) => shiftPeriod(kind, current, i - (SHOWN - 1), zone));
  const earliest = shiftPeriod(kind, starts[0] as number, -back, zone);
  const stored = new Map(storedPeriods(ctx.db, ctx.brandId, kind, earliest).map((r) => [r.start, r]));
  const label = new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    ...(kind === 'week' ? { day: 'numeric', month: 'short' } : { month: 'short', year: 'numeric' }),
  });
  return starts.map((start) => {
    const before = stored.get(shiftPeriod(kind, start, -back, zone));
    return {
      start: new Date(start).toISOString(),
      label: label.format(start),
      current: start === current,
      figures: figuresOf(stored.get(start)),
      lastYear: before ? figuresOf(before) : null,
    };
  });
}

/** "Did the automations help, all together?" is a bootstrap over every occasion: worked out at most once a minute. */
const differences = new WeakMap<EngineContext, { minute: number; text: string }>();
function differenceWords(ctx: EngineContext, now: number): string {
  const minute = Math.floor(now / 60_000);
  const hit = differences.get(ctx);
  if (hit && hit.minute === minute) return hit.text;
  const text = shopComparison(ctx).headline;
  differences.set(ctx, { minute, text });
  return text;
}

function plural(n: number, one: string, many = `${one}s`) {
  return `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`;
}

function waitingItems(ctx: EngineContext, now: number, hasSales: boolean): WaitingItem[] {
  const items: WaitingItem[] = [];
  const replies = repliesSince(ctx.db, ctx.brandId, now - 7 * DAY);
  if (replies > 0)
    items.push({
      kind: 'replies',
      count: replies,
      text: `${plural(replies, 'message')} from customers in the last 7 days`,
      link: '/messages',
    });
  const reviews = pendingReviewCount(ctx.db, ctx.brandId);
  if (reviews > 0)
    items.push({
      kind: 'merge_reviews',
      count: reviews,
      text: `${plural(reviews, 'possible duplicate')} to decide on`,
      link: '/merge-review',
    });
  const troubled = troubledMessages(ctx.db, ctx.brandId, now - 30 * DAY);
  if (troubled.failed > 0)
    items.push({
      kind: 'messages_failed',
      count: troubled.failed,
      text: `${plural(troubled.failed, 'message')} could not be sent in the last 30 days`,
      link: '/messages',
    });
  if (troubled.unknown > 0)
    items.push({
      kind: 'messages_unknown',
      count: troubled.unknown,
      text: `${plural(troubled.unknown, 'message')} may or may not have gone out (sending was cut off): check before sending again`,
      link: '/messages',
    });
  const jobs = schedulerOf(ctx).list();
  const retrain = jobs.find((j) => j.name === RETRAIN_JOB);
  const trainedAt = activeTrainedAt(ctx.db, ctx.brandId);
  if (retrain?.lastResult === 'failed')
    items.push({
      kind: 'retrain',
      count: 1,
      text: `The last retrain failed: ${retrain.lastMessage ?? 'see Models'}`,
      link: '/models',
    });
  else if (hasSales && trainedAt === null)
    items.push({
      kind: 'retrain',
      count: 1,
      text: 'No scores yet: retrain to see churn risk, predicted value and segments',
      link: '/models',
    });
  else if (trainedAt !== null && now - trainedAt > RETRAIN_OVERDUE_DAYS * DAY)
    items.push({
      kind: 'retrain',
      count: 1,
      text: `The scores are ${Math.floor((now - trainedAt) / DAY)} days old: retrain to bring them up to date`,
      link: '/models',
    });
  const backup = jobs.find((j) => j.name === BACKUP_JOB);
  if (backup?.lastResult === 'failed')
    items.push({
      kind: 'backup',
      count: 1,
      text: `The last backup failed: ${backup.lastMessage ?? 'see Settings → Backups'}`,
      link: '/settings',
    });
  return items;
}

export function dashboardSummary(ctx: EngineContext): DashboardView {
  const started = performance.now();
  const now = ctx.clock.now().getTime();
  const settings = readSettings(ctx.db);
  const zone = settings.timeZone;
  const state = dashboardState(ctx.db, ctx.brandId);
  if (!state || state.dirtyFrom !== null || state.timeZone !== zone || state.builtAt === null)
    ctx.db.sqlite.transaction(() => refreshSalesPeriods(ctx, now)).immediate();

  const weeks = periods(ctx, 'week', now, zone);
  const months = periods(ctx, 'month', now, zone);
  const customers = customerCount(ctx.db, ctx.brandId);
  const hasSales = anySalePeriod(ctx.db, ctx.brandId);

  const bands = activeRiskBands(ctx.db, ctx.brandId);
  const line = (bands ?? FIXED_RISK_BANDS).high;
  const atRisk = valueAtRisk(ctx.db, ctx.brandId, line);
  const top = mostAtStake(ctx.db, ctx.brandId, line, CONTACT_FIRST);
  const names = profileNames(
    ctx.db,
    top.map((t) => t.profileId),
  );
  const contactFirst = ctx.db.sqlite.transaction(() =>
    withSteadyReads(() => {
      prefetchCustomers(
        ctx.db,
        top.map((t) => t.profileId),
      );
      return top.map((t) => {
        const best = bestActionIfAny(ctx, t.profileId);
        return {
          ...t,
          name: names.get(t.profileId) ?? `Customer #${t.profileId}`,
          action: best?.label ?? null,
          reason: best?.reason ?? null,
        };
      });
    }),
  )();

  const tally = automationTally(ctx.db, ctx.brandId, now - 30 * DAY);
  return {
    hasData: customers > 0 || hasSales,
    brandName: settings.brandName,
    currency: shopCurrency(ctx),
    timeZone: zone,
    customers,
    weeks,
    months,
    valueAtRisk: { value: Math.round(atRisk.value * 100) / 100, customers: atRisk.customers, line, scored: !!bands },
    contactFirst,
    segments: segmentCounts(ctx.db, ctx.brandId),
    stages: stageCountsOf(ctx.db, ctx.brandId),
    automations: {
      sent: tally.sent,
      heldOut: tally.heldOut,
      difference: differenceWords(ctx, now),
      enabled: enabledAutomations(ctx).length,
    },
    waiting: waitingItems(ctx, now, hasSales),
    tookMs: Math.round(performance.now() - started),
  };
}
