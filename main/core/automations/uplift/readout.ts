/**
 * The comparison in a shop owner's words: what the message brought in money and in buyers, "no effect larger than
 * …" when the range is narrow around zero, or how many more customers are needed while it is still wide. Money is
 * whole units of the shop's currency (en-GB), the share in "N in every 100", so no percentage points or intervals
 * reach the page.
 */
import { customersNeeded } from './intervals';
import type { Interval, Readout, UpliftResult } from './types';

export const ADJUSTED_NOTE = "Adjusted for each customer's predicted value and churn risk, which narrows the range.";

const excludesZero = (i: Interval) => i.low > 0 || i.high < 0;

/** Share points to one decimal, trailing ".0" dropped: 0.0512 → "5.1", 0.02 → "2". */
function points(share: number): string {
  return String(Math.round(Math.abs(share) * 1000) / 10);
}

function moneyFormat(currency: string): (amount: number) => string {
  const format = new Intl.NumberFormat('en-GB', { style: 'currency', currency, maximumFractionDigits: 0 });
  // -0 would print as "-£0".
  return (amount: number) => format.format(Math.abs(Math.round(amount)) || 0);
}

function boughtWords(share: Interval | null): string {
  if (!share) return 'Not enough customers yet to compare who bought.';
  const more = (x: number) => (x >= 0 ? 'more' : 'fewer');
  if (share.low > 0)
    return `${points(share.estimate)} more in every 100 bought (between ${points(share.low)} and ${points(share.high)})`;
  if (share.high < 0)
    return `${points(share.estimate)} fewer in every 100 bought (between ${points(share.high)} and ${points(share.low)})`;
  return `${points(share.estimate)} ${more(share.estimate)} in every 100 bought, but it could be anywhere between ${points(share.low)} fewer and ${points(share.high)} more`;
}

function revenueWords(revenue: Interval | null, messaged: number, money: (x: number) => string): string {
  if (!revenue) return 'Not enough buyers yet to say what it did to revenue.';
  const total = (x: number) => x * messaged;
  const [estimate, low, high] = [total(revenue.estimate), total(revenue.low), total(revenue.high)];
  if (low > 0) return `Brought about ${money(estimate)} more (between ${money(low)} and ${money(high)})`;
  if (high < 0) return `Brought about ${money(estimate)} less (between ${money(high)} and ${money(low)})`;
  const direction = estimate >= 0 ? 'more' : 'less';
  return `Brought about ${money(estimate)} ${direction}, but it could be anywhere between ${money(low)} less and ${money(high)} more`;
}

/**
 * Customers still to come before a difference of `difference` in the share who bought can be seen: enough firings
 * that BOTH groups reach the size `customersNeeded` asks for, given the share held out. The share without the
 * message is estimated from everyone (half a buyer added, so a first handful with no buyer does not claim 0%).
 */
export function moreCustomersNeeded(result: UpliftResult, difference: number, heldOutShare: number): number {
  if (!(heldOutShare > 0 && heldOutShare < 1))
    throw new RangeError(`heldOutShare must be between 0 and 1, got ${heldOutShare}`);
  const customers = result.messaged.customers + result.heldOut.customers;
  const base = (result.messaged.bought + result.heldOut.bought + 0.5) / (customers + 1);
  const perGroup = customersNeeded(base, difference);
  return Math.max(
    0,
    Math.ceil((perGroup - result.heldOut.customers) / heldOutShare),
    Math.ceil((perGroup - result.messaged.customers) / (1 - heldOutShare)),
  );
}

export function readOut(
  result: UpliftResult,
  options: { currency: string; smallestDifference: number; heldOutShare: number },
): Readout {
  const money = moneyFormat(options.currency);
  const share = result.boughtShare;
  const revenue = result.revenuePerCustomer;
  const messaged = result.messaged.customers;
  const bought = boughtWords(share);
  const revenueSentence = revenueWords(revenue, messaged, money);
  const adjustedNote =
    share?.adjusted || revenue?.adjusted || result.ordersPerCustomer?.adjusted ? ADJUSTED_NOTE : null;
  const smallest = Math.abs(options.smallestDifference);

  if (share && (excludesZero(share) || (revenue && excludesZero(revenue)))) {
    const headline = revenue && excludesZero(revenue) ? revenueSentence : bought;
    return { status: 'effect', headline, bought, revenue: revenueSentence, adjustedNote };
  }
  if (share && share.low >= -smallest && share.high <= smallest) {
    const largestShare = Math.max(Math.abs(share.low), Math.abs(share.high));
    const sharePart = `${points(Math.ceil(largestShare * 1000) / 1000)} points of the share who bought`;
    const headline = revenue
      ? `No effect larger than ${money(Math.max(Math.abs(revenue.low), Math.abs(revenue.high)) * messaged)} (${sharePart})`
      : `No effect larger than ${sharePart}`;
    return { status: 'no_effect', headline, bought, revenue: revenueSentence, adjustedNote };
  }
  const more = moreCustomersNeeded(result, smallest, options.heldOutShare);
  const wanted = `Not enough customers yet to see a difference of ${points(smallest)} points in the share who bought`;
  const headline =
    more > 0
      ? `${wanted} (about ${more.toLocaleString('en-GB')} more needed)`
      : `${wanted} (keep it running: the range is still wider than that)`;
  return { status: 'too_few', headline, bought, revenue: revenueSentence, adjustedNote };
}
