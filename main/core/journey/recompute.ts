/**
 * The full recompute: every customer's stage, lapsed flag, score and next milestone, with the shop's thresholds set
 * again from its own history. Two passes, each in slices the event loop turns between (webhooks and the UI answered
 * meanwhile, as automations/evaluate.ts `fireInTurns` does): read every customer's events by ranges of profile ids
 * through the (profile, time) index and work out their facts; then, with the thresholds and distributions of the
 * whole shop, write the rows that changed in transactions of 2,000 customers, each stage change in the same
 * transaction as its row (a kill mid-way leaves whole batches: the rerun finds the rest once).
 *
 * Causes: a recompute's changes are 'recompute', or 'import' when imported history arrived since the last one;
 * neither is published, so history never fires an automation. A customer whose row a live event updated after the
 * recompute began is left as that update wrote it (it read fresher events than this pass).
 *
 * Target at 100k profiles / 1M events: ≤ 5 s. Measured (test/bench/journeys.ts, 2 shared cores): the first placing
 * 4.8 s = 4.4× the baseline pass over the events (1.1 s) in one run, 7.5 s = 5.0× (1.5 s) in a slower one; the
 * nightly case (nothing changed) 3.6–3.8×. Close to the line: about a third is reading the events (the (profile,
 * time) index then the table, as the baseline does), the rest working out and writing rows. The main thread is held
 * at most one slice (~5,000 customers' events, tens of ms) at a time.
 */
import type { JourneyStage, RecomputeResult } from '../../../shared/contract/journeys';
import { JOURNEY_STAGES } from '../../../shared/contract/journeys';
import type { EngineContext } from '../context';
import {
  type EventTuple,
  eventsInRange,
  finishShop,
  flagShop,
  journeysInRange,
  profileIdBounds,
  profilesInRange,
  saveShop,
  shopRow,
} from '../db/repos/journey';
import { applyJourney, computeJourney, type Facts, factsOf, type ShopState } from './compute';
import { liveDuringRecomputeOf } from './live-during-recompute';
import { shopLines } from './rules';
import { distributionsOf, storedDistributions } from './score';
import { bandsOf, moneyOf } from './shop-state';

const READ_SLICE = 5_000;
const WRITE_BATCH = 2_000;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function emptyCounts(): Record<JourneyStage, number> {
  return Object.fromEntries(JOURNEY_STAGES.map((s) => [s, 0])) as Record<JourneyStage, number>;
}

/** Reads every customer's facts, a slice of profile ids at a time. */
async function readAll(ctx: EngineContext, now: number): Promise<{ ids: number[]; facts: Facts[] }> {
  const ids: number[] = [];
  const facts: Facts[] = [];
  const bounds = profileIdBounds(ctx.db, ctx.brandId);
  if (!bounds) return { ids, facts };
  for (let from = bounds.min; from <= bounds.max; from += READ_SLICE) {
    if (!ctx.db.sqlite.open) break;
    const to = from + READ_SLICE - 1;
    const profiles = profilesInRange(ctx.db, ctx.brandId, from, to);
    const events = eventsInRange(ctx.db, from, to);
    let e = 0;
    for (const p of profiles) {
      while (e < events.length && (events[e] as EventTuple)[0] < p.id) e += 1;
      const start = e;
      while (e < events.length && (events[e] as EventTuple)[0] === p.id) e += 1;
      ids.push(p.id);
      facts.push(factsOf(events.slice(start, e), p, now));
    }
    await nextTurn();
  }
  return { ids, facts };
}

export async function recomputeAll(ctx: EngineContext): Promise<RecomputeResult> {
  const live = liveDuringRecomputeOf(ctx);
  if (live.running === 0) live.touched.clear();
  live.running += 1;
  try {
    return await recompute(ctx, live.touched);
  } finally {
    live.running -= 1;
  }
}

async function recompute(ctx: EngineContext, touched: ReadonlySet<number>): Promise<RecomputeResult> {
  const started = performance.now();
  const now = ctx.clock.now().getTime();
  // Taken (and cleared) first: imported history that arrives while this runs marks the next recompute.
  const cause = ctx.db.sqlite
    .transaction(() => {
      const pending = shopRow(ctx.db, ctx.brandId)?.importPending === 1;
      if (pending) flagShop(ctx.db, ctx.brandId, 'import_pending', false);
      return pending ? ('import' as const) : ('recompute' as const);
    })
    .immediate();

  const { ids, facts } = await readAll(ctx, now);
  const lines = shopLines(facts);
  const full = distributionsOf(facts);
  const shop: ShopState = { lines, distributions: full, bands: bandsOf(ctx), formatMoney: moneyOf(ctx) };
  ctx.db.sqlite
    .transaction(() =>
      saveShop(ctx.db, ctx.brandId, {
        thresholds: JSON.stringify(lines),
        distributions: JSON.stringify(storedDistributions(full)),
        customers: ids.length,
        computedAt: now,
      }),
    )
    .immediate();

  const stages = emptyCounts();
  let lapsed = 0;
  let changed = 0;
  for (let i = 0; i < ids.length; i += WRITE_BATCH) {
    if (!ctx.db.sqlite.open) break;
    const end = Math.min(ids.length, i + WRITE_BATCH);
    ctx.db.sqlite
      .transaction(() => {
        const stored = new Map(
          journeysInRange(ctx.db, ids[i] as number, ids[end - 1] as number).map((j) => [j.profileId, j]),
        );
        for (let k = i; k < end; k++) {
          const id = ids[k] as number;
          const existing = stored.get(id);
          if (existing && (existing.updatedAt > now || touched.has(id))) {
            // A live event updated them since this began; count them as that update left them.
            stages[existing.stage as JourneyStage] += 1;
            continue;
          }
          const c = computeJourney(ctx.brandId, id, facts[k] as Facts, shop, now);
          stages[c.stage] += 1;
          if (c.row.lapsed) lapsed += 1;
          if (applyJourney(ctx.db, c, existing, { now, cause, eventId: null })) changed += 1;
        }
      })
      .immediate();
    await nextTurn();
  }
  const tookMs = Math.round(performance.now() - started);
  if (ctx.db.sqlite.open) ctx.db.sqlite.transaction(() => finishShop(ctx.db, ctx.brandId, tookMs)).immediate();
  const counts = JOURNEY_STAGES.map((s) => `${stages[s].toLocaleString('en')} ${s}`).join(', ');
  return {
    stages,
    customers: ids.length,
    lapsed,
    changed,
    tookMs,
    summary: `${ids.length.toLocaleString('en')} customers: ${counts}; ${lapsed.toLocaleString('en')} lapsed; ${changed.toLocaleString('en')} stage changes (${(tookMs / 1000).toFixed(1)} s).`,
  };
}
