/**
 * Consent and opt-out, per channel, from the customer's history (`consent_event`). The rules:
 * - marketing goes only to a `yes` on that channel; not knowing is not a yes;
 * - an opt-out (STOP, unsubscribe, WhatsApp 131050, Twilio 21610) stays until the customer's own later yes: a yes
 *   dated after the opt-out (START on that channel, a Shopify consent dated after it, a yes the shop records by
 *   hand because the customer asked). A yes without a date (an import, an event with no consent date) never undoes it;
 * - otherwise the latest stated yes or no counts.
 * The profile's `*_consent` column follows the effective state (1 yes, 0 no or opted out, null unknown) so the
 * places that read it (explanations, features) agree with these rules.
 */
import type { Database } from '../db/open';
import { findOwner } from '../db/repos/identifiers';
import { stmt } from '../db/statements';
import { steadyOf } from '../db/steady-reads';
import type { ChannelName } from './types';

export const CONSENT_CHANNELS = ['email', 'sms', 'whatsapp'] as const satisfies readonly ChannelName[];
export type StoredConsent = 'yes' | 'no' | 'opted_out';
export type ConsentState = StoredConsent | 'unknown';

export interface ConsentRecord {
  state: StoredConsent;
  source: string;
  detail: string | null;
  /** When the customer said it, if the source dates it; null when undated. */
  occurredAt: number | null;
  recordedAt: number;
}

export interface EffectiveConsent {
  state: ConsentState;
  /** When the state began (the deciding record's date, else when it was recorded); null when unknown. */
  since: number | null;
  source: string | null;
  /** The deciding record's detail ("replied “STOP” on WhatsApp"). */
  detail: string | null;
}

/** How the shop reads each channel. */
export const CHANNEL_WORDS: Record<ChannelName, string> = { email: 'email', sms: 'SMS', whatsapp: 'WhatsApp' };

/** The effective state of one channel from its history, oldest recorded first. Pure. */
export function effectiveConsent(history: readonly ConsentRecord[]): EffectiveConsent {
  let current: EffectiveConsent = { state: 'unknown', since: null, source: null, detail: null };
  let optedOutAt = 0;
  for (const r of history) {
    const at = r.occurredAt ?? r.recordedAt;
    if (r.state === 'opted_out') {
      // Kept from its first opt-out: a second STOP does not move the date the customer first withdrew.
      if (current.state !== 'opted_out')
        current = { state: 'opted_out', since: at, source: r.source, detail: r.detail };
      optedOutAt = Math.max(optedOutAt, at);
    } else if (current.state === 'opted_out') {
      // Only the customer's own yes, dated after the opt-out, reverses it; a "no" adds nothing to an opt-out.
      if (r.state === 'yes' && r.occurredAt !== null && r.occurredAt > optedOutAt)
        current = { state: 'yes', since: r.occurredAt, source: r.source, detail: r.detail };
    } else if (r.state !== current.state) {
      current = { state: r.state, since: at, source: r.source, detail: r.detail };
    }
  }
  return current;
}

/** The column value for a state: 1 yes, 0 no or opted out, null unknown. */
export const columnOf = (state: ConsentState): number | null => (state === 'yes' ? 1 : state === 'unknown' ? null : 0);

const COLUMN: Record<ChannelName, string> = {
  email: 'email_consent',
  sms: 'sms_consent',
  whatsapp: 'whatsapp_consent',
};

/** Oldest recorded first, then first stored: the order the rules read a history in. */
export const byRecorded = (a: { recordedAt: number; id: number }, b: { recordedAt: number; id: number }) =>
  a.recordedAt - b.recordedAt || a.id - b.id;

/** A profile's history (on one channel, or all), oldest first; a merge brings the merged customers' into it. */
export function consentHistory(
  db: Database,
  profileId: number,
  channel?: ChannelName,
): (ConsentRecord & {
  id: number;
  channel: ChannelName;
})[] {
  // Sorted here, not by SQLite: a profile has a few rows, and a sort in the query costs more than the reading.
  const rows = (
    stmt(
      db,
      `SELECT id, channel, state, source, detail, occurred_at AS occurredAt, recorded_at AS recordedAt FROM consent_event
       WHERE profile_id = ?`,
    ).all(profileId) as (ConsentRecord & { id: number; channel: ChannelName })[]
  ).sort(byRecorded);
  return channel ? rows.filter((r) => r.channel === channel) : rows;
}

/** Every channel's effective state for a profile. */
export function consentOf(db: Database, profileId: number): Record<ChannelName, EffectiveConsent> {
  return steadyOf(CONSENT_KIND, profileId, () => consentFromHistory(consentHistory(db, profileId)));
}

/** The steady-reads kind of a profile's consent (automations/prefetch.ts reads a chunk's at once). */
export const CONSENT_KIND = 'consent';

/** Every channel's effective state from a profile's history, oldest recorded first. Pure. */
export function consentFromHistory(
  history: readonly (ConsentRecord & { channel: ChannelName })[],
): Record<ChannelName, EffectiveConsent> {
  const out = {} as Record<ChannelName, EffectiveConsent>;
  for (const channel of CONSENT_CHANNELS) out[channel] = effectiveConsent(history.filter((r) => r.channel === channel));
  return out;
}

/** Sets the profile's flags to what its history says, on the channels that have one (a merge joined two). */
export function refreshConsentColumns(db: Database, profileId: number): void {
  const history = consentHistory(db, profileId);
  for (const channel of CONSENT_CHANNELS) {
    const rows = history.filter((r) => r.channel === channel);
    if (rows.length === 0) continue;
    stmt(db, `UPDATE customer_profile SET ${COLUMN[channel]} = ? WHERE id = ?`).run(
      columnOf(effectiveConsent(rows).state),
      profileId,
    );
  }
}

/** A merge: the merged-away customer's history moves to the base (an opt-out is never lost). */
export function moveConsentHistory(db: Database, fromId: number, toId: number): void {
  stmt(db, 'UPDATE consent_event SET profile_id = ? WHERE profile_id = ?').run(toId, fromId);
}

/** The ids of a profile's consent records (a merge's snapshot keeps them for an undo). */
export const consentIdsOf = (db: Database, profileId: number): number[] =>
  stmt(db, 'SELECT id FROM consent_event WHERE profile_id = ?').pluck().all(profileId) as number[];

/** An undo: the records a merge moved go back to the restored customer. */
export function returnConsentHistory(db: Database, ids: readonly number[], profileId: number): void {
  stmt(db, 'UPDATE consent_event SET profile_id = ? WHERE id IN (SELECT value FROM json_each(?))').run(
    profileId,
    JSON.stringify(ids),
  );
}

export type Permission = { ok: true } | { ok: false; reason: string };

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const day = (ms: number) => {
  const d = new Date(ms);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
};

const SOURCE_WORDS: Record<string, string> = {
  keyword: 'their reply',
  provider: 'reported by WhatsApp or Twilio',
  unsubscribe: 'their unsubscribe',
  shop: 'recorded by the shop: the customer said so',
  shopify: 'from Shopify',
  import: 'from an imported file',
  api: 'from the shop’s own system (event API)',
  earlier: 'known before this history was kept',
};

/** Where a record came from, in the shop's words. */
export const sourceWords = (source: string | null) => (source ? (SOURCE_WORDS[source] ?? `from ${source}`) : '');
const why = (c: EffectiveConsent) => c.detail ?? sourceWords(c.source);

/** Whether a marketing message may go to this customer on this channel, and if not, why (in the shop's words). */
export function mayMarket(db: Database, profileId: number, channel: ChannelName): Permission {
  const c = consentOf(db, profileId)[channel];
  const words = CHANNEL_WORDS[channel];
  switch (c.state) {
    case 'yes':
      return { ok: true };
    case 'unknown':
      return {
        ok: false,
        reason: `This customer has not said yes to offers by ${words}: ask them first.`,
      };
    case 'no':
      return { ok: false, reason: `This customer said no to offers by ${words}.` };
    case 'opted_out':
      return {
        ok: false,
        reason: `This customer asked to stop ${words} messages on ${day(c.since ?? 0)} (${why(c)}). Only their own yes can turn this back on.`,
      };
  }
}

/** Whether a service message (a reply to the customer) may go: yes unless they opted out of that channel. */
export function mayServe(db: Database, profileId: number, channel: ChannelName): Permission {
  const c = consentOf(db, profileId)[channel];
  if (c.state !== 'opted_out') return { ok: true };
  return {
    ok: false,
    reason: `This customer asked to stop ${CHANNEL_WORDS[channel]} messages on ${day(c.since ?? 0)} (${why(c)}); nothing more goes to them this way.`,
  };
}

export interface ConsentInput {
  profileId: number;
  channel: ChannelName;
  state: StoredConsent;
  /** shopify, import, api, shop, keyword, provider, unsubscribe. */
  source: string;
  detail?: string | null;
  /** When the customer said it; null or absent when the source does not date it. */
  occurredAt?: number | null;
  now: number;
}

/** Appends a record to the history and keeps the profile's column in step with the effective state. */
export function recordConsent(db: Database, input: ConsentInput): EffectiveConsent {
  stmt(
    db,
    `INSERT INTO consent_event (brand_id, profile_id, channel, state, source, detail, occurred_at, recorded_at)
       SELECT brand_id, id, ?, ?, ?, ?, ?, ? FROM customer_profile WHERE id = ?`,
  ).run(
    input.channel,
    input.state,
    input.source,
    input.detail ?? null,
    input.occurredAt ?? null,
    input.now,
    input.profileId,
  );
  const effective = effectiveConsent(consentHistory(db, input.profileId, input.channel));
  stmt(db, `UPDATE customer_profile SET ${COLUMN[input.channel]} = ? WHERE id = ?`).run(
    columnOf(effective.state),
    input.profileId,
  );
  return effective;
}

/**
 * A consent an event stated (ingestion's path): recorded only when it says something new — it differs from the
 * profile's column, and is not the same as the channel's last record from the same source (a file imported twice).
 */
export function statedConsent(
  db: Database,
  input: Omit<ConsentInput, 'state'> & { yes: boolean; column: number | null },
): void {
  if (input.column === (input.yes ? 1 : 0)) return;
  const state: StoredConsent = input.yes ? 'yes' : 'no';
  const occurredAt = input.occurredAt ?? null;
  const last = stmt(
    db,
    `SELECT state, source, occurred_at AS occurredAt FROM consent_event WHERE profile_id = ? AND channel = ?
       ORDER BY recorded_at DESC, id DESC LIMIT 1`,
  ).get(input.profileId, input.channel) as { state: string; source: string; occurredAt: number | null } | undefined;
  // The same words from the same place again (a file imported twice): already in the history, already weighed.
  if (last && last.state === state && last.source === input.source && last.occurredAt === occurredAt) return;
  recordConsent(db, { ...input, state, occurredAt });
}

const OPT_OUT = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT']);
const OPT_IN = new Set(['START', 'UNSTOP', 'YES']);

/** The keyword a message is, if it is one word of the list (case, spaces and punctuation aside). */
export function keywordOf(text: string): string | undefined {
  const word = text
    .trim()
    .toUpperCase()
    .replace(/[\s.!,-]/g, '');
  return OPT_OUT.has(word) || OPT_IN.has(word) ? word : undefined;
}

export interface KeywordResult {
  keyword: string;
  state: StoredConsent;
  channels: ChannelName[];
}

/**
 * An inbound message on a channel that is a keyword: STOP and its kin opt out of that channel (STOPALL of every
 * channel); START and UNSTOP say yes; YES says yes only to undo an opt-out (in a conversation "yes" is usually an
 * answer, not a consent to offers). Dated `at`: the customer's own words. Undefined when the text is no keyword.
 */
export function applyKeyword(
  db: Database,
  input: { profileId: number; channel: ChannelName; text: string; at: number; now?: number },
): KeywordResult | undefined {
  const keyword = keywordOf(input.text);
  if (!keyword) return undefined;
  const now = input.now ?? input.at;
  const detail = `replied “${keyword}” on ${CHANNEL_WORDS[input.channel]}`;
  if (OPT_OUT.has(keyword)) {
    const channels = keyword === 'STOPALL' ? [...CONSENT_CHANNELS] : [input.channel];
    for (const channel of channels)
      recordConsent(db, {
        profileId: input.profileId,
        channel,
        state: 'opted_out',
        source: 'keyword',
        detail,
        occurredAt: input.at,
        now,
      });
    return { keyword, state: 'opted_out', channels };
  }
  if (keyword === 'YES' && consentOf(db, input.profileId)[input.channel].state !== 'opted_out') return undefined;
  recordConsent(db, {
    profileId: input.profileId,
    channel: input.channel,
    state: 'yes',
    source: 'keyword',
    detail,
    occurredAt: input.at,
    now,
  });
  return { keyword, state: 'yes', channels: [input.channel] };
}

const PROVIDER_CODES: Record<string, { channel: ChannelName; words: string }> = {
  '131050': { channel: 'whatsapp', words: 'WhatsApp said the customer stopped marketing messages (131050)' },
  '21610': { channel: 'sms', words: 'Twilio said the number replied STOP (21610)' },
};

/**
 * A provider's word that the customer opted out (WhatsApp 131050, Twilio 21610), for a profile or for the phone
 * number it was sent to (found among the brand's customers). Returns the profile opted out, or null if none matched.
 */
export function applyProviderOptOut(
  db: Database,
  input: {
    profileId?: number;
    phone?: string;
    brandId?: number;
    channel: ChannelName;
    code: '131050' | '21610';
    at: number;
    now?: number;
  },
): number | null {
  let profileId = input.profileId ?? null;
  if (profileId === null && input.phone !== undefined && input.brandId !== undefined) {
    profileId = findOwner(db, input.brandId, 'phone', `+${input.phone.replace(/[^\d]/g, '')}`)?.profileId ?? null;
  }
  if (profileId === null) return null;
  recordConsent(db, {
    profileId,
    channel: input.channel,
    state: 'opted_out',
    source: 'provider',
    detail: PROVIDER_CODES[input.code]?.words ?? `provider code ${input.code}`,
    occurredAt: input.at,
    now: input.now ?? input.at,
  });
  return profileId;
}
