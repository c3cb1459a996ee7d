/**
 * Histogram gradient-boosted trees: the learner behind churn (logistic) and
 * lifetime value (Poisson / squared error). Training lives here; the parts are
 * separate modules, as in scikit-learn's HistGradientBoosting: binning.ts
 * (quantile bins), grower.ts (one tree, best-first), loss.ts (objectives,
 * gradients), predictor.ts (the model, prediction and importance), params.ts.
 *
 * Why histograms: ml-random-forest sorts rows at every node and trains in time
 * quadratic in the row count. Here every feature is cut once into at most 255
 * quantile bins, so a node's split search reads a gradient/hessian histogram
 * instead of sorted rows, and a tree costs O(rows × features × depth).
 *
 * The model is plain JSON (numbers and arrays only) so the registry can store
 * it as text, and training is deterministic: the only randomness is a seeded
 * mulberry32, and every sum runs in a fixed order, so one seed gives a
 * bit-identical model.
 */
import { mulberry32 } from '../random';
import { type BinnedFeatures, binFeatures, type Row } from './binning';
import { binnedOutput, type Grower, growTree, rowMajor } from './grower';
import { baseScoreOf, checkLabels, gradients, meanLoss, type Objective } from './loss';
import { checkParams, DEFAULTS, type TreeParams } from './params';
import { type BoostedModel, type BoostedTree, treeOutput } from './predictor';

export interface TrainOptions extends Partial<TreeParams> {
  /** Raw rows, or the same rows binned once by `binFeatures` (churn and LTV share a feature matrix). */
  rows: readonly Row[] | BinnedFeatures;
  labels: ArrayLike<number>;
  objective: Objective;
  featureNames?: readonly string[];
  /** For `regression`: clamp predictions at 0. */
  nonNegative?: boolean;
  /** Held-out rows: training stops after `earlyStoppingRounds` trees without improving its loss, keeping the best. */
  validation?: { rows: readonly Row[]; labels: ArrayLike<number> };
}

export function trainBoosted(options: TrainOptions): BoostedModel {
  const p: TreeParams = { ...DEFAULTS };
  for (const key of Object.keys(DEFAULTS) as (keyof TreeParams)[]) {
    const v = options[key];
    if (v !== undefined) p[key] = v;
  }
  checkParams(p);
  const { objective, labels } = options;
  const nonNegative = objective === 'regression' && options.nonNegative === true;
  const binned = Array.isArray(options.rows)
    ? binFeatures(options.rows as readonly Row[], p.maxBins)
    : (options.rows as BinnedFeatures);
  const n = binned.rowCount;
  const width = binned.columns.length;
  checkLabels(objective, labels, n, 'training');
  const featureNames = options.featureNames ? [...options.featureNames] : binned.edges.map((_, f) => `f${f}`);
  if (featureNames.length !== width) throw new RangeError(`${featureNames.length} feature names for ${width} features`);

  const baseScore = baseScoreOf(objective, labels, n);

  const nBins = Int32Array.from(binned.edges, (e) => e.length + 2);
  const offsets = new Int32Array(width);
  for (let f = 1; f < width; f++) offsets[f] = (offsets[f - 1] as number) + (nBins[f - 1] as number);
  const gr: Grower = {
    p,
    columns: binned.columns,
    matrix: rowMajor(binned.columns, n),
    width,
    edges: binned.edges,
    offsets,
    nBins,
    histSize: (width > 0 ? (offsets[width - 1] as number) + (nBins[width - 1] as number) : 0) * 3,
    pool: [],
    grad: new Float64Array(n),
    hess: new Float64Array(n),
    order: new Uint32Array(n),
    scratch: new Uint32Array(n),
    poissonStep: objective === 'poisson',
  };
  // Constant features (one value bin) can never split; leaving them out saves their histogram work.
  const usable = Int32Array.from(binned.edges.flatMap((e, f) => (e.length > 0 ? [f] : [])));
  const perTree = Math.max(1, Math.round(usable.length * p.featureSubsample));

  const validation = options.validation;
  let validRaw: Float64Array | null = null;
  if (validation) {
    checkLabels(objective, validation.labels, validation.rows.length, 'validation');
    for (const row of validation.rows) {
      if (row.length !== width)
        throw new RangeError(`validation rows must have ${width} values, one has ${row.length}`);
    }
    validRaw = new Float64Array(validation.rows.length).fill(baseScore);
  }
  let bestLoss = Number.POSITIVE_INFINITY;
  let bestCount = 0;

  const raw = new Float64Array(n).fill(baseScore);
  const inBag = new Uint8Array(n);
  const rng = mulberry32(p.seed);
  const trees: BoostedTree[] = [];
  for (let t = 0; t < p.trees; t++) {
    const { grad, hess, order } = gr;
    gradients(objective, labels, raw, grad, hess);
    let m = 0;
    for (let i = 0; i < n; i++) {
      const take = p.subsample >= 1 || rng() < p.subsample;
      inBag[i] = take ? 1 : 0;
      if (take) order[m++] = i;
    }
    // Partial Fisher–Yates for this tree's features, then ascending so histogram order stays fixed.
    const pool = usable.slice();
    for (let i = 0; i < perTree && i < pool.length; i++) {
      const j = i + Math.floor(rng() * (pool.length - i));
      const tmp = pool[i] as number;
      pool[i] = pool[j] as number;
      pool[j] = tmp;
    }
    const active = pool.subarray(0, Math.min(perTree, pool.length)).sort();
    const tree = growTree(gr, m, active, raw);
    if (m < n) {
      for (let i = 0; i < n; i++) if (!inBag[i]) raw[i] = (raw[i] as number) + binnedOutput(tree, binned.columns, i);
    }
    const { bin: _bin, ...kept } = tree;
    trees.push(kept);

    if (validation && validRaw) {
      for (let i = 0; i < validRaw.length; i++)
        validRaw[i] = (validRaw[i] as number) + treeOutput(kept, validation.rows[i] as Row);
      const loss = meanLoss(objective, nonNegative, validRaw, validation.labels);
      if (loss < bestLoss) {
        bestLoss = loss;
        bestCount = t + 1;
      } else if (t + 1 - bestCount >= p.earlyStoppingRounds) break;
    }
  }
  if (validation) trees.length = bestCount;
  return {
    format: 'boosted-trees/1',
    objective,
    nonNegative,
    featureNames,
    binEdges: binned.edges,
    baseScore,
    trees,
    params: p,
  };
}
