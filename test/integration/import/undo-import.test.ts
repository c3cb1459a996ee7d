/**
 * Undoing an import. A till export whose phone numbers are written without a country is imported as if the shop
 * were in the United States (wrong: they are British), then undone and imported again as the United Kingdom: the
 * data file ends exactly as if only the right import had been made — the same customers (by what identifies them,
 * their names, consent, totals), the same events on the same customers, no merge left in force that the right import
 * would not make, no pending review, nobody recorded as "different people". The shop had customers before (one of
 * them joined with another by the wrong import, through a US reading of a number), and in one run a live sale
 * arrives for a customer the wrong import created before it is undone: that customer and the sale stay.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../../main/core/backend';
import { mergeProfiles } from '../../../main/core/identity/merge';
import { importHost } from '../../../main/core/import/import-service';
import { importFile } from '../../../main/core/import/imports';
import { parseEventOrThrow } from '../../../shared/events';
import { ingestOne, TEST_NOW } from '../../support/backend';
import { importTestFolder } from '../../support/import-files';

const { withBackend, file } = importTestFolder();
const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/import/${name}`, import.meta.url));

/**
 * Receipt, Date, Customer, Email, Phone, Newsletter, Amount. 30 shoppers with a UK mobile written 07…, a third of
 * them with an email too; two receipts each (one with two lines). Row 1 also carries pre-existing Ann's email and a
 * number that reads as a US number only (+1 650 253 0000, pre-existing Bob's): as the US, it joins Ann and Bob.
 */
function till(): string {
  const lines = ['Receipt,Date,Customer,Email,Phone,Newsletter,Amount'];
  lines.push('R-0,2026-01-05,Ann Lee,ann@example.com,650 253 0000,yes,15.00');
  for (let i = 1; i <= 30; i++) {
    const phone = `07700 9${String(10000 + i * 37).slice(-5)}`;
    const email = i % 3 === 0 ? `shopper${i}@example.com` : '';
    const day = String((i % 27) + 1).padStart(2, '0');
    lines.push(`R-${i}a,2026-01-${day},Shopper ${i},${email},${phone},${i % 2 ? 'yes' : ''},${(10 + i).toFixed(2)}`);
    lines.push(`R-${i}b,2026-02-${day},Shopper ${i},${email},${phone},,4.50`);
    lines.push(`R-${i}b,2026-02-${day},Shopper ${i},${email},${phone},,1.25`);
  }
  return `${lines.join('\n')}\n`;
}

const live = (input: Record<string, unknown>) => parseEventOrThrow(input, Date.parse(TEST_NOW));

/** The shop before the import: Ann (email) and Bob (a US number only), each with a sale. */
function shopBefore(b: Backend): void {
  ingestOne(
    b,
    live({
      type: 'purchase',
      source: 'api',
      externalId: 'before-ann',
      occurredAt: '2025-12-01T10:00:00Z',
      identifiers: { email: 'ann@example.com' },
      payload: { orderId: 'W-ANN', total: 30 },
    }),
  );
  ingestOne(
    b,
    live({
      type: 'purchase',
      source: 'api',
      externalId: 'before-bob',
      occurredAt: '2025-12-02T10:00:00Z',
      identifiers: { phone: '+16502530000' },
      payload: { orderId: 'W-BOB', total: 40 },
    }),
  );
}

/** A live sale for shopper 3 (by email), between the imports. */
function liveSale(b: Backend): void {
  ingestOne(
    b,
    live({
      type: 'purchase',
      source: 'api',
      externalId: 'live-3',
      occurredAt: '2026-02-20T10:00:00Z',
      identifiers: { email: 'shopper3@example.com' },
      payload: { orderId: 'W-3', total: 9 },
    }),
  );
}

/** Everything the shop would see, without the ids that differ from one data file to another. */
function snapshot(b: Backend) {
  const db = b.db.sqlite;
  const who = new Map<number, string>();
  const profiles = db
    .prepare(
      `SELECT id, first_name, last_name, lifetime_value, total_orders, email_consent, sms_consent, last_purchase_at,
         first_seen_at, strength FROM customer_profile ORDER BY id`,
    )
    .all() as Record<string, unknown>[];
  for (const p of profiles) {
    const ids = (
      db.prepare('SELECT type, value FROM profile_identifier WHERE profile_id = ? ORDER BY type, value').all(p.id) as {
        type: string;
        value: string;
      }[]
    ).map((i) => `${i.type}:${i.value}`);
    who.set(p.id as number, ids.join(' '));
  }
  const customers = profiles
    .map(({ id, ...rest }) => ({ who: who.get(id as number), ...rest }))
    .sort((a, b) => String(a.who).localeCompare(String(b.who)));
  const events = (
    db
      .prepare(
        'SELECT event_type, source, external_id, payload, identifiers, occurred_at, customer_profile_id FROM customer_raw_event',
      )
      .all() as Record<string, unknown>[]
  )
    .map(
      ({ customer_profile_id, ...rest }): Record<string, unknown> => ({
        ...rest,
        customer: customer_profile_id === null ? null : who.get(customer_profile_id as number),
      }),
    )
    .sort((a, b) => `${a.source}/${a.external_id}`.localeCompare(`${b.source}/${b.external_id}`)) as Record<
    string,
    unknown
  >[];
  const count = (sql: string) => db.prepare(sql).pluck().get() as number;
  return {
    customers,
    events,
    mergesInForce: count('SELECT count(*) FROM merge_history WHERE undone_at IS NULL'),
    pendingReviews: count("SELECT count(*) FROM merge_review WHERE status = 'pending'"),
    separations: count('SELECT count(*) FROM profile_separation'),
    consents: count('SELECT count(*) FROM consent_event'),
    sharedUses: count('SELECT count(*) FROM shared_identifier_use'),
    shared: db.prepare('SELECT type, value FROM profile_identifier WHERE shared = 1 ORDER BY type, value').all(),
  };
}

async function undone(b: Backend, jobId: number) {
  const started = await b.call('imports.undo', { jobId });
  expect(['removing', 'removed'], started.error ?? '').toContain(started.status);
  for (let i = 0; i < 500; i++) {
    const job = await b.call('imports.job', { jobId });
    if (job.status === 'removed') return job;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`import ${jobId} was not undone in time`);
}

describe('undoing an import', () => {
  for (const withLiveSale of [false, true]) {
    it(`then importing with other choices gives what importing with those choices alone gives${withLiveSale ? ' (a live sale reached one of its customers in between)' : ''}`, async () => {
      const path = file('till.csv', till());
      let expected: ReturnType<typeof snapshot> | undefined;
      await withBackend(async (b) => {
        await b.call('settings.update', { defaultCountry: 'US' });
        shopBefore(b);
        await importFile(importHost(b.ctx), { path, choices: { defaultCountry: 'GB' } });
        if (withLiveSale) liveSale(b);
        expected = snapshot(b);
        // Not an empty comparison: Ann, Bob and the 30 shoppers (the US number reads as no British one).
        expect(expected.customers).toHaveLength(32);
      });
      await withBackend(async (b) => {
        await b.call('settings.update', { defaultCountry: 'US' });
        shopBefore(b);
        const before = snapshot(b);
        const wrong = await importFile(importHost(b.ctx), { path });
        expect(wrong.phonesUnreadable).toBeGreaterThan(0);
        expect(wrong, JSON.stringify(wrong)).toMatchObject({ autoMerged: 1 });
        if (withLiveSale) liveSale(b);
        const job = await undone(b, wrong.jobId);
        expect(job.removal).toMatchObject({
          events: wrong.eventsCreated,
          merges: 1,
          customers: wrong.profilesCreated - (withLiveSale ? 1 : 0),
          customersKept: withLiveSale ? 2 : 1,
        });
        expect(job.removal?.finishedAt).not.toBeNull();
        if (!withLiveSale) expect(snapshot(b)).toEqual(before);
        else {
          // The customer the live sale reached stays, with that sale only and the email it came by.
          const kept = b.db.sqlite
            .prepare(
              "SELECT p.id, p.lifetime_value AS ltv, p.first_name AS first FROM customer_profile p JOIN profile_identifier i ON i.profile_id = p.id WHERE i.value = 'shopper3@example.com'",
            )
            .get() as { id: number; ltv: number; first: string | null };
          expect(kept).toMatchObject({ ltv: 9, first: null });
          const types = b.db.sqlite
            .prepare('SELECT type FROM profile_identifier WHERE profile_id = ?')
            .pluck()
            .all(kept.id);
          expect(types).toEqual(['email']);
        }
        const again = await importFile(importHost(b.ctx), { path, choices: { defaultCountry: 'GB' } });
        expect(again.duplicates).toBe(0);
        expect(snapshot(b)).toEqual(expected);
        // Undone, it says so; and it cannot be undone twice.
        const history = await b.call('imports.jobs', {});
        expect(history.find((j) => j.id === wrong.jobId)?.status).toBe('removed');
        await expect(b.call('imports.undo', { jobId: wrong.jobId })).rejects.toThrow(/already undone/);
      });
    });
  }

  it('takes back the name and consent a customers list gave a customer the shop had, and the customers it added', async () => {
    await withBackend(async (b) => {
      shopBefore(b);
      const before = snapshot(b);
      const path = file(
        'customers.csv',
        'First Name,Last Name,Email,Accepts Email Marketing\nAnn,Lee,ann@example.com,yes\nCara,Diaz,cara@example.com,no\n',
      );
      const job = await importFile(importHost(b.ctx), { path });
      expect(job).toMatchObject({ eventsCreated: 2, profilesCreated: 1 });
      const ann = () =>
        b.db.sqlite
          .prepare(
            "SELECT p.first_name AS first, p.last_name AS last, p.email_consent AS consent FROM customer_profile p JOIN profile_identifier i ON i.profile_id = p.id WHERE i.value = 'ann@example.com'",
          )
          .get();
      expect(ann()).toEqual({ first: 'Ann', last: 'Lee', consent: 1 });
      const undoneJob = await undone(b, job.jobId);
      expect(undoneJob.removal).toMatchObject({ events: 2, customers: 1, merges: 0, customersKept: 1 });
      expect(ann()).toEqual({ first: null, last: null, consent: null });
      expect(snapshot(b)).toEqual(before);
    });
  });

  it('asks for a later merge by hand of a customer it joined to be undone first', async () => {
    await withBackend(async (b) => {
      await b.call('settings.update', { defaultCountry: 'US' });
      shopBefore(b);
      const wrong = await importFile(importHost(b.ctx), { path: file('till-merge.csv', till()) });
      expect(wrong.autoMerged).toBe(1);
      // Dan (an email, a loyalty card and a Shopify account) is merged by hand with Ann, whom the import joined
      // with Bob: Dan, the stronger, survives.
      const dan = ingestOne(
        b,
        live({
          type: 'profile_update',
          source: 'api',
          externalId: 'dan',
          occurredAt: '2026-02-21T10:00:00Z',
          identifiers: { email: 'dan@example.com', loyalty_id: 'L-9', shopify_customer_id: '99' },
          payload: {},
        }),
      ).profileId as number;
      const ann = b.db.sqlite
        .prepare("SELECT profile_id FROM profile_identifier WHERE value = 'ann@example.com'")
        .pluck()
        .get() as number;
      const merged = b.db.sqlite
        .transaction(() =>
          mergeProfiles(b.db, {
            brandId: b.ctx.brandId,
            profileIds: [ann, dan],
            reason: 'review',
            evidence: [],
            now: Date.parse(TEST_NOW),
          }),
        )
        .immediate();
      expect(merged.baseId).toBe(dan);
      await expect(b.call('imports.undo', { jobId: wrong.jobId })).rejects.toThrow(
        `Customer #${ann}, whom this import added or joined, was later merged into customer #${dan} (merge #${merged.mergeId}). Undo that merge first (on customer #${dan}'s page, under Merge history), then undo the import.`,
      );
      expect((await b.call('imports.job', { jobId: wrong.jobId })).status).toBe('completed');
      // That merge undone, the import is.
      await b.call('merges.undo', { mergeId: merged.mergeId });
      expect((await undone(b, wrong.jobId)).removal).toMatchObject({ merges: 1 });
    });
  });

  it('gives back to no customer a refund its order had attached, and unmarks a phone it marked shared', async () => {
    await withBackend(async (b) => {
      shopBefore(b);
      // A Shopify refund of order #1004 that came before the order (on no customer), and Ann with a mobile.
      ingestOne(
        b,
        live({
          type: 'refund',
          source: 'shopify',
          externalId: 'refund-1004',
          occurredAt: '2026-02-02T15:00:00Z',
          identifiers: {},
          payload: { orderId: '5731234560004', total: 5 },
        }),
      );
      ingestOne(
        b,
        live({
          type: 'profile_update',
          source: 'api',
          externalId: 'ann-phone',
          occurredAt: '2026-01-01T10:00:00Z',
          identifiers: { email: 'ann@example.com', phone: '+447700900111' },
          payload: { firstName: 'Ann' },
        }),
      );
      const before = snapshot(b);
      const orders = await importFile(importHost(b.ctx), {
        path: file('orders.csv', readFileSync(fixture('shopify-orders.csv'))),
      });
      const refundOwner = () =>
        b.db.sqlite
          .prepare("SELECT customer_profile_id FROM customer_raw_event WHERE external_id = 'refund-1004'")
          .pluck()
          .get();
      expect(refundOwner()).not.toBeNull();
      // Tom (an email of his own) on Ann's mobile: the mobile is marked shared.
      const tom = await importFile(importHost(b.ctx), {
        path: file('tom.csv', 'First Name,Email,Phone\nTom,tom@example.com,07700 900111\n'),
      });
      expect(snapshot(b).shared).toEqual([{ type: 'phone', value: '+447700900111' }]);
      await undone(b, tom.jobId);
      await undone(b, orders.jobId);
      expect(refundOwner()).toBeNull();
      expect(snapshot(b)).toEqual(before);
    });
  });

  it('keeps the consent a later import also states when an earlier one is undone', async () => {
    await withBackend(async (b) => {
      shopBefore(b);
      const first = await importFile(importHost(b.ctx), {
        path: file('list-a.csv', 'Email,Accepts Email Marketing\nann@example.com,yes\n'),
      });
      // Another list saying the same yes: not recorded twice (the history already has it).
      const second = await importFile(importHost(b.ctx), {
        path: file('list-b.csv', 'Email,Last Name,Accepts Email Marketing\nann@example.com,Lee,yes\n'),
      });
      expect(second.eventsCreated).toBe(1);
      expect(b.db.sqlite.prepare("SELECT count(*) FROM consent_event WHERE channel = 'email'").pluck().get()).toBe(1);
      await undone(b, first.jobId);
      const consent = b.db.sqlite
        .prepare(
          "SELECT p.email_consent FROM customer_profile p JOIN profile_identifier i ON i.profile_id = p.id WHERE i.value = 'ann@example.com'",
        )
        .pluck()
        .get();
      expect(consent).toBe(1);
      expect(b.db.sqlite.prepare("SELECT count(*) FROM consent_event WHERE channel = 'email'").pluck().get()).toBe(1);
    });
  });

  it('does not import while an import is being undone, nor undo while one is importing', async () => {
    await withBackend(async (b) => {
      const one = await importFile(importHost(b.ctx), { path: file('one.csv', till()) });
      const two = await importFile(importHost(b.ctx), { path: file('two.csv', till().replaceAll('R-', 'S-')) });
      b.db.sqlite.prepare("UPDATE import_job SET status = 'running' WHERE id = ?").run(two.jobId);
      await expect(b.call('imports.undo', { jobId: one.jobId })).rejects.toThrow(
        `two.csv is being imported. Wait until it has finished, then undo import #${one.jobId}.`,
      );
      b.db.sqlite.prepare("UPDATE import_job SET status = 'removing' WHERE id = ?").run(two.jobId);
      await expect(importFile(importHost(b.ctx), { path: file('three.csv', till()) })).rejects.toThrow(
        `Import #${two.jobId} is being undone. Wait until it says Undone on the Import page, then import this file.`,
      );
    });
  });

  it('refuses an import made before imports could be undone, and one that does not exist', async () => {
    await withBackend(async (b) => {
      const path = file('till-old.csv', till());
      const job = await importFile(importHost(b.ctx), { path });
      b.db.sqlite.prepare('DELETE FROM import_chunk WHERE job_id = ?').run(job.jobId);
      await expect(b.call('imports.undo', { jobId: job.jobId })).rejects.toThrow(/earlier version of ConstIntel/);
      await expect(b.call('imports.undo', { jobId: 999 })).rejects.toThrow('There is no import #999.');
    });
  });
});
