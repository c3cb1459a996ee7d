/**
 * Migration 0021: imports can be undone. Jobs already in the history keep their counts and read as never undone;
 * each chunk's id ranges have a table of their own (an earlier job has none, so it cannot be undone).
 */
import { describe, expect, it } from 'vitest';
import { addBrand, steppedFile } from './steps';

describe('migration 0021 (undoing an import)', () => {
  it('adds what a removal records, nothing removed for the imports already there, and the chunks table', () => {
    const file = steppedFile();
    file.upTo(20);
    const brand = addBrand(file.sqlite);
    file.sqlite
      .prepare(
        `INSERT INTO import_job (brand_id, file_name, file_bytes, settings, status, events_created, started_at)
         VALUES (?, 'sales.csv', 10, '{}', 'completed', 7, 1)`,
      )
      .run(brand);
    file.upTo(21);
    expect(
      file.sqlite
        .prepare(
          `SELECT status, events_created, status_before_removal, removal_started_at, removed_at, removed_events,
             removed_profiles, undone_merges, kept_profiles FROM import_job`,
        )
        .get(),
    ).toEqual({
      status: 'completed',
      events_created: 7,
      status_before_removal: null,
      removal_started_at: null,
      removed_at: null,
      removed_events: 0,
      removed_profiles: 0,
      undone_merges: 0,
      kept_profiles: 0,
    });
    expect(file.sqlite.prepare('SELECT count(*) FROM import_chunk').pluck().get()).toBe(0);
    file.close();
  });
});
