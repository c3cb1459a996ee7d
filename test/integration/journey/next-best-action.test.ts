/**
 * The next best action: ranked by chance × stake, the automation's measured uplift where "Did it help?" found one (the
 * stated default otherwise, said so), nothing on a channel without a yes, "call them" for a top customer without one;
 * Do it through the automations' guards (quiet hours hold it, the weekly limit stops it, a second press the same day
 * sends nothing twice), and the message arriving at a real SMTP peer.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { hashShare } from '../../../main/core/automations/holdout';
import { outboxOf } from '../../../main/core/channels/outbox-worker';
import { nextBestActionFor, nextBestActionsFor } from '../../../main/core/journey/next-best-action';
import { DEFAULT_CHANCES } from '../../../main/core/journey/next-best-action-chances';
import type { ComparisonView } from '../../../shared/contract/uplift';
import { type SmtpPeer, smtpPeer } from '../../support/provider-fakes';
import { type AutomationShop, automationShop, DAY, send } from '../automations/support';

const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of opened.splice(0)) await o.close();
});

async function newShop(): Promise<AutomationShop> {
  const shop = await automationShop();
  opened.push(shop);
  return shop;
}

/** A win-back automation its trigger never reaches (so only Do it sends it), and two more templates. */
async function shopWithActions(shop: AutomationShop) {
  const winBack = await shop.template('Win back (email)');
  const thanks = await shop.template('Thank you (email)');
  const vip = await shop.template('VIP offer (email)');
  const a = await shop.automation({
    name: 'Win back customers at risk',
    trigger: { type: 'churn_risk', atLeast: 99 },
    actions: [send(winBack)],
  });
  const tagged = await shop.automation({
    name: 'VIP offers',
    trigger: { type: 'churn_risk', atLeast: 99 },
    conditions: { hasTag: 'VIP' },
    actions: [send(vip)],
  });
  return { winBack, thanks, vip, automation: a.id, tagged: tagged.id };
}

describe('the customers export', () => {
  it("names each customer's next best action as Customer 360 shows it, and nothing when none may be taken", async () => {
    const shop = await newShop();
    const others = Array.from({ length: 12 }, (_, i) => shop.customer(`o${i}@example.com`));
    const ann = shop.customer('ann@example.com', { firstName: 'Ann' });
    const top = shop.customer('top@example.com', { consent: [], firstName: 'Tom' });
    const quiet = shop.customer('quiet@example.com', { consent: [] });
    shop.scores([
      ...others.map((profileId) => ({ profileId, churn: 0.3, value: 50 })),
      { profileId: ann, churn: 0.5, value: 200 },
      { profileId: top, churn: 0.6, value: 2000 },
    ]);
    await shopWithActions(shop);
    const { csv } = await shop.backend.call('customers.export', {});
    const rows = csv
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n')
      .map((line) => line.split(','));
    const header = rows[0] ?? [];
    const column = header.indexOf('Next best action');
    const actionOf = (id: number) => rows.find((r) => r[0] === String(id))?.[column];
    expect(actionOf(ann)).toBe('Send “Win back (email)” by email');
    expect(actionOf(top)).toBe('Call them');
    // No yes anywhere and not a top customer: the only action left is the tag the VIP automation looks for.
    expect(actionOf(quiet)).toBe('Tag them “VIP”');
    // Every row is the first action the 360's panel ranks for that customer.
    for (const id of [...others, ann, top, quiet]) {
      const wire = await shop.backend.call('journeys.nextBestActions', { profileId: id });
      expect(actionOf(id)).toBe(wire.actions[0]?.label ?? '');
    }
  });
});

describe('ranking', () => {
  it('ranks by chance × stake, with the stated defaults said as such', async () => {
    const shop = await newShop();
    const ann = shop.customer('ann@example.com', { firstName: 'Ann' });
    shop.scores([{ profileId: ann, churn: 0.5, value: 200 }]);
    const s = await shopWithActions(shop);
    const actions = nextBestActionsFor(shop.backend.ctx, ann);
    expect(actions.map((x) => [x.kind, x.what, x.expectedValue])).toEqual([
      ['automation', s.automation, 3],
      ['template', s.thanks, 2],
      ['template', s.vip, 2],
      ['tag', 'VIP', 1],
    ]);
    const best = actions[0];
    expect(best).toMatchObject({
      label: 'Send “Win back (email)” by email',
      channel: 'email',
      stake: 100,
      chance: DEFAULT_CHANCES.winBack.chance,
      chanceSource: 'default',
      question: 'Send “Win back (email)” by email to Ann now?',
    });
    expect(best?.chanceWords).toContain('default for a win-back message: 3%');
    expect(best?.reason).toContain('Win back customers at risk');
    expect(best?.reason).toMatch(/Worth about \D*3: \D*100 at stake × default for a win-back message: 3%/);
    for (const x of actions) expect(x.expectedValue).toBeCloseTo(x.chance * x.stake, 2);
    // More at stake moves every action by the same factor; the order is the chances'.
    shop.scores([{ profileId: ann, churn: 0.9, value: 1000 }]);
    expect(nextBestActionFor(shop.backend.ctx, ann)).toMatchObject({ kind: 'automation', expectedValue: 27 });
    const wire = await shop.backend.call('journeys.nextBestActions', { profileId: ann });
    expect(wire.actions[0]?.label).toBe('Send “Win back (email)” by email');
    expect(wire.notNow).toEqual([]);
    await expect(shop.backend.call('journeys.nextBestActions', { profileId: 9999 })).rejects.toThrow(
      'There is no customer #9999',
    );
  });

  it("the journey views show each customer's best action, worked out as they are read (label and reason)", async () => {
    const shop = await newShop();
    const ann = shop.customer('ann@example.com', { firstName: 'Ann' });
    const bob = shop.customer('bob@example.com', { consent: [] });
    shop.scores([
      { profileId: ann, churn: 0.5, value: 200 },
      { profileId: bob, churn: 0.5, value: 10 },
    ]);
    await shopWithActions(shop);
    await shop.backend.call('journeys.recompute', {});
    const mine = await shop.backend.call('journeys.forCustomer', { profileId: ann });
    expect(mine.nextBestAction).toMatchObject({ kind: 'automation', label: 'Send “Win back (email)” by email' });
    expect(mine.nextBestAction?.reason).toContain('Win back customers at risk');
    const theirs = await shop.backend.call('journeys.forCustomer', { profileId: bob });
    expect(theirs.nextBestAction).toMatchObject({ kind: 'tag', channel: null });
    expect(theirs.nextBestAction?.reason).toContain('no message may go');
    const stage = mine.stage as NonNullable<typeof mine.stage>;
    const page = await shop.backend.call('journeys.stageCustomers', { stage, limit: 50, offset: 0 });
    const row = page.customers.find((c) => c.profileId === ann);
    expect(row?.nextBestAction).toEqual(mine.nextBestAction);
    // Read, not stored: the export's column is filled only where a row has one stored.
    const stored = shop.backend.db.sqlite
      .prepare('SELECT next_best_action FROM customer_journey WHERE profile_id = ?')
      .pluck()
      .get(ann);
    expect(stored).toBeNull();
  });

  it("uses the automation's measured uplift when “Did it help?” found an effect", async () => {
    const shop = await newShop();
    const ids = Array.from({ length: 80 }, (_, i) => shop.customer(`c${i}@example.com`));
    shop.scores(ids.map((profileId) => ({ profileId, churn: 0.7, value: 200 })));
    const t = await shop.template('Win back (email)');
    const a = await shop.automation({
      name: 'Win back',
      trigger: { type: 'churn_risk', atLeast: 50 },
      actions: [send(t)],
      holdoutPercent: 50,
    });
    const out = new Set(ids.filter((id) => hashShare(`automation:${a.id}:${id}`) < 0.5));
    expect(out.size).toBeGreaterThan(20);
    // Everyone messaged buys within the week, nobody held out does.
    const drawnAt = shop.now();
    ids.forEach((id, i) => {
      if (!out.has(id)) shop.event(`c${i}@example.com`, 'purchase', { total: 30, orderId: `O${i}` }, drawnAt + DAY);
    });
    shop.clock.set(new Date(drawnAt + 8 * DAY).toISOString());
    const view = (await shop.backend.call('automations.comparison', { id: a.id })) as ComparisonView;
    expect(view.status).toBe('effect');
    const estimate = view.boughtShare?.estimate as number;
    // A new customer the automation has not met (and does not keep as its comparison).
    let bea = 0;
    for (let i = 0; !bea || hashShare(`automation:${a.id}:${bea}`) < 0.5; i++)
      bea = shop.customer(`new${i}@example.com`);
    shop.scores([{ profileId: bea, churn: 0.2, value: 100 }]);
    const best = nextBestActionFor(shop.backend.ctx, bea);
    expect(best).toMatchObject({ kind: 'automation', what: a.id, chanceSource: 'measured' });
    expect(best?.chance).toBeCloseTo(Math.min(1, estimate), 6);
    expect(best?.expectedValue).toBeCloseTo(Math.min(1, estimate) * 20, 2);
    expect(best?.chanceWords).toContain('measured by “Did it help?”');
    // Someone it keeps as its comparison is not offered its message, and is told why.
    const kept = [...out][0] as number;
    const ranked = await shop.backend.call('journeys.nextBestActions', { profileId: kept });
    expect(ranked.actions.some((x) => x.kind === 'automation')).toBe(false);
  });

  it('offers no message on a channel without a yes, and "call them" for a top customer without one', async () => {
    const shop = await newShop();
    const others = Array.from({ length: 12 }, (_, i) => shop.customer(`o${i}@example.com`));
    const top = shop.customer('top@example.com', { consent: [], firstName: 'Tom' });
    const smsOnly = shop.customer('sms@example.com', { consent: ['sms'], phone: '+447700900123' });
    shop.scores([
      ...others.map((profileId) => ({ profileId, churn: 0.3, value: 50 })),
      { profileId: top, churn: 0.6, value: 2000 },
      { profileId: smsOnly, churn: 0.6, value: 40 },
    ]);
    await shopWithActions(shop);
    const forTop = nextBestActionsFor(shop.backend.ctx, top);
    expect(forTop.map((x) => x.kind)).toEqual(['call', 'tag']);
    expect(forTop[0]).toMatchObject({ label: 'Call them', chance: 0.1, expectedValue: 120, channel: null });
    expect(forTop[0]?.reason).toContain('not said yes to offers on any channel');
    // No email actions for an SMS-only yes (all the templates here are emails); not a top customer: no call.
    const forSms = nextBestActionsFor(shop.backend.ctx, smsOnly);
    expect(forSms.filter((x) => x.channel === 'email')).toEqual([]);
    expect(forSms.some((x) => x.kind === 'call')).toBe(false);
    // Do it: on the list to call, once.
    const done = await shop.backend.call('journeys.doIt', { profileId: top, action: { kind: 'call', what: 'call' } });
    expect(done).toMatchObject({ outcome: 'noted' });
    expect(done.sentence).toContain('filter by the tag “To call”');
    const tags = await shop.backend.call('customers.tags', {});
    expect(tags).toContainEqual({ tag: 'To call', customers: 1 });
    expect(nextBestActionsFor(shop.backend.ctx, top).some((x) => x.kind === 'call')).toBe(false);
    expect(shop.outbox()).toEqual([]);
  });
});

describe('Do it, through the guards', () => {
  it('holds a message in quiet hours, stops at the weekly limit with the reason, and never sends twice a day', async () => {
    const shop = await newShop();
    const ann = shop.customer('ann@example.com', { firstName: 'Ann' });
    shop.scores([{ profileId: ann, churn: 0.5, value: 200 }]);
    const s = await shopWithActions(shop);
    // 22:00 in London: quiet hours.
    shop.clock.set('2026-03-02T22:00:00.000Z');
    const held = await shop.backend.call('journeys.doIt', {
      profileId: ann,
      action: { kind: 'automation', what: s.automation, channel: 'email' },
    });
    expect(held.outcome).toBe('held');
    expect(held.sentence).toContain('08:00');
    expect(shop.outbox()).toHaveLength(1);
    expect(shop.outbox()[0]?.status).toBe('held');
    // The same again that day: nothing twice.
    const again = await shop.backend.call('journeys.doIt', {
      profileId: ann,
      action: { kind: 'automation', what: s.automation, channel: 'email' },
    });
    expect(again.outcome).toBe('already');
    expect(again.sentence).toContain('nothing was sent twice');
    expect(shop.outbox()).toHaveLength(1);
    // The next morning a template by hand: the second message this week.
    shop.clock.set('2026-03-03T10:00:00.000Z');
    const second = await shop.backend.call('journeys.doIt', {
      profileId: ann,
      action: { kind: 'template', what: s.thanks, channel: 'email' },
    });
    expect(second).toEqual({ outcome: 'sent', sentence: 'Sent “Thank you (email)” by email to Ann.' });
    // Now at the weekly limit: no message is offered, the tag ranks first and says why.
    const ranked = await shop.backend.call('journeys.nextBestActions', { profileId: ann });
    expect(ranked.actions.map((x) => x.kind)).toEqual(['tag']);
    expect(ranked.actions[0]?.reason).toContain('already messaged twice this week');
    expect(ranked.notNow[0]).toContain('already messaged twice this week');
    // And Do it anyway (an old page): the guard stops it, with its reason.
    const third = await shop.backend.call('journeys.doIt', {
      profileId: ann,
      action: { kind: 'template', what: s.vip, channel: 'email' },
    });
    expect(third.outcome).toBe('not_sent');
    expect(third.sentence).toMatch(/^Not sent: already messaged twice this week/);
    expect(shop.outbox()).toHaveLength(2);
    const tag = await shop.backend.call('journeys.doIt', { profileId: ann, action: { kind: 'tag', what: 'VIP' } });
    expect(tag.outcome).toBe('tagged');
    // The hand-sent template is a campaign the shop can see, already sent: Send never reaches everyone with it.
    const campaigns = await shop.backend.call('campaigns.list', {});
    const mine = campaigns.find((c) => c.name === 'Next best action: Thank you (email)');
    expect(mine).toMatchObject({ status: 'sent', holdoutPercent: 0 });
    await expect(shop.backend.call('campaigns.send', { id: mine?.id as number })).rejects.toThrow('was sent already');
  });

  it('the message arrives at a real SMTP server', async () => {
    const shop = await newShop();
    const peer: SmtpPeer = await smtpPeer();
    opened.push(peer);
    await shop.backend.call('channels.saveEmail', {
      host: '127.0.0.1',
      port: peer.port,
      security: 'none',
      fromAddress: 'hello@corner-shop.test',
      fromName: 'Corner Shop',
    });
    outboxOf(shop.backend.ctx).start();
    const ann = shop.customer('ann@example.com', { firstName: 'Ann' });
    shop.scores([{ profileId: ann, churn: 0.5, value: 200 }]);
    const s = await shopWithActions(shop);
    const done = await shop.backend.call('journeys.doIt', {
      profileId: ann,
      action: { kind: 'template', what: s.winBack, channel: 'email' },
    });
    expect(done.outcome).toBe('sent');
    for (let i = 0; i < 100 && peer.mails.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(peer.mails).toHaveLength(1);
    expect(peer.mails[0]?.to).toEqual(['ann@example.com']);
    expect(peer.mails[0]?.raw).toContain('Win back (email) for Ann');
  });
});
