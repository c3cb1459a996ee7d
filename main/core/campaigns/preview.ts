/**
 * Before the shop presses Send: who the campaign reaches, who it cannot, and what it costs — read only, nothing
 * written. Each customer of the audience is met in the order the firing code meets them (fire.ts): the weekly limit
 * first, then a yes on the channel (or, when allowed, the next channel they said yes to that has the same message),
 * then an address on that channel. The same reads (consent, addresses, the weekly count) are used, read in bulk per
 * chunk as a sweep reads them, so the count here is what Send writes, less the comparison share.
 */

import type { Conditions } from '../../../shared/contract/automations';
import type { CampaignMessage, CampaignPreview } from '../../../shared/contract/campaigns';
import { DAY_MS } from '../automations/definition';
import { baseName, FREQUENCY_CAP, FREQUENCY_DAYS } from '../automations/fire';
import { inComparisonGroup } from '../automations/holdout';
import { prefetchCustomers } from '../automations/prefetch';
import { recipientOf } from '../channels/compose';
import { CHANNEL_WORDS, mayMarket } from '../channels/consent';
import { CHANNEL_LABEL } from '../channels/outbox-deps';
import { priceOf } from '../channels/outbox-guards';
import { outboxOf } from '../channels/outbox-worker';
import { listTemplates, templateById } from '../channels/template-store';
import type { ChannelName } from '../channels/types';
import type { EngineContext } from '../context';
import { conditionsWhere, inState } from '../db/repos/automation-candidates';
import { automatedMessagesSince } from '../db/repos/automations';
import { withSteadyReads } from '../db/steady-reads';
import { readSettings } from '../settings/settings-store';
import { normalizeOptions, shopCurrency } from '../settings/shop-settings';
import { checkTemplate } from './store';

const CHUNK = 500;
const CHANNELS = ['email', 'sms', 'whatsapp'] as const satisfies readonly ChannelName[];

/** The channels tried in order: the message's, then (when allowed) those with a template of the same name, as fire.ts. */
export function channelsTried(ctx: EngineContext, message: CampaignMessage): ChannelName[] {
  const out: ChannelName[] = [message.channel];
  if (!message.orNextConsented) return out;
  const name = baseName(templateById(ctx.db, message.templateId)?.name ?? '');
  const templates = listTemplates(ctx.db);
  for (const other of ['email', 'whatsapp', 'sms'] as const) {
    if (other === message.channel) continue;
    if (templates.some((t) => t.channel === other && baseName(t.name) === name)) out.push(other);
  }
  return out;
}

/** What would stop Send: a channel it may use that is not connected. */
export function sendProblems(ctx: EngineContext, message: CampaignMessage): string[] {
  const sender = outboxOf(ctx).deps.senderFor;
  return channelsTried(ctx, message)
    .filter((c) => !sender(c))
    .map((c) => `${CHANNEL_LABEL[c]} is not connected: set it up in Settings → Channels before sending.`);
}

interface Reach {
  audience: number;
  byChannel: Record<ChannelName, number>;
  withoutConsent: number;
  withoutAddress: number;
  atWeeklyLimit: number;
  /** Recipients in the shop-wide comparison group (they get nothing). */
  inComparisonGroup: number;
}

function reach(ctx: EngineContext, audience: Conditions, tried: ChannelName[]): Reach {
  const where = conditionsWhere(audience, normalizeOptions(ctx).defaultCountry);
  const since = ctx.clock.now().getTime() - FREQUENCY_DAYS * DAY_MS;
  const out: Reach = {
    audience: 0,
    byChannel: { email: 0, sms: 0, whatsapp: 0 },
    withoutConsent: 0,
    withoutAddress: 0,
    atWeeklyLimit: 0,
    inComparisonGroup: 0,
  };
  // One read transaction: the counts describe one moment, even while a webhook commits on another connection.
  ctx.db.sqlite
    .transaction(() => {
      const ids = inState(ctx.db, ctx.brandId, where).map((c) => c.profileId);
      out.audience = ids.length;
      for (let i = 0; i < ids.length; i += CHUNK) {
        const chunk = ids.slice(i, i + CHUNK);
        withSteadyReads(() => {
          prefetchCustomers(ctx.db, chunk);
          for (const id of chunk) {
            if (automatedMessagesSince(ctx.db, id, since) >= FREQUENCY_CAP) {
              out.atWeeklyLimit += 1;
              continue;
            }
            const channel = tried.find((c) => mayMarket(ctx.db, id, c).ok);
            if (!channel) out.withoutConsent += 1;
            else if (recipientOf(ctx, id, channel) === null) out.withoutAddress += 1;
            else {
              out.byChannel[channel] += 1;
              if (inComparisonGroup(ctx, id)) out.inComparisonGroup += 1;
            }
          }
        });
      }
    })
    .deferred();
  return out;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`;
const count = (n: number) => n.toLocaleString('en-GB');

function amount(value: number, currency: string, digits = 2): string {
  try {
    return value.toLocaleString('en-GB', {
      style: 'currency',
      currency,
      minimumFractionDigits: 2,
      maximumFractionDigits: digits,
    });
  } catch {
    return `${value.toFixed(digits)} ${currency}`;
  }
}

/** "email", "email or SMS", "email, SMS or WhatsApp". */
function orList(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

export function previewCampaign(
  ctx: EngineContext,
  input: { audience: Conditions; message: CampaignMessage; holdoutPercent: number },
): CampaignPreview {
  checkTemplate(ctx, input.message);
  const tried = channelsTried(ctx, input.message);
  const r = reach(ctx, input.audience, tried);
  const recipients = CHANNELS.reduce((sum, c) => sum + r.byChannel[c], 0);
  const share = input.holdoutPercent / 100;
  // The shop-wide comparison group is known customer by customer; the campaign's own share is drawn when it is sent.
  const heldOut = r.inComparisonGroup + Math.round((recipients - r.inComparisonGroup) * share);
  const settings = readSettings(ctx.db);
  const currency = shopCurrency(ctx);

  // The cost of the messages written: each channel's recipients less its part of the comparison, at its price.
  const used = CHANNELS.filter((c) => r.byChannel[c] > 0);
  const unpriced = used.filter((c) => c !== 'email' && priceOf(settings, c) === null);
  const costParts: string[] = [];
  let cost: number | null = 0;
  for (const c of used) {
    const price = c === 'email' ? 0 : priceOf(settings, c);
    if (price === null || price === 0) continue;
    const messages = Math.round(r.byChannel[c] * (1 - share));
    cost += messages * price;
    costParts.push(
      `${count(messages)} ${c === 'email' ? 'emails' : CHANNEL_WORDS[c]} at ${amount(price, currency, 4)}`,
    );
  }
  if (unpriced.length > 0) cost = null;
  else cost = Math.round(cost * 100) / 100;

  const words = tried.map((c) => CHANNEL_WORDS[c]);
  const summary: string[] = [];
  if (r.audience === 0) summary.push('No customer matches this audience now.');
  else if (recipients === 0)
    summary.push(`None of the ${plural(r.audience, 'customer')} in this audience can get it now (see below).`);
  else {
    const how =
      used.length === 1
        ? `by ${CHANNEL_WORDS[used[0] as ChannelName]}`
        : `by ${orList(used.map((c) => `${CHANNEL_WORDS[c]} (${count(r.byChannel[c])})`))}`;
    summary.push(`This goes to ${plural(recipients, 'customer')} ${how}.`);
  }
  if (r.withoutConsent > 0)
    summary.push(
      `${plural(r.withoutConsent, 'customer')} in this audience ${r.withoutConsent === 1 ? 'has' : 'have'} not said yes to ${orList(words)}: they get nothing.`,
    );
  if (r.withoutAddress > 0)
    summary.push(
      `${plural(r.withoutAddress, 'customer')} said yes but ${r.withoutAddress === 1 ? 'has' : 'have'} no ${input.message.channel === 'email' ? 'email address' : 'phone number'} to send to.`,
    );
  if (r.atWeeklyLimit > 0)
    summary.push(
      `${plural(r.atWeeklyLimit, 'customer')} already had ${FREQUENCY_CAP} marketing messages this week, so ${r.atWeeklyLimit === 1 ? 'is' : 'are'} left out.`,
    );
  if (recipients > 0 && input.holdoutPercent > 0)
    summary.push(
      `About ${count(heldOut - r.inComparisonGroup)} of them (${input.holdoutPercent}%) ${heldOut - r.inComparisonGroup === 1 ? 'is' : 'are'} kept back as a comparison and get nothing, so you can see afterwards whether it helped.`,
    );
  if (r.inComparisonGroup > 0)
    summary.push(
      `${plural(r.inComparisonGroup, 'customer')} ${r.inComparisonGroup === 1 ? 'is' : 'are'} in the shop's comparison group, which gets no automated marketing: they get nothing.`,
    );
  if (cost === null)
    summary.push(
      `Cost unknown: the price of one ${orList(unpriced.map((c) => CHANNEL_WORDS[c]))} message is not set (Settings → Channels).`,
    );
  else if (cost === 0)
    summary.push(recipients === 0 ? 'Cost: nothing.' : 'Cost: nothing (emails go out through your own mail server).');
  else summary.push(`Cost: about ${amount(cost, currency)} (${costParts.join(', ')}).`);
  const problems = sendProblems(ctx, input.message);
  return {
    audience: r.audience,
    recipients,
    byChannel: r.byChannel,
    withoutConsent: r.withoutConsent,
    withoutAddress: r.withoutAddress,
    atWeeklyLimit: r.atWeeklyLimit,
    heldOut,
    messages: recipients - heldOut,
    cost,
    currency,
    problems,
    summary,
  };
}
