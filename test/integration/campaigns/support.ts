/**
 * Campaign tests' helpers on top of the automations' test shop (a Monday 10:00 in London, email connected, the
 * outbox stopped unless a test starts it): many customers at once through the real ingestion path, each with a dated
 * yes to email (or none), tagged or in a segment; and reads of what a campaign wrote.
 */
import { recordConsent } from '../../../main/core/channels/consent';
import { ingestEvents } from '../../../main/core/ingest/ingest-service';
import type { CampaignInput } from '../../../shared/contract/campaigns';
import { ev } from '../../support/events';
import type { AutomationShop } from '../automations/support';

let batch = 0;

/** `count` customers `<prefix>-<i>@example.com`, with a yes to email unless `consent` is false; their ids in order. */
export function customers(
  shop: AutomationShop,
  count: number,
  options: { prefix?: string; consent?: boolean; tag?: string } = {},
): number[] {
  batch += 1;
  const prefix = options.prefix ?? `c${batch}`;
  const at = new Date(shop.now() - 400 * 86_400_000).toISOString();
  const results = ingestEvents(
    shop.backend.ctx,
    Array.from({ length: count }, (_, i) =>
      ev({
        type: 'profile_update',
        identifiers: { email: `${prefix}-${i}@example.com` },
        occurredAt: at,
        payload: { firstName: `${prefix}${i}` },
      }),
    ),
  );
  const ids = results.map((r) => r.profileId as number);
  const db = shop.backend.db;
  db.sqlite
    .transaction(() => {
      for (const id of ids) {
        if (options.consent !== false)
          recordConsent(db, {
            profileId: id,
            channel: 'email',
            state: 'yes',
            source: 'shop',
            occurredAt: shop.now(),
            now: shop.now(),
          });
        if (options.tag)
          db.sqlite
            .prepare("INSERT INTO profile_tag (profile_id, tag, source, created_at) VALUES (?, ?, 'shop', ?)")
            .run(id, options.tag, shop.now());
      }
    })
    .immediate();
  return ids;
}

/** What the preview takes: a campaign without its name. */
export function audienceOf(input: CampaignInput): Omit<CampaignInput, 'name' | 'id'> {
  const { name: _name, id: _id, ...rest } = input;
  return rest;
}

export function campaign(templateId: number, extra: Partial<CampaignInput> = {}): CampaignInput {
  return { name: 'Spring sale', message: { channel: 'email', templateId }, ...extra };
}

/** The outbox rows a campaign wrote (through its occasions). */
export function campaignMessages(
  shop: AutomationShop,
  campaignId: number,
): { profile_id: number; recipient: string; status: string; source: string }[] {
  return shop.backend.db.sqlite
    .prepare(
      `SELECT o.profile_id, o.recipient, o.status, o.source FROM message_outbox o
       JOIN automation_execution e ON e.id = o.execution_id WHERE e.automation_id = ? ORDER BY o.id`,
    )
    .all(campaignId) as { profile_id: number; recipient: string; status: string; source: string }[];
}

/** The campaign's decisions per customer (one each, whatever the outcome). */
export function campaignDecisions(
  shop: AutomationShop,
  campaignId: number,
): { profile_id: number; outcome: string; guard: string | null; reason: string }[] {
  return shop.backend.db.sqlite
    .prepare('SELECT profile_id, outcome, guard, reason FROM automation_decision WHERE automation_id = ? ORDER BY id')
    .all(campaignId) as { profile_id: number; outcome: string; guard: string | null; reason: string }[];
}

export const byOutcome = (decisions: { outcome: string; guard: string | null }[]) => {
  const out: Record<string, number> = {};
  for (const d of decisions) {
    const key = d.outcome === 'skipped' ? `skipped:${d.guard}` : d.outcome;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
};
