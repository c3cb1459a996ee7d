/**
 * What an automation reads about each customer it meets, read for a whole chunk of a sweep at once and kept as
 * steady reads (db/steady-reads.ts) for the chunk's transaction: their consent history, their first email address and
 * phone number, their first name, whether they exist and were not merged away. On the shop's PC a statement costs
 * about 6 µs however little it reads (measured on this machine: `SELECT 1 FROM customer_profile WHERE id = ?`), and
 * a message asked six or seven of them; a chunk of 100 customers asks four. Read at the first miss of one of these
 * (a chunk that only tags, or whose occasions were all handled before, reads nothing).
 */
import { byRecorded, CONSENT_KIND, type ConsentRecord, consentFromHistory } from '../channels/consent';
import type { ChannelName } from '../channels/types';
import type { Database } from '../db/open';
import { primeScores, SCORES_KIND } from '../db/repos/automation-arms';
import { earliestIdentifier, firstIdentifierKind } from '../db/repos/identifiers';
import { PROFILE_KINDS, primeProfiles } from '../db/repos/profiles';
import { stmt } from '../db/statements';
import { primeSteadyOf, readInBulkOnMiss } from '../db/steady-reads';

type ConsentRow = ConsentRecord & { profileId: number; id: number; channel: ChannelName };
interface IdentifierRow {
  profileId: number;
  type: string;
  value: string;
  firstSeenAt: number;
  id: number;
}

function groupBy<T extends { profileId: number }>(rows: T[]): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const r of rows) {
    const list = out.get(r.profileId);
    if (list) list.push(r);
    else out.set(r.profileId, [r]);
  }
  return out;
}

const TYPES = ['email', 'phone'] as const;
const COVERED = new Set<string>([CONSENT_KIND, ...TYPES.map(firstIdentifierKind), ...PROFILE_KINDS, SCORES_KIND]);

export function prefetchCustomers(db: Database, profileIds: readonly number[]): void {
  if (profileIds.length === 0) return;
  readInBulkOnMiss(
    'customers',
    (kind) => COVERED.has(kind),
    () => readCustomers(db, [...new Set(profileIds)]),
  );
}

function readCustomers(db: Database, ids: number[]): void {
  const list = JSON.stringify(ids);
  const consent = groupBy(
    stmt(
      db,
      `SELECT profile_id AS profileId, id, channel, state, source, detail, occurred_at AS occurredAt,
         recorded_at AS recordedAt FROM consent_event WHERE profile_id IN (SELECT value FROM json_each(?))`,
    ).all(list) as ConsentRow[],
  );
  const identifiers = groupBy(
    stmt(
      db,
      `SELECT profile_id AS profileId, type, value, first_seen_at AS firstSeenAt, id FROM profile_identifier
       WHERE profile_id IN (SELECT value FROM json_each(?)) AND type IN ('email', 'phone')`,
    ).all(list) as IdentifierRow[],
  );
  for (const id of ids) {
    const history = (consent.get(id) ?? []).sort(byRecorded);
    primeSteadyOf(CONSENT_KIND, id, consentFromHistory(history));
    const own = identifiers.get(id) ?? [];
    for (const type of TYPES)
      primeSteadyOf(
        firstIdentifierKind(type),
        id,
        earliestIdentifier(own.filter((r) => r.type === type))?.value ?? null,
      );
  }
  primeProfiles(db, ids);
  primeScores(db, ids);
}
