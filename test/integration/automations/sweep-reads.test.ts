/**
 * A sweep reads each chunk's customers in bulk (automations/prefetch.ts): what it sends, to whom and why not, must
 * be what reading them one at a time gives. Customers side by side in one chunk: one with two email addresses (the
 * first seen is used), one who opted out, one who never said yes, one whose first name is missing, and one merged
 * into another (the survivor is messaged once). The guards' history is read for the chunk too (automations/batch.ts):
 * three automations meeting the same customers in one chunk, the third is stopped by the frequency cap.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { recordConsent } from '../../../main/core/channels/consent';
import { mergeProfiles } from '../../../main/core/identity/merge';
import { type AutomationShop, automationShop, DAY, send } from './support';

let shop: AutomationShop;
afterEach(async () => {
  await shop?.close();
});

describe('a sweep reads its customers in bulk', () => {
  it('sends, addresses and refuses exactly as one-at-a-time reads would', async () => {
    shop = await automationShop();
    const two = shop.customer('second@example.com', { firstName: 'Tess' });
    // An address seen earlier than the one the profile was made with: the first seen is the one used.
    shop.backend.db.sqlite
      .prepare(
        `INSERT INTO profile_identifier (brand_id, profile_id, type, value, raw_value, source, first_seen_at)
         VALUES (1, ?, 'email', 'first@example.com', 'first@example.com', 'test', ?)`,
      )
      .run(two, shop.now() - 500 * DAY);
    const out = shop.customer('out@example.com');
    recordConsent(shop.backend.db, {
      profileId: out,
      channel: 'email',
      state: 'opted_out',
      source: 'unsubscribe',
      occurredAt: shop.now(),
      now: shop.now() + 1,
    });
    const never = shop.customer('never@example.com', { consent: [] });
    const noName = shop.customer('noname@example.com');
    shop.backend.db.sqlite.prepare('UPDATE customer_profile SET first_name = NULL WHERE id = ?').run(noName);
    const kept = shop.customer('kept@example.com', { firstName: 'Kim' });
    const gone = shop.customer('gone@example.com', { firstName: 'Kim' });
    const ids = [two, out, never, noName, kept, gone];
    shop.scores(ids.map((profileId) => ({ profileId, churn: 0.9, value: 100 })));
    const db = shop.backend.db;
    db.sqlite
      .transaction(() =>
        mergeProfiles(db, {
          brandId: shop.backend.ctx.brandId,
          profileIds: [kept, gone],
          reason: 'review',
          evidence: [],
          now: shop.now(),
        }),
      )
      .immediate();
    // One customer is left; the merged-away number is not messaged.
    const survivor = db.sqlite
      .prepare('SELECT id FROM customer_profile WHERE id IN (?, ?)')
      .pluck()
      .get(kept, gone) as number;
    const t = await shop.template('We miss you');
    await shop.automation({ name: 'Win back', trigger: { type: 'churn_risk', atLeast: 60 }, actions: [send(t)] });

    const sent = shop.backend.db.sqlite
      .prepare('SELECT profile_id AS profileId, recipient, body FROM message_outbox ORDER BY profile_id')
      .all() as { profileId: number; recipient: string; body: string }[];
    expect(sent.map((m) => [m.profileId, m.recipient])).toEqual([
      [two, 'first@example.com'],
      [noName, 'noname@example.com'],
      [survivor, 'kept@example.com'],
    ]);
    const text = (id: number) =>
      (JSON.parse(sent.find((m) => m.profileId === id)?.body ?? '{}') as { text: string }).text;
    expect(text(two)).toBe('We miss you for Tess');
    expect(text(survivor)).toBe('We miss you for Kim');
    // The shop's fallback for a missing first name.
    expect(text(noName)).not.toMatch(/null|undefined|\{\{/);
    expect(shop.decisions(out).at(-1)).toMatchObject({ outcome: 'skipped', guard: 'consent' });
    expect(shop.decisions(out).at(-1)?.reason).toMatch(/asked to stop email/);
    expect(shop.decisions(never).at(-1)).toMatchObject({ outcome: 'skipped', guard: 'consent' });
    expect(shop.decisions(never).at(-1)?.reason).toMatch(/has not said yes/);
  });

  it("reads the guards' history for the chunk once, and again after a message: the cap stops the third in one chunk", async () => {
    shop = await automationShop();
    const ann = shop.customer('ann@example.com');
    const bob = shop.customer('bob@example.com');
    shop.scores([
      { profileId: ann, churn: 0.1, value: 300, segment: 'New' },
      { profileId: bob, churn: 0.1, value: 300, segment: 'New' },
    ]);
    const t = await shop.template('Hello');
    const made = [];
    for (const [priority, trigger] of [
      [1, { type: 'churn_risk', atLeast: 50 }],
      [2, { type: 'churn_risk', atLeast: 60 }],
      [3, { type: 'segment_entered', segment: 'Champions' }],
    ] as const)
      made.push(await shop.automation({ name: `A${priority}`, trigger, actions: [send(t)], priority }, false));
    shop.backend.db.sqlite.prepare('UPDATE marketing_automation SET enabled = 1, armed_at = ?').run(shop.now());
    // One retrain brings all three crossings for both customers: one sweep, one chunk.
    shop.scores([
      { profileId: ann, churn: 0.9, value: 300, segment: 'Champions' },
      { profileId: bob, churn: 0.9, value: 300, segment: 'Champions' },
    ]);
    await shop.retrained();
    expect(shop.outbox()).toHaveLength(4);
    for (const who of [ann, bob]) {
      const decisions = shop.decisions(who);
      expect(decisions.map((d) => [d.automation_id, d.outcome, d.guard])).toEqual([
        [made[0]?.id, 'fired', null],
        [made[1]?.id, 'fired', null],
        [made[2]?.id, 'skipped', 'frequency_cap'],
      ]);
      expect(decisions.at(-1)?.reason).toBe(
        'Not sent: already messaged twice this week (at most 2 automated messages in 7 days).',
      );
    }
    // Run now: the cooldown read for the chunk sees each automation's firing (handled occasions write nothing new).
    await shop.backend.call('automations.run', { id: made[0]?.id as number });
    expect(shop.outbox()).toHaveLength(4);
  });
});
