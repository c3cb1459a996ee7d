/**
 * Privacy requests: erase a customer, export everything held about a
 * customer, erase a whole shop. Shopify's mandatory topics
 * (customers/redact, customers/data_request, shop/redact) and the Customer
 * 360 buttons both come here. Erasing removes the profile, its identifiers,
 * its events, merge history and reviews that name it, its checkouts and
 * delivery receipts, and blanks stored webhook bodies that mention it; what
 * remains is one `privacy_request` row with counts and no personal data.
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { consentHistory } from '../channels/consent';
import { listMessages } from '../channels/messages';
import { forgetShops } from '../connections/shopify-connections';
import { identifierView } from '../customers/customer-360';
import type { Database } from '../db/open';
import { eraseBrandCustomers, eraseBrandRow, eraseProfileRows } from '../db/repos/erasure';
import { eventsForExport } from '../db/repos/event-reads';
import { identifierHolder, identifiersOf, sharedUsesOf } from '../db/repos/identifiers';
import { mergeSummariesInto } from '../db/repos/merges';
import { messagesInOf } from '../db/repos/message-in';
import { getProfile } from '../db/repos/profiles';
import { stmt } from '../db/statements';
import { type NormalizeOptions, normalizeIdentifier } from '../identity/normalize';
import { DEFAULT_BRAND_ID } from '../settings/settings-store';

export type PrivacyKind = 'redact_customer' | 'data_request' | 'redact_shop';

export function recordRequest(
  db: Database,
  args: {
    brandId: number;
    kind: PrivacyKind;
    requestedBy: 'shopify' | 'shop';
    profiles: number;
    events: number;
    exportPath?: string | null;
    now: number;
  },
): number {
  const result = stmt(
    db,
    `INSERT INTO privacy_request (brand_id, kind, requested_by, profiles_affected, events_affected, export_path, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  ).run(args.brandId, args.kind, args.requestedBy, args.profiles, args.events, args.exportPath ?? null, args.now);
  return Number(result.lastInsertRowid);
}

/** Profiles of a brand holding any of these identifiers (Shopify sends id, email and phone). */
export function profilesByIdentifiers(
  db: Database,
  brandId: number,
  identifiers: { shopify_customer_id?: string | null; email?: string | null; phone?: string | null },
  normalize: NormalizeOptions,
): number[] {
  const owner = (type: 'shopify_customer_id' | 'email' | 'phone', raw: string | null | undefined) => {
    if (!raw) return undefined;
    const n = normalizeIdentifier(type, raw, normalize);
    if (!n.ok) return undefined;
    return identifierHolder(db, brandId, n.type, n.value);
  };
  // The account id and email name one person; a phone may be a family's, so it is used only when nothing
  // else is given and it is not known to be shared. Erasing the wrong person is worse than asking again.
  const strong = [owner('shopify_customer_id', identifiers.shopify_customer_id), owner('email', identifiers.email)];
  const found = new Set(strong.flatMap((o) => (o ? [o.profile_id] : [])));
  if (found.size === 0 && !identifiers.shopify_customer_id && !identifiers.email) {
    const byPhone = owner('phone', identifiers.phone);
    if (byPhone && byPhone.shared === 0) found.add(byPhone.profile_id);
  }
  return [...found];
}

/** Everything held about one customer, as one JSON document. */
export function customerData(db: Database, profileId: number): Record<string, unknown> | undefined {
  const profile = getProfile(db, profileId);
  if (!profile) return undefined;
  const events = eventsForExport(db, profileId).map((e) => ({
    id: e.id,
    type: e.event_type,
    source: e.source,
    externalId: e.external_id,
    occurredAt: new Date(e.occurred_at).toISOString(),
    receivedAt: new Date(e.received_at).toISOString(),
    payload: JSON.parse(e.payload) as unknown,
  }));
  const merges = mergeSummariesInto(db, profileId);
  return {
    profile,
    identifiers: identifiersOf(db, profileId).map(identifierView),
    /** A family phone or home tablet this person uses, held on another household member's profile. */
    sharedIdentifiersUsed: sharedUsesOf(db, profileId),
    events,
    merges,
    predictions: stmt(db, 'SELECT * FROM predictions WHERE profile_id = ?').get(profileId) ?? null,
    journey: stmt(db, 'SELECT * FROM customer_journey WHERE profile_id = ?').get(profileId) ?? null,
    /** Every consent and opt-out per channel: what, when they said it, when it was recorded, from where. */
    consentHistory: consentHistory(db, profileId).map((c) => ({
      channel: c.channel,
      state: c.state,
      source: c.source,
      detail: c.detail,
      occurredAt: c.occurredAt === null ? null : new Date(c.occurredAt).toISOString(),
      recordedAt: new Date(c.recordedAt).toISOString(),
    })),
    /** Every message the shop sent or tried to send them, with what became of it and why. */
    messagesSent: listMessages(db, { profileId, limit: 100_000 }),
    /** Their texts to the shop (SMS; WhatsApp messages are among the events). */
    messagesReceived: messagesInOf(db, profileId, 100_000).map((m) => ({
      channel: m.channel,
      from: m.fromAddress,
      body: m.body,
      receivedAt: new Date(m.receivedAt).toISOString(),
    })),
  };
}

/** Writes the export into `<dataDir>/exports` and returns its path. */
export function writeExport(
  dataDir: string,
  profileIds: number[],
  documents: Record<string, unknown>[],
  now: number,
): string {
  const dir = join(dataDir, 'exports');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stamp = new Date(now).toISOString().replace(/[:.]/g, '-');
  const file = join(dir, `customer-data-${profileIds.join('-') || 'none'}-${stamp}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ exportedAt: new Date(now).toISOString(), customers: documents }, null, 2)}\n`,
    { mode: 0o600 },
  );
  return file;
}

/** Erases profiles and everything that names them. Returns how many profiles and events went. */
export function eraseProfiles(db: Database, profileIds: readonly number[]): { profiles: number; events: number } {
  let events = 0;
  let profiles = 0;
  for (const id of profileIds) {
    const profile = getProfile(db, id);
    if (!profile) continue;
    const held = identifiersOf(db, id);
    // Stored bodies are searched for the values as sent and as normalised; very short values (a numeric id)
    // would match unrelated text, and the email or phone of the same delivery catches those bodies anyway.
    const values = [...new Set(held.flatMap((i) => [i.value, i.raw_value ?? '']).map((v) => v.trim()))].filter(
      (v) => v.length >= 5,
    );
    events += eraseProfileRows(db, profile, values);
    profiles += 1;
  }
  return { profiles, events };
}

/** Erases every customer of a brand (and the brand itself unless it is the main shop). */
export function eraseBrand(db: Database, brandId: number): { profiles: number; events: number } {
  const erased = eraseBrandCustomers(db, brandId);
  if (brandId !== DEFAULT_BRAND_ID) {
    eraseBrandRow(db, brandId);
    forgetShops(db);
  }
  return erased;
}
