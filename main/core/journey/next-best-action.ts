/**
 * The next best action for one customer: every action the shop could take for them now, ranked by expected value =
 * chance it changes what they do (next-best-action-chances.ts: measured, or a stated default) × what is at stake
 * (churn risk × predicted value, the automations' own `stakeOf`).
 *
 * Eligible: the message of an automation that is on (its conditions met) or a template, on a channel they said yes
 * to; a tag an automation that is on looks for; "call them" for a top customer (predicted value in the shop's top
 * 10%) who said yes to offers on no channel. The automations' guards are facts here, not afterthoughts: no message on
 * a channel without consent, none at the weekly limit (FREQUENCY_CAP in 7 days), none from an automation in its
 * cooldown for them or that keeps them as its comparison, none while they are in the shop-wide comparison group —
 * each said in `notNow`, and in the reason of the tag or call that then ranks first. Do it (next-best-action-do.ts)
 * runs the same guards again when it fires, so what is shown can never send what the guards would stop.
 */
import type { AutomationAction } from '../../../shared/contract/automations';
import { AppError } from '../../../shared/contract/errors';
import type { MessageTemplate } from '../../../shared/contract/templates';
import { type Automation, DAY_MS, type Firing, money } from '../automations/definition';
import { baseName, FREQUENCY_CAP, FREQUENCY_DAYS } from '../automations/fire';
import { drawArm, inComparisonGroup } from '../automations/holdout';
import { enabledAutomations } from '../automations/store';
import { CHANNEL_WORDS, CONSENT_CHANNELS, mayMarket } from '../channels/consent';
import { listTemplates } from '../channels/template-store';
import type { ChannelName } from '../channels/types';
import type { EngineContext } from '../context';
import { scoresOf } from '../db/repos/automation-arms';
import { conditionsWhere, predictedValueLine, profileMatches } from '../db/repos/automation-candidates';
import { automatedMessagesSince, lastFiredAt, occasionExists, tagsOf } from '../db/repos/automations';
import { firstNameOf, profileExists, profileNames, redirectOf } from '../db/repos/profiles';
import { steady } from '../db/steady-reads';
import { readSettings } from '../settings/settings-store';
import { normalizeOptions, shopCurrency } from '../settings/shop-settings';
import { automationChance, type Chance, DEFAULT_CHANCES, percent, statedDefault } from './next-best-action-chances';
import { templateFiringIfAny } from './next-best-action-firing';

export type NextBestActionKind = 'automation' | 'template' | 'tag' | 'call';

export interface NextBestAction {
  kind: NextBestActionKind;
  /** The automation's or template's id, the tag, or `call`. */
  what: number | string;
  channel: ChannelName | null;
  label: string;
  expectedValue: number;
  chance: number;
  chanceSource: Chance['source'];
  chanceWords: string;
  stake: number;
  currency: string;
  reason: string;
  /** Asked before a message goes; null for a tag or a call. */
  question: string | null;
}

export interface Ranked {
  actions: NextBestAction[];
  /** Why no message (or no other action) is offered now, in words; empty when nothing stops one. */
  notNow: string[];
}

/** The tag "call them" adds: the shop's list to call (Customers → filter by tag). */
export const CALL_TAG = 'To call';
/** "Top customer": predicted value within the shop's highest tenth. */
export const TOP_SHARE = 0.1;

const A_CHANNEL: Record<ChannelName, string> = { email: 'email', sms: 'SMS', whatsapp: 'WhatsApp' };

const days = new Map<string, Intl.DateTimeFormat>();
/** YYYY-MM-DD in a time zone (en-CA writes dates so), its formatter made once per zone. */
function dayIn(timeZone: string): Intl.DateTimeFormat {
  let format = days.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    days.set(timeZone, format);
  }
  return format;
}

/** The occasion a next best action fires as: once per customer, action and day in the shop's time zone. */
export function occasionKey(ctx: EngineContext, profileId: number, kind: NextBestActionKind, what: number | string) {
  const day = dayIn(readSettings(ctx.db).timeZone).format(ctx.clock.now());
  return `${profileId}:nba:${kind}:${what}:${day}`;
}

const dayWords = (ms: number) =>
  new Date(ms).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric' });

/** The automations that are on: read once per batch (steady reads), else each time. */
const automationsOn = (ctx: EngineContext) => steady('nba automations', () => enabledAutomations(ctx));

type Send = Extract<AutomationAction, { type: 'send' }>;

/** The channel the automation's message would go on for them (its own, or the next they said yes to when allowed). */
function channelFor(
  yes: ReadonlySet<ChannelName>,
  send: Send,
  templates: MessageTemplate[],
): { channel: ChannelName; template: MessageTemplate } | null {
  const own = templates.find((t) => t.id === send.templateId);
  if (!own) return null;
  if (yes.has(send.channel)) return { channel: send.channel, template: own };
  if (!send.orNextConsented) return null;
  for (const other of ['email', 'whatsapp', 'sms'] as const) {
    if (!yes.has(other)) continue;
    const t = templates.find((x) => x.channel === other && baseName(x.name) === baseName(own.name));
    if (t) return { channel: other, template: t };
  }
  return null;
}

/** In the shop's top tenth by predicted value (counted among customers with a predicted value). */
/**
 * The top customers' line, read once a minute per data file: counting the shop's predictions twice for every
 * customer cost a stage's page of 50 about 0.5 s (npm run bench -- journeys, stageCustomersMs).
 */
const topLines = new WeakMap<EngineContext, { at: number; line: number | null }>();
const TOP_LINE_MS = 60_000;

function isTopCustomer(ctx: EngineContext, value: number | null): boolean {
  if (value === null || value <= 0) return false;
  const now = Date.now();
  let cached = topLines.get(ctx);
  if (!cached || now - cached.at > TOP_LINE_MS) {
    cached = { at: now, line: predictedValueLine(ctx.db, ctx.brandId, TOP_SHARE) };
    topLines.set(ctx, cached);
  }
  return cached.line !== null && value >= cached.line;
}

interface Facts {
  now: number;
  currency: string;
  stake: number;
  name: string;
  yes: Set<ChannelName>;
  /** Reasons no message may go at all now (weekly limit, comparison group, no yes anywhere). */
  noMessage: string[];
}

function action(
  f: Facts,
  a: Omit<NextBestAction, 'expectedValue' | 'stake' | 'currency' | 'chance' | 'chanceSource' | 'chanceWords'>,
  chance: Chance,
): NextBestAction {
  const expectedValue = Math.round(chance.chance * f.stake * 100) / 100;
  return {
    ...a,
    chance: chance.chance,
    chanceSource: chance.source,
    chanceWords: chance.words,
    expectedValue,
    stake: Math.round(f.stake * 100) / 100,
    currency: f.currency,
  };
}

const worth = (f: Facts, chance: Chance) =>
  `Worth about ${money(chance.chance * f.stake, f.currency)}: ${money(f.stake, f.currency)} at stake × ${chance.words}.`;

function messageActions(ctx: EngineContext, profileId: number, f: Facts, notNow: string[]): NextBestAction[] {
  if (f.noMessage.length > 0) return [];
  const templates = listTemplates(ctx.db);
  const country = normalizeOptions(ctx).defaultCountry;
  const out: NextBestAction[] = [];
  const covered = new Set<number>();
  for (const a of automationsOn(ctx)) {
    const send = a.actions.find((x): x is Send => x.type === 'send');
    if (!send) continue;
    if (!profileMatches(ctx.db, profileId, conditionsWhere(a.conditions, country))) continue;
    const chosen = channelFor(f.yes, send, templates);
    if (!chosen) continue;
    const blocked = automationBlocked(ctx, a, profileId, f.now);
    if (blocked) {
      notNow.push(blocked);
      continue;
    }
    covered.add(chosen.template.id);
    const chance = steady(`nba chance ${a.id}`, () => automationChance(ctx, a));
    const label = `Send “${chosen.template.name}” by ${A_CHANNEL[chosen.channel]}`;
    out.push(
      action(
        f,
        {
          kind: 'automation',
          what: a.id,
          channel: chosen.channel,
          label,
          reason: `The automation “${a.name}” has a message for them and they said yes to offers by ${CHANNEL_WORDS[chosen.channel]}. ${worth(f, chance)}`,
          question: `${label} to ${f.name} now?`,
        },
        chance,
      ),
    );
  }
  for (const t of templates) {
    if (covered.has(t.id) || !f.yes.has(t.channel)) continue;
    const firing = steady(`nba firing ${t.id}`, () => templateFiringIfAny(ctx, t.id));
    if (firing && templateBlocked(ctx, firing, profileId, f.now)) {
      notNow.push(`“${t.name}” was sent to them in the last day: once a day at most.`);
      continue;
    }
    const chance = statedDefault(DEFAULT_CHANCES.template, 'a message chosen by hand is not measured');
    const label = `Send “${t.name}” by ${A_CHANNEL[t.channel]}`;
    out.push(
      action(
        f,
        {
          kind: 'template',
          what: t.id,
          channel: t.channel,
          label,
          reason: `They said yes to offers by ${CHANNEL_WORDS[t.channel]}. ${worth(f, chance)}`,
          question: `${label} to ${f.name} now?`,
        },
        chance,
      ),
    );
  }
  return out;
}

/** Why this automation's message may not go to them now, or null. */
function automationBlocked(ctx: EngineContext, a: Automation, profileId: number, now: number): string | null {
  if (occasionExists(ctx.db, a.id, occasionKey(ctx, profileId, 'automation', a.id)))
    return `“${a.name}” was already done for them today.`;
  const last = lastFiredAt(ctx.db, a.id, profileId);
  if (last !== null && last > now - a.cooldownDays * DAY_MS)
    return `“${a.name}” reached them on ${dayWords(last)} and waits ${a.cooldownDays} days between two.`;
  if (drawArm(ctx, a, profileId).arm === 'held_out')
    return `“${a.name}” keeps them as its comparison (they get nothing from it, so “Did it help?” can measure it).`;
  return null;
}

function templateBlocked(ctx: EngineContext, firing: Firing, profileId: number, now: number): boolean {
  const last = lastFiredAt(ctx.db, firing.id, profileId);
  return last !== null && last > now - firing.cooldownDays * DAY_MS;
}

function otherActions(ctx: EngineContext, profileId: number, f: Facts, value: number | null): NextBestAction[] {
  const out: NextBestAction[] = [];
  const had = new Set(tagsOf(ctx.db, profileId));
  const country = normalizeOptions(ctx).defaultCountry;
  const because = f.noMessage.length > 0 ? ` ${f.noMessage.join(' ')}` : '';
  const seen = new Set<string>();
  for (const a of automationsOn(ctx)) {
    const tag = a.conditions.hasTag;
    if (!tag || had.has(tag) || seen.has(tag)) continue;
    // Would they meet the automation's other conditions once tagged?
    const rest = conditionsWhere({ ...a.conditions, hasTag: null }, country);
    if (!profileMatches(ctx.db, profileId, rest)) continue;
    seen.add(tag);
    const chance = statedDefault(DEFAULT_CHANCES.tag);
    out.push(
      action(
        f,
        {
          kind: 'tag',
          what: tag,
          channel: null,
          label: `Tag them “${tag}”`,
          reason: `The automation “${a.name}” looks for this tag: tagged, it can reach them. ${worth(f, chance)}${because}`,
          question: null,
        },
        chance,
      ),
    );
  }
  if (f.yes.size === 0 && !had.has(CALL_TAG) && isTopCustomer(ctx, value)) {
    const chance = statedDefault(DEFAULT_CHANCES.call);
    out.push(
      action(
        f,
        {
          kind: 'call',
          what: 'call',
          channel: null,
          label: 'Call them',
          reason: `One of your top customers (predicted value ${money(value ?? 0, f.currency)}, in the shop's highest ${percent(TOP_SHARE)}), and they have not said yes to offers on any channel, so no message may go. ${worth(f, chance)}`,
          question: null,
        },
        chance,
      ),
    );
  }
  return out;
}

/**
 * Who they are, read lightly (whether they exist or were joined into another, their first name): not the whole
 * Customer 360, so a page of 50 or an export of thousands can rank each customer (steady reads inside a batch).
 */
function whoFor(ctx: EngineContext, profileId: number): string {
  const into = redirectOf(ctx.db, profileId);
  if (into !== undefined)
    throw new AppError('not_found', `Customer #${profileId} was joined into #${into}: open that one.`);
  if (!profileExists(ctx.db, profileId))
    throw new AppError('not_found', `There is no customer #${profileId}: they may have been erased.`);
  return firstNameOf(ctx.db, profileId)?.trim() || profileNames(ctx.db, [profileId]).get(profileId) || 'them';
}

/** Every action for this customer, best first, with what stops the others. */
export function rankFor(ctx: EngineContext, profileId: number): Ranked {
  const name = whoFor(ctx, profileId);
  const now = ctx.clock.now().getTime();
  const { churnRisk, predictedValue } = scoresOf(ctx.db, profileId);
  const yes = new Set(CONSENT_CHANNELS.filter((c) => mayMarket(ctx.db, profileId, c).ok));
  const noMessage: string[] = [];
  const recent = automatedMessagesSince(ctx.db, profileId, now - FREQUENCY_DAYS * DAY_MS);
  if (yes.size === 0) noMessage.push('They have not said yes to offers on any channel, so no message may go.');
  else if (recent >= FREQUENCY_CAP)
    noMessage.push(
      `No message now: already messaged ${recent === 2 ? 'twice' : `${recent} times`} this week (at most ${FREQUENCY_CAP} automated messages in ${FREQUENCY_DAYS} days).`,
    );
  else if (inComparisonGroup(ctx, profileId))
    noMessage.push(
      "No message: they are in the shop's comparison group, which gets no automated marketing (Settings → Automations).",
    );
  const f: Facts = {
    now,
    currency: shopCurrency(ctx),
    // What is at stake, as the automations' `stakeOf` reads it (a customer not scored has nothing at stake).
    stake: (churnRisk ?? 0) * (predictedValue ?? 0),
    name,
    yes,
    noMessage,
  };
  const notNow: string[] = [...noMessage];
  const actions = [...messageActions(ctx, profileId, f, notNow), ...otherActions(ctx, profileId, f, predictedValue)];
  // Best first; equal values: a message before a tag before a call (the order the shop reads them in), then by id.
  const order: Record<NextBestActionKind, number> = { automation: 0, template: 1, tag: 2, call: 3 };
  actions.sort(
    (x, y) =>
      y.expectedValue - x.expectedValue ||
      y.chance - x.chance ||
      order[x.kind] - order[y.kind] ||
      String(x.what).localeCompare(String(y.what), 'en', { numeric: true }),
  );
  return { actions, notNow };
}

/** Every eligible action for this customer, best first. */
export function nextBestActionsFor(ctx: EngineContext, profileId: number): NextBestAction[] {
  return rankFor(ctx, profileId).actions;
}

/** The best action for this customer, or null when none may be taken now. */
export function nextBestActionFor(ctx: EngineContext, profileId: number): NextBestAction | null {
  return nextBestActionsFor(ctx, profileId)[0] ?? null;
}

/**
 * The best action, or null when none may be taken now or the customer was erased or joined into another since the
 * list holding them was read (a page or an export names the action of the customers it shows, never fails on one).
 */
export function bestActionIfAny(ctx: EngineContext, profileId: number): NextBestAction | null {
  try {
    return nextBestActionFor(ctx, profileId);
  } catch (error) {
    if (error instanceof AppError && error.kind === 'not_found') return null;
    throw error;
  }
}
