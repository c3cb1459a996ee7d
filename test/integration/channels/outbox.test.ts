/**
 * The outbox against a real HTTP peer on loopback (test/support/http-sender.ts), with an injected clock: what the
 * provider's answer makes of a row (accepted, refused with and without retry, no answer, connection refused), quiet
 * hours in the customer's own zone (UK, US, Japan, no phone), pause all sending, the daily cap, the price kept on the
 * row, the default consent stand-in, the caller's transaction, and `messages.list`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../../main/core/backend';
import { enqueueMessage } from '../../../main/core/channels/outbox';
import { PAUSED_REASON } from '../../../main/core/channels/outbox-guards';
import { configureOutbox, type OutboxWorker } from '../../../main/core/channels/outbox-worker';
import { QUIET_REASON } from '../../../main/core/channels/quiet-hours';
import { fixedClock } from '../../../main/core/clock';
import { outboxRow } from '../../../main/core/db/repos/message-outbox';
import { ingestOne, testBackend } from '../../support/backend';
import { ev } from '../../support/events';
import { httpSender, type Sink, type SinkAnswer, startSink } from '../../support/http-sender';

const UK = '+447700900123';
const US = '+12125550100';
const JP = '+81312345678';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

async function setup(options: {
  now: string;
  answer?: (i: number) => SinkAnswer;
  timeZone?: string;
  timeoutMs?: number;
}) {
  const clock = fixedClock(options.now);
  const backend: Backend = await testBackend({ dataDir: '/nonexistent-in-memory', databaseFile: ':memory:', clock });
  const sink: Sink = await startSink(options.answer ? (_m, i) => options.answer?.(i) ?? { status: 200 } : undefined);
  cleanup.push(
    () => backend.close(),
    () => sink.close(),
  );
  await backend.call('settings.update', { timeZone: options.timeZone ?? 'Europe/London', currency: 'GBP' });
  const worker: OutboxWorker = configureOutbox(backend.ctx, {
    senderFor: (channel) => httpSender(sink.url, channel),
    consent: () => ({ ok: true }),
    sendTimeoutMs: options.timeoutMs ?? 5_000,
  });
  const row = (id: number) => {
    const found = outboxRow(backend.db, id);
    if (!found) throw new Error(`no row ${id}`);
    return found;
  };
  return { clock, backend, sink, worker, row };
}

describe('the outbox and the provider’s answer', () => {
  it('accepted: sent once, with the provider’s id and the shop’s price on the row', async () => {
    const t = await setup({ now: '2026-03-02T12:00:00Z' });
    await t.backend.call('settings.update', { messagePrices: { sms: 0.04, whatsapp: 0.06 } });
    const queued = enqueueMessage(t.backend.ctx, { channel: 'whatsapp', to: UK, text: 'Hello', kind: 'service' });
    expect(queued).toMatchObject({ status: 'pending', reason: null, cost: 0.06, currency: 'GBP' });
    await t.worker.drain();
    await t.worker.drain();
    expect(t.sink.received.map((m) => m.outboxId)).toEqual([queued.id]);
    expect(t.row(queued.id)).toMatchObject({
      status: 'sent',
      providerMessageId: `p-${queued.id}`,
      attempts: 1,
      cost: 0.06,
      currency: 'GBP',
    });
  });

  it('refused with retry: pending with a backoff, then sent when it is due', async () => {
    const t = await setup({
      now: '2026-03-02T12:00:00Z',
      answer: (i) => (i === 1 ? { status: 503, body: { error: 'busy' } } : { status: 200, body: { id: 'ok' } }),
    });
    const { id } = enqueueMessage(t.backend.ctx, { channel: 'sms', to: UK, text: 'Hi', kind: 'service' });
    await t.worker.drain();
    expect(t.row(id)).toMatchObject({ status: 'pending', attempts: 1 });
    expect(t.row(id).statusReason).toBe('Not sent yet: busy. Trying again (try 2 of 5).');
    expect(t.row(id).nextAttemptAt).toBe(Date.parse('2026-03-02T12:00:30Z'));
    await t.worker.drain();
    expect(t.sink.received).toHaveLength(1);
    t.clock.advance(30_000);
    await t.worker.drain();
    expect(t.sink.received).toHaveLength(2);
    expect(t.row(id)).toMatchObject({ status: 'sent', attempts: 2, providerMessageId: 'ok', statusReason: null });
  });

  it('refused outright: failed with the provider’s reason, never retried', async () => {
    const t = await setup({
      now: '2026-03-02T12:00:00Z',
      answer: () => ({ status: 400, body: { error: 'Invalid To number' } }),
    });
    const { id } = enqueueMessage(t.backend.ctx, { channel: 'sms', to: UK, text: 'Hi', kind: 'service' });
    await t.worker.drain();
    t.clock.advance(3_600_000);
    await t.worker.drain();
    expect(t.sink.received).toHaveLength(1);
    expect(t.row(id).status).toBe('failed');
    expect(t.row(id).statusReason).toBe('SMS refused it: Invalid To number [400]');
  });

  it('no answer (timeout): unknown, shown with the reason and never resent', async () => {
    const t = await setup({ now: '2026-03-02T12:00:00Z', answer: () => 'hang', timeoutMs: 300 });
    const { id } = enqueueMessage(t.backend.ctx, { channel: 'whatsapp', to: UK, text: 'Hi', kind: 'service' });
    await t.worker.drain();
    t.clock.advance(86_400_000);
    await t.worker.drain();
    expect(t.sink.received).toHaveLength(1);
    expect(t.row(id).status).toBe('unknown');
    const listed = await t.backend.call('messages.list', { status: 'unknown' });
    expect(listed.messages.map((m) => [m.id, m.reason])).toEqual([
      [id, 'No answer from WhatsApp within 0.3 s: it may or may not have gone out, so it is not sent again.'],
    ]);
  });

  it('connection refused (nothing went out): retried with backoff', async () => {
    const t = await setup({ now: '2026-03-02T12:00:00Z' });
    const closed = await startSink();
    await closed.close();
    configureOutbox(t.backend.ctx, { senderFor: (c) => httpSender(closed.url, c) });
    const { id } = enqueueMessage(t.backend.ctx, {
      channel: 'email',
      to: 'ann@example.com',
      text: 'Hi',
      subject: 'Hello',
      kind: 'service',
    });
    await t.worker.drain();
    expect(t.row(id)).toMatchObject({ status: 'pending', attempts: 1 });
    expect(t.row(id).statusReason).toMatch(/refused the connection/);
  });
});

describe('quiet hours (21:00–08:00 in the customer’s time)', () => {
  it('holds marketing at 21:30 in London until 08:00 there; service goes at once; US and no phone follow the shop’s zone', async () => {
    // 21:30 UTC = 21:30 in London (GMT), 16:30 in New York (the shop), 06:30 next day in Tokyo.
    const t = await setup({ now: '2026-03-01T21:30:00Z', timeZone: 'America/New_York' });
    const ctx = t.backend.ctx;
    const uk = enqueueMessage(ctx, { channel: 'whatsapp', to: UK, text: 'Offer' });
    const ukService = enqueueMessage(ctx, { channel: 'whatsapp', to: UK, text: 'Your order', kind: 'service' });
    const us = enqueueMessage(ctx, { channel: 'sms', to: US, text: 'Offer' });
    const jp = enqueueMessage(ctx, { channel: 'whatsapp', to: JP, text: 'Offer' });
    const noPhone = enqueueMessage(ctx, { channel: 'email', to: 'ann@example.com', subject: 'Offer', text: 'Offer' });
    expect(uk).toMatchObject({ status: 'held', reason: QUIET_REASON, sendAfter: Date.parse('2026-03-02T08:00:00Z') });
    expect(jp).toMatchObject({ status: 'held', reason: QUIET_REASON, sendAfter: Date.parse('2026-03-01T23:00:00Z') });
    expect(ukService.status).toBe('pending');
    expect(us.status).toBe('pending');
    expect(noPhone.status).toBe('pending');
    await t.worker.drain();
    expect(t.sink.received.map((m) => m.outboxId).sort()).toEqual([ukService.id, us.id, noPhone.id].sort());

    t.clock.set('2026-03-01T23:00:00Z');
    await t.worker.drain();
    expect(t.row(jp.id).status).toBe('sent');
    t.clock.set('2026-03-02T07:59:00Z');
    await t.worker.drain();
    expect(t.row(uk.id)).toMatchObject({ status: 'held', statusReason: QUIET_REASON });
    t.clock.set('2026-03-02T08:00:00Z');
    await t.worker.drain();
    expect(t.row(uk.id).status).toBe('sent');
    expect(t.sink.received).toHaveLength(5);
  });

  it('a marketing message enqueued at 22:00 for a customer without a phone waits for 08:00 in the shop’s zone; a US number too', async () => {
    // 03:00 UTC = 22:00 in New York (EST).
    const t = await setup({ now: '2026-03-02T03:00:00Z', timeZone: 'America/New_York' });
    const email = enqueueMessage(t.backend.ctx, {
      channel: 'email',
      to: 'bob@example.com',
      subject: 'Offer',
      text: 'Offer',
    });
    const us = enqueueMessage(t.backend.ctx, { channel: 'sms', to: US, text: 'Offer' });
    const uk = enqueueMessage(t.backend.ctx, { channel: 'sms', to: UK, text: 'Offer' });
    expect(email).toMatchObject({
      status: 'held',
      reason: QUIET_REASON,
      sendAfter: Date.parse('2026-03-02T13:00:00Z'),
    });
    expect(us).toMatchObject({ status: 'held', sendAfter: Date.parse('2026-03-02T13:00:00Z') });
    // 03:00 in London is quiet too, and opens at 08:00 London time.
    expect(uk).toMatchObject({ status: 'held', sendAfter: Date.parse('2026-03-02T08:00:00Z') });
    await t.worker.drain();
    expect(t.sink.received).toHaveLength(0);
    t.clock.set('2026-03-02T13:00:00Z');
    await t.worker.drain();
    expect(t.sink.received).toHaveLength(3);
  });
});

describe('cost control', () => {
  it('pause all sending holds new and waiting messages with the reason, and lifting it sends them', async () => {
    const t = await setup({ now: '2026-03-02T12:00:00Z' });
    await t.backend.call('settings.update', { sendingPaused: true });
    const a = enqueueMessage(t.backend.ctx, { channel: 'sms', to: UK, text: 'A', kind: 'service' });
    expect(a).toMatchObject({ status: 'held', reason: PAUSED_REASON });
    await t.worker.drain();
    expect(t.sink.received).toHaveLength(0);
    const listed = await t.backend.call('messages.list', { status: 'held' });
    expect(listed.messages.map((m) => m.reason)).toEqual([PAUSED_REASON]);

    await t.backend.call('settings.update', { sendingPaused: false });
    await t.worker.drain();
    expect(t.row(a.id).status).toBe('sent');
  });

  it('a message already waiting when sending is paused is held with the reason', async () => {
    const t = await setup({ now: '2026-03-02T12:00:00Z' });
    configureOutbox(t.backend.ctx, { senderFor: () => undefined });
    const a = enqueueMessage(t.backend.ctx, { channel: 'sms', to: UK, text: 'A', kind: 'service' });
    await t.worker.drain();
    expect(t.row(a.id)).toMatchObject({
      status: 'pending',
      statusReason: 'SMS is not connected (Settings → Channels)',
    });
    await t.backend.call('settings.update', { sendingPaused: true });
    configureOutbox(t.backend.ctx, { senderFor: (c) => httpSender(t.sink.url, c) });
    await t.worker.drain();
    expect(t.row(a.id)).toMatchObject({ status: 'held', statusReason: PAUSED_REASON });
    expect(t.sink.received).toHaveLength(0);
  });

  it('the daily cap holds what is over it until the shop’s next day', async () => {
    const t = await setup({ now: '2026-03-02T12:00:00Z' });
    await t.backend.call('settings.update', {
      dailyCaps: { email: null, sms: 2, whatsapp: null },
      sendRates: { email: 10, sms: 50, whatsapp: 80 },
    });
    const ids = [1, 2, 3].map(
      (i) => enqueueMessage(t.backend.ctx, { channel: 'sms', to: UK, text: `n${i}`, kind: 'service' }).id,
    );
    const wa = enqueueMessage(t.backend.ctx, { channel: 'whatsapp', to: UK, text: 'other channel', kind: 'service' });
    await t.worker.drain();
    expect(ids.map((id) => t.row(id).status)).toEqual(['sent', 'sent', 'held']);
    expect(t.row(wa.id).status).toBe('sent');
    const held = t.row(ids[2] ?? 0);
    expect(held.statusReason).toBe('Daily limit of 2 SMS messages reached (Settings → Channels): sends tomorrow');
    expect(held.nextAttemptAt).toBe(Date.parse('2026-03-03T00:00:00Z'));
    t.clock.set('2026-03-03T00:00:00Z');
    await t.worker.drain();
    expect(t.row(ids[2] ?? 0).status).toBe('sent');
    expect(t.sink.received).toHaveLength(4);
  });

  it('lifting the daily cap sends what it held at once, not tomorrow', async () => {
    const t = await setup({ now: '2026-03-02T12:00:00Z' });
    await t.backend.call('settings.update', {
      dailyCaps: { email: null, sms: 1, whatsapp: null },
      sendRates: { email: 10, sms: 50, whatsapp: 80 },
    });
    const ids = [1, 2].map(
      (i) => enqueueMessage(t.backend.ctx, { channel: 'sms', to: UK, text: `n${i}`, kind: 'service' }).id,
    );
    await t.worker.drain();
    expect(ids.map((id) => t.row(id).status)).toEqual(['sent', 'held']);
    // Written once the limit is reached: held at once, so the screen that sent it can say so.
    const third = enqueueMessage(t.backend.ctx, { channel: 'sms', to: UK, text: 'n3', kind: 'service' });
    expect(third).toMatchObject({
      status: 'held',
      reason: expect.stringMatching(/^Daily limit of 1 SMS message reached/),
    });
    ids.push(third.id);
    await t.backend.call('settings.update', { dailyCaps: { email: null, sms: null, whatsapp: null } });
    await t.worker.drain();
    expect(ids.map((id) => t.row(id).status)).toEqual(['sent', 'sent', 'sent']);
    expect(t.sink.received).toHaveLength(3);
  });

  it('a customer’s opt-out cancels their held message at once, with the reason; another customer’s stays held', async () => {
    const t = await setup({ now: '2026-03-02T21:30:00Z' });
    const { defaultConsent } = await import('../../../main/core/channels/outbox-deps');
    const { recordConsent } = await import('../../../main/core/channels/consent');
    configureOutbox(t.backend.ctx, { consent: defaultConsent(t.backend.ctx) });
    const now = Date.parse('2026-03-02T21:00:00Z');
    const people = ['ann@example.com', 'bob@example.com'].map((email) => {
      const id =
        ingestOne(t.backend, ev({ identifiers: { email }, payload: { firstName: email.slice(0, 3) } })).profileId ?? 0;
      recordConsent(t.backend.db, {
        profileId: id,
        channel: 'email',
        state: 'yes',
        source: 'shop',
        occurredAt: now,
        now,
      });
      return { id, email };
    });
    const held = people.map(
      (p) =>
        enqueueMessage(t.backend.ctx, {
          channel: 'email',
          to: p.email,
          subject: 'Offer',
          text: 'Offer',
          profileId: p.id,
        }).id,
    );
    expect(held.map((id) => t.row(id).status)).toEqual(['held', 'held']);
    await t.backend.call('consent.set', {
      id: people[0]?.id ?? 0,
      channel: 'email',
      state: 'opted_out',
      how: 'email_unsubscribe',
    });
    await t.worker.drain();
    expect(t.row(held[0] ?? 0)).toMatchObject({ status: 'cancelled', statusReason: expect.stringMatching(/stop/i) });
    expect(t.row(held[1] ?? 0)).toMatchObject({ status: 'held', statusReason: QUIET_REASON });
    expect(t.sink.received).toHaveLength(0);
    // The Messages page names the customer of each message.
    const listed = (await t.backend.call('messages.list', {})).messages;
    expect(listed.map((m) => [m.id, m.customerName])).toEqual([
      [held[1], 'bob'],
      [held[0], 'ann'],
    ]);
  });
});

describe('writing a message', () => {
  it('is part of the caller’s transaction: rolled back with it', async () => {
    const t = await setup({ now: '2026-03-02T12:00:00Z' });
    const attempt = t.backend.db.sqlite.transaction(() => {
      enqueueMessage(t.backend.ctx, { channel: 'sms', to: UK, text: 'never', kind: 'service' });
      throw new Error('the caller changed its mind');
    });
    expect(attempt).toThrow('changed its mind');
    await t.worker.drain();
    expect((await t.backend.call('messages.list', {})).messages).toEqual([]);
    expect(t.sink.received).toHaveLength(0);
  });

  it('the consent rules: marketing only to a yes on the channel; an opt-out stops service too', async () => {
    const t = await setup({ now: '2026-03-02T12:00:00Z' });
    const { defaultConsent } = await import('../../../main/core/channels/outbox-deps');
    const { applyKeyword, recordConsent } = await import('../../../main/core/channels/consent');
    configureOutbox(t.backend.ctx, { consent: defaultConsent(t.backend.ctx) });
    const profileId = ingestOne(t.backend, ev({ identifiers: { email: 'cy@example.com' } })).profileId;
    if (profileId === undefined || profileId === null) throw new Error('no profile');
    const ctx = t.backend.ctx;
    const now = Date.parse('2026-03-02T12:00:00Z');
    const unknown = enqueueMessage(ctx, { channel: 'sms', to: UK, text: 'Offer', profileId });
    expect(unknown).toMatchObject({
      status: 'cancelled',
      reason: expect.stringMatching(/has not said yes to offers by SMS: ask them first/),
    });
    recordConsent(t.backend.db, {
      profileId,
      channel: 'sms',
      state: 'yes',
      source: 'shop',
      occurredAt: now - 1,
      now: now - 1,
    });
    expect(enqueueMessage(ctx, { channel: 'sms', to: UK, text: 'Offer', profileId }).status).toBe('pending');
    applyKeyword(t.backend.db, { profileId, channel: 'sms', text: 'STOP', at: now });
    expect(
      enqueueMessage(ctx, { channel: 'sms', to: UK, text: 'Your order', profileId, kind: 'service' }),
    ).toMatchObject({
      status: 'cancelled',
      reason: expect.stringMatching(/asked to stop SMS messages on 2 Mar 2026/),
    });
    await t.worker.drain();
    // The one consented before the opt-out is checked again before sending: cancelled, not sent.
    expect(t.sink.received).toHaveLength(0);
    const listed = await t.backend.call('messages.list', { profileId });
    expect(listed.messages.map((m) => m.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
  });
});
