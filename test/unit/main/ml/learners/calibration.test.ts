import { describe, expect, it } from 'vitest';
import {
  calibrate,
  EDGE,
  fitCalibration,
  fitCentredIsotonic,
  fitIsotonic,
  fitPlatt,
  levels,
  probability,
} from '../../../../../main/core/ml/learners/calibration';
import { auc, brier } from '../../../../../main/core/ml/learners/metrics';
import { seededRandom } from '../../../../support/population';

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

describe('calibration that keeps the ranking (issue 13)', () => {
  const random = seededRandom(13);
  /** Tuning customers the model separates perfectly: churners score 0.52–0.99, the rest 0.02–0.5. */
  const separable = (n: number) => {
    const labels = Array.from({ length: n }, (_, i) => i % 2);
    const scores = labels.map((y) => (y === 1 ? 0.52 + random() * 0.47 : 0.02 + random() * 0.48));
    return { scores, labels };
  };

  it('does not turn a separable tuning set into a two-level map', () => {
    const { scores, labels } = separable(2000);
    // Plain isotonic regression is exactly the step the issue found: y = [0, 0, 1, 1].
    expect(fitIsotonic(scores, labels).y).toEqual([0, 0, 1, 1]);
    const { map } = fitCalibration(scores, labels);
    expect(levels(map)).toBeGreaterThan(2);
    const grid = Array.from({ length: 99 }, (_, i) => (i + 1) / 100);
    expect(new Set(grid.map((s) => probability(map, s))).size).toBe(grid.length);
    // Still says what the tuning set says: churners well above, the rest well below.
    expect(probability(map, 0.9)).toBeGreaterThan(0.8);
    expect(probability(map, 0.1)).toBeLessThan(0.2);
  });

  it('keeps distinct raw scores distinct and in order, and never says exactly 0 or 1', () => {
    for (const map of [
      fitIsotonic([0.02, 0.52, 0.56, 0.99], [0, 0, 1, 1]),
      fitCentredIsotonic([0.1, 0.2, 0.3, 0.4, 0.5], [0, 0, 1, 0, 1]),
      fitPlatt(...(Object.values(separable(500)) as [number[], number[]])),
      { kind: 'platt' as const, a: 40, b: 0 },
    ]) {
      const raw = [0, 1e-9, 0.01, 0.02, 0.3, 0.5, 0.5000001, 0.7, 0.99, 0.999999, 1];
      const calibrated = raw.map((s) => probability(map, s));
      for (let i = 1; i < raw.length; i++) expect(calibrated[i]).toBeGreaterThan(calibrated[i - 1] as number);
      for (const p of calibrated) {
        expect(p).toBeGreaterThanOrEqual(EDGE);
        expect(p).toBeLessThanOrEqual(1 - EDGE);
      }
      // The ranking of any set of scores survives exactly.
      const scores = Array.from({ length: 500 }, () => random());
      const labels = scores.map((s) => (random() < s ? 1 : 0));
      expect(
        auc(
          scores.map((s) => probability(map, s)),
          labels,
        ),
      ).toBe(auc(scores, labels));
    }
  });

  it('centred isotonic puts one point per pooled block at its mean score', () => {
    // Blocks: {0.1, 0.2} mean 0 at 0.15; {0.3, 0.4} mean ½ at 0.35; {0.5} mean 1.
    const map = fitCentredIsotonic([0.1, 0.2, 0.3, 0.4, 0.5], [0, 0, 1, 0, 1]);
    expect(map.x.map((x) => Number(x.toFixed(12)))).toEqual([0.15, 0.35, 0.5]);
    expect(map.y).toEqual([0, 0.5, 1]);
  });

  it('Platt scaling recovers a sigmoid on the log-odds and stays increasing on scores that do not rank', () => {
    const scores = Array.from({ length: 20_000 }, () => 0.01 + 0.98 * random());
    const truth = (s: number) => 1 / (1 + Math.exp(-(2 * Math.log(s / (1 - s)) - 0.5)));
    const labels = scores.map((s) => (random() < truth(s) ? 1 : 0));
    const map = fitPlatt(scores, labels);
    expect(map.a).toBeCloseTo(2, 0);
    expect(map.b).toBeCloseTo(-0.5, 0);
    const flat = fitPlatt(
      scores,
      scores.map(() => (random() < 0.3 ? 1 : 0)),
    );
    expect(flat.a).toBeGreaterThan(0);
    expect(calibrate(flat, 0.5)).toBeCloseTo(0.3, 1);
  });

  it('chooses by cross-validated log loss: isotonic where the truth is not a sigmoid', () => {
    const scores = Array.from({ length: 5000 }, () => random());
    // A staircase: no sigmoid fits it, isotonic does.
    const labels = scores.map((s) => (random() < (s < 0.5 ? 0.1 : s < 0.6 ? 0.8 : 0.3 + 0.5 * s) ? 1 : 0));
    const fit = fitCalibration(scores, labels);
    expect(fit.map.kind).toBe('isotonic');
    expect(fit.logLoss.isotonic).toBeLessThan(fit.logLoss.platt as number);
    // Small sets get Platt only.
    expect(fitCalibration(scores.slice(0, 100), labels.slice(0, 100)).map.kind).toBe('platt');
  });
});
