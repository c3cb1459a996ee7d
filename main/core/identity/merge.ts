/**
 * Merging profiles and undoing it. A merge unites identifiers, re-attaches
 * events, recomputes totals from the events, leaves a redirect for each
 * merged-away id, and writes a `merge_history` row holding everything needed
 * to undo it. Callers run these inside one IMMEDIATE transaction (SQLite has
 * one writer, so two merges touching the same profiles never interleave).
 */
import { AppError } from '../../../shared/contract/errors';
import type { Database } from '../db/open';
import { stmt } from '../db/statements';
import {
  byStrength,
  getProfile,
  getProfiles,
  type IdentifierRow,
  identifiersOf,
  type ProfileRow,
  recomputeTotals,
  redirectOf,
  refreshStrength,
  setNames,
  settlePendingTotals,
} from './identity-repo';
import { identifierKey } from './normalize';
import { SHAREABLE_TYPES } from './strength';

export interface EvidenceItem {
  type: string;
  value: string;
  profileIds: number[];
  source: string;
}

interface MergedSnapshot {
  profile: ProfileRow;
  identifiers: IdentifierRow[];
  eventIds: number[];
}

export interface MergeSnapshot {
  base: ProfileRow;
  baseIdentifierIds: number[];
  merged: MergedSnapshot[];
  /** Events with a higher id arrived after the merge: an undo re-resolves them. */
  maxEventId: number;
  /** Identifiers with a higher id were added after the merge: an undo gives them to whoever their event went to. */
  maxIdentifierId?: number;
  /** Redirects that pointed at a merged profile before (an undo points them back). */
  redirects?: { from: number; to: number }[];
  /** Pending reviews naming a merged profile, as they were (an undo restores them). */
  reviews?: { id: number; candidates: string }[];
}

export interface MergeResult {
  baseId: number;
  mergeId: number;
  mergedIds: number[];
}

export function mergeProfiles(
  db: Database,
  args: {
    brandId: number;
    profileIds: readonly number[];
    reason: 'automatic' | 'review';
    evidence: EvidenceItem[];
    now: number;
  },
): MergeResult {
  // The snapshot keeps the profiles as they stand, totals included: an import's pending totals go in first.
  settlePendingTotals(db, args.now, args.profileIds);
  const profiles = getProfiles(db, [...new Set(args.profileIds)]).sort(byStrength);
  const base = profiles[0];
  if (!base || profiles.length < 2) throw new AppError('conflict', 'These customers are already one customer.');
  const others = profiles.slice(1);

  const snapshot: MergeSnapshot = {
    base,
    baseIdentifierIds: identifiersOf(db, base.id).map((i) => i.id),
    merged: others.map((profile) => ({
      profile,
      identifiers: identifiersOf(db, profile.id),
      eventIds: stmt(db, 'SELECT id FROM customer_raw_event WHERE customer_profile_id = ?')
        .pluck()
        .all(profile.id) as number[],
    })),
    maxEventId: (stmt(db, 'SELECT coalesce(max(id), 0) FROM customer_raw_event').pluck().get() as number) ?? 0,
    maxIdentifierId: (stmt(db, 'SELECT coalesce(max(id), 0) FROM profile_identifier').pluck().get() as number) ?? 0,
    redirects: others.flatMap(
      (o) =>
        stmt(
          db,
          'SELECT from_profile_id AS "from", to_profile_id AS "to" FROM profile_redirect WHERE to_profile_id = ?',
        ).all(o.id) as { from: number; to: number }[],
    ),
    reviews: (
      stmt(db, "SELECT id, candidate_profile_ids FROM merge_review WHERE status = 'pending'").all() as {
        id: number;
        candidate_profile_ids: string;
      }[]
    )
      .filter((r) => (JSON.parse(r.candidate_profile_ids) as number[]).some((id) => others.some((o) => o.id === id)))
      .map((r) => ({ id: r.id, candidates: r.candidate_profile_ids })),
  };

  const history = stmt(
    db,
    `INSERT INTO merge_history (brand_id, base_profile_id, merged_profile_ids, snapshot, reason, evidence, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    args.brandId,
    base.id,
    JSON.stringify(others.map((o) => o.id)),
    JSON.stringify(snapshot),
    args.reason,
    JSON.stringify(args.evidence),
    args.now,
  );
  const mergeId = Number(history.lastInsertRowid);

  let firstName = base.first_name;
  let lastName = base.last_name;
  for (const other of others) {
    stmt(db, 'UPDATE profile_identifier SET profile_id = ? WHERE profile_id = ?').run(base.id, other.id);
    stmt(db, 'UPDATE customer_raw_event SET customer_profile_id = ? WHERE customer_profile_id = ?').run(
      base.id,
      other.id,
    );
    stmt(db, 'UPDATE profile_redirect SET to_profile_id = ? WHERE to_profile_id = ?').run(base.id, other.id);
    stmt(
      db,
      'INSERT OR REPLACE INTO profile_redirect (from_profile_id, to_profile_id, merge_history_id) VALUES (?, ?, ?)',
    ).run(other.id, base.id, mergeId);
    if (!firstName && !lastName) {
      firstName = other.first_name;
      lastName = other.last_name;
    }
    stmt(
      db,
      `UPDATE customer_profile SET
         email_consent = coalesce(email_consent, ?), sms_consent = coalesce(sms_consent, ?), whatsapp_consent = coalesce(whatsapp_consent, ?),
         created_at = min(created_at, ?)
       WHERE id = ?`,
    ).run(other.email_consent, other.sms_consent, other.whatsapp_consent, other.created_at, base.id);
    // Whoever this profile was told apart from stays apart from the merged profile.
    const separations = stmt(
      db,
      'SELECT profile_a, profile_b, evidence FROM profile_separation WHERE brand_id = ? AND (profile_a = ? OR profile_b = ?)',
    ).all(args.brandId, other.id, other.id) as { profile_a: number; profile_b: number; evidence: string }[];
    for (const row of separations) {
      const partner = row.profile_a === other.id ? row.profile_b : row.profile_a;
      if (partner !== base.id)
        separate(db, args.brandId, [base.id, partner], JSON.parse(row.evidence) as string[], args.now);
    }
    stmt(db, 'DELETE FROM customer_profile WHERE id = ?').run(other.id);
  }
  setNames(db, base.id, firstName, lastName);
  supersedeReviews(
    db,
    others.map((o) => o.id),
    base.id,
    args.now,
  );
  refreshStrength(db, base.id);
  recomputeTotals(db, base.id, args.now);
  return { baseId: base.id, mergeId, mergedIds: others.map((o) => o.id) };
}

/** Pending reviews naming a merged-away profile now name the survivor; one left means nothing to decide. */
function supersedeReviews(db: Database, mergedIds: number[], baseId: number, now: number): void {
  const pending = stmt(db, "SELECT id, candidate_profile_ids FROM merge_review WHERE status = 'pending'").all() as {
    id: number;
    candidate_profile_ids: string;
  }[];
  const gone = new Set(mergedIds);
  for (const review of pending) {
    const ids = JSON.parse(review.candidate_profile_ids) as number[];
    if (!ids.some((id) => gone.has(id))) continue;
    const next = [...new Set(ids.map((id) => (gone.has(id) ? baseId : id)))].sort((a, b) => a - b);
    if (next.length < 2) {
      stmt(db, "UPDATE merge_review SET status = 'superseded', decided_at = ? WHERE id = ?").run(now, review.id);
    } else {
      stmt(db, 'UPDATE merge_review SET candidate_profile_ids = ? WHERE id = ?').run(JSON.stringify(next), review.id);
    }
  }
}

export interface UndoResult {
  baseProfileId: number;
  restoredProfileIds: number[];
  /** Every profile whose contents changed (for cache invalidation). */
  touched: number[];
}

export function undoMerge(db: Database, mergeId: number, now: number): UndoResult {
  const history = stmt(db, 'SELECT * FROM merge_history WHERE id = ?').get(mergeId) as
    | {
        id: number;
        brand_id: number;
        base_profile_id: number;
        snapshot: string;
        evidence: string;
        undone_at: number | null;
      }
    | undefined;
  if (!history) throw new AppError('not_found', `There is no merge #${mergeId}.`);
  if (history.undone_at !== null) throw new AppError('conflict', `Merge #${mergeId} was already undone.`);
  const baseId = history.base_profile_id;
  if (!getProfile(db, baseId)) {
    const later = redirectOf(db, baseId);
    throw new AppError(
      'conflict',
      `Customer #${baseId} was later merged into #${later ?? '?'}. Undo that merge first, then this one.`,
    );
  }
  const snapshot = JSON.parse(history.snapshot) as MergeSnapshot;
  const restored: number[] = [];
  const insertProfile = stmt(
    db,
    `INSERT INTO customer_profile (id, brand_id, first_name, last_name, search_name, search_last, lifetime_value, total_orders, strength,
       email_consent, sms_consent, whatsapp_consent, first_seen_at, last_seen_at, last_purchase_at, created_at, updated_at)
     VALUES (@id, @brand_id, @first_name, @last_name, @search_name, @search_last, @lifetime_value, @total_orders, @strength,
       @email_consent, @sms_consent, @whatsapp_consent, @first_seen_at, @last_seen_at, @last_purchase_at, @created_at, @updated_at)`,
  );
  for (const merged of snapshot.merged) {
    insertProfile.run({ ...merged.profile, updated_at: now });
    restored.push(merged.profile.id);
    stmt(db, 'DELETE FROM profile_redirect WHERE from_profile_id = ?').run(merged.profile.id);
    for (const identifier of merged.identifiers) {
      stmt(db, 'UPDATE profile_identifier SET profile_id = ? WHERE id = ? AND profile_id = ?').run(
        merged.profile.id,
        identifier.id,
        baseId,
      );
    }
    const moveEvent = stmt(
      db,
      'UPDATE customer_raw_event SET customer_profile_id = ? WHERE id = ? AND customer_profile_id = ?',
    );
    for (const eventId of merged.eventIds) moveEvent.run(merged.profile.id, eventId, baseId);
  }
  // The base's own fields as they were before the merge (names, consent); totals are recomputed below.
  const base = snapshot.base;
  setNames(db, baseId, base.first_name, base.last_name);
  stmt(
    db,
    'UPDATE customer_profile SET email_consent = ?, sms_consent = ?, whatsapp_consent = ?, created_at = ? WHERE id = ?',
  ).run(base.email_consent, base.sms_consent, base.whatsapp_consent, base.created_at, baseId);

  // Events that arrived after the merge go to whichever restored profile holds their identifiers (a personal
  // identifier counts double a shareable one; identifiers those events brought themselves do not count), and
  // the identifiers added since the merge follow the first event that brought them.
  const candidates = [baseId, ...restored];
  const sinceMerge = snapshot.maxIdentifierId ?? Number.POSITIVE_INFINITY;
  const owner = stmt(db, 'SELECT id, profile_id FROM profile_identifier WHERE brand_id = ? AND type = ? AND value = ?');
  const later = stmt(
    db,
    'SELECT id, identifiers FROM customer_raw_event WHERE customer_profile_id = ? AND id > ? ORDER BY id',
  ).all(baseId, snapshot.maxEventId) as { id: number; identifiers: string }[];
  const newIdentifierHome = new Map<number, number>();
  for (const event of later) {
    const carried = JSON.parse(event.identifiers) as [string, string][];
    const counts = new Map<number, number>();
    for (const [type, value] of carried) {
      const held = owner.get(history.brand_id, type, value) as { id: number; profile_id: number } | undefined;
      if (!held || held.id > sinceMerge || !candidates.includes(held.profile_id)) continue;
      counts.set(held.profile_id, (counts.get(held.profile_id) ?? 0) + (SHAREABLE_TYPES.has(type) ? 1 : 2));
    }
    let best = baseId;
    for (const [profileId, count] of counts) if (count > (counts.get(best) ?? 0)) best = profileId;
    if (best !== baseId)
      stmt(db, 'UPDATE customer_raw_event SET customer_profile_id = ? WHERE id = ?').run(best, event.id);
    for (const [type, value] of carried) {
      const held = owner.get(history.brand_id, type, value) as { id: number; profile_id: number } | undefined;
      if (held && held.id > sinceMerge && held.profile_id === baseId && !newIdentifierHome.has(held.id)) {
        newIdentifierHome.set(held.id, best);
      }
    }
  }
  for (const [identifierId, profileId] of newIdentifierHome) {
    if (profileId !== baseId)
      stmt(db, 'UPDATE profile_identifier SET profile_id = ? WHERE id = ?').run(profileId, identifierId);
  }

  // Profiles merged into a restored one earlier lead to it again; reviews this merge rewrote are as they were.
  for (const redirect of snapshot.redirects ?? []) {
    stmt(db, 'UPDATE profile_redirect SET to_profile_id = ? WHERE from_profile_id = ? AND to_profile_id = ?').run(
      redirect.to,
      redirect.from,
      baseId,
    );
  }
  for (const review of snapshot.reviews ?? []) {
    stmt(
      db,
      "UPDATE merge_review SET candidate_profile_ids = ?, status = 'pending', decided_at = NULL WHERE id = ? AND status IN ('pending', 'superseded')",
    ).run(review.candidates, review.id);
  }

  // They were said to be different people: the same evidence must not merge them again.
  const evidence = (JSON.parse(history.evidence) as EvidenceItem[]).map((e) => identifierKey(e.type, e.value));
  separate(db, history.brand_id, candidates, evidence, now);

  for (const id of candidates) {
    refreshStrength(db, id);
    recomputeTotals(db, id, now);
  }
  stmt(db, 'UPDATE merge_history SET undone_at = ? WHERE id = ?').run(now, mergeId);
  return { baseProfileId: baseId, restoredProfileIds: restored, touched: candidates };
}

/** Records every pair as different people on this evidence (merged with any earlier evidence). */
export function separate(
  db: Database,
  brandId: number,
  profileIds: readonly number[],
  evidence: readonly string[],
  now: number,
): void {
  const ids = [...new Set(profileIds)].sort((a, b) => a - b);
  for (let i = 0; i < ids.length; i++) {
    for (let j = i + 1; j < ids.length; j++) {
      const existing = stmt(
        db,
        'SELECT evidence FROM profile_separation WHERE brand_id = ? AND profile_a = ? AND profile_b = ?',
      )
        .pluck()
        .get(brandId, ids[i], ids[j]) as string | undefined;
      const all = [...new Set([...(existing ? (JSON.parse(existing) as string[]) : []), ...evidence])].sort();
      stmt(
        db,
        `INSERT INTO profile_separation (brand_id, profile_a, profile_b, evidence, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (brand_id, profile_a, profile_b) DO UPDATE SET evidence = excluded.evidence`,
      ).run(brandId, ids[i], ids[j], JSON.stringify(all), now);
    }
  }
}

/** The evidence two profiles were separated on, if they were. */
export function separationEvidence(db: Database, brandId: number, a: number, b: number): Set<string> | undefined {
  const [lo, hi] = a < b ? [a, b] : [b, a];
  const row = stmt(db, 'SELECT evidence FROM profile_separation WHERE brand_id = ? AND profile_a = ? AND profile_b = ?')
    .pluck()
    .get(brandId, lo, hi) as string | undefined;
  return row ? new Set(JSON.parse(row) as string[]) : undefined;
}
