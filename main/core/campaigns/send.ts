/**
 * Send: every customer in the audience meets the campaign once, through the automations' own firing code
 * (evaluate.ts `fireInTurns` → fire.ts), so the guards, the comparison share and the decisions are the automations'
 * exactly: the weekly limit, consent, pause and daily limit (held), quiet hours (held until 08:00 their time).
 *
 * Once per customer, whatever happens: each customer's occasion is `<id>:campaign` in the occasion ledger, whose
 * unique key refuses a second one, and an occasion, its decision and its message commit together. So Send pressed
 * twice (the second answers the first while it runs), or ConstIntel stopping part-way (the date Send was pressed is
 * committed first; the next start finishes what is left), reaches nobody twice. The audience is read when the
 * sending starts (or resumes): a customer who joins it later is not added afterwards.
 */
import type { CampaignRun, CampaignView } from '../../../shared/contract/campaigns';
import { AppError } from '../../../shared/contract/errors';
import { fireInTurns, type Pending, tally } from '../automations/evaluate';
import { outboxOf } from '../channels/outbox-worker';
import type { EngineContext } from '../context';
import { conditionsWhere, inState } from '../db/repos/automation-candidates';
import { campaignRow, markSendStarted, markSent, unfinishedCampaignIds } from '../db/repos/campaigns';
import { normalizeOptions } from '../settings/shop-settings';
import { sendProblems } from './preview';
import { campaignView, checkTemplate, firingOf, loadCampaign } from './store';

/** Sends under way per backend, by campaign: Send pressed again while one runs answers the running one. */
const running = new WeakMap<EngineContext, Map<number, Promise<CampaignRun>>>();

export function sendCampaign(ctx: EngineContext, id: number): Promise<CampaignRun> {
  const mine = running.get(ctx) ?? new Map<number, Promise<CampaignRun>>();
  running.set(ctx, mine);
  const current = mine.get(id);
  if (current) return current;
  const run = sendNow(ctx, id);
  mine.set(id, run);
  const forget = () => {
    if (mine.get(id) === run) mine.delete(id);
  };
  run.then(forget, forget);
  return run;
}

const n = (x: number) => x.toLocaleString('en-GB');

function words(view: CampaignView): string {
  const c = view.counts;
  if (c.customers === 0) return 'Nobody matched the audience, so nothing was sent.';
  const parts = [`${n(c.sent)} message${c.sent === 1 ? '' : 's'} written`];
  if (c.held > 0) parts.push(`${n(c.held)} held (they go when the hold ends, such as 08:00 their time)`);
  if (c.heldOut > 0) parts.push(`${n(c.heldOut)} kept back as the comparison`);
  if (c.notSent > 0) parts.push(`${n(c.notSent)} not sent (the log says why for each)`);
  const head = `${n(c.customers)} customer${c.customers === 1 ? '' : 's'} met: `;
  return `${head}${parts.join(', ')}.`;
}

async function sendNow(ctx: EngineContext, id: number): Promise<CampaignRun> {
  // Checked before anything is written: nothing is half-sent because a channel was not connected.
  await null;
  const before = loadCampaign(ctx, id);
  if (before.sentAt !== null) {
    const view = campaignView(ctx, id);
    throw new AppError(
      'conflict',
      `“${before.name}” was sent already (${words(view)}) A campaign goes once: to send it again, make a new campaign.`,
    );
  }
  checkTemplate(ctx, before.message);
  const problems = sendProblems(ctx, before.message);
  if (problems.length > 0) throw new AppError('conflict', problems.join(' '));

  const now = ctx.clock.now().getTime();
  ctx.db.sqlite.transaction(() => markSendStarted(ctx.db, id, now)).immediate();
  const c = loadCampaign(ctx, id);
  const firing = firingOf(c);
  const where = conditionsWhere(c.audience, normalizeOptions(ctx).defaultCountry);
  const pending: Pending[] = inState(ctx.db, ctx.brandId, where).map((candidate) => ({
    automation: firing,
    occasion: {
      profileId: candidate.profileId,
      key: `${candidate.profileId}:campaign`,
      occurredAt: now,
      conditionsMet: true,
    },
    stake: candidate.stake,
  }));
  // Deleted as an automation while it ran (the campaign cannot be changed once sent): what is left stops.
  const stillThere = () =>
    campaignRow(ctx.db, ctx.brandId, id) ? new Map([[firing.id, firing.updatedAt]]) : new Map<number, number>();
  const finished = await fireInTurns(ctx, pending, tally(), stillThere);
  if (!finished || !ctx.db.sqlite.open || !campaignRow(ctx.db, ctx.brandId, id)) {
    // Stopped part-way: the next start finishes it (`finishInterrupted`).
    if (!ctx.db.sqlite.open)
      throw new AppError('unavailable', 'ConstIntel stopped while sending: it finishes the rest when it starts again.');
    throw new AppError('not_found', `The campaign “${c.name}” was deleted while it was being sent.`);
  }
  ctx.db.sqlite.transaction(() => markSent(ctx.db, id, ctx.clock.now().getTime())).immediate();
  outboxOf(ctx).kick();
  const view = campaignView(ctx, id);
  return { campaign: view, summary: words(view) };
}

/** At start: campaigns whose sending a stop cut short are finished (each customer still once). */
export async function finishInterrupted(ctx: EngineContext): Promise<number> {
  let done = 0;
  for (const id of unfinishedCampaignIds(ctx.db, ctx.brandId)) {
    if (!ctx.db.sqlite.open) break;
    await sendCampaign(ctx, id);
    done += 1;
  }
  return done;
}
