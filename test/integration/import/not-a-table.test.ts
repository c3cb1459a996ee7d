/**
 * Files that are not tables of text — a PDF, an old .xls workbook, an .xlsx, an Apple Numbers file, a picture, an
 * empty file — dropped on the window (an upload, kept under a made-up name): each is refused with a message in words
 * naming the kind of file, what to do instead, and the name the shop gave it, never the upload's internal name.
 */
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../../main/core/backend';
import { importsOf } from '../../../main/core/import/import-service';
import { tempDir, testBackend } from '../../support/backend';

let backend: Backend;
let dir: { path: string; remove(): void };
beforeEach(async () => {
  dir = tempDir('constintel-not-a-table-');
  backend = await testBackend({ dataDir: dir.path });
});
afterEach(async () => {
  await backend.close();
  dir.remove();
});

async function dropped(name: string, bytes: Buffer): Promise<string> {
  const imports = importsOf(backend.ctx);
  try {
    // A workbook is opened as it arrives; any other file when it is previewed.
    const { fileId } = await imports.addUpload(Readable.from([bytes]), name);
    await imports.preview(fileId, {});
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`${name} was read as a table`);
}

const zip = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0x08, 0x00]);

describe('files that are not tables', () => {
  const cases: [string, Buffer, RegExp][] = [
    [
      'Sales March.pdf',
      Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj'),
      /^Sales March\.pdf is a PDF, not a table .*export .* as CSV/,
    ],
    [
      'till-2019.xls',
      Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]),
      /^till-2019\.xls is an old Excel workbook \(\.xls\): .*Save As → CSV UTF-8/,
    ],
    // A workbook is read (xlsx.test.ts); one whose contents are broken is refused in words.
    ['Customers.xlsx', zip, /^Customers\.xlsx could not be read as an Excel workbook .*save it as CSV UTF-8\.$/],
    ['Kunden.numbers', zip, /^Kunden\.numbers is an Apple Numbers file: .*Export To → CSV/],
    ['export.zip', zip, /^export\.zip is a compressed \(zip\) file: unzip it/],
    ['receipt.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), /^receipt\.png is a picture/],
    ['empty.csv', Buffer.alloc(0), /^empty\.csv is empty: there is nothing in it to import\.$/],
  ];
  for (const [name, bytes, expected] of cases)
    it(`${name}: refused in words, by the name the shop gave it`, async () => {
      const message = await dropped(name, bytes);
      expect(message).toMatch(expected);
      expect(message).not.toMatch(/\.upload|%PDF/);
    });

  it('a CSV is still read', async () => {
    const imports = importsOf(backend.ctx);
    const { fileId } = await imports.addUpload(
      Readable.from([Buffer.from('Receipt,Date,Email,Amount\nR1,2026-03-01,a@example.com,5.00\n')]),
      'sales.csv',
    );
    const preview = await imports.preview(fileId, {});
    expect(preview.settings.headers).toEqual(['Receipt', 'Date', 'Email', 'Amount']);
  });
});
