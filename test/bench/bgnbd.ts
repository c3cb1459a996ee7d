/**
 * BG/NBD and Gamma-Gamma fitted by maximum likelihood at shop scale: a
 * simulated CDNOW population (r=0.243, α=4.414, a=0.793, b=2.426; 39 weeks,
 * times in weeks rounded to days; seeded) of 100k customers fitted from
 * scratch. Reports the fit time (target ≤ 5 s), the recovered parameters and
 * their largest error against the truth (target ≤ 10%), and the Gamma-Gamma
 * fit. Baseline: one evaluation of the log-likelihood over every customer,
 * ungrouped — the unit of work a fit without grouping would repeat hundreds of
 * times.
 *
 * `bgnbd [customers=100000] [seed=20250501]`
 */
import { bgnbdLogLikelihood, fitBgnbd } from '../../main/core/ml/learners/btyd/bgnbd';
import { fitGammaGamma } from '../../main/core/ml/learners/btyd/gamma-gamma';
import { CDNOW_BGNBD, CDNOW_GAMMA_GAMMA, simulateBtyd } from '../support/btyd';

const TARGETS = { fitSeconds: 5, maxRelativeError: 0.1 };
const round = (x: number, digits = 4) => Number(x.toFixed(digits));

export async function bgnbdBench(args: string[]): Promise<void> {
  const customers = Number(args[0] ?? 100_000);
  const seed = Number(args[1] ?? 20_250_501);
  const population = simulateBtyd({ customers, seed });

  const baselineStarted = performance.now();
  bgnbdLogLikelihood(CDNOW_BGNBD, population);
  const baselineSeconds = (performance.now() - baselineStarted) / 1000;

  const started = performance.now();
  const fit = fitBgnbd(population);
  const fitSeconds = (performance.now() - started) / 1000;
  const spendStarted = performance.now();
  const spend = fitGammaGamma(population);
  const spendSeconds = (performance.now() - spendStarted) / 1000;

  const errors = (['r', 'alpha', 'a', 'b'] as const).map((k) => Math.abs(fit.params[k] / CDNOW_BGNBD[k] - 1));
  const maxRelativeError = Math.max(...errors);
  console.log(
    JSON.stringify({
      bench: 'bgnbd',
      customers,
      groups: fit.groups,
      evaluations: fit.evaluations,
      fitSeconds: round(fitSeconds, 3),
      baselineOneLikelihoodSeconds: round(baselineSeconds, 4),
      ratioToBaseline: round(fitSeconds / baselineSeconds, 1),
      params: Object.fromEntries(Object.entries(fit.params).map(([k, v]) => [k, round(v)])),
      truth: CDNOW_BGNBD,
      maxRelativeError: round(maxRelativeError),
      gammaGamma: {
        seconds: round(spendSeconds, 3),
        params: Object.fromEntries(Object.entries(spend.params).map(([k, v]) => [k, round(v)])),
        truth: CDNOW_GAMMA_GAMMA,
      },
      targets: TARGETS,
      meets: fitSeconds <= TARGETS.fitSeconds && maxRelativeError <= TARGETS.maxRelativeError,
    }),
  );
}
