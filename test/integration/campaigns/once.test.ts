/**
 * A campaign reaches each customer once: Send pressed twice at once writes one message each (the second press
 * answers the first), and a send cut short (the data file closed between two of its batches, as a crash leaves it:
 * the committed batches and nothing of the rest) is finished when ConstIntel starts again, reaching only those it had
 * not reached. The occasion ledger's unique key (`<id>:campaign` per customer) is what makes both true.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../../main/core/backend';
import { outboxOf } from '../../../main/core/channels/outbox-worker';
import { testBackend } from '../../support/backend';
import { type AutomationShop, automationShop } from '../automations/support';
import { campaign, campaignDecisions, customers } from './support';

let shop: AutomationShop | undefined;
let reopened: Backend | undefined;
afterEach(async () => {
  await reopened?.close();
  await shop?.close();
  shop = undefined;
  reopened = undefined;
});

const perCustomer = (backend: Backend, campaignId: number) =>
  backend.db.sqlite
    .prepare(
      `SELECT o.profile_id AS profileId, count(*) AS n FROM message_outbox o
       JOIN automation_execution e ON e.id = o.execution_id WHERE e.automation_id = ? GROUP BY o.profile_id`,
    )
    .all(campaignId) as { profileId: number; n: number }[];

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('once per customer', () => {
  it('Send pressed twice at once: one message each, one answer', async () => {
    shop = await automationShop();
    const s = shop;
    const ids = customers(s, 300);
    const t = await s.template('Spring sale');
    const { id } = await s.backend.call('campaigns.save', campaign(t, { holdoutPercent: 0 }));
    const [first, second] = await Promise.all([
      s.backend.call('campaigns.send', { id }),
      s.backend.call('campaigns.send', { id }),
    ]);
    expect(second).toEqual(first);
    const rows = perCustomer(s.backend, id);
    expect(rows).toHaveLength(ids.length);
    expect(rows.every((r) => r.n === 1)).toBe(true);
    expect(campaignDecisions(s, id)).toHaveLength(ids.length);
  });

  it('cut short between two batches: the next start finishes it, nobody reached twice', async () => {
    shop = await automationShop();
    const s = shop;
    // More than one batch of firing (2,000 customers or 150 ms a commit).
    const ids = customers(s, 4_500);
    const t = await s.template('Spring sale');
    const { id } = await s.backend.call('campaigns.save', campaign(t, { holdoutPercent: 0 }));
    const sending = s.backend.call('campaigns.send', { id });
    // As soon as the first batch is committed, the data file closes under the send (what a crash leaves).
    const count = s.backend.db.sqlite.prepare('SELECT count(*) AS n FROM automation_decision WHERE automation_id = ?');
    for (let i = 0; i < 1_000; i++) {
      await turn();
      if ((count.get(id) as { n: number }).n > 0) break;
    }
    const before = (count.get(id) as { n: number }).n;
    s.backend.db.sqlite.close();
    await expect(sending).rejects.toMatchObject({ kind: 'unavailable' });
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(ids.length);

    // Started again on the same data file: the campaign shows it is still sending, and finishes by itself.
    reopened = await testBackend({ dataDir: s.backend.runtime.dataDir, clock: s.clock });
    outboxOf(reopened.ctx).stop();
    let view = await reopened.call('campaigns.get', { id });
    for (let i = 0; i < 2_000 && view.status !== 'sent'; i++) {
      await turn();
      view = await reopened.call('campaigns.get', { id });
    }
    expect(view).toMatchObject({ status: 'sent', counts: { customers: ids.length, sent: ids.length } });
    const rows = perCustomer(reopened, id);
    expect(rows).toHaveLength(ids.length);
    expect(rows.every((r) => r.n === 1)).toBe(true);
    // Pressed again after that: refused, nothing more written.
    await expect(reopened.call('campaigns.send', { id })).rejects.toMatchObject({ kind: 'conflict' });
    expect(perCustomer(reopened, id)).toHaveLength(ids.length);
  }, 60_000);
});
