/**
 * Excel workbooks import like CSV: an .xlsx with the same rows as a CSV (dates as Excel date cells, amounts as
 * numbers, text as text) gives identical events — dropped on the window (an upload) and from the terminal
 * (`constintel import sales.xlsx`). Only the first sheet is read; the copy made of it is deleted once imported.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../../main/core/backend';
import { importHost, importsOf } from '../../../main/core/import/import-service';
import { importFile } from '../../../main/core/import/imports';
import { tempDir, testBackend } from '../../support/backend';
import { builtScript } from '../../support/spawn';

const ROWS: [string, Date, string, string, string, number][] = [
  ['R-1', new Date(Date.UTC(2026, 1, 3, 9, 15, 0)), 'Ann Lee', 'ann@example.com', '07400 123456', 12.5],
  ['R-2', new Date(Date.UTC(2026, 1, 3)), 'Bob Ray', 'bob@example.com', '', 8.2],
  ['R-3', new Date(Date.UTC(2026, 1, 14, 17, 40, 5)), '', '', '', 4],
  ['R-4', new Date(Date.UTC(2026, 1, 20, 12, 0, 0)), 'Ann Lee', 'ann@example.com', '07400 123456', 1234.56],
];
const HEADER = ['Receipt', 'Date', 'Customer', 'Email', 'Phone', 'Amount'];

const two = (n: number) => String(n).padStart(2, '0');
function csvText(): string {
  const date = (d: Date) => {
    const day = `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}`;
    return d.getUTCHours() + d.getUTCMinutes() + d.getUTCSeconds() === 0
      ? day
      : `${day} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
  };
  return `${[HEADER.join(','), ...ROWS.map((r) => [r[0], date(r[1]), r[2], r[3], r[4], String(r[5])].join(','))].join('\n')}\n`;
}

async function workbook(): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('Sales');
  sheet.addRow(HEADER);
  for (const r of ROWS) sheet.addRow([r[0], r[1], r[2] || null, r[3] || null, r[4] || null, r[5]]);
  sheet.getColumn(2).numFmt = 'dd/mm/yyyy hh:mm';
  sheet.getColumn(6).numFmt = '£#,##0.00';
  // A second sheet is not read.
  book.addWorksheet('Notes').addRow(['Receipt', 'Date']).commit?.();
  return Buffer.from(await book.xlsx.writeBuffer());
}

function events(b: Backend) {
  return b.db.sqlite
    .prepare(
      `SELECT event_type, external_id, payload, occurred_at, identifiers FROM customer_raw_event ORDER BY external_id`,
    )
    .all();
}

describe('Excel workbooks', () => {
  it('an .xlsx dropped on the window gives the same events as the same rows in a CSV', async () => {
    const dir = tempDir('constintel-xlsx-');
    const other = tempDir('constintel-xlsx-csv-');
    const fromXlsx = await testBackend({ dataDir: dir.path });
    const fromCsv = await testBackend({ dataDir: other.path });
    try {
      for (const b of [fromXlsx, fromCsv]) await b.call('settings.update', { defaultCountry: 'GB' });
      const imports = importsOf(fromXlsx.ctx);
      const { fileId, name } = await imports.addUpload(Readable.from([await workbook()]), 'Sales February.xlsx');
      expect(name).toBe('Sales February.xlsx');
      const preview = await imports.preview(fileId, {});
      expect(preview.settings.headers).toEqual(HEADER);
      expect(preview.settings.format).toBe('generic_transactions');
      expect(preview.rows[0]?.becomes).toContain('purchase of 12.50');
      const { jobId } = await imports.start(fileId, {});
      let job = await fromXlsx.call('imports.job', { jobId });
      for (let i = 0; i < 200 && job.status === 'running'; i++) {
        await new Promise((r) => setTimeout(r, 50));
        job = await fromXlsx.call('imports.job', { jobId });
      }
      expect(job).toMatchObject({ status: 'completed', fileName: 'Sales February.xlsx', rowsRead: 4, rejected: 0 });
      // The copy of the sheet is gone once imported.
      const uploads = join(dir.path, 'imports', 'uploads');
      await expect.poll(() => (existsSync(uploads) ? readdirSync(uploads) : []), { timeout: 10_000 }).toEqual([]);

      const csv = join(other.path, 'sales.csv');
      writeFileSync(csv, csvText());
      await importFile(importHost(fromCsv.ctx), { path: csv });
      expect(events(fromXlsx)).toEqual(events(fromCsv));
      expect(events(fromXlsx)).toHaveLength(4);
    } finally {
      await fromXlsx.close();
      await fromCsv.close();
      dir.remove();
      other.remove();
    }
  });

  it('constintel import reads a workbook from the terminal', async () => {
    const dir = tempDir('constintel-xlsx-cli-');
    try {
      const path = join(dir.path, 'sales.xlsx');
      writeFileSync(path, await workbook());
      const out = spawnSync(
        process.execPath,
        [builtScript('cli'), 'import', path, '--default-country', 'GB', '--json', '--data-dir', dir.path],
        { encoding: 'utf8', env: { ...process.env, CONSTINTEL_DATA_DIR: '' } },
      );
      expect(out.status, out.stderr).toBe(0);
      const summary = JSON.parse(out.stdout.trim().split('\n').at(-1) ?? '{}');
      expect(summary).toMatchObject({ status: 'completed', rowsRead: 4, eventsCreated: 4, rejected: 0 });
      expect(readdirSync(join(dir.path, 'imports', 'uploads'))).toEqual([]);
    } finally {
      dir.remove();
    }
  });
});
