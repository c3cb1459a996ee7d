/**
 * The SQL of automations: the automations themselves, the occasion ledger (`automation_execution`, unique per
 * automation and occasion key, so an occasion fires once however often it is evaluated), decisions, tags, URL
 * calls, and the candidate queries each trigger asks (indexed reads of profiles, predictions and executions).
 */
import type { Database } from '../open';
import { stmt } from '../statements';
import type { ArmDraw } from './automation-arms';

export interface AutomationRow {
  id: number;
  name: string;
  triggerType: string;
  definition: string;
  recipe: string | null;
  priority: number;
  enabled: number;
  cooldownDays: number;
  armedAt: number | null;
  lastRunAt: number | null;
  armPending: number;
  scoresPending: number;
  sweptAt: number | null;
  createdAt: number;
  updatedAt: number;
}

const AUTOMATION_COLUMNS = `id, name, trigger_type AS triggerType, definition, recipe, priority, enabled,
  cooldown_days AS cooldownDays, armed_at AS armedAt, last_run_at AS lastRunAt, arm_pending AS armPending,
  scores_pending AS scoresPending, swept_at AS sweptAt, created_at AS createdAt, updated_at AS updatedAt`;

/** The automations (campaigns, kept as rows whose trigger type is `campaign`, are not among them). */
export function automationRows(db: Database, brandId: number, enabledOnly = false): AutomationRow[] {
  return stmt(
    db,
    `SELECT ${AUTOMATION_COLUMNS} FROM marketing_automation WHERE brand_id = ? AND (? = 0 OR enabled = 1)
       AND trigger_type <> 'campaign'
     ORDER BY priority, id`,
  ).all(brandId, enabledOnly ? 1 : 0) as AutomationRow[];
}

export function automationRow(db: Database, brandId: number, id: number): AutomationRow | undefined {
  return stmt(db, `SELECT ${AUTOMATION_COLUMNS} FROM marketing_automation WHERE brand_id = ? AND id = ?`).get(
    brandId,
    id,
  ) as AutomationRow | undefined;
}

export interface AutomationWrite {
  name: string;
  triggerType: string;
  definition: string;
  recipe: string | null;
  priority: number;
  cooldownDays: number;
}

export function insertAutomation(db: Database, brandId: number, a: AutomationWrite, now: number): number {
  return Number(
    stmt(
      db,
      `INSERT INTO marketing_automation (brand_id, name, trigger_type, definition, recipe, priority, cooldown_days,
         enabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)`,
    ).run(brandId, a.name, a.triggerType, a.definition, a.recipe, a.priority, a.cooldownDays, now, now).lastInsertRowid,
  );
}

export function updateAutomation(db: Database, brandId: number, id: number, a: AutomationWrite, now: number): boolean {
  return (
    stmt(
      db,
      `UPDATE marketing_automation SET name = ?, trigger_type = ?, definition = ?, recipe = ?, priority = ?,
         cooldown_days = ?, updated_at = ? WHERE brand_id = ? AND id = ? AND trigger_type <> 'campaign'`,
    ).run(a.name, a.triggerType, a.definition, a.recipe, a.priority, a.cooldownDays, now, brandId, id).changes > 0
  );
}

export function setEnabledRow(db: Database, brandId: number, id: number, enabled: boolean, now: number): void {
  stmt(
    db,
    `UPDATE marketing_automation SET enabled = ?, arm_pending = ?, armed_at = CASE WHEN ? = 1 THEN ? ELSE armed_at END,
       updated_at = ? WHERE brand_id = ? AND id = ?`,
  ).run(enabled ? 1 : 0, enabled ? 1 : 0, enabled ? 1 : 0, now, now, brandId, id);
}

/** Arming starts (Run now): pending until `armDone`, so a crash part-way is finished at the next start or tick. */
export function armStart(db: Database, id: number, now: number): void {
  stmt(
    db,
    'UPDATE marketing_automation SET arm_pending = 1, armed_at = ?, last_run_at = ?, swept_at = ? WHERE id = ?',
  ).run(now, now, now, id);
}

export function armDone(db: Database, id: number): void {
  stmt(db, 'UPDATE marketing_automation SET arm_pending = 0 WHERE id = ?').run(id);
}

/** New scores: every enabled automation whose trigger reads them has crossings to look at. */
export function markScoresPending(db: Database, brandId: number, triggerTypes: readonly string[]): number {
  return stmt(
    db,
    `UPDATE marketing_automation SET scores_pending = 1
     WHERE brand_id = ? AND enabled = 1 AND trigger_type IN (${triggerTypes.map(() => '?').join(', ')})`,
  ).run(brandId, ...triggerTypes).changes;
}

export function scoresDone(db: Database, ids: readonly number[]): void {
  for (const id of ids) stmt(db, 'UPDATE marketing_automation SET scores_pending = 0 WHERE id = ?').run(id);
}

export function markSwept(db: Database, id: number, at: number): void {
  stmt(db, 'UPDATE marketing_automation SET swept_at = ?, last_run_at = ? WHERE id = ?').run(at, at, id);
}

export function deleteAutomationRow(db: Database, brandId: number, id: number): boolean {
  return (
    stmt(db, "DELETE FROM marketing_automation WHERE brand_id = ? AND id = ? AND trigger_type <> 'campaign'").run(
      brandId,
      id,
    ).changes > 0
  );
}

/** Messages an automation wrote since `since` (not counting those cancelled before they went). */
export function messagesWrittenSince(db: Database, automationId: number, since: number): number {
  return (
    stmt(
      db,
      `SELECT count(*) AS n FROM message_outbox o JOIN automation_execution e ON e.id = o.execution_id
       WHERE e.automation_id = ? AND o.created_at >= ? AND o.status <> 'cancelled'`,
    ).get(automationId, since) as { n: number }
  ).n;
}

// ---- the occasion ledger ----

export interface ExecutionRow {
  id: number;
  automationId: number;
  profileId: number | null;
  dedupeKey: string;
  status: string;
  step: number;
  resumeAt: number | null;
  occurredAt: number | null;
  createdAt: number;
}

const EXECUTION_COLUMNS = `id, automation_id AS automationId, profile_id AS profileId, dedupe_key AS dedupeKey, status,
  step, resume_at AS resumeAt, occurred_at AS occurredAt, created_at AS createdAt`;

/** Opens an occasion; undefined when the automation already had it for this key (the occasion was handled). */
export function openOccasion(
  db: Database,
  brandId: number,
  o: { automationId: number; profileId: number; key: string; occurredAt: number; status: string; resumeAt?: number },
  now: number,
): number | undefined {
  const result = stmt(
    db,
    `INSERT INTO automation_execution (brand_id, automation_id, profile_id, dedupe_key, status, resume_at, occurred_at,
       created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (automation_id, dedupe_key) DO NOTHING`,
  ).run(brandId, o.automationId, o.profileId, o.key, o.status, o.resumeAt ?? null, o.occurredAt, now);
  return result.changes > 0 ? Number(result.lastInsertRowid) : undefined;
}

export function occasionExists(db: Database, automationId: number, key: string): boolean {
  return (
    stmt(db, 'SELECT 1 FROM automation_execution WHERE automation_id = ? AND dedupe_key = ?').get(automationId, key) !==
    undefined
  );
}

export function setExecution(
  db: Database,
  id: number,
  e: { status: string; step?: number; resumeAt?: number | null; detail?: string | null; draw?: ArmDraw | null },
  now: number,
): void {
  const draw = e.draw ?? null;
  stmt(
    db,
    `UPDATE automation_execution SET status = ?, step = coalesce(?, step), resume_at = ?, detail = ?, executed_at = ?,
       arm = coalesce(?, arm), arm_at = coalesce(?, arm_at), churn_at = coalesce(?, churn_at),
       value_at = coalesce(?, value_at)
     WHERE id = ?`,
  ).run(
    e.status,
    e.step ?? null,
    e.resumeAt ?? null,
    e.detail ?? null,
    now,
    draw?.arm ?? null,
    draw ? now : null,
    draw?.churnRisk ?? null,
    draw?.predictedValue ?? null,
    id,
  );
}

/**
 * The last time this automation acted for this customer: occasions that ran their actions (fired, held), that ran
 * some before a wait (`step` > 0), or that were cancelled after a message of theirs had gone.
 */
export function lastFiredAt(db: Database, automationId: number, profileId: number): number | null {
  const row = stmt(
    db,
    `SELECT max(e.executed_at) AS at FROM automation_execution e
     WHERE e.profile_id = ? AND e.automation_id = ? AND ${ACTED}`,
  ).get(profileId, automationId) as { at: number | null };
  return row.at;
}

/** The occasions `lastFiredAt` counts (alias e): acted on, or cancelled after a message of theirs had gone. */
export const ACTED = `(e.status IN ('fired', 'held', 'held_out') OR (e.status = 'waiting' AND e.step > 0)
  OR (e.status = 'cancelled' AND EXISTS (SELECT 1 FROM message_outbox o
        WHERE o.execution_id = e.id AND o.status <> 'cancelled')))`;

/** Occasions waiting for their time (a cart's delay, a wait action) that are due. */
export function dueExecutions(
  db: Database,
  brandId: number,
  now: number,
  limit: number,
  automationId?: number,
): ExecutionRow[] {
  return stmt(
    db,
    `SELECT ${EXECUTION_COLUMNS} FROM automation_execution
     WHERE status = 'waiting' AND resume_at <= ? AND brand_id = ? AND (? IS NULL OR automation_id = ?)
     ORDER BY resume_at, id LIMIT ?`,
  ).all(now, brandId, automationId ?? null, automationId ?? null, limit) as ExecutionRow[];
}

/**
 * State occasions still open (the customer has not left the state since it fired): keys `<profile id>:<state>:open`.
 */
export function openStateOccasions(
  db: Database,
  automationId: number,
  state: string,
): { id: number; profileId: number }[] {
  return stmt(
    db,
    `SELECT id, profile_id AS profileId FROM automation_execution WHERE automation_id = ? AND dedupe_key LIKE ?`,
  ).all(automationId, `%:${state}:open`) as { id: number; profileId: number }[];
}

/** The customer left the state: the occasion keeps its history under another key, so a new crossing is new. */
export function closeStateOccasion(db: Database, id: number): void {
  stmt(db, `UPDATE automation_execution SET dedupe_key = dedupe_key || ':closed:' || id WHERE id = ?`).run(id);
}

/** The cart occasions of this customer still waiting, for automations with the abandoned-cart trigger. */
export function waitingCartOccasions(
  db: Database,
  profileId: number,
): { id: number; automationId: number; status: string }[] {
  return stmt(
    db,
    `SELECT e.id, e.automation_id AS automationId, e.status FROM automation_execution e
     JOIN marketing_automation a ON a.id = e.automation_id
     WHERE e.profile_id = ? AND a.trigger_type = 'abandoned_cart' AND e.status IN ('waiting', 'fired', 'held')
       AND e.dedupe_key LIKE '%:cart:%'`,
  ).all(profileId) as { id: number; automationId: number; status: string }[];
}

/** Messages of these executions that have not started going (pending or held): what a purchase can still stop. */
export function unsentMessagesOf(db: Database, executionId: number): number[] {
  return (
    stmt(db, `SELECT id FROM message_outbox WHERE execution_id = ? AND status IN ('pending', 'held')`).all(
      executionId,
    ) as { id: number }[]
  ).map((r) => r.id);
}

// ---- decisions ----

export interface DecisionWrite {
  automationId: number;
  profileId: number | null;
  executionId: number | null;
  outcome: string;
  guard: string | null;
  reason: string;
  outboxId: number | null;
}

export function insertDecision(db: Database, brandId: number, d: DecisionWrite, now: number): void {
  stmt(
    db,
    `INSERT INTO automation_decision (brand_id, automation_id, profile_id, execution_id, outcome, guard, reason,
       outbox_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(brandId, d.automationId, d.profileId, d.executionId, d.outcome, d.guard, d.reason, d.outboxId, now);
}

export interface DecisionRow {
  id: number;
  automationId: number;
  automationName: string;
  profileId: number | null;
  outcome: string;
  reason: string;
  outboxId: number | null;
  createdAt: number;
}

const DECISION_SELECT = `SELECT d.id, d.automation_id AS automationId, a.name AS automationName, d.profile_id AS profileId,
  d.outcome, d.reason, d.outbox_id AS outboxId, d.created_at AS createdAt
  FROM automation_decision d JOIN marketing_automation a ON a.id = d.automation_id`;

export function decisionLog(
  db: Database,
  brandId: number,
  filter: { automationId?: number | undefined; profileId?: number | undefined; limit: number },
): DecisionRow[] {
  return stmt(
    db,
    `${DECISION_SELECT} WHERE d.brand_id = ? AND (? IS NULL OR d.automation_id = ?) AND (? IS NULL OR d.profile_id = ?)
     ORDER BY d.id DESC LIMIT ?`,
  ).all(
    brandId,
    filter.automationId ?? null,
    filter.automationId ?? null,
    filter.profileId ?? null,
    filter.profileId ?? null,
    filter.limit,
  ) as DecisionRow[];
}

/** Per automation, the newest decision about this customer. */
export function lastDecisionsFor(db: Database, brandId: number, profileId: number): DecisionRow[] {
  return stmt(
    db,
    `${DECISION_SELECT} WHERE d.id IN (SELECT max(id) FROM automation_decision WHERE profile_id = ? GROUP BY automation_id)
       AND d.brand_id = ?
     ORDER BY a.priority, a.id`,
  ).all(profileId, brandId) as DecisionRow[];
}

// ---- guards' counts ----

/** Marketing messages automations wrote to this customer since `since` (cancelled ones never went, so they do not count). */
/**
 * Automated marketing this customer got since `since` (automations and campaigns, not counting messages cancelled
 * before they went or that failed), and the firings held out as a comparison, which count as a send would.
 */
export function automatedMessagesSince(db: Database, profileId: number, since: number): number {
  return (
    stmt(
      db,
      `SELECT (SELECT count(*) FROM message_outbox WHERE profile_id = ? AND ${AUTOMATED_MESSAGE}
           AND created_at >= ?)
         + (SELECT count(*) FROM automation_execution WHERE profile_id = ? AND status = 'held_out'
           AND executed_at >= ?) AS n`,
    ).get(profileId, since, profileId, since) as { n: number }
  ).n;
}

/** The outbox rows `automatedMessagesSince` counts. */
export const AUTOMATED_MESSAGE = `source IN ('automation', 'campaign') AND kind = 'marketing'
  AND status NOT IN ('cancelled', 'failed')`;

// ---- tags ----

export function addTag(db: Database, profileId: number, tag: string, source: string, now: number): boolean {
  return (
    stmt(
      db,
      'INSERT INTO profile_tag (profile_id, tag, source, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
    ).run(profileId, tag, source, now).changes > 0
  );
}

export function removeTag(db: Database, profileId: number, tag: string): boolean {
  return stmt(db, 'DELETE FROM profile_tag WHERE profile_id = ? AND tag = ?').run(profileId, tag).changes > 0;
}

export function tagsOf(db: Database, profileId: number): string[] {
  return (
    stmt(db, 'SELECT tag FROM profile_tag WHERE profile_id = ? ORDER BY tag').all(profileId) as { tag: string }[]
  ).map((r) => r.tag);
}

/** Every tag in use, with how many customers have it, most used first. */
export function tagCounts(db: Database, brandId: number): { tag: string; customers: number }[] {
  return stmt(
    db,
    `SELECT t.tag, count(*) AS customers FROM profile_tag t JOIN customer_profile p ON p.id = t.profile_id
     WHERE p.brand_id = ? GROUP BY t.tag ORDER BY customers DESC, t.tag`,
  ).all(brandId) as { tag: string; customers: number }[];
}

/** Products (sku and title, lower case) in this customer's carts and checkouts since `since`: the cart reminder's. */
export function cartProductsSince(db: Database, profileId: number, since: number): Set<string> {
  const rows = stmt(
    db,
    `SELECT lower(coalesce(json_extract(it.value, '$.sku'), '')) AS sku, lower(coalesce(json_extract(it.value, '$.title'), '')) AS title
     FROM customer_raw_event ev, json_each(ev.payload, '$.items') it
     WHERE ev.customer_profile_id = ? AND ev.occurred_at >= ?
       AND ev.event_type IN ('cart_add', 'checkout_started', 'cart_abandoned')`,
  ).all(profileId, since) as { sku: string; title: string }[];
  const out = new Set<string>();
  for (const r of rows) {
    if (r.sku) out.add(r.sku);
    if (r.title) out.add(r.title);
  }
  return out;
}

/** A purchase after `since` by this customer. */
export function boughtSince(db: Database, profileId: number, since: number): boolean {
  return (
    stmt(
      db,
      `SELECT 1 FROM customer_raw_event WHERE customer_profile_id = ? AND event_type = 'purchase' AND occurred_at >= ? LIMIT 1`,
    ).get(profileId, since) !== undefined
  );
}

/** The customer's facts a trigger reads from an event: orders so far and the last purchase. */
export function purchaseFacts(
  db: Database,
  profileId: number,
): { totalOrders: number; lastPurchaseAt: number | null; lifetimeValue: number } | undefined {
  return stmt(
    db,
    `SELECT total_orders AS totalOrders, last_purchase_at AS lastPurchaseAt, lifetime_value AS lifetimeValue
     FROM customer_profile WHERE id = ?`,
  ).get(profileId) as { totalOrders: number; lastPurchaseAt: number | null; lifetimeValue: number } | undefined;
}

/** An earlier purchase of this customer than the event `eventId` (so that one is not their first). */
export function purchasedBefore(db: Database, profileId: number, eventId: number): boolean {
  return (
    stmt(
      db,
      `SELECT 1 FROM customer_raw_event WHERE customer_profile_id = ? AND event_type = 'purchase' AND id < ? LIMIT 1`,
    ).get(profileId, eventId) !== undefined
  );
}

/** An automation switched off or deleted: its messages not gone yet. */
export function unsentOfAutomation(
  db: Database,
  automationId: number,
): { id: number; profileId: number | null; executionId: number }[] {
  return stmt(
    db,
    `SELECT o.id, o.profile_id AS profileId, o.execution_id AS executionId FROM message_outbox o
     JOIN automation_execution e ON e.id = o.execution_id
     WHERE e.automation_id = ? AND o.status IN ('pending', 'held')`,
  ).all(automationId) as { id: number; profileId: number | null; executionId: number }[];
}

/** An automation switched off or deleted: its occasions still waiting (a cart's delay, a wait). */
export function waitingOfAutomation(db: Database, automationId: number): { id: number; profileId: number | null }[] {
  return stmt(
    db,
    `SELECT id, profile_id AS profileId FROM automation_execution WHERE automation_id = ? AND status = 'waiting'`,
  ).all(automationId) as { id: number; profileId: number | null }[];
}

/** A merge: what automations hold about the merged-away customer goes to the one it became (its messages too). */
export function moveAutomationRows(db: Database, fromId: number, toId: number): void {
  stmt(db, 'UPDATE message_outbox SET profile_id = ? WHERE profile_id = ?').run(toId, fromId);
  stmt(db, 'UPDATE message_in SET profile_id = ? WHERE profile_id = ?').run(toId, fromId);
  stmt(db, 'UPDATE automation_execution SET profile_id = ? WHERE profile_id = ?').run(toId, fromId);
  stmt(db, 'UPDATE automation_decision SET profile_id = ? WHERE profile_id = ?').run(toId, fromId);
  stmt(
    db,
    `INSERT INTO profile_tag (profile_id, tag, source, created_at) SELECT ?, tag, source, created_at FROM profile_tag
     WHERE profile_id = ? ON CONFLICT DO NOTHING`,
  ).run(toId, fromId);
  stmt(db, 'DELETE FROM profile_tag WHERE profile_id = ?').run(fromId);
}
