/**
 * The words around sending: a held reason read as a sentence, the note after Send from what the send wrote (not the
 * preview's guess), the fallback note for {{unsubscribe_link}}, and the prices and limits as the owner types them.
 */
import { describe, expect, it } from 'vitest';
import {
  fellBackWords,
  heldWords,
  readAmount,
  readLimitsAndPrices,
  sentWords,
  verdictWords,
} from '../../../renderer/src/message-words';

const CAP_REASON = 'Daily limit of 5 SMS messages reached (Settings → Channels): sends tomorrow';

describe('held reasons', () => {
  it('reads quiet hours, the pause and the daily limit naturally', () => {
    expect(heldWords('Quiet hours: sends at 08:00 their time')).toBe('Held until 08:00 their time (quiet hours)');
    expect(heldWords('Sending is paused (Settings → Channels)')).toBe(
      'Held while sending is paused (Settings → Channels)',
    );
    expect(heldWords(CAP_REASON)).toBe(
      'Held until tomorrow: daily limit of 5 SMS messages reached (Settings → Channels)',
    );
    expect(heldWords('Something else')).toBe('Held: Something else');
  });

  it('says what the preview expects', () => {
    expect(verdictWords({ status: 'pending', reason: null })).toBe('Goes now.');
    expect(verdictWords({ status: 'held', reason: 'Quiet hours: sends at 08:00 their time' })).toBe(
      'Held until 08:00 their time (quiet hours).',
    );
    expect(verdictWords({ status: 'refused', reason: 'No email address' })).toBe('Will not be sent: No email address.');
  });
});

describe('the note after Send', () => {
  it('follows the status the send wrote, whatever the preview said', () => {
    // The daily limit is reached as the message is written: the verdict said "pending", the message is held.
    const held = sentWords({ status: 'held', reason: CAP_REASON, channel: 'sms' });
    expect(held.words).toMatch(/^Written, and held until tomorrow: daily limit of 5 SMS messages reached/);
    expect(held.words).not.toMatch(/goes now/);
    expect(held.tone).toBe('good');
  });

  it.each([
    ['pending', null, /^Sent to the outbox: it goes now\./, 'good'],
    ['sending', null, /^Sent to the outbox: it goes now\./, 'good'],
    [
      'held',
      'Quiet hours: sends at 08:00 their time',
      /^Written, and held until 08:00 their time \(quiet hours\)\./,
      'good',
    ],
    ['held', 'Sending is paused (Settings → Channels)', /^Written, and held while sending is paused/, 'good'],
    ['sent', null, /^Accepted by the mail server\./, 'good'],
    ['delivered', null, /^Delivered\./, 'good'],
    ['read', null, /^Read\./, 'good'],
    ['cancelled', 'They said no to email', /^Not sent: They said no to email\.$/, 'bad'],
    ['cancelled', null, /^Not sent: it was refused\.$/, 'bad'],
    ['failed', 'Mailbox full', /^Not sent: it failed: Mailbox full\.$/, 'bad'],
    ['unknown', null, /^The provider did not answer/, 'bad'],
  ] as const)('%s (%s)', (status, reason, words, tone) => {
    const note = sentWords({ status, reason, channel: 'email' });
    expect(note.words).toMatch(words);
    expect(note.tone).toBe(tone);
  });
});

describe('fallback note', () => {
  it('says the unsubscribe link needs the public address, and names the other fields', () => {
    const notes = fellBackWords(['first_name', 'unsubscribe_link'], 'email');
    expect(notes[0]).toBe('No value for {{first_name}} for this customer: your fallback text is used.');
    expect(notes[1]).toMatch(/needs your shop’s public address \(Settings → Connections\)/);
    expect(notes.join(' ')).not.toMatch(/No value for \{\{unsubscribe_link\}\}/);
    expect(fellBackWords(['unsubscribe_link'], 'sms')).toEqual([
      '{{unsubscribe_link}}: SMS carries no link, so your fallback text is used.',
    ]);
  });
});

describe('prices and limits as typed', () => {
  it.each(['abc', '£0.05', '1e3', '-1', '0.05.1', '$1', '1 000'])('does not read %j as a price', (typed) => {
    expect(readAmount(typed)).toEqual({ ok: false });
  });

  it('reads empty as none, a decimal comma, and plain numbers', () => {
    expect(readAmount('')).toEqual({ ok: true, value: null });
    expect(readAmount('  ')).toEqual({ ok: true, value: null });
    expect(readAmount('0,05')).toEqual({ ok: true, value: 0.05 });
    expect(readAmount(' 0.05 ')).toEqual({ ok: true, value: 0.05 });
    expect(readAmount('.5')).toEqual({ ok: true, value: 0.5 });
    expect(readAmount('2')).toEqual({ ok: true, value: 2 });
  });

  it.each(['-3', '2.5', '0,5', 'ten', '1e3'])('does not read %j as a daily limit', (typed) => {
    expect(readAmount(typed, true)).toEqual({ ok: false });
  });

  const draft = (patch: { caps?: object; prices?: object }) => ({
    caps: { email: '', sms: '', whatsapp: '', ...patch.caps },
    prices: { sms: '', whatsapp: '', ...patch.prices },
  });

  it('names the field that cannot be read, and saves nothing', () => {
    expect(readLimitsAndPrices(draft({ prices: { whatsapp: '£0.05' } }))).toEqual({
      ok: false,
      field: 'messagePrices.whatsapp',
      message: 'WhatsApp price: give a number such as 0.05, without the currency sign, or leave it empty for no price.',
    });
    expect(readLimitsAndPrices(draft({ prices: { sms: 'abc' } }))).toMatchObject({
      ok: false,
      field: 'messagePrices.sms',
    });
    expect(readLimitsAndPrices(draft({ caps: { sms: '-3' } }))).toMatchObject({
      ok: false,
      field: 'dailyCaps.sms',
      message: expect.stringMatching(/^SMS daily limit: give a whole number/),
    });
  });

  it('gives the patch when every field reads: empty is none', () => {
    expect(readLimitsAndPrices(draft({ caps: { email: '200' }, prices: { sms: '0,05' } }))).toEqual({
      ok: true,
      patch: { dailyCaps: { email: 200, sms: null, whatsapp: null }, messagePrices: { sms: 0.05, whatsapp: null } },
    });
  });
});
