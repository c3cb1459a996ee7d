/**
 * The shop's journey state as the engine and the pages need it: the thresholds and score distributions the last
 * full recompute stored (parsed once per recompute and kept for the live updates: a live event's update reads one
 * integer to know its copy still holds, not two JSON documents), the active churn risk lines, the shop's money, and
 * the thresholds in words. Before any recompute, defaults stand in (nobody is compared with anybody yet: every
 * percentile is 50).
 */
import type { JourneyThresholds } from '../../../shared/contract/journeys';
import { formatMoney } from '../../../shared/describe-event';
import { defineService, type EngineContext } from '../context';
import { shopComputedAt, shopRow } from '../db/repos/journey';
import { activeRiskBands } from '../ml/predictions-read';
import { shopCurrency } from '../settings/shop-settings';
import type { ShopState } from './compute';
import { DEFAULT_GAPS, type ShopLines, thresholdWords } from './rules';
import type { Distributions } from './score';

export const DEFAULT_LINES: ShopLines = {
  regularGapDays: DEFAULT_GAPS.regular,
  frequentGapDays: DEFAULT_GAPS.frequent,
  basis: 'default',
  repeatCustomers: 0,
  topValue: 0,
  topPredictedValue: null,
  medianValue: 0,
  highEngagement: 1,
};
const EMPTY: Distributions = { engagement: [], value: [], channels: [], recency: [] };

export function bandsOf(ctx: EngineContext): { high: number; low: number } | undefined {
  const bands = activeRiskBands(ctx.db, ctx.brandId);
  return bands ? { high: bands.high, low: bands.low } : undefined;
}

export function moneyOf(ctx: EngineContext): (x: number) => string {
  const currency = shopCurrency(ctx);
  return (x) => formatMoney(Math.round(x), currency).replace(/\.00$/, '');
}

interface Stored {
  computedAt: number;
  lines: ShopLines;
  distributions: Distributions;
}

const cacheOf = defineService((): { stored: Stored | null } => ({ stored: null }));

/** The stored thresholds and distributions (defaults before the first recompute). */
export function storedLines(ctx: EngineContext): Stored {
  const cache = cacheOf(ctx);
  const computedAt = shopComputedAt(ctx.db, ctx.brandId);
  if (cache.stored && cache.stored.computedAt === computedAt) return cache.stored;
  const row = computedAt > 0 ? shopRow(ctx.db, ctx.brandId) : undefined;
  cache.stored = row
    ? {
        computedAt,
        lines: { ...DEFAULT_LINES, ...(JSON.parse(row.thresholds) as Partial<ShopLines>) },
        distributions: { ...EMPTY, ...(JSON.parse(row.distributions) as Partial<Distributions>) },
      }
    : { computedAt, lines: DEFAULT_LINES, distributions: EMPTY };
  return cache.stored;
}

/** Everything a live update needs, read once per batch of events. */
export function liveShopState(ctx: EngineContext): ShopState {
  const { lines, distributions } = storedLines(ctx);
  return { lines, distributions, bands: bandsOf(ctx), formatMoney: moneyOf(ctx) };
}

export function thresholdsView(ctx: EngineContext): JourneyThresholds {
  const { lines, computedAt } = storedLines(ctx);
  return {
    regularGapDays: lines.regularGapDays,
    frequentGapDays: lines.frequentGapDays,
    basis: lines.basis,
    repeatCustomers: lines.repeatCustomers,
    topValue: lines.topValue,
    topPredictedValue: lines.topPredictedValue,
    highEngagement: lines.highEngagement,
    words: thresholdWords(lines, moneyOf(ctx)),
    computedAt: computedAt > 0 ? new Date(computedAt).toISOString() : null,
  };
}
