import { describe, expect, it } from 'vitest';
import { auc, meanAbsoluteError } from '../../../../../main/core/ml/learners/metrics';
import { binFeatures } from '../../../../../main/core/ml/learners/trees/binning';
import { trainBoosted } from '../../../../../main/core/ml/learners/trees/boosting';
import {
  type BoostedModel,
  featureImportance,
  predict,
  predictMany,
} from '../../../../../main/core/ml/learners/trees/predictor';
import { seededRandom } from '../../../../support/population';

interface Data {
  rows: number[][];
  labels: number[];
}

/** `width` uniform features in [-1, 1) per row; `label` decides the target from the row. */
function dataset(seed: number, n: number, width: number, label: (row: number[], random: () => number) => number): Data {
  const random = seededRandom(seed);
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = Array.from({ length: width }, () => random() * 2 - 1);
    rows.push(row);
    labels.push(label(row, random));
  }
  return { rows, labels };
}

const x = (row: number[], f: number): number => row[f] as number;
const xor = (row: number[]): number => (x(row, 0) > 0 !== x(row, 1) > 0 ? 1 : 0);

function splitFeatures(model: BoostedModel): Set<number> {
  return new Set(model.trees.flatMap((t) => t.feature.filter((f) => f >= 0)));
}

describe('binFeatures', () => {
  it('cuts quantile bins, keeps NaN in bin 0 and allows constant features', () => {
    const random = seededRandom(1);
    const rows = Array.from({ length: 6400 }, (_, i) => [random(), i % 3, 7, i % 10 === 0 ? Number.NaN : random()]);
    const { edges, columns, rowCount } = binFeatures(rows, 16);
    expect(rowCount).toBe(6400);
    expect(edges[0]).toHaveLength(15);
    // Quantile bins hold about the same number of rows.
    const counts = new Array<number>(17).fill(0);
    for (const b of columns[0] as Uint8Array) counts[b] = (counts[b] as number) + 1;
    expect(counts[0]).toBe(0);
    for (const c of counts.slice(1)) expect(c).toBeGreaterThan(300);
    // Few distinct values get one bin each, cut halfway between them.
    expect(edges[1]).toEqual([0.5, 1.5]);
    expect(edges[2]).toEqual([]);
    expect(new Set(columns[2])).toEqual(new Set([1]));
    for (let r = 0; r < 6400; r++) expect((columns[3] as Uint8Array)[r] === 0).toBe(r % 10 === 0);
    for (const e of edges) for (let i = 1; i < e.length; i++) expect(e[i]).toBeGreaterThan(e[i - 1] as number);
  });

  it('puts infinities in the end bins and rejects ragged rows', () => {
    const { columns } = binFeatures([[1], [2], [3], [Number.POSITIVE_INFINITY], [Number.NEGATIVE_INFINITY]]);
    expect([...(columns[0] as Uint8Array)]).toEqual([1, 2, 3, 3, 1]);
    expect(() => binFeatures([[1, 2], [3]])).toThrow(RangeError);
    expect(() => binFeatures([[1]], 256)).toThrow(RangeError);
  });
});

describe('trainBoosted (logistic)', () => {
  it('separates linearly separable classes', () => {
    const rule = (row: number[]) => (x(row, 0) + 0.5 * x(row, 1) > 0.1 ? 1 : 0);
    const train = dataset(2, 3000, 3, rule);
    const test = dataset(3, 2000, 3, rule);
    const model = trainBoosted({ rows: train.rows, labels: train.labels, objective: 'logistic', trees: 60 });
    const p = predictMany(model, test.rows);
    expect(auc(p, test.labels)).toBeGreaterThan(0.995);
    for (const v of p) {
      expect(v).toBeGreaterThan(0);
      expect(v).toBeLessThan(1);
    }
  });

  it('learns XOR, which additive stumps cannot', () => {
    const train = dataset(4, 4000, 4, xor);
    const test = dataset(5, 2000, 4, xor);
    const model = trainBoosted({ rows: train.rows, labels: train.labels, objective: 'logistic', trees: 60 });
    expect(auc(predictMany(model, test.rows), test.labels)).toBeGreaterThan(0.95);
    const stumps = trainBoosted({
      rows: train.rows,
      labels: train.labels,
      objective: 'logistic',
      trees: 60,
      maxDepth: 1,
    });
    expect(auc(predictMany(stumps, test.rows), test.labels)).toBeLessThan(0.65);
  });

  it('uses NaN as information and predicts on NaN where training had none', () => {
    // Missing f0 means a positive; otherwise f0 > 0.5 does.
    const label = (row: number[], random: () => number) =>
      Number.isNaN(x(row, 0)) || x(row, 0) > 0.5 ? 1 : random() < 0.05 ? 1 : 0;
    const make = (seed: number) => {
      const random = seededRandom(seed);
      const data = dataset(seed, 3000, 3, () => 0);
      for (const row of data.rows) if (random() < 0.3) row[0] = Number.NaN;
      data.labels = data.rows.map((row) => label(row, random));
      return data;
    };
    const train = make(6);
    const test = make(7);
    const model = trainBoosted({ rows: train.rows, labels: train.labels, objective: 'logistic', trees: 40 });
    expect(auc(predictMany(model, test.rows), test.labels)).toBeGreaterThan(0.95);
    expect(predict(model, [Number.NaN, 0, 0])).toBeGreaterThan(0.8);
    expect(predict(model, [0, 0, 0])).toBeLessThan(0.2);
    const unseen = predict(model, [0.9, Number.NaN, Number.NaN]);
    expect(unseen).toBeGreaterThan(0.8);
  });

  it('ignores a constant feature and ranks the informative one first', () => {
    const data = dataset(8, 3000, 4, (row, random) => (random() < (x(row, 2) > 0 ? 0.85 : 0.15) ? 1 : 0));
    for (const row of data.rows) row[1] = 42;
    const model = trainBoosted({
      rows: data.rows,
      labels: data.labels,
      objective: 'logistic',
      trees: 30,
      featureNames: ['noise_a', 'constant', 'signal', 'noise_b'],
    });
    expect(splitFeatures(model).has(1)).toBe(false);
    const importance = featureImportance(model);
    expect(importance[1]).toBe(0);
    expect(importance.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    const ranked = model.featureNames
      .map((name, f) => ({ name, v: importance[f] as number }))
      .sort((a, b) => b.v - a.v);
    expect(ranked[0]?.name).toBe('signal');
    expect(ranked[0]?.v).toBeGreaterThan(0.5);
  });

  it('stops early on a validation set when more trees stop helping', () => {
    const noise = (_: number[], random: () => number) => (random() < 0.5 ? 1 : 0);
    const train = dataset(9, 2000, 5, noise);
    const valid = dataset(10, 1000, 5, noise);
    const model = trainBoosted({
      rows: train.rows,
      labels: train.labels,
      objective: 'logistic',
      trees: 200,
      validation: valid,
      earlyStoppingRounds: 5,
    });
    expect(model.trees.length).toBeLessThan(20);
  });

  it('rejects labels that do not fit the objective', () => {
    expect(() => trainBoosted({ rows: [[1], [2]], labels: [0, 2], objective: 'logistic' })).toThrow(/0 or 1/);
    expect(() => trainBoosted({ rows: [[1], [2]], labels: [0], objective: 'logistic' })).toThrow(RangeError);
    expect(() => trainBoosted({ rows: [[1], [2]], labels: [1, -1], objective: 'poisson' })).toThrow(/non-negative/);
    expect(() => trainBoosted({ rows: [[1], [2]], labels: [0, 1], objective: 'logistic', subsample: 0 })).toThrow(
      /subsample/,
    );
  });
});

describe('trainBoosted (regression)', () => {
  // Skewed, zero-heavy "spend": a quarter of rows spend nothing, the rest grow with f0 and f1².
  const spend = (row: number[], random: () => number) =>
    x(row, 0) < -0.5 ? 0 : Math.exp(1 + x(row, 0) + x(row, 1) ** 2) * (0.5 + random());
  const train = dataset(11, 4000, 4, spend);
  const test = dataset(12, 2000, 4, spend);
  const mean = train.labels.reduce((a, b) => a + b, 0) / train.labels.length;
  const baseline = meanAbsoluteError(
    test.labels.map(() => mean),
    test.labels,
  );

  it.each([
    ['poisson', { objective: 'poisson' as const }],
    ['squared error clamped at 0', { objective: 'regression' as const, nonNegative: true }],
  ])('%s: well below predicting the mean, never negative', (_, objective) => {
    const model = trainBoosted({ rows: train.rows, labels: train.labels, trees: 80, ...objective });
    const p = predictMany(model, test.rows);
    expect(meanAbsoluteError(p, test.labels)).toBeLessThan(0.5 * baseline);
    expect(Math.min(...p)).toBeGreaterThanOrEqual(0);
  });

  it('squared error without the clamp does go negative on this target', () => {
    const model = trainBoosted({ rows: train.rows, labels: train.labels, objective: 'regression', trees: 80 });
    expect(Math.min(...predictMany(model, test.rows))).toBeLessThan(0);
  });
});

describe('determinism and serialisation', () => {
  const data = dataset(13, 3000, 6, (row, random) => (random() < (xor(row) ? 0.8 : 0.2) ? 1 : 0));
  const options = {
    rows: data.rows,
    labels: data.labels,
    objective: 'logistic' as const,
    trees: 30,
    subsample: 0.7,
    featureSubsample: 0.6,
  };

  it('gives a bit-identical model and predictions for one seed, another model for another seed', () => {
    const a = trainBoosted({ ...options, seed: 7 });
    const b = trainBoosted({ ...options, seed: 7 });
    const c = trainBoosted({ ...options, seed: 8 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(predictMany(a, data.rows)).toEqual(predictMany(b, data.rows));
    expect(JSON.stringify(c)).not.toBe(JSON.stringify(a));
  });

  it('predicts the same after a JSON round trip and from pre-binned rows', () => {
    const model = trainBoosted({ ...options, seed: 3 });
    const restored = JSON.parse(JSON.stringify(model)) as BoostedModel;
    expect(predictMany(restored, data.rows)).toEqual(predictMany(model, data.rows));
    const fromBins = trainBoosted({ ...options, seed: 3, rows: binFeatures(data.rows) });
    expect(JSON.stringify(fromBins)).toBe(JSON.stringify(model));
  });
});

describe('scale', () => {
  it('trains 50k rows × 20 features × 50 trees to a useful model (nothing is timed)', () => {
    const random = seededRandom(14);
    const n = 50_000;
    const rows: Float64Array[] = [];
    const labels: number[] = [];
    for (let i = 0; i < n; i++) {
      const row = new Float64Array(20);
      for (let f = 0; f < 20; f++) row[f] = random();
      rows.push(row);
      const z = 4 * ((row[0] as number) - 0.5) - 3 * ((row[1] as number) - 0.5) * ((row[2] as number) - 0.5) * 4;
      labels.push(random() < 1 / (1 + Math.exp(-z)) ? 1 : 0);
    }
    const model = trainBoosted({ rows, labels, objective: 'logistic', trees: 50 });
    expect(model.trees).toHaveLength(50);
    expect(auc(predictMany(model, rows.slice(0, 5000)), labels.slice(0, 5000))).toBeGreaterThan(0.75);
  });
});
