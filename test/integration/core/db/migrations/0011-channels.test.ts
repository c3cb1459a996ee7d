/**
 * Migration 0011: consent history (backfilled from the consent profiles already had), inbound messages, and the
 * message outbox's new columns (kind, source, reason, cost, sending time), on a file that already has outbox rows.
 */
import { describe, expect, it } from 'vitest';
import { addBrand, columnsOf, steppedFile } from './steps';

describe('migration 0011 (channels: consent history, inbound messages, the outbox)', () => {
  it('starts each profile’s consent history from what it had, undated, and keeps outbox rows', () => {
    const file = steppedFile();
    file.upTo(10);
    const brand = addBrand(file.sqlite);
    const profile = file.sqlite.prepare(
      'INSERT INTO customer_profile (brand_id, email_consent, sms_consent, whatsapp_consent, created_at, updated_at) VALUES (?, ?, ?, ?, 1, ?)',
    );
    const ann = Number(profile.run(brand, 1, 0, null, 500).lastInsertRowid);
    const bob = Number(profile.run(brand, null, null, 1, 600).lastInsertRowid);
    profile.run(brand, null, null, null, 700);
    file.sqlite
      .prepare(
        "INSERT INTO message_outbox (brand_id, channel, recipient, body, status, next_attempt_at, created_at) VALUES (?, 'email', 'ann@example.com', '{}', 'pending', 1, 1)",
      )
      .run(brand);

    file.upTo(11);
    const history = file.sqlite
      .prepare(
        'SELECT profile_id, channel, state, source, occurred_at, recorded_at FROM consent_event ORDER BY profile_id, channel',
      )
      .all();
    expect(history).toEqual([
      { profile_id: ann, channel: 'email', state: 'yes', source: 'earlier', occurred_at: null, recorded_at: 500 },
      { profile_id: ann, channel: 'sms', state: 'no', source: 'earlier', occurred_at: null, recorded_at: 500 },
      { profile_id: bob, channel: 'whatsapp', state: 'yes', source: 'earlier', occurred_at: null, recorded_at: 600 },
    ]);
    expect(file.sqlite.prepare('SELECT kind, source, status, status_reason FROM message_outbox').get()).toEqual({
      kind: 'marketing',
      source: 'customer360',
      status: 'pending',
      status_reason: null,
    });
    expect(columnsOf(file.sqlite, 'message_in')).toEqual(
      expect.arrayContaining(['channel', 'from_address', 'body', 'provider_message_id', 'received_at']),
    );
    file.close();
  });
});
