/**
 * The ready-made automations (the page's recipes and `constintel automations add --recipe`): each a trigger, the
 * conditions that keep it polite, and a message. A recipe's message is a template named after it and its channel
 * ("Win back (email)"); the shop's own template of that name is used when there is one, else the recipe's text is
 * saved as that template when the recipe is used, so the shop can edit it on the Templates page.
 */
import type { AutomationDefinition, Recipe, RecipeName } from '../../../shared/contract/automations';
import { AppError } from '../../../shared/contract/errors';
import { listTemplates, saveTemplate } from '../channels/template-store';
import type { ChannelName } from '../channels/types';
import type { EngineContext } from '../context';
import { buyerCount, buyerValueAt } from '../db/repos/profiles';

interface RecipeText {
  title: string;
  description: string;
  subject: string;
  body: string;
}

const TEXT: Record<RecipeName, RecipeText> = {
  'win-back': {
    title: 'Win back customers at risk',
    description:
      'When a customer’s churn risk reaches a threshold, send them a personal note. Once per crossing, at most once a month.',
    subject: 'We miss you, {{first_name}}',
    body: 'Hello {{first_name}},\n\nIt has been a while since your last visit to {{shop_name}}. We thought you might like {{recommended_product}}: come and see us soon.\n\n{{unsubscribe_link}}',
  },
  'abandoned-cart': {
    title: 'Abandoned cart reminder',
    description:
      'When someone adds to their cart or starts a checkout and has not bought a few hours later, remind them once. A purchase cancels it.',
    subject: 'You left something in your cart',
    body: 'Hello {{first_name}},\n\nYou left something in your cart at {{shop_name}}. It is still there if you want it.\n\n{{unsubscribe_link}}',
  },
  'product-interest': {
    title: 'They keep looking at a product',
    description:
      'When a customer’s interest in a product is high (views, cart adds, searches), tell them about it. Once per product.',
    subject: 'Still thinking about it, {{first_name}}?',
    body: 'Hello {{first_name}},\n\nWe noticed you like {{recommended_product}}. Ask us anything about it at {{shop_name}}.\n\n{{unsubscribe_link}}',
  },
  'best-customers': {
    title: 'Thank your best customers',
    description:
      'When a customer’s lifetime value reaches a milestone, thank them and tag them VIP. Once per customer.',
    subject: 'Thank you, {{first_name}}',
    body: 'Hello {{first_name}},\n\nThank you for being one of {{shop_name}}’s best customers. We are glad to have you.\n\n{{unsubscribe_link}}',
  },
  welcome: {
    title: 'Welcome after a first purchase',
    description: 'When someone buys for the first time, welcome them. Once per customer.',
    subject: 'Welcome to {{shop_name}}',
    body: 'Hello {{first_name}},\n\nThank you for your first order at {{shop_name}}. We hope you enjoy {{last_product}}.\n\n{{unsubscribe_link}}',
  },
  restock: {
    title: 'Time to restock',
    description:
      'When a customer is past the date their own buying rhythm says they would buy again, remind them. Once after each purchase.',
    subject: 'Time for more {{last_product}}?',
    body: 'Hello {{first_name}},\n\nIt may be time to restock {{last_product}}. We have it ready for you at {{shop_name}}.\n\n{{unsubscribe_link}}',
  },
};

const CHANNEL_NAME: Record<ChannelName, string> = { email: 'email', sms: 'SMS', whatsapp: 'WhatsApp' };
const SHORT: Record<RecipeName, string> = {
  'win-back': 'Win back',
  'abandoned-cart': 'Abandoned cart',
  'product-interest': 'Product interest',
  'best-customers': 'Best customers',
  welcome: 'Welcome',
  restock: 'Restock',
};

export const templateNameOf = (recipe: RecipeName, channel: ChannelName) =>
  `${SHORT[recipe]} (${CHANNEL_NAME[channel]})`;

/** The lifetime value of the shop's top 10% of buyers (rounded), else 500: the default milestone. */
function milestone(ctx: EngineContext): number {
  const buyers = buyerCount(ctx.db, ctx.brandId);
  // Values in ascending order: the top tenth starts this far in.
  const value = buyers >= 10 ? buyerValueAt(ctx.db, ctx.brandId, buyers - Math.ceil(buyers / 10)) : undefined;
  if (value === undefined || value <= 0) return 500;
  const step = value >= 1000 ? 100 : value >= 100 ? 50 : 10;
  return Math.max(step, Math.round(value / step) * step);
}

function body(recipe: RecipeName, channel: ChannelName): string {
  const text = TEXT[recipe].body;
  return channel === 'email' ? text : text.replace('{{unsubscribe_link}}', 'Reply STOP to stop these messages.');
}

/** The recipe's template on this channel: the shop's own by that name, else the recipe's text saved as it (`save`). */
function templateFor(ctx: EngineContext, recipe: RecipeName, channel: ChannelName, save: boolean): number | null {
  const templates = listTemplates(ctx.db);
  // The recipe's name, or (when the shop gave that name to a template on another channel) the first free "… 2".
  for (let n = 1; n < 20; n++) {
    const name = n === 1 ? templateNameOf(recipe, channel) : `${templateNameOf(recipe, channel)} ${n}`;
    const found = templates.find((t) => t.name.toLowerCase() === name.toLowerCase());
    if (found?.channel === channel) return found.id;
    if (found) continue;
    if (!save) return null;
    return saveTemplate(
      ctx.db,
      {
        name,
        channel,
        subject: channel === 'email' ? TEXT[recipe].subject : null,
        body: body(recipe, channel),
        whatsapp: null,
      },
      ctx.clock.now().getTime(),
    ).id;
  }
  throw new AppError('conflict', `Too many templates are named “${templateNameOf(recipe, channel)}”: rename some.`);
}

export interface RecipeOptions {
  channel?: ChannelName | undefined;
  /** The trigger's number: churn risk %, hours after a cart, interest score, lifetime value. */
  threshold?: number | undefined;
}

function definition(
  ctx: EngineContext,
  recipe: RecipeName,
  channel: ChannelName,
  templateId: number,
  threshold: number | undefined,
): AutomationDefinition {
  const send = { type: 'send' as const, channel, templateId, orNextConsented: false };
  const base = {
    name: TEXT[recipe].title,
    conditions: {
      segmentIs: [],
      segmentIsNot: [],
      churnRisk: null,
      predictedValue: null,
      lifetimeValue: null,
      orders: null,
      consentOn: null,
      boughtProduct: null,
      boughtCategory: null,
      country: [],
      hasTag: null,
      lacksTag: null,
    },
    cooldownDays: 30,
    recipe,
    holdoutPercent: 10,
  };
  switch (recipe) {
    case 'win-back':
      return { ...base, trigger: { type: 'churn_risk', atLeast: threshold ?? 60 }, actions: [send], priority: 2 };
    case 'abandoned-cart':
      return {
        ...base,
        trigger: { type: 'abandoned_cart', afterHours: threshold ?? 4 },
        actions: [send],
        priority: 1,
        cooldownDays: 7,
      };
    case 'product-interest':
      return { ...base, trigger: { type: 'product_intent', atLeast: threshold ?? 70 }, actions: [send], priority: 3 };
    case 'best-customers':
      return {
        ...base,
        trigger: { type: 'ltv_milestone', amount: threshold ?? milestone(ctx) },
        actions: [{ type: 'tag', tag: 'VIP', remove: false }, send],
        priority: 4,
      };
    case 'welcome':
      return { ...base, trigger: { type: 'first_purchase' }, actions: [send], priority: 5 };
    case 'restock':
      return { ...base, trigger: { type: 'purchase_overdue' }, actions: [send], priority: 6 };
  }
}

/** A recipe as an automation ready to save (its template saved when it was missing). */
export function recipeAutomation(
  ctx: EngineContext,
  recipe: RecipeName,
  options: RecipeOptions = {},
): AutomationDefinition {
  const channel = options.channel ?? 'email';
  const templateId = templateFor(ctx, recipe, channel, true) as number;
  return definition(ctx, recipe, channel, templateId, options.threshold);
}

/**
 * Every recipe for the page, by email. Each recipe's email template is saved the first time the recipes are listed
 * (when the shop has none by that name), so the editor can name it and the shop can change its words.
 */
export function recipes(ctx: EngineContext): Recipe[] {
  return (Object.keys(TEXT) as RecipeName[]).map((name) => {
    const templateId = ctx.db.sqlite.transaction(() => templateFor(ctx, name, 'email', true)).immediate() as number;
    return {
      name,
      title: TEXT[name].title,
      description: TEXT[name].description,
      automation: definition(ctx, name, 'email', templateId, undefined),
    };
  });
}
