/**
 * The date order judged from the file's first 10,000 dates, not its first 200: a till export whose first weeks all
 * fall on days 1–12 reads either way at its top, and the date that settles it (a 13th or later) may come hundreds or
 * thousands of rows down — past the recognition sample too (64 KB). Month-first files are then read month-first
 * (before, they were read day-first with a warning, and every date of the first twelve days was wrong).
 */
import { describe, expect, it } from 'vitest';
import { importHost } from '../../../main/core/import/import-service';
import { importFile, previewImport } from '../../../main/core/import/imports';
import { importTestFolder } from '../../support/import-files';

const { withBackend, file } = importTestFolder();

/** `rows` sales on days 1–12 of January to December 2025 (either way round), then one that settles it. */
function sales(rows: number, last: string): string {
  const lines = ['Receipt,Date,Email,Amount'];
  for (let i = 0; i < rows; i++) {
    const a = String((i % 12) + 1).padStart(2, '0');
    const b = String(((i * 5) % 12) + 1).padStart(2, '0');
    lines.push(`R${i},${a}/${b}/2025,c${i % 50}@example.com,${(5 + (i % 20)).toFixed(2)}`);
  }
  lines.push(`R${rows},${last},last@example.com,9.99`);
  return `${lines.join('\n')}\n`;
}

describe('the date order, from the first 10,000 dates', () => {
  it('a month-first file whose 13th comes after 300 rows is read month-first, with no warning', async () => {
    await withBackend(async (b) => {
      const path = file('mdy-300.csv', sales(300, '03/25/2025'));
      const preview = await previewImport(importHost(b.ctx), path);
      expect(preview.settings.dateOrder).toBe('MDY');
      expect(preview.settings.dateAmbiguous).toBe(false);
      expect(preview.settings.warnings.join(' ')).not.toContain('could be 3 April or 4 March');
    });
  });

  it('past the 64 KB sample: the settling date 5,000 rows down decides, and the sales are dated by it', async () => {
    await withBackend(async (b) => {
      const content = sales(5_000, '03/25/2025');
      expect(Buffer.byteLength(content)).toBeGreaterThan(64 * 1024);
      const path = file('mdy-5000.csv', content);
      const preview = await previewImport(importHost(b.ctx), path);
      expect(preview.settings.dateOrder).toBe('MDY');
      const summary = await importFile(importHost(b.ctx), { path });
      expect(summary.status).toBe('completed');
      // R1 is "02/06/2025": 6 February when read month-first.
      const at = b.db.sqlite
        .prepare("SELECT occurred_at FROM customer_raw_event WHERE external_id = 'sale:R1'")
        .pluck()
        .get() as number;
      expect(new Date(at).toISOString().slice(0, 10)).toBe('2025-02-06');
    });
  });

  it('a file with no settling date still warns that it could be read either way', async () => {
    await withBackend(async (b) => {
      const path = file('either.csv', sales(400, '01/02/2025'));
      const preview = await previewImport(importHost(b.ctx), path);
      expect(preview.settings.dateAmbiguous).toBe(true);
      expect(preview.settings.warnings.join(' ')).toContain('could be 3 April or 4 March');
    });
  });
});
