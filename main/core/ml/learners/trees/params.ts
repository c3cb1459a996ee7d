/** The boosted trees' settings, their defaults, and the check that a combination makes sense. */
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

export const DEFAULTS: TreeParams = {
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

export function checkParams(p: TreeParams): void {
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
