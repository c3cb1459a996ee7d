/**
 * `constintel send` in a real process against a real SMTP server on loopback: refused with the reason on stderr and
 * exit 1 (no yes to email, a service email, an unknown template or customer); accepted end to end, sent by the
 * command itself when the app is not running (the template's fields filled, the unsubscribe headers on), and only
 * written to the outbox when the app runs — which then sends it.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../../main/core/backend';
import { recordConsent } from '../../../main/core/channels/consent';
import { systemClock } from '../../../main/core/clock';
import { outboxRow } from '../../../main/core/db/repos/message-outbox';
import { appRoot } from '../../../main/core/paths';
import type { MessageView } from '../../../shared/contract/messages';
import { ingestOne, tempDir, testBackend } from '../../support/backend';
import { ev } from '../../support/events';
import { type SmtpPeer, smtpPeer } from '../../support/provider-fakes';

const dir = tempDir();
let smtp: SmtpPeer;

/** Runs `constintel send …` without blocking this process (the SMTP peer answers from here). */
function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(appRoot(), 'main/cli.ts'), 'send', ...args, '--data-dir', dir.path],
    { cwd: appRoot(), env: { ...process.env, CONSTINTEL_DATA_DIR: '' } },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => child.once('close', (status) => resolve({ status, stdout, stderr })));
}

/** A zone where it is `hour` o'clock now: midday keeps quiet hours (21:00–8:00) off the test's marketing mail. */
function zoneAt(hour: number): string {
  let offset = new Date().getUTCHours() - hour;
  if (offset > 12) offset -= 24;
  if (offset < -12) offset += 24;
  return offset === 0 ? 'UTC' : `Etc/GMT${offset > 0 ? '+' : '-'}${Math.abs(offset)}`;
}

async function openShop(lock = false): Promise<Backend> {
  return testBackend({ dataDir: dir.path, clock: systemClock, lock });
}

beforeAll(async () => {
  smtp = await smtpPeer();
  const backend = await openShop();
  await backend.call('settings.update', { brandName: 'Corner Shop', timeZone: zoneAt(12), defaultCountry: 'US' });
  await backend.call('channels.saveEmail', {
    host: '127.0.0.1',
    port: smtp.port,
    security: 'none',
    fromAddress: 'hello@corner-shop.test',
  });
  const ann = ingestOne(
    backend,
    ev({ identifiers: { email: 'ann@example.com', phone: '+12025550123' }, payload: { firstName: 'Ann' } }),
  ).profileId as number;
  ingestOne(backend, ev({ identifiers: { email: 'bob@example.com' }, payload: { firstName: 'Bob' } }));
  const now = Date.now();
  recordConsent(backend.db, { profileId: ann, channel: 'email', state: 'yes', source: 'shop', occurredAt: now, now });
  await backend.call('templates.save', {
    template: {
      name: 'Welcome back',
      channel: 'email',
      subject: 'Welcome back, {{first_name}}',
      body: 'Hello {{first_name}}, {{shop_name}} has missed you. {{unsubscribe_link}}',
    },
  });
  await backend.close();
}, 60_000);
afterAll(async () => {
  await smtp.close();
  dir.remove();
});

describe('constintel send', () => {
  it('refuses with the reason on stderr and exit 1, and writes nothing', async () => {
    const noYes = await cli(['bob@example.com', '--channel', 'email', '--text', 'Hi {{first_name}}']);
    expect(noYes.status).toBe(1);
    expect(noYes.stderr).toMatch(/has not said yes to offers by email/);
    const service = await cli(['ann@example.com', '--channel', 'email', '--text', 'Your order', '--service']);
    expect(service.status).toBe(1);
    expect(service.stderr).toMatch(/A service email cannot be sent from ConstIntel/);
    const template = await cli(['ann@example.com', '--channel', 'email', '--template', 'Summer sale']);
    expect(template.status).toBe(1);
    expect(template.stderr).toMatch(/no template called "Summer sale".*"Welcome back"/);
    const nobody = await cli(['zed@example.com', '--channel', 'email', '--text', 'Hi']);
    expect(nobody.status).toBe(1);
    expect(nobody.stderr).toMatch(/No customer has the email address zed@example.com/);
    const whatsapp = await cli(['(202) 555-0123', '--channel', 'whatsapp', '--text', 'Hi']);
    expect(whatsapp.status).toBe(1);
    expect(whatsapp.stderr).toMatch(/WhatsApp is not connected/);
    expect(smtp.mails).toHaveLength(0);
  }, 120_000);

  it('sends it itself when the app is not running: the mail arrives with its fields and unsubscribe headers', async () => {
    const sent = await cli(['ann@example.com', '--channel', 'email', '--template', 'welcome BACK', '--json']);
    expect(sent.status, sent.stderr).toBe(0);
    const { message } = JSON.parse(sent.stdout) as { message: MessageView };
    expect(message).toMatchObject({ status: 'sent', channel: 'email', source: 'cli', recipient: 'ann@example.com' });
    expect(smtp.mails).toHaveLength(1);
    const raw = smtp.mails[0]?.raw.replace(/=\r?\n/g, '') ?? '';
    expect(raw).toMatch(/^Subject: Welcome back, Ann\r?$/m);
    expect(raw).toContain('Hello Ann, Corner Shop has missed you.');
    expect(raw).toMatch(/^List-Unsubscribe:\s*<mailto:hello@corner-shop\.test\?subject=unsubscribe>/m);

    const byPhone = await cli([
      '(202) 555-0123',
      '--channel',
      'email',
      '--text',
      'Hi {{first_name}}',
      '--subject',
      'News',
    ]);
    expect(byPhone.status, byPhone.stderr).toBe(0);
    expect(byPhone.stdout).toMatch(/^Message #\d+ to ann@example\.com by email was accepted by the mail server\.$/m);
    expect(smtp.mails).toHaveLength(2);
  }, 60_000);

  it('only writes it when the app is running, and the app sends it', async () => {
    const app = await openShop(true);
    try {
      const queued = await cli(['1', '--channel', 'email', '--text', 'From the terminal', '--subject', 'Hello']);
      expect(queued.status, queued.stderr).toBe(0);
      expect(queued.stdout).toMatch(/is written; ConstIntel \(running\) sends it now/);
      const id = Number(/Message #(\d+)/.exec(queued.stdout)?.[1]);
      const deadline = Date.now() + 15_000;
      while (outboxRow(app.db, id)?.status !== 'sent' && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 200));
      expect(outboxRow(app.db, id)?.status).toBe('sent');
      expect(smtp.mails).toHaveLength(3);
    } finally {
      await app.close();
    }
  }, 60_000);

  it('says until when a held message waits (quiet hours in the customer’s time), and exits 0', async () => {
    const shop = await openShop();
    await shop.call('settings.update', { timeZone: zoneAt(2) });
    await shop.close();
    const held = await cli(['ann@example.com', '--channel', 'email', '--text', 'Late offer', '--subject', 'Offer']);
    expect(held.status, held.stderr).toBe(0);
    expect(held.stdout).toMatch(
      /^Message #\d+ to ann@example\.com by email is held until \d{4}-\d\d-\d\d \d\d:\d\d UTC: Quiet hours/m,
    );
    expect(smtp.mails).toHaveLength(3);
  }, 60_000);
});
