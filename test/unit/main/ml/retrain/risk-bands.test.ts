import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../../../main/core/ml/learners/random';
import {
  FIXED_RISK_BANDS,
  fitRiskBands,
  type RiskBands,
  riskBandRange,
} from '../../../../../main/core/ml/retrain/risk-bands';
import { RISK_LEVELS } from '../../../../../shared/contract/customers';
import { formatRisk, riskBandOf, shownFloor } from '../../../../../shared/risk-band';

const fitted = (scores: (number | null | undefined)[]): RiskBands => {
  const bands = fitRiskBands(scores);
  if (!bands) throw new Error('no bands');
  return bands;
};

describe('fitRiskBands', () => {
  it('sets the lines from the shop: base rate the mean, High the 80th percentile above it, Low half of it', () => {
    // Ten buyers: mean 0.43; above it 0.5 … 0.9, whose 80th percentile (position 0.8 × 4 = 3.2) is 0.82; half the
    // mean 0.215. Each line then sits at the lowest risk shown as its percentage: 0.815 ("82%"), 0.215 ("22%").
    const scores = [0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9];
    const bands = fitted(scores);
    expect(bands.baseRate).toBeCloseTo(0.43, 12);
    expect(bands.high).toBeCloseTo(0.815, 12);
    expect(bands.low).toBeCloseTo(0.215, 12);
    expect(formatRisk(bands.high)).toBe('82%');
    expect(formatRisk(bands.low)).toBe('22%');
    expect(scores.map((s) => riskBandOf(s, bands))).toEqual([
      'low',
      'low',
      'low',
      'low',
      'medium',
      'medium',
      'medium',
      'medium',
      'medium',
      'high',
    ]);
  });

  it('puts about a fifth of the buyers above the base rate in High on a large shop', () => {
    // 10,000 buyers, risk spread like a shop where most one-time buyers do not come back.
    const scores = Array.from({ length: 10_000 }, (_, i) => {
      const u = (i + 0.5) / 10_000;
      return u < 0.4 ? 0.1 + 0.3 * u : 0.6 + 0.39 * ((u - 0.4) / 0.6) ** 2;
    });
    const bands = fitted(scores);
    const above = scores.filter((s) => s > bands.baseRate);
    const high = scores.filter((s) => riskBandOf(s, bands) === 'high');
    // A fifth, and a little more: those shown at the line's percentage join it.
    expect(high.length / above.length).toBeGreaterThanOrEqual(0.2);
    expect(high.length / above.length).toBeLessThan(0.22);
    expect(bands.high).toBeGreaterThan(bands.baseRate);
    expect(bands.low).toBeLessThan(bands.baseRate);
    // Every High customer is above the base rate, every Low one below half of it.
    expect(high.every((s) => s > bands.baseRate)).toBe(true);
    expect(scores.filter((s) => riskBandOf(s, bands) === 'low').every((s) => s < bands.baseRate / 2)).toBe(true);
  });

  it('keeps the page true: a risk shown at the High line’s percentage is High, one shown below it is not', () => {
    const random = mulberry32(4);
    // Saturated risks, as on a shop where most customers do not come back: the lines fall among tenths of a percent.
    for (const spread of [(u: number) => u, (u: number) => 1 - (1 - u) ** 4 * 0.05]) {
      const scores = Array.from({ length: 3000 }, () => spread(random()));
      const bands = fitted(scores);
      const shown = (s: number) => Number.parseFloat(formatRisk(s).replace(/[<>%]/g, ''));
      const highLine = shown(bands.high);
      const lowLine = shown(bands.low);
      // A line past 99.9% reads "over 99.9%": High is then exactly who is shown as ">99.9%".
      const beyond = formatRisk(bands.high).startsWith('>');
      for (const s of scores) {
        const band = riskBandOf(s, bands);
        const over = formatRisk(s).startsWith('>');
        expect(band === 'high').toBe(beyond ? over : over || shown(s) >= highLine);
        expect(band === 'low').toBe(shown(s) < lowLine);
      }
    }
  });

  it('handles fewer than a handful of buyers without anything odd', () => {
    // One buyer is the shop's average: Medium; nobody is above the average, so nobody is High.
    const one = fitted([0.6]);
    expect(one).toMatchObject({ baseRate: 0.6, high: 1 });
    expect(riskBandOf(0.6, one)).toBe('medium');
    // Two: the riskier one is High, the safer one Low (below half the mean of 0.5).
    const two = fitted([0.2, 0.8]);
    expect(two.baseRate).toBe(0.5);
    expect(two.high).toBeCloseTo(0.795, 12);
    expect(two.low).toBeCloseTo(0.245, 12);
    expect([0.2, 0.8].map((s) => riskBandOf(s, two))).toEqual(['low', 'high']);
    // Three, two of them above the mean: the line sits between them, so one is High.
    const three = fitted([0.1, 0.7, 0.9]);
    expect(three.baseRate).toBeCloseTo(17 / 30, 12);
    expect(three.high).toBeCloseTo(0.855, 12);
    expect([0.1, 0.7, 0.9].map((s) => riskBandOf(s, three))).toEqual(['low', 'medium', 'high']);
  });

  it('calls everyone Medium when every buyer has the same risk', () => {
    const bands = fitted(Array(50).fill(0.35));
    expect(bands.baseRate).toBeCloseTo(0.35, 12);
    expect(bands.high).toBe(1);
    expect(riskBandOf(0.35, bands)).toBe('medium');
  });

  it('never lets the High line reach the base rate by snapping it to what is shown', () => {
    // Above a 0.5 mean: 0.5002 … the High line 0.5004 would be shown as "50%", whose lowest risk (0.495) is below
    // the mean: it stays where the rule puts it.
    const bands = fitted([0.4996, 0.4997, 0.4998, 0.5002, 0.5003, 0.5004]);
    expect(bands.high).toBeGreaterThan(bands.baseRate);
    expect(bands.high).toBeCloseTo(0.50036, 9);
  });

  it('leaves out customers with no score, and gives nothing when nobody has one', () => {
    expect(fitRiskBands([])).toBeNull();
    expect(fitRiskBands([null, undefined, Number.NaN])).toBeNull();
    expect(fitRiskBands([null, 0.2, Number.NaN, 0.8])).toEqual(fitRiskBands([0.2, 0.8]));
  });
});

describe('riskBandOf, riskBandRange and shownFloor', () => {
  const bands = { high: 0.615, low: 0.175 };

  it('agree: every score is in exactly the band whose range holds it', () => {
    for (const score of [0, 0.1, 0.175 - 1e-9, 0.175, 0.5, 0.615 - 1e-9, 0.615, 0.99, 1]) {
      const holding = RISK_LEVELS.filter((level) => {
        const [from, to] = riskBandRange(level, bands);
        return score >= from && score < to;
      });
      expect(holding).toEqual([riskBandOf(score, bands)]);
    }
  });

  it('finds the lowest risk shown as the same percentage, in tenths near either end', () => {
    expect(shownFloor(0.6234)).toBeCloseTo(0.615, 12);
    expect(shownFloor(0.175)).toBeCloseTo(0.175, 12);
    expect(shownFloor(0.99812)).toBeCloseTo(0.9975, 12);
    expect(shownFloor(0.0043)).toBeCloseTo(0.0035, 12);
    expect([0.6149, 0.615, 0.6249].map(formatRisk)).toEqual(['61%', '62%', '62%']);
    expect([0.9974, 0.9975, 0.9996, 0.0003].map(formatRisk)).toEqual(['99.7%', '99.8%', '>99.9%', '<0.1%']);
  });

  it('has no band for a missing score, and keeps the old fixed lines for old versions', () => {
    expect(riskBandOf(null, bands)).toBeNull();
    expect(FIXED_RISK_BANDS).toEqual({ high: 0.7, low: 0.4, baseRate: null });
    expect(riskBandOf(0.69, FIXED_RISK_BANDS)).toBe('medium');
    expect(riskBandOf(0.7, FIXED_RISK_BANDS)).toBe('high');
    expect(riskBandOf(0.39, FIXED_RISK_BANDS)).toBe('low');
  });
});
