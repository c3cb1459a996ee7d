/**
 * The conversation window's rules in words: a service message only inside the customer's own 24 hours (and never
 * by email), the reason naming when they last wrote; the window read from a customer's `message_in` events and rows.
 */
import { describe, expect, it } from 'vitest';
import { closedWindowWords, serviceAllowed, WINDOW_MS } from '../../../main/core/channels/whatsapp-window';

const at = Date.parse('2026-03-01T10:00:00Z');

describe('the 24-hour conversation window', () => {
  it('allows a service reply only while it is open', () => {
    expect(serviceAllowed('whatsapp', { lastInboundAt: at, openUntil: at + WINDOW_MS })).toEqual({ allowed: true });
    expect(serviceAllowed('sms', { lastInboundAt: at, openUntil: at + WINDOW_MS })).toEqual({ allowed: true });
    const closed = serviceAllowed('whatsapp', { lastInboundAt: at, openUntil: null });
    expect(closed.allowed).toBe(false);
    expect(!closed.allowed && closed.reason).toMatch(
      /only a reply inside the customer's own conversation .*last wrote on WhatsApp at 2026-03-01 10:00 UTC, more than 24 hours ago/,
    );
  });

  it('never allows a service email, saying why', () => {
    const email = serviceAllowed('email', { lastInboundAt: null, openUntil: null });
    expect(!email.allowed && email.reason).toMatch(/A service email cannot be sent from ConstIntel/);
  });

  it('says when the customer never wrote', () => {
    expect(closedWindowWords('sms', { lastInboundAt: null, openUntil: null })).toBe(
      'the customer has never written to the shop on SMS',
    );
  });
});
