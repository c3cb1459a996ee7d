/**
 * The consent rules against a real data file: the event API's consent (undated unless it says when), provider
 * opt-outs (Twilio 21610 by phone, WhatsApp 131050), YES only undoing an opt-out, a file imported twice adding
 * nothing twice, and merges carrying the history (an opt-out is never lost; an undo gives each their own back).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../../main/core/backend';
import {
  applyKeyword,
  applyProviderOptOut,
  consentHistory,
  consentOf,
  mayMarket,
  recordConsent,
} from '../../../main/core/channels/consent';
import { mergeProfiles, undoMerge } from '../../../main/core/identity/merge';
import { ingestEvent } from '../../../main/core/ingest/ingest-event';
import { ingestOne, ukBackend } from '../../support/backend';
import { ev } from '../../support/events';

let backend: Backend;
beforeAll(async () => {
  backend = await ukBackend();
});
afterAll(async () => {
  await backend.close();
});

const T = Date.parse('2026-03-01T10:00:00Z');
const HOUR = 3_600_000;
const column = (id: number, name: string) =>
  backend.db.sqlite.prepare(`SELECT ${name} FROM customer_profile WHERE id = ?`).pluck().get(id) as number | null;
const customer = (email: string, payload: Record<string, unknown> = {}) => {
  const result = ingestOne(backend, ev({ type: 'profile_update', identifiers: { email }, payload }));
  if (result.profileId === null) throw new Error('no profile');
  return result.profileId;
};
const imported = (email: string, payload: Record<string, unknown>) =>
  ingestEvent(backend.db, ev({ type: 'profile_update', identifiers: { email }, payload }), {
    ...backend.ctx,
    brandId: 1,
    now: T,
    normalize: { defaultCountry: 'GB' },
    origin: 'import',
  });

describe('consent rules on a data file', () => {
  it('the event API: an undated yes counts until an opt-out; a dated one after the opt-out undoes it', () => {
    const id = customer('api@example.com', { smsConsent: true });
    expect(consentOf(backend.db, id).sms).toMatchObject({ state: 'yes', source: 'api' });
    expect(column(id, 'sms_consent')).toBe(1);
    // No consent in the payload: no record.
    customer('api@example.com', { firstName: 'Al' });
    expect(consentHistory(backend.db, id, 'sms')).toHaveLength(1);

    applyKeyword(backend.db, { profileId: id, channel: 'sms', text: 'STOP', at: T - 2 * HOUR });
    customer('api@example.com', { smsConsent: true });
    expect(consentOf(backend.db, id).sms.state).toBe('opted_out');
    customer('api@example.com', { smsConsent: true, smsConsentAt: new Date(T - HOUR).toISOString() });
    expect(consentOf(backend.db, id).sms).toMatchObject({ state: 'yes', since: T - HOUR, source: 'api' });
    expect(column(id, 'sms_consent')).toBe(1);
    // A yes dated ahead of now counts as dated now: a STOP after it still wins.
    customer('api@example.com', { smsConsent: false });
    customer('api@example.com', { smsConsent: true, smsConsentAt: '2030-01-01T00:00:00Z' });
    expect(consentOf(backend.db, id).sms.since).toBe(T);
  });

  it('a file imported twice after an opt-out adds its ignored yes once', () => {
    const id = customer('twice@example.com', { whatsappConsent: true });
    applyKeyword(backend.db, { profileId: id, channel: 'whatsapp', text: 'stop', at: T - HOUR, now: T });
    imported('twice@example.com', { whatsappConsent: true, note: 1 });
    imported('twice@example.com', { whatsappConsent: true, note: 2 });
    const states = consentHistory(backend.db, id, 'whatsapp').map((r) => `${r.state}:${r.source}`);
    expect(states).toEqual(['yes:api', 'opted_out:keyword', 'yes:import']);
    expect(column(id, 'whatsapp_consent')).toBe(0);
  });

  it('YES undoes an opt-out but is no consent on its own; START is', () => {
    const id = customer('yes@example.com');
    expect(applyKeyword(backend.db, { profileId: id, channel: 'whatsapp', text: 'Yes', at: T - 3 * HOUR })).toBe(
      undefined,
    );
    expect(consentOf(backend.db, id).whatsapp.state).toBe('unknown');
    applyKeyword(backend.db, { profileId: id, channel: 'whatsapp', text: 'STOP', at: T - 2 * HOUR });
    expect(applyKeyword(backend.db, { profileId: id, channel: 'whatsapp', text: 'yes', at: T - HOUR })).toMatchObject({
      state: 'yes',
    });
    expect(consentOf(backend.db, id).whatsapp.state).toBe('yes');
    const other = customer('start@example.com');
    applyKeyword(backend.db, { profileId: other, channel: 'sms', text: 'START', at: T });
    expect(mayMarket(backend.db, other, 'sms')).toEqual({ ok: true });
  });

  it('provider opt-outs: Twilio 21610 by phone number, WhatsApp 131050 by customer', () => {
    const phone = ingestOne(
      backend,
      ev({ type: 'profile_update', identifiers: { phone: '07700 900456' }, payload: { smsConsent: true } }),
    ).profileId as number;
    expect(
      applyProviderOptOut(backend.db, { phone: '+44 7700 900456', brandId: 1, channel: 'sms', code: '21610', at: T }),
    ).toBe(phone);
    const refused = mayMarket(backend.db, phone, 'sms');
    expect(refused.ok ? '' : refused.reason).toMatch(/Twilio said the number replied STOP \(21610\)/);
    expect(consentHistory(backend.db, phone, 'sms').at(-1)?.detail).toMatch(/21610/);
    expect(
      applyProviderOptOut(backend.db, { phone: '+44 7700 900000', brandId: 1, channel: 'sms', code: '21610', at: T }),
    ).toBe(null);
    applyProviderOptOut(backend.db, { profileId: phone, channel: 'whatsapp', code: '131050', at: T });
    expect(consentOf(backend.db, phone).whatsapp.state).toBe('opted_out');
  });

  it('a merge keeps an opt-out from either customer; an undo gives each their own history back', () => {
    const a = customer('a@example.com', { emailConsent: true });
    const b = customer('b@example.com', { emailConsent: true });
    recordConsent(backend.db, {
      profileId: b,
      channel: 'email',
      state: 'opted_out',
      source: 'unsubscribe',
      occurredAt: T,
      now: T,
    });
    const merge = mergeProfiles(backend.db, { brandId: 1, profileIds: [a, b], reason: 'review', evidence: [], now: T });
    const base = merge.baseId;
    expect(consentOf(backend.db, base).email.state).toBe('opted_out');
    expect(column(base, 'email_consent')).toBe(0);
    expect(consentHistory(backend.db, base, 'email')).toHaveLength(3);
    undoMerge(backend.db, merge.mergeId, T);
    expect(consentOf(backend.db, a).email.state).toBe('yes');
    expect(column(a, 'email_consent')).toBe(1);
    expect(consentOf(backend.db, b).email.state).toBe('opted_out');
    expect(column(b, 'email_consent')).toBe(0);
  });
});
