/**
 * Probability calibration by isotonic regression (pool-adjacent-violators).
 * Boosted scores rank well but their levels drift with tree count and
 * learning rate, and a shop owner reads "70% likely to churn" literally; so
 * the retrain worker fits this map on held-out scores (never the training
 * rows, where the model is overconfident) and applies it to every score.
 *
 * Isotonic rather than Platt scaling because it assumes only that a higher
 * score never means a lower churn rate, not a sigmoid shape. The map is a
 * list of points, stored as JSON beside the model.
 */

/** A monotone piecewise-linear map: flat between a pooled block's lowest and highest score, linear between blocks. */
export interface IsotonicMap {
  kind: 'isotonic';
  /** Strictly increasing scores. */
  x: number[];
  /** Non-decreasing calibrated values in [0, 1]. */
  y: number[];
}

/** Fits on (score, outcome) pairs; outcomes are usually 0/1 but any value in [0, 1] works. */
export function fitIsotonic(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  weights?: ArrayLike<number>,
): IsotonicMap {
  const n = scores.length;
  if (labels.length !== n) throw new RangeError(`${n} scores but ${labels.length} labels`);
  if (weights && weights.length !== n) throw new RangeError(`${n} scores but ${weights.length} weights`);
  if (n === 0) throw new RangeError('cannot calibrate on no scores');
  for (let i = 0; i < n; i++) {
    const w = weights ? (weights[i] as number) : 1;
    if (!Number.isFinite(scores[i]) || !Number.isFinite(labels[i]) || !(w > 0 && Number.isFinite(w))) {
      throw new RangeError(`pair ${i} has a non-finite score or label, or a weight that is not positive`);
    }
  }
  const order = Uint32Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (scores[a] as number) - (scores[b] as number) || a - b,
  );

  // Blocks on a stack: weighted mean outcome, total weight, score range.
  const mean: number[] = [];
  const weight: number[] = [];
  const lo: number[] = [];
  const hi: number[] = [];
  for (let i = 0; i < n; ) {
    // Equal scores must share one value, so they enter as one block.
    const x = scores[order[i] as number] as number;
    let sw = 0;
    let swy = 0;
    for (; i < n && scores[order[i] as number] === x; i++) {
      const w = weights ? (weights[order[i] as number] as number) : 1;
      sw += w;
      swy += w * (labels[order[i] as number] as number);
    }
    mean.push(swy / sw);
    weight.push(sw);
    lo.push(x);
    hi.push(x);
    // Pool while the block below has a higher mean than this one.
    for (let top = mean.length - 1; top > 0 && (mean[top - 1] as number) > (mean[top] as number); top--) {
      const w = (weight[top - 1] as number) + (weight[top] as number);
      mean[top - 1] =
        ((mean[top - 1] as number) * (weight[top - 1] as number) + (mean[top] as number) * (weight[top] as number)) / w;
      weight[top - 1] = w;
      hi[top - 1] = hi[top] as number;
      mean.pop();
      weight.pop();
      lo.pop();
      hi.pop();
    }
  }

  const px: number[] = [];
  const py: number[] = [];
  const push = (x: number, y: number): void => {
    const k = px.length;
    // A point between two of the same height adds nothing to a piecewise-linear map.
    if (k >= 2 && py[k - 1] === y && py[k - 2] === y) px[k - 1] = x;
    else {
      px.push(x);
      py.push(y);
    }
  };
  for (let b = 0; b < mean.length; b++) {
    const y = Math.min(1, Math.max(0, mean[b] as number));
    push(lo[b] as number, y);
    if ((hi[b] as number) > (lo[b] as number)) push(hi[b] as number, y);
  }
  return { kind: 'isotonic', x: px, y: py };
}

/** Calibrated probability for a raw score; scores outside the fitted range take the nearest end's value. */
export function calibrate(map: IsotonicMap, score: number): number {
  const { x, y } = map;
  const last = x.length - 1;
  if (last < 0) throw new RangeError('the calibration map is empty');
  if (Number.isNaN(score)) return Number.NaN;
  let value: number;
  if (score <= (x[0] as number)) value = y[0] as number;
  else if (score >= (x[last] as number)) value = y[last] as number;
  else {
    // Largest i with x[i] ≤ score; then score < x[i + 1].
    let a = 0;
    let b = last;
    while (b - a > 1) {
      const mid = (a + b) >>> 1;
      if ((x[mid] as number) <= score) a = mid;
      else b = mid;
    }
    const x0 = x[a] as number;
    const y0 = y[a] as number;
    value = y0 + (((y[a + 1] as number) - y0) * (score - x0)) / ((x[a + 1] as number) - x0);
  }
  return Math.min(1, Math.max(0, value));
}
