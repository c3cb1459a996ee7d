/**
 * Merging profiles and undoing it. A merge unites identifiers, re-attaches
 * events, recomputes totals from the events, leaves a redirect for each
 * merged-away id, and writes a `merge_history` row holding everything needed
 * to undo it. Callers run these inside one IMMEDIATE transaction (SQLite has
 * one writer, so two merges touching the same profiles never interleave).
 */

import { AppError } from '../../../shared/contract/errors';
import { consentIdsOf, moveConsentHistory, refreshConsentColumns, returnConsentHistory } from '../channels/consent';
import type { Database } from '../db/open';
import { moveAutomationRows } from '../db/repos/automations';
import { eventIdsOf, eventsAfter, maxEventId, moveEvents, returnEvent, setEventProfile } from '../db/repos/events';
import {
  type IdentifierRow,
  identifierOwnerRow,
  identifiersOf,
  maxIdentifierId,
  moveIdentifiers,
  returnIdentifier,
  setIdentifierProfile,
} from '../db/repos/identifiers';
import {
  deleteRedirectFrom,
  getMergeHistory,
  insertMergeHistory,
  markMergeUndone,
  pointRedirectBack,
  redirect,
  redirectsTo,
  saveSeparation,
  separationEvidenceText,
  separationsOf,
} from '../db/repos/merges';
import { recomputeTotals, settlePendingTotals } from '../db/repos/profile-totals';
import {
  absorbProfileFields,
  byStrength,
  deleteProfile,
  getProfile,
  getProfiles,
  type ProfileRow,
  redirectOf,
  refreshStrength,
  restoreProfile,
  restoreProfileFields,
  setNames,
} from '../db/repos/profiles';
import { pendingCandidates, reopenReview, setReviewCandidates, supersedeReview } from '../db/repos/reviews';
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
  /** Its consent history's records (an undo gives them back); absent in merges from before it was kept. */
  consentIds?: number[];
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
      eventIds: eventIdsOf(db, profile.id),
      consentIds: consentIdsOf(db, profile.id),
    })),
    maxEventId: maxEventId(db),
    maxIdentifierId: maxIdentifierId(db),
    redirects: others.flatMap((o) => redirectsTo(db, o.id)),
    reviews: pendingCandidates(db)
      .filter((r) => (JSON.parse(r.candidate_profile_ids) as number[]).some((id) => others.some((o) => o.id === id)))
      .map((r) => ({ id: r.id, candidates: r.candidate_profile_ids })),
  };

  const mergeId = insertMergeHistory(db, {
    brandId: args.brandId,
    baseId: base.id,
    mergedIds: JSON.stringify(others.map((o) => o.id)),
    snapshot: JSON.stringify(snapshot),
    reason: args.reason,
    evidence: JSON.stringify(args.evidence),
    now: args.now,
  });

  let firstName = base.first_name;
  let lastName = base.last_name;
  for (const other of others) {
    moveIdentifiers(db, other.id, base.id);
    moveEvents(db, other.id, base.id);
    moveConsentHistory(db, other.id, base.id);
    // Messages, automation occasions, decisions and tags: one person's, so the frequency cap and cooldown see them all.
    moveAutomationRows(db, other.id, base.id);
    redirect(db, other.id, base.id, mergeId);
    if (!firstName && !lastName) {
      firstName = other.first_name;
      lastName = other.last_name;
    }
    absorbProfileFields(db, base.id, other);
    // Whoever this profile was told apart from stays apart from the merged profile.
    for (const row of separationsOf(db, args.brandId, other.id)) {
      const partner = row.profile_a === other.id ? row.profile_b : row.profile_a;
      if (partner !== base.id)
        separate(db, args.brandId, [base.id, partner], JSON.parse(row.evidence) as string[], args.now);
    }
    deleteProfile(db, other.id);
  }
  setNames(db, base.id, firstName, lastName);
  refreshConsentColumns(db, base.id);
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
  const pending = pendingCandidates(db);
  const gone = new Set(mergedIds);
  for (const review of pending) {
    const ids = JSON.parse(review.candidate_profile_ids) as number[];
    if (!ids.some((id) => gone.has(id))) continue;
    const next = [...new Set(ids.map((id) => (gone.has(id) ? baseId : id)))].sort((a, b) => a - b);
    if (next.length < 2) {
      supersedeReview(db, review.id, now);
    } else {
      setReviewCandidates(db, review.id, JSON.stringify(next));
    }
  }
}

export interface UndoResult {
  baseProfileId: number;
  restoredProfileIds: number[];
  /** Every profile whose contents changed (for cache invalidation). */
  touched: number[];
}

/**
 * Undoes a merge. A person undoing it says the profiles are different people (`separate`, the default): the same
 * evidence never merges them again. Undoing the import that caused it says nothing about them, so the evidence, if it
 * comes again, may merge them again.
 */
export function undoMerge(
  db: Database,
  mergeId: number,
  now: number,
  options: { separate?: boolean } = {},
): UndoResult {
  const history = getMergeHistory(db, mergeId);
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
  for (const merged of snapshot.merged) {
    restoreProfile(db, merged.profile, now);
    restored.push(merged.profile.id);
    deleteRedirectFrom(db, merged.profile.id);
    for (const identifier of merged.identifiers) returnIdentifier(db, identifier.id, merged.profile.id, baseId);
    for (const eventId of merged.eventIds) returnEvent(db, eventId, merged.profile.id, baseId);
    if (merged.consentIds) returnConsentHistory(db, merged.consentIds, merged.profile.id);
  }
  // The base's own fields as they were before the merge (names, consent); totals are recomputed below.
  const base = snapshot.base;
  setNames(db, baseId, base.first_name, base.last_name);
  restoreProfileFields(db, baseId, base);

  // Events that arrived after the merge go to whichever restored profile holds their identifiers (a personal
  // identifier counts double a shareable one; identifiers those events brought themselves do not count), and
  // the identifiers added since the merge follow the first event that brought them.
  const candidates = [baseId, ...restored];
  const sinceMerge = snapshot.maxIdentifierId ?? Number.POSITIVE_INFINITY;
  const owner = (type: string, value: string) => identifierOwnerRow(db, history.brand_id, type, value);
  const later = eventsAfter(db, baseId, snapshot.maxEventId);
  const newIdentifierHome = new Map<number, number>();
  for (const event of later) {
    const carried = JSON.parse(event.identifiers) as [string, string][];
    const counts = new Map<number, number>();
    for (const [type, value] of carried) {
      const held = owner(type, value);
      if (!held || held.id > sinceMerge || !candidates.includes(held.profile_id)) continue;
      counts.set(held.profile_id, (counts.get(held.profile_id) ?? 0) + (SHAREABLE_TYPES.has(type) ? 1 : 2));
    }
    let best = baseId;
    for (const [profileId, count] of counts) if (count > (counts.get(best) ?? 0)) best = profileId;
    if (best !== baseId) setEventProfile(db, event.id, best);
    for (const [type, value] of carried) {
      const held = owner(type, value);
      if (held && held.id > sinceMerge && held.profile_id === baseId && !newIdentifierHome.has(held.id)) {
        newIdentifierHome.set(held.id, best);
      }
    }
  }
  for (const [identifierId, profileId] of newIdentifierHome) {
    if (profileId !== baseId) setIdentifierProfile(db, identifierId, profileId);
  }

  // Profiles merged into a restored one earlier lead to it again; reviews this merge rewrote are as they were.
  for (const redirect of snapshot.redirects ?? []) {
    pointRedirectBack(db, redirect.from, redirect.to, baseId);
  }
  for (const review of snapshot.reviews ?? []) {
    reopenReview(db, review.id, review.candidates);
  }

  // They were said to be different people: the same evidence must not merge them again.
  if (options.separate !== false) {
    const evidence = (JSON.parse(history.evidence) as EvidenceItem[]).map((e) => identifierKey(e.type, e.value));
    separate(db, history.brand_id, candidates, evidence, now);
  }

  for (const id of candidates) {
    refreshStrength(db, id);
    recomputeTotals(db, id, now);
  }
  markMergeUndone(db, mergeId, now);
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
      const lo = ids[i] as number;
      const hi = ids[j] as number;
      const existing = separationEvidenceText(db, brandId, lo, hi);
      const all = [...new Set([...(existing ? (JSON.parse(existing) as string[]) : []), ...evidence])].sort();
      saveSeparation(db, brandId, lo, hi, JSON.stringify(all), now);
    }
  }
}

/** The evidence two profiles were separated on, if they were. */
export function separationEvidence(db: Database, brandId: number, a: number, b: number): Set<string> | undefined {
  const [lo, hi] = a < b ? [a, b] : [b, a];
  const row = separationEvidenceText(db, brandId, lo, hi);
  return row ? new Set(JSON.parse(row) as string[]) : undefined;
}
