import { describe, expect, it } from 'vitest';
import { calibrate, fitIsotonic } from '../../../../main/core/ml/calibration';
import { brier } from '../../../../main/core/ml/metrics';
import { seededRandom } from '../../../support/population';

describe('fitIsotonic', () => {
  it('gives the pool-adjacent-violators result on a small example', () => {
    // 1,0,0 pool to ⅓; then 1,0 pool to ½; the last 1 stands alone.
    const map = fitIsotonic([1, 2, 3, 4, 5, 6], [1, 0, 0, 1, 0, 1]);
    const fitted = [1, 2, 3, 4, 5, 6].map((s) => calibrate(map, s));
    expect(fitted.map((v) => v.toFixed(6))).toEqual([
      '0.333333',
      '0.333333',
      '0.333333',
      '0.500000',
      '0.500000',
      '1.000000',
    ]);
    expect(map).toEqual({ kind: 'isotonic', x: [1, 3, 4, 5, 6], y: [1 / 3, 1 / 3, 0.5, 0.5, 1] });
    // Between blocks the map is linear: 3.5 is halfway from ⅓ to ½.
    expect(calibrate(map, 3.5)).toBeCloseTo(5 / 12, 12);
  });

  it('pools tied scores first and honours weights', () => {
    // Score 1 averages ½, score 2 is 0: a violation, so all three pool to ⅓.
    expect(fitIsotonic([1, 2, 1], [1, 0, 0])).toEqual({ kind: 'isotonic', x: [1, 2], y: [1 / 3, 1 / 3] });
    // Weight 3 on the 0 at score 2: (1·1 + 3·0) / 4.
    expect(fitIsotonic([1, 2], [1, 0], [1, 3]).y).toEqual([0.25, 0.25]);
  });

  it('leaves monotone data as it is', () => {
    const map = fitIsotonic([0.1, 0.2, 0.3, 0.4], [0, 0.2, 0.7, 1]);
    expect(map.y).toEqual([0, 0.2, 0.7, 1]);
  });

  it('is monotone, stays in [0, 1], clamps outside the fitted range and survives JSON', () => {
    const random = seededRandom(21);
    const scores = Array.from({ length: 2000 }, () => random() * 4 - 2);
    const labels = scores.map((s) => (random() < 1 / (1 + Math.exp(-3 * s)) ? 1 : 0));
    const map = JSON.parse(JSON.stringify(fitIsotonic(scores, labels)));
    let previous = Number.NEGATIVE_INFINITY;
    for (let s = -3; s <= 3; s += 0.001) {
      const p = calibrate(map, s);
      expect(p).toBeGreaterThanOrEqual(previous);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThanOrEqual(1);
      previous = p;
    }
    expect(calibrate(map, -100)).toBe(calibrate(map, -2));
    expect(calibrate(map, 100)).toBe(calibrate(map, 2));
  });

  it('turns overconfident scores into better probabilities on held-out data', () => {
    const random = seededRandom(8);
    const draw = (n: number) => {
      const truth = Array.from({ length: n }, () => random());
      // The score claims far more certainty than the truth has.
      const scores = truth.map((p) => (p > 0.5 ? 0.5 + (p - 0.5) / 4 + 0.375 : p / 4));
      const labels = truth.map((p) => (random() < p ? 1 : 0));
      return { scores, labels };
    };
    const fit = draw(5000);
    const test = draw(5000);
    const map = fitIsotonic(fit.scores, fit.labels);
    const calibrated = test.scores.map((s) => calibrate(map, s));
    expect(brier(calibrated, test.labels)).toBeLessThan(brier(test.scores, test.labels) - 0.02);
  });

  it('rejects what it cannot fit', () => {
    expect(() => fitIsotonic([], [])).toThrow(RangeError);
    expect(() => fitIsotonic([1, 2], [1])).toThrow(RangeError);
    expect(() => fitIsotonic([Number.NaN], [1])).toThrow(RangeError);
    expect(() => fitIsotonic([1], [1], [0])).toThrow(RangeError);
  });
});
