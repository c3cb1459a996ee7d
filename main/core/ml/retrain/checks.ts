/**
 * What keeps a retrain's figures honest (issue 13), apart from the training itself:
 * - the split by history: customers are placed in train / tune / test by a seeded hash of their feature row at the
 *   churn cutoff, so copies of one history (a file imported twice under other details) land in the same part and
 *   cannot make the test customers look like the training ones;
 * - alarms: figures more likely a fault in the data than a fine model, kept with the metrics and shown to the shop
 *   in words (the backtest's alarm is added by the registry when the backtest has run).
 */

import type { FeatureSet } from '../features';
import { type CalibrationMap, levels } from '../learners/calibration';

export type AlarmKind = 'tuning_auc' | 'no_early_stop' | 'two_level_calibration' | 'duplicate_histories' | 'backtest';

export interface Alarm {
  kind: AlarmKind;
  message: string;
}

export interface Backtest {
  /** The date the re-run predicted as of. */
  asOf: number;
  auc: number;
  churnRate: number;
  customers: number;
}

/** A 32-bit value spread evenly over [0, 1). */
function mix(value: number): number {
  let h = value >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return ((h ^ (h >>> 16)) >>> 0) / 2 ** 32;
}

/** FNV-1a over a feature row's bytes: equal rows (identical histories), equal fingerprints. */
function fingerprint(row: Float64Array): number {
  const bytes = new Uint8Array(row.buffer, row.byteOffset, row.byteLength);
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ (bytes[i] as number), 0x01000193);
  return h >>> 0;
}

/**
 * Deterministic position of a history in [0, 1) for the split (train < 0.6 ≤ tune < 0.8 ≤ test): copies of one
 * history land in the same part.
 */
export function historyShare(row: Float64Array, seed: number): number {
  return mix(fingerprint(row) ^ Math.imul(seed, 0x9e3779b1));
}

/**
 * Every buyer's split position by profile id, from their history at `set`'s cutoff (the churn cutoff): the one
 * split every stage uses, so a test customer is never learnt from at any date.
 */
export function splitShares(set: FeatureSet, seed: number): Map<number, number> {
  const shares = new Map<number, number>();
  set.profileIds.forEach((id, i) => {
    if (set.buyer[i]) shares.set(id, historyShare(set.rows[i] as Float64Array, seed));
  });
  return shares;
}

/** Customers with at least this many orders whose history exactly equals another's are suspicious copies. */
const DUPLICATE_MIN_ORDERS = 2;

/** Buyers with a repeat history, and how many of them share that exact history with another buyer. */
export function duplicateHistories(set: FeatureSet, buyers: readonly number[]): { repeat: number; copies: number } {
  const frequency = set.names.indexOf('frequency');
  // Rows bucketed by fingerprint and compared in full within a bucket (a 32-bit hash collides now and then).
  const buckets = new Map<number, { row: Float64Array; count: number }[]>();
  let repeat = 0;
  for (const i of buyers) {
    const row = set.rows[i] as Float64Array;
    if (!((row[frequency] as number) >= DUPLICATE_MIN_ORDERS)) continue;
    repeat += 1;
    const key = fingerprint(row);
    const bucket = buckets.get(key) ?? [];
    const same = bucket.find((b) => sameRow(b.row, row));
    if (same) same.count += 1;
    else bucket.push({ row, count: 1 });
    buckets.set(key, bucket);
  }
  let copies = 0;
  for (const bucket of buckets.values()) for (const { count } of bucket) if (count > 1) copies += count;
  return { repeat, copies };
}

/** Equal values in every column (NaN equal to NaN: a missing value is the same history). */
function sameRow(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let j = 0; j < a.length; j++) if (!Object.is(a[j], b[j])) return false;
  return true;
}

/** Thresholds beyond which a figure is more likely a fault in the data than a fine model (issue 13). */
export const ALARM_LIMITS = {
  tuningAuc: 0.995,
  /** Share (and least number) of repeat buyers sharing their exact history with another. */
  duplicateShare: 0.05,
  duplicateCustomers: 20,
  /** In-app AUC against the backtest's. */
  backtestGap: 0.03,
};

export function churnAlarms(facts: {
  tuningAuc: number;
  treesKept: number;
  /** The most trees training may grow: keeping them all means early stopping never stopped. */
  treeLimit: number;
  calibration: CalibrationMap;
  duplicates: { repeat: number; copies: number };
}): Alarm[] {
  const alarms: Alarm[] = [];
  const percent = (x: number) => `${(x * 100).toFixed(1)}%`;
  if (facts.tuningAuc >= ALARM_LIMITS.tuningAuc)
    alarms.push({
      kind: 'tuning_auc',
      message: `The churn model sorted the customers it was tuned on almost perfectly (AUC ${facts.tuningAuc.toFixed(3)}). Real shops are never that predictable: look for copied customers or a column that gives the answer away, and treat the scores with caution.`,
    });
  if (facts.treesKept >= facts.treeLimit)
    alarms.push({
      kind: 'no_early_stop',
      message: `The churn model was still improving on its tuning customers when it reached its limit of ${facts.treeLimit} steps. That is unusual and can mean the tuning customers resemble the training ones too closely.`,
    });
  if (levels(facts.calibration) <= 2)
    alarms.push({
      kind: 'two_level_calibration',
      message:
        'The churn chances could only be set at two levels, so they say little beyond "likely" or "unlikely". More customers with more history will make them finer.',
    });
  const { repeat, copies } = facts.duplicates;
  if (copies >= ALARM_LIMITS.duplicateCustomers && copies >= ALARM_LIMITS.duplicateShare * repeat)
    alarms.push({
      kind: 'duplicate_histories',
      message: `${copies.toLocaleString('en')} of ${repeat.toLocaleString('en')} repeat customers (${percent(copies / repeat)}) have exactly the same purchase history as another customer. That usually means a file was imported twice under different customer details; the figures were worked out keeping such copies together, but check your imports.`,
    });
  return alarms;
}
