/**

 * Scaling, per feature: log1p (all of them are money, counts or days, so long tails), clipped to the shop's own 1st–99th
 * percentile, standardised over buyers, then multiplied by a weight (RFM 1, behaviour 0.5: the names speak of recency,
 * frequency and spend, so those should shape the clusters most). A missing value (NaN: no gap for a one-time buyer,
 * say) becomes 0 after standardising, i.e. the shop's average: neutral, it pulls the customer towards no cluster.
 */

import { quantileSorted, sortedFinite } from '../sorted';
import type { SegmentFeature, SegmentModel } from './model';

/** Negative values (net refunds) count as 0; NaN stays NaN, so missing values stay out of the scaling. */
const log1p = (v: number) => Math.log1p(Math.max(v, 0));

/** Scales one row into `out`; false when the customer has not bought (not clustered). */
export function scaleRow(
  model: Pick<SegmentModel, 'features' | 'buyerColumn'>,
  row: ArrayLike<number>,
  out: Float64Array,
) {
  const orders = row[model.buyerColumn] as number;
  if (!(orders > 0)) return false;
  const features = model.features;
  for (let j = 0; j < features.length; j++) {
    const f = features[j] as SegmentFeature;
    const raw = row[f.column] as number;
    if (Number.isNaN(raw)) {
      out[j] = 0;
      continue;
    }
    const t = Math.min(f.hi, Math.max(f.lo, log1p(raw)));
    out[j] = (f.weight * (t - f.mean)) / f.sd;
  }
  return true;
}

export function fitScaling(
  rows: readonly ArrayLike<number>[],
  buyers: Int32Array,
  columns: { name: string; column: number; weight: number }[],
): SegmentFeature[] {
  return columns.map(({ name, column, weight }) => {
    const sorted = sortedFinite(buyers.length, (b) =>
      log1p((rows[buyers[b] as number] as ArrayLike<number>)[column] as number),
    );
    if (sorted.length === 0) return { name, column, transform: 'log1p', lo: 0, hi: 0, mean: 0, sd: 1, weight };
    const lo = quantileSorted(sorted, 0.01);
    const hi = quantileSorted(sorted, 0.99);
    let sum = 0;
    for (const v of sorted) sum += Math.min(hi, Math.max(lo, v));
    const mean = sum / sorted.length;
    let squares = 0;
    for (const v of sorted) squares += (Math.min(hi, Math.max(lo, v)) - mean) ** 2;
    const sd = Math.sqrt(squares / sorted.length);
    return { name, column, transform: 'log1p', lo, hi, mean, sd: sd > 1e-12 ? sd : 1, weight };
  });
}

/** Original units of a scaled value (the clip is not undone: centroids lie inside it anyway). */
export function unscale(f: SegmentFeature, z: number): number {
  return Math.expm1((z * f.sd) / f.weight + f.mean);
}

/** Scales a value in original units with a (possibly different) model's feature scaling. */
export function rescale(f: SegmentFeature, v: number): number {
  return (f.weight * (Math.min(f.hi, Math.max(f.lo, log1p(v))) - f.mean)) / f.sd;
}
