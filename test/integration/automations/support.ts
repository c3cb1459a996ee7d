/**
 * A shop for the automation tests: a backend on a temp folder with a settable clock (a Monday 10:00 in London), email
 * connected to nowhere (the outbox never runs: the tests read what was written), customers made through the real
 * ingestion path with their consent, and scores written as a retrain writes them.
 */

import { sweepPending } from '../../../main/core/automations/evaluate';
import type { Backend } from '../../../main/core/backend';
import { recordConsent } from '../../../main/core/channels/consent';
import { outboxOf } from '../../../main/core/channels/outbox-worker';
import type { ChannelName } from '../../../main/core/channels/types';
import { fixedClock } from '../../../main/core/clock';
import { publish, streamsOf } from '../../../main/core/streams/streams';
import type { AutomationInput, RunResult } from '../../../shared/contract/automations';
import type { EventInput } from '../../../shared/events';
import { ingestOne, tempDir, testBackend } from '../../support/backend';
import { ev } from '../../support/events';

/** Monday 2 March 2026, 10:00 in London. */
export const MONDAY_10 = '2026-03-02T10:00:00.000Z';
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export interface AutomationShop {
  backend: Backend;
  clock: ReturnType<typeof fixedClock>;
  now(): number;
  customer(email: string, options?: { consent?: ChannelName[]; firstName?: string; phone?: string }): number;
  event(profileEmail: string, type: EventInput['type'], payload?: Record<string, unknown>, at?: number): void;
  scores(
    rows: { profileId: number; churn?: number; value?: number; segment?: string; nextPurchaseAt?: number }[],
  ): void;
  /** Publishes new scores as a retrain does, and lets the subscribers run. */
  retrained(): Promise<void>;
  pump(): Promise<void>;
  template(name: string, channel?: ChannelName): Promise<number>;
  automation(input: AutomationInput, enable?: boolean): Promise<{ id: number; run: RunResult | null }>;
  outbox(): {
    profile_id: number;
    recipient: string;
    status: string;
    status_reason: string | null;
    execution_id: number;
  }[];
  decisions(
    profileId?: number,
  ): { automation_id: number; profile_id: number; outcome: string; guard: string | null; reason: string }[];
  close(): Promise<void>;
}

let versions = 0;

export async function automationShop(): Promise<AutomationShop> {
  const dir = tempDir('constintel-automations-');
  const clock = fixedClock(MONDAY_10);
  const backend = await testBackend({ dataDir: dir.path, clock });
  await backend.call('settings.update', { brandName: 'Corner Shop', timeZone: 'Europe/London', defaultCountry: 'GB' });
  await backend.call('channels.saveEmail', {
    host: '127.0.0.1',
    port: 9,
    security: 'none',
    fromAddress: 'hello@corner-shop.test',
    fromName: 'Corner Shop',
  });
  // The outbox does not send in these tests: what automations write is what is checked.
  outboxOf(backend.ctx).stop();
  const db = backend.db;
  const shop: AutomationShop = {
    backend,
    clock,
    now: () => clock.now().getTime(),
    customer(email, options = {}) {
      const identifiers: EventInput['identifiers'] = { email };
      if (options.phone) identifiers.phone = options.phone;
      const id = ingestOne(
        backend,
        ev({
          type: 'profile_update',
          identifiers,
          occurredAt: new Date(clock.now().getTime() - 400 * DAY).toISOString(),
          payload: { firstName: options.firstName ?? email.split('@')[0] },
        }),
      ).profileId as number;
      for (const channel of options.consent ?? ['email'])
        recordConsent(db, {
          profileId: id,
          channel,
          state: 'yes',
          source: 'shop',
          occurredAt: shop.now(),
          now: shop.now(),
        });
      return id;
    },
    event(email, type, payload = {}, at) {
      ingestOne(
        backend,
        ev({
          type,
          identifiers: { email },
          occurredAt: new Date(at ?? clock.now().getTime()).toISOString(),
          payload: payload as EventInput['payload'],
        }),
      );
    },
    scores(rows) {
      const write = db.sqlite.prepare(
        `INSERT INTO predictions (profile_id, brand_id, churn_score, ltv_score, segment, next_purchase_at, predicted_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (profile_id) DO UPDATE SET prev_churn_score = predictions.churn_score,
           prev_segment = predictions.segment, churn_score = excluded.churn_score, ltv_score = excluded.ltv_score,
           segment = excluded.segment, next_purchase_at = excluded.next_purchase_at`,
      );
      for (const r of rows)
        write.run(
          r.profileId,
          backend.ctx.brandId,
          r.churn ?? null,
          r.value ?? null,
          r.segment ?? null,
          r.nextPurchaseAt ?? null,
          shop.now(),
        );
    },
    async retrained() {
      versions += 1;
      db.sqlite
        .transaction(() =>
          publish(
            db,
            'predictions.updated',
            { brandId: backend.ctx.brandId, versionId: versions, change: 'saved' },
            shop.now(),
          ),
        )
        .immediate();
      await shop.pump();
      await sweepPending(backend.ctx);
    },
    pump: () => streamsOf(backend.ctx).pump(),
    async template(name, channel = 'email') {
      const { template } = await backend.call('templates.save', {
        template: {
          name,
          channel,
          subject: channel === 'email' ? 'Hello {{first_name}}' : null,
          body: `${name} for {{first_name}}`,
        },
      });
      return template.id;
    },
    async automation(input, enable = true) {
      // No comparison share unless the test asks for one: each test here measures one trigger or guard, and a
      // customer drawn into the holdout would get no message (holdout.test.ts proves the holdout itself).
      const saved = await backend.call('automations.save', { holdoutPercent: 0, ...input });
      if (!enable) return { id: saved.id, run: null };
      await backend.call('automations.setEnabled', { id: saved.id, enabled: true });
      return { id: saved.id, run: null };
    },
    outbox: () =>
      db.sqlite
        .prepare('SELECT profile_id, recipient, status, status_reason, execution_id FROM message_outbox ORDER BY id')
        .all() as ReturnType<AutomationShop['outbox']>,
    decisions: (profileId) =>
      db.sqlite
        .prepare(
          'SELECT automation_id, profile_id, outcome, guard, reason FROM automation_decision WHERE (? IS NULL OR profile_id = ?) ORDER BY id',
        )
        .all(profileId ?? null, profileId ?? null) as ReturnType<AutomationShop['decisions']>,
    async close() {
      await backend.close();
      dir.remove();
    },
  };
  return shop;
}

export const send = (templateId: number, channel: ChannelName = 'email') => ({
  type: 'send' as const,
  channel,
  templateId,
});
