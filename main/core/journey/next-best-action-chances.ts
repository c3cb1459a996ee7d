/**
 * The chance an action changes what a customer does: the automation's own measured uplift where "Did it help?"
 * found one (the difference in the share who bought, messaged − held out, status `effect`), else a stated default per
 * kind of action, always said as such.
 *
 * Where the defaults come from: they are ConstIntel's own assumptions, set low on purpose. Measured with a holdout,
 * marketing messages move the share of customers who buy by a few points at most — far below what "attributed
 * revenue" credits them with (issue 19's example: a welcome flow credited with 33% of a shop's revenue was worth
 * about 4% when paused). Messages sent at a moment of need (a cart left, a product looked at again) are set a little
 * higher than general ones; a personal call from the shop higher still; a tag changes nothing by itself, only by
 * letting an automation reach them. Each default gives way to the shop's own figure as soon as there is one.
 */
import type { Trigger } from '../../../shared/contract/automations';
import type { ComparisonView } from '../../../shared/contract/uplift';
import { automationComparison } from '../automations/comparison';
import type { Automation } from '../automations/definition';
import type { EngineContext } from '../context';
import { decisionLog } from '../db/repos/automations';

export interface DefaultChance {
  chance: number;
  /** "a win-back message": what the default is for, in words. */
  what: string;
}

/** The stated defaults, per kind of action (see the header for where they come from). */
export const DEFAULT_CHANCES = {
  winBack: { chance: 0.03, what: 'a win-back message' },
  abandonedCart: { chance: 0.05, what: 'a cart reminder' },
  productInterest: { chance: 0.04, what: 'a message about a product they looked at' },
  restock: { chance: 0.04, what: 'a "time to restock" message' },
  thanks: { chance: 0.02, what: 'a thank-you message' },
  welcome: { chance: 0.02, what: 'a welcome message' },
  segment: { chance: 0.02, what: 'a message for a segment' },
  template: { chance: 0.02, what: 'a one-off message' },
  tag: { chance: 0.01, what: 'a tag an automation looks for' },
  call: { chance: 0.1, what: 'a call from the shop' },
} as const satisfies Record<string, DefaultChance>;

export function defaultForTrigger(trigger: Trigger): DefaultChance {
  switch (trigger.type) {
    case 'churn_risk':
    case 'no_purchase':
      return DEFAULT_CHANCES.winBack;
    case 'abandoned_cart':
      return DEFAULT_CHANCES.abandonedCart;
    case 'product_intent':
      return DEFAULT_CHANCES.productInterest;
    case 'purchase_overdue':
      return DEFAULT_CHANCES.restock;
    case 'ltv_milestone':
      return DEFAULT_CHANCES.thanks;
    case 'first_purchase':
      return DEFAULT_CHANCES.welcome;
    case 'segment_entered':
      return DEFAULT_CHANCES.segment;
  }
}

export interface Chance {
  chance: number;
  source: 'measured' | 'default';
  words: string;
}

// Formatters made once (`toLocaleString` with options builds one per call; an export says these for every row).
const ONE_DECIMAL = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 });
const WHOLE = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });
export const percent = (x: number) => `${(x * 100 < 10 ? ONE_DECIMAL : WHOLE).format(x * 100)}%`;
const points = (x: number) => `${ONE_DECIMAL.format(x * 100)} point${Math.abs(x * 100) === 1 ? '' : 's'}`;

export function statedDefault(d: DefaultChance, why?: string): Chance {
  return {
    chance: d.chance,
    source: 'default',
    words: `default for ${d.what}: ${percent(d.chance)}${why ? ` (${why})` : ''}`,
  };
}

/**
 * "Did it help?" is worked out from every occasion in its window (a bootstrap over customers): read again only when
 * the automation changed, decided anything new, or a minute passed, not once per customer shown.
 */
const cache = new WeakMap<EngineContext, Map<number, { key: string; view: ComparisonView }>>();

function comparisonOf(ctx: EngineContext, a: Automation): ComparisonView {
  const mine = cache.get(ctx) ?? new Map<number, { key: string; view: ComparisonView }>();
  cache.set(ctx, mine);
  const newest = decisionLog(ctx.db, ctx.brandId, { automationId: a.id, limit: 1 })[0]?.id ?? 0;
  const key = `${a.updatedAt}:${newest}:${Math.floor(ctx.clock.now().getTime() / 60_000)}`;
  const hit = mine.get(a.id);
  if (hit?.key === key) return hit.view;
  const view = automationComparison(ctx, a.id);
  mine.set(a.id, { key, view });
  return view;
}

/** The automation's measured uplift when "Did it help?" found an effect, else its default, saying which and why. */
export function automationChance(ctx: EngineContext, a: Automation): Chance {
  const d = defaultForTrigger(a.trigger);
  const view = comparisonOf(ctx, a);
  const share = view.boughtShare;
  if (view.status === 'effect' && share) {
    const chance = Math.min(1, Math.max(0, share.estimate));
    const range = `between ${points(share.low)} and ${points(share.high)}`;
    const words =
      share.estimate > 0
        ? `measured by “Did it help?”: ${points(share.estimate)} more of those it messaged bought (${range})`
        : `measured by “Did it help?”: it did not raise buying (${points(share.estimate)}, ${range}), so no chance is counted`;
    return { chance, source: 'measured', words };
  }
  const why =
    view.status === 'none'
      ? 'not measured yet: nobody held out to compare with'
      : view.status === 'too_few'
        ? 'not measured yet: too few customers to tell'
        : 'its measurement found no clear difference yet';
  return statedDefault(d, why);
}
