/**
 * Excel workbooks (.xlsx) imported like CSV: the first sheet is read by exceljs's streaming reader (a row at a time,
 * never the whole workbook in memory) and written beside the data file as a UTF-8 CSV, which the import then reads
 * as any other file (recognition, preview, the same rows into the same events). Cells as Excel stores them: a date
 * cell is its wall-clock date (and time, when it has one) written YYYY-MM-DD[ HH:MM:SS]; a number as the number it
 * holds (not as the sheet formats it: 5.25, not "£5.25"); a formula as its last result; rich text and links as
 * their text; an error cell as blank.
 *
 * exceljs is loaded when a workbook is first opened, not when the app starts: it is the largest library the app's
 * thread would otherwise hold all the time (about 8 MB of heap), and most shops never drop a workbook.
 */

import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { closeSync, createWriteStream, mkdirSync, openSync, readSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Papa from 'papaparse';
import { AppError } from '../../../../shared/contract/errors';

/** A zip (an .xlsx is one) named .xlsx or .xlsm: read as a workbook. */
export function isWorkbook(head: Uint8Array, name: string): boolean {
  const zip = head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
  return zip && /\.xls[xm]$/i.test(name);
}

const two = (n: number) => String(n).padStart(2, '0');

/** Excel keeps a date as the wall clock it shows; exceljs hands it over as that wall clock in UTC. */
function dateText(d: Date): string {
  const day = `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}`;
  const time = d.getUTCHours() + d.getUTCMinutes() + d.getUTCSeconds();
  return time === 0 ? day : `${day} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : dateText(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'string') return value;
  if (typeof value === 'object') {
    const v = value as { richText?: { text: string }[]; text?: unknown; result?: unknown; error?: unknown };
    if (Array.isArray(v.richText)) return v.richText.map((r) => r.text).join('');
    if ('error' in v) return '';
    if ('result' in v) return cellText(v.result);
    if ('text' in v) return cellText(v.text);
  }
  return String(value);
}

/**
 * Writes the workbook's first sheet to `out` as CSV (UTF-8, a header row and one line per row; rows shorter than
 * the header padded). Returns how many rows it wrote; a workbook with no sheet or an empty first sheet writes none.
 */
export async function workbookToCsv(path: string, out: string): Promise<number> {
  const { default: ExcelJS } = await import('exceljs');
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(path, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'cache',
    entries: 'ignore',
  });
  const file = createWriteStream(out, { mode: 0o600 });
  let rows = 0;
  let width = 0;
  try {
    for await (const sheet of reader) {
      let batch: string[][] = [];
      for await (const row of sheet) {
        const values = Array.from((row.values as unknown[]).slice(1), cellText);
        if (rows === 0) width = values.length;
        while (values.length < width) values.push('');
        batch.push(values);
        rows += 1;
        if (batch.length >= 1000) {
          if (!file.write(`${Papa.unparse(batch, { newline: '\n' })}\n`)) await once(file, 'drain');
          batch = [];
        }
      }
      if (batch.length > 0) file.write(`${Papa.unparse(batch, { newline: '\n' })}\n`);
      break; // the first sheet only
    }
  } finally {
    file.end();
    await once(file, 'close');
  }
  return rows;
}

function firstBytes(path: string): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const head = new Uint8Array(8);
    return head.subarray(0, readSync(fd, head, 0, 8, 0));
  } catch {
    return new Uint8Array(0);
  } finally {
    closeSync(fd);
  }
}

/**
 * The file as the import reads it: a workbook's first sheet written as a CSV in `dir` (the path to read, and that it
 * is a copy to delete once imported); any other file as it is. `name` is the file's name as the shop knows it.
 */
export async function asTable(path: string, name: string, dir: string): Promise<{ path: string; copy: boolean }> {
  let head: Uint8Array;
  try {
    head = firstBytes(path);
  } catch {
    return { path, copy: false };
  }
  if (!isWorkbook(head, name)) return { path, copy: false };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const out = join(dir, `${randomBytes(9).toString('base64url')}.csv`);
  try {
    await workbookToCsv(path, out);
  } catch (error) {
    rmSync(out, { force: true });
    throw new AppError(
      'validation',
      `${name} could not be read as an Excel workbook (${(error as Error).message}): open it in Excel and save it again, or save it as CSV UTF-8.`,
    );
  }
  return { path: out, copy: true };
}
