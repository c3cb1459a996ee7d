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
import type { InputIdentifierType, ParsedEvent } from '../../../shared/events';
import { statedConsent } from '../channels/consent';
import type { Database } from '../db/open';
import {
  attachEarlyRefunds,
  type EventColumns,
  insertEvent,
  orderOnProfileElsewhere,
  storedEvent,
} from '../db/repos/events';
import { recomputeTotals } from '../db/repos/profile-totals';
import { addOrderToProfile, getProfile, setNames, widenSeen } from '../db/repos/profiles';
import { type Normalized, normalizeIdentifier } from '../identity/normalize';
import { publish } from '../streams/streams';
import type { IngestContext, IngestResult, Usable } from './ingest-types';
import { resolve } from './resolve-profile';

export type { EventColumns } from '../db/repos/events';
export type { IngestContext, IngestResult, Usable } from './ingest-types';

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

export function eventColumns(
  event: ParsedEvent,
  ctx: IngestContext,
  usable: readonly Usable[],
  unused: IngestResult['unused'],
  occurredAt: number,
  profileId: number | null,
  /** The payload as JSON, when the caller has it already. */
  payloadJson = JSON.stringify(event.payload),
): EventColumns {
  return [
    ctx.brandId,
    event.type,
    event.source,
    event.externalId ?? null,
    payloadJson,
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

  const eventId = insertEvent(db, eventColumns(event, ctx, usable, unused, occurredAt, profileId));

  if (profileId !== null) {
    applyProfileFields(db, profileId, event, ctx);
    // Refunds of this order that arrived before it (Shopify does not promise order) join its customer.
    const attached =
      event.type === 'purchase' && event.payload.orderId !== undefined
        ? attachEarlyRefunds(db, profileId, ctx.brandId, event.payload.orderId, event.source)
        : 0;
    if (
      attached === 0 &&
      event.type === 'purchase' &&
      isNewOrder(db, ctx.brandId, profileId, eventId, event.payload.orderId)
    ) {
      // A new order and nothing else about it on the profile: add it, rather than re-reading every event (what
      // recomputeTotals would conclude, at a fraction of the cost on a busy customer or a large import).
      addOrderToProfile(db, profileId, event.payload.total ?? 0, occurredAt, ctx.now);
    } else if (event.type === 'purchase' || event.type === 'refund' || event.type === 'cancellation') {
      recomputeTotals(db, profileId, ctx.now);
    } else {
      widenSeen(db, profileId, occurredAt, ctx.now);
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
  const existing = storedEvent(db, ctx.brandId, event.source, event.externalId);
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
  return !orderOnProfileElsewhere(db, brandId, orderId, profileId, eventId);
}

const CONSENTS = [
  ['email', 'emailConsent', 'emailConsentAt', 'email_consent'],
  ['sms', 'smsConsent', 'smsConsentAt', 'sms_consent'],
  ['whatsapp', 'whatsappConsent', 'whatsappConsentAt', 'whatsapp_consent'],
] as const;

/**
 * Names fill in when missing (a profile update replaces them); a consent an event states goes into the customer's
 * consent history (channels/consent.ts), which keeps the profile's flag: the latest stated yes or no, except that an
 * opt-out stays until the customer's own dated yes. A file's consent is undated (source `import`); a live event's
 * is dated when it says when (Shopify's consent_updated_at).
 */
export function applyProfileFields(
  db: Database,
  profileId: number,
  event: Pick<ParsedEvent, 'type' | 'source' | 'payload'>,
  ctx: Pick<IngestContext, 'now' | 'origin'>,
): void {
  const { type, payload } = event;
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
  if (!consentGiven) return;
  const imported = ctx.origin === 'import';
  const source = imported ? 'import' : event.source === 'shopify' ? 'shopify' : 'api';
  for (const [channel, field, dateField, column] of CONSENTS) {
    const yes = payload[field];
    if (yes === undefined) continue;
    const date = imported ? undefined : payload[dateField];
    statedConsent(db, {
      profileId,
      channel,
      yes,
      column: profile[column],
      source,
      detail: imported
        ? 'imported file'
        : event.source === 'shopify' || event.source === 'api'
          ? null
          : `from ${event.source}`,
      // A date ahead of now (a wrong clock, a mistake) counts as now: it must not outrank a later STOP's date.
      occurredAt: date === undefined ? null : Math.min(Date.parse(date), ctx.now),
      now: ctx.now,
    });
  }
}
