/**
 * "Did it help?" for one automation or campaign (messaged against everyone held out: its own comparison share and
 * the shop-wide group, both drawn by a hash after every guard passed), and for all automations together against the
 * shop-wide comparison group. By assignment: a message that failed still counts as messaged. Each occasion counts
 * once, over its whole window (occasions whose window has not ended wait). The arithmetic is uplift/stats.ts.
 */
import { AppError } from '../../../shared/contract/errors';
import type { ComparisonView } from '../../../shared/contract/uplift';
import { formatMoney } from '../../../shared/describe-event';
import type { EngineContext } from '../context';
import { type ArmRow, armRows, armsStillOpen, boughtBetween } from '../db/repos/automation-arms';
import { automationRow } from '../db/repos/automations';
import { readSettings } from '../settings/settings-store';
import { shopCurrency } from '../settings/shop-settings';
import { DAY_MS } from './definition';
import { estimateUplift, readOut, type Unit } from './uplift/stats';

function unitsOf(ctx: EngineContext, rows: ArmRow[], windowMs: number, control: (r: ArmRow) => boolean): Unit[] {
  const units: Unit[] = [];
  for (const r of rows) {
    const treated = r.arm === 'messaged';
    if (!treated && !control(r)) continue;
    const { orders, revenue } = boughtBetween(ctx.db, r.profileId, r.armAt, r.armAt + windowMs);
    units.push({
      treated,
      bought: orders > 0,
      orders,
      revenue,
      churnRisk: r.churnAt,
      predictedValue: r.valueAt,
    });
  }
  return units;
}

function view(
  ctx: EngineContext,
  scope: ComparisonView['scope'],
  automationId: number | null,
  name: string,
  holdoutPercent: number | null,
  control: (r: ArmRow) => boolean,
): ComparisonView {
  const settings = readSettings(ctx.db);
  const windowDays = settings.comparisonWindowDays;
  const windowMs = windowDays * DAY_MS;
  const now = ctx.clock.now().getTime();
  const currency = shopCurrency(ctx);
  const rows = armRows(ctx.db, ctx.brandId, automationId, now - windowMs);
  const units = unitsOf(ctx, rows, windowMs, control);
  // The same resamples every time the page is opened (a figure that moved on each look would not be believed).
  const result = estimateUplift(units, { seed: automationId ?? 0 });
  const attributedRevenue = Math.round(result.messaged.revenue * 100) / 100;
  const base = {
    scope,
    automationId,
    name,
    holdoutPercent,
    windowDays,
    currency,
    messaged: result.messaged,
    heldOut: result.heldOut,
    boughtShare: result.boughtShare,
    ordersPerCustomer: result.ordersPerCustomer,
    revenuePerCustomer: result.revenuePerCustomer,
    attributedRevenue,
    attributedNote: `Attributed revenue (what most tools report): ${formatMoney(attributedRevenue, currency)}, every purchase within ${windowDays} days of a message, whether or not the message caused it.`,
    stillOpen: armsStillOpen(ctx.db, ctx.brandId, automationId, now - windowMs),
  };
  if (result.heldOut.customers === 0) {
    const why =
      scope === 'shop'
        ? 'No one is in the shop-wide comparison group yet: switch it on in Settings → Automations to measure all automations together.'
        : holdoutPercent === 0
          ? 'Nothing to compare with: no customers are held out. Give it a comparison share to see whether it helps.'
          : 'Nothing to compare with yet: no customer held out has finished their days since.';
    return { ...base, status: 'none', headline: why, bought: '', revenue: '', adjustedNote: null };
  }
  const heldOutShare =
    scope === 'shop' ? (settings.comparisonGroupPercent || 5) / 100 : Math.max(holdoutPercent ?? 10, 1) / 100;
  const words = readOut(result, { currency, smallestDifference: settings.smallestEffectPoints / 100, heldOutShare });
  return { ...base, ...words };
}

export function automationComparison(ctx: EngineContext, id: number): ComparisonView {
  const row = automationRow(ctx.db, ctx.brandId, id);
  if (!row) throw new AppError('not_found', `There is no automation or campaign #${id}: it may have been deleted.`);
  const definition = JSON.parse(row.definition) as { holdoutPercent?: number };
  const holdoutPercent = typeof definition.holdoutPercent === 'number' ? definition.holdoutPercent : 10;
  // Held out by its own share or by the shop-wide group: either way this automation sent them nothing.
  return view(ctx, 'automation', id, row.name, holdoutPercent, (r) => r.arm !== 'messaged');
}

export function shopComparison(ctx: EngineContext): ComparisonView {
  return view(ctx, 'shop', null, 'All automations', null, (r) => r.arm === 'comparison_group');
}
