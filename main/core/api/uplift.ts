/** Handlers for "Did it help?": one automation's or campaign's comparison, and all automations' against the shop-wide group. */
import { automationComparison, shopComparison } from '../automations/comparison';
import { handlers } from './registry';

export const upliftHandlers = handlers({
  'automations.comparison': ({ id }, ctx) => automationComparison(ctx, id),
  'automations.shopComparison': (_input, ctx) => shopComparison(ctx),
});
