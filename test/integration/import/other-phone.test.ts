/**
 * Every phone column counts: a customers list with both a Phone and a Mobile column stores both numbers on the
 * customer, and a later sale known only by the mobile number is recognised as the same customer (before, the second
 * number was dropped whenever the first was there).
 */
import { describe, expect, it } from 'vitest';
import { importHost } from '../../../main/core/import/import-service';
import { importFile } from '../../../main/core/import/imports';
import { importTestFolder } from '../../support/import-files';

const { withBackend, file } = importTestFolder();

describe('a second phone column', () => {
  it('is stored and matched like the main one', async () => {
    await withBackend(async (b) => {
      await b.call('settings.update', { defaultCountry: 'GB' });
      const customers = file(
        'customers.csv',
        'Customer number,First name,Last name,Phone,Mobile\nC1,Ann,Lee,020 7946 0321,07400 123456\nC2,Bob,Ray,,07521 654321\n',
      );
      expect(await importFile(importHost(b.ctx), { path: customers })).toMatchObject({
        rejected: 0,
        profilesCreated: 2,
      });
      const phones = b.db.sqlite
        .prepare(
          `SELECT p.first_name AS name, group_concat(i.value, ' ') AS phones FROM profile_identifier i
           JOIN customer_profile p ON p.id = i.profile_id WHERE i.type = 'phone' GROUP BY p.id ORDER BY p.id`,
        )
        .all() as { name: string; phones: string }[];
      expect(phones.map((p) => [p.name, p.phones.split(' ').sort()])).toEqual([
        ['Ann', ['+442079460321', '+447400123456']],
        ['Bob', ['+447521654321']],
      ]);

      // A till sale known only by Ann's mobile joins Ann.
      const sales = file('sales.csv', 'Receipt,Date,Phone,Amount\nS1,2026-02-10,+44 7400 123456,12.00\n');
      expect(await importFile(importHost(b.ctx), { path: sales })).toMatchObject({ profilesCreated: 0, rejected: 0 });
      const [ann] = (await b.call('customers.search', { query: 'Ann' })).items;
      expect(ann?.lifetimeValue).toBe(12);
    });
  });
});
