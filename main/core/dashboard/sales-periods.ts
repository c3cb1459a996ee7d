/**
 * The shop's sales per week and per month, as the Dashboard shows them, kept in `sales_period` and worked out again
 * only from the earliest sale that changed (`dashboard_state.dirty_from`, lowered by triggers on the events table
 * whatever wrote the sale: a webhook, an import, a merge or its undo, an erasure, another process).
 *
 * What a period counts (in the shop's time zone; weeks start on Monday):
 * - orders: purchases counted once per order (the same order from two sources, or seen twice, counts once, on the
 *   day of its first purchase event), a cancelled order not at all; revenue: their totals, less refunds given in the
 *   period (a refund of a cancelled order subtracts nothing: the order already counts nothing);
 * - buyers: the customers who bought in the period; new: whose first purchase ever is in it; returning: the others
 *   (they had bought before); repeat rate = returning ÷ buyers;
 * - walk-ins: orders with no customer (a till sale to nobody in particular), and their revenue.
 *
 * Cost: a rebuild reads the sales from the dirty point on through the (brand, type, time) index — all of them once
 * after an import, the current week and month after a live sale — and the first purchase of that range's buyers
 * (from before the range) through the (customer, time) index. The Dashboard then reads a few dozen stored rows.
 */
import { clampMoney } from '../../../shared/limits';
import { wallClock, zonedInstant } from '../channels/quiet-hours';
import type { EngineContext } from '../context';
import {
  boughtBefore,
  clearPeriods,
  dashboardState,
  firstSaleAt,
  markBuilt,
  type PeriodRow,
  replacePeriods,
  type SaleTuple,
  salesFrom,
} from '../db/repos/dashboard';
import { readSettings } from '../settings/settings-store';

export type PeriodKind = 'week' | 'month';

/** The first instant of the week (Monday) or month holding `at`, in `zone`. */
export function periodStart(kind: PeriodKind, at: number, zone: string): number {
  const w = wallClock(new Date(at), zone);
  if (kind === 'month') return zonedInstant(zone, w.year, w.month, 1, 0);
  const weekday = (new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay() + 6) % 7; // Monday 0
  const monday = new Date(Date.UTC(w.year, w.month - 1, w.day - weekday));
  return zonedInstant(zone, monday.getUTCFullYear(), monday.getUTCMonth() + 1, monday.getUTCDate(), 0);
}

/** The start of the period `steps` periods after (or before, when negative) the one starting at `start`. */
export function shiftPeriod(kind: PeriodKind, start: number, steps: number, zone: string): number {
  const w = wallClock(new Date(start + 12 * 3_600_000), zone); // midday: clear of any DST hour at midnight
  if (kind === 'month') {
    const d = new Date(Date.UTC(w.year, w.month - 1 + steps, 1));
    return zonedInstant(zone, d.getUTCFullYear(), d.getUTCMonth() + 1, 1, 0);
  }
  const d = new Date(Date.UTC(w.year, w.month - 1, w.day + 7 * steps));
  return zonedInstant(zone, d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), 0);
}

/** Period starts from the one holding `from` to the one holding `to`, in order. */
function startsBetween(kind: PeriodKind, from: number, to: number, zone: string): number[] {
  const starts: number[] = [];
  for (let s = periodStart(kind, from, zone); s <= to; s = shiftPeriod(kind, s, 1, zone)) starts.push(s);
  return starts;
}

/** The index of the period holding `at` (starts sorted ascending; `at` ≥ starts[0]). */
function periodIndex(starts: number[], at: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] as number) <= at) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

interface Order {
  at: number;
  total: number;
  customer: number | null;
}

/** The periods of one kind from the sales read (see the header for what each counts). */
export function periodsOf(
  kind: PeriodKind,
  starts: number[],
  orders: Order[],
  refunds: { at: number; amount: number }[],
  firstPurchase: Map<number, number>,
): PeriodRow[] {
  const rows: PeriodRow[] = starts.map((start) => ({
    kind,
    start,
    revenue: 0,
    refunds: 0,
    orders: 0,
    buyers: 0,
    newBuyers: 0,
    returningBuyers: 0,
    walkInOrders: 0,
    walkInRevenue: 0,
  }));
  const buyers = starts.map(() => new Set<number>());
  for (const o of orders) {
    if (o.at < (starts[0] as number)) continue;
    const i = periodIndex(starts, o.at);
    const row = rows[i] as PeriodRow;
    row.orders += 1;
    row.revenue += o.total;
    if (o.customer === null) {
      row.walkInOrders += 1;
      row.walkInRevenue += o.total;
    } else (buyers[i] as Set<number>).add(o.customer);
  }
  for (const r of refunds) {
    if (r.at < (starts[0] as number)) continue;
    const row = rows[periodIndex(starts, r.at)] as PeriodRow;
    row.refunds += r.amount;
    row.revenue -= r.amount;
  }
  rows.forEach((row, i) => {
    const end = i + 1 < starts.length ? (starts[i + 1] as number) : Number.POSITIVE_INFINITY;
    for (const customer of buyers[i] as Set<number>) {
      row.buyers += 1;
      const first = firstPurchase.get(customer);
      if (first !== undefined && first >= row.start && first < end) row.newBuyers += 1;
      else row.returningBuyers += 1;
    }
    row.revenue = Math.round(row.revenue * 100) / 100;
    row.refunds = Math.round(row.refunds * 100) / 100;
    row.walkInRevenue = Math.round(row.walkInRevenue * 100) / 100;
  });
  return rows;
}

/** Orders (once per order, cancelled ones left out) and refunds from the sales read. */
export function ordersOf(sales: SaleTuple[]): { orders: Order[]; refunds: { at: number; amount: number }[] } {
  const byOrder = new Map<string, Order>();
  const cancelled = new Set<string>();
  const refunds: { key: string | null; at: number; amount: number }[] = [];
  for (const [id, type, customer, orderId, total, at] of sales) {
    const amount = clampMoney(Number(total) || 0);
    if (type === 'purchase') {
      const key = orderId ? `o:${orderId}` : `e:${id}`;
      const seen = byOrder.get(key);
      if (!seen) byOrder.set(key, { at, total: amount, customer });
      else {
        // Seen from two sources: the larger total, on the first day, with whoever it was known to.
        seen.total = Math.max(seen.total, amount);
        seen.at = Math.min(seen.at, at);
        seen.customer ??= customer;
      }
    } else if (type === 'refund') refunds.push({ key: orderId ? `o:${orderId}` : null, at, amount: Math.abs(amount) });
    else if (orderId) cancelled.add(`o:${orderId}`);
  }
  const orders = [...byOrder.entries()].filter(([key]) => !cancelled.has(key)).map(([, o]) => o);
  return {
    orders,
    refunds: refunds.filter((r) => r.key === null || !cancelled.has(r.key)).map(({ at, amount }) => ({ at, amount })),
  };
}

/**
 * Brings the stored periods up to date (call inside a write transaction): nothing when nothing changed; else every
 * period from the earliest changed sale's on, or all of them when never built or the shop's time zone changed.
 */
export function refreshSalesPeriods(ctx: EngineContext, now: number): void {
  const { db, brandId } = ctx;
  const zone = readSettings(db).timeZone;
  const state = dashboardState(db, brandId);
  const full = !state || state.timeZone !== zone || state.builtAt === null;
  if (!full && state.dirtyFrom === null) return;
  const first = firstSaleAt(db, brandId);
  if (first === null) {
    clearPeriods(db, brandId);
    markBuilt(db, brandId, zone, now);
    return;
  }
  const dirty = full ? first : Math.max(first, Math.min(state.dirtyFrom ?? now, now));
  const weekFrom = periodStart('week', dirty, zone);
  const monthFrom = periodStart('month', dirty, zone);
  const readFrom = Math.min(weekFrom, monthFrom);
  const sales = salesFrom(db, brandId, readFrom);
  const { orders, refunds } = ordersOf(sales);
  let lastAt = now; // a sale dated ahead of the clock still gets its period
  for (const o of orders) if (o.at > lastAt) lastAt = o.at;
  // Each buyer's first purchase event (a cancelled order's too: they came to buy). Found in the sales read, except
  // for customers who bought before the range: for them it is earlier than every period here (returning in each).
  const firstPurchase = new Map<number, number>();
  for (const [, type, customer, , , at] of sales) {
    if (type !== 'purchase' || customer === null) continue;
    const seen = firstPurchase.get(customer);
    if (seen === undefined || at < seen) firstPurchase.set(customer, at);
  }
  if (readFrom > first)
    for (const id of boughtBefore(db, [...firstPurchase.keys()], readFrom)) firstPurchase.set(id, first);
  if (full) clearPeriods(db, brandId);
  for (const [kind, from] of [
    ['week', weekFrom],
    ['month', monthFrom],
  ] as const) {
    const starts = startsBetween(kind, from, lastAt, zone);
    replacePeriods(
      db,
      brandId,
      kind,
      from,
      periodsOf(kind, starts, orders, refunds, firstPurchase).filter((r) => r.orders > 0 || r.refunds > 0),
    );
  }
  markBuilt(db, brandId, zone, now);
}
