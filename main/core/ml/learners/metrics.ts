/**
 * Model-quality metrics the retrain worker reports beside each model (see
 * PERFORMANCE.md: churn AUC against BG/NBD and recency, LTV MAE against
 * "same as last period"). Ties are scored by expectation, never by input
 * order, so a model that gives many customers one score is not flattered or
 * punished by how the rows happened to be sorted.
 */

function checkPair(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  if (a.length !== b.length) throw new RangeError(`${what}: ${a.length} values against ${b.length}`);
}

function checkBinary(labels: ArrayLike<number>, what: string): void {
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 0 && labels[i] !== 1) throw new RangeError(`${what}: label ${i} is not 0 or 1`);
  }
}

/** Indices of `scores` sorted ascending; the index breaks ties so the order is fixed. */
function ascending(scores: ArrayLike<number>, what: string): Uint32Array {
  for (let i = 0; i < scores.length; i++) {
    if (Number.isNaN(scores[i])) throw new RangeError(`${what}: score ${i} is NaN`);
  }
  return Uint32Array.from({ length: scores.length }, (_, i) => i).sort(
    (a, b) => (scores[a] as number) - (scores[b] as number) || a - b,
  );
}

/**
 * Area under the ROC curve via the Mann–Whitney statistic, tied scores given
 * their average rank (a tie counts half). NaN when only one class is present.
 */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkPair(scores, labels, 'auc');
  checkBinary(labels, 'auc');
  const order = ascending(scores, 'auc');
  const n = order.length;
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    let tiedPositives = 0;
    for (; j < n && scores[order[j] as number] === scores[order[i] as number]; j++) {
      tiedPositives += labels[order[j] as number] as number;
    }
    // Ranks i+1 … j share their mean.
    rankSum += (tiedPositives * (i + 1 + j)) / 2;
    positives += tiedPositives;
    i = j;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Mean squared difference between predicted probabilities and 0/1 outcomes. */
export function brier(probabilities: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkPair(probabilities, labels, 'brier');
  checkBinary(labels, 'brier');
  let sum = 0;
  for (let i = 0; i < labels.length; i++) sum += ((probabilities[i] as number) - (labels[i] as number)) ** 2;
  return labels.length ? sum / labels.length : Number.NaN;
}

/**
 * Share of positives among the top `fraction` of scores (ceil, at least one
 * row): "of the customers we would contact, how many really churn". Rows tied
 * with the cut-off score count by the tie group's positive rate.
 */
export function precisionAtTop(scores: ArrayLike<number>, labels: ArrayLike<number>, fraction = 0.1): number {
  checkPair(scores, labels, 'precisionAtTop');
  checkBinary(labels, 'precisionAtTop');
  if (!(fraction > 0 && fraction <= 1)) throw new RangeError('precisionAtTop: fraction must be in (0, 1]');
  const n = scores.length;
  if (n === 0) return Number.NaN;
  const k = Math.min(n, Math.max(1, Math.ceil(fraction * n)));
  const order = ascending(scores, 'precisionAtTop');
  let hits = 0;
  let taken = 0;
  for (let i = n - 1; taken < k; ) {
    let j = i;
    let tiedPositives = 0;
    for (; j >= 0 && scores[order[j] as number] === scores[order[i] as number]; j--) {
      tiedPositives += labels[order[j] as number] as number;
    }
    const group = i - j;
    const take = Math.min(group, k - taken);
    hits += (tiedPositives * take) / group;
    taken += take;
    i = j;
  }
  return hits / k;
}

export function meanAbsoluteError(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  checkPair(predicted, actual, 'meanAbsoluteError');
  let sum = 0;
  for (let i = 0; i < actual.length; i++) sum += Math.abs((predicted[i] as number) - (actual[i] as number));
  return actual.length ? sum / actual.length : Number.NaN;
}
