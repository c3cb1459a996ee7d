/**
 * Every fixture in test/fixtures/import (real vendor headers, messy cases;
 * see its README) imported through the real path into a real data file: the
 * exact events, totals, profiles and rejections each produces — and a second
 * import of the same file changes nothing.
 */
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../../main/core/backend';
import { importHost, importsOf } from '../../../main/core/import/import-service';
import { importFile } from '../../../main/core/import/imports';
import { tempDir, testBackend } from '../../support/backend';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/import/${name}`, import.meta.url));

let backend: Backend | undefined;
const dirs: { remove(): void }[] = [];
afterEach(async () => {
  await backend?.close();
  backend = undefined;
  for (const d of dirs.splice(0)) d.remove();
});

async function fresh(): Promise<Backend> {
  const dir = tempDir();
  dirs.push(dir);
  backend = await testBackend({ dataDir: dir.path });
  await backend.call('settings.update', { defaultCountry: 'GB' });
  return backend;
}

/** type, natural key, total, and the name of the customer it landed on (null: no one). */
function events(b: Backend): [string, string, number | null, string | null][] {
  return (
    b.db.sqlite
      .prepare(
        `SELECT e.event_type AS type, e.external_id AS key, json_extract(e.payload, '$.total') AS total,
                trim(coalesce(p.first_name, '') || ' ' || coalesce(p.last_name, '')) AS name, e.customer_profile_id AS profile
         FROM customer_raw_event e LEFT JOIN customer_profile p ON p.id = e.customer_profile_id ORDER BY e.id`,
      )
      .all() as { type: string; key: string; total: number | null; name: string; profile: number | null }[]
  ).map((e) => [e.type, e.key, e.total, e.profile === null ? null : e.name]);
}

/** name, lifetime value, orders, and the identifiers held ("type:value"). */
function profiles(b: Backend): [string, number, number, string[]][] {
  return (
    b.db.sqlite
      .prepare(
        `SELECT p.id, trim(coalesce(p.first_name, '') || ' ' || coalesce(p.last_name, '')) AS name, p.lifetime_value AS ltv,
                p.total_orders AS orders
         FROM customer_profile p ORDER BY p.id`,
      )
      .all() as { id: number; name: string; ltv: number; orders: number }[]
  ).map((p) => [
    p.name,
    p.ltv,
    p.orders,
    (
      b.db.sqlite
        .prepare('SELECT type, value FROM profile_identifier WHERE profile_id = ? ORDER BY type, value')
        .all(p.id) as { type: string; value: string }[]
    ).map((i) => `${i.type}:${i.value}`),
  ]);
}

/** Everything an import writes about customers, for comparing a second import with the first. */
function snapshot(b: Backend): string {
  const dump = (sql: string) => JSON.stringify(b.db.sqlite.prepare(sql).all());
  return [
    dump('SELECT * FROM customer_profile ORDER BY id'),
    dump('SELECT * FROM profile_identifier ORDER BY id'),
    dump('SELECT * FROM customer_raw_event ORDER BY id'),
    dump('SELECT * FROM merge_history ORDER BY id'),
    dump('SELECT * FROM merge_review ORDER BY id'),
  ].join('\n');
}

async function importTwice(b: Backend, name: string) {
  const first = await importFile(importHost(b.ctx), { path: fixture(name) });
  const before = snapshot(b);
  const second = await importFile(importHost(b.ctx), { path: fixture(name) });
  expect(snapshot(b)).toBe(before);
  expect(second).toMatchObject({
    status: 'completed',
    eventsCreated: 0,
    profilesCreated: 0,
    duplicates: first.eventsCreated + first.duplicates,
    rejected: first.rejected,
  });
  return first;
}

describe('importing the fixtures', () => {
  it('Shopify orders export: one purchase per order from its line-item rows, the repeated order once, refund and cancellation', async () => {
    const b = await fresh();
    const summary = await importTwice(b, 'shopify-orders.csv');
    expect(summary).toMatchObject({ rowsRead: 11, eventsCreated: 7, duplicates: 1, rejected: 0, profilesCreated: 5 });
    expect(events(b)).toEqual([
      ['purchase', 'orders/create:5731234560005', 24, 'Sam Carter'],
      ['cancellation', 'orders/cancelled:5731234560005', 24, 'Sam Carter'],
      ['purchase', 'orders/create:5731234560004', 14.5, 'Priya Patel'],
      ['purchase', 'orders/create:5731234560003', 69.95, 'Zoë Müller'],
      ['refund', 'refunded-so-far:5731234560003', 12, 'Zoë Müller'],
      ['purchase', 'orders/create:5731234560002', 39.45, "Tom O'Brien"],
      ['purchase', 'orders/create:5731234560001', 18.45, 'Ann Lee'],
    ]);
    expect(profiles(b)).toEqual([
      ['Sam Carter', 0, 0, ['email:sam.carter@example.com']],
      ['Priya Patel', 14.5, 1, ['phone:+447700900456']],
      ['Zoë Müller', 57.95, 1, ['email:zoe.mueller@example.de']],
      ["Tom O'Brien", 39.45, 1, ['email:tom.obrien@example.co.uk', 'phone:+447700900789']],
      ['Ann Lee', 18.45, 1, ['email:ann.lee@example.com', 'phone:+447700900123']],
    ]);
    const items = b.db.sqlite
      .prepare("SELECT payload ->> '$.items' FROM customer_raw_event WHERE external_id = 'orders/create:5731234560002'")
      .pluck()
      .get() as string;
    expect(JSON.parse(items)).toEqual([
      { sku: 'TEA-DRJ-100', title: 'Darjeeling First Flush 100g', quantity: 1, price: 16 },
      { sku: 'TEA-CHM-50', title: 'Chamomile Loose 50g', quantity: 2, price: 6.5 },
      { sku: 'ACC-SCOOP', title: 'Bamboo Tea Scoop', quantity: 1, price: 6.5 },
    ]);
  });

  it('Square item sales: $1,234.50, a two-item transaction, a refund row, a walk-in kept as an anonymous sale', async () => {
    const b = await fresh();
    const summary = await importTwice(b, 'square-item-sales.csv');
    expect(summary).toMatchObject({
      rowsRead: 8,
      eventsCreated: 7,
      anonymousSales: 1,
      rejected: 0,
      profilesCreated: 3,
    });
    expect(events(b)).toEqual([
      ['purchase', 'sale:tXq1A2b3C4d5E6f7G8h9', 5.25, 'Ann Lee'],
      ['purchase', 'sale:tXq2B3c4D5e6F7g8H9i0', 7, null],
      ['purchase', 'sale:tXq3C4d5E6f7G8h9I0j1', 8.25, 'Marco Rossi'],
      ['purchase', 'sale:tXq4D5e6F7g8H9i0J1k2', 12.5, 'Jennifer Smith'],
      ['purchase', 'sale:tXq5E6f7G8h9I0j1K2l3', 1234.5, 'Ann Lee'],
      ['refund', expect.stringMatching(/^refund:tXq4D5e6F7g8H9i0J1k2:[\w-]{22}$/), 12.5, 'Jennifer Smith'],
      ['purchase', 'sale:tXq6F7g8H9i0J1k2L3m4', 6.07, 'Jennifer Smith'],
    ]);
    // Square's Time Zone column: 07:42:18 on 14 March in Pacific Time (daylight saving, UTC−7).
    expect(
      new Date(
        b.db.sqlite
          .prepare("SELECT occurred_at FROM customer_raw_event WHERE external_id = 'sale:tXq1A2b3C4d5E6f7G8h9'")
          .pluck()
          .get() as number,
      ).toISOString(),
    ).toBe('2026-03-14T14:42:18.000Z');
    expect(profiles(b)).toEqual([
      ['Ann Lee', 1239.75, 2, ['loyalty_id:LOY-1001', 'pos_customer_id:W1X2Y3Z4A5B6C7D8E9F0G1H2J3']],
      ['Marco Rossi', 8.25, 1, ['pos_customer_id:K9L8M7N6P5Q4R3S2T1U0V9W8X7']],
      ['Jennifer Smith', 6.07, 2, ['loyalty_id:LOY-1002', 'pos_customer_id:B2C3D4E5F6G7H8J9K0L1M2N3P4']],
    ]);
  });

  it('Loyverse receipts: Windows-1252, “;” and decimal comma, a refund receipt, Guest and blank customers anonymous', async () => {
    const b = await fresh();
    const summary = await importTwice(b, 'loyverse-receipts.csv');
    expect(summary).toMatchObject({
      rowsRead: 7,
      eventsCreated: 7,
      anonymousSales: 2,
      rejected: 0,
      profilesCreated: 3,
    });
    expect(events(b)).toEqual([
      ['purchase', 'sale:1-1001', 12.5, 'Zoë Müller'],
      ['purchase', 'sale:1-1002', 3.8, null],
      ['purchase', 'sale:1-1003', 19.71, 'José García'],
      ['refund', expect.stringMatching(/^refund:1-1004:[\w-]{22}$/), 4.2, 'Zoë Müller'],
      ['purchase', 'sale:1-1005', 1234.5, 'Familie Schröder'],
      ['purchase', 'sale:1-1006', 2.4, null],
      ['purchase', 'sale:1-1007', 7.74, 'José García'],
    ]);
    expect(profiles(b).map(([name, ltv, orders]) => [name, ltv, orders])).toEqual([
      ['Zoë Müller', 8.3, 1],
      ['José García', 27.45, 2],
      ['Familie Schröder', 1234.5, 1],
    ]);
    const items = b.db.sqlite
      .prepare("SELECT payload ->> '$.items' FROM customer_raw_event WHERE external_id = 'sale:1-1003'")
      .pluck()
      .get() as string;
    expect(JSON.parse(items)).toEqual([
      { title: 'Schwarzwälder Kirschtorte (ohne Sahne)', quantity: 1 },
      { title: 'Espresso', quantity: 1 },
    ]);
  });

  it('a generic transactions file: ambiguous dates read day first, refunds, an unreadable amount and an impossible date rejected', async () => {
    const b = await fresh();
    const summary = await importTwice(b, 'generic-transactions.csv');
    expect(summary).toMatchObject({
      rowsRead: 9,
      eventsCreated: 6,
      anonymousSales: 1,
      rejected: 2,
      profilesCreated: 4,
    });
    expect(events(b)).toEqual([
      ['purchase', 'sale:R-1001', 12.5, 'Ann Lee'],
      ['purchase', 'sale:R-1002', 11.3, "Mary O'Neill"],
      ['purchase', 'sale:R-1003', 4, null],
      ['purchase', 'sale:R-1004', 1234.5, 'Chloé Dubois'],
      ['refund', expect.stringMatching(/^refund:R-1005:[\w-]{22}$/), 12.5, 'Ann Lee'],
      ['purchase', 'sale:R-1008', 19.99, 'Ann van der Berg'],
    ]);
    const first = b.db.sqlite
      .prepare("SELECT occurred_at FROM customer_raw_event WHERE external_id = 'sale:R-1001'")
      .pluck()
      .get() as number;
    // 03/04/25 read as 3 April 2025 (day first), in this PC's time.
    expect(new Date(first).getMonth()).toBe(3);
    expect(new Date(first).getDate()).toBe(3);
    const jobs = await b.call('imports.jobs', {});
    expect(jobs[0]?.rejectedUrl).toMatch(/^\/imports\/\d+\/rejected\.csv$/);
    const file = importsOf(b.ctx).rejectedFile(jobs[0]?.id ?? 0) as string;
    const { readFileSync } = await import('node:fs');
    const lines = readFileSync(file, 'utf8')
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r\n/);
    expect(lines[0]).toBe('Receipt,Date,Customer,Email,Phone,Amount,reason');
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^R-1006,.*Amount “abc” is not an amount$/),
      expect.stringMatching(/^R-1007,31\/02\/2025,.*date “31\/02\/2025” is not a date$/),
    ]);
  });

  it('Shopify customers export: ids with a leading quote, consent, a company with no names', async () => {
    const b = await fresh();
    const summary = await importTwice(b, 'shopify-customers.csv');
    expect(summary).toMatchObject({ rowsRead: 7, eventsCreated: 7, profilesCreated: 7, rejected: 0 });
    const found = profiles(b);
    expect(found[0]).toEqual([
      'Ann Lee',
      0,
      0,
      ['email:ann.lee@example.com', 'phone:+447700900123', 'shopify_customer_id:7001234567890'],
    ]);
    expect(found[2]?.[3]).toEqual(['phone:+447700900456', 'shopify_customer_id:7001234567892']);
    expect(found[6]).toEqual(['', 0, 0, ['email:orders@hollowoak-cafe.co.uk', 'shopify_customer_id:7001234567896']]);
    const consent = b.db.sqlite.prepare('SELECT email_consent FROM customer_profile ORDER BY id').pluck().all();
    expect(consent).toEqual([1, 0, 0, 1, 1, 0, 0]);
  });

  it('Lightspeed customers (UTF-16): mobile used when phone is blank and kept beside it, the WALKIN placeholder rejected with its reason', async () => {
    const b = await fresh();
    const summary = await importTwice(b, 'lightspeed-customers.csv');
    expect(summary).toMatchObject({ rowsRead: 6, eventsCreated: 5, profilesCreated: 5, rejected: 1 });
    expect(profiles(b).map(([name, , , ids]) => [name, ids])).toEqual([
      // Every phone column counts: Ann's mobile beside her phone is hers too.
      [
        'Ann Lee',
        ['email:ann.lee@example.com', 'phone:+441134960123', 'phone:+447700900123', 'pos_customer_id:ANN-0001'],
      ],
      ["Tom O'Brien", ['phone:+447700900789', 'pos_customer_id:TOM-0002']],
      ['Siobhán Ní Bhriain', ['email:siobhan.nibhriain@example.ie', 'phone:+35315550142', 'pos_customer_id:SIO-0003']],
      ['Zoë Müller', ['email:zoe.mueller@example.de', 'pos_customer_id:ZOE-0004']],
      ['Leeds Book Club', ['email:bookclub@example.org', 'phone:+441134960999', 'pos_customer_id:GRP-0005']],
    ]);
  });

  it('a generic customers list (tabs): placeholders never become details; “Surname, First” names', async () => {
    const b = await fresh();
    const summary = await importTwice(b, 'generic-customers.csv');
    expect(summary).toMatchObject({ rowsRead: 7, eventsCreated: 7, profilesCreated: 5, rejected: 0 });
    expect(profiles(b).map(([name, , , ids]) => [name, ids])).toEqual([
      ['Ann Lee', ['email:ann.lee@example.com', 'loyalty_id:LC-000123', 'phone:+447700900123']],
      ["Mary O'Neill", ['email:mary.oneill@example.co.uk', 'loyalty_id:LC-000124', 'phone:+447700900321']],
      ['Ann van der Berg', ['loyalty_id:LC-000125', 'phone:+31612345678']],
      ['Chloé Dubois', ['email:chloe.dubois@example.fr', 'loyalty_id:LC-000126']],
      ['Raj', ['email:raj.k@example.com']],
    ]);
    // The rows made only of placeholders are kept as events on no one.
    expect(events(b).filter(([, , , who]) => who === null)).toHaveLength(2);
  });

  it('refuses a file it cannot read, with the reason', async () => {
    const b = await fresh();
    await expect(importFile(importHost(b.ctx), { path: fixture('no-such-file.csv') })).rejects.toThrow(
      /Cannot read no-such-file\.csv/,
    );
  });
});
