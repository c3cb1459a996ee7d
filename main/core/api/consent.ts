/** Handlers for `consent.*`: a customer's consent per channel with its history, and the owner's edits. */
import type { CustomerConsent } from '../../../shared/contract/consent';
import { AppError } from '../../../shared/contract/errors';
import {
  CONSENT_CHANNELS,
  consentHistory,
  consentOf,
  mayMarket,
  recordConsent,
  sourceWords,
} from '../channels/consent';
import type { Database } from '../db/open';
import { getProfile } from '../db/repos/profiles';
import { handlers } from './registry';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function customerConsent(db: Database, profileId: number): CustomerConsent {
  const now = consentOf(db, profileId);
  return {
    channels: CONSENT_CHANNELS.map((channel) => {
      const c = now[channel];
      const marketing = mayMarket(db, profileId, channel);
      return {
        channel,
        state: c.state,
        since: iso(c.since),
        source: c.source,
        marketing: marketing.ok ? { ok: true, reason: null } : { ok: false, reason: marketing.reason },
      };
    }),
    history: consentHistory(db, profileId)
      .reverse()
      .map((r) => ({
        id: r.id,
        channel: r.channel,
        state: r.state,
        source: r.source,
        sourceWords: sourceWords(r.source),
        detail: r.detail,
        occurredAt: iso(r.occurredAt),
        recordedAt: new Date(r.recordedAt).toISOString(),
      })),
  };
}

export const consentHandlers = handlers({
  'consent.get': ({ id }, ctx) => {
    if (!getProfile(ctx.db, id)) throw new AppError('not_found', `There is no customer #${id}.`);
    return customerConsent(ctx.db, id);
  },

  'consent.set': ({ id, channel, state, how }, ctx) => {
    if (!getProfile(ctx.db, id)) throw new AppError('not_found', `There is no customer #${id}.`);
    const byMail = how === 'email_unsubscribe';
    if (byMail && (channel !== 'email' || state !== 'opted_out'))
      throw new AppError('validation', 'An unsubscribe by email can only opt the customer out of email.');
    const now = ctx.clock.now().getTime();
    ctx.db.sqlite
      .transaction(() =>
        recordConsent(ctx.db, {
          profileId: id,
          channel,
          state,
          source: byMail ? 'unsubscribe' : 'shop',
          detail: byMail ? 'unsubscribed by email (recorded by the shop)' : null,
          occurredAt: now,
          now,
        }),
      )
      .immediate();
    ctx.bus.emit('profiles.changed', [id]);
    return customerConsent(ctx.db, id);
  },
});
