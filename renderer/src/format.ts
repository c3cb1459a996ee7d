/** Plain words for what the backend stores: money, dates, identifier types, sources, match confidence, churn risk. */
import type { RiskBandsView, RiskLevel } from '../../shared/contract/customers';
import { formatRisk } from '../../shared/risk-band';

const number = new Intl.NumberFormat();
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatNumber(value: number): string {
  return number.format(value);
}

/** Money in the shop's currency; without a currency (lists), a plain amount with two decimals. */
export function formatMoney(value: number, currency?: string | null): string {
  if (currency) {
    try {
      return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(value);
    } catch {
      // An unknown code: fall through and still show the amount, with the code after it.
      return `${formatAmount(value)} ${currency}`;
    }
  }
  return formatAmount(value);
}

function formatAmount(value: number): string {
  return new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value);
}

function parse(iso: string | null | undefined): Date | undefined {
  if (!iso) return undefined;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** A readable local date ("1 Mar 2026"), or the fallback when there is none. */
export function formatDate(iso: string | null | undefined, fallback = '—'): string {
  const date = parse(iso);
  return date ? dateFormat.format(date) : fallback;
}

export function formatDateTime(iso: string | null | undefined, fallback = '—'): string {
  const date = parse(iso);
  return date ? dateTimeFormat.format(date) : fallback;
}

const IDENTIFIER_LABELS: Record<string, string> = {
  email: 'Email',
  phone: 'Phone',
  whatsapp: 'WhatsApp number',
  loyalty_id: 'Loyalty number',
  device_id: 'Device',
  cookie_id: 'Cookie',
  qr_id: 'QR code',
  shopify_customer_id: 'Shopify customer',
  pos_customer_id: 'POS customer',
  whatsapp_user_id: 'WhatsApp user',
};

export function identifierLabel(type: string): string {
  return IDENTIFIER_LABELS[type] ?? type.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
}

const SOURCE_LABELS: Record<string, string> = {
  api: 'the event API',
  shopify: 'Shopify',
  whatsapp: 'WhatsApp',
  pos: 'the till (POS)',
  csv: 'an import',
  import: 'an import',
  review: 'a merge you approved',
};

export function sourceLabel(source: string): string {
  return SOURCE_LABELS[source] ?? source;
}

/** "#3", "#3 and #7", "#3, #7 and #9". */
export function listIds(ids: readonly number[]): string {
  const tags = ids.map((id) => `#${id}`);
  if (tags.length <= 1) return tags.join('');
  return `${tags.slice(0, -1).join(', ')} and ${tags[tags.length - 1]}`;
}

/** Profile strength (0 to 1) in words: how sure ConstIntel is that these details are one person. */
export function confidence(strength: number): { word: 'high' | 'medium' | 'low'; title: string } {
  const word = strength >= 0.7 ? 'high' : strength >= 0.4 ? 'medium' : 'low';
  return { word, title: `Profile strength ${strength.toFixed(2)} on a scale from 0 to 1` };
}

export function customerName(name: string | null | undefined): string {
  return name?.trim() ? name : '(no name)';
}

const timestampFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** Date and time to the second ("1 Mar 2026, 09:14:05"), for logs where minutes are not enough. */
export function formatTimestamp(iso: string | null | undefined, fallback = '—'): string {
  const date = parse(iso);
  return date ? timestampFormat.format(date) : fallback;
}

const PROVIDER_LABELS: Record<string, string> = { shopify: 'Shopify', whatsapp: 'WhatsApp' };

/** Who sent a webhook delivery. */
export function providerLabel(provider: string): string {
  return PROVIDER_LABELS[provider] ?? provider.replace(/^./, (c) => c.toUpperCase());
}

const OUTCOME_LABELS: Record<string, string> = {
  accepted: 'Received',
  duplicate: 'Repeat, ignored',
  bad_signature: 'Refused: wrong signature',
  too_large: 'Refused: too large',
  invalid: 'Refused: not readable',
  unknown_shop: 'Refused: store not connected',
  refused: 'Refused',
};

/** What became of a webhook delivery, in words. */
export function deliveryOutcome(outcome: string): string {
  return OUTCOME_LABELS[outcome] ?? outcome.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
}

/** Whether a delivery outcome means the delivery was taken in (a repeat was taken in before). */
export function deliveryTaken(outcome: string): boolean {
  return outcome === 'accepted' || outcome === 'duplicate';
}

/** Money rounded to whole units ("£12"), for figures where pennies would be noise (model errors, chart axes). */
export function formatWholeMoney(value: number, currency?: string | null): string {
  if (currency) {
    try {
      return new Intl.NumberFormat(undefined, { style: 'currency', currency, maximumFractionDigits: 0 }).format(value);
    } catch {
      // An unknown code: the amount, with the code after it.
    }
  }
  return `${number.format(Math.round(value))}${currency ? ` ${currency}` : ''}`;
}

/** A share from 0 to 1 as a whole percentage ("78%"). */
export function formatPercent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

/** A chance from 0 to 1 as a percentage, never claiming certainty: "<1%", "72%", ">99%". */
export function formatChance(chance: number): string {
  if (chance < 0.005) return '<1%';
  if (chance >= 0.995) return '>99%';
  return formatPercent(chance);
}

export type RiskBand = RiskLevel;

const RISK_WORDS: Record<RiskBand, string> = { high: 'High risk', medium: 'Medium risk', low: 'Low risk' };
const BAND_WORDS: Record<RiskBand, string> = { high: 'High', medium: 'Medium', low: 'Low' };

/** "High risk", "Medium risk" or "Low risk". */
export function riskWords(band: RiskBand): string {
  return RISK_WORDS[band];
}

/** A churn risk as a percentage: "83%", with a decimal near either end ("99.6%"); never "100%". */
export { formatRisk };

/** A band with its probability beside it, as the lists show churn risk: "High · 83%". */
export function riskWithChance(band: RiskBand, chance: number): string {
  return `${BAND_WORDS[band]} · ${formatRisk(chance)}`;
}

/** A risk level's line as a percentage, as customers' risks are shown ("62%", "99.6%"). */
function formatThreshold(value: number): string {
  return value <= 0 ? '0%' : formatRisk(value);
}

/**
 * The active version's risk levels in words: what each band covers ("62% or more", "18% to 62%", "under 18%") and,
 * when they were set from the shop's own customers, the usual risk they were set from.
 */
export function riskLevels(bands: RiskBandsView): {
  high: string;
  medium: string;
  low: string;
  usual: string | null;
} {
  // Past 99.9% a line reads "over 99.9%", as the risks beyond it are shown (">99.9%").
  const top = bands.high >= 0.9995;
  const high = top ? '99.9%' : formatThreshold(bands.high);
  const low = formatThreshold(bands.low);
  return {
    high:
      bands.high >= 1 ? 'nobody (every customer is about as likely to stay)' : top ? 'over 99.9%' : `${high} or more`,
    medium: `${low} to ${top ? '' : 'under '}${high}`,
    low: `under ${low}`,
    usual: bands.baseRate === null ? null : formatThreshold(bands.baseRate),
  };
}

/** How long something took, in words: "0.8 seconds", "12 seconds", "2 min 5 s". */
export function formatDuration(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 10) return `${seconds.toFixed(1)} seconds`;
  if (seconds < 60) return `${Math.round(seconds)} seconds`;
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds - minutes * 60);
  return rest > 0 ? `${minutes} min ${rest} s` : `${minutes} min`;
}

/**
 * A calendar day ("12 Dec 2026"). A bare "2026-12-12", or that day at midnight UTC as the backend writes days, is
 * that day wherever this PC is, not the evening before west of London.
 */
export function formatDay(iso: string | null | undefined, fallback = '—'): string {
  const day = iso ? /^(\d{4})-(\d{2})-(\d{2})(?:T00:00(?::00(?:\.0+)?)?Z)?$/.exec(iso) : null;
  if (day) return dateFormat.format(new Date(Number(day[1]), Number(day[2]) - 1, Number(day[3])));
  return formatDate(iso, fallback);
}

/** A count that may be fractional, to one decimal ("2.1", "0.4"). */
export function formatDecimal(value: number): string {
  return new Intl.NumberFormat(undefined, { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(value);
}

/** What a band means for this shop, in a sentence: "High for your shop means 62% or more (usual: 36%)". */
export function bandMeaning(band: RiskBand, bands: RiskBandsView): string {
  const levels = riskLevels(bands);
  const usual = levels.usual ? ` (usual: ${levels.usual})` : ' (fixed levels)';
  return `${BAND_WORDS[band]} for your shop means ${levels[band]}${usual}`;
}
