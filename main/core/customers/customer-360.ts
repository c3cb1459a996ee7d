/**
 * The Customer 360 read model: profile, identifiers with where each came
 * from, totals, merge history with undo, and a paged timeline.
 */

import type {
  Customer360,
  CustomerSummary,
  IdentifierView,
  MergeView,
  RiskBandsView,
  TimelineEvent,
} from '../../../shared/contract/customers';
import { describeEvent } from '../../../shared/describe-event';
import type { EventPayload } from '../../../shared/events';
import { clampTotal } from '../../../shared/limits';
import { riskBandOf } from '../../../shared/risk-band';
import type { Database } from '../db/open';
import { eventCountOf, timelinePage } from '../db/repos/event-reads';
import { firstIdentifierValue, type IdentifierRow, identifiersOf, sharedValuesUsedBy } from '../db/repos/identifiers';
import { mergesInto } from '../db/repos/merges';
import { getProfile, type ProfileRow, redirectOf } from '../db/repos/profiles';
import { stmt } from '../db/statements';
import type { EvidenceItem } from '../identity/merge';
import { openCarts } from '../ingest/sources/shopify-checkouts';
import { FIXED_RISK_BANDS } from '../ml/retrain/risk-bands';

/** A stored time as ISO text; one past what a Date holds (only a damaged file has one) shows as unknown. */
const iso = (ms: number | null) =>
  ms === null || !Number.isFinite(new Date(ms).getTime()) ? null : new Date(ms).toISOString();
const bool = (v: number | null) => (v === null ? null : v === 1);
const fullName = (p: { first_name: string | null; last_name: string | null }) => {
  const name = [p.first_name, p.last_name].filter(Boolean).join(' ').trim();
  return name === '' ? null : name;
};

/** An identifier as people see it: value, how it was sent, where from, since when. */
export function identifierView(i: IdentifierRow): IdentifierView {
  return {
    type: i.type,
    value: i.value,
    rawValue: i.raw_value,
    source: i.source,
    firstSeenAt: new Date(i.first_seen_at).toISOString(),
    shared: i.shared === 1,
  };
}

export type Customer360Result = { status: 'found'; customer: Customer360 } | { status: 'merged'; mergedInto: number };

export function readCustomer360(db: Database, id: number, currency: string): Customer360Result | undefined {
  const profile = getProfile(db, id);
  if (!profile) {
    const to = redirectOf(db, id);
    return to === undefined ? undefined : { status: 'merged', mergedInto: to };
  }
  const merges = mergesInto(db, id).map(
    (m): MergeView => ({
      id: m.id,
      createdAt: new Date(m.created_at).toISOString(),
      reason: m.reason,
      baseProfileId: m.base_profile_id,
      mergedProfileIds: JSON.parse(m.merged_profile_ids) as number[],
      evidence: (JSON.parse(m.evidence) as EvidenceItem[]).map((e) => ({ type: e.type, value: e.value })),
      undoneAt: iso(m.undone_at),
      canUndo: m.undone_at === null,
    }),
  );
  return {
    status: 'found',
    customer: {
      id: profile.id,
      name: fullName(profile),
      firstName: profile.first_name,
      lastName: profile.last_name,
      strength: profile.strength,
      lifetimeValue: clampTotal(profile.lifetime_value),
      totalOrders: profile.total_orders,
      currency,
      firstSeenAt: iso(profile.first_seen_at),
      lastSeenAt: iso(profile.last_seen_at),
      lastPurchaseAt: iso(profile.last_purchase_at),
      createdAt: new Date(profile.created_at).toISOString(),
      consent: {
        email: bool(profile.email_consent),
        sms: bool(profile.sms_consent),
        whatsapp: bool(profile.whatsapp_consent),
      },
      identifiers: identifiersOf(db, id).map(identifierView),
      sharedIdentifiersUsed: sharedValuesUsedBy(db, id).map((u) => ({
        type: u.type,
        value: u.value,
        firstSeenAt: new Date(u.first_seen_at).toISOString(),
      })),
      eventCount: eventCountOf(db, id),
      merges,
      openCarts: openCarts(db, id),
    },
  };
}

export function readTimeline(
  db: Database,
  id: number,
  cursor: number | undefined,
  limit: number,
  currency: string,
): { events: TimelineEvent[]; nextCursor: number | null } {
  const rows = timelinePage(db, id, cursor, limit + 1);
  const page = rows.slice(0, limit);
  return {
    events: page.map((r) => {
      const payload = JSON.parse(r.payload) as EventPayload;
      return {
        id: r.id,
        type: r.event_type,
        source: r.source,
        externalId: r.external_id,
        occurredAt: new Date(r.occurred_at).toISOString(),
        summary: describeEvent(r.event_type, payload, currency),
        payload,
      };
    }),
    nextCursor: rows.length > limit ? (page[page.length - 1]?.id ?? null) : null,
  };
}

/**
 * A customer as the lists show them, with their scores; `bands` are the active version's churn risk bands
 * (`activeRiskBands`, read once per list), which give the risk band beside the churn score.
 */
export function summarize(db: Database, profile: ProfileRow, bands: RiskBandsView | undefined): CustomerSummary {
  const first = (type: string) => firstIdentifierValue(db, profile.id, type);
  const scores = stmt(db, 'SELECT churn_score, ltv_score, segment FROM predictions WHERE profile_id = ?').get(
    profile.id,
  ) as { churn_score: number | null; ltv_score: number | null; segment: string | null } | undefined;
  return {
    id: profile.id,
    name: fullName(profile),
    email: first('email'),
    phone: first('phone'),
    lifetimeValue: clampTotal(profile.lifetime_value),
    totalOrders: profile.total_orders,
    strength: profile.strength,
    lastSeenAt: iso(profile.last_seen_at),
    churnScore: scores?.churn_score ?? null,
    riskBand: riskBandOf(scores?.churn_score ?? null, bands ?? FIXED_RISK_BANDS),
    ltvScore: scores?.ltv_score ?? null,
    segment: scores?.segment ?? null,
  };
}
