/**
 * Files no shop would export, read with bounded memory and refused with a
 * short reason (issue 14, finding 3): a line longer than 1 MB, more than 2,000
 * columns, a quote never closed for megabytes, a file with no separator; the
 * preview reads only the file's first megabytes; an upload's name that is not
 * valid percent-encoding; an import thread that fails (even out of memory)
 * ends its job as failed with the reason while the app keeps answering.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../../main/core/backend';
import { ImportManager } from '../../../main/core/import/import-manager';
import { importHost, importsOf } from '../../../main/core/import/import-service';
import { importFile } from '../../../main/core/import/imports';
import { importTestFolder } from '../../support/import-files';

const { withBackend, file } = importTestFolder();

const HEADER = 'Receipt,Date,Email,Amount';
const row = (i: number) => `R${i},2026-03-01,a${i}@example.com,5.00`;
const MB = 1024 * 1024;

/** What a command refuses with (its message), or undefined when it answers. */
async function refusal(run: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await run();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

const externalIds = (b: Backend) =>
  (b.db.sqlite.prepare('SELECT external_id FROM customer_raw_event ORDER BY id').pluck().all() as string[]).sort();

describe('files no shop would export', () => {
  it('a line longer than 1 MB stops the import, naming the line in a short message; the rows above it are kept', async () => {
    await withBackend(async (b) => {
      const path = file('long-line.csv', `${HEADER}\n${row(1)}\n${row(2)},${'x'.repeat(3 * MB)}\n${row(3)}\n`);
      const summary = await importFile(importHost(b.ctx), { path });
      expect(summary.status).toBe('failed');
      expect(summary.error).toMatch(/^Line 3 is longer than 1 MB/);
      expect(summary.error).toContain('does not look like');
      expect(summary.error?.length).toBeLessThan(400);
      expect(externalIds(b)).toEqual(['sale:R1']);
      // Its preview says the same instead of reading on.
      const { fileId } = importsOf(b.ctx).addPath(path);
      expect(await refusal(() => b.call('imports.preview', { fileId }))).toMatch(/^Line 3 is longer than 1 MB/);
    });
  });

  it('a quote mark never closed for more than 1 MB stops the import naming the line it opens on', async () => {
    await withBackend(async (b) => {
      const rest = Array.from({ length: 40_000 }, (_, i) => row(i + 10)).join('\n');
      const path = file('runaway-quote.csv', `${HEADER}\n${row(1)}\nR2,2026-03-01,"b@example.com,5.00\n${rest}\n`);
      const summary = await importFile(importHost(b.ctx), { path });
      expect(summary.status).toBe('failed');
      expect(summary.error).toMatch(/^The row starting on line 3 runs on for more than 1 MB.*quote mark/);
      expect(summary.error?.length).toBeLessThan(400);
      expect(externalIds(b)).toEqual(['sale:R1']);
    });
  });

  it('200,000 columns in the header: the preview and the import say "more than 2,000 columns"', async () => {
    await withBackend(async (b) => {
      const headers = Array.from({ length: 200_000 }, (_, i) => `c${i}`);
      headers[0] = 'Receipt';
      headers[1] = 'Email';
      const path = file('wide.csv', `${headers.join(',')}\nR1,a@example.com\n`);
      const { fileId } = importsOf(b.ctx).addPath(path);
      const preview = await refusal(() => b.call('imports.preview', { fileId }));
      expect(preview).toMatch(/^Line 1 has more than 2,000 columns/);
      expect(preview?.length).toBeLessThan(400);
      expect(await refusal(() => b.call('imports.start', { fileId }))).toMatch(/^Line 1 has more than 2,000 columns/);
      expect(await refusal(() => importFile(importHost(b.ctx), { path }))).toMatch(
        /^Line 1 has more than 2,000 columns/,
      );
    });
  });

  it('a data line with more than 2,000 columns stops the import naming the line', async () => {
    await withBackend(async (b) => {
      const path = file('wide-row.csv', `${HEADER}\n${row(1)}\n${row(2)}${',x'.repeat(5000)}\n${row(3)}\n`);
      const summary = await importFile(importHost(b.ctx), { path });
      expect(summary.status).toBe('failed');
      expect(summary.error).toMatch(/^Line 3 has more than 2,000 columns/);
      expect(summary.error?.length).toBeLessThan(400);
      expect(externalIds(b)).toEqual(['sale:R1']);
    });
  });

  it('a file with no separator: the message quotes only the start of the line', async () => {
    await withBackend(async (b) => {
      const path = file('no-separator.csv', `${'Receipt Date Email Amount '.repeat(4000)}\nR1 2026-03-01\n`);
      const { fileId } = importsOf(b.ctx).addPath(path);
      const message = await refusal(() => b.call('imports.preview', { fileId }));
      expect(message).toContain('The first line has only one column: "Receipt Date Email Amount');
      expect(message?.length).toBeLessThan(300);
    });
  });

  it('the preview reads only the file’s first megabytes, never the whole file', async () => {
    await withBackend(async (b) => {
      // Rows of 700 KB each (long, but under the limit): only those within the first 4 MB are shown.
      const rows = Array.from({ length: 30 }, (_, i) => `${row(i + 1)},${'n'.repeat(700 * 1024)}`);
      const path = file('long-rows.csv', `${HEADER},Note\n${rows.join('\n')}\n`);
      const { fileId } = importsOf(b.ctx).addPath(path);
      const preview = await b.call('imports.preview', { fileId });
      expect(preview.rows.length).toBeGreaterThan(0);
      expect(preview.rows.length).toBeLessThan(6);
      // The last row shown is whole, not cut at the 4 MB mark.
      expect(preview.rows.every((r) => r.cells.length === 5 && !r.rejected)).toBe(true);
    });
  });

  it('an upload whose X-File-Name is not valid percent-encoding is refused with 400, not 500', async () => {
    await withBackend(
      async (b) => {
        const response = await fetch(`${b.runtime.uiUrl}/files`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${b.token}`,
            'content-type': 'application/octet-stream',
            'x-file-name': '%ZZ',
          },
          body: `${HEADER}\n${row(1)}\n`,
        });
        expect(response.status).toBe(400);
        const body = (await response.json()) as { ok: boolean; error: { kind: string; message: string } };
        expect(body).toMatchObject({ ok: false, error: { kind: 'validation' } });
        expect(body.error.message).toMatch(/name/i);
      },
      { listen: true },
    );
  });
});

describe('an import thread that fails', () => {
  const failing = fileURLToPath(new URL('../../fixtures/import/failing-import-worker.mjs', import.meta.url));

  async function failedJob(b: Backend, mode: 'oom' | 'throw'): Promise<{ status: string; error: string | null }> {
    const manager = new ImportManager(importHost(b.ctx), { workerScript: failing, workerHeapMb: 32 });
    const { fileId } = manager.addPath(file(`${mode}.csv`, `${HEADER}\n${row(1)}\n${mode}\n`));
    const { jobId } = await manager.start(fileId, {});
    let job = manager.job(jobId);
    for (let i = 0; i < 500 && job.status === 'running'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      // The app keeps answering meanwhile.
      expect((await b.call('app.info', {})).version).toBeTruthy();
      job = manager.job(jobId);
    }
    return job;
  }

  it('out of memory: its job ends as failed with the reason, and the app goes on', async () => {
    await withBackend(async (b) => {
      const job = await failedJob(b, 'oom');
      expect(job.status).toBe('failed');
      expect(job.error).toMatch(/ran out of memory/);
      expect((await b.call('imports.jobs', {}))[0]).toMatchObject({ status: 'failed' });
    });
  });

  it('an unexpected error: its job ends as failed with the reason', async () => {
    await withBackend(async (b) => {
      const job = await failedJob(b, 'throw');
      expect(job.status).toBe('failed');
      expect(job.error).toMatch(/stopped unexpectedly.*something broke in the import thread/);
    });
  });
});
