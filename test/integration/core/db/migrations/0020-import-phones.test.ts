/** Migration 0020: an import job already in the history keeps its counts and reads 0 phone numbers unread. */
import { describe, expect, it } from 'vitest';
import { addBrand, steppedFile } from './steps';

describe('migration 0020 (phones not read by an import)', () => {
  it('adds phones_unreadable, 0 for the imports already there', () => {
    const file = steppedFile();
    file.upTo(19);
    const brand = addBrand(file.sqlite);
    file.sqlite
      .prepare(
        `INSERT INTO import_job (brand_id, file_name, file_bytes, settings, status, anonymous_sales, started_at)
         VALUES (?, 'sales.csv', 10, '{}', 'completed', 3, 1)`,
      )
      .run(brand);
    file.upTo(20);
    expect(file.sqlite.prepare('SELECT anonymous_sales, phones_unreadable FROM import_job').get()).toEqual({
      anonymous_sales: 3,
      phones_unreadable: 0,
    });
    file.close();
  });
});
