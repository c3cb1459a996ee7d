/**
 * Shopify webhooks under load: signed `orders/create` deliveries (10% of
 * them replays of an event id sent shortly before, some still in flight)
 * from 50 keep-alive connections against the real `constintel serve` in a
 * child process. Reports requests per second and p50/p95/p99 latency (send
 * to last byte of the answer, measured by the load generator), then stops the
 * server and reads the data file: lost = answered 2xx but no accepted
 * delivery row or no purchase event for its order (read while the server
 * still runs: the bench waits until nothing is waiting and reports how long
 * that took); duplicated = a delivery
 * accepted twice or an order with more than one purchase event.
 *
 * Baseline: an express app in a child process whose route only answers 200,
 * driven by the same load generator with the same requests in the same run.
 *
 * The measured run sends 20,000 deliveries (after 1,000 unmeasured warm-up
 * ones) or stops sending after 30 s, whichever comes first.
 *
 * `webhooks [deliveries=20000] [connections=50] [--profile DIR]`: with
 * `--profile`, the server child runs with `--cpu-prof` and writes its profile
 * to DIR when it stops.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Sqlite from 'better-sqlite3';
import { shopifySignature } from '../../main/core/http/shopify-receiver';
import { appRoot } from '../../main/core/paths';
import { seededRandom } from '../support/population';
import { builtScript } from '../support/spawn';

export const SECRET = 'shpss_bench_secret_0123456789';
export const SHOP = 'corner-shop.myshopify.com';
const CUSTOMERS = 5_000;
const REPLAY_SHARE = 0.1;
const WARMUP = 1_000;
/** Measured load stops sending after this long even if deliveries are left, so a slow engine still finishes. */
const MAX_SECONDS = 30;
const TARGETS = { reqPerSec: 3_000, p99Ms: 25, lost: 0, duplicated: 0 };
const PRODUCTS = [
  { sku: 'TEA-1', title: 'Earl Grey', type: 'Tea', price: 15 },
  { sku: 'TEA-2', title: 'Assam', type: 'Tea', price: 12.5 },
  { sku: 'MUG-1', title: 'Mug', type: 'Homeware', price: 12.5 },
  { sku: 'POT-1', title: 'Teapot', type: 'Homeware', price: 39 },
  { sku: 'BIS-1', title: 'Shortbread', type: 'Food', price: 4.25 },
  { sku: 'HON-1', title: 'Honey', type: 'Food', price: 7.8 },
];

export interface Delivery {
  eventId: string;
  orderId: number;
  body: Buffer;
  headers: Record<string, string | number>;
}

/** Seeded Shopify orders from a pool of customers, signed, with the headers Shopify sends. */
export function makeDeliveries(count: number, firstOrder: number, seed: number): Delivery[] {
  const random = seededRandom(seed);
  const deliveries: Delivery[] = [];
  for (let n = 0; n < count; n++) {
    const orderId = firstOrder + n;
    const c = 1 + Math.floor(random() * CUSTOMERS);
    const items = Array.from({ length: 1 + Math.floor(random() * 3) }, () => {
      const p = PRODUCTS[Math.floor(random() * PRODUCTS.length)] as (typeof PRODUCTS)[number];
      return { product: p, quantity: 1 + Math.floor(random() * 2) };
    });
    const total = items.reduce((sum, i) => sum + i.product.price * i.quantity, 0);
    const created = new Date(Date.parse('2026-03-01T00:00:00Z') + n * 7_000).toISOString();
    const body = Buffer.from(
      JSON.stringify({
        id: orderId,
        name: `#${1000 + n}`,
        email: `Customer${c}@Example.com`,
        phone: null,
        created_at: created,
        processed_at: created,
        updated_at: created,
        cancelled_at: null,
        total_price: total.toFixed(2),
        currency: 'GBP',
        customer: {
          id: 9_000_000 + c,
          email: `customer${c}@example.com`,
          phone: `+4477009${String(c).padStart(5, '0')}`,
          first_name: `First${c}`,
          last_name: `Last${c}`,
          email_marketing_consent: { state: random() < 0.6 ? 'subscribed' : 'not_subscribed' },
          sms_marketing_consent: { state: 'not_subscribed' },
        },
        billing_address: { phone: `+4477009${String(c).padStart(5, '0')}`, first_name: `First${c}` },
        shipping_address: null,
        line_items: items.map((i, k) => ({
          id: k + 1,
          product_id: 100 + PRODUCTS.indexOf(i.product),
          sku: i.product.sku,
          title: i.product.title,
          quantity: i.quantity,
          price: i.product.price.toFixed(2),
          product_type: i.product.type,
        })),
      }),
    );
    const eventId = `bench-evt-${orderId}`;
    deliveries.push({
      eventId,
      orderId,
      body,
      headers: {
        'content-type': 'application/json',
        'content-length': body.length,
        'x-shopify-topic': 'orders/create',
        'x-shopify-shop-domain': SHOP,
        'x-shopify-api-version': '2025-10',
        'x-shopify-event-id': eventId,
        'x-shopify-webhook-id': `bench-wh-${orderId}`,
        'x-shopify-triggered-at': created,
        'x-shopify-hmac-sha256': shopifySignature(SECRET, body),
      },
    });
  }
  return deliveries;
}

/** Every delivery once, with a replay of one sent in the last ~200 after about every tenth. */
function withReplays(unique: Delivery[], seed: number): Delivery[] {
  const random = seededRandom(seed);
  const order: Delivery[] = [];
  for (let n = 0; n < unique.length; n++) {
    order.push(unique[n] as Delivery);
    if (n > 0 && random() < REPLAY_SHARE / (1 - REPLAY_SHARE)) {
      order.push(unique[n - Math.floor(random() * Math.min(n, 200))] as Delivery);
    }
  }
  return order;
}

interface LoadResult {
  requests: number;
  replays: number;
  seconds: number;
  reqPerSec: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  non2xx: number;
  errors: number;
  /** CPU time per request of the server child and of this load generator (Linux /proc; null elsewhere). */
  serverCpuMsPerRequest: number | null;
  clientCpuMsPerRequest: number;
  acked: Set<string>;
}

/** User + system CPU milliseconds a process has used so far, from /proc (Linux, 100 ticks a second). */
function processCpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

export function post(agent: Agent, port: number, path: string, delivery: Delivery): Promise<number> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path, agent, headers: delivery.headers }, (res) => {
      res.on('data', () => {});
      res.on('end', () => done(res.statusCode ?? 0));
      res.on('error', fail);
    });
    req.setTimeout(10_000, () => req.destroy(new Error('timed out after 10 s')));
    req.on('error', fail);
    req.end(delivery.body);
  });
}

/** `connections` loops, each with one keep-alive connection, sending `order` in turn as fast as answers come. */
async function load(
  port: number,
  path: string,
  order: Delivery[],
  connections: number,
  serverPid?: number,
): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
  const latencies = new Float64Array(order.length);
  const acked = new Set<string>();
  let cursor = 0;
  let non2xx = 0;
  let errors = 0;
  const serverCpuBefore = processCpuMs(serverPid);
  const clientCpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + MAX_SECONDS * 1000;
  const loop = async () => {
    while (cursor < order.length && performance.now() < deadline) {
      const i = cursor++;
      const delivery = order[i] as Delivery;
      const sent = performance.now();
      try {
        const status = await post(agent, port, path, delivery);
        if (status >= 200 && status < 300) acked.add(delivery.eventId);
        else non2xx += 1;
      } catch {
        errors += 1;
      }
      latencies[i] = performance.now() - sent;
    }
  };
  await Promise.all(Array.from({ length: connections }, loop));
  const seconds = (performance.now() - started) / 1000;
  const clientCpu = process.cpuUsage(clientCpuBefore);
  const serverCpuAfter = processCpuMs(serverPid);
  agent.destroy();
  const sent = cursor;
  const sorted = latencies.subarray(0, sent).sort();
  const at = (q: number) => round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN);
  return {
    requests: sent,
    replays: sent - new Set(order.slice(0, sent).map((d) => d.eventId)).size,
    seconds: round(seconds),
    reqPerSec: Math.round(sent / seconds),
    p50Ms: at(0.5),
    p95Ms: at(0.95),
    p99Ms: at(0.99),
    maxMs: round(sorted[sorted.length - 1] ?? Number.NaN),
    non2xx,
    errors,
    serverCpuMsPerRequest:
      serverCpuBefore === null || serverCpuAfter === null
        ? null
        : Math.round(((serverCpuAfter - serverCpuBefore) / sent) * 1000) / 1000,
    clientCpuMsPerRequest: Math.round(((clientCpu.user + clientCpu.system) / 1000 / sent) * 1000) / 1000,
    acked,
  };
}

const round = (n: number) => Math.round(n * 100) / 100;

const BASELINE_SERVER = `const express = require('express');
const app = express();
app.disable('x-powered-by');
app.post('/webhooks/shopify', (req, res) => { res.status(200).json({ ok: true }); });
const server = app.listen(0, '127.0.0.1', () => console.log('Baseline listening: ' + server.address().port));`;

async function baseline(order: Delivery[], warmup: Delivery[], connections: number): Promise<LoadResult> {
  const child = spawn(process.execPath, ['-e', BASELINE_SERVER], {
    cwd: appRoot(),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const port = await new Promise<number>((done, fail) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /Baseline listening: (\d+)/.exec(out);
        if (match?.[1]) done(Number(match[1]));
      });
      child.once('exit', (code) => fail(new Error(`baseline exited with ${code}: ${out}`)));
    });
    await load(port, '/webhooks/shopify', warmup, connections);
    return await load(port, '/webhooks/shopify', order, connections, child.pid);
  } finally {
    child.kill('SIGKILL');
  }
}

interface AppResult extends LoadResult {
  lost: number;
  duplicated: number;
  accepted: number;
  /** Seconds from the last answer until no delivery was waiting to be read. */
  readingLagSeconds: number;
}

/** `constintel serve` in a child process (with extra node flags, e.g. `--cpu-prof`), on its ingest port. */
async function startServer(
  dir: string,
  nodeArgs: string[],
): Promise<{ port: number; pid: number | undefined; stop(): Promise<void> }> {
  const child = spawn(
    process.execPath,
    [...nodeArgs, builtScript('cli'), 'serve', '--data-dir', dir, '--port', '0', '--ingest-port', '0'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  try {
    const port = await new Promise<number>((done, fail) => {
      let out = '';
      const timer = setTimeout(() => fail(new Error(`no ingest listener within 20 s: ${out}`)), 20_000);
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /Ingest listener: +http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
        if (match?.[1] && out.includes('Press Ctrl+C to stop.')) {
          clearTimeout(timer);
          done(Number(match[1]));
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        fail(new Error(`server exited with ${code}: ${out}`));
      });
    });
    return {
      port,
      pid: child.pid,
      stop: async () => {
        // SIGTERM: a clean stop, so a --cpu-prof profile is written; SIGKILL if it does not come within 15 s.
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      },
    };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

async function app(
  order: Delivery[],
  warmup: Delivery[],
  connections: number,
  profileDir: string | undefined,
): Promise<AppResult> {
  const dir = mkdtempSync(join(tmpdir(), 'constintel-bench-webhooks-'));
  try {
    const connect = spawnSync(
      process.execPath,
      [builtScript('cli'), 'connect', 'shopify', '--shop-domain', SHOP, '--secret', SECRET, '--data-dir', dir],
      { encoding: 'utf8' },
    );
    if (connect.status !== 0) throw new Error(`connect failed: ${connect.stdout}${connect.stderr}`);
    const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${resolve(profileDir)}`] : [];
    const served = await startServer(dir, nodeArgs);
    let result: LoadResult;
    let readingLagSeconds: number;
    try {
      await load(served.port, '/webhooks/shopify', warmup, connections);
      result = await load(served.port, '/webhooks/shopify', order, connections, served.pid);
      // A burst is answered before it is read: wait, server running, until every delivery is read into events.
      const loadEnded = performance.now();
      const watch = new Sqlite(join(dir, 'constintel.db'), { readonly: true, fileMustExist: true });
      try {
        const waiting = watch.prepare('SELECT count(*) FROM webhook_delivery WHERE pending = 1').pluck();
        while ((waiting.get() as number) > 0) {
          if (performance.now() - loadEnded > 300_000) throw new Error('deliveries still waiting after 5 minutes');
          await new Promise((done) => setTimeout(done, 20));
        }
      } finally {
        watch.close();
      }
      readingLagSeconds = (performance.now() - loadEnded) / 1000;
    } finally {
      await served.stop();
    }
    const db = new Sqlite(join(dir, 'constintel.db'), { readonly: true, fileMustExist: true });
    try {
      const accepted = new Map<string, number>();
      for (const row of db
        .prepare(
          "SELECT delivery_key AS key, count(*) AS n FROM webhook_delivery WHERE provider = 'shopify' AND outcome = 'accepted' GROUP BY delivery_key",
        )
        .iterate() as IterableIterator<{ key: string; n: number }>) {
        accepted.set(row.key, row.n);
      }
      const purchases = new Map<string, number>();
      for (const row of db
        .prepare(
          "SELECT external_id AS id, count(*) AS n FROM customer_raw_event WHERE event_type = 'purchase' GROUP BY brand_id, external_id",
        )
        .iterate() as IterableIterator<{ id: string; n: number }>) {
        purchases.set(row.id, row.n);
      }
      const orderOf = new Map(order.map((d) => [d.eventId, d.orderId]));
      let lost = 0;
      for (const eventId of result.acked) {
        if (!accepted.has(eventId) || !purchases.has(`orders/create:${orderOf.get(eventId)}`)) lost += 1;
      }
      let duplicated = 0;
      for (const n of accepted.values()) if (n > 1) duplicated += n - 1;
      for (const n of purchases.values()) if (n > 1) duplicated += n - 1;
      return { ...result, lost, duplicated, accepted: accepted.size, readingLagSeconds };
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function webhooksBench(args: string[]): Promise<void> {
  const profileAt = args.indexOf('--profile');
  const profileDir = profileAt >= 0 ? args[profileAt + 1] : undefined;
  const positional = args.filter((_, i) => profileAt < 0 || (i !== profileAt && i !== profileAt + 1));
  const deliveries = Number(positional[0] ?? 20_000);
  const connections = Number(positional[1] ?? 50);
  const unique = Math.round(deliveries * (1 - REPLAY_SHARE));
  const warmup = withReplays(makeDeliveries(WARMUP, 1, 7), 8);
  const order = withReplays(makeDeliveries(unique, 1_000_000, 42), 43);

  const base = await baseline(order, warmup, connections);
  const hooks = await app(order, warmup, connections, profileDir);
  const common = { bench: 'webhooks', connections, requests: hooks.requests, replays: hooks.replays };
  const line = (
    measure: string,
    value: number,
    baselineValue: number | null,
    target: number | null,
    better: 'higher' | 'lower',
  ) =>
    console.log(
      JSON.stringify({
        ...common,
        measure,
        value,
        baseline: baselineValue,
        ratioToBaseline: baselineValue ? round(value / baselineValue) : null,
        target,
        meetsTarget: target === null ? null : better === 'higher' ? value >= target : value <= target,
      }),
    );
  line('reqPerSec', hooks.reqPerSec, base.reqPerSec, TARGETS.reqPerSec, 'higher');
  line('p50Ms', hooks.p50Ms, base.p50Ms, null, 'lower');
  line('p95Ms', hooks.p95Ms, base.p95Ms, null, 'lower');
  line('p99Ms', hooks.p99Ms, base.p99Ms, TARGETS.p99Ms, 'lower');
  line('lost', hooks.lost, null, TARGETS.lost, 'lower');
  line('duplicated', hooks.duplicated, null, TARGETS.duplicated, 'lower');
  console.log(
    JSON.stringify({
      ...common,
      measure: 'summary',
      seconds: hooks.seconds,
      baselineSeconds: base.seconds,
      maxMs: hooks.maxMs,
      baselineMaxMs: base.maxMs,
      non2xx: hooks.non2xx,
      errors: hooks.errors,
      serverCpuMsPerRequest: hooks.serverCpuMsPerRequest,
      baselineServerCpuMsPerRequest: base.serverCpuMsPerRequest,
      clientCpuMsPerRequest: hooks.clientCpuMsPerRequest,
      baselineClientCpuMsPerRequest: base.clientCpuMsPerRequest,
      // After the last answer, how long until every delivery had become events, and the rate end to end.
      readingLagSeconds: round(hooks.readingLagSeconds),
      deliveriesReadPerSec: Math.round(hooks.requests / (hooks.seconds + hooks.readingLagSeconds)),
      acked: hooks.acked.size,
      acceptedInDb: hooks.accepted,
      baselineRequests: base.requests,
      warmupRequests: warmup.length,
    }),
  );
}
