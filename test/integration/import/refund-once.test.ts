/**
 * A refund counted once whichever source came first. An orders export's "Refunded Amount" is the total refunded
 * so far, as of its import; Shopify's refunds/create webhook brings each refund. Export first, then a webhook for a
 * refund the export already held (created before the import): not added again, and the delivery log says why. A
 * refund created after the import is new money back: counted. (The other order — webhook first, then the export —
 * is in messy-files.test.ts.)
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importHost } from '../../../main/core/import/import-service';
import { importFile } from '../../../main/core/import/imports';
import { shopifyWebhookShop } from '../../support/shopify-webhook-shop';

const shop = shopifyWebhookShop();
const refund = (id: number, createdAt: string, amount: string) => ({
  id,
  order_id: 5731234560003,
  created_at: createdAt,
  transactions: [{ kind: 'refund', status: 'success', amount }],
});

describe('a refund counted once', () => {
  it('a webhook for a refund the imported export already counted is not added again; a later one is', async () => {
    const path = fileURLToPath(new URL('../../fixtures/import/shopify-orders.csv', import.meta.url));
    await importFile(importHost(shop.backend.ctx), { path });
    const zoe = 'zoe.mueller@example.de';
    // 69.95 less the export's Refunded Amount of 12.00.
    expect((await shop.profileOf(zoe)).lifetimeValue).toBe(57.95);
    const refunds = () => shop.count("SELECT count(*) FROM customer_raw_event WHERE event_type = 'refund'");
    const before = refunds();

    // Created before the import (the test clock's now, 1 March 10:00): the export's 12.00 already holds it.
    expect((await shop.deliver('refunds/create', refund(881, '2026-03-01T09:00:00Z', '12.00'))).status).toBe(200);
    expect((await shop.profileOf(zoe)).lifetimeValue).toBe(57.95);
    expect(refunds()).toBe(before);
    const detail = shop.count("SELECT detail FROM webhook_delivery WHERE topic = 'refunds/create' ORDER BY id DESC");
    expect(String(detail)).toMatch(
      /already counted in the refunded amount of the orders export imported .* not added again/,
    );

    // Created after it: money back the export could not know of.
    expect((await shop.deliver('refunds/create', refund(882, '2026-03-01T11:00:00Z', '5.00'))).status).toBe(200);
    expect((await shop.profileOf(zoe)).lifetimeValue).toBe(52.95);
    expect(refunds()).toBe(before + 1);
  });
});
