/**
 * A line-item sales export with no amount column (the layout of the widely used "Online Retail" dataset: InvoiceNo,
 * StockCode, Description, Quantity, InvoiceDate, UnitPrice, CustomerID, Country): recognised as sales by its headers
 * written in camel case; lines grouped into one purchase per invoice with its items; the amount as quantity × unit
 * price; customer numbers written 17850.0 read as 17850; a cancelled invoice (C536379, negative quantities) a refund;
 * an invoice without a customer kept as a sale without a customer; Country named as not imported.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importHost } from '../../../main/core/import/import-service';
import { importFile, previewImport } from '../../../main/core/import/imports';
import { importTestFolder } from '../../support/import-files';

const { withBackend } = importTestFolder();
const FIXTURE = fileURLToPath(new URL('../../fixtures/import/line-items-online-retail.csv', import.meta.url));

describe('a line-item export without a total', () => {
  it('becomes one purchase per invoice at quantity × unit price, refunds for cancelled invoices, walk-ins kept', async () => {
    await withBackend(async (b) => {
      const preview = await previewImport(importHost(b.ctx), FIXTURE, { dateOrder: 'MDY' });
      expect(preview.settings.format).toBe('generic_transactions');
      expect(preview.settings.roles).toEqual([
        'order_id',
        'line_sku',
        'line_title',
        'line_quantity',
        'date',
        'line_price',
        'customer_id',
        'ignore',
      ]);
      expect(preview.notImported).toEqual(['Country']);
      // 12/13/2010, nine rows down, settles the order without being told.
      expect((await previewImport(importHost(b.ctx), FIXTURE)).settings.dateOrder).toBe('MDY');

      const summary = await importFile(importHost(b.ctx), { path: FIXTURE, choices: { dateOrder: 'MDY' } });
      expect(summary).toMatchObject({ rowsRead: 10, rejected: 0, anonymousSales: 1, profilesCreated: 4 });
      const events = b.db.sqlite
        .prepare(
          `SELECT e.event_type AS type, e.external_id AS id, e.payload ->> '$.total' AS total,
             json_array_length(e.payload, '$.items') AS items,
             (SELECT value FROM profile_identifier i WHERE i.profile_id = e.customer_profile_id
               AND i.type = 'pos_customer_id') AS customer
           FROM customer_raw_event e ORDER BY e.id`,
        )
        .all();
      expect(events).toEqual([
        // 6 × 2.55 + 6 × 3.39
        { type: 'purchase', id: 'sale:536365', total: 35.64, items: 2, customer: '17850' },
        { type: 'purchase', id: 'sale:536366', total: 11.1, items: 1, customer: '17850' },
        // 32 × 1.69 + 6 × 2.10
        { type: 'purchase', id: 'sale:536367', total: 66.68, items: 2, customer: '13047' },
        // No customer: a sale without one (6 × 4.25 + 3 × 4.95).
        { type: 'purchase', id: 'sale:536368', total: 40.35, items: 2, customer: null },
        { type: 'refund', id: expect.stringMatching(/^refund:C536379:/), total: 27.5, items: 1, customer: '14527' },
        { type: 'refund', id: expect.stringMatching(/^refund:C536383:/), total: 4.65, items: 1, customer: '17850' },
        { type: 'purchase', id: 'sale:536384', total: 19.35, items: 1, customer: '18074' },
      ]);
      const [c17850] = (await b.call('customers.search', { query: '17850' })).items;
      // 35.64 + 11.10 − 4.65
      expect(c17850?.lifetimeValue).toBe(42.09);
      expect(c17850?.totalOrders).toBe(2);
      const at = b.db.sqlite
        .prepare("SELECT occurred_at FROM customer_raw_event WHERE external_id = 'sale:536384'")
        .pluck()
        .get() as number;
      expect(new Date(at).getDate()).toBe(13);
    });
  });
});
