/**
 * WhatsApp's 24-hour window, through the real webhook and a Graph API fake: inside it (the customer wrote less than
 * 24 hours ago) a message goes as free text; outside it the template's approved WhatsApp template goes instead, its
 * parameters filled, chosen without the shop asking; free text outside is refused with the reason, and so is a
 * service message (a reply only inside the customer's own conversation).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxOf } from '../../../main/core/channels/outbox-worker';
import { outboxRow } from '../../../main/core/db/repos/message-outbox';
import { type WhatsAppShop, whatsappShop } from './compose-whatsapp-shop';

let shop: WhatsAppShop;
let templateId: number;
const HOUR = 3_600_000;

beforeAll(async () => {
  shop = await whatsappShop();
  const { template } = await shop.backend.call('templates.save', {
    template: {
      name: 'Back in stock',
      channel: 'whatsapp',
      body: 'Hi {{first_name}}, {{shop_name}} has {{recommended_product}} again.',
      whatsapp: {
        name: 'back_in_stock',
        language: 'en_GB',
        category: 'MARKETING',
        parameters: ['first_name', 'recommended_product'],
      },
    },
  });
  templateId = template.id;
});
afterAll(async () => {
  await shop.close();
});

describe('the WhatsApp 24-hour window', () => {
  it('is closed for a customer who never wrote: free text and service are refused with the reason', async () => {
    const { backend, profileId } = shop;
    const { channels } = await backend.call('messages.options', { profileId });
    const whatsapp = channels.find((c) => c.channel === 'whatsapp');
    expect(whatsapp).toMatchObject({
      connected: true,
      to: '+447700900123',
      consent: 'yes',
      allowed: true,
      whatsappWindowOpenUntil: null,
      freeTextAllowed: false,
      templates: [{ id: templateId, name: 'Back in stock' }],
    });
    expect(whatsapp?.service.reason).toMatch(/never written to the shop on WhatsApp/);
    await expect(backend.call('messages.send', { profileId, channel: 'whatsapp', text: 'Hello' })).rejects.toThrow(
      /WhatsApp allows free text only within 24 hours.*never written.*approved WhatsApp template/,
    );
    await expect(
      backend.call('messages.send', { profileId, channel: 'whatsapp', templateId, kind: 'service' }),
    ).rejects.toThrow(/A service message is only a reply inside the customer's own conversation/);
  });

  it('inside the window, sends free text (type text), and a service reply is allowed', async () => {
    const { backend, profileId, clock } = shop;
    await shop.customerWrites('Is the espresso back?');
    clock.advance(2 * HOUR);
    const { channels } = await backend.call('messages.options', { profileId });
    const whatsapp = channels.find((c) => c.channel === 'whatsapp');
    expect(whatsapp?.whatsappWindowOpenUntil).toBe(new Date(clock.now().getTime() + 22 * HOUR).toISOString());
    expect(whatsapp).toMatchObject({ freeTextAllowed: true, service: { allowed: true, reason: null } });

    const reply = await backend.call('messages.send', {
      profileId,
      channel: 'whatsapp',
      text: 'Yes {{first_name}}, since this morning.',
      kind: 'service',
    });
    expect(reply.verdict.status).toBe('pending');
    const preview = await backend.call('messages.preview', { profileId, channel: 'whatsapp', templateId });
    expect(preview).toMatchObject({ whatsappTemplate: null, text: expect.stringMatching(/^Hi Ann, Corner Shop has/) });
    const offer = await backend.call('messages.send', { profileId, channel: 'whatsapp', templateId });
    await outboxOf(backend.ctx).drain();
    expect(shop.sends().map((s) => [s.type, s.text?.body])).toEqual([
      ['text', 'Yes Ann, since this morning.'],
      ['text', 'Hi Ann, Corner Shop has something new we think you will like again.'],
    ]);
    // The approved form is kept beside the free text, for WhatsApp's "window closed" (131047).
    expect(outboxRow(backend.db, offer.message.id)?.body).toMatchObject({
      approvedTemplate: {
        name: 'back_in_stock',
        language: 'en_GB',
        parameters: ['Ann', 'something new we think you will like'],
      },
    });
    expect(outboxRow(backend.db, offer.message.id)?.body.template).toBeUndefined();
  });

  it('outside the window, sends the approved template with its parameters (type template)', async () => {
    const { backend, profileId, clock } = shop;
    clock.advance(23 * HOUR);
    const preview = await backend.call('messages.preview', { profileId, channel: 'whatsapp', templateId });
    expect(preview.whatsappTemplate).toEqual({
      name: 'back_in_stock',
      language: 'en_GB',
      parameters: ['Ann', 'something new we think you will like'],
    });
    expect(preview.fellBack).toEqual(['recommended_product']);
    await expect(backend.call('messages.send', { profileId, channel: 'whatsapp', text: 'Hi again' })).rejects.toThrow(
      /more than 24 hours ago/,
    );
    await expect(
      backend.call('messages.send', { profileId, channel: 'whatsapp', text: 'Thanks!', kind: 'service' }),
    ).rejects.toThrow(/only a reply inside the customer's own conversation/);
    await backend.call('messages.send', { profileId, channel: 'whatsapp', templateId });
    await outboxOf(backend.ctx).drain();
    const last = shop.sends().at(-1);
    expect(last).toMatchObject({
      type: 'template',
      template: {
        name: 'back_in_stock',
        language: { code: 'en_GB' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Ann' },
              { type: 'text', text: 'something new we think you will like' },
            ],
          },
        ],
      },
    });
  });

  it('held by quiet hours past the window’s end, the template goes instead of free text', async () => {
    const { backend, profileId, clock } = shop;
    clock.set('2026-03-02T07:00:00Z');
    await shop.customerWrites('Any news?');
    clock.set('2026-03-02T21:30:00Z');
    const preview = await backend.call('messages.preview', { profileId, channel: 'whatsapp', templateId });
    expect(preview.whatsappTemplate?.name).toBe('back_in_stock');
    expect(preview.verdict).toMatchObject({ status: 'held', sendAfter: '2026-03-03T08:00:00.000Z' });
    await expect(backend.call('messages.send', { profileId, channel: 'whatsapp', text: 'News!' })).rejects.toThrow(
      /would wait until 2026-03-03 08:00 UTC \(Quiet hours.*after the customer's 24-hour WhatsApp window closes/,
    );
    const reply = await backend.call('messages.preview', {
      profileId,
      channel: 'whatsapp',
      text: 'Not yet, sorry',
      kind: 'service',
    });
    expect(reply).toMatchObject({ whatsappTemplate: null, verdict: { status: 'pending' } });
  });

  it('a customer who opted out of WhatsApp gets no service reply either, even inside the window', async () => {
    const { backend, profileId } = shop;
    await shop.customerWrites('STOP');
    await expect(
      backend.call('messages.send', { profileId, channel: 'whatsapp', text: 'Sorry to see you go', kind: 'service' }),
    ).rejects.toThrow(/asked to stop WhatsApp messages/);
  });
});
