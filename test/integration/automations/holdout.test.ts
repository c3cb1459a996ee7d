/**
 * The holdout: drawn after every guard passed, by a hash of (automation, customer); a held-out firing is a decision
 * ("held out"), sends nothing, and counts toward the occasion, the cooldown and the frequency cap as a send would.
 * The shop-wide comparison group gets no automated marketing at all. "Did it help?" counts each side's purchases in
 * the window after the draw, by assignment.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { hashShare } from '../../../main/core/automations/holdout';
import type { ComparisonView } from '../../../shared/contract/uplift';
import { type AutomationShop, automationShop, DAY, send } from './support';

let shop: AutomationShop;
afterEach(async () => {
  await shop?.close();
});

const heldOutBy = (automationId: number, profileId: number, percent: number) =>
  hashShare(`automation:${automationId}:${profileId}`) < percent / 100;

describe('the holdout', () => {
  it('holds out its share by a hash, sends them nothing, and says so; a second run changes nothing', async () => {
    shop = await automationShop();
    const ids = Array.from({ length: 60 }, (_, i) => shop.customer(`c${i}@example.com`));
    shop.scores(ids.map((profileId) => ({ profileId, churn: 0.8, value: 100 })));
    const t = await shop.template('Win back');
    const a = await shop.automation(
      { name: 'Win back', trigger: { type: 'churn_risk', atLeast: 50 }, actions: [send(t)], holdoutPercent: 30 },
      false,
    );
    const run = await shop.backend.call('automations.setEnabled', { id: a.id, enabled: true });
    const expectedOut = ids.filter((id) => heldOutBy(a.id, id, 30));
    expect(expectedOut.length).toBeGreaterThan(5);
    expect(expectedOut.length).toBeLessThan(35);
    expect(run.run).toMatchObject({ heldOut: expectedOut.length, fired: ids.length - expectedOut.length });
    expect(run.run?.summary).toContain(`${expectedOut.length} held out as a comparison`);
    const messaged = new Set(shop.outbox().map((o) => o.profile_id));
    for (const id of ids) expect(messaged.has(id)).toBe(!expectedOut.includes(id));
    const out = shop.decisions().filter((d) => d.outcome === 'held_out');
    expect(out.map((d) => d.profile_id).sort((x, y) => x - y)).toEqual([...expectedOut].sort((x, y) => x - y));
    expect(out[0]?.guard).toBe('held_out');
    expect(out[0]?.reason).toBe(
      'Held out: kept as a comparison. 30% of the customers this would message get nothing, so “Did it help?” can compare what both groups bought.',
    );
    const arms = shop.backend.db.sqlite
      .prepare(
        'SELECT arm, count(*) AS n, min(churn_at) AS churn, min(value_at) AS value FROM automation_execution GROUP BY arm ORDER BY arm',
      )
      .all();
    expect(arms).toEqual([
      { arm: 'held_out', n: expectedOut.length, churn: 0.8, value: 100 },
      { arm: 'messaged', n: ids.length - expectedOut.length, churn: 0.8, value: 100 },
    ]);
    // The occasion is spent for the held out too: Run now again sends nothing and holds out no one again.
    const again = await shop.backend.call('automations.run', { id: a.id });
    expect(again).toMatchObject({ fired: 0, heldOut: 0 });
    expect(shop.outbox()).toHaveLength(ids.length - expectedOut.length);
  });

  it('a held-out firing stops another automation under the frequency cap, as a send would', async () => {
    shop = await automationShop();
    const ids = Array.from({ length: 40 }, (_, i) => shop.customer(`c${i}@example.com`));
    shop.scores(ids.map((profileId) => ({ profileId, churn: 0.8, value: 300, segment: 'Champions' })));
    const t = await shop.template('Hello');
    const first = await shop.automation(
      { name: 'First', trigger: { type: 'churn_risk', atLeast: 50 }, actions: [send(t)], holdoutPercent: 50 },
      false,
    );
    const second = await shop.automation(
      { name: 'Second', trigger: { type: 'segment_entered', segment: 'Champions' }, actions: [send(t)] },
      false,
    );
    const third = await shop.automation(
      { name: 'Third', trigger: { type: 'ltv_milestone', amount: 0 }, actions: [send(t)] },
      false,
    );
    // A customer the first automation holds out: then messaged by the second; the third would be their third.
    const ann = ids.find((id) => heldOutBy(first.id, id, 50)) as number;
    for (const a of [first, second, third])
      await shop.backend.call('automations.setEnabled', { id: a.id, enabled: true });
    const annDecisions = shop.decisions(ann).map((d) => [d.automation_id, d.outcome, d.guard]);
    expect(annDecisions).toEqual([
      [first.id, 'held_out', 'held_out'],
      [second.id, 'fired', null],
      [third.id, 'skipped', 'frequency_cap'],
    ]);
    expect(shop.outbox().filter((o) => o.profile_id === ann)).toHaveLength(1);
  });

  it('a held-out firing starts the cooldown as a send would', async () => {
    shop = await automationShop();
    const ids = Array.from({ length: 20 }, (_, i) => shop.customer(`c${i}@example.com`));
    shop.scores(ids.map((profileId) => ({ profileId, churn: 0.8, value: 300 })));
    const t = await shop.template('Hello');
    const a = await shop.automation(
      { name: 'Win back', trigger: { type: 'churn_risk', atLeast: 50 }, actions: [send(t)], holdoutPercent: 50 },
      false,
    );
    await shop.backend.call('automations.setEnabled', { id: a.id, enabled: true });
    const ann = ids.find((id) => heldOutBy(a.id, id, 50)) as number;
    // They leave the state and come back 10 days later: a new crossing, inside the 30-day cooldown.
    shop.scores([{ profileId: ann, churn: 0.1, value: 300 }]);
    await shop.retrained();
    shop.clock.set(new Date(shop.now() + 10 * DAY).toISOString());
    shop.scores([{ profileId: ann, churn: 0.9, value: 300 }]);
    await shop.retrained();
    const last = shop.decisions(ann).at(-1);
    expect(last).toMatchObject({ outcome: 'skipped', guard: 'cooldown' });
    expect(shop.outbox().filter((o) => o.profile_id === ann)).toHaveLength(0);
  });

  it('the shop-wide comparison group gets no automated marketing from any automation', async () => {
    shop = await automationShop();
    await shop.backend.call('settings.update', { comparisonGroupPercent: 20 });
    const ids = Array.from({ length: 50 }, (_, i) => shop.customer(`c${i}@example.com`));
    shop.scores(ids.map((profileId) => ({ profileId, churn: 0.8, value: 300, segment: 'Champions' })));
    const t = await shop.template('Hello');
    const one = await shop.automation({
      name: 'One',
      trigger: { type: 'churn_risk', atLeast: 50 },
      actions: [send(t)],
    });
    const two = await shop.automation({
      name: 'Two',
      trigger: { type: 'segment_entered', segment: 'Champions' },
      actions: [send(t)],
      holdoutPercent: 0,
    });
    const group = ids.filter((id) => hashShare(`shop-group:${shop.backend.ctx.brandId}:${id}`) < 0.2);
    expect(group.length).toBeGreaterThan(3);
    const messaged = new Set(shop.outbox().map((o) => o.profile_id));
    for (const id of group) expect(messaged.has(id)).toBe(false);
    for (const id of ids.filter((x) => !group.includes(x))) expect(messaged.has(id)).toBe(true);
    const groupDecisions = shop.decisions().filter((d) => d.guard === 'comparison_group');
    expect(groupDecisions).toHaveLength(group.length * 2);
    expect(new Set(groupDecisions.map((d) => d.automation_id))).toEqual(new Set([one.id, two.id]));
    expect(groupDecisions[0]?.reason).toContain("in the shop's comparison group");
  });
});

describe('did it help?', () => {
  it('counts what each side bought in the window after the draw, once per occasion', async () => {
    shop = await automationShop();
    const ids = Array.from({ length: 40 }, (_, i) => shop.customer(`c${i}@example.com`));
    shop.scores(ids.map((profileId) => ({ profileId, churn: 0.7, value: 200 })));
    const t = await shop.template('Win back');
    const a = await shop.automation({
      name: 'Win back',
      trigger: { type: 'churn_risk', atLeast: 50 },
      actions: [send(t)],
      holdoutPercent: 40,
    });
    const drawnAt = shop.now();
    const out = ids.filter((id) => heldOutBy(a.id, id, 40));
    const inside = ids.filter((id) => !out.includes(id));
    // Purchases: two messaged customers buy on day 2 (one twice, the same order from two sources once), a held-out one
    // on day 3; one messaged customer buys on day 9 (after the 7-day window) and one the day before the draw.
    const buy = (id: number, day: number, total: number, orderId: string) =>
      shop.event(`c${ids.indexOf(id)}@example.com`, 'purchase', { total, orderId }, drawnAt + day * DAY);
    buy(inside[0] as number, 2, 40, 'A1');
    buy(inside[0] as number, 2.5, 40, 'A1');
    buy(inside[0] as number, 3, 10, 'A2');
    buy(inside[1] as number, 2, 25, 'B1');
    buy(out[0] as number, 3, 30, 'C1');
    buy(inside[2] as number, 9, 99, 'D1');
    buy(inside[3] as number, -1, 77, 'E1');
    // Before the window has ended nothing is counted.
    const early = (await shop.backend.call('automations.comparison', { id: a.id })) as ComparisonView;
    expect(early).toMatchObject({ status: 'none', stillOpen: ids.length });
    shop.clock.set(new Date(drawnAt + 8 * DAY).toISOString());
    const view = (await shop.backend.call('automations.comparison', { id: a.id })) as ComparisonView;
    expect(view.stillOpen).toBe(0);
    expect(view.messaged).toEqual({ customers: inside.length, bought: 2, orders: 3, revenue: 75 });
    expect(view.heldOut).toEqual({ customers: out.length, bought: 1, orders: 1, revenue: 30 });
    expect(view.attributedRevenue).toBe(75);
    expect(view.attributedNote).toContain('Attributed revenue');
    expect(view.holdoutPercent).toBe(40);
    expect(['effect', 'no_effect', 'too_few']).toContain(view.status);
    expect(view.headline.length).toBeGreaterThan(10);
  });

  it('says when nothing is held out, and answers for all automations against the comparison group', async () => {
    shop = await automationShop();
    const ids = Array.from({ length: 10 }, (_, i) => shop.customer(`c${i}@example.com`));
    shop.scores(ids.map((profileId) => ({ profileId, churn: 0.7, value: 200 })));
    const t = await shop.template('Win back');
    const a = await shop.automation({ name: 'All', trigger: { type: 'churn_risk', atLeast: 50 }, actions: [send(t)] });
    shop.clock.set(new Date(shop.now() + 8 * DAY).toISOString());
    const view = (await shop.backend.call('automations.comparison', { id: a.id })) as ComparisonView;
    expect(view).toMatchObject({ status: 'none', holdoutPercent: 0 });
    expect(view.headline).toBe(
      'Nothing to compare with: no customers are held out. Give it a comparison share to see whether it helps.',
    );
    const shopView = (await shop.backend.call('automations.shopComparison', {})) as ComparisonView;
    expect(shopView).toMatchObject({ scope: 'shop', status: 'none' });
    expect(shopView.messaged.customers).toBe(10);
    await expect(shop.backend.call('automations.comparison', { id: 999 })).rejects.toThrow('There is no automation');
  });
});
