/**
 * Start-up repair of what an earlier version stored past today's limits
 * (shared/limits.ts, issue 14): an infinite lifetime value broke Customers,
 * Customer 360 and Models; a payload nested past SQLite's 1,000 levels broke
 * every retrain; a year-9999 order topped "last seen". Run by createBackend
 * before anything reads the data; what it changed is written in the log and
 * on each event (`payload.limitRepair`), so nothing is changed silently.
 *
 * - Once per data file (a full scan; marked in `setting`): payloads SQLite
 *   cannot read or nested past 32 levels lose their deeper parts; totals and
 *   item prices past ±10^12 are removed (they count nothing).
 * - Every start (index range scans, a few milliseconds): events dated before
 *   1990 or more than a day after the newest time the app has recorded
 *   (never the clock alone: a PC whose clock was reset to 2000 must not
 *   re-date a shop's history) take the time they were received; customers
 *   whose totals or dates are out of range are recomputed from their events
 *   (sums clamped, db/repos/profile-totals `recomputeTotals`).
 */
import { EVENT_TYPES } from '../../../shared/events';
import { AHEAD_MS, EARLIEST_DATE, MAX_DEPTH, moneyInRange } from '../../../shared/limits';
import type { Logger } from '../clock';
import type { Database } from '../db/open';
import {
  eventsDated,
  eventsPastMoneyLimits,
  latestReceivedAt,
  type RepairRow,
  redateEvent,
  setEventPayload,
} from '../db/repos/events';
import { profilesPastLimits, recomputeTotals } from '../db/repos/profile-totals';
import { stmt } from '../db/statements';

/** Bump when the one-time scan learns something new to repair. */
const SCAN_VERSION = 1;
export const LIMITS_SCAN_KEY = 'maintenance.limitsScan';

export interface LimitsRepair {
  events: number;
  profiles: number;
}

export function repairStoredLimits(db: Database, now: number, logger: Logger): LimitsRepair {
  let result: LimitsRepair;
  try {
    result = repair(db, now);
  } catch (error) {
    // A repair that cannot finish must not keep the shop out of the app; it is tried again at the next start.
    logger.error('Checking stored data against the limits failed; it will be tried again at the next start', error);
    return { events: 0, profiles: 0 };
  }
  if (result.events > 0 || result.profiles > 0) {
    logger.warn(
      `Repaired ${result.events} stored event(s) past ConstIntel's limits (amounts beyond ±1,000,000,000,000, dates before 1990 or in the future, data nested too deeply to read) and recomputed ${result.profiles} customer total(s); each repaired event says what changed in its "limitRepair" field.`,
    );
  }
  return result;
}

function repair(db: Database, now: number): LimitsRepair {
  return db.sqlite
    .transaction((): LimitsRepair => {
      const touched = new Set<number>();
      let events = 0;
      if (scanVersion(db) < SCAN_VERSION) {
        events += repairPayloads(db, touched);
        stmt(
          db,
          `INSERT INTO setting (key, value, updated_at) VALUES (?, ?, ?)
           ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
        ).run(LIMITS_SCAN_KEY, JSON.stringify(SCAN_VERSION), now);
      }
      const latest = latestKnownTime(db, now) + AHEAD_MS;
      events += repairDates(db, latest, touched);
      for (const id of profilesPastLimits(db, latest)) touched.add(id);
      for (const id of touched) recomputeTotals(db, id, now);
      return { events, profiles: touched.size };
    })
    .immediate();
}

function scanVersion(db: Database): number {
  const value = stmt(db, 'SELECT value FROM setting WHERE key = ?').pluck().get(LIMITS_SCAN_KEY) as string | undefined;
  return value === undefined ? 0 : Number(JSON.parse(value)) || 0;
}

/** The newest time the app itself recorded (the clock may have been set back since). */
function latestKnownTime(db: Database, now: number): number {
  const received = latestReceivedAt(db);
  return Math.max(now, Number.isFinite(received) ? (received as number) : now);
}

/** Payloads SQLite cannot read, nested past the limit, or with money past the limit (one full scan). */
function repairPayloads(db: Database, touched: Set<number>): number {
  const rows: RepairRow[] = eventsPastMoneyLimits(db);
  // Depth past 32 but within SQLite's 1,000 reads fine everywhere; only what breaks something is rewritten.
  for (const row of rows) {
    setEventPayload(db, row.id, JSON.stringify(repairedPayload(row.payload)));
    if (row.customer_profile_id !== null) touched.add(row.customer_profile_id);
  }
  return rows.length;
}

function repairedPayload(text: string): Record<string, unknown> {
  const notes: string[] = [];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { limitRepair: 'the payload could not be read; it was removed' };
  }
  let cut = false;
  const pruned = prune(value, 1, () => {
    cut = true;
  }) as Record<string, unknown>;
  if (cut) notes.push(`parts nested more than ${MAX_DEPTH} levels deep were removed`);
  if (typeof pruned.total === 'number' && !moneyInRange(pruned.total)) {
    notes.push(`total ${String(pruned.total)} was out of range; it counts nothing`);
    delete pruned.total;
  }
  if (Array.isArray(pruned.items)) {
    for (const item of pruned.items) {
      if (item && typeof item === 'object' && typeof item.price === 'number' && !moneyInRange(item.price)) {
        notes.push(`an item price ${String(item.price)} was out of range; it was removed`);
        delete item.price;
      }
    }
  }
  if (notes.length > 0) pruned.limitRepair = notes.join('; ');
  return pruned;
}

/** A copy with containers below level MAX_DEPTH replaced by null. Bounded recursion: never below MAX_DEPTH + 1. */
function prune(value: unknown, depth: number, onCut: () => void): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH) {
    onCut();
    return null;
  }
  if (Array.isArray(value)) return value.map((v) => prune(v, depth + 1, onCut));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = prune(v, depth + 1, onCut);
  return out;
}

/** Events dated before 1990 or after `latest`: they take the time they were received (index range scans). */
function repairDates(db: Database, latest: number, touched: Set<number>): number {
  const brands = stmt(db, 'SELECT id FROM brand').pluck().all() as number[];
  let repaired = 0;
  for (const brandId of brands) {
    for (const type of EVENT_TYPES) {
      const rows = [
        ...eventsDated(db, brandId, type, '<', EARLIEST_DATE),
        ...eventsDated(db, brandId, type, '>', latest),
      ];
      for (const row of rows) {
        const at = Math.min(Math.max(row.received_at, EARLIEST_DATE), latest);
        let payload: Record<string, unknown>;
        try {
          payload = JSON.parse(row.payload) as Record<string, unknown>;
        } catch {
          payload = {};
        }
        const was = Number.isFinite(new Date(row.occurred_at).getTime())
          ? new Date(row.occurred_at).toISOString()
          : String(row.occurred_at);
        const note = `occurredAt ${was} was out of range; set to when it was received`;
        payload.limitRepair = typeof payload.limitRepair === 'string' ? `${payload.limitRepair}; ${note}` : note;
        redateEvent(db, row.id, at, JSON.stringify(payload));
        if (row.customer_profile_id !== null) touched.add(row.customer_profile_id);
        repaired += 1;
      }
    }
  }
  return repaired;
}
