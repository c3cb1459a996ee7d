/**
 * The one ingestion path. Every source (event API, webhooks, files) hands a
 * canonical event to `ingestEvent`, which in one transaction stores the raw
 * event, resolves its profile, attaches it, and publishes to the streams.
 * A repeated (brand, source, external id) is a no-op reported as `duplicate`.
 *
 * Resolution:
 * - identifiers normalised (junk refused, unparseable phones kept on the
 *   event but not matched);
 * - profiles holding any of them are candidates. A candidate reached only
 *   through shareable identifiers (phone, device, cookie, QR) that already
 *   holds a *different* email/loyalty/account id than the event's is a
 *   different person sharing a family phone or a shop tablet: it is dropped,
 *   and the values that reached it are marked shared. A shared value stays
 *   with the profile that had it first but decides a match only when the
 *   event carries nothing else (a phone-only till sale goes to its holder);
 * - none → new profile; one → attach; 2–3 → automatic merge; more than 3, or
 *   a merge that would give one profile more than 3 distinct emails or
 *   phones → attach to the strongest and queue a review. Profiles a person
 *   has separated (rejected review, undone merge) are not merged or proposed
 *   again on the same evidence.
 */
import type { EventPayload, InputIdentifierType, ParsedEvent } from '../../../shared/events';
import { clampMoney, MAX_TOTAL } from '../../../shared/limits';
import type { Database } from '../db/open';
import { stmt } from '../db/statements';
import {
  byStrength,
  findOwner,
  getProfile,
  getProfiles,
  identifiersOf,
  insertIdentifier,
  insertProfile,
  markShared,
  recomputeTotals,
  recordSharedUse,
  refreshStrength,
  setNames,
  sharedUseCount,
  sharedUsers,
} from '../identity/identity-repo';
import { type EvidenceItem, mergeProfiles, separationEvidence } from '../identity/merge';
import { identifierKey, type Normalized, type NormalizeOptions, normalizeIdentifier } from '../identity/normalize';
import { queueReview } from '../identity/review';
import { SHAREABLE_TYPES } from '../identity/strength';
import type { Origin } from '../streams/schemas';
import { publish } from '../streams/streams';

export const AUTO_MERGE_MAX_PROFILES = 3;
export const MAX_DISTINCT_PER_TYPE = 3;
/** More people than this using one shared phone or device are not a household: the value stops deciding. */
export const MAX_HOUSEHOLD = 6;

export interface IngestContext {
  brandId: number;
  now: number;
  normalize: NormalizeOptions;
  /** Said on its stream messages: `live` (default: API, webhooks, sweeps) or `import` (a file). */
  origin?: Origin;
  /** Set by BatchIngest: the events and prediction requests are published once per chunk, as a range. */
  chunked?: boolean;
}

export interface IngestResult {
  eventId: number;
  profileId: number | null;
  duplicate: boolean;
  createdProfile: boolean;
  mergeId: number | null;
  reviewId: number | null;
  /** Identifier values refused, with why (unparseable phone, placeholder…). */
  unused: { type: string; value: string; reason: string }[];
  /** Profiles whose contents changed: caches drop them. */
  touched: number[];
}

export interface Usable {
  type: string;
  value: string;
  raw: string;
}

/** The event's identifiers normalised: those usable for matching (each once), and those refused with why. */
export function usableIdentifiers(
  event: ParsedEvent,
  normalize: (type: InputIdentifierType, raw: string | number) => Normalized,
): { usable: Usable[]; unused: IngestResult['unused'] } {
  const usable: Usable[] = [];
  const unused: IngestResult['unused'] = [];
  for (const [type, raw] of Object.entries(event.identifiers) as [InputIdentifierType, string | number | undefined][]) {
    if (raw === undefined) continue;
    const result = normalize(type, raw);
    if (result.ok) {
      if (!usable.some((u) => u.type === result.type && u.value === result.value)) {
        usable.push({ type: result.type, value: result.value, raw: String(raw) });
      }
    } else if (result.reason !== 'empty') {
      unused.push({ type, value: String(raw), reason: result.reason });
    }
  }
  return { usable, unused };
}

export function ingestEvent(db: Database, event: ParsedEvent, ctx: IngestContext): IngestResult {
  return db.sqlite.transaction(() => ingestInTransaction(db, event, ctx)).immediate();
}

/** An event's columns after its id, in the order both ingestion paths insert them. */
export type EventColumns = [
  brandId: number,
  type: string,
  source: string,
  externalId: string | null,
  payload: string,
  identifiers: string,
  unused: string | null,
  occurredAt: number,
  receivedAt: number,
  profileId: number | null,
  orderId: string | null,
];

export function eventColumns(
  event: ParsedEvent,
  ctx: IngestContext,
  usable: readonly Usable[],
  unused: IngestResult['unused'],
  occurredAt: number,
  profileId: number | null,
): EventColumns {
  return [
    ctx.brandId,
    event.type,
    event.source,
    event.externalId ?? null,
    JSON.stringify(event.payload),
    JSON.stringify(usable.map((u) => [u.type, u.value])),
    unused.length > 0 ? JSON.stringify(unused) : null,
    occurredAt,
    ctx.now,
    profileId,
    event.payload.orderId ?? null,
  ];
}

/** For callers that batch many events in one transaction (imports). */
export function ingestInTransaction(db: Database, event: ParsedEvent, ctx: IngestContext): IngestResult {
  const occurredAt = Date.parse(event.occurredAt);
  const known = alreadyStored(db, event, ctx);
  if (known) return known;

  const { usable, unused } = usableIdentifiers(event, (type, raw) => normalizeIdentifier(type, raw, ctx.normalize));

  const resolution = usable.length > 0 ? resolve(db, usable, event, ctx) : undefined;
  const profileId = resolution?.profileId ?? null;
  if (resolution) unused.push(...resolution.capped);

  const inserted = stmt(
    db,
    `INSERT INTO customer_raw_event (brand_id, event_type, source, external_id, payload, identifiers, unused_identifiers, occurred_at, received_at, customer_profile_id, order_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(eventColumns(event, ctx, usable, unused, occurredAt, profileId));
  const eventId = Number(inserted.lastInsertRowid);

  if (profileId !== null) {
    applyProfileFields(db, profileId, event.type, event.payload);
    // Refunds of this order that arrived before it (Shopify does not promise order) join its customer.
    const attached =
      event.type === 'purchase' && event.payload.orderId !== undefined
        ? stmt(
            db,
            `UPDATE customer_raw_event SET customer_profile_id = ?
             WHERE brand_id = ? AND order_id = ? AND source = ? AND event_type = 'refund' AND customer_profile_id IS NULL`,
          ).run(profileId, ctx.brandId, event.payload.orderId, event.source).changes
        : 0;
    if (
      attached === 0 &&
      event.type === 'purchase' &&
      isNewOrder(db, ctx.brandId, profileId, eventId, event.payload.orderId)
    ) {
      // A new order and nothing else about it on the profile: add it, rather than re-reading every event (what
      // recomputeTotals would conclude, at a fraction of the cost on a busy customer or a large import).
      stmt(
        db,
        `UPDATE customer_profile SET lifetime_value = max(min(round(lifetime_value + ?, 2), ${MAX_TOTAL}), ${-MAX_TOTAL}),
           total_orders = total_orders + 1,
           last_purchase_at = max(coalesce(last_purchase_at, ?), ?), first_seen_at = min(coalesce(first_seen_at, ?), ?),
           last_seen_at = max(coalesce(last_seen_at, ?), ?), updated_at = ?
         WHERE id = ?`,
      ).run(
        clampMoney(event.payload.total ?? 0),
        occurredAt,
        occurredAt,
        occurredAt,
        occurredAt,
        occurredAt,
        occurredAt,
        ctx.now,
        profileId,
      );
    } else if (event.type === 'purchase' || event.type === 'refund' || event.type === 'cancellation') {
      recomputeTotals(db, profileId, ctx.now);
    } else {
      stmt(
        db,
        `UPDATE customer_profile SET first_seen_at = min(coalesce(first_seen_at, ?), ?), last_seen_at = max(coalesce(last_seen_at, ?), ?), updated_at = ?
         WHERE id = ?`,
      ).run(occurredAt, occurredAt, occurredAt, occurredAt, ctx.now, profileId);
    }
  }

  if (!ctx.chunked) {
    const { type, source } = event;
    const origin = ctx.origin ?? 'live';
    publish(db, 'events.raw', { kind: 'event', eventId, type, source, origin }, ctx.now);
    publish(db, 'events.normalized', { kind: 'event', eventId, profileId, type, occurredAt, origin }, ctx.now);
    if (profileId !== null) publish(db, 'predictions.requests', { profileIds: [profileId], reason: type }, ctx.now);
  }
  if (resolution?.reviewId) publish(db, 'profiles.merge_requests', { reviewId: resolution.reviewId }, ctx.now);

  return {
    eventId,
    profileId,
    duplicate: false,
    createdProfile: resolution?.created ?? false,
    mergeId: resolution?.mergeId ?? null,
    reviewId: resolution?.reviewId ?? null,
    unused,
    touched: resolution?.touched ?? [],
  };
}

/** The result for an event whose natural key (brand, source, external id) is already stored: a no-op. */
export function alreadyStored(db: Database, event: ParsedEvent, ctx: IngestContext): IngestResult | undefined {
  if (event.externalId === undefined) return undefined;
  const existing = stmt(
    db,
    'SELECT id, customer_profile_id FROM customer_raw_event WHERE brand_id = ? AND source = ? AND external_id = ?',
  ).get(ctx.brandId, event.source, event.externalId) as { id: number; customer_profile_id: number | null } | undefined;
  if (!existing) return undefined;
  return {
    eventId: existing.id,
    profileId: existing.customer_profile_id,
    duplicate: true,
    createdProfile: false,
    mergeId: null,
    reviewId: null,
    unused: [],
    touched: [],
  };
}

/** No other event on the profile names this order (no earlier copy of it, no refund or cancellation of it). */
function isNewOrder(
  db: Database,
  brandId: number,
  profileId: number,
  eventId: number,
  orderId: string | undefined,
): boolean {
  if (orderId === undefined) return true;
  return (
    stmt(
      db,
      'SELECT 1 FROM customer_raw_event WHERE brand_id = ? AND order_id = ? AND customer_profile_id = ? AND id != ? LIMIT 1',
    ).get(brandId, orderId, profileId, eventId) === undefined
  );
}

interface Resolution {
  capped: IngestResult['unused'];
  profileId: number;
  created: boolean;
  mergeId: number | null;
  reviewId: number | null;
  touched: number[];
}

function resolve(db: Database, usable: Usable[], event: ParsedEvent, ctx: IngestContext): Resolution | undefined {
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

/** Names fill in when missing (a profile update replaces them); consent flags follow the latest event that states them. */
export function applyProfileFields(db: Database, profileId: number, type: string, payload: EventPayload): void {
  const consentGiven =
    payload.emailConsent !== undefined || payload.smsConsent !== undefined || payload.whatsappConsent !== undefined;
  if (payload.firstName === undefined && payload.lastName === undefined && !consentGiven) return;
  const profile = getProfile(db, profileId);
  if (!profile) return;
  const first = payload.firstName ?? null;
  const last = payload.lastName ?? null;
  if (type === 'profile_update') {
    if (first !== null || last !== null)
      setNames(db, profileId, first ?? profile.first_name, last ?? profile.last_name);
  } else if ((!profile.first_name && first) || (!profile.last_name && last)) {
    setNames(db, profileId, profile.first_name ?? first, profile.last_name ?? last);
  }
  const consent = (value: boolean | undefined) => (value === undefined ? null : value ? 1 : 0);
  if (consentGiven) {
    stmt(
      db,
      `UPDATE customer_profile SET email_consent = coalesce(?, email_consent), sms_consent = coalesce(?, sms_consent),
       whatsapp_consent = coalesce(?, whatsapp_consent) WHERE id = ?`,
    ).run(consent(payload.emailConsent), consent(payload.smsConsent), consent(payload.whatsappConsent), profileId);
  }
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
