/**
 * The SQL of campaigns. A campaign is a `marketing_automation` row whose trigger type is `campaign` (switched off
 * forever, so no automation sweep or live event ever meets it; `automationRows` leaves it out), so its occasions,
 * decisions and messages use the automations' ledger and the comparison reads them the same way. Here: its rows,
 * and its decisions counted by outcome (the audience is automation-candidates.ts's conditions).
 */
import type { Database } from '../open';
import { stmt } from '../statements';

export const CAMPAIGN_TRIGGER = 'campaign';

export interface CampaignRow {
  id: number;
  name: string;
  definition: string;
  createdAt: number;
  updatedAt: number;
}

const COLUMNS = 'id, name, definition, created_at AS createdAt, updated_at AS updatedAt';

export function campaignRows(db: Database, brandId: number): CampaignRow[] {
  return stmt(
    db,
    `SELECT ${COLUMNS} FROM marketing_automation WHERE brand_id = ? AND trigger_type = '${CAMPAIGN_TRIGGER}'
     ORDER BY id DESC`,
  ).all(brandId) as CampaignRow[];
}

export function campaignRow(db: Database, brandId: number, id: number): CampaignRow | undefined {
  return stmt(
    db,
    `SELECT ${COLUMNS} FROM marketing_automation WHERE brand_id = ? AND id = ? AND trigger_type = '${CAMPAIGN_TRIGGER}'`,
  ).get(brandId, id) as CampaignRow | undefined;
}

/** A new campaign: off (it is never switched on), priority 1 and a one-day cooldown (each customer meets it once anyway). */
export function insertCampaign(db: Database, brandId: number, name: string, definition: string, now: number): number {
  return Number(
    stmt(
      db,
      `INSERT INTO marketing_automation (brand_id, name, trigger_type, definition, recipe, priority, cooldown_days,
         enabled, created_at, updated_at) VALUES (?, ?, '${CAMPAIGN_TRIGGER}', ?, NULL, 1, 1, 0, ?, ?)`,
    ).run(brandId, name, definition, now, now).lastInsertRowid,
  );
}

/** Changes a draft; false when it is gone or Send was pressed already (then it keeps what it was sent as). */
export function updateDraft(
  db: Database,
  brandId: number,
  id: number,
  name: string,
  definition: string,
  now: number,
): boolean {
  return (
    stmt(
      db,
      `UPDATE marketing_automation SET name = ?, definition = ?, updated_at = ?
       WHERE brand_id = ? AND id = ? AND trigger_type = '${CAMPAIGN_TRIGGER}'
         AND json_extract(definition, '$.sendStartedAt') IS NULL`,
    ).run(name, definition, now, brandId, id).changes > 0
  );
}

/**
 * Send pressed: the date goes into the definition (not `updated_at`, which the send checks to stop if the
 * campaign changed). True only the first time.
 */
export function markSendStarted(db: Database, id: number, at: number): boolean {
  return (
    stmt(
      db,
      `UPDATE marketing_automation SET definition = json_set(definition, '$.sendStartedAt', ?), last_run_at = ?
       WHERE id = ? AND json_extract(definition, '$.sendStartedAt') IS NULL`,
    ).run(at, at, id).changes > 0
  );
}

export function markSent(db: Database, id: number, at: number): void {
  stmt(db, `UPDATE marketing_automation SET definition = json_set(definition, '$.sentAt', ?) WHERE id = ?`).run(at, id);
}

/** Campaigns whose Send was pressed and not finished (ConstIntel stopped part-way). */
export function unfinishedCampaignIds(db: Database, brandId: number): number[] {
  return (
    stmt(
      db,
      `SELECT id FROM marketing_automation WHERE brand_id = ? AND trigger_type = '${CAMPAIGN_TRIGGER}'
         AND json_extract(definition, '$.sendStartedAt') IS NOT NULL AND json_extract(definition, '$.sentAt') IS NULL
       ORDER BY id`,
    ).all(brandId) as { id: number }[]
  ).map((r) => r.id);
}

/** Only a draft can be deleted: a sent campaign's decisions are its comparison. */
export function deleteDraft(db: Database, brandId: number, id: number): boolean {
  return (
    stmt(
      db,
      `DELETE FROM marketing_automation WHERE brand_id = ? AND id = ? AND trigger_type = '${CAMPAIGN_TRIGGER}'
         AND json_extract(definition, '$.sendStartedAt') IS NULL`,
    ).run(brandId, id).changes > 0
  );
}

/** The campaign's decisions by outcome (fired, held, held_out, skipped…). */
export function decisionCounts(db: Database, campaignId: number): Map<string, number> {
  const rows = stmt(
    db,
    'SELECT outcome, count(*) AS n FROM automation_decision WHERE automation_id = ? GROUP BY outcome',
  ).all(campaignId) as { outcome: string; n: number }[];
  return new Map(rows.map((r) => [r.outcome, r.n]));
}
