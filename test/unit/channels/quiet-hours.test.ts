/** Quiet hours and the shop's day in a zone, from tables of instants (no real time of day involved). */
import { describe, expect, it } from 'vitest';
import { customerTimeZone, dayBounds, quietUntil } from '../../../main/core/channels/quiet-hours';

describe('the customer’s time zone', () => {
  it.each([
    ['+447700900123', 'Europe/London'],
    ['+33612345678', 'Europe/Paris'],
    ['+81312345678', 'Asia/Tokyo'],
    ['+12125550100', 'Pacific/Auckland'], // the US has many zones: the shop's
    ['+79161234567', 'Pacific/Auckland'], // so has Russia
    [null, 'Pacific/Auckland'],
    ['not a phone', 'Pacific/Auckland'],
  ])('%s → %s', (phone, zone) => {
    expect(customerTimeZone(phone, 'Pacific/Auckland')).toBe(zone);
  });
});

describe('quiet hours', () => {
  it.each([
    ['2026-03-01T20:59:00Z', 'Europe/London', undefined],
    ['2026-03-01T21:00:00Z', 'Europe/London', '2026-03-02T08:00:00.000Z'],
    ['2026-03-01T23:59:00Z', 'Europe/London', '2026-03-02T08:00:00.000Z'],
    ['2026-03-02T07:59:00Z', 'Europe/London', '2026-03-02T08:00:00.000Z'],
    ['2026-03-02T08:00:00Z', 'Europe/London', undefined],
    // Summer time: 21:30 BST is 20:30 UTC; 08:00 BST is 07:00 UTC.
    ['2026-07-01T20:30:00Z', 'Europe/London', '2026-07-02T07:00:00.000Z'],
    // The night the clocks go forward (29 March 2026): 08:00 BST.
    ['2026-03-28T22:00:00Z', 'Europe/London', '2026-03-29T07:00:00.000Z'],
    // The month's end rolls over.
    ['2026-01-31T23:00:00Z', 'America/New_York', undefined],
    ['2026-02-01T03:00:00Z', 'America/New_York', '2026-02-01T13:00:00.000Z'],
    ['2026-01-31T21:30:00Z', 'Asia/Tokyo', '2026-01-31T23:00:00.000Z'],
  ])('%s in %s → %s', (at, zone, until) => {
    const answer = quietUntil(new Date(at), zone);
    expect(answer === undefined ? undefined : new Date(answer).toISOString()).toBe(until);
  });

  it('the day a daily cap counts runs midnight to midnight in the shop’s zone', () => {
    const day = dayBounds(new Date('2026-03-02T03:00:00Z'), 'America/New_York');
    expect(new Date(day.start).toISOString()).toBe('2026-03-01T05:00:00.000Z');
    expect(new Date(day.end).toISOString()).toBe('2026-03-02T05:00:00.000Z');
  });
});
