/**
 * The editor's draft: what the form holds, as typed (numbers stay text until saved, so "1,5" or an empty field is
 * never lost while typing), and the two conversions: from an automation or recipe into a draft, and from a draft
 * into what `automations.save` and `automations.matchCount` take. A number that cannot be read goes as NaN (sent as
 * null), so the backend refuses it beside its field, in its own words.
 */
import type {
  AutomationInput,
  AutomationView,
  Conditions,
  RecipeName,
  Trigger,
  TriggerType,
} from '../../../../shared/contract/automations';

export type Channel = 'email' | 'sms' | 'whatsapp';
export type ActionType = 'send' | 'tag' | 'call_url' | 'wait';

export interface ActionDraft {
  /** Stable key for React while actions are moved up and down. */
  key: number;
  type: ActionType;
  channel: Channel;
  templateId: string;
  orNextConsented: boolean;
  tag: string;
  remove: boolean;
  url: string;
  hours: string;
}

export interface RangeDraft {
  min: string;
  max: string;
}

export interface ConditionsDraft {
  segmentIs: string;
  segmentIsNot: string;
  churnRisk: RangeDraft;
  predictedValue: RangeDraft;
  lifetimeValue: RangeDraft;
  orders: RangeDraft;
  consentOn: Channel | '';
  boughtProduct: string;
  boughtCategory: string;
  /** Comma-separated two-letter codes. */
  country: string;
  hasTag: string;
  lacksTag: string;
}

export interface Draft {
  id?: number;
  /** An automation that is on already (the live count then does not promise what switching on will do). */
  enabled?: boolean;
  recipe: RecipeName | null;
  name: string;
  triggerType: TriggerType;
  /** The trigger's number (risk, hours, score, amount, days), as typed. */
  triggerValue: string;
  triggerSegment: string;
  conditions: ConditionsDraft;
  actions: ActionDraft[];
  priority: string;
  cooldownDays: string;
  /** The comparison share (%), held out to measure whether it helps. */
  holdoutPercent: string;
}

let nextKey = 1;
export const newKey = () => nextKey++;

export function emptyAction(type: ActionType = 'send'): ActionDraft {
  return {
    key: newKey(),
    type,
    channel: 'email',
    templateId: '',
    orNextConsented: false,
    tag: '',
    remove: false,
    url: '',
    hours: '24',
  };
}

const EMPTY_RANGE: RangeDraft = { min: '', max: '' };
export const EMPTY_CONDITIONS: ConditionsDraft = {
  segmentIs: '',
  segmentIsNot: '',
  churnRisk: EMPTY_RANGE,
  predictedValue: EMPTY_RANGE,
  lifetimeValue: EMPTY_RANGE,
  orders: EMPTY_RANGE,
  consentOn: '',
  boughtProduct: '',
  boughtCategory: '',
  country: '',
  hasTag: '',
  lacksTag: '',
};

export const EMPTY_DRAFT: Draft = {
  recipe: null,
  name: '',
  triggerType: 'churn_risk',
  triggerValue: '60',
  triggerSegment: '',
  conditions: EMPTY_CONDITIONS,
  actions: [emptyAction()],
  priority: '10',
  cooldownDays: '30',
  holdoutPercent: '10',
};

const text = (value: number | null | undefined) => (value === null || value === undefined ? '' : String(value));
const rangeText = (r: { min?: number | null; max?: number | null } | null | undefined): RangeDraft => ({
  min: text(r?.min),
  max: text(r?.max),
});

function triggerValueOf(trigger: AutomationInput['trigger']): string {
  switch (trigger.type) {
    case 'churn_risk':
    case 'product_intent':
      return text(trigger.atLeast);
    case 'abandoned_cart':
      return text(trigger.afterHours);
    case 'ltv_milestone':
      return text(trigger.amount);
    case 'no_purchase':
      return text(trigger.days);
    default:
      return '';
  }
}

/** An automation (or a recipe's filled-in automation) as the form shows it. */
export function toDraft(a: AutomationInput | AutomationView): Draft {
  const c = (a.conditions ?? {}) as Partial<Conditions>;
  return {
    id: a.id,
    ...('enabled' in a ? { enabled: a.enabled } : {}),
    recipe: a.recipe ?? null,
    name: a.name,
    triggerType: a.trigger.type,
    triggerValue: triggerValueOf(a.trigger),
    triggerSegment: a.trigger.type === 'segment_entered' ? a.trigger.segment : '',
    conditions: {
      segmentIs: c.segmentIs?.[0] ?? '',
      segmentIsNot: c.segmentIsNot?.[0] ?? '',
      churnRisk: rangeText(c.churnRisk),
      predictedValue: rangeText(c.predictedValue),
      lifetimeValue: rangeText(c.lifetimeValue),
      orders: rangeText(c.orders),
      consentOn: c.consentOn ?? '',
      boughtProduct: c.boughtProduct ?? '',
      boughtCategory: c.boughtCategory ?? '',
      country: (c.country ?? []).join(', '),
      hasTag: c.hasTag ?? '',
      lacksTag: c.lacksTag ?? '',
    },
    actions: a.actions.map((x) => ({
      ...emptyAction(x.type),
      ...(x.type === 'send'
        ? { channel: x.channel, templateId: text(x.templateId), orNextConsented: x.orNextConsented ?? false }
        : x.type === 'tag'
          ? { tag: x.tag, remove: x.remove ?? false }
          : x.type === 'call_url'
            ? { url: x.url }
            : { hours: text(x.hours) }),
    })),
    priority: text(a.priority ?? 10),
    cooldownDays: text(a.cooldownDays ?? 30),
    holdoutPercent: text(a.holdoutPercent ?? 10),
  };
}

/** A typed number: a comma works as a decimal point; empty is null; what cannot be read is NaN. */
export function readNumber(value: string): number | null {
  const t = value.trim().replace(',', '.');
  if (t === '') return null;
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : Number.NaN;
}
const required = (value: string) => readNumber(value) ?? Number.NaN;
const optionalText = (value: string) => (value.trim() === '' ? null : value.trim());

function range(r: RangeDraft): { min: number | null; max: number | null } | null {
  const min = readNumber(r.min);
  const max = readNumber(r.max);
  return min === null && max === null ? null : { min, max };
}

export function toTrigger(d: Draft): Trigger {
  const n = required(d.triggerValue);
  switch (d.triggerType) {
    case 'churn_risk':
      return { type: 'churn_risk', atLeast: n };
    case 'product_intent':
      return { type: 'product_intent', atLeast: n };
    case 'abandoned_cart':
      return { type: 'abandoned_cart', afterHours: n };
    case 'ltv_milestone':
      return { type: 'ltv_milestone', amount: n };
    case 'no_purchase':
      return { type: 'no_purchase', days: n };
    case 'segment_entered':
      return { type: 'segment_entered', segment: d.triggerSegment };
    case 'first_purchase':
      return { type: 'first_purchase' };
    case 'purchase_overdue':
      return { type: 'purchase_overdue' };
  }
}

export function toConditions(c: ConditionsDraft): Conditions {
  return {
    segmentIs: c.segmentIs ? [c.segmentIs] : [],
    segmentIsNot: c.segmentIsNot ? [c.segmentIsNot] : [],
    churnRisk: range(c.churnRisk),
    predictedValue: range(c.predictedValue),
    lifetimeValue: range(c.lifetimeValue),
    orders: range(c.orders),
    consentOn: c.consentOn === '' ? null : c.consentOn,
    boughtProduct: optionalText(c.boughtProduct),
    boughtCategory: optionalText(c.boughtCategory),
    country: c.country
      .split(/[\s,;]+/)
      .map((x) => x.trim())
      .filter((x) => x !== ''),
    hasTag: optionalText(c.hasTag),
    lacksTag: optionalText(c.lacksTag),
  };
}

export function toInput(d: Draft): AutomationInput {
  return {
    ...(d.id ? { id: d.id } : {}),
    name: d.name,
    recipe: d.recipe,
    trigger: toTrigger(d),
    conditions: toConditions(d.conditions),
    actions: d.actions.map((a) =>
      a.type === 'send'
        ? {
            type: 'send' as const,
            channel: a.channel,
            // None chosen goes as 0, which the contract refuses with "Choose a template" (null would read "expected number").
            templateId: a.templateId === '' ? 0 : required(a.templateId),
            orNextConsented: a.orNextConsented,
          }
        : a.type === 'tag'
          ? { type: 'tag' as const, tag: a.tag, remove: a.remove }
          : a.type === 'call_url'
            ? { type: 'call_url' as const, url: a.url }
            : { type: 'wait' as const, hours: required(a.hours) },
    ),
    priority: required(d.priority),
    cooldownDays: required(d.cooldownDays),
    holdoutPercent: required(d.holdoutPercent),
  };
}

/** How many conditions the draft sets (the folded "Only customers who…" part says it). */
export function conditionCount(c: ConditionsDraft): number {
  const set = toConditions(c);
  return [
    set.segmentIs.length > 0,
    set.segmentIsNot.length > 0,
    set.churnRisk,
    set.predictedValue,
    set.lifetimeValue,
    set.orders,
    set.consentOn,
    set.boughtProduct,
    set.boughtCategory,
    set.country.length > 0,
    set.hasTag,
    set.lacksTag,
  ].filter(Boolean).length;
}
