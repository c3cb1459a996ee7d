/**
 * WhatsApp's late failures, as signed status webhooks after the send's 200: 131047 (the window had closed) sends the
 * message again as its approved template — once, however often the status comes — and the failed message names the
 * new one; 131049 (Meta held a marketing message back) writes it again, due no sooner than 24 hours after the
 * failure, and it goes through the guards again when due.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxOf } from '../../../main/core/channels/outbox-worker';
import { outboxRow, queryOutbox } from '../../../main/core/db/repos/message-outbox';
import { type WhatsAppShop, whatsappShop } from './compose-whatsapp-shop';

let shop: WhatsAppShop;
let templateId: number;
const HOUR = 3_600_000;

beforeAll(async () => {
  shop = await whatsappShop();
  const { template } = await shop.backend.call('templates.save', {
    template: {
      name: 'Order ready',
      channel: 'whatsapp',
      body: 'Hi {{first_name}}, your order at {{shop_name}} is ready.',
      whatsapp: { name: 'order_ready', language: 'en', category: 'UTILITY', parameters: ['first_name', 'shop_name'] },
    },
  });
  templateId = template.id;
});
afterAll(async () => {
  await shop.close();
});

const rows = () => queryOutbox(shop.backend.db, { limit: 100 });

describe('WhatsApp late failures', () => {
  it('131047: sent again as the approved template, exactly once, even when the status comes twice', async () => {
    const { backend, profileId, clock } = shop;
    await shop.customerWrites('Is my order ready?');
    clock.advance(HOUR);
    const { message } = await backend.call('messages.send', { profileId, channel: 'whatsapp', templateId });
    await outboxOf(backend.ctx).drain();
    const wamid = outboxRow(backend.db, message.id)?.providerMessageId as string;
    expect(shop.sends().at(-1)?.type).toBe('text');
    const closed = [{ code: 131047, title: 'Re-engagement message' }];
    expect((await shop.status(wamid, 'failed', closed)).status).toBe(200);
    expect((await shop.status(wamid, 'failed', closed)).status).toBe(200);
    clock.advance(1000);
    expect((await shop.status(wamid, 'failed', closed)).status).toBe(200);

    const all = rows();
    expect(all).toHaveLength(2);
    const again = all[0];
    expect(again).toMatchObject({ source: 'resend', kind: 'marketing', profileId });
    expect(['pending', 'sending', 'sent']).toContain(again?.status);
    expect(again?.body.template).toEqual({ name: 'order_ready', language: 'en', parameters: ['Ann', 'Corner Shop'] });
    const failed = outboxRow(backend.db, message.id);
    expect(failed?.status).toBe('failed');
    expect(failed?.statusReason).toContain('(131047)');
    expect(failed?.statusReason).toContain(`sent again as the approved template (message #${again?.id})`);

    await outboxOf(backend.ctx).drain();
    expect(shop.sends().at(-1)).toMatchObject({ type: 'template', template: { name: 'order_ready' } });
    expect(shop.sends().filter((s) => s.type === 'template')).toHaveLength(1);

    // The template itself failing with 131047 is not sent a third time.
    const wamid2 = outboxRow(backend.db, again?.id as number)?.providerMessageId as string;
    await shop.status(wamid2, 'failed', closed);
    expect(rows()).toHaveLength(2);
    expect(outboxRow(backend.db, again?.id as number)?.statusReason).toMatch(/already the approved template/);
  });

  it('131049: written again, due no sooner than 24 hours after the failure, through the guards again', async () => {
    const { backend, profileId, clock } = shop;
    clock.advance(2 * 24 * HOUR);
    const { message } = await backend.call('messages.send', { profileId, channel: 'whatsapp', templateId });
    await outboxOf(backend.ctx).drain();
    const wamid = outboxRow(backend.db, message.id)?.providerMessageId as string;
    const failedAt = clock.now().getTime();
    const held = [{ code: 131049, title: 'This message was not delivered to maintain healthy ecosystem engagement.' }];
    await shop.status(wamid, 'failed', held, failedAt);
    await shop.status(wamid, 'failed', held, failedAt + 5000);

    const again = rows()[0];
    expect(rows().filter((r) => r.source === 'resend' && r.id > message.id)).toHaveLength(1);
    expect(again).toMatchObject({ source: 'resend', status: 'held' });
    expect(again?.nextAttemptAt).toBeGreaterThanOrEqual(failedAt + 24 * HOUR);
    expect(again?.statusReason).toMatch(/WhatsApp held message #\d+ back \(131049\): tried again no sooner than/);
    expect(outboxRow(backend.db, message.id)?.statusReason).toMatch(
      new RegExp(`Written again as message #${again?.id}, due no sooner than .* \\(24 hours after this failure\\)`),
    );

    const before = shop.sends().length;
    clock.advance(23 * HOUR);
    await outboxOf(backend.ctx).drain();
    expect(shop.sends()).toHaveLength(before);
    // When due, the guards are asked again: the customer stopped WhatsApp meanwhile, so it is cancelled, not sent.
    await shop.customerWrites('STOP');
    clock.advance(2 * HOUR);
    await outboxOf(backend.ctx).drain();
    expect(shop.sends()).toHaveLength(before);
    expect(outboxRow(backend.db, again?.id as number)).toMatchObject({ status: 'cancelled' });
  });

  it('131049 when due and still allowed: it goes', async () => {
    const { backend, profileId, clock } = shop;
    await shop.customerWrites('START');
    clock.advance(HOUR);
    const { message } = await backend.call('messages.send', { profileId, channel: 'whatsapp', templateId });
    await outboxOf(backend.ctx).drain();
    const wamid = outboxRow(backend.db, message.id)?.providerMessageId as string;
    await shop.status(wamid, 'failed', [{ code: 131049, title: 'held' }]);
    const again = rows()[0];
    const before = shop.sends().length;
    clock.advance(24 * HOUR + 1000);
    await outboxOf(backend.ctx).drain();
    expect(outboxRow(backend.db, again?.id as number)?.status).toBe('sent');
    expect(shop.sends()).toHaveLength(before + 1);
  });
});
