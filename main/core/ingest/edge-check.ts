/**
 * The limits (shared/limits.ts) checked on a verified webhook body before it
 * is accepted, with no database access, so the receiver can refuse it (400)
 * and keep nothing of it but the log line. Shopify and Meta retry a refused
 * delivery with the same body, which is refused again; that costs a log row
 * each time (refused rows are bounded) and never stores half of it.
 *
 * Only broken limits refuse: a body of another shape than expected is still
 * accepted and kept as received (Shopify would otherwise retry, then give up
 * on a body that will never read differently), as before.
 *
 * Every string in the body counts (depth, well-formed text, ≤ 100,000
 * characters: Shopify's longest fields, notes and URLs, are a few thousand);
 * the fields read into events are held to the event limits as they are read.
 *
 * Cost: reading an order (zod, about 50 µs here) now happens before the
 * answer instead of just after it; what it read is handed to the reading
 * (webhook-intake `rememberMapping`), so each order is still parsed once. The
 * walk over the body adds about 3 µs. Measured with `npm run bench --
 * webhooks` on this (shared, noisy) machine: the server's busy time per
 * delivery rose by roughly 5–15%, all of it now inside the answer's window.
 */
import { validationError } from '../../../shared/contract/validation';
import { limitMessage } from '../../../shared/events';
import { jsonProblem, MAX_DEPTH, pathText } from '../../../shared/limits';
import { mapShopify, type ShopifyMapping } from './sources/shopify';
import { readCheckout } from './sources/shopify-checkouts';
import { mapWhatsApp } from './sources/whatsapp';
import { PRIVACY_TOPICS, privacyCustomer } from './webhook-intake';

export const MAX_WEBHOOK_STRING_CHARS = 100_000;

function structureProblem(json: unknown): string | undefined {
  const problem = jsonProblem(json, MAX_DEPTH, MAX_WEBHOOK_STRING_CHARS);
  if (!problem) return undefined;
  return `${problem.path.length > 0 ? pathText(problem.path) : 'the body'}: ${problem.message}`;
}

/** Topics whose events depend on nothing but the body: what the check read is reused when they are read. */
const PURE_TOPICS = new Set(['orders/create', 'orders/paid', 'orders/updated', 'orders/cancelled']);

/**
 * A verified Shopify delivery checked: why it breaks a limit ("field: what"), or, for an order, what it
 * reads as (so it is not parsed twice). `now`: when it was received. A privacy request (acted on at once)
 * must also be readable: one that is not is refused rather than acknowledged undone.
 */
export function checkShopifyDelivery(
  topic: string,
  json: unknown,
  now: number,
): { problem: string; mapped?: undefined } | { problem?: undefined; mapped?: ShopifyMapping } {
  const structure = structureProblem(json);
  if (structure) return { problem: structure };
  if (PRIVACY_TOPICS.has(topic)) {
    const parsed = privacyCustomer.safeParse(json);
    return parsed.success
      ? {}
      : { problem: `the privacy request cannot be read: ${validationError(parsed.error, 'body').message}` };
  }
  try {
    if (topic.startsWith('checkouts/')) readCheckout(json, now);
    else {
      // Refunds find their customer from the order in the database; that never changes what is checked here.
      const mapped = mapShopify(topic, json, () => undefined, new Date(now));
      if (PURE_TOPICS.has(topic)) return { mapped };
    }
  } catch (error) {
    const problem = limitMessage(error);
    return problem ? { problem } : {};
  }
  return {};
}

/** Why a verified WhatsApp delivery breaks a limit, or undefined. */
export function whatsappLimitProblem(json: unknown, now: number): string | undefined {
  const structure = structureProblem(json);
  if (structure) return structure;
  try {
    mapWhatsApp(json, now);
  } catch (error) {
    return limitMessage(error);
  }
  return undefined;
}
