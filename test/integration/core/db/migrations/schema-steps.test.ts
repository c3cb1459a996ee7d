/**
 * One test per schema migration (0006's backfill has its own file): the file as the step before left it, with
 * rows in it, then the step, then what the step must have done to those rows and to the schema.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { addBrand, columnsOf, migrationCount, type SteppedFile, steppedFile } from './steps';

let file: SteppedFile | undefined;
afterEach(() => file?.close());

/** The file brought to `step − 1`, `seed` run on it, then `step` applied. */
function across(step: number, seed: (f: SteppedFile) => void = () => {}): SteppedFile {
  file = steppedFile();
  if (step > 0) file.upTo(step - 1);
  seed(file);
  file.upTo(step);
  return file;
}

const addProfile = (f: SteppedFile, brand: number) =>
  Number(
    f.sqlite
      .prepare('INSERT INTO customer_profile (brand_id, first_name, created_at, updated_at) VALUES (?, ?, 1, 1)')
      .run(brand, 'Ann').lastInsertRowid,
  );

const addEvent = (f: SteppedFile, brand: number) =>
  f.sqlite
    .prepare(
      "INSERT INTO customer_raw_event (brand_id, event_type, source, payload, occurred_at, received_at) VALUES (?, 'purchase', 'api', '{}', 1, 1)",
    )
    .run(brand);

describe('schema migrations, one at a time', () => {
  it('knows every migration this file tests (a new one needs a test here)', () => {
    // 0000–0009 here; 0006 (its backfill), 0010 (stream shapes, outbox), 0011 (channels) and 0012–0017
    // (automations) have files of their own.
    expect(migrationCount()).toBe(23);
  });

  it('0000_foundation creates the core tables on an empty file', () => {
    const { sqlite } = across(0);
    const tables = sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    for (const table of ['brand', 'customer_raw_event', 'customer_profile', 'merge_history', 'predictions'])
      expect(tables).toContain(table);
  });

  it('0001_identity gives stored events an empty identifier list and profiles empty search keys', () => {
    let brand = 0;
    const { sqlite } = across(1, (f) => {
      brand = addBrand(f.sqlite);
      addEvent(f, brand);
      addProfile(f, brand);
    });
    expect(sqlite.prepare('SELECT identifiers, unused_identifiers FROM customer_raw_event').get()).toEqual({
      identifiers: '[]',
      unused_identifiers: null,
    });
    expect(sqlite.prepare('SELECT first_name, search_name FROM customer_profile').get()).toEqual({
      first_name: 'Ann',
      search_name: null,
    });
    expect(columnsOf(sqlite, 'profile_redirect')).toContain('merge_history_id');
  });

  it('0002_webhooks adds checkouts and webhook deliveries, keeping the shop', () => {
    const { sqlite } = across(2, (f) => addBrand(f.sqlite));
    expect(sqlite.prepare('SELECT count(*) FROM brand').pluck().get()).toBe(1);
    expect(columnsOf(sqlite, 'checkout_state')).toContain('abandoned_at');
    expect(columnsOf(sqlite, 'webhook_delivery')).toContain('body');
  });

  it('0003_households adds shared identifier use, keeping profiles', () => {
    const { sqlite } = across(3, (f) => addProfile(f, addBrand(f.sqlite)));
    expect(sqlite.prepare('SELECT count(*) FROM customer_profile').pluck().get()).toBe(1);
    expect(columnsOf(sqlite, 'shared_identifier_use')).toEqual([
      'brand_id',
      'type',
      'value',
      'profile_id',
      'first_seen_at',
    ]);
  });

  it('0004_webhook_inbox marks stored deliveries as not pending', () => {
    const { sqlite } = across(4, (f) => {
      const brand = addBrand(f.sqlite);
      f.sqlite
        .prepare(
          "INSERT INTO webhook_delivery (provider, brand_id, outcome, received_at) VALUES ('shopify', ?, 'accepted', 1)",
        )
        .run(brand);
    });
    expect(sqlite.prepare('SELECT outcome, pending FROM webhook_delivery').get()).toEqual({
      outcome: 'accepted',
      pending: 0,
    });
  });

  it('0005_imports adds import jobs and presets', () => {
    const { sqlite } = across(5, (f) => addBrand(f.sqlite));
    expect(columnsOf(sqlite, 'import_job')).toContain('rejected_file');
    expect(columnsOf(sqlite, 'import_preset')).toContain('header_key');
  });

  it('0007_next_purchase adds empty next-purchase scores to stored predictions', () => {
    const { sqlite } = across(7, (f) => {
      const brand = addBrand(f.sqlite);
      const profile = addProfile(f, brand);
      f.sqlite
        .prepare('INSERT INTO predictions (profile_id, brand_id, churn_score, predicted_at) VALUES (?, ?, 0.25, 1)')
        .run(profile, brand);
    });
    expect(
      sqlite.prepare('SELECT churn_score, still_active, purchase_30d, next_purchase_at FROM predictions').get(),
    ).toEqual({ churn_score: 0.25, still_active: null, purchase_30d: null, next_purchase_at: null });
  });

  it('0008_pending_totals adds pending totals that go with their profile', () => {
    let profile = 0;
    const { sqlite } = across(8, (f) => {
      profile = addProfile(f, addBrand(f.sqlite));
    });
    sqlite
      .prepare(
        'INSERT INTO profile_pending_totals (profile_id, cents, orders, first_seen_at, last_seen_at) VALUES (?, 100, 1, 1, 1)',
      )
      .run(profile);
    sqlite.prepare('DELETE FROM customer_profile WHERE id = ?').run(profile);
    expect(sqlite.prepare('SELECT count(*) FROM profile_pending_totals').pluck().get()).toBe(0);
  });

  it('0009_scheduled_job adds the scheduled job claims', () => {
    const { sqlite } = across(9, (f) => addBrand(f.sqlite));
    expect(columnsOf(sqlite, 'scheduled_job')).toEqual([
      'name',
      'claimed_by',
      'claimed_at',
      'expires_at',
      'last_due_at',
      'last_started_at',
      'last_finished_at',
      'last_result',
      'last_message',
    ]);
    expect(sqlite.prepare('SELECT count(*) FROM brand').pluck().get()).toBe(1);
  });
});
