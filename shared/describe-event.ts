/** One plain line per event for the customer timeline: "Bought 2 items for 42.50 GBP (order #1001)". */
import type { EventPayload } from './events';

export function formatMoney(amount: number, currency: string): string {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).format(amount);
  } catch {
    return `${amount.toFixed(2)} ${currency}`;
  }
}

export function describeEvent(type: string, payload: EventPayload, shopCurrency: string): string {
  const currency = payload.currency ?? shopCurrency;
  const money = payload.total !== undefined ? formatMoney(payload.total, currency) : undefined;
  const items = payload.items ?? [];
  const count = items.reduce((n, item) => n + (item.quantity ?? 1), 0);
  const firstTitle = items[0]?.title ?? items[0]?.sku;
  const order = payload.orderId ? ` (order ${payload.orderId})` : '';
  switch (type) {
    case 'purchase':
      return `Bought ${count > 0 ? `${count} item${count === 1 ? '' : 's'} ` : ''}for ${money ?? 'an unknown amount'}${order}`;
    case 'refund':
      return `Refunded ${money ?? 'an unknown amount'}${order}`;
    case 'cancellation':
      return `Cancelled order ${payload.orderId ?? ''}`.trim();
    case 'cart_add':
      return firstTitle ? `Added ${firstTitle} to the cart` : 'Added something to the cart';
    case 'checkout_started':
      return money ? `Started checkout for ${money}` : 'Started checkout';
    case 'cart_abandoned':
      return money ? `Left a checkout of ${money} unfinished` : 'Left a checkout unfinished';
    case 'product_view':
      return firstTitle ? `Looked at ${firstTitle}` : 'Looked at a product';
    case 'search':
      return `Searched for "${payload.query ?? ''}"`;
    case 'message_in':
      return payload.text ? `Sent a message: "${truncate(payload.text, 80)}"` : 'Sent a message';
    case 'message_out':
      return payload.text ? `We sent: "${truncate(payload.text, 80)}"` : 'We sent a message';
    case 'visit':
      return 'Visited';
    case 'loyalty_scan':
      return 'Scanned their loyalty card';
    case 'referral':
      return 'Referred someone';
    case 'profile_update':
      return 'Updated their details';
    default:
      return type;
  }
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
