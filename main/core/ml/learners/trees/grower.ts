/**
 * Grows one tree best-first on binned features (binning.ts): the leaf with the largest gain splits next, a split is
 * found from the node's gradient/hessian histogram, and the larger child's histogram is the parent's minus the
 * smaller one's. Every sum runs in a fixed order, so one seed gives a bit-identical tree.
 */
import type { TreeParams } from './params';
import type { BoostedTree } from './predictor';

/** Caps a Poisson leaf's step (as XGBoost does): a leaf of near-zero spenders would otherwise jump to exp(-large). */
const POISSON_MAX_STEP = 0.7;

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
export interface Grower {
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

export interface TrainingTree extends BoostedTree {
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
export function growTree(gr: Grower, m: number, active: Int32Array, raw: Float64Array): TrainingTree {
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

export function binnedOutput(tree: TrainingTree, columns: Uint8Array[], r: number): number {
  let n = 0;
  for (let f = tree.feature[0] as number; f >= 0; f = tree.feature[n] as number) {
    const b = (columns[f] as Uint8Array)[r] as number;
    const goLeft = b === 0 ? tree.missingLeft[n] === 1 : b <= (tree.bin[n] as number);
    n = (goLeft ? tree.left[n] : tree.right[n]) as number;
  }
  return tree.value[n] as number;
}

export function rowMajor(columns: Uint8Array[], n: number): Uint8Array {
  const width = columns.length;
  const matrix = new Uint8Array(n * width);
  for (let f = 0; f < width; f++) {
    const col = columns[f] as Uint8Array;
    for (let r = 0; r < n; r++) matrix[r * width + f] = col[r] as number;
  }
  return matrix;
}
