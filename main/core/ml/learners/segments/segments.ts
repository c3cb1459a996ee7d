/**
 * Customer segments: k-means (ml-kmeans, kmeans++ seeded) on scaled RFM and behaviour features, k chosen in a small
 * range by mean silhouette on a seeded sample, each cluster named in shop words from its centroid, and names carried
 * over from the previous model when a cluster has barely moved, so "Champions" stays "Champions" across retrains.
 *
 * Pure and deterministic: no database, no clock, randomness only from the seed. The model is plain JSON (scaling,
 * centroids, names, descriptions), so it can be stored with the model registry and score new rows later with
 * `assignSegment`, giving exactly the assignments `fitSegments` returned for the same rows.
 *
 *
 * Predictions (churn, predicted value) are summarised per segment but not clustered on: a segment then means the same
 * thing whether or not the models could be trained.
 *
 * Scaling is scaling.ts; naming naming.ts; the lapsing rule (a buyer long silent, or at High risk, is "At risk" or
 * "Lost" whatever their cluster) lapse.ts; the model's shape model.ts.
 */
import { kmeans } from 'ml-kmeans';
import { AppError } from '../../../../../shared/contract/errors';
import { mulberry32 } from '../random';
import { quantileSorted, sortedFinite } from '../sorted';
import { countDistinct, flatten, inertia, meanSilhouettes, nearest, sampleIndices } from './clustering';
import { lapsedName } from './lapse';
import type { LapseRule, Rfm, Segment, SegmentModel, SegmentTally } from './model';
import { displayOrder, matchPrevious, NAME_RULES, NOT_BOUGHT_YET, nameClusters, score, shopPercentile } from './naming';
import { fitScaling, scaleRow, unscale } from './scaling';

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
/**
 * Recency also counts in days, not only against the rest of the shop: a last purchase this many days ago or more is
 * "long ago" however the shop's other customers stand; one today is "recent". The recency standing used for naming
 * is the better of the two, so a young shop (everyone bought in the last few weeks) has nobody "Lost" or "At risk"
 * merely for being its least recent customers, while an established shop's ranking is unchanged.
 */
const LONG_AGO_DAYS = 120;

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
  /** The shop's High risk line (retrain/risk-bands.ts): buyers with churn (input.churn) this high or more are lapsing. */
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
