/**
 * A small seeded shop for the retrain tests, written straight into the tables
 * with prepared statements (no matching, no ingestion: fast, and exactly the
 * rows the model reads). Each customer has a rhythm (a mean gap between
 * orders), a usual basket size, a favourite category and a channel mix; about
 * half stop buying at some point, the rest keep going to the end. A few
 * people only browse. Profile totals are written as the identity code keeps
 * them (net of refunds). Same seed, same shop.
 */
import type { Backend } from '../../main/core/backend';
import type { Database } from '../../main/core/db/open';
import { mulberry32 } from '../../main/core/ml/learners/random';
import type { RetrainJobView } from '../../shared/contract/models';

const DAY = 86_400_000;
export const ML_CATEGORIES = ['Coffee', 'Tea', 'Cakes', 'Gifts', 'Equipment', 'Books'] as const;

export interface MlShopOptions {
  /** Customers who buy (browsers-only come on top). */
  customers: number;
  /** The shop's "now": the history ends just before it. */
  end: number;
  /** How many days of history before `end`. */
  days: number;
  seed: number;
  /** People who only browsed (no purchase): they get a value but no churn score. */
  browsers?: number;
  brandId?: number;
}

export interface MlShop {
  profileIds: number[];
  purchases: number;
  /** Customers whose buying stopped before the end (the simulation's truth). */
  stopped: Set<number>;
}

export function seedMlShop(db: Database, options: MlShopOptions): MlShop {
  const random = mulberry32(options.seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const brandId = options.brandId ?? 1;
  const start = options.end - options.days * DAY;
  const sql = db.sqlite;
  const insertProfile = sql.prepare(
    `INSERT INTO customer_profile (brand_id, first_name, last_name, search_name, search_last, lifetime_value, total_orders,
       strength, email_consent, sms_consent, whatsapp_consent, first_seen_at, last_seen_at, last_purchase_at, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, 0, 0, 0.6, ?, ?, NULL, NULL, NULL, NULL, ?, ?)`,
  );
  const insertIdentifier = sql.prepare(
    `INSERT INTO profile_identifier (brand_id, profile_id, type, value, raw_value, source, first_seen_at)
     VALUES (?, ?, ?, ?, NULL, ?, ?)`,
  );
  const insertEvent = sql.prepare(
    `INSERT INTO customer_raw_event (brand_id, event_type, source, external_id, payload, identifiers, occurred_at, received_at,
       customer_profile_id, order_id)
     VALUES (?, ?, ?, ?, ?, '[]', ?, ?, ?, ?)`,
  );
  const totals = sql.prepare(
    `UPDATE customer_profile SET lifetime_value = ?, total_orders = ?, first_seen_at = ?, last_seen_at = ?, last_purchase_at = ?
     WHERE id = ?`,
  );
  const profileIds: number[] = [];
  const stopped = new Set<number>();
  let purchases = 0;
  let external = 0;

  sql.transaction(() => {
    const people = options.customers + (options.browsers ?? 0);
    for (let n = 0; n < people; n++) {
      const buys = n < options.customers;
      const first = start + Math.floor(random() * (options.days - 120)) * DAY + Math.floor(random() * 10) * 3_600_000;
      const id = Number(
        insertProfile.run(
          brandId,
          `Shopper${n}`,
          `Tester${n}`,
          `shopper${n} tester${n}`,
          `tester${n}`,
          random() < 0.6 ? 1 : 0,
          random() < 0.3 ? 1 : 0,
          first,
          first,
        ).lastInsertRowid,
      );
      profileIds.push(id);
      insertIdentifier.run(brandId, id, 'email', `shopper${n}@example.com`, 'pos', first);
      if (n % 3 !== 0)
        insertIdentifier.run(brandId, id, 'phone', `+4477009${String(n).padStart(5, '0')}`, 'pos', first);

      const events: { type: string; source: string; at: number; payload: object; orderId: string | null }[] = [];
      if (buys) {
        const gap = Math.max(4, 25 * Math.exp(0.6 * normal()));
        const basket = 25 * Math.exp(0.5 * normal());
        const online = [0.1, 0.5, 0.9][Math.floor(random() * 3)] as number;
        const favourite = ML_CATEGORIES[Math.floor(random() * ML_CATEGORIES.length)] as string;
        const stopAt = random() < 0.5 ? first + (20 + random() * 300) * DAY : Number.POSITIVE_INFINITY;
        if (stopAt < options.end) stopped.add(id);
        let k = 0;
        for (let at = first; at < Math.min(stopAt, options.end - DAY); at += gap * (0.5 + random()) * DAY) {
          k += 1;
          const orderId = `o-${id}-${k}`;
          const total = Math.round(basket * (0.6 + 0.8 * random()) * 100) / 100;
          // Four products per category, named without drawing from the random stream (the shop stays as it was).
          const items = Array.from({ length: 1 + Math.floor(random() * 3) }, (_, line) => {
            const category =
              random() < 0.7 ? favourite : (ML_CATEGORIES[Math.floor(random() * ML_CATEGORIES.length)] as string);
            return {
              category,
              title: `${category} no. ${((id + k + line) % 4) + 1}`,
              quantity: 1 + Math.floor(random() * 2),
            };
          });
          const source = random() < online ? 'shopify' : 'pos';
          const when = Math.floor(at);
          events.push({
            type: 'purchase',
            source,
            at: when,
            orderId,
            payload: { orderId, total, currency: 'GBP', items },
          });
          if (source === 'shopify' && random() < 0.5)
            events.push({ type: 'product_view', source, at: when - 3_600_000, orderId: null, payload: {} });
          if (random() < 0.03)
            events.push({
              type: 'refund',
              source,
              at: when + 5 * DAY,
              orderId,
              payload: { orderId, total: Math.round(total * 50) / 100, currency: 'GBP' },
            });
        }
      } else {
        for (let at = first; at < options.end - DAY; at += (10 + random() * 60) * DAY)
          events.push({ type: 'product_view', source: 'shopify', at: Math.floor(at), orderId: null, payload: {} });
      }

      let spend = 0;
      let orders = 0;
      let lastPurchase: number | null = null;
      let lastSeen = first;
      let firstSeen = first;
      for (const e of events) {
        if (e.at >= options.end) continue;
        external += 1;
        insertEvent.run(
          brandId,
          e.type,
          e.source,
          `ml-${external}`,
          JSON.stringify(e.payload),
          e.at,
          e.at,
          id,
          e.orderId,
        );
        lastSeen = Math.max(lastSeen, e.at);
        firstSeen = Math.min(firstSeen, e.at);
        const total = (e.payload as { total?: number }).total ?? 0;
        if (e.type === 'purchase') {
          purchases += 1;
          orders += 1;
          spend += total;
          lastPurchase = Math.max(lastPurchase ?? 0, e.at);
        } else if (e.type === 'refund') spend -= total;
      }
      totals.run(Math.round(spend * 100) / 100, orders, firstSeen, lastSeen, lastPurchase, id);
    }
  })();
  return { profileIds, purchases, stopped };
}

/** A retrain's job once it has stopped running (or as it stands after 60 s). */
export async function retrainFinished(backend: Backend, jobId: number): Promise<RetrainJobView> {
  let job = await backend.call('models.job', { jobId });
  for (let i = 0; i < 6000 && job.status === 'running'; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    job = await backend.call('models.job', { jobId });
  }
  return job;
}
