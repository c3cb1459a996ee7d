/**
 * "Did it help?" at small-shop sizes: coverage of the comparison's 95% intervals on simulated shops whose truth is
 * known (main/core/automations/uplift/simulate.ts), at 200 and 2,000 firings with 10% held out, where the message
 * raises the log-odds of buying by 0.35 (about +5.6 points on a 22% share) and where it does nothing. For the share
 * who bought and revenue per customer: coverage (target 93–97%), false positives with no effect (target ≤ 7%), how
 * often an interval was given at all and how often the adjustment was used; orders per customer likewise. Baselines
 * and rejected candidates measured in the same runs, on the same shops as the reported money intervals: the Wald
 * interval for the share; for orders and revenue the bootstrap-t, Lin's adjusted bootstrap-t, the two-part interval
 * rescaled by Lin's adjustment (`*.adjusted`) and the percentile bootstrap.
 *
 * `uplift [seeds=400] [resamples=999]`
 */
import { MEASURED, measureCoverage, type Tally } from '../../main/core/automations/uplift/coverage';
import { trueEffects } from '../../main/core/automations/uplift/simulate';

const SIZES = [200, 2000];
const SCENARIOS = [
  { name: 'effect', effect: 0.35 },
  { name: 'none', effect: 0 },
];
const TARGETS = { coverageLow: 0.93, coverageHigh: 0.97, falsePositiveMax: 0.07 };
const round = (x: number, digits = 3) => Number(x.toFixed(digits));

function summary(tally: Tally, seeds: number) {
  return {
    given: round(tally.given / seeds),
    coverage: tally.given ? round(tally.covered / tally.given) : null,
    excludesZero: tally.given ? round(tally.excludesZero / tally.given) : null,
    adjusted: tally.given ? round(tally.adjusted / tally.given) : null,
    meanWidth: round(tally.meanWidth, 4),
  };
}

export async function upliftBench(args: string[]): Promise<void> {
  const seeds = Number(args[0] ?? 400);
  const resamples = Number(args[1] ?? 999);
  for (const scenario of SCENARIOS) {
    const truth = trueEffects(scenario.effect);
    for (const firings of SIZES) {
      const run = measureCoverage({ firings, effect: scenario.effect, seeds, truth, resamples });
      const results = Object.fromEntries(MEASURED.map((key) => [key, summary(run.tallies[key], seeds)]));
      const reported = ['share.reported', 'orders.reported', 'revenue.reported'] as const;
      const meets = reported.every((key) => {
        const r = results[key];
        if (!r || r.coverage === null || r.excludesZero === null) return true;
        const covers = r.coverage >= TARGETS.coverageLow && r.coverage <= TARGETS.coverageHigh;
        return scenario.effect === 0 ? covers && r.excludesZero <= TARGETS.falsePositiveMax : covers;
      });
      console.log(
        JSON.stringify({
          bench: 'uplift',
          scenario: scenario.name,
          firings,
          heldOutShare: 0.1,
          seeds,
          resamples,
          truth: Object.fromEntries(Object.entries(truth).map(([k, v]) => [k, round(v, 4)])),
          ...results,
          seconds: round(run.seconds, 1),
          msPerEstimate: round((run.seconds * 1000) / seeds, 1),
          targets: TARGETS,
          meets,
        }),
      );
    }
  }
}
