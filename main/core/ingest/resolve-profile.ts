/**
 * Resolving an event's profile from its normalised identifiers (see ingest-event.ts for the rules): the
 * candidates, households sharing a phone or device, new profile, attach, automatic merge or review.
 */
import type { ParsedEvent } from '../../../shared/events';
import type { Database } from '../db/open';
import {
  findOwner,
  identifiersOf,
  insertIdentifier,
  markShared,
  recordSharedUse,
  sharedUseCount,
  sharedUsers,
} from '../db/repos/identifiers';
import { byStrength, getProfile, getProfiles, insertProfile, refreshStrength } from '../db/repos/profiles';
import { type EvidenceItem, mergeProfiles, separationEvidence } from '../identity/merge';
import { identifierKey } from '../identity/normalize';
import { queueReview } from '../identity/review';
import { SHAREABLE_TYPES } from '../identity/strength';
import type { IngestContext, IngestResult, Usable } from './ingest-types';

export const AUTO_MERGE_MAX_PROFILES = 3;
export const MAX_DISTINCT_PER_TYPE = 3;
/** More people than this using one shared phone or device are not a household: the value stops deciding. */
export const MAX_HOUSEHOLD = 6;

export interface Resolution {
  capped: IngestResult['unused'];
  profileId: number;
  created: boolean;
  mergeId: number | null;
  reviewId: number | null;
  touched: number[];
}

export function resolve(
  db: Database,
  usable: Usable[],
  event: ParsedEvent,
  ctx: IngestContext,
): Resolution | undefined {
  const capped: IngestResult['unused'] = [];
  /** Identifier key → the profile holding it (all of them: these are never added again). */
  const held = new Map<string, number>();
  const shared = new Set<string>();
  const crowded = new Set<string>();
  for (const id of usable) {
    const owner = findOwner(db, ctx.brandId, id.type, id.value);
    if (!owner) continue;
    held.set(identifierKey(id.type, id.value), owner.profileId);
    if (!owner.shared) continue;
    shared.add(identifierKey(id.type, id.value));
    if (sharedUseCount(db, ctx.brandId, id.type, id.value) >= MAX_HOUSEHOLD)
      crowded.add(identifierKey(id.type, id.value));
  }
  // A value known to be shared between people only decides when the event carries nothing else; one used by more
  // people than a household has (a number clerks type when the customer gives none) decides nothing at all.
  const owners = new Map(held);
  if (usable.some((u) => !shared.has(identifierKey(u.type, u.value)))) for (const key of shared) owners.delete(key);
  for (const key of crowded) owners.delete(key);
  let candidates = [...new Set(owners.values())];

  // A profile reached only through shareable identifiers that holds a different strong identifier is someone else;
  // what linked them is from now on known to be shared.
  const strongOnEvent = usable.filter((u) => !SHAREABLE_TYPES.has(u.type));
  const firstName = event.payload.firstName ?? null;
  /** Holds an email, loyalty card or account id of a type the event carries, but not the event's value. */
  const contradicts = (profileId: number) => {
    const theirs = identifiersOf(db, profileId);
    return strongOnEvent.some(
      (s) => theirs.some((h) => h.type === s.type) && !theirs.some((h) => h.type === s.type && h.value === s.value),
    );
  };
  if (candidates.length > 0) {
    candidates = candidates.filter((profileId) => {
      const via = usable.filter((u) => owners.get(identifierKey(u.type, u.value)) === profileId);
      if (via.some((u) => !SHAREABLE_TYPES.has(u.type))) return true;
      if (strongOnEvent.length === 0 && !firstName) return true;
      const someoneElse =
        contradicts(profileId) || differentFirstName(getProfile(db, profileId)?.first_name ?? null, firstName);
      if (someoneElse) {
        for (const u of via) {
          markShared(db, ctx.brandId, u.type, u.value);
          shared.add(identifierKey(u.type, u.value));
        }
      }
      return !someoneElse;
    });
  }

  // A household's shared value decides by the name on the event (a till receipt, a WhatsApp profile name):
  // the one person using it whose first name agrees and who holds nothing the event contradicts.
  const sharedOnEvent = usable.filter(
    (u) => shared.has(identifierKey(u.type, u.value)) && !crowded.has(identifierKey(u.type, u.value)),
  );
  if (candidates.length === 0 && firstName && sharedOnEvent.length > 0) {
    const users = new Set<number>();
    for (const u of sharedOnEvent) {
      const holder = held.get(identifierKey(u.type, u.value)) as number;
      for (const id of sharedUsers(db, ctx.brandId, u.type, u.value, holder)) users.add(id);
    }
    const named = [...users].filter((id) => {
      const name = getProfile(db, id)?.first_name ?? null;
      return name !== null && !differentFirstName(name, firstName) && !contradicts(id);
    });
    if (named.length === 1) candidates = named;
  }

  const evidence = (profileIds: number[]): EvidenceItem[] =>
    usable
      .filter((u) => profileIds.includes(owners.get(identifierKey(u.type, u.value)) ?? -1))
      .map((u) => ({
        type: u.type,
        value: u.value,
        profileIds: [owners.get(identifierKey(u.type, u.value)) ?? 0],
        source: event.source,
      }));

  let profileId: number;
  let created = false;
  let mergeId: number | null = null;
  let reviewId: number | null = null;
  const touched = new Set<number>();

  // Someone else's shared phone and nothing of their own: a named household member gets a profile of their own
  // (found again by that name and the shared value); with no name the event stays on no profile rather than on
  // a new profile nothing could ever find again.
  if (
    candidates.length === 0 &&
    usable.every((u) => held.has(identifierKey(u.type, u.value))) &&
    !(firstName && sharedOnEvent.length > 0)
  )
    return undefined;

  if (candidates.length === 0) {
    profileId = insertProfile(db, {
      brandId: ctx.brandId,
      firstName: event.payload.firstName ?? null,
      lastName: event.payload.lastName ?? null,
      now: ctx.now,
    });
    created = true;
  } else if (candidates.length === 1) {
    profileId = candidates[0] as number;
  } else {
    const profiles = getProfiles(db, candidates).sort(byStrength);
    const strongest = (profiles[0] as { id: number }).id;
    const linking = evidence(candidates);
    const separation = separatedOnSameEvidence(db, ctx.brandId, candidates, linking);
    if (separation === 'same-evidence') {
      profileId = strongest;
    } else if (
      separation === 'none' &&
      candidates.length <= AUTO_MERGE_MAX_PROFILES &&
      !exceedsDistinctCap(db, candidates, usable, held)
    ) {
      const merged = mergeProfiles(db, {
        brandId: ctx.brandId,
        profileIds: candidates,
        reason: 'automatic',
        evidence: linking,
        now: ctx.now,
      });
      profileId = merged.baseId;
      mergeId = merged.mergeId;
      for (const id of merged.mergedIds) touched.add(id);
    } else {
      profileId = strongest;
      reviewId =
        queueReview(db, { brandId: ctx.brandId, profileIds: candidates, evidence: linking, now: ctx.now }) ?? null;
    }
  }

  let added = false;
  // No profile collects more than 3 emails or phones on its own either (a shared till card used by many
  // people would otherwise gather all of them): past the cap the value stays on the event only.
  const counts = new Map<string, number>();
  const adding = usable.some((id) => !held.has(identifierKey(id.type, id.value)));
  if (!created && adding)
    for (const h of identifiersOf(db, profileId)) counts.set(h.type, (counts.get(h.type) ?? 0) + 1);
  for (const id of usable) {
    if (held.has(identifierKey(id.type, id.value))) continue;
    if ((id.type === 'email' || id.type === 'phone') && (counts.get(id.type) ?? 0) >= MAX_DISTINCT_PER_TYPE) {
      capped.push({ type: id.type, value: id.raw, reason: 'too_many_on_profile' });
      continue;
    }
    counts.set(id.type, (counts.get(id.type) ?? 0) + 1);
    insertIdentifier(db, {
      brandId: ctx.brandId,
      profileId,
      type: id.type,
      value: id.value,
      rawValue: id.raw === id.value ? null : id.raw,
      source: event.source,
      now: Date.parse(event.occurredAt),
    });
    added = true;
  }
  if (added || created) refreshStrength(db, profileId);
  for (const u of sharedOnEvent)
    recordSharedUse(db, ctx.brandId, u.type, u.value, profileId, Date.parse(event.occurredAt));
  touched.add(profileId);
  return { profileId, created, mergeId, reviewId, touched: [...touched], capped };
}

/** 'none': no pair was separated; 'same-evidence': separated and nothing new links them; 'new-evidence': separated, but new links. */
function separatedOnSameEvidence(
  db: Database,
  brandId: number,
  candidates: number[],
  linking: EvidenceItem[],
): 'none' | 'same-evidence' | 'new-evidence' {
  let found = false;
  for (let i = 0; i < candidates.length; i++) {
    for (let j = i + 1; j < candidates.length; j++) {
      const a = candidates[i] as number;
      const b = candidates[j] as number;
      const known = separationEvidence(db, brandId, a, b);
      if (!known) continue;
      found = true;
      const pairLinks = linking.filter((e) => e.profileIds.includes(a) || e.profileIds.includes(b));
      if (pairLinks.some((e) => !known.has(identifierKey(e.type, e.value)))) return 'new-evidence';
    }
  }
  return found ? 'same-evidence' : 'none';
}

/** Would one profile end up with more than 3 distinct emails or phones? (Chains through shared values.) */
function exceedsDistinctCap(
  db: Database,
  candidates: number[],
  usable: Usable[],
  owners: Map<string, number>,
): boolean {
  for (const type of ['email', 'phone']) {
    const values = new Set<string>();
    for (const profileId of candidates)
      for (const h of identifiersOf(db, profileId)) if (h.type === type) values.add(h.value);
    for (const u of usable) if (u.type === type && !owners.has(identifierKey(u.type, u.value))) values.add(u.value);
    if (values.size > MAX_DISTINCT_PER_TYPE) return true;
  }
  return false;
}

/**
 * Two first names that cannot be the same person's: "Ann", "ANN ", "Anne" and "A." agree (case, spacing,
 * an initial or a longer form); "Ann" and "Tom" do not. Used only for a profile reached through a shared
 * phone or device, where a different name is the usual sign of a family member.
 */
export function differentFirstName(a: string | null, b: string | null): boolean {
  const norm = (name: string | null) =>
    (name ?? '')
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z]/g, '');
  const x = norm(a);
  const y = norm(b);
  if (x === '' || y === '') return false;
  return !(x.startsWith(y) || y.startsWith(x));
}
