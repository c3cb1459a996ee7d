import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { command, defineContract } from '../../../shared/contract/define';
import { AppError, isWireError } from '../../../shared/contract/errors';
import { COMMAND_NAMES, contract, isCommandName, settingsSchema } from '../../../shared/contract/index';
import { validationError } from '../../../shared/contract/validation';

const ping = command('ping', z.object({}), z.string());

describe('defineContract', () => {
  it('combines domains and refuses a command declared twice', () => {
    expect(Object.keys(defineContract({ 'a.ping': ping }, { 'b.ping': ping }))).toEqual(['a.ping', 'b.ping']);
    expect(() => defineContract({ 'a.ping': ping }, { 'a.ping': ping })).toThrow('Command "a.ping" is declared twice');
  });

  it('refuses names that are not domain.verb', () => {
    expect(() => defineContract({ ping })).toThrow('must look like domain.verb');
    expect(() => defineContract({ 'Settings.Get': ping })).toThrow('must look like domain.verb');
  });

  it('declares every command once, named domain.verb', () => {
    expect(COMMAND_NAMES).toEqual(
      expect.arrayContaining(['app.info', 'settings.get', 'settings.update', 'customers.get', 'merges.undo']),
    );
    expect(new Set(COMMAND_NAMES).size).toBe(COMMAND_NAMES.length);
    expect(isCommandName('settings.get')).toBe(true);
    expect(isCommandName('toString')).toBe(false);
    expect(Object.isFrozen(contract)).toBe(true);
  });
});

describe('validationError', () => {
  const schema = z.object({ port: z.number().int(), nested: z.object({ name: z.string() }) }).strict();

  it.each([
    [{ port: 'x', nested: { name: 'a' } }, 'port', /^port: /],
    [{ port: 1 }, 'nested', /^nested: is required$/],
    [{ port: 1, nested: { name: 5 } }, 'nested.name', /^nested\.name: /],
    [{ port: 1, nested: { name: 'a' }, extra: true }, 'extra', /^extra: unknown field/],
  ])('names the field at fault in %j', (input, field, message) => {
    const result = schema.safeParse(input);
    expect(result.success).toBe(false);
    if (result.success) return;
    const error = validationError(result.error);
    expect(error.kind).toBe('validation');
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
  });

  it('describes a wrong top-level value without a field', () => {
    const result = schema.safeParse('nope');
    expect(result.success).toBe(false);
    if (result.success) return;
    const error = validationError(result.error);
    expect(error.field).toBeUndefined();
    expect(error.message).toMatch(/^The input is not valid/);
  });
});

describe('settings schema', () => {
  const good = {
    brandName: ' Corner Shop ',
    defaultCountry: 'gb',
    currency: 'gbp',
    timeZone: 'Europe/London',
    shopPhoneNumbers: [],
    abandonedCheckoutMinutes: 120,
    uiPort: 4310,
    ingestHost: '0.0.0.0',
    ingestPort: 4311,
    churnHorizonDays: 90,
    valueHorizonDays: 180,
  };

  it('trims the shop name and upper-cases the country', () => {
    expect(settingsSchema.parse(good)).toMatchObject({
      brandName: 'Corner Shop',
      defaultCountry: 'GB',
      currency: 'GBP',
    });
  });

  it.each([
    [{ defaultCountry: 'XX' }, 'defaultCountry'],
    [{ defaultCountry: 'GBR' }, 'defaultCountry'],
    [{ brandName: '   ' }, 'brandName'],
    [{ uiPort: 80 }, 'uiPort'],
    [{ uiPort: 70000 }, 'uiPort'],
    [{ ingestPort: 4311.5 }, 'ingestPort'],
    [{ ingestHost: 'example.com' }, 'ingestHost'],
    [{ currency: 'POUNDS' }, 'currency'],
    [{ currency: 'XYZ' }, 'currency'],
    [{ timeZone: 'Europe/Atlantis' }, 'timeZone'],
    [{ timeZone: '+01:00' }, 'timeZone'],
  ])('rejects %j', (patch, field) => {
    const result = settingsSchema.safeParse({ ...good, ...patch });
    expect(result.success).toBe(false);
    if (!result.success) expect(validationError(result.error).field).toBe(field);
  });

  it('accepts IPv6 and localhost as ingest addresses', () => {
    expect(settingsSchema.safeParse({ ...good, ingestHost: '::' }).success).toBe(true);
    expect(settingsSchema.safeParse({ ...good, ingestHost: 'localhost' }).success).toBe(true);
  });
});

describe('wire errors', () => {
  it('round-trips through the wire shape', () => {
    const error = new AppError('validation', 'uiPort: bad', 'uiPort');
    const wire = error.toWire();
    expect(wire).toEqual({ kind: 'validation', message: 'uiPort: bad', field: 'uiPort' });
    expect(isWireError(wire)).toBe(true);
    expect(AppError.fromWire(wire)).toMatchObject({ kind: 'validation', message: 'uiPort: bad', field: 'uiPort' });
    expect(isWireError({ kind: 'weird', message: 'x' })).toBe(false);
  });
});
