import { beforeAll, describe, expect, it } from 'vitest';
import { FEATURE_NAMES } from '../../../../../main/core/ml/feature-names';
import { mulberry32 } from '../../../../../main/core/ml/learners/random';
import { meanSilhouette } from '../../../../../main/core/ml/learners/segments/clustering';
import type { SegmentModel } from '../../../../../main/core/ml/learners/segments/model';
import { NOT_BOUGHT_YET, SEGMENT_NAMES, segmentNames } from '../../../../../main/core/ml/learners/segments/naming';
import { assignSegment, fitSegments, type SegmentFit } from '../../../../../main/core/ml/learners/segments/segments';
import { AppError } from '../../../../../shared/contract/errors';

const col = (name: string) => FEATURE_NAMES.indexOf(name as (typeof FEATURE_NAMES)[number]);

interface Group {
  recency: [number, number];
  orders: [number, number];
  orderValue: [number, number];
  gap?: [number, number];
}

const between = (random: () => number, [lo, hi]: [number, number]) => lo + random() * (hi - lo);

/** One customer's feature row (FEATURE_NAMES order) with orders every `gap` days back from `recency`. */
function customer(random: () => number, g: Group, scale = 1): Float64Array {
  const f = new Float64Array(FEATURE_NAMES.length);
  const recency = between(random, g.recency) * scale;
  const orders = Math.round(between(random, g.orders));
  const orderValue = between(random, g.orderValue) * scale;
  const gap = g.gap ? between(random, g.gap) : 0;
  const ages = Array.from({ length: orders }, (_, i) => recency + i * gap);
  f[col('recency_days')] = recency;
  f[col('frequency')] = orders;
  f[col('monetary')] = orders * orderValue;
  f[col('avg_order_value')] = orderValue;
  f[col('tenure_days')] = ages[ages.length - 1] as number;
  f[col('gap_mean_days')] = orders > 1 ? gap : Number.NaN;
  f[col('purchases_30d')] = ages.filter((a) => a <= 30).length;
  f[col('purchases_90d')] = ages.filter((a) => a <= 90).length;
  f[col('purchases_365d')] = ages.filter((a) => a <= 365).length;
  f[col('engagement_90d')] = Math.floor(random() * 4);
  f[col('days_since_last_activity')] = recency;
  return f;
}

/** Someone known to the shop who never bought. */
function nonBuyer(random: () => number): Float64Array {
  const f = new Float64Array(FEATURE_NAMES.length);
  for (const name of ['recency_days', 'avg_order_value', 'tenure_days', 'gap_mean_days'] as const)
    f[col(name)] = Number.NaN;
  f[col('engagement_90d')] = Math.floor(random() * 5);
  f[col('days_since_last_activity')] = Math.floor(random() * 100);
  return f;
}

const GROUPS = {
  champions: { recency: [2, 15], orders: [8, 15], orderValue: [60, 120], gap: [10, 25] },
  newcomers: { recency: [2, 15], orders: [1, 1], orderValue: [20, 50] },
  atRisk: { recency: [250, 400], orders: [8, 15], orderValue: [60, 120], gap: [10, 25] },
  lost: { recency: [250, 400], orders: [1, 1], orderValue: [20, 50] },
} satisfies Record<string, Group>;
type GroupName = keyof typeof GROUPS;
const GROUP_NAMES = Object.keys(GROUPS) as GroupName[];

/** `perGroup` customers of each of the four groups, interleaved; `scale` stretches days and money a little. */
function fourGroups(seed: number, perGroup: number, scale = 1): { rows: Float64Array[]; group: GroupName[] } {
  const random = mulberry32(seed);
  const rows: Float64Array[] = [];
  const group: GroupName[] = [];
  for (let i = 0; i < perGroup * 4; i++) {
    const g = GROUP_NAMES[i % 4] as GroupName;
    rows.push(customer(random, GROUPS[g], scale));
    group.push(g);
  }
  return { rows, group };
}

/** The one segment name each group's customers got (fails when a group is split). */
function namesByGroup(group: readonly GroupName[], assignments: readonly string[]): Record<GroupName, string> {
  const seen = new Map<GroupName, Set<string>>();
  group.forEach((g, i) => {
    const set = seen.get(g) ?? new Set<string>();
    set.add(assignments[i] as string);
    seen.set(g, set);
  });
  return Object.fromEntries(
    GROUP_NAMES.map((g) => {
      const names = [...(seen.get(g) ?? [])];
      expect(names, `group ${g} is split over ${names.join(', ')}`).toHaveLength(1);
      return [g, names[0]];
    }),
  ) as Record<GroupName, string>;
}

const EXPECTED: Record<GroupName, string[]> = {
  champions: ['Champions'],
  newcomers: ['New'],
  // Eight or more orders every 10–25 days, silent for 250+ days: lapsing, so "At risk" whatever the cluster's name.
  atRisk: ['At risk'],
  lost: ['Lost'],
};

describe('fitSegments on four obvious groups', () => {
  const data = fourGroups(1, 300);
  let fit: SegmentFit;
  beforeAll(() => {
    fit = fitSegments({ rows: data.rows, names: FEATURE_NAMES }, { seed: 7 });
  });

  it('chooses k = 4 by silhouette and names each group in shop words', () => {
    expect(fit.model.k).toBe(4);
    expect(fit.model.silhouette.map((s) => s.k)).toEqual([4, 5, 6, 7]);
    const best = fit.model.silhouette.reduce((a, b) => (b.score > a.score ? b : a));
    expect(best.k).toBe(4);
    const names = namesByGroup(data.group, fit.assignments);
    for (const g of GROUP_NAMES) expect(EXPECTED[g]).toContain(names[g]);
  });

  it('describes each segment and keeps a typical customer in original units', () => {
    const champions = fit.model.segments.find((s) => s.name === 'Champions');
    expect(champions?.description).toBe('Bought recently and often; spend the most.');
    expect(champions?.size).toBe(300);
    expect(champions?.typical.frequency).toBeGreaterThan(8);
    expect(champions?.typical.frequency).toBeLessThan(15);
    expect(champions?.typical.recency_days).toBeLessThan(15);
    const lost = fit.model.segments.find((s) => s.name === 'Lost');
    expect(lost?.typical.frequency).toBeCloseTo(1, 6);
    expect(lost?.typical.recency_days).toBeGreaterThan(250);
    for (const s of fit.model.segments) expect(s.description.length).toBeGreaterThan(10);
    // Display order: best customers first.
    expect(fit.model.segments[0]?.name).toBe('Champions');
  });

  it('names a group split over two clusters alike, not with a name that does not fit it', () => {
    // Six clusters for four groups: two groups are split. A split half takes another name only if it fits nearly as
    // well; otherwise both halves share the name, and are one segment.
    const six = fitSegments({ rows: data.rows, names: FEATURE_NAMES }, { seed: 7, kRange: [6, 6] });
    expect(six.model.segments).toHaveLength(6);
    for (const s of six.model.segments) expect(SEGMENT_NAMES).toContain(s.name);
    const seen = new Map<GroupName, Set<string>>();
    data.group.forEach((g, i) => {
      seen.set(g, (seen.get(g) ?? new Set()).add(six.assignments[i] as string));
    });
    const nearby: Record<GroupName, string[]> = {
      champions: ['Champions', 'Loyal'],
      newcomers: ['New', 'Promising'],
      atRisk: ['At risk', 'Hibernating'],
      lost: ['Lost', 'Hibernating'],
    };
    for (const g of GROUP_NAMES) for (const name of seen.get(g) ?? []) expect(nearby[g]).toContain(name);
    // A shared name is one segment.
    const listed = segmentNames(six.model).map((r) => r.name);
    expect(new Set(listed).size).toBe(listed.length);
  });

  it('summarises churn and value per segment when predictions are passed in', () => {
    const churnOf: Record<GroupName, number> = { champions: 0.1, newcomers: 0.5, atRisk: 0.7, lost: 0.9 };
    const churn = data.group.map((g) => churnOf[g]);
    const value = data.group.map((g, i) => (g === 'champions' ? 500 : 10) + (i % 3));
    const withPredictions = fitSegments({ rows: data.rows, names: FEATURE_NAMES, churn, value }, { seed: 7 });
    const champions = withPredictions.model.segments.find((s) => s.name === 'Champions');
    expect(champions?.averageChurn).toBeCloseTo(0.1, 10);
    expect(champions?.averageValue).toBeCloseTo(501, 0);
    expect(withPredictions.model.segments.find((s) => s.name === 'Lost')?.averageChurn).toBeCloseTo(0.9, 10);
    // Predictions are summarised, not clustered on: the same customers in the same segments.
    expect(withPredictions.assignments).toEqual(fit.assignments);
  });
});

describe('determinism', () => {
  const data = fourGroups(2, 150);

  it('gives the same model and assignments for the same seed', () => {
    const a = fitSegments({ rows: data.rows, names: FEATURE_NAMES }, { seed: 11 });
    const b = fitSegments({ rows: data.rows, names: FEATURE_NAMES }, { seed: 11 });
    expect(JSON.stringify(b.model)).toBe(JSON.stringify(a.model));
    expect(b.assignments).toEqual(a.assignments);
  });

  it('records the seed and draws differently with another one, yet finds the same groups', () => {
    const a = fitSegments({ rows: data.rows, names: FEATURE_NAMES }, { seed: 11 });
    const b = fitSegments({ rows: data.rows, names: FEATURE_NAMES }, { seed: 12 });
    expect(a.model.seed).toBe(11);
    expect(b.model.seed).toBe(12);
    expect(namesByGroup(data.group, b.assignments)).toEqual(namesByGroup(data.group, a.assignments));
  });
});

describe('names stay stable across retrains', () => {
  const first = fourGroups(3, 200);
  let fit1: SegmentFit;
  let names1: Record<GroupName, string>;
  beforeAll(() => {
    fit1 = fitSegments({ rows: first.rows, names: FEATURE_NAMES }, { seed: 1 });
    names1 = namesByGroup(first.group, fit1.assignments);
  });

  it('keeps every name when the same data is fitted again', () => {
    const fit2 = fitSegments({ rows: first.rows, names: FEATURE_NAMES }, { seed: 2, previous: fit1.model });
    expect(namesByGroup(first.group, fit2.assignments)).toEqual(names1);
    expect(fit2.model.segments.every((s) => s.keptName)).toBe(true);
  });

  it('keeps every name on slightly different data (new customers, days and money 5% higher)', () => {
    const second = fourGroups(4, 220, 1.05);
    const fit2 = fitSegments({ rows: second.rows, names: FEATURE_NAMES }, { seed: 5, previous: fit1.model });
    expect(namesByGroup(second.group, fit2.assignments)).toEqual(names1);
    expect(fit2.model.segments.every((s) => s.keptName)).toBe(true);
  });

  it('takes names from the previous model, not from the rules, when clusters match', () => {
    // A previous model whose owner saw the best customers as "New" and the newcomers as "Champions" (neither group
    // is lapsing, so the lapsing rule leaves both names alone): the retrain must carry those names over, which the
    // naming rules alone would never give.
    const swapped = JSON.parse(JSON.stringify(fit1.model)) as SegmentModel;
    for (const s of swapped.segments)
      if (s.name === 'Champions') s.name = 'New';
      else if (s.name === 'New') s.name = 'Champions';
    const fit2 = fitSegments({ rows: first.rows, names: FEATURE_NAMES }, { seed: 9, previous: swapped });
    const names2 = namesByGroup(first.group, fit2.assignments);
    expect(names2.champions).toBe('New');
    expect(names2.newcomers).toBe('Champions');
    expect(names2.lost).toBe(names1.lost);
    // A lapsing customer never keeps a name that says they buy now, even one carried over: a previous "Champions"
    // matched by the lost customers' cluster names the cluster, and the rule still calls them "Lost".
    const lostAsChampions = JSON.parse(JSON.stringify(fit1.model)) as SegmentModel;
    for (const s of lostAsChampions.segments)
      if (s.name === 'Champions') s.name = 'Lost';
      else if (s.name === 'Lost') s.name = 'Champions';
    const fit3 = fitSegments({ rows: first.rows, names: FEATURE_NAMES }, { seed: 9, previous: lostAsChampions });
    const lostCluster = fit3.model.segments.find((s) => (s.typical.recency_days as number) > 250 && s.size === 0);
    expect(lostCluster?.name).toBe('Champions');
    expect(namesByGroup(first.group, fit3.assignments).lost).toBe('Lost');
  });

  it('names a cluster afresh when no previous segment is close', () => {
    const far = JSON.parse(JSON.stringify(fit1.model)) as SegmentModel;
    for (const s of far.segments) {
      s.centroid = s.centroid.map((v) => v + 10);
      s.name = `Old ${s.name}`;
    }
    const fit2 = fitSegments({ rows: first.rows, names: FEATURE_NAMES }, { seed: 2, previous: far });
    expect(fit2.model.segments.some((s) => s.keptName)).toBe(false);
    expect(namesByGroup(first.group, fit2.assignments)).toEqual(names1);
  });
});

describe('small shops and non-buyers', () => {
  it('gives each of 60 customers a segment', () => {
    const random = mulberry32(60);
    const rows = Array.from({ length: 60 }, () =>
      customer(random, { recency: [1, 500], orders: [1, 12], orderValue: [10, 200], gap: [5, 60] }),
    );
    const fit = fitSegments({ rows, names: FEATURE_NAMES }, { seed: 3 });
    expect(fit.assignments).toHaveLength(60);
    const listed = new Set(segmentNames(fit.model).map((s) => s.name));
    for (const name of fit.assignments) {
      expect(name).not.toBe(NOT_BOUGHT_YET);
      expect(listed).toContain(name);
    }
    expect(fit.model.k).toBeGreaterThanOrEqual(4);
    expect(fit.model.k).toBeLessThanOrEqual(7);
    // Clusters count who kept their name, the rule's tally who it named apart: 60 in all.
    const moved = fit.model.lapse?.moved ?? [];
    expect(fit.model.segments.reduce((sum, s) => sum + s.size, 0) + moved.reduce((sum, s) => sum + s.size, 0)).toBe(60);
  });

  it('names no cluster of a young shop "Lost", "Hibernating" or "At risk" when everyone bought in the last few weeks', () => {
    // Ten weeks of history: the least recent customers still bought within 20 days, some once, some weekly.
    const random = mulberry32(70);
    const rows = Array.from({ length: 80 }, (_, i) =>
      customer(
        random,
        i % 2 === 0
          ? { recency: [1, 20], orders: [4, 9], orderValue: [20, 60], gap: [6, 8] }
          : { recency: [1, 20], orders: [1, 2], orderValue: [10, 30], gap: [10, 20] },
      ),
    );
    const fit = fitSegments({ rows, names: FEATURE_NAMES }, { seed: 1 });
    const clusters = new Set(fit.model.segments.map((s) => s.name));
    for (const stale of ['Lost', 'Hibernating', 'At risk']) expect(clusters).not.toContain(stale);
    // Only the lapsing rule names anyone "At risk" or "Lost": a weekly customer silent for more than two weeks and
    // longer than the shop's 75th-percentile gap, or someone who bought once longer ago than twice that gap.
    const p75 = fit.model.lapse?.p75GapDays as number;
    expect(p75).toBeGreaterThan(6);
    rows.forEach((row, i) => {
      const name = fit.assignments[i] as string;
      expect(name).not.toBe('Hibernating');
      if (name !== 'At risk' && name !== 'Lost') return;
      const gap = row[col('gap_mean_days')] as number;
      const recency = row[col('recency_days')] as number;
      expect(recency).toBeGreaterThan(p75);
      expect(recency).toBeGreaterThan(2 * (gap > 0 ? gap : p75));
    });
  });

  it('puts customers who never bought in "Not bought yet", unclustered', () => {
    const data = fourGroups(5, 100);
    const random = mulberry32(6);
    const nobody = Array.from({ length: 30 }, () => nonBuyer(random));
    const noFrequency = nonBuyer(random);
    noFrequency[col('frequency')] = Number.NaN;
    const rows = [...data.rows, ...nobody, noFrequency];
    const fit = fitSegments({ rows, names: FEATURE_NAMES }, { seed: 4 });
    expect(fit.assignments.slice(data.rows.length)).toEqual(Array(31).fill(NOT_BOUGHT_YET));
    expect(fit.assignments.slice(0, data.rows.length)).not.toContain(NOT_BOUGHT_YET);
    expect(fit.model.notBought).toBe(31);
    expect(fit.model.buyers).toBe(400);
    expect(fit.model.segments.map((s) => s.name)).not.toContain(NOT_BOUGHT_YET);
    expect(assignSegment(fit.model, nobody[0] as Float64Array)).toBe(NOT_BOUGHT_YET);
    // The same clusters as without them: non-buyers do not shape the scaling either.
    const without = fitSegments({ rows: data.rows, names: FEATURE_NAMES }, { seed: 4 });
    expect(fit.assignments.slice(0, data.rows.length)).toEqual(without.assignments);
  });

  it('handles a shop where nobody has bought, and one with a handful of buyers', () => {
    const random = mulberry32(8);
    const none = fitSegments({ rows: [nonBuyer(random), nonBuyer(random)], names: FEATURE_NAMES }, { seed: 1 });
    expect(none.assignments).toEqual([NOT_BOUGHT_YET, NOT_BOUGHT_YET]);
    expect(none.model.segments).toEqual([]);
    const few = Array.from({ length: 7 }, () =>
      customer(random, { recency: [1, 300], orders: [1, 5], orderValue: [10, 50], gap: [5, 30] }),
    );
    const fit = fitSegments({ rows: few, names: FEATURE_NAMES }, { seed: 1 });
    expect(fit.model.k).toBe(1);
    const cluster = fit.model.segments[0]?.name;
    expect(SEGMENT_NAMES).toContain(cluster);
    // One cluster: everyone who is not lapsing is in it, the rest "At risk" or "Lost".
    for (const name of fit.assignments) expect([cluster, 'At risk', 'Lost']).toContain(name);
  });
});

describe('silhouette', () => {
  it('matches hand-computed values', () => {
    const points = [[0], [1], [10], [11]];
    expect(meanSilhouette(points, [0, 0, 1, 1])).toBeCloseTo((9.5 / 10.5 + 8.5 / 9.5) / 2, 12);
    // A point alone in its cluster scores 0.
    expect(meanSilhouette([[0], [1], [5]], [0, 0, 1])).toBeCloseTo((0.8 + 0.75) / 3, 12);
    expect(meanSilhouette(points, [0, 0, 0, 0])).toBe(-1);
  });

  const RFM = ['recency_days', 'frequency', 'monetary'];
  /** Tight blobs around (days since last order, orders, spend). */
  function blobs(seed: number, centres: [number, number, number][], per: number): Float64Array[] {
    const random = mulberry32(seed);
    const jitter = () => 0.9 + random() * 0.2;
    return Array.from({ length: centres.length * per }, (_, i) => {
      const [r, f, m] = centres[i % centres.length] as [number, number, number];
      return Float64Array.of(r * jitter(), Math.max(1, Math.round(f * jitter())), m * jitter());
    });
  }
  const CENTRES: [number, number, number][] = [
    [3, 20, 3000],
    [300, 1, 20],
    [40, 5, 300],
    [300, 20, 3000],
    [3, 1, 20],
  ];

  it.each([3, 5])('chooses k = %i when there are that many well-separated groups', (groups) => {
    const rows = blobs(groups, CENTRES.slice(0, groups), 120);
    const fit = fitSegments({ rows, names: RFM }, { seed: 1, kRange: [2, 7] });
    expect(fit.model.k).toBe(groups);
    expect(fit.model.silhouette.map((s) => s.k)).toEqual([2, 3, 4, 5, 6, 7]);
  });
});

describe('the model as JSON', () => {
  it('scores every row exactly as fitted after a JSON round trip', () => {
    const data = fourGroups(7, 150);
    const random = mulberry32(70);
    const rows = [...data.rows, nonBuyer(random)];
    // Rows with gaps: missing values take the shop's average.
    (rows[0] as Float64Array)[col('gap_mean_days')] = Number.NaN;
    (rows[1] as Float64Array)[col('avg_order_value')] = Number.NaN;
    const fit = fitSegments({ rows, names: FEATURE_NAMES }, { seed: 21 });
    const restored = JSON.parse(JSON.stringify(fit.model)) as SegmentModel;
    expect(restored).toEqual(fit.model);
    expect(rows.map((r) => assignSegment(restored, r))).toEqual(fit.assignments);
    const fresh = fourGroups(8, 50).rows;
    expect(fresh.map((r) => assignSegment(restored, r))).toEqual(fresh.map((r) => assignSegment(fit.model, r)));
  });
});

describe('segmentNames', () => {
  it('lists the segments in display order, a shared name once, "Not bought yet" last', () => {
    const fit = fitSegments({ rows: fourGroups(9, 100).rows, names: FEATURE_NAMES }, { seed: 2 });
    const names = segmentNames(fit.model).map((s) => s.name);
    expect(names).toEqual([...new Set(fit.model.segments.map((s) => s.name)), NOT_BOUGHT_YET]);
    expect(segmentNames(fit.model).find((s) => s.name === 'Champions')?.description).toBe(
      'Bought recently and often; spend the most.',
    );
  });
});

describe('validation', () => {
  const rows = fourGroups(10, 20).rows;
  it.each([
    [{ names: FEATURE_NAMES.filter((n) => n !== 'monetary'), rows: rows.map((r) => r.slice(1)) }, {}],
    [{ names: FEATURE_NAMES, rows }, { kRange: [1, 9] as [number, number] }],
    [{ names: FEATURE_NAMES, rows }, { kRange: [5, 4] as [number, number] }],
    [{ names: FEATURE_NAMES, rows, churn: [0.5] }, {}],
    [{ names: FEATURE_NAMES.slice(1), rows }, {}],
  ])('rejects bad input with a validation error (%#)', (input, options) => {
    try {
      fitSegments(input, { seed: 1, ...options });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).kind).toBe('validation');
    }
  });
});

describe('scale', () => {
  it('fits 20k customers', () => {
    const data = fourGroups(11, 5000);
    const fit = fitSegments({ rows: data.rows, names: FEATURE_NAMES }, { seed: 3 });
    expect(fit.assignments).toHaveLength(20_000);
    expect(fit.model.k).toBe(4);
    const names = namesByGroup(data.group, fit.assignments);
    for (const g of GROUP_NAMES) expect(EXPECTED[g]).toContain(names[g]);
  });
});
