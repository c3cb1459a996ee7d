/**
 * Feature binning for the boosted trees: every feature is cut once into at most 255 quantile bins, so a node's split
 * search reads a gradient/hessian histogram instead of sorted rows (grower.ts). Bin 0 holds NaN (missing).
 */
import { mulberry32 } from '../random';

export type Row = ArrayLike<number>;

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

/** Enough rows to place 255 quantile edges well; bounds binning's sort cost whatever the row count. */
const EDGE_SAMPLE = 50_000;

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
