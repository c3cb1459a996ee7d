/**
 * An automation as the engine reads it (the stored definition parsed by the contract's schema, so a row written by
 * an older version still reads with today's defaults), and its trigger, conditions and actions in the shop's words.
 */
import {
  type AutomationAction,
  type AutomationDefinition,
  automationInputSchema,
  type Conditions,
  type Trigger,
} from '../../../shared/contract/automations';
import { AppError } from '../../../shared/contract/errors';
import type { AutomationRow } from '../db/repos/automations';

export interface Automation extends AutomationDefinition {
  id: number;
  enabled: boolean;
  armedAt: number | null;
  lastRunAt: number | null;
  /** Switched on or run, and its arming not finished (a crash part-way). */
  armPending: boolean;
  /** New scores whose crossings are not all evaluated yet. */
  scoresPending: boolean;
  /** Time-based triggers: crossings up to here were looked at. */
  sweptAt: number | null;
  updatedAt: number;
}

/** What firing an occasion needs of an automation; a campaign (a one-off message, no trigger) is one too. */
export type Firing = Pick<
  Automation,
  'id' | 'name' | 'conditions' | 'actions' | 'priority' | 'cooldownDays' | 'holdoutPercent' | 'updatedAt'
> & {
  /** What its messages say asked for them (the outbox's source): an automation unless said otherwise. */
  source?: 'automation' | 'campaign';
};

export function parseAutomation(row: AutomationRow): Automation {
  const stored = JSON.parse(row.definition) as Record<string, unknown>;
  const parsed = automationInputSchema.safeParse({
    ...stored,
    name: row.name,
    priority: row.priority,
    cooldownDays: row.cooldownDays,
    recipe: row.recipe,
  });
  if (!parsed.success)
    throw new AppError(
      'internal',
      `The automation “${row.name}” (#${row.id}) could not be read: ${parsed.error.message}`,
    );
  return {
    ...parsed.data,
    id: row.id,
    enabled: row.enabled === 1,
    armedAt: row.armedAt,
    lastRunAt: row.lastRunAt,
    armPending: row.armPending === 1,
    scoresPending: row.scoresPending === 1,
    sweptAt: row.sweptAt,
    updatedAt: row.updatedAt,
  };
}

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

// Formatters made once: `toLocaleString` with options builds one per call (tens of µs), and a next best action for
// every row of a customers export says several amounts.
const NUMBER = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 2 });
const n = (x: number) => NUMBER.format(x);
const moneyFormats = new Map<string, Intl.NumberFormat | null>();
const plural = (x: number, one: string, many = `${one}s`) => `${n(x)} ${x === 1 ? one : many}`;
const CHANNEL_WORDS = { email: 'email', sms: 'SMS', whatsapp: 'WhatsApp message' } as const;

function moneyFormat(currency: string): Intl.NumberFormat | null {
  let format = moneyFormats.get(currency);
  if (format === undefined) {
    try {
      format = new Intl.NumberFormat('en-GB', { style: 'currency', currency, maximumFractionDigits: 0 });
    } catch {
      format = null; // not a currency code Intl knows: the amount and the code as written
    }
    moneyFormats.set(currency, format);
  }
  return format;
}

export function money(amount: number, currency: string): string {
  return moneyFormat(currency)?.format(amount) ?? `${n(amount)} ${currency}`;
}

export function triggerWords(trigger: Trigger, currency: string): string {
  switch (trigger.type) {
    case 'churn_risk':
      return `When a customer's churn risk reaches ${n(trigger.atLeast)}%`;
    case 'abandoned_cart':
      return `When a customer adds to their cart or starts a checkout and has not bought ${plural(trigger.afterHours, 'hour')} later (once per cart)`;
    case 'product_intent':
      return `When a customer's interest in a product reaches ${n(trigger.atLeast)} out of 100 (once per product; products in their cart are left to the cart reminder)`;
    case 'ltv_milestone':
      return `When a customer's lifetime value reaches ${money(trigger.amount, currency)} (once per customer)`;
    case 'first_purchase':
      return 'When a customer buys for the first time (once per customer)';
    case 'purchase_overdue':
      return 'When a customer is past the date their own buying rhythm says they would buy again';
    case 'segment_entered':
      return `When a customer enters the segment “${trigger.segment}”`;
    case 'no_purchase':
      return `When a customer has not bought for ${plural(trigger.days, 'day')}`;
  }
}

export function conditionWords(c: Conditions, currency: string): string[] {
  const out: string[] = [];
  const range = (what: string, r: { min: number | null; max: number | null } | null, f: (x: number) => string) => {
    if (!r) return;
    if (r.min !== null && r.max !== null) out.push(`${what} between ${f(r.min)} and ${f(r.max)}`);
    else if (r.min !== null) out.push(`${what} at least ${f(r.min)}`);
    else if (r.max !== null) out.push(`${what} at most ${f(r.max)}`);
  };
  if (c.segmentIs.length > 0) out.push(`in the segment ${c.segmentIs.map((s) => `“${s}”`).join(' or ')}`);
  if (c.segmentIsNot.length > 0) out.push(`not in the segment ${c.segmentIsNot.map((s) => `“${s}”`).join(' or ')}`);
  range('churn risk', c.churnRisk, (x) => `${n(x)}%`);
  range('predicted value', c.predictedValue, (x) => money(x, currency));
  range('lifetime value', c.lifetimeValue, (x) => money(x, currency));
  range('orders', c.orders, n);
  if (c.consentOn) out.push(`said yes to offers by ${CHANNEL_WORDS[c.consentOn].replace(' message', '')}`);
  if (c.boughtProduct) out.push(`bought a product named like “${c.boughtProduct}”`);
  if (c.boughtCategory) out.push(`bought from the category “${c.boughtCategory}”`);
  if (c.country.length > 0) out.push(`in ${c.country.join(', ')}`);
  if (c.hasTag) out.push(`tagged “${c.hasTag}”`);
  if (c.lacksTag) out.push(`not tagged “${c.lacksTag}”`);
  return out;
}

export function actionWords(action: AutomationAction, templateName: (id: number) => string | undefined): string {
  switch (action.type) {
    case 'send': {
      const name = templateName(action.templateId);
      const what = `${CHANNEL_WORDS[action.channel]} ${name ? `“${name}”` : `(template #${action.templateId}, deleted)`}`;
      return `Send the ${what}${action.orNextConsented ? ', or on another channel they said yes to' : ''}`;
    }
    case 'tag':
      return action.remove ? `Remove the tag “${action.tag}”` : `Add the tag “${action.tag}”`;
    case 'call_url':
      return `Tell ${action.url} (a signed POST)`;
    case 'wait':
      return `Wait ${plural(action.hours, 'hour')}, then check the conditions again`;
  }
}

export function summaryOf(
  a: Pick<AutomationDefinition, 'trigger' | 'conditions' | 'actions' | 'cooldownDays'>,
  currency: string,
  templateName: (id: number) => string | undefined,
): string[] {
  const conditions = conditionWords(a.conditions, currency);
  return [
    triggerWords(a.trigger, currency),
    conditions.length > 0 ? `Only customers ${conditions.join(', ')}` : 'Any customer',
    ...a.actions.map((action, i) => `${i + 1}. ${actionWords(action, templateName)}`),
    `At most once every ${plural(a.cooldownDays, 'day')} for the same customer`,
  ];
}
