/**
 * Campaigns: the preview before Send counts what Send then writes (recipients = messages written + the comparison
 * share; without consent = the consent refusals), the automations' guards apply (consent, the weekly limit, quiet
 * hours hold), the comparison share gets no message and a 'held_out' decision drawn the same way every time,
 * messages reach a real SMTP server, and a campaign is never an automation.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { hashShare } from '../../../main/core/automations/holdout';
import { enqueueMessage } from '../../../main/core/channels/outbox';
import { outboxOf } from '../../../main/core/channels/outbox-worker';
import { type SmtpPeer, smtpPeer } from '../../support/provider-fakes';
import { type AutomationShop, automationShop } from '../automations/support';
import { audienceOf, byOutcome, campaign, campaignDecisions, campaignMessages, customers } from './support';

let shop: AutomationShop | undefined;
let peer: SmtpPeer | undefined;
afterEach(async () => {
  await shop?.close();
  await peer?.close();
  shop = undefined;
  peer = undefined;
});

describe('the preview before Send', () => {
  it('counts what Send writes: recipients, without consent, the cost; writes nothing itself', async () => {
    shop = await automationShop();
    const s = shop;
    await s.backend.call('settings.update', { currency: 'GBP' });
    const vip = customers(s, 30, { tag: 'vip' });
    customers(s, 7, { tag: 'vip', consent: false });
    customers(s, 20); // not in the audience
    const t = await s.template('Spring sale');
    const input = campaign(t, { audience: { hasTag: 'vip' }, holdoutPercent: 0 });

    const preview = await s.backend.call('campaigns.preview', audienceOf(input));
    expect(preview).toMatchObject({
      audience: 37,
      recipients: 30,
      byChannel: { email: 30, sms: 0, whatsapp: 0 },
      withoutConsent: 7,
      withoutAddress: 0,
      atWeeklyLimit: 0,
      heldOut: 0,
      messages: 30,
      cost: 0,
      currency: 'GBP',
      problems: [],
    });
    expect(preview.summary).toEqual([
      'This goes to 30 customers by email.',
      '7 customers in this audience have not said yes to email: they get nothing.',
      'Cost: nothing (emails go out through your own mail server).',
    ]);
    // Nothing written by the preview: no campaign, no occasion, no decision, no message.
    expect(await s.backend.call('campaigns.list', {})).toEqual([]);
    expect(s.outbox()).toEqual([]);
    expect(s.decisions()).toEqual([]);

    const saved = await s.backend.call('campaigns.save', input);
    expect(saved).toMatchObject({ status: 'draft', sentAt: null, counts: { customers: 0 } });
    const run = await s.backend.call('campaigns.send', { id: saved.id });
    const decisions = campaignDecisions(s, saved.id);
    expect(byOutcome(decisions)).toEqual({ fired: 30, 'skipped:consent': 7 });
    const messages = campaignMessages(s, saved.id);
    expect(messages).toHaveLength(preview.messages);
    expect(new Set(messages.map((m) => m.profile_id))).toEqual(new Set(vip));
    expect(run.campaign).toMatchObject({
      status: 'sent',
      counts: { customers: 37, sent: 30, held: 0, heldOut: 0, notSent: 7 },
    });
    expect(run.summary).toBe('37 customers met: 30 messages written, 7 not sent (the log says why for each).');
    expect(decisions.find((d) => d.outcome === 'skipped')?.reason).toBe(
      'Not sent: this customer has not said yes to offers by email: ask them first.',
    );
  });

  it('prices SMS at the shop’s price, and says when a price or a connection is missing', async () => {
    shop = await automationShop();
    const s = shop;
    await s.backend.call('settings.update', { currency: 'GBP' });
    const ids = customers(s, 4);
    s.customer('sam@example.com', { consent: ['sms'], phone: '+447700900123' });
    const t = await s.template('Sale (SMS)', 'sms');
    const input = campaign(t, { message: { channel: 'sms', templateId: t }, holdoutPercent: 0 });
    const unpriced = await s.backend.call('campaigns.preview', audienceOf(input));
    expect(unpriced).toMatchObject({ audience: ids.length + 1, recipients: 1, withoutConsent: 4, cost: null });
    expect(unpriced.summary).toContain('Cost unknown: the price of one SMS message is not set (Settings → Channels).');
    expect(unpriced.problems).toEqual(['SMS is not connected: set it up in Settings → Channels before sending.']);
    await s.backend.call('settings.update', { messagePrices: { sms: 0.04, whatsapp: null } });
    const priced = await s.backend.call('campaigns.preview', audienceOf(input));
    expect(priced.cost).toBe(0.04);
    expect(priced.summary.at(-1)).toBe('Cost: about £0.04 (1 SMS at £0.04).');
    // Send refuses before writing anything while SMS is not connected.
    const saved = await s.backend.call('campaigns.save', { ...input, name: 'Text sale' });
    await expect(s.backend.call('campaigns.send', { id: saved.id })).rejects.toMatchObject({
      kind: 'conflict',
      message: 'SMS is not connected: set it up in Settings → Channels before sending.',
    });
    expect(s.decisions()).toEqual([]);
    expect((await s.backend.call('campaigns.get', { id: saved.id })).status).toBe('draft');
  });

  it('refuses a template of another channel on the template field', async () => {
    shop = await automationShop();
    const s = shop;
    await s.backend.call('settings.update', { currency: 'GBP' });
    const t = await s.template('Sale (SMS)', 'sms');
    await expect(s.backend.call('campaigns.save', campaign(t))).rejects.toMatchObject({
      kind: 'validation',
      field: 'message.templateId',
      message: 'The template “Sale (SMS)” is for SMS, not email. Choose an email template.',
    });
    await expect(s.backend.call('campaigns.save', { ...campaign(t), name: ' ' })).rejects.toMatchObject({
      kind: 'validation',
      field: 'name',
    });
  });
});

describe('the guards, as for automations', () => {
  it('the weekly limit leaves out who had 2 marketing messages; quiet hours hold, not drop', async () => {
    shop = await automationShop();
    const s = shop;
    await s.backend.call('settings.update', { currency: 'GBP' });
    const [ann, ...rest] = customers(s, 5);
    for (let i = 0; i < 2; i++)
      enqueueMessage(s.backend.ctx, {
        channel: 'email',
        to: 'earlier@example.com',
        subject: 'Earlier',
        text: 'An earlier message',
        profileId: ann as number,
        kind: 'marketing',
        source: 'automation',
      });
    // Monday 22:15 in London: quiet hours until 08:00.
    s.clock.set('2026-03-02T22:15:00.000Z');
    const t = await s.template('Spring sale');
    const input = campaign(t, { holdoutPercent: 0 });
    const preview = await s.backend.call('campaigns.preview', audienceOf(input));
    expect(preview).toMatchObject({ audience: 5, recipients: 4, atWeeklyLimit: 1 });
    expect(preview.summary).toContain('1 customer already had 2 marketing messages this week, so is left out.');
    const { id } = await s.backend.call('campaigns.save', input);
    const run = await s.backend.call('campaigns.send', { id });
    expect(byOutcome(campaignDecisions(s, id))).toEqual({ held: 4, 'skipped:frequency_cap': 1 });
    expect(campaignDecisions(s, id).find((d) => d.profile_id === ann)?.reason).toBe(
      'Not sent: already messaged twice this week (at most 2 automated messages in 7 days).',
    );
    const messages = campaignMessages(s, id);
    expect(messages.map((m) => m.profile_id).sort()).toEqual([...rest].sort());
    expect(messages.every((m) => m.status === 'held')).toBe(true);
    expect(run.summary).toBe(
      '5 customers met: 0 messages written, 4 held (they go when the hold ends, such as 08:00 their time), 1 not sent (the log says why for each).',
    );
  });

  it("its messages carry the source 'campaign' in the outbox", async () => {
    shop = await automationShop();
    const s = shop;
    await s.backend.call('settings.update', { currency: 'GBP' });
    customers(s, 3);
    const t = await s.template('Spring sale');
    const { id } = await s.backend.call('campaigns.save', campaign(t, { holdoutPercent: 0 }));
    await s.backend.call('campaigns.send', { id });
    expect(campaignMessages(s, id).map((m) => m.source)).toEqual(['campaign', 'campaign', 'campaign']);
  });
});

describe('the comparison share', () => {
  async function heldOutOf(percent: number): Promise<{ heldOut: number[]; messaged: number[]; all: number[] }> {
    const s = await automationShop();
    try {
      const all = customers(s, 200, { prefix: 'h' });
      const t = await s.template('Spring sale');
      const { id } = await s.backend.call('campaigns.save', campaign(t, { holdoutPercent: percent }));
      await s.backend.call('campaigns.send', { id });
      const decisions = campaignDecisions(s, id);
      return {
        heldOut: decisions.filter((d) => d.outcome === 'held_out').map((d) => d.profile_id),
        messaged: campaignMessages(s, id).map((m) => m.profile_id),
        all,
      };
    } finally {
      await s.close();
    }
  }

  it("about holdoutPercent of the recipients get no message and a 'held_out' decision, drawn the same way each time", async () => {
    const first = await heldOutOf(20);
    // 200 recipients at 20%: 40 expected; 20–60 is more than three standard deviations either side.
    expect(first.heldOut.length).toBeGreaterThanOrEqual(20);
    expect(first.heldOut.length).toBeLessThanOrEqual(60);
    expect(first.heldOut.filter((id) => first.messaged.includes(id))).toEqual([]);
    expect(first.heldOut.length + first.messaged.length).toBe(first.all.length);
    const again = await heldOutOf(20);
    expect(again.heldOut).toEqual(first.heldOut);
  });

  it('the shop-wide comparison group gets nothing, and the preview counts it customer by customer', async () => {
    shop = await automationShop();
    const s = shop;
    await s.backend.call('settings.update', { comparisonGroupPercent: 20 });
    const all = customers(s, 100, { prefix: 'g' });
    const group = all.filter((id) => hashShare(`shop-group:${s.backend.ctx.brandId}:${id}`) < 0.2);
    expect(group.length).toBeGreaterThan(5);
    const t = await s.template('Spring sale');
    const input = campaign(t, { holdoutPercent: 0 });
    const preview = await s.backend.call('campaigns.preview', { message: input.message, holdoutPercent: 0 });
    expect(preview.heldOut).toBe(group.length);
    expect(preview.summary).toContain(
      `${group.length} customers are in the shop's comparison group, which gets no automated marketing: they get nothing.`,
    );
    const { id } = await s.backend.call('campaigns.save', input);
    await s.backend.call('campaigns.send', { id });
    const messaged = campaignMessages(s, id).map((m) => m.profile_id);
    expect(messaged.filter((x) => group.includes(x))).toEqual([]);
    expect(messaged).toHaveLength(all.length - group.length);
    expect(
      campaignDecisions(s, id)
        .filter((d) => d.guard === 'comparison_group')
        .map((d) => d.profile_id)
        .sort((x, y) => x - y),
    ).toEqual([...group].sort((x, y) => x - y));
  });
});

describe('a campaign is not an automation', () => {
  it('never appears in automations.list, and is listed with what it did', async () => {
    shop = await automationShop();
    const s = shop;
    await s.backend.call('settings.update', { currency: 'GBP' });
    customers(s, 2);
    const t = await s.template('Spring sale');
    await s.automation(
      {
        name: 'Welcome',
        trigger: { type: 'first_purchase' },
        actions: [{ type: 'send', channel: 'email', templateId: t }],
      },
      false,
    );
    const { id } = await s.backend.call('campaigns.save', campaign(t, { holdoutPercent: 0 }));
    await s.backend.call('campaigns.send', { id });
    expect((await s.backend.call('automations.list', {})).map((a) => a.name)).toEqual(['Welcome']);
    const [listed] = await s.backend.call('campaigns.list', {});
    expect(listed).toMatchObject({
      id,
      name: 'Spring sale',
      status: 'sent',
      sentAt: '2026-03-02T10:00:00.000Z',
      counts: { customers: 2, sent: 2 },
      summary: [
        'To every customer',
        'Send the email “Spring sale”',
        'Nobody is kept back as a comparison, so whether it helped cannot be measured',
      ],
    });
    // Sent: it cannot be changed, deleted or sent again.
    await expect(s.backend.call('campaigns.save', { ...campaign(t), id })).rejects.toMatchObject({ kind: 'conflict' });
    await expect(s.backend.call('campaigns.delete', { id })).rejects.toMatchObject({ kind: 'conflict' });
    await expect(s.backend.call('campaigns.send', { id })).rejects.toMatchObject({ kind: 'conflict' });
    // Nor through the automations' commands, which do not know it.
    expect(await s.backend.call('automations.delete', { id })).toEqual({ deleted: false });
    await expect(s.backend.call('automations.run', { id })).rejects.toMatchObject({ kind: 'not_found' });
    await expect(s.backend.call('automations.setEnabled', { id, enabled: true })).rejects.toMatchObject({
      kind: 'not_found',
    });
    await expect(
      s.backend.call('automations.save', {
        id,
        name: 'Taken over',
        trigger: { type: 'first_purchase' },
        actions: [{ type: 'send', channel: 'email', templateId: t }],
      }),
    ).rejects.toMatchObject({ kind: 'not_found' });
    expect((await s.backend.call('campaigns.get', { id })).name).toBe('Spring sale');
  });
});

describe('to a real SMTP server', () => {
  it('each recipient gets the mail once, from the shop, with its subject', async () => {
    shop = await automationShop();
    const s = shop;
    await s.backend.call('settings.update', { currency: 'GBP' });
    peer = await smtpPeer();
    await s.backend.call('channels.saveEmail', {
      host: '127.0.0.1',
      port: peer.port,
      security: 'none',
      fromAddress: 'hello@corner-shop.test',
      fromName: 'Corner Shop',
    });
    customers(s, 12, { prefix: 'mail', tag: 'vip' });
    customers(s, 3, { prefix: 'other' });
    const t = await s.template('Spring sale');
    const { id } = await s.backend.call(
      'campaigns.save',
      campaign(t, { audience: { hasTag: 'vip' }, holdoutPercent: 25 }),
    );
    const worker = outboxOf(s.backend.ctx);
    worker.start();
    await s.backend.call('campaigns.send', { id });
    await worker.drain();
    const written = campaignMessages(s, id);
    expect(written.length).toBeGreaterThan(0);
    const received = peer.mails.flatMap((m) => m.to).sort();
    expect(received).toEqual(written.map((m) => m.recipient).sort());
    expect(new Set(received).size).toBe(received.length);
    expect(received.every((to) => to.startsWith('mail-'))).toBe(true);
    expect(peer.mails[0]?.from).toBe('hello@corner-shop.test');
    expect(peer.mails[0]?.raw).toMatch(/^Subject: Hello mail\d+\r?$/m);
    expect(campaignMessages(s, id).every((m) => m.status === 'sent')).toBe(true);
  });
});
