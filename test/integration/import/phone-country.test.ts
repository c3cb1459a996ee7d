/**
 * The right country, or a question. A UK till export (phone numbers written 07… without +44) imported into a shop
 * whose country for phone numbers is the United States: the preview counts the numbers that cannot be read and
 * offers the United Kingdom (the country that reads most of them); chosen, every number reads. Imported as it is,
 * the summary counts the phone numbers not read (it never says nothing went wrong when some were lost), and the
 * built CLI says the same before importing and gives `phonesUnreadable` with --json.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { importHost } from '../../../main/core/import/import-service';
import { importFile, previewImport } from '../../../main/core/import/imports';
import { tempDir } from '../../support/backend';
import { importTestFolder } from '../../support/import-files';
import { builtScript } from '../../support/spawn';

const { withBackend, file } = importTestFolder();

const PREFIXES = ['07400', '07521', '07712', '07801', '07923'];
/** Receipt, Date, Name, Phone, Amount: 40 customers, 14 of them with no phone, each buying once. */
function ukTill(): string {
  const lines = ['Receipt,Date,Customer,Phone,Amount'];
  for (let i = 0; i < 40; i++) {
    const phone = i % 3 === 0 ? '' : `${PREFIXES[i % 5]} ${String(100123 + i * 7919).slice(-6)}`;
    lines.push(`R${i},2026-02-${String((i % 27) + 1).padStart(2, '0')},Customer ${i},${phone},${(10 + i).toFixed(2)}`);
  }
  return `${lines.join('\n')}\n`;
}
const PHONES = 26;

describe('the country for phone numbers', () => {
  it('the preview counts the numbers that cannot be read and offers the country that reads most of them', async () => {
    await withBackend(async (b) => {
      await b.call('settings.update', { defaultCountry: 'US' });
      const path = file('uk-till.csv', ukTill());
      const asUs = await previewImport(importHost(b.ctx), path);
      expect(asUs.phones).toEqual({
        checked: PHONES,
        unreadable: PHONES,
        suggestion: { country: 'GB', name: 'United Kingdom', readable: PHONES },
      });
      expect(asUs.settings.warnings).toContain(
        `${PHONES} of ${PHONES} phone numbers cannot be read as United States numbers; most read as United Kingdom numbers. Use United Kingdom for phone numbers written without a country code?`,
      );
      const asUk = await previewImport(importHost(b.ctx), path, { defaultCountry: 'GB' });
      expect(asUk.phones).toEqual({ checked: PHONES, unreadable: 0, suggestion: null });
      expect(asUk.settings.warnings.join(' ')).not.toContain('phone numbers');
    });
  });

  it('imported as the US, the summary counts the phone numbers not read; as the UK, every one is stored', async () => {
    await withBackend(async (b) => {
      await b.call('settings.update', { defaultCountry: 'US' });
      const path = file('uk-till.csv', ukTill());
      const wrong = await importFile(importHost(b.ctx), { path });
      expect(wrong.phonesUnreadable).toBe(PHONES);
      const history = await b.call('imports.jobs', {});
      expect(history[0]?.phonesUnreadable).toBe(PHONES);
    });
    await withBackend(async (b) => {
      await b.call('settings.update', { defaultCountry: 'US' });
      const path = file('uk-till.csv', ukTill());
      const right = await importFile(importHost(b.ctx), { path, choices: { defaultCountry: 'GB' } });
      expect(right.phonesUnreadable).toBe(0);
      const stored = b.db.sqlite
        .prepare("SELECT count(*) FROM profile_identifier WHERE type = 'phone' AND value LIKE '+447%'")
        .pluck()
        .get();
      expect(stored).toBe(PHONES);
    });
  });

  it('the CLI says so before importing, and gives phonesUnreadable with --json', () => {
    const dir = tempDir('constintel-phone-country-cli-');
    try {
      const path = file('uk-till-cli.csv', ukTill());
      const run = (args: string[]) =>
        spawnSync(process.execPath, [builtScript('cli'), ...args, '--data-dir', dir.path], {
          encoding: 'utf8',
          env: { ...process.env, CONSTINTEL_DATA_DIR: '' },
        });
      const out = run(['import', path, '--default-country', 'US', '--json']);
      expect(out.status, out.stderr).toBe(0);
      expect(out.stderr).toContain('most read as United Kingdom numbers');
      expect(out.stderr).toContain('(import with --default-country GB)');
      expect(JSON.parse(out.stdout.trim().split('\n').at(-1) ?? '{}').phonesUnreadable).toBe(PHONES);
    } finally {
      dir.remove();
    }
  });
});
