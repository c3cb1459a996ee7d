/**
 * Removing a customer, or all of a brand's customers, for a privacy request: the profile, its events, the merge
 * history and reviews that name it, its checkouts and delivery receipts, and stored webhook bodies that mention
 * it (blanked). What to erase is decided in privacy/privacy.ts; this is how.
 */
import type { Database } from '../open';
import { stmt } from '../statements';

/**
 * Erases one profile and everything that names it; `values` are its identifier values as sent and as
 * normalised, searched for in delivery receipts and stored webhook bodies. Returns how many events went.
 */
export function eraseProfileRows(db: Database, profile: { id: number; brand_id: number }, values: string[]): number {
  const id = profile.id;
  const tokens = stmt(
    db,
    "SELECT DISTINCT payload ->> '$.checkoutToken' FROM customer_raw_event WHERE customer_profile_id = ? AND payload ->> '$.checkoutToken' IS NOT NULL",
  )
    .pluck()
    .all(id) as string[];
  for (const token of tokens)
    stmt(db, 'DELETE FROM checkout_state WHERE brand_id = ? AND token = ?').run(profile.brand_id, token);
  const events = stmt(db, 'DELETE FROM customer_raw_event WHERE customer_profile_id = ?').run(id).changes;
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
    stmt(db, 'DELETE FROM message_delivery_update WHERE recipient IN (?, ?)').run(digits, value);
    // A text that came before the number belonged to any customer is kept on nobody: it goes by its number.
    stmt(db, 'DELETE FROM message_in WHERE from_address IN (?, ?)').run(value, digits);
    stmt(db, 'DELETE FROM message_outbox WHERE recipient = ?').run(value);
    stmt(
      db,
      "UPDATE webhook_delivery SET body = NULL, detail = 'content erased for a privacy request' WHERE body IS NOT NULL AND (instr(lower(body), lower(?)) > 0 OR instr(body, ?) > 0)",
    ).run(value, digits);
  }
  // Messages to and from them, and their consent history, go with them.
  stmt(db, 'DELETE FROM message_outbox WHERE profile_id = ?').run(id);
  stmt(db, 'DELETE FROM message_in WHERE profile_id = ?').run(id);
  stmt(db, 'DELETE FROM consent_event WHERE profile_id = ?').run(id);
  // What automations decided about them (and the calls about them), and their tags.
  stmt(db, 'DELETE FROM automation_decision WHERE profile_id = ?').run(id);
  stmt(
    db,
    'DELETE FROM automation_call WHERE execution_id IN (SELECT id FROM automation_execution WHERE profile_id = ?)',
  ).run(id);
  stmt(db, 'DELETE FROM automation_execution WHERE profile_id = ?').run(id);
  stmt(db, 'DELETE FROM profile_tag WHERE profile_id = ?').run(id);
  stmt(db, 'DELETE FROM customer_profile WHERE id = ?').run(id);
  return events;
}

/** Erases every customer of a brand and what names them (the brand itself stays). */
export function eraseBrandCustomers(db: Database, brandId: number): { profiles: number; events: number } {
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
  return { profiles, events };
}

/** Erases what else a brand that is not the main shop had (its connection, automations, models) and the brand. */
export function eraseBrandRow(db: Database, brandId: number): void {
  stmt(db, 'DELETE FROM shopify_connection WHERE brand_id = ?').run(brandId);
  for (const table of [
    'automation_decision',
    'automation_call',
    'automation_execution',
    'message_outbox',
    'message_in',
    'consent_event',
    'marketing_automation',
    'model_version',
  ]) {
    stmt(db, `DELETE FROM ${table} WHERE brand_id = ?`).run(brandId);
  }
  stmt(db, 'DELETE FROM brand WHERE id = ?').run(brandId);
}
