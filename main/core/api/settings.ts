/** Handlers for `settings.*`: read, change (validated whole), and the country list. */
import { getCountries } from 'libphonenumber-js';
import { AppError } from '../../../shared/contract/errors';
import { settingsSchema } from '../../../shared/contract/settings';
import { normalizePhone } from '../identity/normalize';
import { readApiKey, rotateApiKey } from '../secrets/api-key';
import { readSettings, writeSettings } from '../settings/settings-store';
import { handlers } from './registry';

let countryList: { code: string; name: string }[] | undefined;

export const settingsHandlers = handlers({
  'settings.get': (_input, { db }) => readSettings(db),

  'settings.apiKey': (_input, { secrets }) => ({ apiKey: readApiKey(secrets) }),

  'settings.rotateApiKey': (_input, { secrets }) => ({ apiKey: rotateApiKey(secrets) }),

  'settings.update': (patch, { db, clock, bus }) => {
    const before = readSettings(db);
    const next = settingsSchema.parse({ ...before, ...patch });
    // The shop's own numbers are stored normalised, so they can be refused as customer phones.
    next.shopPhoneNumbers = next.shopPhoneNumbers.map((raw, index) => {
      const phone = normalizePhone(raw, { defaultCountry: next.defaultCountry });
      if (!phone.ok) {
        const field = `shopPhoneNumbers.${index}`;
        throw new AppError('validation', `${field}: "${raw}" is not a phone number ConstIntel can read`, field);
      }
      return phone.value;
    });
    next.shopPhoneNumbers = [...new Set(next.shopPhoneNumbers)];
    if (next.uiPort === next.ingestPort) {
      throw new AppError('validation', 'ingestPort: the ingest port must differ from the app port', 'ingestPort');
    }
    writeSettings(db, next, clock);
    bus.emit('settings.changed');
    const restartNeeded =
      next.uiPort !== before.uiPort || next.ingestPort !== before.ingestPort || next.ingestHost !== before.ingestHost;
    return { settings: readSettings(db), restartNeeded };
  },

  'settings.countries': () => {
    if (!countryList) {
      const names = new Intl.DisplayNames(['en'], { type: 'region' });
      countryList = getCountries()
        .map((code) => ({ code, name: names.of(code) ?? code }))
        .sort((a, b) => a.name.localeCompare(b.name));
    }
    return countryList;
  },
});
