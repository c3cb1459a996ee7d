/**
 * Customer segments: k-means (ml-kmeans, kmeans++ seeded) on scaled RFM and behaviour features, k chosen in a small
 * range by mean silhouette on a seeded sample, each cluster named in shop words from its centroid, and names carried
 * over from the previous model when a cluster has barely moved, so "Champions" stays "Champions" across retrains.
 *
 * Pure and deterministic: no database, no clock, randomness only from the seed. The model is plain JSON (scaling,
 * centroids, names, descriptions), so it can be stored with the model registry and score new rows later with
 * `assignSegment`, giving exactly the assignments `fitSegments` returned for the same rows.
 *
 * Scaling, per feature: log1p (all of them are money, counts or days, so long tails), clipped to the shop's own 1st–99th
 * percentile, standardised over buyers, then multiplied by a weight (RFM 1, behaviour 0.5: the names speak of recency,
 * frequency and spend, so those should shape the clusters most). A missing value (NaN: no gap for a one-time buyer,
 * say) becomes 0 after standardising, i.e. the shop's average: neutral, it pulls the customer towards no cluster.
 *
 * Predictions (churn, predicted value) are summarised per segment but not clustered on: a segment then means the same
 * thing whether or not the models could be trained.
 *
 * A segment describes the customer now, so it agrees with the churn risk beside it. A cluster is named after its
 * typical customer, and a customer near "Champions" may still have stopped coming (on an 18-month till export the best
 * customer, 50 weekly orders and silent for 158 days, was "Loyal" at >99% risk). So after the nearest cluster, one rule:
 * a buyer is **lapsing** when
 * - their silence (recency_days) is more than twice their own usual gap between purchases (gap_mean_days; for someone
 *   without one — a single order, or repeat orders on the same day — the shop's 75th-percentile gap) and longer than
 *   the shop's 75th-percentile gap (over buyers with a gap), or
 * - their churn risk is in the shop's High band (risk-bands.ts) — except a first-time buyer in "New" who is not
 *   overdue by the first test: a recent first order is what "New" says, and most first orders are never followed by a
 *   second, so a first-timer's risk is high without their being lapsed.
 * A lapsing buyer is "At risk" when they had been a good customer (two or more orders, or spend at least the shop's
 * median), else "Lost", whatever their cluster: nobody lapsing is Champions, Loyal, Promising, Need attention or
 * Hibernating, and "At risk" / "Lost" exist whenever lapsing customers do. The model stores what the rule needs (the
 * 75th-percentile gap, the High line, the median spend), so `assignSegment` gives the same answer for a rollback; a
 * model stored before the rule has none and assigns by cluster alone.
 */
import { kmeans } from 'ml-kmeans';
import { AppError } from '../../../shared/contract/errors';
import { mulberry32 } from './learners/random';

/** Customers who have never bought: not clustered, always this name. */
export const NOT_BOUGHT_YET = 'Not bought yet';

interface NameRule {
  name: string;
  description: string;
  /** Where a typical customer of this segment sits in the shop, 0 (worst) … 1 (best) on recency, frequency, spend. */
  at: [r: number, f: number, m: number];
  /** How much each of recency, frequency and spend counts towards the fit. */
  weight: [r: number, f: number, m: number];
  /** Only for clusters whose typical customer first bought at most this many days ago. */
  maxTenureDays?: number;
}

/** The names a cluster can earn, in display order (best customers first). */
const NAME_RULES: readonly NameRule[] = [
  {
    name: 'Champions',
    description: 'Bought recently and often; spend the most.',
    at: [1, 1, 1],
    weight: [1, 1, 1],
  },
  {
    name: 'Loyal',
    description: 'Buy often and spend well; a steady part of the shop.',
    at: [0.6, 0.9, 0.8],
    weight: [1, 1, 1],
  },
  {
    name: 'Promising',
    description: 'Bought recently and a few times already; could become regulars.',
    at: [0.9, 0.5, 0.5],
    weight: [2, 1, 1],
  },
  {
    name: 'New',
    description: 'First purchase was recent; only one order or so far.',
    at: [1, 0, 0.3],
    weight: [2, 1, 0.25],
    maxTenureDays: 90,
  },
  {
    name: 'Need attention',
    description: 'Middle of the road: not very recent, not very often; a reminder may help.',
    at: [0.5, 0.5, 0.5],
    weight: [1, 1, 1],
  },
  {
    name: 'At risk',
    description:
      'Good customers once (came back or spent well) who have gone quiet for longer than usual, or are likely to stop.',
    at: [0.1, 0.9, 0.9],
    weight: [2, 1, 1],
  },
  {
    name: 'Hibernating',
    description: 'Last bought a while ago; few orders and modest spend.',
    at: [0.3, 0.3, 0.3],
    weight: [2, 1, 1],
  },
  {
    name: 'Lost',
    description: 'Bought little, and have gone quiet for longer than usual or are unlikely to buy again.',
    at: [0, 0, 0],
    weight: [2, 1, 1],
  },
];

/** Every segment name, in display order, "Not bought yet" last. */
export const SEGMENT_NAMES: readonly string[] = [...NAME_RULES.map((r) => r.name), NOT_BOUGHT_YET];
const NOT_BOUGHT_DESCRIPTION = 'Known to the shop (signed up, visited or wrote) but has not bought anything yet.';

/** Clustered columns and their weights; the first three are required (they name the clusters). */
const CLUSTER_FEATURES: readonly { name: string; weight: number }[] = [
  { name: 'recency_days', weight: 1 },
  { name: 'frequency', weight: 1 },
  { name: 'monetary', weight: 1 },
  { name: 'avg_order_value', weight: 0.5 },
  { name: 'tenure_days', weight: 0.5 },
  { name: 'gap_mean_days', weight: 0.5 },
  { name: 'purchases_90d', weight: 0.5 },
  { name: 'engagement_90d', weight: 0.5 },
];
const REQUIRED = ['recency_days', 'frequency', 'monetary'] as const;

const DEFAULT_K_RANGE: [number, number] = [4, 7];
const DEFAULT_SILHOUETTE_SAMPLE = 2000;
/** Candidate k are fitted on at most this many buyers; the chosen one is then refined on all of them. */
const FIT_SAMPLE = 5000;
/** kmeans++ restarts per candidate k (the lowest within-cluster spread wins). */
const RESTARTS = 3;
/** A small shop gets at most one segment per this many buyers. */
const MIN_CUSTOMERS_PER_SEGMENT = 5;
/** Centroids moving less than this (squared, in standard deviations) count as converged. */
const TOLERANCE = 1e-4;
const MAX_ITERATIONS = 100;
/** Shop percentiles at or below the first count as 0 when naming, at or above the second as 1. */
const SCORE_FLOOR = 0.2;
const SCORE_CEILING = 0.8;
/**
 * Recency also counts in days, not only against the rest of the shop: a last purchase this many days ago or more is
 * "long ago" however the shop's other customers stand; one today is "recent". The recency standing used for naming
 * is the better of the two, so a young shop (everyone bought in the last few weeks) has nobody "Lost" or "At risk"
 * merely for being its least recent customers, while an established shop's ranking is unchanged.
 */
const LONG_AGO_DAYS = 120;
/** A cluster takes a name other than its best only when it fits within this much of the best (fits run 0 … 1). */
const NAME_MARGIN = 0.2;
/** Weight of the exact standing in a name's fit: enough to break ties, too little to change a clear choice. */
const TIE_BREAK = 0.01;
/** With a single previous segment there is no neighbour to measure "close" against: this many standard deviations. */
const LONE_MATCH_RADIUS = 1;

export interface SegmentFeature {
  /** Column name in the feature rows. */
  name: string;
  /** Column index in rows that follow `SegmentModel.names`. */
  column: number;
  transform: 'log1p';
  /** Clip bounds on the transformed value (the shop's 1st and 99th percentile). */
  lo: number;
  hi: number;
  mean: number;
  sd: number;
  weight: number;
}

export interface Rfm {
  recency: number;
  frequency: number;
  monetary: number;
}

export interface Segment {
  name: string;
  description: string;
  /** In the scaled (and weighted) space. */
  centroid: number[];
  /** The centroid in original units, per clustered feature ("last bought 12 days ago, 6 orders, 420 spent"). */
  typical: Record<string, number>;
  /**
   * Where the centroid sits among the shop's buyers, 0 … 1, higher = better: the share of buyers who bought longer
   * ago, fewer times, for less (ties counted half); recency is the better of that and its days (see LONG_AGO_DAYS).
   */
  standing: Rfm;
  /** `standing` with the bottom fifth of the shop as 0 and the top fifth as 1: what the names are given from. */
  scores: Rfm;
  /** Customers in it when fitted. */
  size: number;
  /** Mean net spend (monetary) of its customers when fitted. */
  averageSpend: number;
  /** Mean churn probability / predicted value when fitted, when predictions were passed in. */
  averageChurn: number | null;
  averageValue: number | null;
  /** The name came from the previous model's matching segment. */
  keptName: boolean;
}

/** Customers in a segment and their means, when fitted. */
export interface SegmentTally {
  name: string;
  size: number;
  averageSpend: number;
  averageChurn: number | null;
  averageValue: number | null;
}

/** What `assignSegment` needs to tell a lapsing buyer (see the header), as fitted. */
export interface LapseRule {
  /** The shop's 75th-percentile gap between purchases, in days, over buyers with a gap; null when nobody has one. */
  p75GapDays: number | null;
  /** Churn risk from which a buyer is in the shop's High band; null when there were no churn scores. */
  highRisk: number | null;
  /** The shop's median spend (monetary) over buyers: a lapsing buyer who spent this much is "At risk". */
  medianSpend: number;
  /** Columns of recency_days, monetary and gap_mean_days in the rows (−1: the column is not there). */
  recencyColumn: number;
  monetaryColumn: number;
  gapColumn: number;
  /** The lapsing buyers the rule named apart from their cluster, per name they got, when fitted. */
  moved: SegmentTally[];
}

/** Plain JSON: store it, parse it back, and `assignSegment` scores exactly as before. */
export interface SegmentModel {
  version: 1;
  /** The feature columns rows must follow (as given to `fitSegments`). */
  names: string[];
  features: SegmentFeature[];
  /** Column of `frequency`: a row with no purchase (0 or missing) is "Not bought yet". */
  buyerColumn: number;
  /** Clusters, in display order (by name); sizes and means count the customers who kept the cluster's name. */
  segments: Segment[];
  /** The lapsing rule (absent in models stored before it: they assign by cluster alone). */
  lapse?: LapseRule;
  k: number;
  /** Mean silhouette of each candidate k (empty when only one k was possible). */
  silhouette: { k: number; score: number }[];
  seed: number;
  buyers: number;
  notBought: number;
}

export interface SegmentInput {
  /** One row per customer, columns in `names` order, NaN = missing. */
  rows: readonly ArrayLike<number>[];
  names: readonly string[];
  /** Churn probability per row (null = not scored). */
  churn?: ArrayLike<number | null>;
  /** Predicted value per row. */
  value?: ArrayLike<number | null>;
}

export interface SegmentOptions {
  seed: number;
  /** Smallest and largest k to try; default [4, 7]; at most 8 (the number of names). */
  kRange?: [number, number];
  /** Customers in the silhouette sample; default 2000. */
  sampleSize?: number;
  /** The last model: clusters close to one of its segments keep that segment's name. */
  previous?: SegmentModel;
  /** The shop's High risk line (risk-bands.ts): buyers whose churn (input.churn) is at least this are lapsing. */
  highRisk?: number | null;
}

export interface SegmentFit {
  model: SegmentModel;
  /** Segment name per input row. */
  assignments: string[];
}

function invalid(message: string, field?: string): AppError {
  return new AppError('validation', message, field);
}

/** Negative values (net refunds) count as 0; NaN stays NaN, so missing values stay out of the scaling. */
const log1p = (v: number) => Math.log1p(Math.max(v, 0));

/** Scales one row into `out`; false when the customer has not bought (not clustered). */
function scaleRow(model: Pick<SegmentModel, 'features' | 'buyerColumn'>, row: ArrayLike<number>, out: Float64Array) {
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

/** Index of the nearest of `k` centroids (flat, k × d); the first one wins a tie. */
function nearest(point: ArrayLike<number>, centroids: Float64Array, k: number, d: number): number {
  let best = 0;
  let bestDistance = Infinity;
  for (let c = 0; c < k; c++) {
    let s = 0;
    const base = c * d;
    for (let j = 0; j < d; j++) {
      const diff = (point[j] as number) - (centroids[base + j] as number);
      s += diff * diff;
    }
    if (s < bestDistance) {
      bestDistance = s;
      best = c;
    }
  }
  return best;
}

function flatten(centroids: readonly ArrayLike<number>[], d: number): Float64Array {
  const flat = new Float64Array(centroids.length * d);
  centroids.forEach((c, i) => {
    for (let j = 0; j < d; j++) flat[i * d + j] = c[j] as number;
  });
  return flat;
}

/**
 * The segment for one feature row (in `model.names` order) and its churn probability (null: not scored): the
 * nearest cluster's name, unless the lapsing rule names the buyer "At risk" or "Lost".
 */
export function assignSegment(model: SegmentModel, row: ArrayLike<number>, churn: number | null = null): string {
  const z = new Float64Array(model.features.length);
  if (!scaleRow(model, row, z)) return NOT_BOUGHT_YET;
  // Nobody had bought when the model was fitted, so whoever buys since is new.
  if (model.segments.length === 0) return 'New';
  const centroids = flatten(
    model.segments.map((s) => s.centroid),
    z.length,
  );
  const cluster = (model.segments[nearest(z, centroids, model.segments.length, z.length)] as Segment).name;
  return (model.lapse && lapsedName(model.lapse, model.buyerColumn, row, churn, cluster)) ?? cluster;
}

/**
 * The name the lapsing rule (see the header) gives a buyer in the cluster named `cluster`: "At risk" or "Lost", or
 * null when they are not lapsing and keep the cluster's name.
 */
export function lapsedName(
  rule: LapseRule,
  frequencyColumn: number,
  row: ArrayLike<number>,
  churn: number | null,
  cluster: string,
): 'At risk' | 'Lost' | null {
  const orders = row[frequencyColumn] as number;
  const recency = row[rule.recencyColumn] as number;
  const p75 = rule.p75GapDays;
  const gap = rule.gapColumn === -1 ? Number.NaN : (row[rule.gapColumn] as number);
  const usualGap = gap > 0 ? gap : p75;
  const overdue = p75 !== null && usualGap !== null && recency > 2 * usualGap && recency > p75;
  const highRisk = rule.highRisk !== null && churn !== null && churn >= rule.highRisk;
  if (!overdue && !(highRisk && !(cluster === 'New' && orders <= 1))) return null;
  return orders >= 2 || (row[rule.monetaryColumn] as number) >= rule.medianSpend ? 'At risk' : 'Lost';
}

/** Value at quantile q of sorted values (linear interpolation). */
function quantileSorted(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (pos - lo);
}

/** The finite ones of get(0) … get(n − 1), sorted. */
function sortedFinite(n: number, get: (i: number) => number): Float64Array {
  const out = new Float64Array(n);
  let m = 0;
  for (let i = 0; i < n; i++) {
    const v = get(i);
    if (Number.isFinite(v)) out[m++] = v;
  }
  return out.subarray(0, m).sort();
}

function fitScaling(
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

/** `size` distinct indices out of 0…n−1 (all of them when size ≥ n), ascending. */
function sampleIndices(n: number, size: number, rng: () => number): Int32Array {
  const all = new Int32Array(n);
  for (let i = 0; i < n; i++) all[i] = i;
  if (size >= n) return all;
  for (let i = 0; i < size; i++) {
    const j = i + Math.floor(rng() * (n - i));
    const t = all[i] as number;
    all[i] = all[j] as number;
    all[j] = t;
  }
  return all.slice(0, size).sort();
}

function countDistinct(points: readonly ArrayLike<number>[], stopAt: number): number {
  const seen = new Set<string>();
  for (const p of points) {
    seen.add(Array.prototype.join.call(p, ','));
    if (seen.size >= stopAt) break;
  }
  return seen.size;
}

/**
 * Mean silhouette of several labelings of the same points at once: each pairwise distance is computed once and
 * credited to every labeling. A point alone in its cluster scores 0 (the usual convention); a labeling with fewer
 * than two non-empty clusters scores −1.
 */
export function meanSilhouettes(
  points: readonly ArrayLike<number>[],
  labelings: readonly { labels: ArrayLike<number>; k: number }[],
): number[] {
  const n = points.length;
  const d = n > 0 ? (points[0] as ArrayLike<number>).length : 0;
  const flat = flatten(points, d);
  const ks = Int32Array.from(labelings, (l) => l.k);
  const labels = labelings.map((l) => Int32Array.from(l.labels));
  const sums = labelings.map(({ k }) => new Float64Array(n * k));
  const L = labelings.length;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let t = 0; t < d; t++) {
        const diff = (flat[i * d + t] as number) - (flat[j * d + t] as number);
        s += diff * diff;
      }
      const dist = Math.sqrt(s);
      for (let l = 0; l < L; l++) {
        const k = ks[l] as number;
        const own = labels[l] as Int32Array;
        const sum = sums[l] as Float64Array;
        const a = i * k + (own[j] as number);
        const b = j * k + (own[i] as number);
        sum[a] = (sum[a] as number) + dist;
        sum[b] = (sum[b] as number) + dist;
      }
    }
  }
  return labelings.map(({ labels, k }, l) => {
    const sum = sums[l] as Float64Array;
    const counts = new Int32Array(k);
    for (let i = 0; i < n; i++) {
      const c = labels[i] as number;
      counts[c] = (counts[c] as number) + 1;
    }
    let clusters = 0;
    for (const c of counts) if (c > 0) clusters += 1;
    if (clusters < 2) return -1;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const own = labels[i] as number;
      const ownCount = counts[own] as number;
      if (ownCount <= 1) continue;
      const a = (sum[i * k + own] as number) / (ownCount - 1);
      let b = Infinity;
      for (let c = 0; c < k; c++) {
        const count = counts[c] as number;
        if (c !== own && count > 0) b = Math.min(b, (sum[i * k + c] as number) / count);
      }
      const top = Math.max(a, b);
      if (top > 0) total += (b - a) / top;
    }
    return total / n;
  });
}

/** Mean silhouette (Euclidean) of one labeling with labels 0…k−1. */
export function meanSilhouette(points: readonly ArrayLike<number>[], labels: ArrayLike<number>): number {
  let k = 0;
  for (let i = 0; i < labels.length; i++) k = Math.max(k, (labels[i] as number) + 1);
  return meanSilhouettes(points, [{ labels, k }])[0] as number;
}

function inertia(points: readonly ArrayLike<number>[], centroids: Float64Array, k: number, d: number): number {
  let total = 0;
  for (const p of points) {
    const c = nearest(p, centroids, k, d);
    for (let j = 0; j < d; j++) total += ((p[j] as number) - (centroids[c * d + j] as number)) ** 2;
  }
  return total;
}

/**
 * Where v sits among the shop's (sorted) values, 0 … 1: ties count half, and between two of the shop's values the
 * position is interpolated, so a cluster of mostly one-time buyers with a few second orders does not jump from the
 * bottom to the middle.
 */
function shopPercentile(sorted: Float64Array, v: number): number {
  const n = sorted.length;
  if (n === 0 || Number.isNaN(v)) return 0.5;
  const midRank = (x: number) => (lowerBound(sorted, x) + upperBound(sorted, x)) / 2 / n;
  const lo = lowerBound(sorted, v);
  const hi = upperBound(sorted, v);
  if (hi > lo) return (lo + hi) / 2 / n;
  if (lo === 0) return midRank(sorted[0] as number);
  if (lo === n) return midRank(sorted[n - 1] as number);
  const below = sorted[lo - 1] as number;
  const above = sorted[lo] as number;
  const pBelow = midRank(below);
  return pBelow + ((midRank(above) - pBelow) * (v - below)) / (above - below);
}

/** Index of the first of the ascending values at least v. */
export function lowerBound(sorted: ArrayLike<number>, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(sorted: Float64Array, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const score = (standing: number) => Math.min(1, Math.max(0, (standing - SCORE_FLOOR) / (SCORE_CEILING - SCORE_FLOOR)));

/** How well a segment's scores fit a name, 0 … 1 (1 − weighted mean distance to the name's typical position). */
function nameFit(rule: NameRule, s: Rfm): number {
  const [wr, wf, wm] = rule.weight;
  const [r, f, m] = rule.at;
  const distance = wr * Math.abs(s.recency - r) + wf * Math.abs(s.frequency - f) + wm * Math.abs(s.monetary - m);
  return 1 - distance / (wr + wf + wm);
}

/** Original units of a scaled value (the clip is not undone: centroids lie inside it anyway). */
function unscale(f: SegmentFeature, z: number): number {
  return Math.expm1((z * f.sd) / f.weight + f.mean);
}

/** Scales a value in original units with a (possibly different) model's feature scaling. */
function rescale(f: SegmentFeature, v: number): number {
  return (f.weight * (Math.min(f.hi, Math.max(f.lo, log1p(v))) - f.mean)) / f.sd;
}

/**
 * Previous segment whose name each new cluster keeps, or −1. Both sets of centroids are compared in the previous
 * model's scaled space (the new ones through original units), on the features both models cluster on; pairs are
 * taken closest first, one to one, and kept only when the new centroid lies nearer to the old one than halfway to
 * that old one's nearest neighbour: then it is recognisably the same group of customers.
 */
function matchPrevious(
  typical: readonly Record<string, number>[],
  previous: SegmentModel,
  features: readonly SegmentFeature[],
): number[] {
  const matches = typical.map(() => -1);
  const prevSegments = previous.segments;
  const shared = previous.features.map((f, j) => ({ f, j })).filter(({ f }) => features.some((g) => g.name === f.name));
  if (shared.length === 0 || prevSegments.length === 0) return matches;
  const project = (t: Record<string, number>) => shared.map(({ f }) => rescale(f, t[f.name] as number));
  const prev = prevSegments.map((s) => shared.map(({ j }) => s.centroid[j] as number));
  const dist = (a: number[], b: number[]) => Math.sqrt(a.reduce((sum, v, j) => sum + (v - (b[j] as number)) ** 2, 0));
  const radius = prev.map((p, i) => {
    let closest = Infinity;
    prev.forEach((q, j) => {
      if (j !== i) closest = Math.min(closest, dist(p, q));
    });
    return Number.isFinite(closest) ? closest / 2 : LONE_MATCH_RADIUS;
  });
  const pairs: { c: number; p: number; d: number }[] = [];
  typical.forEach((t, c) => {
    const z = project(t);
    prev.forEach((p, i) => {
      pairs.push({ c, p: i, d: dist(z, p) });
    });
  });
  pairs.sort((a, b) => a.d - b.d || a.c - b.c || a.p - b.p);
  const taken = new Set<number>();
  for (const { c, p, d } of pairs) {
    if (matches[c] !== -1 || taken.has(p) || d >= (radius[p] as number)) continue;
    matches[c] = p;
    taken.add(p);
  }
  return matches;
}

/**
 * Names for the clusters: those matched to a previous segment keep its name; the rest take the best-fitting free
 * name, best fits first, so when two clusters earn the same name the weaker fit gets its next best one — but only a
 * name that fits nearly as well as its best (within NAME_MARGIN). Otherwise it shares its best name with the other
 * cluster, and the two are one segment: in a young shop where most customers are recent and frequent, the third
 * such cluster is more "Loyal" customers, not "At risk" ones.
 */
function nameClusters(
  scores: readonly Rfm[],
  standing: readonly Rfm[],
  kept: readonly (string | null)[],
  tenureDays: readonly number[],
): { name: string; description: string; keptName: boolean }[] {
  const result: ({ name: string; description: string; keptName: boolean } | null)[] = kept.map((name) =>
    name === null ? null : { name, description: descriptionOf(name), keptName: true },
  );
  const used = new Set(kept.filter((n): n is string => n !== null));
  const pairs: { c: number; r: number; fit: number }[] = [];
  scores.forEach((s, c) => {
    if (result[c] !== null) return;
    NAME_RULES.forEach((rule, r) => {
      // "New" is for customers who really are (a missing tenure, NaN, rules nothing out).
      if (rule.maxTenureDays !== undefined && (tenureDays[c] as number) > rule.maxTenureDays) return;
      // Two clusters both in the shop's top (or bottom) fifth score alike: their exact standing decides.
      pairs.push({ c, r, fit: nameFit(rule, s) + TIE_BREAK * nameFit(rule, standing[c] as Rfm) });
    });
  });
  pairs.sort((a, b) => b.fit - a.fit || a.c - b.c || a.r - b.r);
  const bestFit = new Map<number, { fit: number; r: number }>();
  for (const { c, r, fit } of pairs) if (!bestFit.has(c)) bestFit.set(c, { fit, r });
  for (const { c, r, fit } of pairs) {
    const rule = NAME_RULES[r] as NameRule;
    if (result[c] !== null || used.has(rule.name)) continue;
    if (fit < (bestFit.get(c)?.fit ?? 0) - NAME_MARGIN) continue;
    result[c] = { name: rule.name, description: rule.description, keptName: false };
    used.add(rule.name);
  }
  return result.map((named, c) => {
    if (named) return named;
    const rule = NAME_RULES[bestFit.get(c)?.r ?? 0] as NameRule;
    return { name: rule.name, description: rule.description, keptName: false };
  });
}

function descriptionOf(name: string): string {
  if (name === NOT_BOUGHT_YET) return NOT_BOUGHT_DESCRIPTION;
  return NAME_RULES.find((r) => r.name === name)?.description ?? '';
}

const displayOrder = (name: string) => {
  const i = SEGMENT_NAMES.indexOf(name);
  return i === -1 ? SEGMENT_NAMES.length : i;
};

function mean(values: Iterable<number | null | undefined>): number | null {
  let sum = 0;
  let count = 0;
  for (const v of values) {
    if (v === null || v === undefined || !Number.isFinite(v)) continue;
    sum += v;
    count += 1;
  }
  return count > 0 ? sum / count : null;
}

function validate(input: SegmentInput, options: SegmentOptions): { kRange: [number, number]; sampleSize: number } {
  const { rows, names } = input;
  for (const [i, row] of rows.entries())
    if (row.length !== names.length)
      throw invalid(`Customer row ${i + 1} has ${row.length} values but there are ${names.length} feature names.`);
  for (const required of REQUIRED)
    if (!names.includes(required)) throw invalid(`Segments need the "${required}" feature.`, 'names');
  for (const [field, values] of [
    ['churn', input.churn],
    ['value', input.value],
  ] as const)
    if (values !== undefined && values.length !== rows.length)
      throw invalid(`There are ${values.length} ${field} predictions for ${rows.length} customers.`, field);
  if (!Number.isInteger(options.seed)) throw invalid('The segment seed must be a whole number.', 'seed');
  const { highRisk } = options;
  if (highRisk !== undefined && highRisk !== null && !(highRisk >= 0 && highRisk <= 1))
    throw invalid('The High risk line must be a chance between 0 and 1.', 'highRisk');
  const kRange = options.kRange ?? DEFAULT_K_RANGE;
  const [kMin, kMax] = kRange;
  if (!Number.isInteger(kMin) || !Number.isInteger(kMax) || kMin < 2 || kMin > kMax || kMax > NAME_RULES.length)
    throw invalid(
      `The number of segments must be a range of whole numbers between 2 and ${NAME_RULES.length}.`,
      'kRange',
    );
  const sampleSize = options.sampleSize ?? DEFAULT_SILHOUETTE_SAMPLE;
  if (!Number.isInteger(sampleSize) || sampleSize < 10)
    throw invalid('The silhouette sample must be at least 10 customers.', 'sampleSize');
  return { kRange: [kMin, kMax], sampleSize };
}

/** Clusters the buyers, names the clusters and assigns every row (non-buyers to "Not bought yet"). */
export function fitSegments(input: SegmentInput, options: SegmentOptions): SegmentFit {
  const { kRange, sampleSize } = validate(input, options);
  const { rows, names } = input;
  const column = (name: string) => names.indexOf(name);
  const buyerColumn = column('frequency');

  const buyerList: number[] = [];
  rows.forEach((row, i) => {
    if ((row[buyerColumn] as number) > 0) buyerList.push(i);
  });
  const buyers = Int32Array.from(buyerList);
  const features = fitScaling(
    rows,
    buyers,
    CLUSTER_FEATURES.filter((f) => names.includes(f.name)).map((f) => ({ ...f, column: column(f.name) })),
  );
  const d = features.length;
  const scaling = { features, buyerColumn };
  const z = Array.from(buyers, (i) => {
    const out = new Float64Array(d);
    scaleRow(scaling, rows[i] as ArrayLike<number>, out);
    return out;
  });
  const nb = z.length;

  const rng = mulberry32(options.seed);
  const fitIdx = sampleIndices(nb, FIT_SAMPLE, rng);
  const silIdx = sampleIndices(nb, sampleSize, rng);
  const fitData = Array.from(fitIdx, (i) => Array.from(z[i] as Float64Array));

  const kMax = Math.min(
    kRange[1],
    countDistinct(fitData, kRange[1]),
    Math.max(1, Math.floor(nb / MIN_CUSTOMERS_PER_SEGMENT)),
  );
  const kMin = Math.min(kRange[0], kMax);

  const candidates: { k: number; centroids: number[][] }[] = [];
  for (let k = kMin; k <= kMax && nb > 0; k++) {
    let best: { centroids: number[][]; inertia: number } | undefined;
    for (let restart = 0; restart < RESTARTS; restart++) {
      const seed = Math.floor(rng() * 0x7fffffff);
      const result = kmeans(fitData, k, {
        initialization: 'kmeans++',
        seed,
        tolerance: TOLERANCE,
        maxIterations: MAX_ITERATIONS,
      });
      const spread = inertia(fitData, flatten(result.centroids, d), k, d);
      if (!best || spread < best.inertia) best = { centroids: result.centroids, inertia: spread };
    }
    candidates.push({ k, centroids: (best as { centroids: number[][] }).centroids });
  }

  let silhouette: { k: number; score: number }[] = [];
  let chosen = candidates[0];
  if (candidates.length > 1) {
    const sample = Array.from(silIdx, (i) => z[i] as Float64Array);
    const labelings = candidates.map(({ k, centroids }) => {
      const flat = flatten(centroids, d);
      return { k, labels: Int32Array.from(sample, (p) => nearest(p, flat, k, d)) };
    });
    const scores = meanSilhouettes(sample, labelings);
    silhouette = candidates.map(({ k }, i) => ({ k, score: scores[i] as number }));
    let bestScore = -Infinity;
    candidates.forEach((c, i) => {
      if ((scores[i] as number) > bestScore) {
        bestScore = scores[i] as number;
        chosen = c;
      }
    });
  }

  let centroids: number[][] = chosen?.centroids ?? [];
  if (chosen && nb > fitIdx.length) {
    // Refine on every buyer, starting from the sample's solution: a few cheap iterations instead of a fresh fit.
    centroids = kmeans(
      z.map((p) => Array.from(p)),
      chosen.k,
      { initialization: centroids.map((c) => [...c]), tolerance: TOLERANCE, maxIterations: MAX_ITERATIONS },
    ).centroids;
  }
  // A cluster nobody is nearest to (possible with duplicates) is dropped rather than named.
  {
    const flat = flatten(centroids, d);
    const counts = new Int32Array(centroids.length);
    for (const p of z) {
      const c = nearest(p, flat, centroids.length, d);
      counts[c] = (counts[c] as number) + 1;
    }
    centroids = centroids.filter((_, c) => (counts[c] as number) > 0);
  }

  const sortedBy = (name: string) => {
    const col = column(name);
    return sortedFinite(buyers.length, (b) => (rows[buyers[b] as number] as ArrayLike<number>)[col] as number);
  };
  const shopRecency = sortedBy('recency_days');
  const shopFrequency = sortedBy('frequency');
  const shopMonetary = sortedBy('monetary');
  const typical = centroids.map((c) =>
    Object.fromEntries(features.map((f, j) => [f.name, unscale(f, c[j] as number)])),
  );
  const standing: Rfm[] = typical.map((t) => ({
    recency: Math.max(
      1 - shopPercentile(shopRecency, t.recency_days as number),
      Math.min(1, Math.max(0, 1 - (t.recency_days as number) / LONG_AGO_DAYS)),
    ),
    frequency: shopPercentile(shopFrequency, t.frequency as number),
    monetary: shopPercentile(shopMonetary, t.monetary as number),
  }));
  const scores: Rfm[] = standing.map((s) => ({
    recency: score(s.recency),
    frequency: score(s.frequency),
    monetary: score(s.monetary),
  }));
  const matches = options.previous ? matchPrevious(typical, options.previous, features) : centroids.map(() => -1);
  const labels = nameClusters(
    scores,
    standing,
    matches.map((p) => (p === -1 ? null : ((options.previous as SegmentModel).segments[p] as Segment).name)),
    typical.map((t) => t.tenure_days ?? Number.NaN),
  );

  const order = centroids
    .map((_, c) => c)
    .sort(
      (a, b) =>
        displayOrder((labels[a] as { name: string }).name) - displayOrder((labels[b] as { name: string }).name) ||
        a - b,
    );
  const segments: Segment[] = order.map((c) => ({
    ...(labels[c] as { name: string; description: string; keptName: boolean }),
    centroid: centroids[c] as number[],
    typical: typical[c] as Record<string, number>,
    standing: standing[c] as Rfm,
    scores: scores[c] as Rfm,
    size: 0,
    averageSpend: 0,
    averageChurn: null,
    averageValue: null,
  }));

  const monetaryColumn = column('monetary');
  const gapColumn = column('gap_mean_days');
  const gaps = gapColumn === -1 ? new Float64Array(0) : sortedBy('gap_mean_days').filter((g) => g > 0);
  const lapse: LapseRule = {
    p75GapDays: gaps.length > 0 ? quantileSorted(gaps, 0.75) : null,
    highRisk: options.highRisk ?? null,
    medianSpend: quantileSorted(shopMonetary, 0.5),
    recencyColumn: column('recency_days'),
    monetaryColumn,
    gapColumn,
    moved: [],
  };

  // Assign with the final, ordered centroids and the lapsing rule, exactly as assignSegment will.
  const flat = flatten(
    segments.map((s) => s.centroid),
    d,
  );
  const members: number[][] = segments.map(() => []);
  const moved = new Map<string, number[]>();
  const assignments: string[] = rows.map(() => NOT_BOUGHT_YET);
  const { churn, value } = input;
  buyers.forEach((row, b) => {
    if (segments.length === 0) return;
    const c = nearest(z[b] as Float64Array, flat, segments.length, d);
    const cluster = (segments[c] as Segment).name;
    const named = lapsedName(lapse, buyerColumn, rows[row] as ArrayLike<number>, churn?.[row] ?? null, cluster);
    // Lapsing in a cluster of the same name ("Lost" near "Lost") is no move.
    const lapsed = named === cluster ? null : named;
    if (lapsed === null) (members[c] as number[]).push(row);
    else {
      const list = moved.get(lapsed) ?? [];
      list.push(row);
      moved.set(lapsed, list);
    }
    assignments[row] = lapsed ?? cluster;
  });
  const tally = (rowsIn: readonly number[]): Omit<SegmentTally, 'name'> => ({
    size: rowsIn.length,
    averageSpend: mean(rowsIn.map((i) => (rows[i] as ArrayLike<number>)[monetaryColumn] as number)) ?? 0,
    averageChurn: churn ? mean(rowsIn.map((i) => churn[i])) : null,
    averageValue: value ? mean(rowsIn.map((i) => value[i])) : null,
  });
  segments.forEach((s, c) => {
    Object.assign(s, tally(members[c] as number[]));
  });
  lapse.moved = [...moved]
    .sort(([a], [b]) => displayOrder(a) - displayOrder(b))
    .map(([name, rowsIn]) => ({ name, ...tally(rowsIn) }));

  const model: SegmentModel = {
    version: 1,
    names: [...names],
    features,
    buyerColumn,
    segments,
    lapse,
    k: segments.length,
    silhouette,
    seed: options.seed,
    buyers: nb,
    notBought: rows.length - nb,
  };
  return { model, assignments };
}

/**
 * The names the model can give, with their descriptions, in display order, "Not bought yet" last: its clusters'
 * (clusters sharing a name are one segment) and, with the lapsing rule, "At risk" and "Lost".
 */
export function segmentNames(model: Pick<SegmentModel, 'segments' | 'lapse'>): { name: string; description: string }[] {
  const named = new Map<string, string>();
  for (const s of model.segments) if (!named.has(s.name)) named.set(s.name, s.description);
  if (model.lapse && model.segments.length > 0)
    for (const name of ['At risk', 'Lost']) if (!named.has(name)) named.set(name, descriptionOf(name));
  return [
    ...[...named]
      .map(([name, description]) => ({ name, description }))
      .sort((a, b) => displayOrder(a.name) - displayOrder(b.name)),
    { name: NOT_BOUGHT_YET, description: NOT_BOUGHT_DESCRIPTION },
  ];
}
