/**
 * Find customers by name prefix or any identifier, sorted by lifetime value
 * or last seen. Every lookup is an index range scan: name prefixes on
 * `search_name`/`search_last`, identifier prefixes on the identifier table's
 * unique (brand, type, value) index, phones normalised to E.164 first.
 */
import type { CustomerSummary } from '../../../shared/contract/customers';
import { INPUT_IDENTIFIER_TYPES } from '../../../shared/events';
import type { Database } from '../db/open';
import { getProfile, type ProfileRow, stmt } from '../identity/identity-repo';
import { type NormalizeOptions, normalizePhone } from '../identity/normalize';
import { summarize } from './customer-360';

/** Per index range: enough to page through, bounded so a one-letter search stays fast at 100k customers. */
const MAX_MATCHES = 1000;
const END = '\u{10FFFF}';

export interface SearchArgs {
  brandId: number;
  query: string;
  sort: 'lifetime_value' | 'last_seen';
  offset: number;
  limit: number;
  normalize: NormalizeOptions;
}

const ORDER = {
  lifetime_value: 'lifetime_value DESC, id DESC',
  last_seen: 'last_seen_at IS NULL, last_seen_at DESC, id DESC',
} as const;

export function searchCustomers(
  db: Database,
  args: SearchArgs,
): { items: CustomerSummary[]; total: number; totalIsExact: boolean; offset: number } {
  const query = args.query.trim();
  if (query === '') {
    const total = stmt(db, 'SELECT count(*) FROM customer_profile WHERE brand_id = ?')
      .pluck()
      .get(args.brandId) as number;
    const rows = stmt(
      db,
      `SELECT * FROM customer_profile WHERE brand_id = ? ORDER BY ${ORDER[args.sort]} LIMIT ? OFFSET ?`,
    ).all(args.brandId, args.limit, args.offset) as ProfileRow[];
    return { items: rows.map((r) => summarize(db, r)), total, totalIsExact: true, offset: args.offset };
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

  const profiles = [...ids].map((id) => getProfile(db, id)).filter((p): p is ProfileRow => p !== undefined);
  profiles.sort(
    args.sort === 'lifetime_value'
      ? (a, b) => b.lifetime_value - a.lifetime_value || b.id - a.id
      : (a, b) => (b.last_seen_at ?? -Infinity) - (a.last_seen_at ?? -Infinity) || b.id - a.id,
  );
  return {
    items: profiles.slice(args.offset, args.offset + args.limit).map((p) => summarize(db, p)),
    total: profiles.length,
    totalIsExact: !capped,
    offset: args.offset,
  };
}
