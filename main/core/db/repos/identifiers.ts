/**
 * The `profile_identifier` rows (who holds which email, phone, account id…) and `shared_identifier_use` (who else
 * uses a value known to be shared, such as a family phone). Prepared once per connection: ingestion looks
 * identifiers up for every event.
 */
import type { Database } from '../open';
import { stmt } from '../statements';
import { steadyOf } from '../steady-reads';
import { profileExists, redirectOf } from './profiles';

export interface IdentifierRow {
  id: number;
  brand_id: number;
  profile_id: number;
  type: string;
  value: string;
  raw_value: string | null;
  source: string;
  first_seen_at: number;
  shared: number;
}

export function findProfileId(db: Database, brandId: number, type: string, value: string): number | undefined {
  const row = stmt(db, 'SELECT profile_id FROM profile_identifier WHERE brand_id = ? AND type = ? AND value = ?').get(
    brandId,
    type,
    value,
  ) as { profile_id: number } | undefined;
  return row?.profile_id;
}

/** Who holds an identifier value, and whether it is known to be shared between people. */
export function findOwner(
  db: Database,
  brandId: number,
  type: string,
  value: string,
): { profileId: number; shared: boolean } | undefined {
  const row = identifierHolder(db, brandId, type, value);
  return row ? { profileId: row.profile_id, shared: row.shared === 1 } : undefined;
}

/** The holder row of an identifier value, as stored. */
export function identifierHolder(
  db: Database,
  brandId: number,
  type: string,
  value: string,
): { profile_id: number; shared: number } | undefined {
  return stmt(
    db,
    'SELECT profile_id, shared FROM profile_identifier WHERE brand_id = ? AND type = ? AND value = ?',
  ).get(brandId, type, value) as { profile_id: number; shared: number } | undefined;
}

/** The identifier row holding a value (its id tells when it was added). */
export function identifierOwnerRow(
  db: Database,
  brandId: number,
  type: string,
  value: string,
): { id: number; profile_id: number } | undefined {
  return stmt(db, 'SELECT id, profile_id FROM profile_identifier WHERE brand_id = ? AND type = ? AND value = ?').get(
    brandId,
    type,
    value,
  ) as { id: number; profile_id: number } | undefined;
}

/** Where the identifiers marked shared go while an import's chunk is written (its undo unmarks them). */
const sharedMarks = new WeakMap<Database, number[]>();

export function collectSharedMarks(db: Database, into: number[] | undefined): void {
  if (into) sharedMarks.set(db, into);
  else sharedMarks.delete(db);
}

export function markShared(db: Database, brandId: number, type: string, value: string): void {
  const marked = stmt(
    db,
    'UPDATE profile_identifier SET shared = 1 WHERE brand_id = ? AND type = ? AND value = ? AND shared = 0 RETURNING id',
  )
    .pluck()
    .all(brandId, type, value) as number[];
  if (marked.length > 0) sharedMarks.get(db)?.push(...marked);
}

export function identifiersOf(db: Database, profileId: number): IdentifierRow[] {
  return stmt(db, 'SELECT * FROM profile_identifier WHERE profile_id = ? ORDER BY first_seen_at, id').all(
    profileId,
  ) as IdentifierRow[];
}

/**
 * The profile's earliest identifier of a type (its email, its phone), or null. A profile has a handful: they are read
 * and the earliest picked here, which costs less than SQLite sorting them (an automation asks this for every message).
 */
export function firstIdentifierValue(db: Database, profileId: number, type: string): string | null {
  return steadyOf(firstIdentifierKind(type), profileId, () => readFirstIdentifier(db, profileId, type));
}

/** The steady-reads kind of profiles' first identifier of a type (automations/prefetch.ts reads a chunk's at once). */
export const firstIdentifierKind = (type: string) => `first ${type}`;

/** The earliest of identifier rows (first seen, then first stored). */
export function earliestIdentifier<T extends { firstSeenAt: number; id: number }>(rows: readonly T[]): T | undefined {
  let first: T | undefined;
  for (const r of rows)
    if (!first || r.firstSeenAt < first.firstSeenAt || (r.firstSeenAt === first.firstSeenAt && r.id < first.id))
      first = r;
  return first;
}

function readFirstIdentifier(db: Database, profileId: number, type: string): string | null {
  const rows = stmt(
    db,
    'SELECT value, first_seen_at AS firstSeenAt, id FROM profile_identifier WHERE profile_id = ? AND type = ?',
  ).all(profileId, type) as { value: string; firstSeenAt: number; id: number }[];
  return earliestIdentifier(rows)?.value ?? null;
}

export function insertIdentifier(
  db: Database,
  row: {
    brandId: number;
    profileId: number;
    type: string;
    value: string;
    rawValue: string | null;
    source: string;
    now: number;
  },
): void {
  stmt(
    db,
    `INSERT INTO profile_identifier (brand_id, profile_id, type, value, raw_value, source, first_seen_at)
     VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (brand_id, type, value) DO NOTHING`,
  ).run(row.brandId, row.profileId, row.type, row.value, row.rawValue, row.source, row.now);
}

/** The highest identifier id given so far (a merge snapshot remembers it). */
export function maxIdentifierId(db: Database): number {
  return (stmt(db, 'SELECT coalesce(max(id), 0) FROM profile_identifier').pluck().get() as number) ?? 0;
}

/** All of one profile's identifiers go to another (a merge). */
export function moveIdentifiers(db: Database, fromProfileId: number, toProfileId: number): void {
  stmt(db, 'UPDATE profile_identifier SET profile_id = ? WHERE profile_id = ?').run(toProfileId, fromProfileId);
}

/** One identifier goes back to `profileId`, if `holderId` still holds it (an undo). */
export function returnIdentifier(db: Database, identifierId: number, profileId: number, holderId: number): void {
  stmt(db, 'UPDATE profile_identifier SET profile_id = ? WHERE id = ? AND profile_id = ?').run(
    profileId,
    identifierId,
    holderId,
  );
}

export function setIdentifierProfile(db: Database, identifierId: number, profileId: number): void {
  stmt(db, 'UPDATE profile_identifier SET profile_id = ? WHERE id = ?').run(profileId, identifierId);
}

/** Record that a profile uses a shared value (see `shared_identifier_use`). */
export function recordSharedUse(
  db: Database,
  brandId: number,
  type: string,
  value: string,
  profileId: number,
  at: number,
): void {
  stmt(
    db,
    'INSERT OR IGNORE INTO shared_identifier_use (brand_id, type, value, profile_id, first_seen_at) VALUES (?, ?, ?, ?, ?)',
  ).run(brandId, type, value, profileId, at);
}

/** How many profiles besides its holder were recorded using a shared value. */
export function sharedUseCount(db: Database, brandId: number, type: string, value: string): number {
  return stmt(db, 'SELECT count(*) FROM shared_identifier_use WHERE brand_id = ? AND type = ? AND value = ?')
    .pluck()
    .get(brandId, type, value) as number;
}

/** The live profiles using a shared value: its holder and everyone recorded with it, merged ids followed. */
export function sharedUsers(db: Database, brandId: number, type: string, value: string, holder: number): number[] {
  const recorded = stmt(
    db,
    'SELECT profile_id FROM shared_identifier_use WHERE brand_id = ? AND type = ? AND value = ? ORDER BY first_seen_at, profile_id',
  )
    .pluck()
    .all(brandId, type, value) as number[];
  const users = new Set<number>([holder]);
  for (const id of recorded) {
    const current = redirectOf(db, id) ?? id;
    if (profileExists(db, current)) users.add(current);
  }
  return [...users];
}

/** Shared values a profile uses that another profile holds (the 360 page lists them). */
export function sharedValuesUsedBy(
  db: Database,
  profileId: number,
): { type: string; value: string; first_seen_at: number }[] {
  return stmt(
    db,
    `SELECT u.type, u.value, u.first_seen_at FROM shared_identifier_use u
           WHERE u.profile_id = ? AND NOT EXISTS (
             SELECT 1 FROM profile_identifier i WHERE i.brand_id = u.brand_id AND i.type = u.type AND i.value = u.value AND i.profile_id = u.profile_id)
           ORDER BY u.first_seen_at`,
  ).all(profileId) as { type: string; value: string; first_seen_at: number }[];
}

/** Every shared value a profile was recorded using (a data export). */
export function sharedUsesOf(db: Database, profileId: number): unknown[] {
  return stmt(
    db,
    'SELECT type, value, first_seen_at AS firstSeenAt FROM shared_identifier_use WHERE profile_id = ? ORDER BY first_seen_at',
  ).all(profileId);
}
