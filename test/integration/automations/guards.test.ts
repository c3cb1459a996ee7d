/**
 * The guards in order, each recorded in words when it stops a message: the occasion already handled, the conditions,
 * the cooldown, the shop-wide frequency cap (the higher priority wins when several fire at once), consent, the pause
 * switch and daily cap (held), quiet hours (held, not dropped). Then the other actions (tag, a signed URL call, wait
 * then re-check), the decisions Customer 360 shows, the live count, and erasure taking the decisions with it.
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { callSenderOf } from '../../../main/core/automations/calls';
import { evaluateTimeBased } from '../../../main/core/automations/evaluate';
import { automationSigningKey } from '../../../main/core/automations/signing';
import { type AutomationShop, automationShop, HOUR, send } from './support';

let shop: AutomationShop;
afterEach(async () => {
  await shop?.close();
});

describe('guards, in order', () => {
  it('frequency cap across automations: at most 2 in 7 days, the higher priority first', async () => {
    shop = await automationShop();
    const ann = shop.customer('ann@example.com');
    shop.scores([{ profileId: ann, churn: 0.1, value: 300, segment: 'New' }]);
    const t = await shop.template('Hello');
    const low = await shop.automation(
      { name: 'Low', trigger: { type: 'segment_entered', segment: 'Champions' }, actions: [send(t)], priority: 9 },
      false,
    );
    const high = await shop.automation(
      { name: 'High', trigger: { type: 'churn_risk', atLeast: 50 }, actions: [send(t)], priority: 1 },
      false,
    );
    const mid = await shop.automation(
      { name: 'Mid', trigger: { type: 'ltv_milestone', amount: 0 }, actions: [send(t)], priority: 5 },
      false,
    );
    // All three switched on without arming, then the same scores reach all three at once.
    shop.backend.db.sqlite.prepare('UPDATE marketing_automation SET enabled = 1, armed_at = ?').run(shop.now());
    shop.scores([{ profileId: ann, churn: 0.9, value: 300, segment: 'Champions' }]);
    await shop.retrained();
    // New scores bring churn (High) and segment (Low), not milestones (purchases do): High first, then Low.
    expect(shop.outbox()).toHaveLength(2);
    await shop.backend.call('automations.run', { id: mid.id });
    const last = shop.decisions(ann).at(-1);
    expect(last).toMatchObject({ automation_id: mid.id, outcome: 'skipped', guard: 'frequency_cap' });
    expect(last?.reason).toBe('Not sent: already messaged twice this week (at most 2 automated messages in 7 days).');
    const fired = shop
      .decisions(ann)
      .filter((d) => d.outcome === 'fired')
      .map((d) => d.automation_id);
    expect(fired).toEqual([high.id, low.id]);
  });

  it('conditions, consent, pause and daily cap, quiet hours: each says why', async () => {
    shop = await automationShop();
    const ann = shop.customer('ann@example.com');
    const bob = shop.customer('bob@example.com', { consent: [] });
    const cat = shop.customer('cat@example.com');
    shop.scores([
      { profileId: ann, churn: 0.9, value: 300, segment: 'Champions' },
      { profileId: bob, churn: 0.9, value: 300, segment: 'Champions' },
      { profileId: cat, churn: 0.9, value: 300, segment: 'New' },
    ]);
    const t = await shop.template('Hello');
    await shop.automation({
      name: 'Champions at risk',
      trigger: { type: 'churn_risk', atLeast: 50 },
      conditions: { segmentIs: ['Champions'] },
      actions: [send(t)],
    });
    // A sweep leaves alone whoever does not meet the conditions (nothing spent, nothing written for them)…
    expect(shop.decisions(cat)).toEqual([]);
    // … a live event that fires for someone who does not meet them says so.
    const welcome = await shop.template('Welcome');
    await shop.automation({
      name: 'Welcome champions',
      trigger: { type: 'first_purchase' },
      conditions: { segmentIs: ['Champions'] },
      actions: [send(welcome)],
    });
    shop.event('cat@example.com', 'purchase', { total: 10, currency: 'GBP' });
    await shop.pump();
    expect(shop.decisions(cat)).toMatchObject([
      { outcome: 'skipped', guard: 'conditions', reason: "Not sent: they do not meet this automation's conditions." },
    ]);
    expect(shop.decisions(bob)).toMatchObject([{ outcome: 'skipped', guard: 'consent' }]);
    expect(shop.decisions(bob)[0]?.reason).toBe(
      'Not sent: this customer has not said yes to offers by email: ask them first.',
    );
    expect(shop.decisions(ann)).toMatchObject([{ outcome: 'fired', reason: 'Sent by email.' }]);

    // Sending paused: the message is written and held with the reason; a second automation at night is held too.
    const dan = shop.customer('dan@example.com');
    shop.scores([{ profileId: dan, churn: 0.1, value: 10, segment: 'Champions' }]);
    shop.scores([{ profileId: dan, churn: 0.9, value: 10, segment: 'Champions' }]);
    await shop.backend.call('settings.update', { sendingPaused: true });
    await shop.retrained();
    expect(shop.decisions(dan).at(-1)).toMatchObject({ outcome: 'held', guard: 'held' });
    expect(shop.decisions(dan).at(-1)?.reason).toMatch(/^Email held — Sending is paused/);
    await shop.backend.call('settings.update', { sendingPaused: false });

    const eve = shop.customer('eve@example.com');
    shop.clock.set('2026-03-02T22:15:00.000Z');
    shop.scores([{ profileId: eve, churn: 0.1, value: 10, segment: 'Champions' }]);
    shop.scores([{ profileId: eve, churn: 0.9, value: 10, segment: 'Champions' }]);
    await shop.retrained();
    expect(shop.decisions(eve).at(-1)?.reason).toBe('Email held — Quiet hours: sends at 08:00 their time.');
    const held = shop.outbox().filter((r) => r.recipient === 'eve@example.com');
    expect(held).toMatchObject([{ status: 'held' }]);
  });

  it('Run now twice: the occasion is handled once; a live event asking again changes nothing', async () => {
    shop = await automationShop();
    shop.customer('ann@example.com');
    const t = await shop.template('Welcome');
    const { id } = await shop.automation({
      name: 'VIP',
      trigger: { type: 'ltv_milestone', amount: 10 },
      actions: [send(t)],
    });
    shop.event('ann@example.com', 'purchase', { total: 20, currency: 'GBP' });
    await shop.pump();
    const first = await shop.backend.call('automations.run', { id });
    const second = await shop.backend.call('automations.run', { id });
    expect(shop.outbox()).toHaveLength(1);
    expect(first.fired + second.fired).toBe(0);
    shop.event('ann@example.com', 'purchase', { total: 20, currency: 'GBP' });
    await shop.pump();
    expect(shop.outbox()).toHaveLength(1);
    expect(first.summary).toBe(
      '1 customer looked at, 0 acted on, 1 already handled before (once per occasion: nothing sent twice).',
    );
    // Customer 360 still says what was done, not "not sent".
    expect(shop.decisions()).toMatchObject([{ outcome: 'fired', reason: 'Sent by email.' }]);
  });
});

describe('actions', () => {
  let server: Server | undefined;
  afterEach(() => {
    server?.close();
    server = undefined;
  });

  it('tags, calls a URL with a signed POST, waits and re-checks the conditions before sending', async () => {
    shop = await automationShop();
    const received: { body: string; signature: string | undefined }[] = [];
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString('utf8');
      });
      req.on('end', () => {
        received.push({ body, signature: req.headers['x-constintel-signature'] as string | undefined });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const ann = shop.customer('ann@example.com');
    const bob = shop.customer('bob@example.com');
    shop.scores([
      { profileId: ann, churn: 0.9, value: 300 },
      { profileId: bob, churn: 0.9, value: 300 },
    ]);
    const t = await shop.template('Hello');
    await shop.automation({
      name: 'Slow win back',
      trigger: { type: 'churn_risk', atLeast: 50 },
      conditions: { lacksTag: 'do-not-contact' },
      actions: [{ type: 'tag', tag: 'at risk' }, { type: 'call_url', url }, { type: 'wait', hours: 24 }, send(t)],
    });
    await callSenderOf(shop.backend.ctx).drain();
    expect(received).toHaveLength(2);
    for (const r of received) {
      const expected = createHmac('sha256', automationSigningKey(shop.backend.ctx)).update(r.body).digest('hex');
      expect(r.signature).toBe(`sha256=${expected}`);
      expect(JSON.parse(r.body)).toMatchObject({ automation: { name: 'Slow win back' } });
    }
    expect(shop.decisions(ann).at(-1)).toMatchObject({ outcome: 'waiting' });
    expect(shop.decisions(ann).at(-1)?.reason).toMatch(
      /^Tagged “at risk”; .* told\. Waiting 24 hours, until 2026-03-03 10:00 UTC/,
    );
    expect(shop.outbox()).toEqual([]);

    // Bob is marked do-not-contact during the wait: after it, he no longer meets the conditions.
    shop.backend.db.sqlite
      .prepare("INSERT INTO profile_tag (profile_id, tag, source, created_at) VALUES (?, 'do-not-contact', 'shop', 0)")
      .run(bob);
    shop.clock.advance(24 * HOUR + 1);
    await evaluateTimeBased(shop.backend.ctx);
    expect(shop.outbox().map((r) => r.recipient)).toEqual(['ann@example.com']);
    expect(shop.decisions(bob).at(-1)).toMatchObject({ outcome: 'skipped', guard: 'conditions' });
    expect(shop.decisions(bob).at(-1)?.reason).toMatch(/^Stopped after the wait/);
  });
});

describe('what the shop sees', () => {
  it('Customer 360 gets the last decision per automation; the live count; erasure takes the decisions', async () => {
    shop = await automationShop();
    const ann = shop.customer('ann@example.com');
    const bob = shop.customer('bob@example.com');
    shop.scores([
      { profileId: ann, churn: 0.9, value: 300, segment: 'Champions' },
      { profileId: bob, churn: 0.2, value: 50, segment: 'New' },
    ]);
    const t = await shop.template('Hello');
    await shop.automation({ name: 'Win back', trigger: { type: 'churn_risk', atLeast: 50 }, actions: [send(t)] });
    const seen = await shop.backend.call('automations.forCustomer', { profileId: ann });
    expect(seen).toMatchObject([
      { automationName: 'Win back', outcome: 'fired', reason: 'Sent by email.', customerName: 'ann' },
    ]);
    const count = await shop.backend.call('automations.matchCount', {
      trigger: { type: 'churn_risk', atLeast: 50 },
      conditions: { segmentIsNot: ['New'] },
    });
    expect(count).toEqual({ customers: 1, inTrigger: 1 });
    const all = await shop.backend.call('automations.matchCount', { conditions: {} });
    expect(all).toEqual({ customers: 2, inTrigger: null });
    const log = await shop.backend.call('automations.log', {});
    expect(log).toHaveLength(1);

    await shop.backend.call('customers.erase', { id: ann });
    expect(await shop.backend.call('automations.log', {})).toEqual([]);
    expect(shop.backend.db.sqlite.prepare('SELECT count(*) AS n FROM automation_execution').get()).toEqual({ n: 0 });
  });

  it('refuses an automation whose template is for another channel, naming the action', async () => {
    shop = await automationShop();
    const sms = await shop.template('Text', 'sms');
    await expect(
      shop.backend.call('automations.save', {
        name: 'Wrong',
        trigger: { type: 'first_purchase' },
        actions: [
          { type: 'tag', tag: 'x' },
          { type: 'send', channel: 'email', templateId: sms },
        ],
      }),
    ).rejects.toThrow('Action 2: the template “Text” is for SMS, not email. Choose an email template.');
  });
});

describe('tags filter Customers', () => {
  it('lists tags with their counts and finds the tagged customers, with or without a search', async () => {
    shop = await automationShop();
    const ann = shop.customer('ann@example.com');
    shop.customer('bob@example.com');
    shop.scores([{ profileId: ann, churn: 0.9, value: 300 }]);
    await shop.automation({
      name: 'Mark at risk',
      trigger: { type: 'churn_risk', atLeast: 50 },
      actions: [{ type: 'tag', tag: 'at risk' }],
    });
    expect(await shop.backend.call('customers.tags', {})).toEqual([{ tag: 'at risk', customers: 1 }]);
    const tagged = await shop.backend.call('customers.search', { tag: 'at risk' });
    expect(tagged.items.map((c) => c.id)).toEqual([ann]);
    expect((await shop.backend.call('customers.search', { query: 'bob@', tag: 'at risk' })).total).toBe(0);
    expect((await shop.backend.call('customers.search', { query: 'ann@', tag: 'at risk' })).total).toBe(1);
  });
});
