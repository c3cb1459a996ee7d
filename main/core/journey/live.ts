/**
 * A live event's update: the customers it concerns get their journey worked out again from their own events, in
 * the stream's transaction (exactly once, as its offset), against the thresholds and distributions the last full
 * recompute stored. A stage change is recorded and published as `journey.stage_changed` (cause 'live') in that
 * transaction. Target (PERFORMANCE.md): p99 ≤ 5 ms an event; measured (test/bench/journeys.ts, 100k profiles / 1M
 * events, 2,000 live events one at a time) p99 0.5–0.8 ms, p50 0.23–0.27 ms.
 */
import type { EngineContext } from '../context';
import { eventsOfProfile, journeyOf, profileTotals } from '../db/repos/journey';
import { applyJourney, computeJourney, factsOf, type StageChange } from './compute';
import { liveDuringRecomputeOf } from './live-during-recompute';
import { liveShopState } from './shop-state';

/** Each concerned customer once, with the newest live event that concerns them. Call inside a transaction. */
export function updateForLiveEvents(ctx: EngineContext, events: ReadonlyMap<number, number>): StageChange[] {
  if (events.size === 0) return [];
  const shop = liveShopState(ctx);
  const now = ctx.clock.now().getTime();
  const changes: StageChange[] = [];
  const duringRecompute = liveDuringRecomputeOf(ctx);
  for (const [profileId, eventId] of events) {
    const totals = profileTotals(ctx.db, ctx.brandId, profileId);
    if (!totals) continue; // merged away or erased since
    const facts = factsOf(eventsOfProfile(ctx.db, profileId), totals, now);
    const computed = computeJourney(ctx.brandId, profileId, facts, shop, now);
    const change = applyJourney(ctx.db, computed, journeyOf(ctx.db, profileId), { now, cause: 'live', eventId });
    if (duringRecompute.running > 0) duringRecompute.touched.add(profileId);
    if (change) changes.push(change);
  }
  return changes;
}
