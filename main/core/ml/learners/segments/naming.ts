/**
 * Names for clusters, in shop words, from where a cluster's typical customer stands in the shop on recency, frequency
 * and spend; names carried over from the previous model when a cluster has barely moved, so "Champions" stays
 * "Champions" across retrains.
 */

import { lowerBound, upperBound } from '../sorted';
import type { Rfm, SegmentFeature, SegmentModel } from './model';
import { rescale } from './scaling';

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
export const NAME_RULES: readonly NameRule[] = [
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

/** Shop percentiles at or below the first count as 0 when naming, at or above the second as 1. */
const SCORE_FLOOR = 0.2;
const SCORE_CEILING = 0.8;
/** A cluster takes a name other than its best only when it fits within this much of the best (fits run 0 … 1). */
const NAME_MARGIN = 0.2;
/** Weight of the exact standing in a name's fit: enough to break ties, too little to change a clear choice. */
const TIE_BREAK = 0.01;
/** With a single previous segment there is no neighbour to measure "close" against: this many standard deviations. */
const LONE_MATCH_RADIUS = 1;

/**
 * Where v sits among the shop's (sorted) values, 0 … 1: ties count half, and between two of the shop's values the
 * position is interpolated, so a cluster of mostly one-time buyers with a few second orders does not jump from the
 * bottom to the middle.
 */
export function shopPercentile(sorted: Float64Array, v: number): number {
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

export const score = (standing: number) =>
  Math.min(1, Math.max(0, (standing - SCORE_FLOOR) / (SCORE_CEILING - SCORE_FLOOR)));

/** How well a segment's scores fit a name, 0 … 1 (1 − weighted mean distance to the name's typical position). */
function nameFit(rule: NameRule, s: Rfm): number {
  const [wr, wf, wm] = rule.weight;
  const [r, f, m] = rule.at;
  const distance = wr * Math.abs(s.recency - r) + wf * Math.abs(s.frequency - f) + wm * Math.abs(s.monetary - m);
  return 1 - distance / (wr + wf + wm);
}

/**
 * Previous segment whose name each new cluster keeps, or −1. Both sets of centroids are compared in the previous
 * model's scaled space (the new ones through original units), on the features both models cluster on; pairs are
 * taken closest first, one to one, and kept only when the new centroid lies nearer to the old one than halfway to
 * that old one's nearest neighbour: then it is recognisably the same group of customers.
 */
export function matchPrevious(
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
export function nameClusters(
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

export const displayOrder = (name: string) => {
  const i = SEGMENT_NAMES.indexOf(name);
  return i === -1 ? SEGMENT_NAMES.length : i;
};

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
