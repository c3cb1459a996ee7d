/**
 * Histogram gradient-boosted trees: the learner behind churn (logistic) and
 * lifetime value (Poisson / squared error). Owns feature binning, training,
 * prediction on raw values and gain importance.
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

export type Row = ArrayLike<number>;

/**
 * - `logistic`: binary 0/1 labels, predictions are probabilities.
 * - `poisson`: non-negative targets, log link; the choice for lifetime value.
 *   Spend is zero-heavy, skewed and multiplicative (frequency × basket): a
 *   leaf's step is a (capped) ratio of observed to predicted spend, so a whale
 *   scales its neighbours' predictions instead of adding to them, and no
 *   prediction can go below zero. On a
 *   simulated shop (74% zero next-period spend, log-normal baskets) it beat
 *   squared error with clamping on test MAE by 2–7%, and overfitted less as
 *   trees were added.
 * - `regression`: squared error on the target as is; `nonNegative` clamps
 *   predictions at 0.
 */
export type Objective = 'logistic' | 'regression' | 'poisson';

export interface BinnedFeatures {
  /**
   * Ascending upper bounds per feature. Bin 0 holds NaN; value bin b ≥ 1
   * holds edges[b-2] < v ≤ edges[b-1], so a split "bin ≤ t" is exactly
   * "value ≤ edges[t-1]" and trees can be applied to raw values.
   */
  edges: number[][];
  columns: Uint8Array[];
  rowCount: number;
}

export interface TreeParams {
  trees: number;
  learningRate: number;
  maxLeaves: number;
  maxDepth: number;
  minSamplesLeaf: number;
  /** Minimum hessian sum per leaf; stops logistic leaves that are all but pure from exploding. */
  minChildWeight: number;
  /** L2 penalty on leaf values. */
  lambda: number;
  minGain: number;
  /** Fraction of rows drawn (without replacement, Bernoulli) for each tree. */
  subsample: number;
  /** Fraction of features drawn for each tree. */
  featureSubsample: number;
  seed: number;
  maxBins: number;
  earlyStoppingRounds: number;
}

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

/** One tree as parallel arrays; node 0 is the root, `feature` -1 marks a leaf. */
export interface BoostedTree {
  feature: number[];
  /** Go left when value ≤ threshold. */
  threshold: number[];
  /** 1 when NaN goes left. */
  missingLeft: number[];
  left: number[];
  right: number[];
  /** Leaf output on the link scale, learning rate included. */
  value: number[];
  gain: number[];
}

export interface BoostedModel {
  format: 'boosted-trees/1';
  objective: Objective;
  nonNegative: boolean;
  featureNames: string[];
  binEdges: number[][];
  /** Starting raw score on the link scale (log-odds, log-mean or mean). */
  baseScore: number;
  trees: BoostedTree[];
  params: TreeParams;
}

const DEFAULTS: TreeParams = {
  trees: 100,
  learningRate: 0.1,
  maxLeaves: 31,
  maxDepth: 8,
  minSamplesLeaf: 20,
  minChildWeight: 1e-3,
  lambda: 1,
  minGain: 0,
  subsample: 1,
  featureSubsample: 1,
  seed: 1,
  maxBins: 64,
  earlyStoppingRounds: 10,
};

/** Enough rows to place 255 quantile edges well; bounds binning's sort cost whatever the row count. */
const EDGE_SAMPLE = 50_000;
/** Caps a Poisson leaf's step (as XGBoost does): a leaf of near-zero spenders would otherwise jump to exp(-large). */
const POISSON_MAX_STEP = 0.7;

/** mulberry32: tiny, fast, and the same sequence on every platform. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function quantileEdges(sorted: Float64Array, maxBins: number): number[] {
  const m = sorted.length;
  const distinct: number[] = [];
  for (let i = 0; i < m && distinct.length <= maxBins; i++) {
    if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i] as number);
  }
  const edges: number[] = [];
  if (distinct.length <= maxBins) {
    // Few values: one bin each, cut halfway so unseen values in between fall on the nearer side.
    for (let i = 1; i < distinct.length; i++) {
      const a = distinct[i - 1] as number;
      const b = distinct[i] as number;
      const mid = a / 2 + b / 2;
      edges.push(mid < b ? mid : a);
    }
    return edges;
  }
  const top = sorted[m - 1] as number;
  for (let q = 1; q < maxBins; q++) {
    const v = sorted[Math.floor((q * m) / maxBins)] as number;
    if (v < top && (edges.length === 0 || v > (edges[edges.length - 1] as number))) edges.push(v);
  }
  return edges;
}

function binOf(edges: readonly number[], v: number): number {
  if (Number.isNaN(v)) return 0;
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((edges[mid] as number) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo + 1;
}

/** Quantile-bins every feature. Edges come from a fixed-seed sample of finite values; binning itself is one pass. */
export function binFeatures(rows: readonly Row[], maxBins = 64): BinnedFeatures {
  if (!Number.isInteger(maxBins) || maxBins < 2 || maxBins > 255) {
    throw new RangeError(`maxBins must be an integer from 2 to 255, got ${maxBins}`);
  }
  const n = rows.length;
  if (n === 0) throw new RangeError('cannot bin an empty set of rows');
  const width = (rows[0] as Row).length;
  for (let r = 0; r < n; r++) {
    if ((rows[r] as Row).length !== width)
      throw new RangeError(`row ${r} has ${(rows[r] as Row).length} values, expected ${width}`);
  }
  let sample: Uint32Array;
  if (n <= EDGE_SAMPLE) {
    sample = Uint32Array.from({ length: n }, (_, i) => i);
  } else {
    const rng = mulberry32(0x5eed);
    sample = Uint32Array.from({ length: EDGE_SAMPLE }, () => Math.floor(rng() * n)).sort();
  }
  const values = new Float64Array(sample.length);
  const edges: number[][] = [];
  for (let f = 0; f < width; f++) {
    let m = 0;
    for (const r of sample) {
      const v = (rows[r] as Row)[f] as number;
      if (Number.isFinite(v)) values[m++] = v;
    }
    edges.push(quantileEdges(values.subarray(0, m).sort(), maxBins));
  }
  const columns = edges.map(() => new Uint8Array(n));
  for (let r = 0; r < n; r++) {
    const row = rows[r] as Row;
    for (let f = 0; f < width; f++) (columns[f] as Uint8Array)[r] = binOf(edges[f] as number[], row[f] as number);
  }
  return { edges, columns, rowCount: n };
}

interface Split {
  gain: number;
  feature: number;
  bin: number;
  missingLeft: boolean;
}

interface Leaf {
  node: number;
  start: number;
  end: number;
  depth: number;
  g: number;
  h: number;
  hist: Float64Array;
  split: Split | null;
}

/** Everything one tree's growth reads; built once per training run. */
interface Grower {
  p: TreeParams;
  columns: Uint8Array[];
  /** The same bins row-major (row r at r × width), for histogram building. */
  matrix: Uint8Array;
  width: number;
  edges: number[][];
  /** Start of each feature's bins in a histogram, in bins; a histogram stores (grad, hess, count) per bin. */
  offsets: Int32Array;
  nBins: Int32Array;
  histSize: number;
  pool: Float64Array[];
  grad: Float64Array;
  hess: Float64Array;
  order: Uint32Array;
  scratch: Uint32Array;
  poissonStep: boolean;
}

function buildHistogram(gr: Grower, hist: Float64Array, start: number, end: number, active: Int32Array): void {
  const { order, grad, hess, matrix, width } = gr;
  const slots = active.length;
  const base = Int32Array.from(active, (f) => (gr.offsets[f] as number) * 3);
  // Row-major: each row's gradient is read once and its bins are adjacent bytes.
  for (let i = start; i < end; i++) {
    const r = order[i] as number;
    const g = grad[r] as number;
    const h = hess[r] as number;
    const at = r * width;
    for (let j = 0; j < slots; j++) {
      const k = (base[j] as number) + (matrix[at + (active[j] as number)] as number) * 3;
      hist[k] = (hist[k] as number) + g;
      hist[k + 1] = (hist[k + 1] as number) + h;
      hist[k + 2] = (hist[k + 2] as number) + 1;
    }
  }
}

function findSplit(gr: Grower, leaf: Leaf, active: Int32Array): Split | null {
  const { lambda, minSamplesLeaf, minChildWeight, maxDepth } = gr.p;
  const count = leaf.end - leaf.start;
  if (leaf.depth >= maxDepth || count < 2 * minSamplesLeaf) return null;
  const { g, h, hist } = leaf;
  const parentScore = (g * g) / (h + lambda);
  let best: Split | null = null;
  let bestGain = gr.p.minGain;
  for (const f of active) {
    const base = (gr.offsets[f] as number) * 3;
    const nb = gr.nBins[f] as number;
    const mg = hist[base] as number;
    const mh = hist[base + 1] as number;
    const mc = hist[base + 2] as number;
    let gl = 0;
    let hl = 0;
    let cl = 0;
    for (let b = 1; b < nb - 1; b++) {
      const k = base + b * 3;
      gl += hist[k] as number;
      hl += hist[k + 1] as number;
      cl += hist[k + 2] as number;
      // Missing values go right, then (if the node has any) left; the better side is kept.
      for (let side = 0; side < (mc > 0 ? 2 : 1); side++) {
        const lg = side ? gl + mg : gl;
        const lh = side ? hl + mh : hl;
        const lc = side ? cl + mc : cl;
        const rh = h - lh;
        if (lc < minSamplesLeaf || count - lc < minSamplesLeaf || lh < minChildWeight || rh < minChildWeight) continue;
        const rg = g - lg;
        const gain = 0.5 * ((lg * lg) / (lh + lambda) + (rg * rg) / (rh + lambda) - parentScore);
        if (gain > bestGain) {
          bestGain = gain;
          // With no missing values here, unseen NaN follows the larger child.
          best = { gain, feature: f, bin: b, missingLeft: side === 1 || (mc === 0 && 2 * lc >= count) };
        }
      }
    }
  }
  return best;
}

interface TrainingTree extends BoostedTree {
  bin: number[];
}

function addNode(tree: TrainingTree): number {
  tree.feature.push(-1);
  tree.threshold.push(0);
  tree.missingLeft.push(0);
  tree.left.push(-1);
  tree.right.push(-1);
  tree.value.push(0);
  tree.gain.push(0);
  tree.bin.push(0);
  return tree.feature.length - 1;
}

function takeHist(gr: Grower): Float64Array {
  const hist = gr.pool.pop();
  if (hist) {
    hist.fill(0);
    return hist;
  }
  return new Float64Array(gr.histSize);
}

/** Grows one tree best-first over order[0, m) and adds its output to `raw` for those rows. */
function growTree(gr: Grower, m: number, active: Int32Array, raw: Float64Array): TrainingTree {
  const { order, scratch, grad, hess, p } = gr;
  const tree: TrainingTree = {
    feature: [],
    threshold: [],
    missingLeft: [],
    left: [],
    right: [],
    value: [],
    gain: [],
    bin: [],
  };
  let g = 0;
  let h = 0;
  for (let i = 0; i < m; i++) {
    g += grad[order[i] as number] as number;
    h += hess[order[i] as number] as number;
  }
  const root: Leaf = { node: addNode(tree), start: 0, end: m, depth: 0, g, h, hist: takeHist(gr), split: null };
  buildHistogram(gr, root.hist, 0, m, active);
  root.split = findSplit(gr, root, active);
  if (!root.split) gr.pool.push(root.hist);
  const leaves: Leaf[] = [root];
  while (leaves.length < p.maxLeaves) {
    let pick = -1;
    for (let i = 0; i < leaves.length; i++) {
      const s = (leaves[i] as Leaf).split;
      if (s && (pick < 0 || s.gain > ((leaves[pick] as Leaf).split as Split).gain)) pick = i;
    }
    if (pick < 0) break;
    const parent = leaves[pick] as Leaf;
    const split = parent.split as Split;
    const col = gr.columns[split.feature] as Uint8Array;
    // Stable partition: left rows compact in place, right rows wait in scratch.
    let w = parent.start;
    let s = 0;
    let lg = 0;
    let lh = 0;
    for (let i = parent.start; i < parent.end; i++) {
      const r = order[i] as number;
      const b = col[r] as number;
      if (b === 0 ? split.missingLeft : b <= split.bin) {
        order[w++] = r;
        lg += grad[r] as number;
        lh += hess[r] as number;
      } else scratch[s++] = r;
    }
    order.set(scratch.subarray(0, s), w);
    const node = parent.node;
    tree.feature[node] = split.feature;
    tree.bin[node] = split.bin;
    tree.threshold[node] = (gr.edges[split.feature] as number[])[split.bin - 1] as number;
    tree.missingLeft[node] = split.missingLeft ? 1 : 0;
    tree.gain[node] = split.gain;
    const depth = parent.depth + 1;
    const left: Leaf = {
      node: addNode(tree),
      start: parent.start,
      end: w,
      depth,
      g: lg,
      h: lh,
      hist: parent.hist,
      split: null,
    };
    const right: Leaf = {
      node: addNode(tree),
      start: w,
      end: parent.end,
      depth,
      g: parent.g - lg,
      h: parent.h - lh,
      hist: parent.hist,
      split: null,
    };
    tree.left[node] = left.node;
    tree.right[node] = right.node;
    // Build the smaller child's histogram; the larger one is the parent's minus it, in place.
    const [small, large] = w - parent.start <= parent.end - w ? [left, right] : [right, left];
    small.hist = takeHist(gr);
    buildHistogram(gr, small.hist, small.start, small.end, active);
    for (const f of active) {
      const from = (gr.offsets[f] as number) * 3;
      const to = from + (gr.nBins[f] as number) * 3;
      for (let k = from; k < to; k++) large.hist[k] = (large.hist[k] as number) - (small.hist[k] as number);
    }
    leaves.splice(pick, 1, left, right);
    for (const child of [left, right]) {
      child.split = findSplit(gr, child, active);
      if (!child.split) gr.pool.push(child.hist);
    }
  }
  for (const leaf of leaves) {
    if (leaf.split) gr.pool.push(leaf.hist);
    let w = -leaf.g / (leaf.h + p.lambda);
    if (gr.poissonStep) w = Math.max(-POISSON_MAX_STEP, Math.min(POISSON_MAX_STEP, w));
    const value = p.learningRate * w;
    tree.value[leaf.node] = value;
    for (let i = leaf.start; i < leaf.end; i++) {
      const r = order[i] as number;
      raw[r] = (raw[r] as number) + value;
    }
  }
  return tree;
}

function binnedOutput(tree: TrainingTree, columns: Uint8Array[], r: number): number {
  let n = 0;
  for (let f = tree.feature[0] as number; f >= 0; f = tree.feature[n] as number) {
    const b = (columns[f] as Uint8Array)[r] as number;
    const goLeft = b === 0 ? tree.missingLeft[n] === 1 : b <= (tree.bin[n] as number);
    n = (goLeft ? tree.left[n] : tree.right[n]) as number;
  }
  return tree.value[n] as number;
}

function treeOutput(tree: BoostedTree, row: Row): number {
  let n = 0;
  for (let f = tree.feature[0] as number; f >= 0; f = tree.feature[n] as number) {
    const v = row[f] as number;
    const goLeft = Number.isNaN(v) ? tree.missingLeft[n] === 1 : v <= (tree.threshold[n] as number);
    n = (goLeft ? tree.left[n] : tree.right[n]) as number;
  }
  return tree.value[n] as number;
}

function transform(objective: Objective, nonNegative: boolean, raw: number): number {
  if (objective === 'logistic') return 1 / (1 + Math.exp(-raw));
  if (objective === 'poisson') return Math.exp(raw);
  return nonNegative && raw < 0 ? 0 : raw;
}

/** Mean loss the objective minimises, used for early stopping. */
function meanLoss(objective: Objective, nonNegative: boolean, raw: Float64Array, labels: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < raw.length; i++) {
    const y = labels[i] as number;
    const z = raw[i] as number;
    if (objective === 'logistic') sum += Math.log1p(Math.exp(-Math.abs(z))) + Math.max(z, 0) - y * z;
    else if (objective === 'poisson') sum += Math.exp(z) - y * z;
    else sum += (transform(objective, nonNegative, z) - y) ** 2;
  }
  return sum / raw.length;
}

function checkLabels(objective: Objective, labels: ArrayLike<number>, n: number, what: string): void {
  if (labels.length !== n) throw new RangeError(`${what}: ${labels.length} labels for ${n} rows`);
  for (let i = 0; i < n; i++) {
    const y = labels[i] as number;
    if (!Number.isFinite(y)) throw new RangeError(`${what}: label ${i} is not a finite number`);
    if (objective === 'logistic' && y !== 0 && y !== 1) throw new RangeError(`${what}: logistic labels must be 0 or 1`);
    if (objective === 'poisson' && y < 0) throw new RangeError(`${what}: poisson labels must be non-negative`);
  }
}

function checkParams(p: TreeParams): void {
  const positiveInts: (keyof TreeParams)[] = [
    'trees',
    'maxLeaves',
    'maxDepth',
    'minSamplesLeaf',
    'earlyStoppingRounds',
  ];
  for (const key of positiveInts) {
    if (!Number.isInteger(p[key]) || p[key] < 1) throw new RangeError(`${key} must be a positive integer`);
  }
  for (const key of ['subsample', 'featureSubsample', 'learningRate'] as const) {
    if (!(p[key] > 0 && p[key] <= 1)) throw new RangeError(`${key} must be in (0, 1]`);
  }
  if (!(p.lambda >= 0 && p.minGain >= 0 && p.minChildWeight >= 0))
    throw new RangeError('lambda, minGain and minChildWeight must be ≥ 0');
}

function rowMajor(columns: Uint8Array[], n: number): Uint8Array {
  const width = columns.length;
  const matrix = new Uint8Array(n * width);
  for (let f = 0; f < width; f++) {
    const col = columns[f] as Uint8Array;
    for (let r = 0; r < n; r++) matrix[r * width + f] = col[r] as number;
  }
  return matrix;
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

  let mean = 0;
  for (let i = 0; i < n; i++) mean += labels[i] as number;
  mean /= n;
  const rate = Math.min(Math.max(mean, 1e-6), 1 - 1e-6);
  const baseScore =
    objective === 'logistic'
      ? Math.log(rate / (1 - rate))
      : objective === 'poisson'
        ? Math.log(Math.max(mean, 1e-12))
        : mean;

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
    for (let i = 0; i < n; i++) {
      const y = labels[i] as number;
      const z = raw[i] as number;
      if (objective === 'logistic') {
        const prob = 1 / (1 + Math.exp(-z));
        grad[i] = prob - y;
        hess[i] = Math.max(prob * (1 - prob), 1e-16);
      } else if (objective === 'poisson') {
        const mu = Math.exp(z);
        grad[i] = mu - y;
        hess[i] = mu;
      } else {
        grad[i] = z - y;
        hess[i] = 1;
      }
    }
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

/** Prediction for one raw row: a probability (logistic) or a value (regression, poisson). NaN means missing. */
export function predict(model: BoostedModel, row: Row): number {
  if (row.length < model.featureNames.length) {
    throw new RangeError(`row has ${row.length} values, model expects ${model.featureNames.length}`);
  }
  let raw = model.baseScore;
  for (const tree of model.trees) raw += treeOutput(tree, row);
  return transform(model.objective, model.nonNegative, raw);
}

export function predictMany(model: BoostedModel, rows: readonly Row[]): Float64Array {
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = predict(model, rows[i] as Row);
  return out;
}

/** Total split gain per feature (aligned with `model.featureNames`), normalised to sum 1; all zero if no tree split. */
export function featureImportance(model: BoostedModel): number[] {
  const total = new Array<number>(model.featureNames.length).fill(0);
  for (const tree of model.trees) {
    for (let n = 0; n < tree.feature.length; n++) {
      const f = tree.feature[n] as number;
      if (f >= 0) total[f] = (total[f] as number) + (tree.gain[n] as number);
    }
  }
  const sum = total.reduce((a, b) => a + b, 0);
  return sum > 0 ? total.map((v) => v / sum) : total;
}
