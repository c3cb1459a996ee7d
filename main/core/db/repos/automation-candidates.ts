/**
 * Which customers an automation's trigger and conditions select, as SQL over `customer_profile` (alias p) left-joined
 * to `predictions` (alias pr): the editor's live count, the sweep of customers already in a state, and the check of
 * one customer. Conditions are SQL so 100,000 profiles are one indexed pass, not 100,000 lookups.
 *
 * Country: a customer's country is their phone number's (its calling code, from libphonenumber's metadata; customers
 * without a phone count as the shop's country). Calling codes shared by several countries (+1: the US, Canada and
 * the Caribbean) match all of them.
 */
import { getCountryCallingCode, isSupportedCountry } from 'libphonenumber-js';
import type { Conditions, Trigger } from '../../../../shared/contract/automations';
import type { Database } from '../open';
import { stmt } from '../statements';

export interface Where {
  sql: string;
  params: (string | number)[];
}

const FROM = 'FROM customer_profile p LEFT JOIN predictions pr ON pr.profile_id = p.id';

function rangeSql(column: string, range: { min: number | null; max: number | null } | null, scale = 1): Where[] {
  if (!range) return [];
  const out: Where[] = [];
  if (range.min !== null) out.push({ sql: `${column} >= ?`, params: [range.min / scale] });
  if (range.max !== null) out.push({ sql: `${column} <= ?`, params: [range.max / scale] });
  return out;
}

const purchasedLike = (field: 'title' | 'category') =>
  `EXISTS (SELECT 1 FROM customer_raw_event ev, json_each(ev.payload, '$.items') it
     WHERE ev.customer_profile_id = p.id AND ev.event_type = 'purchase'
       AND lower(coalesce(json_extract(it.value, '$.${field}'), '')) LIKE ?)`;

/** The conditions as one WHERE fragment (always true when there are none). */
export function conditionsWhere(conditions: Conditions, shopCountry: string): Where {
  const parts: Where[] = [];
  if (conditions.segmentIs.length > 0)
    parts.push({
      sql: `pr.segment IN (${conditions.segmentIs.map(() => '?').join(', ')})`,
      params: conditions.segmentIs,
    });
  if (conditions.segmentIsNot.length > 0)
    parts.push({
      sql: `coalesce(pr.segment, '') NOT IN (${conditions.segmentIsNot.map(() => '?').join(', ')})`,
      params: conditions.segmentIsNot,
    });
  parts.push(...rangeSql('pr.churn_score', conditions.churnRisk, 100));
  parts.push(...rangeSql('pr.ltv_score', conditions.predictedValue));
  parts.push(...rangeSql('p.lifetime_value', conditions.lifetimeValue));
  parts.push(...rangeSql('p.total_orders', conditions.orders));
  if (conditions.consentOn) parts.push({ sql: `p.${conditions.consentOn}_consent = 1`, params: [] });
  if (conditions.boughtProduct)
    parts.push({ sql: purchasedLike('title'), params: [`%${conditions.boughtProduct.toLowerCase()}%`] });
  if (conditions.boughtCategory)
    parts.push({ sql: purchasedLike('category'), params: [`%${conditions.boughtCategory.toLowerCase()}%`] });
  if (conditions.country.length > 0) {
    const codes = [
      ...new Set(
        conditions.country.filter((c) => isSupportedCountry(c)).map((c) => `+${getCountryCallingCode(c as never)}`),
      ),
    ];
    const phoneIn = codes.map(() => 'ph.value LIKE ?').join(' OR ') || '0';
    const shopIncluded = conditions.country.includes(shopCountry.toUpperCase()) ? 1 : 0;
    parts.push({
      sql: `(EXISTS (SELECT 1 FROM profile_identifier ph WHERE ph.profile_id = p.id AND ph.type = 'phone' AND (${phoneIn}))
        OR (? = 1 AND NOT EXISTS (SELECT 1 FROM profile_identifier ph WHERE ph.profile_id = p.id AND ph.type = 'phone')))`,
      params: [...codes.map((c) => `${c}%`), shopIncluded],
    });
  }
  if (conditions.hasTag)
    parts.push({
      sql: 'EXISTS (SELECT 1 FROM profile_tag t WHERE t.profile_id = p.id AND t.tag = ?)',
      params: [conditions.hasTag],
    });
  if (conditions.lacksTag)
    parts.push({
      sql: 'NOT EXISTS (SELECT 1 FROM profile_tag t WHERE t.profile_id = p.id AND t.tag = ?)',
      params: [conditions.lacksTag],
    });
  if (parts.length === 0) return { sql: '1', params: [] };
  return { sql: parts.map((p) => `(${p.sql})`).join(' AND '), params: parts.flatMap((p) => p.params) };
}

export function countMatching(db: Database, brandId: number, where: Where, extra?: Where): number {
  const all = extra ? `(${where.sql}) AND (${extra.sql})` : where.sql;
  return (
    stmt(db, `SELECT count(*) AS n ${FROM} WHERE p.brand_id = ? AND ${all}`).get(
      brandId,
      ...where.params,
      ...(extra?.params ?? []),
    ) as { n: number }
  ).n;
}

export function profileMatches(db: Database, profileId: number, where: Where): boolean {
  return stmt(db, `SELECT 1 ${FROM} WHERE p.id = ? AND ${where.sql}`).get(profileId, ...where.params) !== undefined;
}

export interface Candidate {
  profileId: number;
  /** When the customer entered the state, where it is known (the lapse, the expected date); else null. */
  at: number | null;
  /** Churn risk × predicted value: what is at stake (orders equal priorities). */
  stake: number;
  /** A number that tells this state occasion apart (the last purchase the lapse or the overdue date follows), else null. */
  mark: number | string | null;
}

/**
 * The customers in a trigger's state now: `state` is a WHERE fragment over p and pr; `at`/`mark` SQL expressions.
 * With `pick`, every customer in the state, each marked whether they also meet it (one pass serves both the sweep and
 * the closing of occasions of those who left the state).
 */
export function inState(
  db: Database,
  brandId: number,
  state: Where,
  columns: { at?: string; mark?: string } = {},
  pick?: Where,
): (Candidate & { pick: 0 | 1 })[] {
  return stmt(
    db,
    `SELECT p.id AS profileId, ${columns.at ?? 'NULL'} AS at, ${columns.mark ?? 'NULL'} AS mark,
       coalesce(pr.churn_score, 0) * coalesce(pr.ltv_score, 0) AS stake, ${pick ? `coalesce((${pick.sql}), 0)` : '1'} AS pick
     ${FROM} WHERE p.brand_id = ? AND ${state.sql}`,
  ).all(...(pick?.params ?? []), brandId, ...state.params) as (Candidate & { pick: 0 | 1 })[];
}

/** What is at stake for one customer (churn risk × predicted value), 0 when not scored. */
export function stakeOf(db: Database, profileId: number): number {
  const row = stmt(
    db,
    'SELECT coalesce(churn_score, 0) * coalesce(ltv_score, 0) AS stake FROM predictions WHERE profile_id = ?',
  ).get(profileId) as { stake: number } | undefined;
  return row?.stake ?? 0;
}

const DAY = 86_400_000;

/**
 * A trigger's state as SQL over p and pr (who is in it now), with what dates the crossing (`at`) and tells one
 * occasion from the next (`mark`); null for triggers that only events fire (first purchase, a cart, interest).
 */
export function triggerState(trigger: Trigger, now: number): (Where & { at?: string; mark?: string }) | null {
  switch (trigger.type) {
    case 'churn_risk':
      return { sql: 'pr.churn_score >= ?', params: [trigger.atLeast / 100] };
    case 'segment_entered':
      return { sql: 'pr.segment = ?', params: [trigger.segment] };
    case 'ltv_milestone':
      return { sql: 'p.lifetime_value >= ?', params: [trigger.amount] };
    case 'no_purchase':
      return {
        sql: 'p.last_purchase_at IS NOT NULL AND p.last_purchase_at <= ?',
        params: [now - trigger.days * DAY],
        at: `p.last_purchase_at + ${trigger.days * DAY}`,
        mark: 'p.last_purchase_at',
      };
    case 'purchase_overdue':
      return {
        sql: 'pr.next_purchase_at IS NOT NULL AND pr.next_purchase_at <= ? AND (p.last_purchase_at IS NULL OR p.last_purchase_at < pr.next_purchase_at)',
        params: [now],
        at: 'pr.next_purchase_at',
        // Once per purchase cycle: a retrain moves the expected date, not the purchase it follows.
        mark: 'p.last_purchase_at',
      };
    default:
      return null;
  }
}

/**
 * The predicted value a customer needs to be among the shop's highest `share` (0.1: the top 10%) of customers with a
 * predicted value: the value of the k-th highest, k = ⌈scored × share⌉ (at least 1); null when nobody is scored.
 */
export function predictedValueLine(db: Database, brandId: number, share: number): number | null {
  const scored = stmt(db, 'SELECT count(*) FROM predictions WHERE brand_id = ? AND ltv_score >= 0')
    .pluck()
    .get(brandId) as number;
  if (scored === 0) return null;
  const k = Math.max(1, Math.ceil(scored * share));
  return (
    (stmt(
      db,
      'SELECT ltv_score FROM predictions WHERE brand_id = ? AND ltv_score >= 0 ORDER BY ltv_score DESC LIMIT 1 OFFSET ?',
    )
      .pluck()
      .get(brandId, k - 1) as number | undefined) ?? null
  );
}
