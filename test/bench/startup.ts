/**
 * Startup: from launching `constintel serve` to the first answered RPC, on an
 * empty data file and on one holding 1M events (50k profiles). Baseline: a
 * plain Node process that starts an HTTP server and answers its first request,
 * measured the same way in the same run.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../main/core/db/open';
import { seededRandom } from '../support/population';
import { builtScript, tokenOf } from '../support/spawn';

const RUNS = 7;

function fillDatabase(file: string, events: number, profiles: number): void {
  const db = openDatabase(file);
  const random = seededRandom(42);
  const now = Date.parse('2026-11-01T00:00:00Z');
  db.sqlite.exec(
    `INSERT OR IGNORE INTO brand (id, name, default_country, created_at, updated_at) VALUES (1, 'Bench shop', 'GB', ${now}, ${now})`,
  );
  const profile = db.sqlite.prepare(
    'INSERT INTO customer_profile (brand_id, first_name, last_name, lifetime_value, total_orders, created_at, updated_at) VALUES (1, ?, ?, ?, ?, ?, ?)',
  );
  const identifier = db.sqlite.prepare(
    "INSERT INTO profile_identifier (brand_id, profile_id, type, value, source, first_seen_at) VALUES (1, ?, 'email', ?, 'bench', ?)",
  );
  const event = db.sqlite.prepare(
    'INSERT INTO customer_raw_event (brand_id, event_type, source, external_id, payload, occurred_at, received_at, customer_profile_id) VALUES (1, ?, ?, ?, ?, ?, ?, ?)',
  );
  db.sqlite.transaction(() => {
    for (let p = 1; p <= profiles; p++) {
      profile.run(`First${p}`, `Last${p}`, 0, 0, now, now);
      identifier.run(p, `customer${p}@example.com`, now);
    }
  })();
  const batch = 10_000;
  for (let start = 0; start < events; start += batch) {
    db.sqlite.transaction(() => {
      for (let i = start; i < Math.min(events, start + batch); i++) {
        const when = now - Math.floor(random() * 730 * 86_400_000);
        const total = Math.round(random() * 20_000) / 100;
        event.run(
          random() < 0.6 ? 'purchase' : 'product_view',
          random() < 0.5 ? 'pos' : 'shopify',
          `e-${i}`,
          JSON.stringify({ total, currency: 'GBP', items: [{ sku: `SKU-${i % 500}`, quantity: 1, price: total }] }),
          when,
          when,
          1 + Math.floor(random() * profiles),
        );
      }
    })();
  }
  db.sqlite.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

/** Milliseconds from spawn to the first 200 answer of `request(url, token)`. */
async function timeToFirstAnswer(
  args: string[],
  request: (origin: string, token: string) => Promise<Response>,
): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const link = await new Promise<URL>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /Open in your browser: (\S+)/.exec(out);
        if (match?.[1]) resolve(new URL(match[1]));
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)));
    });
    const response = await request(link.origin, tokenOf(link.href));
    if (response.status !== 200) throw new Error(`first request answered ${response.status}`);
    await response.text();
    return performance.now() - started;
  } finally {
    child.kill('SIGKILL');
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

const BASELINE_SERVER = `require('node:http').createServer((q, s) => s.end('{}')).listen(0, '127.0.0.1', function () {
  console.log('Open in your browser: http://127.0.0.1:' + this.address().port + '/#token=x');
});`;

export async function startupBench(args: string[]): Promise<void> {
  const events = Number(args[0] ?? 1_000_000);
  const cases = [
    { name: 'empty', events: 0, profiles: 0 },
    { name: `${events} events`, events, profiles: Math.max(1, Math.round(events / 20)) },
  ];
  for (const c of cases) {
    const dir = mkdtempSync(join(tmpdir(), 'constintel-bench-'));
    try {
      const fillStarted = performance.now();
      fillDatabase(join(dir, 'constintel.db'), c.events, c.profiles);
      const fillMs = performance.now() - fillStarted;
      const app: number[] = [];
      const baseline: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        baseline.push(await timeToFirstAnswer(['-e', BASELINE_SERVER], (origin) => fetch(`${origin}/`)));
        app.push(
          await timeToFirstAnswer(
            [builtScript('cli'), 'serve', '--data-dir', dir, '--port', '0', '--ingest-port', '0'],
            (origin, token) =>
              fetch(`${origin}/rpc/app.info`, {
                method: 'POST',
                headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
                body: '{}',
              }),
          ),
        );
      }
      const appMs = median(app);
      const baselineMs = median(baseline);
      console.log(
        JSON.stringify({
          bench: 'startup',
          case: c.name,
          events: c.events,
          profiles: c.profiles,
          runs: RUNS,
          medianMs: Math.round(appMs),
          maxMs: Math.round(Math.max(...app)),
          baselineMedianMs: Math.round(baselineMs),
          ratioToBaseline: Number((appMs / baselineMs).toFixed(2)),
          targetMs: 1500,
          meetsTarget: Math.max(...app) <= 1500,
          fillMs: Math.round(fillMs),
        }),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
