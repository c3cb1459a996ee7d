import { describe, expect, it } from 'vitest';
import { auc, brier, meanAbsoluteError, precisionAtTop } from '../../../../../main/core/ml/learners/metrics';
import { seededRandom } from '../../../../support/population';

/** Every (positive, negative) pair: 1 if the positive scores higher, ½ on a tie. */
function pairwiseAuc(scores: number[], labels: number[]): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < scores.length; i++) {
    for (let j = 0; j < scores.length; j++) {
      if (labels[i] !== 1 || labels[j] !== 0) continue;
      const a = scores[i] as number;
      const b = scores[j] as number;
      wins += a > b ? 1 : a === b ? 0.5 : 0;
      pairs++;
    }
  }
  return wins / pairs;
}

describe('auc', () => {
  it('counts a tied positive–negative pair as half', () => {
    // Positives 0.35, 0.8, 0.4 against negatives 0.1, 0.4: 1+0 + 1+1 + 1+½ = 4.5 of 6.
    expect(auc([0.1, 0.4, 0.35, 0.8, 0.4], [0, 0, 1, 1, 1])).toBeCloseTo(0.75, 12);
  });

  it('is 1 for a perfect ranking, 0 for a reversed one and ½ when every score ties', () => {
    expect(auc([1, 2, 3, 4], [0, 0, 1, 1])).toBe(1);
    expect(auc([4, 3, 2, 1], [0, 0, 1, 1])).toBe(0);
    expect(auc([7, 7, 7, 7], [0, 1, 0, 1])).toBe(0.5);
  });

  it('matches the pairwise definition on data with many ties', () => {
    const random = seededRandom(3);
    const scores = Array.from({ length: 400 }, () => Math.floor(random() * 12));
    const labels = scores.map((s) => (random() < 0.2 + s / 20 ? 1 : 0));
    expect(auc(scores, labels)).toBeCloseTo(pairwiseAuc(scores, labels), 12);
  });

  it('does not depend on input order', () => {
    const scores = [0.2, 0.2, 0.9, 0.5, 0.5, 0.1];
    const labels = [1, 0, 1, 0, 1, 0];
    const reversed = auc([...scores].reverse(), [...labels].reverse());
    expect(auc(scores, labels)).toBe(reversed);
  });

  it('is NaN with one class and rejects bad input', () => {
    expect(auc([0.1, 0.2], [1, 1])).toBeNaN();
    expect(() => auc([0.1, 0.2], [1])).toThrow(RangeError);
    expect(() => auc([0.1, 0.2], [1, 2])).toThrow(/0 or 1/);
    expect(() => auc([Number.NaN, 0.2], [1, 0])).toThrow(/NaN/);
  });
});

describe('brier', () => {
  it('is the mean squared error of the probabilities', () => {
    // (0.1² + 0.2² + 0.5²) / 3
    expect(brier([0.9, 0.2, 0.5], [1, 0, 1])).toBeCloseTo(0.1, 12);
    expect(brier([1, 0], [1, 0])).toBe(0);
  });
});

describe('precisionAtTop', () => {
  it('takes the top fraction, rounding the count up', () => {
    const scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0];
    const labels = [1, 0, 1, 1, 0, 0, 0, 0, 0, 1];
    expect(precisionAtTop(scores, labels, 0.3)).toBeCloseTo(2 / 3, 12);
    expect(precisionAtTop(scores, labels, 0.25)).toBeCloseTo(2 / 3, 12);
    expect(precisionAtTop(scores, labels)).toBe(1);
    expect(precisionAtTop(scores, labels, 1)).toBeCloseTo(0.4, 12);
  });

  it('scores a tie at the cut-off by the tied group’s positive rate', () => {
    // Top 2 of 4: 0.9 (positive), then one of three rows tied at 0.5 of which one is positive.
    expect(precisionAtTop([0.9, 0.5, 0.5, 0.5], [1, 1, 0, 0], 0.5)).toBeCloseTo((1 + 1 / 3) / 2, 12);
    expect(precisionAtTop([0.9, 0.5, 0.5, 0.5], [1, 0, 0, 1], 0.5)).toBeCloseTo((1 + 1 / 3) / 2, 12);
  });
});

describe('meanAbsoluteError', () => {
  it('averages the absolute differences', () => {
    expect(meanAbsoluteError([1, 2, 3], [2, 2, 5])).toBe(1);
    expect(() => meanAbsoluteError([1], [1, 2])).toThrow(RangeError);
  });
});
