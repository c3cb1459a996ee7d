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
import { forgetShops } from '../connections/shopify-connections';
import { identifierView } from '../customers/customer-360';
import type { Database } from '../db/open';
import { stmt } from '../db/statements';
import { getProfile, identifiersOf } from '../identity/identity-repo';
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
    return stmt(
      db,
      'SELECT profile_id, shared FROM profile_identifier WHERE brand_id = ? AND type = ? AND value = ?',
    ).get(brandId, n.type, n.value) as { profile_id: number; shared: number } | undefined;
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
  const events = (
    stmt(
      db,
      'SELECT id, event_type, source, external_id, payload, occurred_at, received_at FROM customer_raw_event WHERE customer_profile_id = ? ORDER BY occurred_at, id',
    ).all(profileId) as {
      id: number;
      event_type: string;
      source: string;
      external_id: string | null;
      payload: string;
      occurred_at: number;
      received_at: number;
    }[]
  ).map((e) => ({
    id: e.id,
    type: e.event_type,
    source: e.source,
    externalId: e.external_id,
    occurredAt: new Date(e.occurred_at).toISOString(),
    receivedAt: new Date(e.received_at).toISOString(),
    payload: JSON.parse(e.payload) as unknown,
  }));
  const merges = stmt(
    db,
    'SELECT id, merged_profile_ids, reason, created_at, undone_at FROM merge_history WHERE base_profile_id = ?',
  ).all(profileId);
  return {
    profile,
    identifiers: identifiersOf(db, profileId).map(identifierView),
    /** A family phone or home tablet this person uses, held on another household member's profile. */
    sharedIdentifiersUsed: stmt(
      db,
      'SELECT type, value, first_seen_at AS firstSeenAt FROM shared_identifier_use WHERE profile_id = ? ORDER BY first_seen_at',
    ).all(profileId),
    events,
    merges,
    predictions: stmt(db, 'SELECT * FROM predictions WHERE profile_id = ?').get(profileId) ?? null,
    journey: stmt(db, 'SELECT * FROM customer_journey WHERE profile_id = ?').get(profileId) ?? null,
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
    const tokens = stmt(
      db,
      "SELECT DISTINCT payload ->> '$.checkoutToken' FROM customer_raw_event WHERE customer_profile_id = ? AND payload ->> '$.checkoutToken' IS NOT NULL",
    )
      .pluck()
      .all(id) as string[];
    for (const token of tokens)
      stmt(db, 'DELETE FROM checkout_state WHERE brand_id = ? AND token = ?').run(profile.brand_id, token);
    events += stmt(db, 'DELETE FROM customer_raw_event WHERE customer_profile_id = ?').run(id).changes;
    // Every profile that ever became this one (redirects always point at the final survivor): their snapshots too.
    const family = [
      id,
      ...(stmt(db, 'SELECT from_profile_id FROM profile_redirect WHERE to_profile_id = ?').pluck().all(id) as number[]),
    ];
    const histories = [
      ...new Set(
        family.flatMap(
          (member) =>
            stmt(
              db,
              `SELECT id FROM merge_history WHERE base_profile_id = ? OR EXISTS (SELECT 1 FROM json_each(merged_profile_ids) WHERE value = ?)`,
            )
              .pluck()
              .all(member, member) as number[],
        ),
      ),
    ];
    for (const historyId of histories) {
      stmt(db, 'DELETE FROM profile_redirect WHERE merge_history_id = ?').run(historyId);
      stmt(db, 'UPDATE merge_review SET merge_history_id = NULL WHERE merge_history_id = ?').run(historyId);
      stmt(db, 'DELETE FROM merge_history WHERE id = ?').run(historyId);
    }
    for (const member of family) stmt(db, 'DELETE FROM shared_identifier_use WHERE profile_id = ?').run(member);
    stmt(db, 'DELETE FROM profile_redirect WHERE from_profile_id = ? OR to_profile_id = ?').run(id, id);
    stmt(
      db,
      'DELETE FROM merge_review WHERE EXISTS (SELECT 1 FROM json_each(candidate_profile_ids) WHERE value = ?)',
    ).run(id);
    stmt(db, 'DELETE FROM profile_separation WHERE profile_a = ? OR profile_b = ?').run(id, id);
    for (const value of values) {
      const digits = value.replace(/^\+/, '');
      stmt(db, 'DELETE FROM message_delivery_update WHERE recipient = ?').run(digits);
      stmt(
        db,
        "UPDATE webhook_delivery SET body = NULL, detail = 'content erased for a privacy request' WHERE body IS NOT NULL AND (instr(lower(body), lower(?)) > 0 OR instr(body, ?) > 0)",
      ).run(value, digits);
    }
    stmt(db, 'DELETE FROM customer_profile WHERE id = ?').run(id);
    profiles += 1;
  }
  return { profiles, events };
}

/** Erases every customer of a brand (and the brand itself unless it is the main shop). */
export function eraseBrand(db: Database, brandId: number): { profiles: number; events: number } {
  const events = stmt(db, 'DELETE FROM customer_raw_event WHERE brand_id = ?').run(brandId).changes;
  stmt(
    db,
    'DELETE FROM profile_redirect WHERE merge_history_id IN (SELECT id FROM merge_history WHERE brand_id = ?)',
  ).run(brandId);
  stmt(db, 'DELETE FROM merge_review WHERE brand_id = ?').run(brandId);
  stmt(db, 'DELETE FROM merge_history WHERE brand_id = ?').run(brandId);
  stmt(db, 'DELETE FROM profile_separation WHERE brand_id = ?').run(brandId);
  stmt(db, 'DELETE FROM checkout_state WHERE brand_id = ?').run(brandId);
  stmt(db, 'DELETE FROM message_delivery_update WHERE brand_id = ?').run(brandId);
  stmt(db, 'DELETE FROM webhook_delivery WHERE brand_id = ?').run(brandId);
  stmt(db, 'DELETE FROM profile_identifier WHERE brand_id = ?').run(brandId);
  stmt(db, 'DELETE FROM shared_identifier_use WHERE brand_id = ?').run(brandId);
  const profiles = stmt(db, 'DELETE FROM customer_profile WHERE brand_id = ?').run(brandId).changes;
  if (brandId !== DEFAULT_BRAND_ID) {
    stmt(db, 'DELETE FROM shopify_connection WHERE brand_id = ?').run(brandId);
    forgetShops(db);
    for (const table of ['automation_execution', 'message_outbox', 'marketing_automation', 'model_version']) {
      stmt(db, `DELETE FROM ${table} WHERE brand_id = ?`).run(brandId);
    }
    stmt(db, 'DELETE FROM brand WHERE id = ?').run(brandId);
  }
  return { profiles, events };
}
