/**
 * Each trigger's occasion with an injected clock: what fires it, that it fires once per occasion, what fires it again
 * (a new crossing after the cooldown, a new cart after a purchase, another product, another lapse), and that only
 * live events fire anything (an imported history with automations switched on writes nothing).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { evaluateTimeBased } from '../../../main/core/automations/evaluate';
import { importHost } from '../../../main/core/import/import-service';
import { importFile } from '../../../main/core/import/imports';
import { tempDir } from '../../support/backend';
import { type AutomationShop, automationShop, DAY, HOUR, send } from './support';

let shop: AutomationShop;
afterEach(async () => {
  await shop?.close();
});

const sentTo = (s: AutomationShop) => s.outbox().map((r) => r.recipient);

describe('churn risk reaches X (a crossing, on new scores)', () => {
  it('under a daily limit, the larger value at stake is written (and so sent) first', async () => {
    shop = await automationShop();
    await shop.backend.call('settings.update', { dailyCaps: { email: 1, sms: null, whatsapp: null } });
    // Created in this order, so customer order alone would put Ann first.
    const ann = shop.customer('ann@example.com');
    const cat = shop.customer('cat@example.com');
    shop.scores([
      { profileId: ann, churn: 0.8, value: 100 },
      { profileId: cat, churn: 0.65, value: 400 },
    ]);
    const t = await shop.template('We miss you');
    await shop.automation({ name: 'Win back', trigger: { type: 'churn_risk', atLeast: 60 }, actions: [send(t)] });
    // Cat's 0.65 × 400 is more at stake than Ann's 0.8 × 100: hers is written first, and the outbox sends the
    // oldest due row first, so she has the day's one email.
    expect(sentTo(shop)).toEqual(['cat@example.com', 'ann@example.com']);
  });

  it('fires for everyone already at risk when switched on, then only on new crossings after the cooldown', async () => {
    shop = await automationShop();
    const ann = shop.customer('ann@example.com');
    const bob = shop.customer('bob@example.com');
    const cat = shop.customer('cat@example.com');
    shop.scores([
      { profileId: ann, churn: 0.8, value: 100 },
      { profileId: bob, churn: 0.3, value: 100 },
      { profileId: cat, churn: 0.65, value: 400 },
    ]);
    const t = await shop.template('We miss you');
    await shop.automation({ name: 'Win back', trigger: { type: 'churn_risk', atLeast: 60 }, actions: [send(t)] });
    expect([...sentTo(shop)].sort()).toEqual(['ann@example.com', 'cat@example.com']);
    expect(shop.decisions(ann).at(-1)).toMatchObject({ outcome: 'fired', reason: 'Sent by email.' });

    // New scores with nothing changed: nobody new, nothing twice.
    await shop.retrained();
    expect(shop.outbox()).toHaveLength(2);

    // Bob crosses: he is messaged; Ann leaves the state and comes back within the cooldown: not again.
    shop.scores([
      { profileId: bob, churn: 0.7, value: 100 },
      { profileId: ann, churn: 0.2, value: 100 },
    ]);
    await shop.retrained();
    expect(sentTo(shop).at(-1)).toBe('bob@example.com');
    expect(shop.outbox()).toHaveLength(3);
    shop.clock.advance(10 * DAY);
    shop.scores([{ profileId: ann, churn: 0.9, value: 100 }]);
    await shop.retrained();
    expect(shop.outbox()).toHaveLength(3);
    expect(shop.decisions(ann).at(-1)).toMatchObject({ outcome: 'skipped', guard: 'cooldown' });
    expect(shop.decisions(ann).at(-1)?.reason).toMatch(/already reached them on 2 Mar 2026, and it waits 30 days/);

    // After the cooldown, a new crossing fires again.
    shop.clock.advance(25 * DAY);
    shop.scores([{ profileId: ann, churn: 0.1, value: 100 }]);
    await shop.retrained();
    shop.scores([{ profileId: ann, churn: 0.75, value: 100 }]);
    await shop.retrained();
    expect(sentTo(shop).filter((r) => r === 'ann@example.com')).toHaveLength(2);
  });
});

describe('abandoned cart (no purchase within N hours; once per cart)', () => {
  it('reminds once after the delay; a purchase before it cancels the reminder; a new cart after a purchase is new', async () => {
    shop = await automationShop();
    shop.customer('ann@example.com');
    shop.customer('bob@example.com');
    const t = await shop.template('Your cart');
    await shop.automation({
      name: 'Cart',
      trigger: { type: 'abandoned_cart', afterHours: 4 },
      actions: [send(t)],
      cooldownDays: 1,
    });
    shop.event('ann@example.com', 'cart_add', { items: [{ title: 'Teapot', quantity: 1 }] });
    shop.event('ann@example.com', 'cart_add', { items: [{ title: 'Cups', quantity: 2 }] });
    shop.event('bob@example.com', 'checkout_started', { items: [{ title: 'Teapot', quantity: 1 }] });
    await shop.pump();
    expect(shop.outbox()).toEqual([]);
    shop.clock.advance(2 * HOUR);
    shop.event('bob@example.com', 'purchase', { total: 30, currency: 'GBP' });
    await shop.pump();
    shop.clock.advance(2 * HOUR + 1);
    await evaluateTimeBased(shop.backend.ctx);
    expect(sentTo(shop)).toEqual(['ann@example.com']);
    const bob = shop.decisions().filter((d) => d.reason.includes('bought'));
    expect(bob).toHaveLength(1);
    expect(bob[0]).toMatchObject({ outcome: 'cancelled', guard: 'bought' });
    // Evaluated again: once per cart.
    await evaluateTimeBased(shop.backend.ctx);
    expect(shop.outbox()).toHaveLength(1);

    // Ann buys, then starts a new cart two days later: a new occasion.
    shop.event('ann@example.com', 'purchase', { total: 20, currency: 'GBP' });
    shop.clock.advance(2 * DAY);
    shop.event('ann@example.com', 'cart_add', { items: [{ title: 'Kettle', quantity: 1 }] });
    await shop.pump();
    shop.clock.advance(5 * HOUR);
    await evaluateTimeBased(shop.backend.ctx);
    expect(sentTo(shop)).toEqual(['ann@example.com', 'ann@example.com']);
  });

  it('a purchase while the reminder waits in the outbox (quiet hours) cancels it in the same transaction', async () => {
    shop = await automationShop();
    shop.customer('ann@example.com');
    const t = await shop.template('Your cart');
    await shop.automation({ name: 'Cart', trigger: { type: 'abandoned_cart', afterHours: 1 }, actions: [send(t)] });
    // 20:30 in London: the reminder is due at 21:30, inside quiet hours.
    shop.clock.set('2026-03-02T20:30:00.000Z');
    shop.event('ann@example.com', 'cart_add', { items: [{ title: 'Teapot' }] });
    await shop.pump();
    shop.clock.advance(HOUR + 1);
    await evaluateTimeBased(shop.backend.ctx);
    expect(shop.outbox()).toMatchObject([{ status: 'held' }]);
    expect(shop.decisions().at(-1)).toMatchObject({ outcome: 'held' });
    expect(shop.decisions().at(-1)?.reason).toMatch(/^Email held — Quiet hours: sends at 08:00 their time\.$/);
    shop.event('ann@example.com', 'purchase', { total: 12, currency: 'GBP' });
    await shop.pump();
    expect(shop.outbox()).toMatchObject([
      { status: 'cancelled', status_reason: 'They bought before this reminder went: not sent.' },
    ]);
    expect(shop.decisions().at(-1)).toMatchObject({ outcome: 'cancelled', guard: 'bought' });
  });
});

describe('first purchase, lifetime value milestone', () => {
  it('welcomes once ever; thanks once when the lifetime value reaches the milestone', async () => {
    shop = await automationShop();
    shop.customer('ann@example.com');
    const welcome = await shop.template('Welcome');
    const thanks = await shop.template('Thanks');
    await shop.automation({
      name: 'Welcome',
      trigger: { type: 'first_purchase' },
      actions: [send(welcome)],
      priority: 1,
    });
    await shop.automation({
      name: 'VIP',
      trigger: { type: 'ltv_milestone', amount: 100 },
      actions: [{ type: 'tag', tag: 'VIP' }, send(thanks)],
      priority: 2,
    });
    shop.event('ann@example.com', 'purchase', { total: 60, currency: 'GBP' });
    await shop.pump();
    expect(shop.outbox()).toHaveLength(1);
    shop.clock.advance(8 * DAY);
    shop.event('ann@example.com', 'purchase', { total: 50, currency: 'GBP' });
    await shop.pump();
    shop.clock.advance(8 * DAY);
    shop.event('ann@example.com', 'purchase', { total: 50, currency: 'GBP' });
    await shop.pump();
    const rows = shop.outbox();
    expect(rows).toHaveLength(2);
    const reasons = shop.decisions().map((d) => d.reason);
    expect(reasons).toContain('Sent by email.');
    expect(reasons).toContain('Tagged “VIP”; Sent by email.');
    expect(shop.backend.db.sqlite.prepare('SELECT tag FROM profile_tag').all()).toEqual([{ tag: 'VIP' }]);
  });
});

describe('no purchase for N days, next purchase overdue (the scheduler)', () => {
  it('on switching on: everyone lapsed; afterwards only lapses dated after it', async () => {
    shop = await automationShop();
    shop.customer('ann@example.com');
    shop.customer('bob@example.com');
    shop.event('ann@example.com', 'purchase', { total: 10, currency: 'GBP' }, shop.now() - 90 * DAY);
    shop.event('bob@example.com', 'purchase', { total: 10, currency: 'GBP' }, shop.now() - 50 * DAY);
    await shop.pump();
    const t = await shop.template('Come back');
    await shop.automation({ name: 'Lapsed', trigger: { type: 'no_purchase', days: 60 }, actions: [send(t)] });
    expect(sentTo(shop)).toEqual(['ann@example.com']);
    await evaluateTimeBased(shop.backend.ctx);
    expect(sentTo(shop)).toEqual(['ann@example.com']);
    shop.clock.advance(11 * DAY);
    await evaluateTimeBased(shop.backend.ctx);
    expect(sentTo(shop)).toEqual(['ann@example.com', 'bob@example.com']);
  });

  it('next purchase overdue: once per purchase cycle', async () => {
    shop = await automationShop();
    const ann = shop.customer('ann@example.com');
    shop.event('ann@example.com', 'purchase', { total: 10, currency: 'GBP' }, shop.now() - 40 * DAY);
    await shop.pump();
    shop.scores([{ profileId: ann, churn: 0.2, value: 50, nextPurchaseAt: shop.now() + 2 * DAY }]);
    const t = await shop.template('Restock');
    await shop.automation({
      name: 'Restock',
      trigger: { type: 'purchase_overdue' },
      actions: [send(t)],
      cooldownDays: 1,
    });
    expect(shop.outbox()).toEqual([]);
    shop.clock.advance(3 * DAY);
    await evaluateTimeBased(shop.backend.ctx);
    await evaluateTimeBased(shop.backend.ctx);
    expect(sentTo(shop)).toEqual(['ann@example.com']);
  });
});

describe('segment entered (per entry), product interest (once per product)', () => {
  it('fires on entering a segment, not again while in it, again after leaving and coming back', async () => {
    shop = await automationShop();
    const ann = shop.customer('ann@example.com');
    shop.scores([{ profileId: ann, segment: 'Regulars' }]);
    const t = await shop.template('Welcome to champions');
    await shop.automation({
      name: 'Champions',
      trigger: { type: 'segment_entered', segment: 'Champions' },
      actions: [send(t)],
      cooldownDays: 1,
    });
    expect(shop.outbox()).toEqual([]);
    shop.scores([{ profileId: ann, segment: 'Champions' }]);
    await shop.retrained();
    await shop.retrained();
    expect(shop.outbox()).toHaveLength(1);
    shop.clock.advance(2 * DAY);
    shop.scores([{ profileId: ann, segment: 'Regulars' }]);
    await shop.retrained();
    shop.scores([{ profileId: ann, segment: 'Champions' }]);
    await shop.retrained();
    expect(shop.outbox()).toHaveLength(2);
  });

  it('product interest ≥ 70 fires per product, leaving out products in their cart', async () => {
    shop = await automationShop();
    shop.customer('ann@example.com');
    const t = await shop.template('Still looking');
    await shop.automation({
      name: 'Interest',
      trigger: { type: 'product_intent', atLeast: 20 },
      actions: [send(t)],
      cooldownDays: 1,
    });
    for (let i = 0; i < 6; i++)
      shop.event('ann@example.com', 'product_view', { items: [{ sku: 'TEA-1', title: 'Green tea' }] });
    await shop.pump();
    expect(shop.outbox()).toHaveLength(1);
    for (let i = 0; i < 3; i++)
      shop.event('ann@example.com', 'product_view', { items: [{ sku: 'TEA-1', title: 'Green tea' }] });
    await shop.pump();
    expect(shop.outbox()).toHaveLength(1);
    // A product in her cart is the cart reminder's: not this one.
    shop.clock.advance(2 * DAY);
    shop.event('ann@example.com', 'cart_add', { items: [{ sku: 'POT-1', title: 'Teapot' }] });
    for (let i = 0; i < 8; i++)
      shop.event('ann@example.com', 'product_view', { items: [{ sku: 'POT-1', title: 'Teapot' }] });
    await shop.pump();
    expect(shop.outbox()).toHaveLength(1);
    const keys = shop.backend.db.sqlite.prepare('SELECT dedupe_key FROM automation_execution').all() as {
      dedupe_key: string;
    }[];
    expect(keys.map((k) => k.dedupe_key.split(':').slice(1).join(':'))).toEqual(['intent:TEA-1']);
  });
});

describe('only live events fire automations', () => {
  it('importing a year of history with automations switched on writes nothing', async () => {
    shop = await automationShop();
    const welcome = await shop.template('Welcome');
    const cart = await shop.template('Cart');
    await shop.automation({ name: 'Welcome', trigger: { type: 'first_purchase' }, actions: [send(welcome)] });
    await shop.automation({ name: 'Cart', trigger: { type: 'abandoned_cart', afterHours: 1 }, actions: [send(cart)] });
    await shop.automation({ name: 'VIP', trigger: { type: 'ltv_milestone', amount: 50 }, actions: [send(welcome)] });
    await shop.automation({ name: 'Lapsed', trigger: { type: 'no_purchase', days: 30 }, actions: [send(welcome)] });
    const dir = tempDir();
    const file = join(dir.path, 'sales.csv');
    const lines = ['Email,Date,Total,Email consent'];
    for (let i = 0; i < 300; i++) {
      const day = new Date(shop.now() - (365 - i) * DAY).toISOString().slice(0, 10);
      lines.push(`buyer${i % 60}@example.com,${day},${(20 + (i % 7) * 5).toFixed(2)},yes`);
    }
    writeFileSync(file, `${lines.join('\n')}\n`);
    const summary = await importFile(importHost(shop.backend.ctx), { path: file });
    expect(summary.eventsCreated).toBe(300);
    await shop.pump();
    shop.clock.advance(2 * HOUR);
    await evaluateTimeBased(shop.backend.ctx);
    expect(shop.outbox()).toEqual([]);
    expect(shop.decisions()).toEqual([]);
    dir.remove();
  });
});

describe('cooldown for cart reminders', () => {
  it('a second cart within the cooldown is noticed but not reminded, saying why', async () => {
    shop = await automationShop();
    shop.customer('ann@example.com');
    const t = await shop.template('Your cart');
    await shop.automation({ name: 'Cart', trigger: { type: 'abandoned_cart', afterHours: 1 }, actions: [send(t)] });
    shop.event('ann@example.com', 'cart_add', { items: [{ title: 'Teapot' }] });
    await shop.pump();
    shop.clock.advance(HOUR + 1);
    await evaluateTimeBased(shop.backend.ctx);
    // The reminder went (the outbox does not run here), then she bought.
    shop.backend.db.sqlite.prepare("UPDATE message_outbox SET status = 'sent'").run();
    shop.event('ann@example.com', 'purchase', { total: 12, currency: 'GBP' });
    shop.clock.advance(DAY);
    shop.event('ann@example.com', 'cart_add', { items: [{ title: 'Cups' }] });
    await shop.pump();
    shop.clock.advance(HOUR + 1);
    await evaluateTimeBased(shop.backend.ctx);
    expect(shop.outbox()).toHaveLength(1);
    expect(shop.decisions().at(-1)).toMatchObject({ outcome: 'skipped', guard: 'cooldown' });
  });
});
