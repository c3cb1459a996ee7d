/**
 * Churn risk bands as the shop sees them, one definition for the server and the pages: which band a probability is
 * in by a version's thresholds (main/core/ml/retrain/risk-bands.ts sets them from the shop's buyers), how a
 * probability is shown, and the thresholds snapped to what is shown — so a customer shown at "62%" is never Medium
 * beside a line that reads "High: 62% or more".
 */
import type { RiskLevel } from './contract/customers';

/** High from `high` up, Low below `low`, Medium between; null when there is no probability. */
export function riskBandOf(score: number | null, bands: { high: number; low: number }): RiskLevel | null {
  if (score === null || Number.isNaN(score)) return null;
  return score >= bands.high ? 'high' : score >= bands.low ? 'medium' : 'low';
}

/**
 * The step risks are shown at: a whole percent, a tenth of one within 1% of either end, where a shop whose
 * customers mostly do not come back has its lines close together.
 */
function shownStep(chance: number): number {
  return chance >= 0.01 && chance < 0.99 ? 0.01 : 0.001;
}

/** A churn risk as a percentage at its shown step ("83%", "99.6%", "0.4%"), never certainty (">99.9%", "<0.1%"). */
export function formatRisk(chance: number): string {
  if (chance >= 0.9995) return '>99.9%';
  if (chance < 0.0005) return '<0.1%';
  // The half-step boundaries (snapped lines) read as the step above, whatever the float's last bit.
  const nudged = chance + 1e-9;
  return shownStep(chance) === 0.01 ? `${Math.round(nudged * 100)}%` : `${(nudged * 100).toFixed(1)}%`;
}

/**
 * The lowest probability shown as the same percentage as `chance`: a line moved there takes in everyone shown at its
 * percentage and no one shown below it.
 */
export function shownFloor(chance: number): number {
  const step = shownStep(chance);
  return Math.round((chance + 1e-9) / step) * step - step / 2;
}
