/**
 * File import at shop scale: a generated transactions file (default 1M rows,
 * 50k customers; seeded) uploaded to the real `constintel serve` and imported
 * through the Import commands, as the app in a browser does it (the timing
 * starts at imports.start, after the upload). Reports rows per second end to end, the
 * server's peak RSS (sampled from /proc), and the latency of `/rpc/app.info`
 * polled every 20 ms while the import runs.
 *
 * Baseline: the same rows, as the events they become, inserted into the same
 * schema by plain prepared better-sqlite3 statements (10k rows per
 * transaction), no matching, in this process.
 *
 * `import [rows=1000000] [customers=50000]`
 */
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../main/core/db/open';
import { seededRandom } from '../support/population';
import { serve } from '../support/spawn';

const TARGETS = { rowsPerSec: 50_000, ratioToBaseline: 0.8, peakRssMb: 400, rpcP99Ms: 100 };
const round = (x: number, digits = 3) => Number(x.toFixed(digits));

async function writeFile(path: string, rows: number, customers: number): Promise<void> {
  const random = seededRandom(20261124);
  const out = createWriteStream(path);
  const write = (line: string) =>
    out.write(line) ? Promise.resolve() : new Promise<void>((resolve) => out.once('drain', () => resolve()));
  await write('Receipt,Date,Customer,Email,Phone,Amount\n');
  const start = Date.parse('2024-01-01T09:00:00Z');
  for (let i = 1; i <= rows; i++) {
    const c = 1 + Math.floor(random() * customers);
    const when = new Date(start + Math.floor((i / rows) * 700 * 86_400_000))
      .toISOString()
      .slice(0, 19)
      .replace('T', ' ');
    const phone = c % 3 === 0 ? `07700 9${String(c).padStart(5, '0')}` : '';
    const email = c % 3 === 0 ? '' : `customer${c}@example.com`;
    await write(`R${i},${when},Customer ${c},${email},${phone},${(3 + random() * 120).toFixed(2)}\n`);
  }
  await new Promise<void>((resolve) => out.end(() => resolve()));
}

/** The baseline: each row as the purchase event it becomes, by plain prepared inserts, no matching. */
function baselineRowsPerSec(dir: string, path: string): number {
  const db = openDatabase(join(dir, 'baseline.db'));
  try {
    db.sqlite
      .prepare(
        "INSERT INTO brand (id, name, default_country, currency, created_at, updated_at) VALUES (1, 'b', 'GB', 'GBP', 0, 0)",
      )
      .run();
    const insert = db.sqlite.prepare(
      `INSERT INTO customer_raw_event (brand_id, event_type, source, external_id, payload, identifiers, occurred_at, received_at, order_id)
       VALUES (1, 'purchase', 'import', ?, ?, ?, ?, 0, ?)`,
    );
    const lines = readFileSync(path, 'utf8').split('\n').slice(1);
    const started = performance.now();
    const batch = db.sqlite.transaction((rows: string[]) => {
      for (const line of rows) {
        if (line === '') continue;
        const [receipt, date, , email, phone, amount] = line.split(',');
        insert.run(
          `sale:${receipt}`,
          JSON.stringify({ orderId: receipt, total: Number(amount) }),
          JSON.stringify(email ? [['email', email]] : [['phone', phone]]),
          Date.parse(`${date}Z`),
          receipt,
        );
      }
    });
    for (let i = 0; i < lines.length; i += 10_000) batch(lines.slice(i, i + 10_000));
    return lines.length / ((performance.now() - started) / 1000);
  } finally {
    db.close();
  }
}

function rssMb(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

export async function importBench(args: string[]): Promise<void> {
  const rows = Number(args[0] ?? 1_000_000);
  const customers = Number(args[1] ?? 50_000);
  const dir = mkdtempSync(join(tmpdir(), 'constintel-bench-import-'));
  try {
    const file = join(dir, 'transactions.csv');
    await writeFile(file, rows, customers);
    const baseline = baselineRowsPerSec(dir, file);

    const dataDir = join(dir, 'data');
    const served = await serve(['serve', '--data-dir', dataDir, '--port', '0', '--ingest-port', '0']);
    const child = served.child;
    try {
      const link = new URL(served.launchUrl);
      const token = link.searchParams.get('token') ?? '';
      const rpc = async (name: string, input: unknown) => {
        const response = await fetch(`${link.origin}/rpc/${name}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(input),
        });
        const body = (await response.json()) as { ok: boolean; result?: unknown; error?: { message: string } };
        if (!body.ok) throw new Error(`${name}: ${body.error?.message}`);
        return body.result as Record<string, unknown>;
      };
      // As a browser does: the file streamed to POST /files.
      const { fileId } = await new Promise<{ fileId: string }>((resolve, reject) => {
        const upload = request(
          `${link.origin}/files`,
          {
            method: 'POST',
            headers: {
              authorization: `Bearer ${token}`,
              'content-type': 'application/octet-stream',
              'x-file-name': 'transactions.csv',
            },
          },
          (response) => {
            let body = '';
            response.on('data', (chunk: Buffer) => {
              body += chunk.toString();
            });
            response.on('end', () => {
              const answer = JSON.parse(body) as {
                ok: boolean;
                result?: { fileId: string };
                error?: { message: string };
              };
              if (answer.ok && answer.result) resolve(answer.result);
              else reject(new Error(`upload: ${answer.error?.message}`));
            });
          },
        );
        upload.on('error', reject);
        createReadStream(file).pipe(upload);
      });
      const started = performance.now();
      const { jobId } = (await rpc('imports.start', { fileId, choices: { defaultCountry: 'GB' } })) as {
        jobId: number;
      };
      let peakRss = rssMb(child.pid ?? 0);
      const latencies: number[] = [];
      let job: Record<string, unknown> = {};
      for (;;) {
        const sent = performance.now();
        await rpc('app.info', {});
        latencies.push(performance.now() - sent);
        peakRss = Math.max(peakRss, rssMb(child.pid ?? 0));
        if (latencies.length % 25 === 0) {
          job = await rpc('imports.job', { jobId });
          if (job.status !== 'running') break;
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const seconds = (performance.now() - started) / 1000;
      latencies.sort((a, b) => a - b);
      const p99 = latencies[Math.floor(latencies.length * 0.99)] ?? Number.NaN;
      const rowsPerSec = rows / seconds;
      console.log(
        JSON.stringify({
          bench: 'import',
          rows,
          customers,
          status: job.status,
          seconds: round(seconds),
          rowsPerSec: Math.round(rowsPerSec),
          baselineRowsPerSec: Math.round(baseline),
          ratioToBaseline: round(rowsPerSec / baseline),
          peakRssMb: Math.round(peakRss),
          rpcP99Ms: round(p99, 1),
          rpcSamples: latencies.length,
          eventsCreated: job.eventsCreated,
          profilesCreated: job.profilesCreated,
          rejected: job.rejected,
          targets: TARGETS,
          meets:
            rowsPerSec >= TARGETS.rowsPerSec &&
            rowsPerSec / baseline >= TARGETS.ratioToBaseline &&
            peakRss <= TARGETS.peakRssMb &&
            p99 <= TARGETS.rpcP99Ms,
        }),
      );
    } finally {
      child.kill('SIGKILL');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
