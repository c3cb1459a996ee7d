/**
 * A trained boosted-trees model and what reads it: prediction on raw feature values (NaN = missing) and gain
 * importance. The model is plain JSON (numbers and arrays only), so the registry can store it as text.
 */
import type { Row } from './binning';
import { type Objective, transform } from './loss';
import type { TreeParams } from './params';

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

export function treeOutput(tree: BoostedTree, row: Row): number {
  let n = 0;
  for (let f = tree.feature[0] as number; f >= 0; f = tree.feature[n] as number) {
    const v = row[f] as number;
    const goLeft = Number.isNaN(v) ? tree.missingLeft[n] === 1 : v <= (tree.threshold[n] as number);
    n = (goLeft ? tree.left[n] : tree.right[n]) as number;
  }
  return tree.value[n] as number;
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
