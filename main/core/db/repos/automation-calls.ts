/**
 * URL calls automations asked for: written in the firing's transaction (so a crash never loses or repeats one), then
 * claimed and sent once by the call sender (automations/calls.ts).
 */
import type { Database } from '../open';
import { stmt } from '../statements';

export function insertCall(
  db: Database,
  brandId: number,
  executionId: number,
  url: string,
  body: string,
  now: number,
): number {
  return Number(
    stmt(
      db,
      `INSERT INTO automation_call (brand_id, execution_id, url, body, status, created_at, updated_at)
       VALUES (?, ?, ?, ?, 'pending', ?, ?)`,
    ).run(brandId, executionId, url, body, now, now).lastInsertRowid,
  );
}

export interface CallRow {
  id: number;
  url: string;
  body: string;
}

export function pendingCalls(db: Database, limit: number): CallRow[] {
  return stmt(db, `SELECT id, url, body FROM automation_call WHERE status = 'pending' ORDER BY id LIMIT ?`).all(
    limit,
  ) as CallRow[];
}

/** Guarded: only a pending call can start; committed before the request goes. */
export function claimCall(db: Database, id: number, now: number): boolean {
  return (
    stmt(db, `UPDATE automation_call SET status = 'sending', updated_at = ? WHERE id = ? AND status = 'pending'`).run(
      now,
      id,
    ).changes > 0
  );
}

export function finishCall(db: Database, id: number, status: string, detail: string | null, now: number): void {
  stmt(db, 'UPDATE automation_call SET status = ?, detail = ?, updated_at = ? WHERE id = ?').run(
    status,
    detail,
    now,
    id,
  );
}

export function recoverInterruptedCalls(db: Database, now: number): number {
  return stmt(
    db,
    `UPDATE automation_call SET status = 'unknown', detail = 'ConstIntel stopped while calling: it may or may not have arrived.',
       updated_at = ? WHERE status = 'sending'`,
  ).run(now).changes;
}
