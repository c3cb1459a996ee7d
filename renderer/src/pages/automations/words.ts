/**
 * The Automations page's words: each trigger as the shop owner says it, with the one number or name it needs, and
 * each decision's outcome.
 */
import type { DecisionOutcome, TriggerType } from '../../../../shared/contract/automations';

export interface TriggerWords {
  /** What the select offers. */
  label: string;
  /** The trigger's own field, when it has one: its key in the contract, its label and the hint under it. */
  field?: { key: 'atLeast' | 'afterHours' | 'amount' | 'segment' | 'days'; label: string; hint: string };
  /** What being "in the state" means, for the live count ("… of them are at risk now"). Null: it waits for an event. */
  state: string | null;
}

export const TRIGGER_WORDS: Record<TriggerType, TriggerWords> = {
  churn_risk: {
    label: 'Their churn risk reaches a level',
    field: {
      key: 'atLeast',
      label: 'Churn risk at least (%)',
      hint: 'From 0 to 100. 60 means: likely to stop buying.',
    },
    state: 'at that churn risk now',
  },
  abandoned_cart: {
    label: 'They leave a cart or checkout without buying',
    field: {
      key: 'afterHours',
      label: 'Hours to wait after the cart',
      hint: 'If they buy within this time, nothing is sent.',
    },
    state: null,
  },
  product_intent: {
    label: 'They keep looking at a product',
    field: {
      key: 'atLeast',
      label: 'Interest score at least (0–100)',
      hint: 'Once per product. Products in a cart are left to the cart reminder.',
    },
    state: 'that interested in a product now',
  },
  ltv_milestone: {
    label: 'Their total spend reaches an amount',
    field: { key: 'amount', label: 'Lifetime value at least', hint: 'In your currency. Once per customer, ever.' },
    state: 'past that amount now',
  },
  first_purchase: { label: 'They buy for the first time (welcome)', state: null },
  purchase_overdue: { label: 'Their next purchase is overdue', state: 'overdue now' },
  segment_entered: {
    label: 'They join a segment',
    field: { key: 'segment', label: 'Segment', hint: 'Each time a customer joins it.' },
    state: 'in that segment now',
  },
  no_purchase: {
    label: 'They have not bought for a number of days',
    field: { key: 'days', label: 'Days without a purchase', hint: 'Once per gap: it can fire again after they buy.' },
    state: 'that long without a purchase now',
  },
};

export const OUTCOME_WORDS: Record<DecisionOutcome, string> = {
  fired: 'Done',
  skipped: 'Not sent',
  waiting: 'Waiting',
  held: 'Held',
  failed: 'Failed',
  cancelled: 'Cancelled',
  held_out: 'Held out',
};

/** The colour of an outcome, as the Messages page colours a status (none: plain text). */
export const OUTCOME_TONE: Record<DecisionOutcome, 'good' | 'waiting' | 'bad' | null> = {
  fired: 'good',
  skipped: null,
  waiting: 'waiting',
  held: 'waiting',
  failed: 'bad',
  cancelled: null,
  held_out: null,
};

export const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString()} ${n === 1 ? one : many}`;
