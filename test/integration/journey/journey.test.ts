/**
 * The journey engine on a real (in-memory) data file with the app's migrations: a till-only shop's regulars reach
 * Retention; a live event's stage change is recorded once and published once; imported history recomputed is
 * marked 'import' and publishes nothing (no automation decision); a batch that throws mid-way records nothing and
 * the rerun records each change once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../../main/core/backend';
import { ingestEvent } from '../../../main/core/ingest/ingest-event';
import { recomputeAll } from '../../../main/core/journey/recompute';
import { streamsOf } from '../../../main/core/streams/streams';
import { ingestOne, inMemoryBackend } from '../../support/backend';
import { ev } from '../../support/events';

const DAY = 86_400_000;
const NOW = Date.parse('2026-03-01T10:00:00Z');
let backend: Backend;

beforeEach(async () => {
  backend = await inMemoryBackend();
});
afterEach(async () => {
  await backend.close();
});

const posPurchase = (card: string, daysAgo: number, total = 12) =>
  ev({
    type: 'purchase',
    source: 'pos',
    identifiers: { loyalty_id: card },
    occurredAt: new Date(NOW - daysAgo * DAY).toISOString(),
    payload: { total, currency: 'GBP' },
  });
const count = (sql: string, ...args: unknown[]) =>
  backend.db.sqlite
    .prepare(sql)
    .pluck()
    .get(...args) as number;
const published = () => count("SELECT count(*) FROM stream_message WHERE stream = 'journey.stage_changed'");
const stageOf = (id: number) =>
  backend.db.sqlite.prepare('SELECT stage FROM customer_journey WHERE profile_id = ?').pluck().get(id) as string;

describe('journeys', () => {
  it("a till-only shop's regulars reach Retention; one-off buyers stay at Purchase", async () => {
    const ids: number[] = [];
    for (let c = 0; c < 25; c++)
      for (let w = 0; w < 6; w++) ids[c] = ingestOne(backend, posPurchase(`CARD${c}`, 3 + w * 7)).profileId as number;
    const once = ingestOne(backend, posPurchase('ONCE', 10)).profileId as number;
    const result = await backend.call('journeys.recompute', {});
    expect(result.stages.retention + result.stages.advocacy).toBe(25);
    expect(stageOf(once)).toBe('purchase');
    const summary = await backend.call('journeys.summary', {});
    expect(summary.thresholds).toMatchObject({ basis: 'shop', regularGapDays: 7, frequentGapDays: 7 });
    expect(summary.funnel.reduce((s, f) => s + f.customers, 0)).toBe(26);
    const one = await backend.call('journeys.forCustomer', { profileId: ids[0] as number });
    expect(one.stage).toMatch(/retention|advocacy/);
    expect(one.touchpoints).toHaveLength(6);
    // Each change recorded once, as a chain (newest first): live as the purchases came, then the recompute's.
    const chain = [...one.transitions].reverse();
    for (let i = 1; i < chain.length; i++) expect(chain[i]?.from).toBe(chain[i - 1]?.to);
    expect(count('SELECT count(*) FROM customer_journey_transition WHERE profile_id = ?', ids[0])).toBe(
      one.transitions.length,
    );
  });

  it('a live event moving a stage: one transition, one journey.stage_changed, none again on a second pump', async () => {
    await backend.call('journeys.recompute', {});
    const first = ingestOne(backend, posPurchase('LIVE', 20)).profileId as number;
    ingestOne(backend, posPurchase('LIVE', 10));
    await streamsOf(backend.ctx).pump();
    expect(stageOf(first)).toBe('purchase');
    ingestOne(backend, posPurchase('LIVE', 0));
    await streamsOf(backend.ctx).pump();
    await streamsOf(backend.ctx).pump();
    expect(stageOf(first)).toBe('retention');
    const rows = backend.db.sqlite
      .prepare('SELECT from_stage, to_stage, cause FROM customer_journey_transition WHERE profile_id = ? ORDER BY id')
      .all(first);
    expect(rows).toEqual([
      { from_stage: null, to_stage: 'purchase', cause: 'live' },
      { from_stage: 'purchase', to_stage: 'retention', cause: 'live' },
    ]);
    expect(published()).toBe(2);
    const forCustomer = await backend.call('journeys.forCustomer', { profileId: first });
    expect(forCustomer.nextMilestone?.kind).toBeDefined();
  });

  it('imported history recomputed: changes marked import, nothing published, no automation decision', async () => {
    for (let w = 0; w < 4; w++)
      ingestEvent(backend.db, posPurchase('HIST', 5 + w * 7), {
        brandId: backend.ctx.brandId,
        now: NOW,
        normalize: { defaultCountry: 'GB' },
        origin: 'import',
      });
    await streamsOf(backend.ctx).pump();
    expect(count('SELECT import_pending FROM journey_shop')).toBe(1);
    await backend.call('journeys.recompute', {});
    expect(backend.db.sqlite.prepare('SELECT DISTINCT cause FROM customer_journey_transition').pluck().all()).toEqual([
      'import',
    ]);
    await streamsOf(backend.ctx).pump();
    expect(published()).toBe(0);
    expect(count('SELECT count(*) FROM automation_decision')).toBe(0);
    expect(count('SELECT import_pending FROM journey_shop')).toBe(0);
  });

  it('a recompute killed mid-batch records nothing of that batch; the rerun records each change once', async () => {
    for (let c = 0; c < 30; c++) ingestOne(backend, posPurchase(`K${c}`, 4));
    backend.db.sqlite.exec(
      `CREATE TRIGGER die AFTER INSERT ON customer_journey_transition WHEN NEW.profile_id = 20
       BEGIN SELECT RAISE(ABORT, 'killed'); END`,
    );
    await expect(recomputeAll(backend.ctx)).rejects.toThrow('killed');
    expect(count('SELECT count(*) FROM customer_journey_transition')).toBe(0);
    expect(count('SELECT count(*) FROM customer_journey')).toBe(0);
    backend.db.sqlite.exec('DROP TRIGGER die');
    await recomputeAll(backend.ctx);
    await recomputeAll(backend.ctx);
    expect(count('SELECT count(*) FROM customer_journey_transition')).toBe(30);
    expect(count('SELECT count(DISTINCT profile_id) FROM customer_journey_transition')).toBe(30);
  });
});
