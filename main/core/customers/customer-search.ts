/**
 * Find customers by name prefix or any identifier, sorted by lifetime value,
 * last seen, churn risk or predicted value, optionally only one risk band
 * and / or one segment.
 * Every lookup is an index range scan: name prefixes on
 * `search_name`/`search_last`, identifier prefixes on the identifier table's
 * unique (brand, type, value) index, phones normalised to E.164 first; a risk
 * band is a range of the predictions' (brand, churn score) index (the
 * active version's thresholds, ml/retrain/risk-bands.ts), a segment an equality on
 * its (brand, segment) index.
 */
import type { CustomerSummary, RiskBandsView, RiskLevel } from '../../../shared/contract/customers';
import { INPUT_IDENTIFIER_TYPES } from '../../../shared/events';
import type { Database } from '../db/open';
import { tagsOf } from '../db/repos/automations';
import { getProfile, type ProfileRow } from '../db/repos/profiles';
import { stmt } from '../db/statements';
import { type NormalizeOptions, normalizePhone } from '../identity/normalize';
import { activeRiskBands } from '../ml/predictions-read';
import { FIXED_RISK_BANDS, riskBandRange } from '../ml/retrain/risk-bands';
import { summarize } from './customer-360';

/** Per index range: enough to page through, bounded so a one-letter search stays fast at 100k customers. */
const MAX_MATCHES = 1000;
const END = '\u{10FFFF}';

export type SearchSort = 'lifetime_value' | 'last_seen' | 'churn_risk' | 'predicted_value';

export interface SearchArgs {
  brandId: number;
  query: string;
  sort: SearchSort;
  risk?: RiskLevel | undefined;
  segment?: string | undefined;
  tag?: string | undefined;
  offset: number;
  limit: number;
  normalize: NormalizeOptions;
}

const ORDER: Record<SearchSort, string> = {
  lifetime_value: 'p.lifetime_value DESC, p.id DESC',
  last_seen: 'p.last_seen_at IS NULL, p.last_seen_at DESC, p.id DESC',
  churn_risk: 'pr.churn_score IS NULL, pr.churn_score DESC, p.id DESC',
  predicted_value: 'pr.ltv_score IS NULL, pr.ltv_score DESC, p.id DESC',
};

type Scores = { churn_score: number | null; ltv_score: number | null; segment: string | null };

export function searchCustomers(
  db: Database,
  args: SearchArgs,
): {
  items: CustomerSummary[];
  total: number;
  totalIsExact: boolean;
  offset: number;
  riskBands: RiskBandsView | null;
} {
  // The active version's thresholds, read once: the filter selects by them and every row's band says them.
  const bands = activeRiskBands(db, args.brandId);
  const band = args.risk ? riskBandRange(args.risk, bands ?? FIXED_RISK_BANDS) : undefined;
  const riskBands = bands ?? null;
  const summary = (profile: ProfileRow) => summarize(db, profile, bands);
  const query = args.query.trim();
  if (query === '') {
    const scored = args.sort === 'churn_risk' || args.sort === 'predicted_value';
    const filtered = args.risk !== undefined || args.segment !== undefined;
    const from = filtered
      ? 'customer_profile p JOIN predictions pr ON pr.profile_id = p.id'
      : scored
        ? 'customer_profile p LEFT JOIN predictions pr ON pr.profile_id = p.id'
        : 'customer_profile p';
    const conditions = ['p.brand_id = ?'];
    const params: (number | string)[] = [args.brandId];
    if (band) {
      conditions.push('pr.churn_score >= ? AND pr.churn_score < ?');
      params.push(...band);
    }
    if (args.segment !== undefined) {
      conditions.push('pr.brand_id = ? AND pr.segment = ?');
      params.push(args.brandId, args.segment);
    }
    if (args.tag !== undefined) {
      conditions.push('EXISTS (SELECT 1 FROM profile_tag t WHERE t.profile_id = p.id AND t.tag = ?)');
      params.push(args.tag);
    }
    const where = conditions.join(' AND ');
    const total = stmt(db, `SELECT count(*) FROM ${from} WHERE ${where}`)
      .pluck()
      .get(...params) as number;
    const rows = stmt(db, `SELECT p.* FROM ${from} WHERE ${where} ORDER BY ${ORDER[args.sort]} LIMIT ? OFFSET ?`).all(
      ...params,
      args.limit,
      args.offset,
    ) as ProfileRow[];
    return { items: rows.map(summary), total, totalIsExact: true, offset: args.offset, riskBands };
  }

  const ids = new Set<number>();
  let capped = false;
  const lower = query.toLowerCase();
  for (const column of ['search_name', 'search_last']) {
    const found = stmt(
      db,
      `SELECT id FROM customer_profile WHERE brand_id = ? AND ${column} >= ? AND ${column} < ? LIMIT ${MAX_MATCHES}`,
    )
      .pluck()
      .all(args.brandId, lower, lower + END) as number[];
    if (found.length === MAX_MATCHES) capped = true;
    for (const id of found) ids.add(id);
  }
  const phone = /\d{5,}/.test(query.replace(/\D/g, '')) ? normalizePhone(query, args.normalize) : undefined;
  const prefixes: [string, string][] = INPUT_IDENTIFIER_TYPES.filter((t) => t !== 'whatsapp' && t !== 'phone').map(
    (type) => [type, type === 'email' ? lower : query],
  );
  if (phone?.ok) prefixes.push(['phone', phone.value]);
  else prefixes.push(['phone', query]);
  for (const [type, prefix] of prefixes) {
    const found = stmt(
      db,
      `SELECT profile_id FROM profile_identifier WHERE brand_id = ? AND type = ? AND value >= ? AND value < ? LIMIT ${MAX_MATCHES}`,
    )
      .pluck()
      .all(args.brandId, type, prefix, prefix + END) as number[];
    if (found.length === MAX_MATCHES) capped = true;
    for (const id of found) ids.add(id);
  }

  const scores = new Map<number, Scores>();
  const scoresOf = (id: number): Scores => {
    let found = scores.get(id);
    if (!found) {
      found = (stmt(db, 'SELECT churn_score, ltv_score, segment FROM predictions WHERE profile_id = ?').get(id) as
        | Scores
        | undefined) ?? { churn_score: null, ltv_score: null, segment: null };
      scores.set(id, found);
    }
    return found;
  };
  const profiles = [...ids]
    .map((id) => getProfile(db, id))
    .filter((p): p is ProfileRow => p !== undefined)
    .filter((p) => {
      if (args.segment !== undefined && scoresOf(p.id).segment !== args.segment) return false;
      if (args.tag !== undefined && !tagsOf(db, p.id).includes(args.tag)) return false;
      if (!band) return true;
      const churn = scoresOf(p.id).churn_score;
      return churn !== null && churn >= band[0] && churn < band[1];
    });
  /** Highest first; missing values last. */
  const desc = (a: number | null, b: number | null) => (b ?? -Infinity) - (a ?? -Infinity);
  const compare: Record<SearchSort, (a: ProfileRow, b: ProfileRow) => number> = {
    lifetime_value: (a, b) => b.lifetime_value - a.lifetime_value,
    last_seen: (a, b) => desc(a.last_seen_at, b.last_seen_at),
    churn_risk: (a, b) => desc(scoresOf(a.id).churn_score, scoresOf(b.id).churn_score),
    predicted_value: (a, b) => desc(scoresOf(a.id).ltv_score, scoresOf(b.id).ltv_score),
  };
  profiles.sort((a, b) => compare[args.sort](a, b) || b.id - a.id);
  return {
    items: profiles.slice(args.offset, args.offset + args.limit).map(summary),
    total: profiles.length,
    totalIsExact: !capped,
    offset: args.offset,
    riskBands,
  };
}
