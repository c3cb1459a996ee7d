/**
 * Crash safety of the Shopify webhook receiver: a real `constintel serve`
 * child process takes signed `orders/create` deliveries from 20 concurrent
 * keep-alive connections (with replays of event ids already sent) and is
 * killed with SIGKILL after about 250 of them were answered 2xx. After a
 * restart on the same data folder, every delivery that got a 2xx is in the
 * data file exactly once: one accepted delivery-log row with its raw body and
 * one purchase event for its order. Then everything is sent again, the way
 * Shopify retries what was not acknowledged, and every delivery ends up stored
 * exactly once.
 */
import { spawnSync } from 'node:child_process';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shopifySignature } from '../../../main/core/http/shopify-receiver';
import { tempDir } from '../../support/backend';
import { seededRandom } from '../../support/population';
import { builtScript, type Served, serve } from '../../support/spawn';

const SECRET = 'shpss_crash_secret_0123456789';
const SHOP = 'corner-shop.myshopify.com';
const UNIQUE = 540;
const REPLAYS = 60;
const IN_FLIGHT = 20;
const KILL_AFTER = 250;

interface Delivery {
  eventId: string;
  orderId: number;
  body: string;
  headers: Record<string, string | number>;
}

function makeDelivery(n: number): Delivery {
  const orderId = 800_000 + n;
  const customer = 1 + (n % 97);
  const body = JSON.stringify({
    id: orderId,
    name: `#${10_000 + n}`,
    email: `Shopper${customer}@Example.com`,
    created_at: '2026-03-01T10:00:00+00:00',
    processed_at: '2026-03-01T10:00:01+00:00',
    updated_at: '2026-03-01T10:00:02+00:00',
    cancelled_at: null,
    total_price: `${10 + (n % 50)}.50`,
    currency: 'GBP',
    customer: {
      id: 70_000 + customer,
      email: `shopper${customer}@example.com`,
      phone: `+4477009${String(customer).padStart(5, '0')}`,
      first_name: `First${customer}`,
      last_name: `Last${customer}`,
      email_marketing_consent: { state: 'subscribed', opt_in_level: 'single_opt_in' },
    },
    line_items: [
      { id: 1, product_id: 11, sku: 'TEA-1', title: 'Earl Grey', quantity: 1, price: '10.00', product_type: 'Tea' },
      { id: 2, sku: 'MUG-1', title: 'Mug', quantity: 1, price: `${n % 50}.50` },
    ],
  });
  const eventId = `crash-evt-${n}`;
  return {
    eventId,
    orderId,
    body,
    headers: {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'x-shopify-topic': 'orders/create',
      'x-shopify-shop-domain': SHOP,
      'x-shopify-api-version': '2025-10',
      'x-shopify-event-id': eventId,
      'x-shopify-webhook-id': `crash-wh-${n}`,
      'x-shopify-triggered-at': '2026-03-01T10:00:05Z',
      'x-shopify-hmac-sha256': shopifySignature(SECRET, body),
    },
  };
}

function post(agent: Agent, port: number, delivery: Delivery): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method: 'POST', path: '/webhooks/shopify', agent, headers: delivery.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(delivery.body);
  });
}

const portOf = (served: Served) => Number(new URL(served.ingestUrl).port);
const startServer = () =>
  serve(['serve', '--data-dir', dir.path, '--port', '0', '--ingest-port', '0'], { CONSTINTEL_DATA_DIR: '' });

const dir = tempDir('constintel-crash-');
const deliveries = Array.from({ length: UNIQUE }, (_, n) => makeDelivery(n + 1));
const started: Served[] = [];

/** The send order: every delivery once, plus replays of ones sent shortly before (some still in flight). */
function sendOrder(): Delivery[] {
  const random = seededRandom(4242);
  const order: Delivery[] = [];
  let next = 0;
  let replays = 0;
  while (next < UNIQUE) {
    if (next > 10 && replays < REPLAYS && random() < REPLAYS / UNIQUE) {
      const back = 1 + Math.floor(random() * Math.min(next, 40));
      order.push(deliveries[next - back] as Delivery);
      replays += 1;
    } else {
      order.push(deliveries[next] as Delivery);
      next += 1;
    }
  }
  return order;
}

function openReadOnly(): Sqlite.Database {
  return new Sqlite(join(dir.path, 'constintel.db'), { readonly: true, fileMustExist: true });
}

beforeAll(() => {
  const connect = spawnSync(
    process.execPath,
    [builtScript('cli'), 'connect', 'shopify', '--shop-domain', SHOP, '--secret', SECRET, '--data-dir', dir.path],
    { encoding: 'utf8', env: { ...process.env, CONSTINTEL_DATA_DIR: '' } },
  );
  if (connect.status !== 0) throw new Error(`connect failed: ${connect.stdout}${connect.stderr}`);
});

afterAll(async () => {
  for (const served of started) {
    if (served.child.exitCode === null && served.child.signalCode === null) served.child.kill('SIGKILL');
  }
  dir.remove();
});

describe('Shopify webhooks survive a SIGKILL under load', () => {
  it('every delivery answered 2xx before the kill is stored exactly once after a restart', async () => {
    // Under load, then killed.
    const first = await startServer();
    started.push(first);
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      first.child.once('exit', (_code, signal) => resolve(signal)),
    );
    const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
    const order = sendOrder();
    expect(order).toHaveLength(UNIQUE + REPLAYS);
    const acked = new Set<string>();
    let cursor = 0;
    let answered2xx = 0;
    let failed = 0;
    let killed = false;
    const loop = async () => {
      while (!killed && cursor < order.length) {
        const delivery = order[cursor++] as Delivery;
        try {
          const { status, text } = await post(agent, portOf(first), delivery);
          if (status >= 200 && status < 300) {
            acked.add(delivery.eventId);
            answered2xx += 1;
            if (answered2xx === KILL_AFTER) {
              killed = true;
              first.child.kill('SIGKILL');
            }
          } else {
            throw new Error(`answered ${status}: ${text}`);
          }
        } catch (error) {
          if (!killed) throw error;
          failed += 1;
        }
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, loop));
    expect(await exited).toBe('SIGKILL');
    agent.destroy();
    expect(killed).toBe(true);
    expect(answered2xx).toBeGreaterThanOrEqual(KILL_AFTER);
    // The kill came under load: every other connection had a request in flight (answered just before the
    // kill, or cut by it), and most deliveries were never sent.
    expect(answered2xx - KILL_AFTER + failed).toBe(IN_FLIGHT - 1);
    expect(cursor).toBeLessThan(order.length / 2);

    // Restarted on the same folder: every 2xx'd delivery is there, once.
    const second = await startServer();
    started.push(second);
    const byId = new Map(deliveries.map((d) => [d.eventId, d]));
    {
      const db = openReadOnly();
      try {
        const accepted = db.prepare(
          "SELECT body FROM webhook_delivery WHERE provider = 'shopify' AND outcome = 'accepted' AND delivery_key = ?",
        );
        const events = db
          .prepare("SELECT count(*) FROM customer_raw_event WHERE event_type = 'purchase' AND external_id = ?")
          .pluck();
        const missing: string[] = [];
        for (const eventId of acked) {
          const delivery = byId.get(eventId) as Delivery;
          const rows = accepted.all(eventId) as { body: string }[];
          const count = events.get(`orders/create:${delivery.orderId}`) as number;
          if (rows.length !== 1 || rows[0]?.body !== delivery.body || count !== 1) {
            missing.push(`${eventId}: ${rows.length} accepted row(s), ${count} purchase event(s)`);
          }
        }
        expect(missing).toEqual([]);
        expect(duplicates(db)).toEqual([]);
      } finally {
        db.close();
      }
    }

    // Shopify retries everything: acknowledged ones are recognised as repeats, the rest land now.
    const retryAgent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
    let retryCursor = 0;
    const repeatsOfAcked: string[] = [];
    const retryLoop = async () => {
      while (retryCursor < deliveries.length) {
        const delivery = deliveries[retryCursor++] as Delivery;
        const { status, text } = await post(retryAgent, portOf(second), delivery);
        expect(status, text).toBe(200);
        if (acked.has(delivery.eventId) && (JSON.parse(text) as { duplicate: boolean }).duplicate !== true) {
          repeatsOfAcked.push(delivery.eventId);
        }
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT / 2 }, retryLoop));
    retryAgent.destroy();
    expect(repeatsOfAcked).toEqual([]);
    expect(await second.stop()).toBe(0);

    const db = openReadOnly();
    try {
      expect(duplicates(db)).toEqual([]);
      const acceptedKeys = db
        .prepare(
          "SELECT delivery_key FROM webhook_delivery WHERE provider = 'shopify' AND outcome = 'accepted' ORDER BY delivery_key",
        )
        .pluck()
        .all() as string[];
      expect(acceptedKeys).toEqual(deliveries.map((d) => d.eventId).sort());
      const purchases = db
        .prepare(
          "SELECT external_id FROM customer_raw_event WHERE event_type = 'purchase' AND external_id LIKE 'orders/create:%' ORDER BY external_id",
        )
        .pluck()
        .all() as string[];
      expect(purchases).toEqual(deliveries.map((d) => `orders/create:${d.orderId}`).sort());
    } finally {
      db.close();
    }
  }, 60_000);
});

/** Delivery keys accepted more than once, and orders with more than one purchase event. */
function duplicates(db: Sqlite.Database): string[] {
  const keys = db
    .prepare(
      `SELECT delivery_key || ' accepted ' || count(*) || ' times' FROM webhook_delivery
       WHERE provider = 'shopify' AND outcome = 'accepted' GROUP BY delivery_key HAVING count(*) > 1`,
    )
    .pluck()
    .all() as string[];
  const orders = db
    .prepare(
      `SELECT external_id || ' stored ' || count(*) || ' times' FROM customer_raw_event
       WHERE event_type = 'purchase' GROUP BY brand_id, external_id HAVING count(*) > 1`,
    )
    .pluck()
    .all() as string[];
  return [...keys, ...orders];
}
