/**
 * Files that go wrong in the ways real files do: a stray separator or quote,
 * bytes in another encoding far into the file, a refund beside its sale,
 * several refunds of one sale, an export overlapping Shopify's refund
 * webhook, a cell a spreadsheet would run as a formula — and a page on this
 * PC trying to read any file through the browser transport.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../../main/core/backend';
import { importHost } from '../../../main/core/import/import-service';
import { importFile } from '../../../main/core/import/imports';
import { ingestEvents } from '../../../main/core/ingest/ingest-service';
import { eventInputSchema } from '../../../shared/events';
import { importTestFolder } from '../../support/import-files';

const folder = importTestFolder();
const { withBackend, file } = folder;

const keys = (b: Backend) =>
  b.db.sqlite.prepare('SELECT event_type, external_id FROM customer_raw_event ORDER BY id').all() as {
    event_type: string;
    external_id: string;
  }[];

describe('messy files', () => {
  it('a row with more or fewer cells than the header is rejected with the reason; the rows around it are imported', async () => {
    await withBackend(async (b) => {
      const path = file(
        'shifted.csv',
        'Receipt,Date,Email,Amount\nR1,2026-03-01,a@example.com,5.00\nR2,2026-03-01,b@example.com,1,5.00\nR3,2026-03-02,c@example.com\nR4,2026-03-02,d@example.com,7.00\n',
      );
      const summary = await importFile(importHost(b.ctx), { path });
      expect(summary).toMatchObject({ status: 'completed', rowsRead: 4, eventsCreated: 2, rejected: 2 });
      expect(keys(b).map((k) => k.external_id)).toEqual(['sale:R1', 'sale:R4']);
      const rejected = readFileSync(summary.rejectedFile as string, 'utf8');
      expect(rejected).toContain('row 3: has 5 columns where the header has 4');
      expect(rejected).toContain('row 4: has 3 columns where the header has 4');
    });
  });

  it('an order whose rows are split up in the file is not half-imported silently: the later rows are rejected with the reason', async () => {
    await withBackend(async (b) => {
      const path = file(
        'split.csv',
        'Receipt,Date,Email,Item,Amount\nR1,2026-03-01,a@example.com,Tea,5.00\nR2,2026-03-01,b@example.com,Mug,3.00\nR1,2026-03-01,a@example.com,Cake,4.00\nR2,2026-03-01,b@example.com,Mug,3.00\n',
      );
      const summary = await importFile(importHost(b.ctx), { path });
      // R2 again with the very same row is an overlap (already known); R1 again with another item is rejected.
      expect(summary).toMatchObject({ eventsCreated: 2, duplicates: 1, rejected: 1 });
      const rejected = readFileSync(summary.rejectedFile as string, 'utf8');
      expect(rejected).toContain('row 4: order “R1” already appeared higher up in this file with other rows');
    });
  });

  it('an unclosed quote stops the import with the reason, keeping the rows before it', async () => {
    await withBackend(async (b) => {
      const good = Array.from({ length: 3 }, (_, i) => `R${i},2026-03-01,a${i}@example.com,5.00`);
      const path = file(
        'quote.csv',
        `Receipt,Date,Email,Amount\n${good.join('\n')}\nR9,2026-03-01,z@example.com,"12 Pizza\nR10,2026-03-01,y@example.com,4.00\n`,
      );
      const summary = await importFile(importHost(b.ctx), { path });
      expect(summary.status).toBe('failed');
      expect(summary.error).toMatch(/quote mark \("\) near row \d+ is never closed/);
      expect(keys(b).map((k) => k.external_id)).toEqual(['sale:R0', 'sale:R1', 'sale:R2']);
    });
  });

  it('bytes that are not UTF-8 far into a UTF-8 file stop the import with the reason instead of garbling names', async () => {
    await withBackend(async (b) => {
      const rows = Array.from({ length: 2500 }, (_, i) => `R${i},2026-03-01,Plain Name,p${i}@example.com,5.00`);
      const latin = Buffer.from('R9999,2026-03-02,Zo\xeb M\xfcller,zoe@example.de,5.00\n', 'latin1');
      const path = file(
        'mixed.csv',
        Buffer.concat([Buffer.from(`Receipt,Date,Customer,Email,Amount\n${rows.join('\n')}\n`), latin]),
      );
      const summary = await importFile(importHost(b.ctx), { path });
      expect(summary.status).toBe('failed');
      expect(summary.error).toMatch(/not UTF-8 text after its first \d+ KB/);
      const names = b.db.sqlite.prepare("SELECT count(*) FROM customer_profile WHERE first_name LIKE '%�%'").pluck();
      expect(names.get()).toBe(0);
    });
  });

  it('Square: a refund beside its sale stays a refund, and two partial refunds of one sale are both kept', async () => {
    await withBackend(async (b) => {
      const header = 'Date,Time,Item,Qty,Net Sales,Transaction ID,Payment ID,Event Type,Customer ID,Customer Name';
      const path = file(
        'square.csv',
        [
          header,
          '2026-03-14,09:00:00,Latte,1,$10.00,T1,P1,Payment,C1,Ann Lee',
          '2026-03-14,09:30:00,Latte,-1,-$4.00,T1,P2,Refund,C1,Ann Lee',
          '2026-03-15,09:30:00,Latte,-1,-$6.00,T1,P3,Refund,C1,Ann Lee',
          '',
        ].join('\n'),
      );
      expect((await importFile(importHost(b.ctx), { path })).eventsCreated).toBe(3);
      expect(keys(b).map((k) => k.event_type)).toEqual(['purchase', 'refund', 'refund']);
      const [ann] = (await b.call('customers.search', { query: 'Ann Lee' })).items;
      expect(ann).toMatchObject({ lifetimeValue: 0, totalOrders: 1 });
      // Again: nothing new.
      expect((await importFile(importHost(b.ctx), { path })).duplicates).toBe(3);
    });
  });

  it('an orders export’s “Refunded Amount” is not counted again when Shopify’s refund webhook already brought it', async () => {
    await withBackend(async (b) => {
      ingestEvents(b.ctx, [
        eventInputSchema.parse({
          type: 'refund',
          source: 'shopify',
          externalId: 'refunds/create:881',
          occurredAt: '2026-03-21T09:00:00Z',
          identifiers: {},
          payload: { orderId: '5731234560003', total: 12 },
        }),
      ]);
      const path = fileURLToPath(new URL('../../fixtures/import/shopify-orders.csv', import.meta.url));
      await importFile(importHost(b.ctx), { path });
      const [zoe] = (await b.call('customers.search', { query: 'zoe.mueller@example.de' })).items;
      // 69.95 less the one refund of 12.00.
      expect(zoe?.lifetimeValue).toBe(57.95);
      expect(keys(b).filter((k) => k.event_type === 'refund')).toHaveLength(1);
    });
  });

  it('rejected cells a spreadsheet would run as formulas are written inert; plain negative numbers stay as they are', async () => {
    await withBackend(async (b) => {
      const path = file(
        'formula.csv',
        'Receipt,Date,Email,Amount,Note\nR1,nope,a@example.com,-12.50,"-2+3+cmd|\' /C calc\'!A0"\nR2,nope,b@example.com,=1+1,@SUM(A1)\n',
      );
      const summary = await importFile(importHost(b.ctx), { path });
      const text = readFileSync(summary.rejectedFile as string, 'utf8');
      expect(text).toContain(",-12.50,\"'-2+3+cmd|' /C calc'!A0\",");
      expect(text).toContain(',"\'=1+1","\'@SUM(A1)",');
    });
  });

  it('over the browser transport a page cannot open a file by its path', async () => {
    await withBackend(
      async (b) => {
        const response = await fetch(`${b.runtime.uiUrl}/rpc/imports.fromPath`, {
          method: 'POST',
          headers: { authorization: `Bearer ${b.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ path: join(folder.path, 'formula.csv') }),
        });
        expect(response.status).toBe(401);
        expect(await response.json()).toMatchObject({ ok: false, error: { kind: 'auth' } });
      },
      { listen: true },
    );
  });
});
