/**
 * Probability calibration. Boosted scores rank well but their levels drift
 * with tree count and learning rate, and a shop owner reads "70% likely to
 * churn" literally; so the retrain fits a map on held-out scores (never the
 * training rows, where the model is overconfident) and applies it to every
 * score.
 *
 * Two maps, chosen per retrain by 5-fold cross-validated log loss on the
 * tuning customers (`fitCalibration`):
 * - centred isotonic regression: pool-adjacent-violators, then one point per
 *   pooled block at its mean score, linear between them. It assumes only that
 *   a higher score never means a lower churn rate, and unlike the plain
 *   isotonic step function it does not flatten a block's distinct scores into
 *   one value (issue 13: a separable tuning set made plain isotonic a two-level
 *   step, and 5,948 of 6,000 customers got exactly 0 or 1);
 * - Platt scaling on the score's log-odds, with Platt's smoothed targets:
 *   strictly increasing, never 0 or 1, and stable where the tuning set is
 *   small or the two outcomes barely overlap — there it is the only candidate
 *   (fewer than MIN_ISOTONIC_ROWS rows or MIN_ISOTONIC_BLOCKS pooled blocks).
 *
 * What the shop sees is `probability()`: the map's value squeezed into
 * [EDGE, 1 − EDGE] with a millionth of the raw score added inside that range,
 * so it is strictly increasing in the raw score — the model's ranking survives
 * calibration exactly — and never claims certainty.
 */

/** A monotone piecewise-linear map: flat between a pooled block's lowest and highest score, linear between blocks. */
export interface IsotonicMap {
  kind: 'isotonic';
  /** Strictly increasing scores. */
  x: number[];
  /** Non-decreasing calibrated values in [0, 1]. */
  y: number[];
}

/** Platt scaling: σ(a · logit(score) + b), with a > 0. */
export interface PlattMap {
  kind: 'platt';
  a: number;
  b: number;
}

export type CalibrationMap = IsotonicMap | PlattMap;

/** Probabilities the shop sees stay this far from 0 and 1. */
export const EDGE = 1e-3;
/** Share of the raw score in a probability: breaks a flat stretch of the map by the model's own order. */
const TIE_SHARE = 1e-6;
/** Below these the isotonic map is not a candidate (Platt only). */
const MIN_ISOTONIC_ROWS = 200;
const MIN_ISOTONIC_BLOCKS = 5;
const FOLDS = 5;

interface Block {
  /** Weighted mean outcome. */
  mean: number;
  weight: number;
  /** Weighted sum of the scores in it. */
  scoreSum: number;
  lo: number;
  hi: number;
}

function checkPairs(scores: ArrayLike<number>, labels: ArrayLike<number>, weights?: ArrayLike<number>): void {
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
}

/** Pool-adjacent-violators: blocks of ascending scores whose mean outcomes never decrease. */
function pool(scores: ArrayLike<number>, labels: ArrayLike<number>, weights?: ArrayLike<number>): Block[] {
  const n = scores.length;
  const order = Uint32Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (scores[a] as number) - (scores[b] as number) || a - b,
  );
  const blocks: Block[] = [];
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
    blocks.push({ mean: swy / sw, weight: sw, scoreSum: sw * x, lo: x, hi: x });
    // Pool while the block below has a mean as high as this one (equal means pooled: centred isotonic then rises
    // strictly from each point to the next).
    while (blocks.length > 1) {
      const top = blocks[blocks.length - 1] as Block;
      const below = blocks[blocks.length - 2] as Block;
      if (below.mean < top.mean) break;
      const w = below.weight + top.weight;
      below.mean = (below.mean * below.weight + top.mean * top.weight) / w;
      below.weight = w;
      below.scoreSum += top.scoreSum;
      below.hi = top.hi;
      blocks.pop();
    }
  }
  return blocks;
}

/** Appends a point, dropping a middle point between two of the same height (it adds nothing to a linear map). */
function pointsOf(pairs: readonly [number, number][]): IsotonicMap {
  const x: number[] = [];
  const y: number[] = [];
  for (const [px, py] of pairs) {
    const k = x.length;
    if (k > 0 && x[k - 1] === px) continue;
    if (k >= 2 && y[k - 1] === py && y[k - 2] === py) x[k - 1] = px;
    else {
      x.push(px);
      y.push(py);
    }
  }
  return { kind: 'isotonic', x, y };
}

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

/** Plain isotonic regression (a step function) on (score, outcome) pairs; outcomes are usually 0/1. */
export function fitIsotonic(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  weights?: ArrayLike<number>,
): IsotonicMap {
  checkPairs(scores, labels, weights);
  const pairs: [number, number][] = [];
  for (const b of pool(scores, labels, weights)) {
    pairs.push([b.lo, clamp01(b.mean)]);
    if (b.hi > b.lo) pairs.push([b.hi, clamp01(b.mean)]);
  }
  return pointsOf(pairs);
}

/**
 * Centred isotonic regression: one point per pooled block, at its mean score, linear in between — strictly
 * increasing between the first and the last block's centre, where the step function is flat within each block.
 */
export function fitCentredIsotonic(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  weights?: ArrayLike<number>,
): IsotonicMap {
  checkPairs(scores, labels, weights);
  return pointsOf(pool(scores, labels, weights).map((b) => [b.scoreSum / b.weight, clamp01(b.mean)]));
}

const logit = (p: number) => {
  const q = Math.min(1 - 1e-12, Math.max(1e-12, p));
  return Math.log(q / (1 - q));
};
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * Platt scaling of the score's log-odds by Newton's method on the log loss, with Platt's targets
 * ((positives + 1) / (positives + 2) and 1 / (negatives + 2)) so a separable set still gives a finite slope. A slope
 * that comes out ≤ 0 (scores that do not rank) is held at a small positive one: the map must keep the ranking.
 */
export function fitPlatt(scores: ArrayLike<number>, labels: ArrayLike<number>): PlattMap {
  checkPairs(scores, labels);
  const n = scores.length;
  let positives = 0;
  for (let i = 0; i < n; i++) positives += labels[i] as number;
  const hi = (positives + 1) / (positives + 2);
  const lo = 1 / (n - positives + 2);
  const u = Float64Array.from({ length: n }, (_, i) => logit(scores[i] as number));
  const t = Float64Array.from({ length: n }, (_, i) => lo + (hi - lo) * (labels[i] as number));
  const loss = (a: number, b: number) => {
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const z = a * (u[i] as number) + b;
      // log(1 + e^z) − t·z, computed without overflow.
      sum += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - (t[i] as number) * z;
    }
    return sum;
  };
  let a = 1;
  let b = 0;
  let current = loss(a, b);
  for (let iteration = 0; iteration < 100; iteration++) {
    let ga = 0;
    let gb = 0;
    let haa = 1e-9;
    let hab = 0;
    let hbb = 1e-9;
    for (let i = 0; i < n; i++) {
      const p = sigmoid(a * (u[i] as number) + b);
      const d = p - (t[i] as number);
      const w = p * (1 - p);
      const ui = u[i] as number;
      ga += d * ui;
      gb += d;
      haa += w * ui * ui;
      hab += w * ui;
      hbb += w;
    }
    const det = haa * hbb - hab * hab;
    if (!(det > 0)) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    let step = 1;
    let next = current;
    for (; step > 1e-10; step /= 2) {
      next = loss(a - step * da, b - step * db);
      if (next <= current) break;
    }
    if (step <= 1e-10) break;
    a -= step * da;
    b -= step * db;
    const improved = current - next;
    current = next;
    if (improved < 1e-10 * (1 + Math.abs(current))) break;
  }
  if (!(a > 1e-3)) {
    // Scores that do not rank: the base rate, in the model's own order.
    a = 1e-3;
    const mean = (positives + 1) / (n + 2);
    let mu = 0;
    for (let i = 0; i < n; i++) mu += u[i] as number;
    b = logit(mean) - (a * mu) / n;
  }
  return { kind: 'platt', a, b };
}

/** Calibrated value in [0, 1] for a raw score; an isotonic map gives scores outside its range the nearest end's. */
export function calibrate(map: CalibrationMap, score: number): number {
  if (Number.isNaN(score)) return Number.NaN;
  if (map.kind === 'platt') return sigmoid(map.a * logit(score) + map.b);
  const { x, y } = map;
  const last = x.length - 1;
  if (last < 0) throw new RangeError('the calibration map is empty');
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
  return clamp01(value);
}

/**
 * The probability the shop sees for a raw score in [0, 1]: the map's value kept within [EDGE, 1 − EDGE], plus a
 * millionth of the raw score inside that range, so distinct raw scores always give distinct probabilities in the
 * model's order and none is exactly 0 or 1.
 */
export function probability(map: CalibrationMap, score: number): number {
  const raw = clamp01(score);
  return EDGE + (1 - 2 * EDGE) * ((1 - TIE_SHARE) * calibrate(map, raw) + TIE_SHARE * raw);
}

/** Distinct values a map can give: Platt's are continuous (Infinity). Two means the map only says yes or no. */
export function levels(map: CalibrationMap): number {
  return map.kind === 'platt' ? Number.POSITIVE_INFINITY : new Set(map.y).size;
}

export interface CalibrationFit {
  map: CalibrationMap;
  /** Mean cross-validated log loss of each candidate (the lower won). */
  logLoss: { platt: number | null; isotonic: number | null };
}

/**
 * The map for a model's held-out scores: centred isotonic or Platt, whichever has the lower 5-fold cross-validated
 * log loss (of `probability`, what the shop sees); Platt alone on a small or nearly separable set (see the header).
 */
export function fitCalibration(scores: ArrayLike<number>, labels: ArrayLike<number>): CalibrationFit {
  checkPairs(scores, labels);
  const n = scores.length;
  const isotonicCandidate =
    n >= MIN_ISOTONIC_ROWS && pool(scores, labels).length >= MIN_ISOTONIC_BLOCKS && n >= FOLDS * 2;
  const crossLoss = (fitMap: (s: number[], l: number[]) => CalibrationMap) => {
    let sum = 0;
    for (let fold = 0; fold < FOLDS; fold++) {
      const s: number[] = [];
      const l: number[] = [];
      for (let i = 0; i < n; i++)
        if (i % FOLDS !== fold) {
          s.push(scores[i] as number);
          l.push(labels[i] as number);
        }
      const map = fitMap(s, l);
      for (let i = fold; i < n; i += FOLDS) {
        const p = probability(map, scores[i] as number);
        sum -= (labels[i] as number) * Math.log(p) + (1 - (labels[i] as number)) * Math.log(1 - p);
      }
    }
    return sum / n;
  };
  if (!isotonicCandidate) return { map: fitPlatt(scores, labels), logLoss: { platt: null, isotonic: null } };
  const platt = crossLoss(fitPlatt);
  const isotonic = crossLoss(fitCentredIsotonic);
  return {
    map: isotonic < platt ? fitCentredIsotonic(scores, labels) : fitPlatt(scores, labels),
    logLoss: { platt, isotonic },
  };
}
