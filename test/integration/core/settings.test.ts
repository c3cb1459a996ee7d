import { describe, expect, it } from 'vitest';
import { ingestEvents } from '../../../main/core/ingest/ingest-service';
import { DEFAULT_INGEST_PORT, DEFAULT_UI_PORT } from '../../../main/core/settings/settings-store';
import { pcTimeZone } from '../../../shared/time-zone';
import { inMemoryBackend, tempDir, testBackend } from '../../support/backend';
import { ev } from '../../support/events';

describe('settings', () => {
  it('starts with defaults', async () => {
    const backend = await inMemoryBackend();
    const settings = await backend.call('settings.get', {});
    expect(settings).toMatchObject({
      brandName: 'My shop',
      uiPort: DEFAULT_UI_PORT,
      ingestHost: '127.0.0.1',
      ingestPort: DEFAULT_INGEST_PORT,
    });
    expect(settings.defaultCountry).toMatch(/^[A-Z]{2}$/);
    await backend.close();
  });

  it('are kept in the data file across a restart', async () => {
    const dir = tempDir();
    try {
      const first = await testBackend({ dataDir: dir.path });
      const update = await first.call('settings.update', {
        brandName: 'Corner Shop',
        defaultCountry: 'de',
        ingestPort: 5000,
      });
      expect(update).toEqual({
        settings: {
          brandName: 'Corner Shop',
          defaultCountry: 'DE',
          currency: expect.stringMatching(/^[A-Z]{3}$/),
          timeZone: pcTimeZone(),
          shopPhoneNumbers: [],
          abandonedCheckoutMinutes: 120,
          uiPort: 4310,
          ingestHost: '127.0.0.1',
          ingestPort: 5000,
          retrainNightly: false,
          churnHorizonDays: 90,
          valueHorizonDays: 180,
          sendingPaused: false,
          dailyCaps: { email: null, sms: null, whatsapp: null },
          messagePrices: { sms: null, whatsapp: null },
          sendRates: { email: 10, sms: 1, whatsapp: 80 },
          comparisonGroupPercent: 0,
          comparisonWindowDays: 7,
          smallestEffectPoints: 2,
        },
        restartNeeded: true,
      });
      await first.close();

      const second = await testBackend({ dataDir: dir.path });
      expect(await second.call('settings.get', {})).toEqual(update.settings);
      expect((await second.call('app.info', {})).brandName).toBe('Corner Shop');
      expect((await second.call('settings.update', { brandName: 'Corner Shop 2' })).restartNeeded).toBe(false);
      await second.close();
    } finally {
      dir.remove();
    }
  });

  it("stores the shop's own numbers normalised, refuses unreadable ones, and never matches customers on them", async () => {
    const backend = await inMemoryBackend();
    await backend.call('settings.update', { defaultCountry: 'GB', currency: 'gbp' });
    const saved = await backend.call('settings.update', {
      shopPhoneNumbers: ['020 7946 0000', '+44 20 7946 0000', '07700 900999'],
    });
    expect(saved.settings).toMatchObject({ currency: 'GBP', shopPhoneNumbers: ['+442079460000', '+447700900999'] });
    await expect(
      backend.call('settings.update', { shopPhoneNumbers: ['07700 900999', 'the shop'] }),
    ).rejects.toMatchObject({
      kind: 'validation',
      field: 'shopPhoneNumbers.1',
    });
    const [a] = ingestEvents(backend.ctx, [ev({ identifiers: { email: 'a@example.com', phone: '02079460000' } })]);
    const [b] = ingestEvents(backend.ctx, [ev({ identifiers: { email: 'b@example.com', phone: '+442079460000' } })]);
    expect(a?.unused).toEqual([{ type: 'phone', value: '02079460000', reason: 'shop_number' }]);
    expect(b?.profileId).not.toBe(a?.profileId);
    await backend.close();
  });

  it('rejects bad values without changing what is stored', async () => {
    const backend = await inMemoryBackend();
    const before = await backend.call('settings.get', {});
    await expect(backend.call('settings.update', { defaultCountry: 'XX', brandName: 'Other' })).rejects.toMatchObject({
      kind: 'validation',
      field: 'defaultCountry',
    });
    await expect(backend.call('settings.update', { ingestPort: before.uiPort })).rejects.toMatchObject({
      kind: 'validation',
      field: 'ingestPort',
    });
    await expect(backend.call('settings.update', { colour: 'red' } as never)).rejects.toMatchObject({
      kind: 'validation',
      field: 'colour',
    });
    expect(await backend.call('settings.get', {})).toEqual(before);
    await backend.close();
  });

  it("keeps the shop's time zone as an IANA name, starting as the PC's, and refuses anything else", async () => {
    const backend = await inMemoryBackend();
    expect((await backend.call('settings.get', {})).timeZone).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
    const saved = await backend.call('settings.update', { timeZone: ' america/new_york ' });
    expect(saved).toMatchObject({ settings: { timeZone: 'America/New_York' }, restartNeeded: false });
    expect((await backend.call('settings.update', { timeZone: 'UTC' })).settings.timeZone).toBe('UTC');
    for (const bad of ['Mars/Olympus_Mons', '+01:00', 'GMT+1:00', '', 'Europe/London; DROP TABLE setting'])
      await expect(backend.call('settings.update', { timeZone: bad })).rejects.toMatchObject({
        kind: 'validation',
        field: 'timeZone',
        message: expect.stringContaining('Europe/London, America/New_York or UTC'),
      });
    expect((await backend.call('settings.get', {})).timeZone).toBe('UTC');
    // Scheduled work follows it: 03:00 in Tokyo.
    await backend.call('settings.update', { timeZone: 'Asia/Tokyo' });
    const { timeZone, jobs } = await backend.call('jobs.list', {});
    expect(timeZone).toBe('Asia/Tokyo');
    const next = jobs.find((j) => j.name === 'models.retrain')?.nextRunAt;
    expect(next && new Date(next).toLocaleTimeString('en-GB', { timeZone: 'Asia/Tokyo' })).toBe('03:00:00');
    // A zone damaged by hand falls back to the PC's.
    backend.db.sqlite.prepare(`UPDATE setting SET value = '"Nowhere/Land"' WHERE key = 'shop.timeZone'`).run();
    expect((await backend.call('settings.get', {})).timeZone).toBe(pcTimeZone());
    await backend.close();
  });

  it('falls back to defaults for a value damaged by hand', async () => {
    const backend = await inMemoryBackend();
    backend.db.sqlite.prepare(`INSERT INTO setting (key, value, updated_at) VALUES ('ui.port', '"oops"', 0)`).run();
    backend.db.sqlite
      .prepare(`INSERT INTO setting (key, value, updated_at) VALUES ('ingest.port', 'not json at all', 0)`)
      .run();
    expect(await backend.call('settings.get', {})).toMatchObject({
      uiPort: DEFAULT_UI_PORT,
      ingestPort: DEFAULT_INGEST_PORT,
    });
    await backend.close();
  });

  it('lists countries with names for the phone-country picker', async () => {
    const backend = await inMemoryBackend();
    const countries = await backend.call('settings.countries', {});
    expect(countries.length).toBeGreaterThan(200);
    expect(countries).toContainEqual({ code: 'GB', name: 'United Kingdom' });
    await backend.close();
  });
});
