/** Messages in the shop's words: the status (email's "sent" is the mail server's acceptance), the reason, the cost. */
import { describe, expect, it } from 'vitest';
import { costWords, inFlight, reasonWords, statusTone, statusWords } from '../../../renderer/src/message-words';
import type { MessageView } from '../../../shared/contract/messages';

const message = (patch: Partial<MessageView>): MessageView => ({
  id: 1,
  channel: 'email',
  recipient: 'ann@example.com',
  profileId: 1,
  customerName: 'Ann Lee',
  kind: 'marketing',
  source: 'customer360',
  status: 'pending',
  reason: null,
  summary: 'Hello',
  cost: null,
  currency: null,
  attempts: 0,
  nextAttemptAt: null,
  createdAt: '2026-03-02T10:00:00.000Z',
  sentAt: null,
  providerMessageId: null,
  ...patch,
});

describe('message words', () => {
  it('says "accepted by the mail server" for a sent email, "Sent" for the others', () => {
    expect(statusWords(message({ status: 'sent' }))).toBe('Accepted by the mail server');
    expect(statusWords(message({ status: 'sent', channel: 'sms' }))).toBe('Sent');
    expect(statusWords(message({ status: 'cancelled' }))).toBe('Not sent');
  });

  it.each([
    ['read', 'good'],
    ['delivered', 'good'],
    ['held', 'waiting'],
    ['pending', 'waiting'],
    ['failed', 'bad'],
    ['unknown', 'bad'],
    ['cancelled', 'bad'],
  ] as const)('colours %s as %s', (status, tone) => {
    expect(statusTone(status)).toBe(tone);
  });

  it('gives the reason, says what to do about an unknown without one, and when a retry goes', () => {
    expect(reasonWords(message({ status: 'held', reason: 'Quiet hours: sends at 08:00 their time' }))).toBe(
      'Quiet hours: sends at 08:00 their time',
    );
    expect(reasonWords(message({ status: 'unknown' }))).toBe(
      'The provider did not answer: check with the customer before sending again',
    );
    expect(
      reasonWords(message({ status: 'pending', attempts: 1, reason: 'Busy', nextAttemptAt: '2026-03-02T10:05:00Z' })),
    ).toMatch(/^Busy · next try .+/);
    expect(reasonWords(message({ status: 'sent' }))).toBeNull();
  });

  it('shows the cost in its currency, email as free, and a missing price as such', () => {
    expect(costWords(message({ channel: 'sms', cost: 0.05, currency: 'GBP' }))).toMatch(/£0\.05/);
    expect(costWords(message({}))).toBe('Free');
    expect(costWords(message({ channel: 'whatsapp' }))).toBe('No price set');
  });

  it('is in flight while any message waits to go or is being sent', () => {
    expect(inFlight([message({ status: 'sent' }), message({ status: 'sending' })])).toBe(true);
    expect(inFlight([message({ status: 'held' }), message({ status: 'failed' })])).toBe(false);
  });
});
