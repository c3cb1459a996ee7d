/**
 * A dry run's replay (dry-run.ts) in the shop's words: customers it would have messaged per week and channel, what
 * each guard would have stopped (grouped by the decision's `guard`, so a guard added later is counted without a
 * change here; one this file has no words for is named by its reason), how many of those messaged bought anyway
 * within the window after the would-be message (read after the rollback, from the events as they are), and the cost
 * at the shop's prices (Settings → Channels; email has none).
 */
import type { DryRunResult } from '../../../shared/contract/dry-run';
import type { EngineContext } from '../context';
import { boughtBetween } from '../db/repos/automation-arms';
import { readSettings } from '../settings/settings-store';
import { shopCurrency } from '../settings/shop-settings';
import { money } from './definition';
import { type Replay, type ReplayMessage, replayAutomation } from './dry-run';

/** "Bought anyway" looks this many days after the would-be message (the comparison's default window). */
export const WINDOW_DAYS = 7;

const GUARD_WORDS: Record<string, string> = {
  conditions: 'They did not meet the conditions',
  cooldown: 'Already reached by this automation recently (the wait between two)',
  frequency_cap: 'Already messaged twice that week (the shop-wide limit)',
  consent: 'No yes to offers on that channel, or they opted out',
  message: 'The message could not be written for them (no address or number, or the template cannot be used)',
  bought: 'They bought before the cart reminder was due',
  off: 'Stopped because the automation was switched off',
  held_out: 'Kept as a comparison (held out on purpose: not messaged)',
  quiet: 'Held for quiet hours (sent at 08:00 their time)',
  paused: 'Held because sending is paused',
  daily_cap: 'Held by the daily limit (sent the next day)',
  held: 'Held, then sent later',
  failed: 'Could not be sent',
};

const CHANNEL_WORDS = { email: 'email', sms: 'SMS', whatsapp: 'WhatsApp' } as const;

/** A held message's reason (the decision's: the message's own changes if a purchase cancels it later), as a key. */
function heldGuard(reason: string): string {
  if (/quiet hours/i.test(reason)) return 'quiet';
  if (/paused/i.test(reason)) return 'paused';
  if (/daily limit/i.test(reason)) return 'daily_cap';
  return 'held';
}

/** The Monday (YYYY-MM-DD) of the ISO week the moment falls in, in the shop's time zone. */
export function weekOf(ms: number, timeZone: string): string {
  let local: string;
  try {
    local = new Date(ms).toLocaleDateString('en-CA', { timeZone });
  } catch {
    local = new Date(ms).toISOString().slice(0, 10);
  }
  const day = new Date(`${local}T00:00:00Z`);
  const back = (day.getUTCDay() + 6) % 7;
  return new Date(day.getTime() - back * 86_400_000).toISOString().slice(0, 10);
}

const n = (x: number) => x.toLocaleString('en-GB');
const plural = (x: number, one: string, many = `${one}s`) => `${n(x)} ${x === 1 ? one : many}`;
const dayWords = (ms: number) =>
  new Date(ms).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/** Of the customers it would have messaged, how many bought within the window after their (first) would-be message. */
function boughtAnyway(ctx: EngineContext, firstMessageAt: Map<number, number>, windowMs: number): number {
  let count = 0;
  // Counted as "Did it help?" counts a purchase (comparison.ts): once per order, a cancelled order not at all.
  for (const [profileId, at] of firstMessageAt)
    if (boughtBetween(ctx.db, profileId, at, at + windowMs).orders > 0) count += 1;
  return count;
}

export function reportOf(ctx: EngineContext, replay: Replay): DryRunResult {
  const settings = readSettings(ctx.db);
  const currency = shopCurrency(ctx);
  const gone = replay.messages.filter((m) => m.status !== 'cancelled');
  const firstAt = new Map<number, number>();
  for (const m of gone) if (m.profileId !== null && !firstAt.has(m.profileId)) firstAt.set(m.profileId, m.createdAt);

  const weeks = new Map<string, { weekOf: string; channel: ReplayMessage['channel']; who: Set<number>; n: number }>();
  for (const m of gone) {
    const week = weekOf(m.createdAt, settings.timeZone);
    const key = `${week}|${m.channel}`;
    const row = weeks.get(key) ?? { weekOf: week, channel: m.channel, who: new Set<number>(), n: 0 };
    if (m.profileId !== null) row.who.add(m.profileId);
    row.n += 1;
    weeks.set(key, row);
  }

  const stops = new Map<string, { decisions: number; who: Set<number>; example: string }>();
  for (const d of replay.decisions) {
    let guard: string | null = null;
    if (d.outcome === 'held') guard = heldGuard(d.reason);
    else if (d.outcome !== 'fired' && d.outcome !== 'waiting') guard = d.guard ?? d.outcome;
    if (guard === null) continue;
    const row = stops.get(guard) ?? { decisions: 0, who: new Set<number>(), example: d.reason };
    row.decisions += 1;
    if (d.profileId !== null) row.who.add(d.profileId);
    stops.set(guard, row);
  }
  const stopped = [...stops.entries()]
    .map(([guard, s]) => ({
      guard,
      words: GUARD_WORDS[guard] ?? s.example.replace(/^Not sent:\s*/i, '').replace(/^./, (c) => c.toUpperCase()),
      decisions: s.decisions,
      customers: s.who.size,
    }))
    .sort((x, y) => y.decisions - x.decisions || x.guard.localeCompare(y.guard));

  let amount = 0;
  let unpriced = 0;
  for (const m of gone) {
    if (m.channel === 'email') continue;
    if (m.cost === null) unpriced += 1;
    else amount += m.cost;
  }
  const bought = boughtAnyway(ctx, firstAt, WINDOW_DAYS * 86_400_000);

  const result: Omit<DryRunResult, 'summary'> = {
    automationId: replay.automation.id,
    automationName: replay.automation.name,
    from: new Date(replay.from).toISOString().slice(0, 10),
    to: new Date(replay.to).toISOString().slice(0, 10),
    days: Math.round((replay.to - replay.from) / 86_400_000),
    eventsReplayed: replay.eventsReplayed,
    messages: gone.length,
    customersMessaged: firstAt.size,
    weeks: [...weeks.values()]
      .map((w) => ({ weekOf: w.weekOf, channel: w.channel, customers: w.who.size, messages: w.n }))
      .sort((x, y) => x.weekOf.localeCompare(y.weekOf) || x.channel.localeCompare(y.channel)),
    stopped,
    boughtAnyway: bought,
    windowDays: WINDOW_DAYS,
    tagged: replay.tagged,
    urlCalls: replay.urlCalls,
    stillWaiting: replay.stillWaiting,
    cost: { amount: Math.round(amount * 100) / 100, currency, unpricedMessages: unpriced },
    tookMs: Math.round(replay.tookMs),
  };
  return { ...result, summary: summaryOf(result, replay) };
}

function summaryOf(r: Omit<DryRunResult, 'summary'>, replay: Replay): string {
  const parts: string[] = [];
  const period = `From ${dayWords(replay.from)} to ${dayWords(replay.to)}`;
  if (r.messages === 0) {
    parts.push(
      `${period}, “${r.automationName}” would not have sent any message (${plural(r.eventsReplayed, 'live event')} looked at, and today's scores).`,
    );
  } else {
    const channels = [...new Set(r.weeks.map((w) => CHANNEL_WORDS[w.channel]))];
    parts.push(
      `${period}, “${r.automationName}” would have sent ${plural(r.messages, 'message')} (${channels.join(', ')}) to ${plural(r.customersMessaged, 'customer')} (${plural(r.eventsReplayed, 'live event')} looked at, and today's scores).`,
    );
    parts.push(
      r.boughtAnyway === 0
        ? `None of those ${plural(r.customersMessaged, 'customer')} bought within ${r.windowDays} days of when it would have written, with no message from it.`
        : `In fact, with no message from it, ${n(r.boughtAnyway)} of those ${plural(r.customersMessaged, 'customer')} bought within ${r.windowDays} days of when it would have written: those sales would have happened anyway.`,
    );
    const cost = r.cost.amount > 0 ? `It would have cost about ${money(r.cost.amount, r.cost.currency)}` : '';
    if (r.cost.unpricedMessages > 0)
      parts.push(
        `${cost ? `${cost}, plus ` : ''}${plural(r.cost.unpricedMessages, 'SMS or WhatsApp message')} with no price set (Settings → Channels).`,
      );
    else if (cost) parts.push(`${cost}.`);
    else parts.push('Email costs nothing per message here.');
  }
  const top = r.stopped.filter((s) => !['quiet', 'held', 'daily_cap', 'paused'].includes(s.guard))[0];
  if (top)
    parts.push(`The main reason for not sending: ${top.words.toLowerCase()} (${plural(top.customers, 'customer')}).`);
  parts.push('Nothing was sent or recorded.');
  return parts.join(' ');
}

/** The `automations.dryRun` command's answer. */
export function dryRun(ctx: EngineContext, id: number): DryRunResult {
  return reportOf(ctx, replayAutomation(ctx, id));
}
