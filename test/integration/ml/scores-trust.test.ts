/**
 * Scores a shop can act on (issue 13), on a real data file: the stored churn probabilities keep the model's
 * ranking exactly (distinct raw scores stay distinct, none is 0 or 1), the version carries its backtest once the
 * background check has run, the alarms fire on a shop whose customers were imported twice (and copies stay on one
 * side of the split), and not on an ordinary one.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../main/core/clock';
import { type Database, openDatabase } from '../../../main/core/db/open';
import { buildFeatures } from '../../../main/core/ml/features';
import { ALARM_LIMITS, churnAlarms, splitShares } from '../../../main/core/ml/retrain/checks';
import { listVersions } from '../../../main/core/ml/retrain/registry';
import { RETRAIN_SEED, runBacktest, runRetrain } from '../../../main/core/ml/retrain/retrain-job';
import { churnScore } from '../../../main/core/ml/retrain/scoring';
import { train } from '../../../main/core/ml/retrain/train';
import type { TreesArtifact } from '../../../main/core/ml/retrain/trained';
import { ensureDefaultBrand } from '../../../main/core/settings/settings-store';
import { TEST_NOW, tempDir } from '../../support/backend';
import { seedMlShop } from '../../support/ml-shop';

const NOW = Date.parse(TEST_NOW);
const BRAND = 1;
const dir = tempDir();
afterAll(() => dir.remove());

function shop(name: string, customers: number, seed: number): Database {
  const db = openDatabase(join(dir.path, `${name}.db`));
  ensureDefaultBrand(db, fixedClock(TEST_NOW));
  seedMlShop(db, { customers, end: NOW, days: 548, seed });
  return db;
}

/** Every customer imported a second time under new details: the same events on a new profile. */
function duplicateEveryone(db: Database): Map<number, number> {
  const copyOf = new Map<number, number>();
  const ids = db.sqlite.prepare('SELECT id FROM customer_profile WHERE brand_id = ?').pluck().all(BRAND) as number[];
  const copyProfile = db.sqlite.prepare(
    `INSERT INTO customer_profile (brand_id, first_name, last_name, search_name, search_last, lifetime_value,
       total_orders, strength, email_consent, sms_consent, whatsapp_consent, first_seen_at, last_seen_at,
       last_purchase_at, created_at, updated_at)
     SELECT brand_id, first_name, last_name, search_name, search_last, lifetime_value, total_orders, strength,
       email_consent, sms_consent, whatsapp_consent, first_seen_at, last_seen_at, last_purchase_at, created_at,
       updated_at FROM customer_profile WHERE id = ?`,
  );
  const copyEvents = db.sqlite.prepare(
    `INSERT INTO customer_raw_event (brand_id, event_type, source, external_id, payload, identifiers, occurred_at,
       received_at, customer_profile_id, order_id)
     SELECT brand_id, event_type, source, external_id || '-copy', payload, identifiers, occurred_at, received_at, ?,
       order_id || '-copy' FROM customer_raw_event WHERE customer_profile_id = ?`,
  );
  db.sqlite.transaction(() => {
    for (const id of ids) {
      const copy = Number(copyProfile.run(id).lastInsertRowid);
      copyEvents.run(copy, id);
      copyOf.set(id, copy);
    }
  })();
  return copyOf;
}

describe('stored churn scores keep the model’s ranking', () => {
  it('stores distinct probabilities for distinct raw scores, in the same order, none exactly 0 or 1', () => {
    const db = shop('ranking', 1500, 21);
    try {
      const outcome = runRetrain(db, { brandId: BRAND, now: NOW });
      const artifact = JSON.parse(
        db.sqlite.prepare('SELECT artifact FROM model_version WHERE id = ?').pluck().get(outcome.versionId) as string,
      ) as TreesArtifact;
      expect(artifact.method).toBe('trees');
      const stored = new Map(
        (
          db.sqlite.prepare('SELECT profile_id, churn_score FROM predictions WHERE churn_score IS NOT NULL').all() as {
            profile_id: number;
            churn_score: number;
          }[]
        ).map((r) => [r.profile_id, r.churn_score]),
      );
      expect(stored.size).toBe(1500);
      for (const p of stored.values()) {
        expect(p).toBeGreaterThan(0);
        expect(p).toBeLessThan(1);
      }
      const set = buildFeatures(db, BRAND, artifact.asOf + 1, artifact.categories);
      const pairs = set.profileIds
        .map((id, i) => ({ raw: churnScore(artifact, set.rows[i] as Float64Array), stored: stored.get(id) }))
        .filter((p): p is { raw: number; stored: number } => p.stored !== undefined);
      expect(new Set(pairs.map((p) => p.stored)).size).toBe(new Set(pairs.map((p) => p.raw)).size);
      pairs.sort((a, b) => a.raw - b.raw);
      for (let i = 1; i < pairs.length; i++) {
        const [a, b] = [pairs[i - 1], pairs[i]] as [{ raw: number; stored: number }, { raw: number; stored: number }];
        if (b.raw > a.raw) expect(b.stored).toBeGreaterThan(a.stored);
        else expect(b.stored).toBe(a.stored);
      }

      // The backtest: the same procedure one horizon earlier, checked on what followed, kept with the metrics.
      const backtest = runBacktest(db, BRAND, outcome, RETRAIN_SEED);
      expect(backtest).not.toBeNull();
      expect(backtest?.asOf).toBe(artifact.asOf - artifact.horizons.churnDays * 86_400_000);
      expect(backtest?.customers).toBeGreaterThan(1000);
      const metrics = listVersions(db, BRAND)[0]?.metrics;
      expect(metrics?.backtest).toEqual(backtest);
      expect(Math.abs((backtest?.auc ?? 0) - (metrics?.churn?.auc ?? 1))).toBeLessThan(ALARM_LIMITS.backtestGap);
      expect(metrics?.alarms).toEqual([]);
    } finally {
      db.close();
    }
  });
});

describe('alarms', () => {
  it('fire on a shop whose customers were all imported twice, and copies stay on one side of the split', () => {
    const db = shop('copies', 800, 5);
    try {
      const copyOf = duplicateEveryone(db);
      const trained = train(db, BRAND, { now: NOW, seed: RETRAIN_SEED });
      expect(trained.method).toBe('trees');
      expect(trained.metrics.alarms?.map((a) => a.kind)).toContain('duplicate_histories');
      const set = buildFeatures(db, BRAND, trained.artifact.asOf - trained.artifact.horizons.churnDays * 86_400_000);
      const shares = splitShares(set, RETRAIN_SEED);
      const part = (s: number | undefined) =>
        s === undefined ? 'none' : s < 0.6 ? 'train' : s < 0.8 ? 'tune' : 'test';
      let compared = 0;
      for (const [id, copy] of copyOf) {
        if (!shares.has(id)) continue;
        expect(part(shares.get(copy))).toBe(part(shares.get(id)));
        compared += 1;
      }
      expect(compared).toBeGreaterThan(500);
    } finally {
      db.close();
    }
  });

  it('stay quiet on an ordinary shop, and name each fault in words', () => {
    const db = shop('ordinary', 800, 5);
    try {
      expect(train(db, BRAND, { now: NOW, seed: RETRAIN_SEED }).metrics.alarms).toEqual([]);
    } finally {
      db.close();
    }
    const alarms = churnAlarms({
      tuningAuc: 0.998,
      treesKept: 200,
      treeLimit: 200,
      calibration: { kind: 'isotonic', x: [0.02, 0.52, 0.56, 0.99], y: [0, 0, 1, 1] },
      duplicates: { repeat: 1000, copies: 400 },
    });
    expect(alarms.map((a) => a.kind)).toEqual([
      'tuning_auc',
      'no_early_stop',
      'two_level_calibration',
      'duplicate_histories',
    ]);
    expect(alarms[3]?.message).toMatch(/^400 of 1,000 repeat customers \(40\.0%\)/);
  });
});
