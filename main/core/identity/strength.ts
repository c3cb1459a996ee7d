/**
 * Profile strength: how sure we are a profile is one real, reachable person,
 * from the identifiers it holds. Each identifier type has a weight (the
 * chance it alone pins down one person); strength = 1 − Π(1 − weight), so
 * more and better identifiers approach 1 and no single weak one dominates.
 *
 *   shopify/pos customer id 0.45  — issued by a system to one account
 *   email                   0.40  — personal, rarely shared
 *   loyalty_id              0.40  — a card issued to one person
 *   whatsapp_user_id        0.35  — one WhatsApp account
 *   phone                   0.30  — personal, but families share some
 *   qr_id                   0.15  — a code a customer scanned
 *   device_id               0.10  — shared tills and tablets exist
 *   cookie_id               0.05  — browsers are cleared and shared
 */
import type { IdentifierType } from '../../../shared/events';

export const STRENGTH_WEIGHTS: Record<IdentifierType, number> = {
  shopify_customer_id: 0.45,
  pos_customer_id: 0.45,
  email: 0.4,
  loyalty_id: 0.4,
  whatsapp_user_id: 0.35,
  phone: 0.3,
  qr_id: 0.15,
  device_id: 0.1,
  cookie_id: 0.05,
};

/** Identifier types a household or a shop device may share: a match on these alone is weaker evidence. */
export const SHAREABLE_TYPES: ReadonlySet<string> = new Set(['phone', 'device_id', 'cookie_id', 'qr_id']);

export function profileStrength(types: readonly string[]): number {
  let miss = 1;
  for (const type of types) miss *= 1 - (STRENGTH_WEIGHTS[type as IdentifierType] ?? 0);
  return Math.round((1 - miss) * 1000) / 1000;
}
