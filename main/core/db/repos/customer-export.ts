/**
 * The customers export's reads (customers/export.ts): the last purchase and the journey columns for a page of
 * customers (none computed yet: nulls), and the segment names customers are in now.
 */
import type { Database } from '../open';
import { stmt } from '../statements';

export type JourneyFacts = {
  id: number;
  last_purchase_at: number | null;
  stage: string | null;
  score: number | null;
};

/** Last purchase and the journey columns for a page of customers, in one query (none yet: nulls). */
export function journeyFactsOf(db: Database, ids: readonly number[]): Map<number, JourneyFacts> {
  const rows = stmt(
    db,
    `SELECT p.id, p.last_purchase_at, j.stage, j.score
     FROM customer_profile p LEFT JOIN customer_journey j ON j.profile_id = p.id
     WHERE p.id IN (SELECT value FROM json_each(?))`,
  ).all(JSON.stringify(ids)) as JourneyFacts[];
  return new Map(rows.map((r) => [r.id, r]));
}

/** The segment names customers are in now (for the CLI's --segment, typed in any case). */
export function segmentsInUse(db: Database, brandId: number): string[] {
  return stmt(
    db,
    'SELECT DISTINCT segment FROM predictions WHERE brand_id = ? AND segment IS NOT NULL ORDER BY segment',
  )
    .pluck()
    .all(brandId) as string[];
}
