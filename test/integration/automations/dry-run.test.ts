/**
 * The dry run ("What would this have done?"): on two identical shops with an injected clock, the same live events
 * arrive; in one the abandoned-cart automation is on (the scheduler ticking every 5 minutes, the outbox sending to a
 * real SMTP peer), in the other it is off. The other shop's dry run must decide exactly what the first decided —
 * customer by customer, outcome, guard and time — and send nothing, write nothing (outbox, decisions, occasions
 * unchanged; its own SMTP peer receives nothing). A state trigger's dry run equals what switching it on then does.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { replayAutomation } from '../../../main/core/automations/dry-run';
import { evaluateTimeBased } from '../../../main/core/automations/evaluate';
import { outboxOf } from '../../../main/core/channels/outbox-worker';
import type { DryRunResult } from '../../../shared/contract/dry-run';
import { type SmtpPeer, smtpPeer } from '../../support/provider-fakes';
import { type AutomationShop, automationShop, DAY, HOUR, MONDAY_10, send } from './support';

const TICK = 5 * 60_000;
const start = Date.parse(MONDAY_10);
const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of opened.splice(0)) await o.close();
});

async function shopWithPeer(): Promise<{ shop: AutomationShop; peer: SmtpPeer }> {
  const shop = await automationShop();
  const peer = await smtpPeer();
  opened.push(shop, peer);
  await shop.backend.call('channels.saveEmail', {
    host: '127.0.0.1',
    port: peer.port,
    security: 'none',
    fromAddress: 'hello@corner-shop.test',
    fromName: 'Corner Shop',
  });
  outboxOf(shop.backend.ctx).start();
  return { shop, peer };
}

const PEOPLE = ['ann', 'bob', 'cat', 'dan', 'eve', 'fay'] as const;
type Person = (typeof PEOPLE)[number];

/** What arrives, in hours after Monday 10:00 (London = UTC in March). */
const TIMELINE: { h: number; who: Person; type: 'cart_add' | 'purchase' | 'product_view' }[] = [
  { h: 0.5, who: 'ann', type: 'cart_add' }, // reminded at 11:30
  { h: 1, who: 'bob', type: 'cart_add' },
  { h: 1.25, who: 'bob', type: 'purchase' }, // bought first: cancelled
  { h: 2, who: 'cat', type: 'cart_add' }, // no yes to email: consent
  { h: 3, who: 'ann', type: 'purchase' }, // bought after her reminder
  { h: 4, who: 'ann', type: 'cart_add' }, // a new cart, within the cooldown
  { h: 13, who: 'dan', type: 'cart_add' }, // due at midnight: held for quiet hours, goes at 08:00
  { h: 20, who: 'eve', type: 'cart_add' }, // due at 07:00: held
  { h: 21.5, who: 'eve', type: 'purchase' }, // bought while it was held: cancelled
  { h: 26, who: 'fay', type: 'product_view' },
  { h: 30, who: 'dan', type: 'purchase' }, // bought after his reminder
  { h: 50, who: 'fay', type: 'cart_add' },
];
const END = start + 3 * DAY;

async function seeded(): Promise<{ shop: AutomationShop; peer: SmtpPeer; id: number; ids: Map<Person, number> }> {
  const { shop, peer } = await shopWithPeer();
  const ids = new Map<Person, number>();
  for (const who of PEOPLE)
    ids.set(who, shop.customer(`${who}@example.com`, { consent: who === 'cat' ? [] : ['email'] }));
  const template = await shop.template('Your cart');
  const { id } = await shop.automation(
    {
      name: 'Cart reminder',
      trigger: { type: 'abandoned_cart', afterHours: 1 },
      actions: [send(template)],
      cooldownDays: 30,
    },
    false,
  );
  return { shop, peer, id, ids };
}

const item = { items: [{ sku: 'MUG-1', title: 'Blue mug', price: 12, quantity: 1 }] };

/** The live shop: every event at its time, the scheduler's 5-minute ticks between, the outbox sending. */
async function live(shop: AutomationShop, on: boolean): Promise<void> {
  const ctx = shop.backend.ctx;
  let tick = start;
  const tickTo = async (until: number) => {
    while (tick + TICK <= until) {
      tick += TICK;
      shop.clock.set(new Date(tick).toISOString());
      if (on) await evaluateTimeBased(ctx);
      await outboxOf(ctx).drain();
    }
  };
  for (const [n, e] of TIMELINE.entries()) {
    const at = start + e.h * HOUR;
    await tickTo(at);
    shop.clock.set(new Date(at).toISOString());
    const payload = e.type === 'purchase' ? { orderId: `o-${n}`, total: 30, ...item } : item;
    shop.event(`${e.who}@example.com`, e.type, payload);
    await shop.pump();
    await outboxOf(ctx).drain();
  }
  await tickTo(END);
  shop.clock.set(new Date(END).toISOString());
}

function table(shop: AutomationShop, name: string): unknown[] {
  return shop.backend.db.sqlite.prepare(`SELECT * FROM ${name} ORDER BY rowid`).all();
}

describe('What would this have done? (dry run)', () => {
  it('decides what the automation decided when the same live events arrived with it on, and sends and writes nothing', async () => {
    const on = await seeded();
    const off = await seeded();
    await on.shop.backend.call('automations.setEnabled', { id: on.id, enabled: true });
    await live(on.shop, true);
    await live(off.shop, false);
    expect(off.peer.mails).toHaveLength(0);

    // History imported into the off shop meanwhile: an import's rows carry its start time; the dry run leaves them.
    const importAt = END - HOUR;
    off.shop.backend.db.sqlite
      .prepare(
        `INSERT INTO import_job (brand_id, file_name, file_bytes, settings, status, started_at, finished_at)
         VALUES (?, 'old-carts.csv', 10, '{}', 'completed', ?, ?)`,
      )
      .run(off.shop.backend.ctx.brandId, importAt, importAt);
    off.shop.clock.set(new Date(importAt).toISOString());
    off.shop.event('cat@example.com', 'cart_add', item, importAt - 20 * DAY);
    off.shop.event('ann@example.com', 'cart_add', item, importAt - 10 * DAY);
    off.shop.clock.set(new Date(END).toISOString());

    const truth = on.shop.backend.db.sqlite
      .prepare(
        'SELECT profile_id AS profileId, outcome, guard, created_at AS createdAt FROM automation_decision WHERE automation_id = ? ORDER BY id',
      )
      .all(on.id);
    // The live run made every kind of decision this test is about (a holdout, when on, adds its own).
    const kinds = new Set(truth.map((d) => `${(d as { outcome: string }).outcome}:${(d as { guard: string }).guard}`));
    for (const kind of [
      'waiting:null',
      'fired:null',
      'cancelled:bought',
      'skipped:consent',
      'skipped:cooldown',
      'held:held',
    ])
      expect(kinds).toContain(kind);
    const sentLive = on.peer.mails.length;
    expect(sentLive).toBeGreaterThan(0);
    const liveMessaged = new Set(
      (
        on.shop.backend.db.sqlite
          .prepare(`SELECT DISTINCT profile_id AS p FROM message_outbox WHERE status <> 'cancelled'`)
          .all() as { p: number }[]
      ).map((r) => r.p),
    );

    const before = [
      'message_outbox',
      'automation_decision',
      'automation_execution',
      'customer_raw_event',
      'customer_profile',
      'marketing_automation',
      'profile_tag',
    ].map((t) => table(off.shop, t));
    const replay = replayAutomation(off.shop.backend.ctx, off.id);
    expect(
      replay.decisions.map(({ profileId, outcome, guard, createdAt }) => ({ profileId, outcome, guard, createdAt })),
    ).toEqual(truth);
    const result = (await off.shop.backend.call('automations.dryRun', { id: off.id })) as DryRunResult;
    const after = [
      'message_outbox',
      'automation_decision',
      'automation_execution',
      'customer_raw_event',
      'customer_profile',
      'marketing_automation',
      'profile_tag',
    ].map((t) => table(off.shop, t));
    expect(after).toEqual(before);
    await outboxOf(off.shop.backend.ctx).drain();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(off.peer.mails).toHaveLength(0);

    // The answer in numbers, equal to the live shop's.
    expect(result.messages).toBe(sentLive);
    expect(result.customersMessaged).toBe(liveMessaged.size);
    expect(result.weeks).toEqual([
      { weekOf: '2026-03-02', channel: 'email', customers: liveMessaged.size, messages: sentLive },
    ]);
    const perGuard = new Map<string, Set<number>>();
    for (const d of truth as { profileId: number; outcome: string; guard: string | null }[]) {
      if (d.outcome === 'fired' || d.outcome === 'waiting') continue;
      const guard = d.outcome === 'held' ? 'quiet' : (d.guard ?? d.outcome);
      perGuard.set(guard, (perGuard.get(guard) ?? new Set()).add(d.profileId));
    }
    expect(Object.fromEntries(result.stopped.map((s) => [s.guard, s.customers]))).toEqual(
      Object.fromEntries([...perGuard].map(([g, who]) => [g, who.size])),
    );
    // Of ann, dan and fay (those of them messaged), ann bought 1.5 h after her reminder and dan 6 h after his.
    const buyers = [off.ids.get('ann'), off.ids.get('dan')].filter((p) => p !== undefined && liveMessaged.has(p));
    expect(result.boughtAnyway).toBe(buyers.length);
    expect(result.cost).toEqual({ amount: 0, currency: expect.any(String), unpricedMessages: 0 });
    // Imported rows are history: not replayed (the live events, the six customers' sign-ups included, are).
    expect(result.eventsReplayed).toBe(TIMELINE.length + PEOPLE.length);
    expect(result.summary).toContain(`would have sent ${sentLive} message`);
    expect(result.summary).toMatch(/Nothing was sent or recorded\.$/);
    expect(await off.shop.backend.call('automations.list', {})).toMatchObject([{ id: off.id, enabled: false }]);
  }, 120_000);

  it('a state trigger: today’s scores, as switching it on would act on them; SMS at the shop’s price', async () => {
    const shop = await automationShop();
    opened.push(shop);
    await shop.backend.call('settings.update', { messagePrices: { sms: 0.04, whatsapp: null } });
    await shop.backend.call('channels.saveSms', {
      accountSid: `AC${'0'.repeat(32)}`,
      authToken: 'tok',
      from: '+15005550006',
    });
    const people = Array.from({ length: 12 }, (_, i) =>
      shop.customer(`p${i}@example.com`, { consent: i % 4 === 0 ? [] : ['sms'], phone: `+447700900${100 + i}` }),
    );
    shop.scores(people.map((profileId, i) => ({ profileId, churn: i < 9 ? 0.8 : 0.2, value: 100 + i })));
    const template = await shop.template('We miss you (SMS)', 'sms');
    const { id } = await shop.automation(
      { name: 'Win back', trigger: { type: 'churn_risk', atLeast: 60 }, actions: [send(template, 'sms')] },
      false,
    );
    const result = (await shop.backend.call('automations.dryRun', { id })) as DryRunResult;
    expect(shop.decisions()).toHaveLength(0);
    expect(shop.outbox()).toHaveLength(0);

    await shop.backend.call('automations.setEnabled', { id, enabled: true });
    const real = shop.outbox().filter((m) => m.status !== 'cancelled');
    const skipped = shop.decisions().filter((d) => d.outcome === 'skipped');
    expect(result.messages).toBe(real.length);
    expect(result.messages + skipped.length).toBeGreaterThanOrEqual(6); // 9 at risk, 3 of them without a yes to SMS
    expect(result.stopped.find((s) => s.guard === 'consent')).toMatchObject({ customers: 3, decisions: 3 });
    expect(Object.fromEntries(result.stopped.map((s) => [s.guard, s.decisions]))).toEqual(
      Object.fromEntries(
        [
          ...new Set(
            shop
              .decisions()
              .filter((d) => d.outcome !== 'fired')
              .map((d) => d.guard ?? d.outcome),
          ),
        ].map((g) => [g, shop.decisions().filter((d) => d.outcome !== 'fired' && (d.guard ?? d.outcome) === g).length]),
      ),
    );
    expect(result.cost).toEqual({
      amount: Math.round(real.length * 4) / 100,
      currency: expect.any(String),
      unpricedMessages: 0,
    });
  });

  it('a shop with no live event in the 90 days (only older history) still answers, from today’s scores', async () => {
    const shop = await automationShop();
    opened.push(shop);
    const people = Array.from({ length: 5 }, (_, i) => shop.customer(`q${i}@example.com`));
    shop.scores(people.map((profileId) => ({ profileId, churn: 0.9, value: 50 })));
    // Everything the shop knows arrived long ago: nothing to replay.
    shop.backend.db.sqlite.prepare('UPDATE customer_raw_event SET received_at = received_at - ?').run(200 * DAY);
    const template = await shop.template('We miss you');
    const { id } = await shop.automation(
      { name: 'Win back', trigger: { type: 'churn_risk', atLeast: 60 }, actions: [send(template)] },
      false,
    );
    const result = (await shop.backend.call('automations.dryRun', { id })) as DryRunResult;
    expect(result).toMatchObject({ eventsReplayed: 0, messages: 5, customersMessaged: 5 });
    expect(shop.outbox()).toHaveLength(0);
  });

  it('names an automation that does not exist in words', async () => {
    const { shop } = await shopWithPeer();
    await expect(shop.backend.call('automations.dryRun', { id: 999 })).rejects.toThrow(/no automation #999/);
  });
});
