/**
 * The file that used to kill the app (issue 14, finding 3): 300 MB whose
 * second line is one 300 MB line. Uploaded to the real `constintel serve` as
 * a browser does, previewed and imported: both refuse it with a short reason
 * naming the line, the import's job ends as failed within seconds, the app's
 * peak memory stays under 400 MB and `/healthz` on the ingest listener
 * answers all along. `constintel import` of the same file ends with a
 * non-zero exit status and the reason, never an abort.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../support/backend';
import { builtScript, serve, tokenOf } from '../../support/spawn';

const dir = tempDir('constintel-huge-line-');
afterAll(() => dir.remove());

const MB = 1024 * 1024;
const LINE_MB = 300;

/** Streamed to disk a megabyte at a time: never built in memory. */
async function writeHugeLineFile(path: string): Promise<void> {
  const out = createWriteStream(path);
  out.write('Receipt,Date,Email,Amount\n');
  const piece = 'x'.repeat(MB);
  for (let i = 0; i < LINE_MB; i++) {
    if (!out.write(piece)) await once(out, 'drain');
  }
  out.end('\nR2,2026-03-01,b@example.com,5.00\n');
  await once(out, 'finish');
}

function memoryMb(pid: number): { rss: number; hwm: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

function upload(origin: string, token: string, path: string): Promise<{ fileId: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${origin}/files`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/octet-stream',
          'x-file-name': 'huge-line.csv',
        },
      },
      (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => {
          body += chunk.toString();
        });
        response.on('end', () => {
          const answer = JSON.parse(body) as { ok: boolean; result?: { fileId: string }; error?: { message: string } };
          if (answer.ok && answer.result) resolve(answer.result);
          else reject(new Error(`upload: ${answer.error?.message}`));
        });
      },
    );
    req.on('error', reject);
    createReadStream(path).pipe(req);
  });
}

describe('a 300 MB file whose second line is one 300 MB line', () => {
  it('fails its preview and its import with the reason in seconds; the app stays up, small and answering', async () => {
    const path = join(dir.path, 'huge-line.csv');
    await writeHugeLineFile(path);
    const served = await serve(['serve', '--data-dir', join(dir.path, 'data'), '--port', '0', '--ingest-port', '0']);
    const pid = served.child.pid ?? 0;
    let peakRss = memoryMb(pid).rss;
    let healthChecks = 0;
    let healthFailures = 0;
    let watching = true;
    // /healthz and the app's memory, every 50 ms from before the upload to the end.
    const watcher = (async () => {
      while (watching) {
        peakRss = Math.max(peakRss, memoryMb(pid).rss);
        try {
          const health = await fetch(`${served.ingestUrl}/healthz`, { signal: AbortSignal.timeout(2000) });
          if (health.status !== 200) healthFailures += 1;
        } catch {
          healthFailures += 1;
        }
        healthChecks += 1;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    try {
      const { origin } = new URL(served.launchUrl);
      const token = tokenOf(served.launchUrl);
      const rpc = async (name: string, input: unknown) => {
        const response = await fetch(`${origin}/rpc/${name}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(input),
          signal: AbortSignal.timeout(15_000),
        });
        return (await response.json()) as {
          ok: boolean;
          result?: Record<string, unknown>;
          error?: { message: string };
        };
      };
      const { fileId } = await upload(origin, token, path);

      const previewStarted = performance.now();
      const preview = await rpc('imports.preview', { fileId });
      const previewMs = performance.now() - previewStarted;
      expect(preview.ok).toBe(false);
      expect(preview.error?.message).toMatch(/^Line 2 is longer than 1 MB/);
      expect(preview.error?.message.length).toBeLessThan(400);
      expect(previewMs).toBeLessThan(5000);

      const started = performance.now();
      const start = await rpc('imports.start', { fileId, choices: { defaultCountry: 'GB' } });
      expect(start.ok).toBe(true);
      const jobId = start.result?.jobId;
      let job = (await rpc('imports.job', { jobId })).result ?? {};
      while (job.status === 'running' && performance.now() - started < 30_000) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        job = (await rpc('imports.job', { jobId })).result ?? {};
      }
      const failedAfterMs = performance.now() - started;
      expect(job.status).toBe('failed');
      expect(job.error).toMatch(/^Line 2 is longer than 1 MB/);
      expect(String(job.error).length).toBeLessThan(400);
      expect(failedAfterMs).toBeLessThan(30_000);

      // Still up and answering afterwards.
      expect((await fetch(`${served.ingestUrl}/healthz`)).status).toBe(200);
      expect(served.child.exitCode).toBeNull();
      watching = false;
      await watcher;
      const hwm = memoryMb(pid).hwm;
      console.log(
        JSON.stringify({ previewMs: Math.round(previewMs), failedAfterMs: Math.round(failedAfterMs), peakRss, hwm }),
      );
      expect(healthChecks).toBeGreaterThan(10);
      expect(healthFailures).toBe(0);
      expect(peakRss).toBeLessThan(400);
      expect(hwm).toBeLessThan(400);
    } finally {
      watching = false;
      await watcher;
      await served.stop();
    }

    // The terminal: a clean non-zero exit with the reason.
    const cli = spawn(process.execPath, [builtScript('cli'), 'import', path, '--data-dir', join(dir.path, 'cli')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    cli.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    cli.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const [code, signal] = (await once(cli, 'exit')) as [number | null, NodeJS.Signals | null];
    expect(signal).toBeNull();
    expect(code).toBe(1);
    expect(output).toMatch(/Line 2 is longer than 1 MB/);
    expect(output.length).toBeLessThan(2000);
  }, 60_000);
});
