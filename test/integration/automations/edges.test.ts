/**
 * The edges where automation tools hurt shops: a first score after an import is not a crossing; a lapse dated before
 * the last sweep (an imported history) does not fire; switching off stops what waits (even a message held for the
 * morning); a first purchase is the first one stored, not what the running totals say; a checkout abandoned after
 * the customer bought is not reminded; a merge keeps one person's messages and decisions together; an arming cut
 * short by a crash is finished by the next sweep; Run now pressed twice runs once; switching off stops a sweep that is
 * under way at its next batch.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { evaluateTimeBased, SWEEP_BATCH, sweepPending } from '../../../main/core/automations/evaluate';
import { mergeProfiles } from '../../../main/core/identity/merge';
import { type AutomationShop, automationShop, DAY, HOUR, send } from './support';

let shop: AutomationShop;
afterEach(async () => {
  await shop?.close();
});

describe('imported history never fires', () => {
  it('a first score at risk (customers imported, then a retrain) is not a crossing', async () => {
    shop = await automationShop();
    const t = await shop.template('We miss you');
    await shop.automation({ name: 'Win back', trigger: { type: 'churn_risk', atLeast: 60 }, actions: [send(t)] });
    const ids = ['a', 'b', 'c'].map((n) => shop.customer(`${n}@example.com`));
    shop.scores(ids.map((profileId) => ({ profileId, churn: 0.9, value: 100 })));
    await shop.retrained();
    expect(shop.outbox()).toEqual([]);
    expect(shop.decisions()).toEqual([]);
    // Run now is the shop asking for everyone in the state: then they are messaged.
    const { id } = (await shop.backend.call('automations.list', {}))[0] as { id: number };
    await shop.backend.call('automations.run', { id });
    expect(shop.outbox()).toHaveLength(3);
  });

  it('a lapse dated before the last sweep (an imported customer) does not fire; one after it does', async () => {
    shop = await automationShop();
    const t = await shop.template('Come back');
    await shop.automation({ name: 'Lapsed', trigger: { type: 'no_purchase', days: 30 }, actions: [send(t)] });
    shop.clock.advance(10 * DAY);
    await evaluateTimeBased(shop.backend.ctx);
    // Imported now: last bought 35 days ago (lapsed 5 days ago, before the last sweep), and 25 days ago.
    shop.customer('old@example.com');
    shop.customer('recent@example.com');
    shop.event('old@example.com', 'purchase', { total: 10, currency: 'GBP' }, shop.now() - 35 * DAY);
    shop.event('recent@example.com', 'purchase', { total: 10, currency: 'GBP' }, shop.now() - 25 * DAY);
    await shop.pump();
    await evaluateTimeBased(shop.backend.ctx);
    expect(shop.outbox()).toEqual([]);
    shop.clock.advance(6 * DAY);
    await evaluateTimeBased(shop.backend.ctx);
    expect(shop.outbox().map((r) => r.recipient)).toEqual(['recent@example.com']);
  });
});

describe('switching off', () => {
  it('cancels its messages held for the morning and its waiting occasions, saying so', async () => {
    shop = await automationShop();
    const ann = shop.customer('ann@example.com');
    const bob = shop.customer('bob@example.com');
    shop.scores([
      { profileId: ann, churn: 0.9, value: 100 },
      { profileId: bob, churn: 0.9, value: 100 },
    ]);
    const t = await shop.template('We miss you');
    shop.clock.set('2026-03-02T22:30:00.000Z');
    const { id } = await shop.automation({
      name: 'Win back',
      trigger: { type: 'churn_risk', atLeast: 60 },
      actions: [send(t)],
    });
    const cart = await shop.automation({
      name: 'Cart',
      trigger: { type: 'abandoned_cart', afterHours: 2 },
      actions: [send(t)],
    });
    shop.event('bob@example.com', 'cart_add', { items: [{ title: 'Teapot' }] });
    await shop.pump();
    expect(shop.outbox().map((r) => r.status)).toEqual(['held', 'held']);
    await shop.backend.call('automations.setEnabled', { id, enabled: false });
    await shop.backend.call('automations.setEnabled', { id: cart.id, enabled: false });
    expect(shop.outbox().map((r) => [r.status, r.status_reason])).toEqual([
      ['cancelled', 'Not sent: the automation was switched off.'],
      ['cancelled', 'Not sent: the automation was switched off.'],
    ]);
    expect(shop.decisions(bob).at(-1)).toMatchObject({
      outcome: 'cancelled',
      reason: 'Stopped: the automation was switched off.',
    });
    shop.clock.advance(10 * HOUR);
    await evaluateTimeBased(shop.backend.ctx);
    expect(shop.outbox()).toHaveLength(2);
  });
});

describe('first purchase and carts', () => {
  it('welcomes on the first purchase stored, even when two arrive together, and once', async () => {
    shop = await automationShop();
    const t = await shop.template('Welcome');
    await shop.automation({ name: 'Welcome', trigger: { type: 'first_purchase' }, actions: [send(t)] });
    shop.customer('new@example.com');
    // Two purchases before the subscriber runs: the running totals already say 2.
    shop.event('new@example.com', 'purchase', { total: 10, currency: 'GBP' });
    shop.event('new@example.com', 'purchase', { total: 12, currency: 'GBP' });
    await shop.pump();
    expect(shop.outbox().map((r) => r.recipient)).toEqual(['new@example.com']);
    shop.clock.advance(DAY);
    shop.event('new@example.com', 'purchase', { total: 10, currency: 'GBP' });
    await shop.pump();
    expect(shop.outbox()).toHaveLength(1);
  });

  it('a checkout marked abandoned after they bought is not reminded', async () => {
    shop = await automationShop();
    shop.customer('ann@example.com');
    const t = await shop.template('Your cart');
    await shop.automation({ name: 'Cart', trigger: { type: 'abandoned_cart', afterHours: 1 }, actions: [send(t)] });
    await shop.backend.call('settings.update', { abandonedCheckoutMinutes: 60 });
    // Checkout at 10:00, bought at 10:30 (another checkout), the first one marked abandoned at 11:00.
    shop.event('ann@example.com', 'checkout_started', { items: [{ title: 'Teapot' }] });
    shop.event('ann@example.com', 'purchase', { total: 20, currency: 'GBP' }, shop.now() + 30 * 60_000);
    shop.event('ann@example.com', 'cart_abandoned', { items: [{ title: 'Teapot' }] }, shop.now() + HOUR);
    await shop.pump();
    shop.clock.advance(3 * HOUR);
    await evaluateTimeBased(shop.backend.ctx);
    expect(shop.outbox()).toEqual([]);
  });
});

describe('merges and crashes', () => {
  it('merging a customer who has messages keeps them, their decisions and tags on the one person', async () => {
    shop = await automationShop();
    const ann = shop.customer('ann@example.com');
    const other = shop.customer('ann.other@example.com');
    shop.scores([{ profileId: other, churn: 0.9, value: 100 }]);
    const t = await shop.template('We miss you');
    await shop.automation({
      name: 'Win back',
      trigger: { type: 'churn_risk', atLeast: 60 },
      actions: [{ type: 'tag', tag: 'at risk' }, send(t)],
    });
    expect(shop.outbox()).toHaveLength(1);
    const db = shop.backend.db;
    db.sqlite
      .transaction(() =>
        mergeProfiles(db, {
          brandId: shop.backend.ctx.brandId,
          profileIds: [ann, other],
          reason: 'review',
          evidence: [],
          now: shop.now(),
        }),
      )
      .immediate();
    const survivor = (db.sqlite.prepare('SELECT id FROM customer_profile').all() as { id: number }[]).map((r) => r.id);
    expect(survivor).toHaveLength(1);
    expect(shop.outbox().map((r) => r.profile_id)).toEqual(survivor);
    expect(shop.decisions().map((d) => d.profile_id)).toEqual(survivor);
    expect(db.sqlite.prepare('SELECT profile_id, tag FROM profile_tag').all()).toEqual([
      { profile_id: survivor[0], tag: 'at risk' },
    ]);
  });

  it('an arming cut short (switched on, then the app stopped) is finished by the next sweep', async () => {
    shop = await automationShop();
    const ann = shop.customer('ann@example.com');
    shop.scores([{ profileId: ann, churn: 0.9, value: 100 }]);
    const t = await shop.template('We miss you');
    const { id } = await shop.automation(
      { name: 'Win back', trigger: { type: 'churn_risk', atLeast: 60 }, actions: [send(t)] },
      false,
    );
    // What a crash right after "switch on" committed leaves: on, pending, nothing evaluated.
    shop.backend.db.sqlite
      .prepare('UPDATE marketing_automation SET enabled = 1, arm_pending = 1, armed_at = ? WHERE id = ?')
      .run(shop.now(), id);
    await sweepPending(shop.backend.ctx);
    expect(shop.outbox()).toHaveLength(1);
    expect(shop.backend.db.sqlite.prepare('SELECT arm_pending FROM marketing_automation').get()).toEqual({
      arm_pending: 0,
    });
  });
});

describe('a sweep under way', () => {
  /** More customers at risk than one transaction of a sweep takes, with the automation on but not yet run. */
  async function manyAtRisk() {
    shop = await automationShop();
    const ids = Array.from({ length: SWEEP_BATCH + 100 }, (_, i) => shop.customer(`c${i}@example.com`));
    shop.scores(ids.map((profileId) => ({ profileId, churn: 0.9, value: 100 })));
    const t = await shop.template('We miss you');
    const { id } = await shop.automation(
      { name: 'Win back', trigger: { type: 'churn_risk', atLeast: 60 }, actions: [send(t)] },
      false,
    );
    shop.backend.db.sqlite.prepare('UPDATE marketing_automation SET enabled = 1 WHERE id = ?').run(id);
    return { id, count: ids.length };
  }

  it('Run now pressed twice runs once, and both answers say what it did', async () => {
    const { id, count } = await manyAtRisk();
    const [first, second] = await Promise.all([
      shop.backend.call('automations.run', { id }),
      shop.backend.call('automations.run', { id }),
    ]);
    expect(first.fired + first.held).toBe(count);
    expect(second).toEqual(first);
    expect(shop.outbox()).toHaveLength(count);
    // One decision each, in customer order, each naming its own customer's message.
    const decisions = shop.backend.db.sqlite
      .prepare(
        'SELECT d.profile_id AS p, o.profile_id AS o FROM automation_decision d JOIN message_outbox o ON o.id = d.outbox_id ORDER BY d.id',
      )
      .all() as { p: number; o: number }[];
    expect(decisions).toHaveLength(count);
    expect(decisions.every((d) => d.p === d.o)).toBe(true);
    expect(decisions.map((d) => d.p)).toEqual([...decisions.map((d) => d.p)].sort((a, b) => a - b));
  });

  it('switched off while its sweep runs, the rest of the sweep is not done and nothing is left to go', async () => {
    const { id, count } = await manyAtRisk();
    const running = shop.backend.call('automations.run', { id });
    await shop.backend.call('automations.setEnabled', { id, enabled: false });
    await running;
    const rows = shop.outbox();
    expect(rows.length).toBeLessThan(count);
    expect(rows.filter((r) => r.status !== 'cancelled')).toEqual([]);
  });
});
