import { describe, expect, it } from 'vitest';
import { normalizeIdentifier } from '../../../../main/core/identity/normalize';
import { profileStrength } from '../../../../main/core/identity/strength';
import type { InputIdentifierType } from '../../../../shared/events';

const GB = { defaultCountry: 'GB', shopNumbers: new Set(['+442079460000']) };

describe('normalizeIdentifier', () => {
  it.each<[InputIdentifierType, string | number, string, string]>([
    ['email', ' Ann@Example.COM ', 'email', 'ann@example.com'],
    ['phone', '07700 900123', 'phone', '+447700900123'],
    ['phone', '+44 7700 900123', 'phone', '+447700900123'],
    ['phone', '447700900123', 'phone', '+447700900123'],
    ['phone', '0044 7700 900123', 'phone', '+447700900123'],
    ['phone', '(07700) 900-123', 'phone', '+447700900123'],
    ['phone', 447700900123, 'phone', '+447700900123'],
    ['phone', '+1 (415) 555-2671', 'phone', '+14155552671'],
    // Eight digits counting up is a real national format, not a clerk's made-up number.
    ['phone', '+31 6 12345678', 'phone', '+31612345678'],
    ['whatsapp', '447700900123', 'phone', '+447700900123'],
    ['loyalty_id', '  LC-0042 ', 'loyalty_id', 'LC-0042'],
    ['shopify_customer_id', "'7001234", 'shopify_customer_id', '7001234'],
    ['device_id', 'till  2', 'device_id', 'till 2'],
  ])('%s %j → %s %s', (type, raw, expectedType, expected) => {
    expect(normalizeIdentifier(type, raw, GB)).toEqual({ ok: true, type: expectedType, value: expected });
  });

  it.each<[InputIdentifierType, string, string]>([
    ['email', 'null', 'placeholder'],
    ['email', 'undefined', 'placeholder'],
    ['email', 'None', 'placeholder'],
    ['email', '[object Object]', 'placeholder'],
    ['email', 'test@test.com', 'placeholder'],
    ['email', 'TEST@TEST.COM', 'placeholder'],
    ['email', 'not-an-email', 'invalid_email'],
    ['email', '   ', 'empty'],
    ['phone', '0000000000', 'placeholder'],
    ['phone', '0', 'placeholder'],
    ['phone', '07777 777777', 'placeholder'],
    ['phone', '01234 567890', 'placeholder'],
    ['phone', '07123 456789', 'placeholder'],
    ['phone', '07987 654321', 'placeholder'],
    ['phone', '12345', 'unparseable_phone'],
    ['phone', 'call me', 'unparseable_phone'],
    ['phone', '020 7946 0000', 'shop_number'],
    ['loyalty_id', 'WALKIN', 'placeholder'],
    ['pos_customer_id', 'guest', 'placeholder'],
    ['loyalty_id', 'N/A', 'placeholder'],
    ['device_id', 'undefined', 'placeholder'],
  ])('refuses %s %j (%s)', (type, raw, reason) => {
    expect(normalizeIdentifier(type, raw, GB)).toEqual({ ok: false, reason });
  });

  it('reads national numbers with the default country', () => {
    expect(normalizeIdentifier('phone', '(415) 555-2671', { defaultCountry: 'US' })).toMatchObject({
      value: '+14155552671',
    });
    expect(normalizeIdentifier('phone', '447700900123', { defaultCountry: 'US' })).toMatchObject({
      value: '+447700900123',
    });
  });
});

describe('profileStrength', () => {
  it('grows with more and better identifiers and stays below 1', () => {
    expect(profileStrength([])).toBe(0);
    expect(profileStrength(['cookie_id'])).toBe(0.05);
    expect(profileStrength(['email'])).toBeGreaterThan(profileStrength(['phone']));
    expect(profileStrength(['email', 'phone'])).toBeGreaterThan(profileStrength(['email']));
    expect(profileStrength(['email', 'phone', 'loyalty_id', 'shopify_customer_id'])).toBeLessThan(1);
  });
});
