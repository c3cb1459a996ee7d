/**
 * `constintel connect email | sms | whatsapp` with the built CLI: the secrets land in the secret store beside the
 * data file (secrets.json, user-only), never in the data file; the app started afterwards sees each channel
 * connected. Bad options are explained and exit non-zero.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirs, testBackend } from '../../support/backend';
import { builtScript } from '../../support/spawn';

const newDir = tempDirs();
const SID = `AC${'d4'.repeat(16)}`;

function cli(...args: string[]) {
  return spawnSync(process.execPath, [builtScript('cli'), ...args], { encoding: 'utf8' });
}

describe('constintel connect (channels)', () => {
  it('stores the three channels, their secrets in the secret store only', async () => {
    const dataDir = newDir();
    const email = cli(
      'connect',
      'email',
      '--host',
      'smtp.corner-shop.test',
      '--port',
      '587',
      '--tls',
      'starttls',
      '--user',
      'shop',
      '--password',
      'smtp-PASSWORD-1',
      '--from',
      'hello@corner-shop.test',
      '--from-name',
      'Corner Shop',
      '--data-dir',
      dataDir,
    );
    expect(email.stderr).toBe('');
    expect(email.stdout).toMatch(
      /^Connected email: mail goes from hello@corner-shop\.test through smtp\.corner-shop\.test:587/,
    );
    const sms = cli(
      'connect',
      'sms',
      '--account-sid',
      SID,
      '--auth-token',
      'twilio-TOKEN-2',
      '--from',
      '+15005550006',
      '--data-dir',
      dataDir,
    );
    expect(sms.stderr).toBe('');
    expect(sms.stdout).toMatch(/^Connected SMS through Twilio, from \+15005550006/);
    const wa = cli(
      'connect',
      'whatsapp',
      '--phone-number-id',
      '106540352242922',
      '--access-token',
      'wa-TOKEN-3',
      '--data-dir',
      dataDir,
    );
    expect(wa.stderr).toBe('');
    expect(wa.stdout).toMatch(/^Connected WhatsApp\. sending from phone number id 106540352242922/);

    const secretsFile = join(dataDir, 'secrets.json');
    const secrets = readFileSync(secretsFile, 'utf8');
    for (const secret of ['smtp-PASSWORD-1', 'twilio-TOKEN-2', 'wa-TOKEN-3']) expect(secrets).toContain(secret);
    expect(statSync(secretsFile).mode & 0o777).toBe(0o600);
    const dataFile = readFileSync(join(dataDir, 'constintel.db')).toString('latin1');
    for (const secret of ['smtp-PASSWORD-1', 'twilio-TOKEN-2', 'wa-TOKEN-3']) expect(dataFile).not.toContain(secret);

    const backend = await testBackend({ dataDir });
    try {
      const view = await backend.call('channels.get', {});
      expect(view.email).toMatchObject({
        connected: true,
        host: 'smtp.corner-shop.test',
        port: 587,
        security: 'starttls',
        user: 'shop',
        fromName: 'Corner Shop',
      });
      expect(view.sms).toMatchObject({ connected: true, accountSid: SID, from: '+15005550006' });
      expect(view.whatsapp).toMatchObject({ connected: true, phoneNumberId: '106540352242922' });
    } finally {
      await backend.close();
    }
  });

  it('explains bad options and exits non-zero', () => {
    const dataDir = newDir();
    const badTls = cli(
      'connect',
      'email',
      '--host',
      'h',
      '--port',
      '587',
      '--tls',
      'ssl',
      '--from',
      'a@b.test',
      '--data-dir',
      dataDir,
    );
    expect(badTls.status).not.toBe(0);
    expect(badTls.stderr).toMatch(/--tls must be none, starttls or tls/);
    const noFrom = cli('connect', 'sms', '--account-sid', SID, '--auth-token', 't', '--data-dir', dataDir);
    expect(noFrom.status).not.toBe(0);
    expect(noFrom.stderr).toMatch(/Give the From number or the Messaging Service SID/);
    const nothing = cli('connect', 'whatsapp', '--data-dir', dataDir);
    expect(nothing.status).not.toBe(0);
    expect(nothing.stderr).toMatch(/Give --phone-number-id and --access-token/);
  });
});
