/**
 * Email through a real SMTP server on loopback (the `smtp-server` package): the mail arrives with the shop's From,
 * the subject and a custom header; a refused login, a refused recipient, a closed port and a server that takes the
 * message and never confirms it each come back as the outcome the outbox relies on, in words.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createEmailSender, type EmailConfig } from '../../../main/core/channels/email';
import type { OutgoingMessage } from '../../../main/core/channels/types';
import { closedPort, type SmtpPeer, smtpPeer } from '../../support/provider-fakes';

const message: OutgoingMessage = {
  channel: 'email',
  to: 'ann@example.com',
  subject: 'We miss you, Ann',
  text: 'Come back for 10% off.',
  headers: {
    'List-Unsubscribe': '<mailto:shop@corner-shop.test?subject=unsubscribe>',
    'X-ConstIntel-Test': 'yes',
  },
  outboxId: 7,
};

function config(port: number, extra: Partial<EmailConfig> = {}): EmailConfig {
  return {
    host: '127.0.0.1',
    port,
    security: 'none',
    fromAddress: 'hello@corner-shop.test',
    fromName: 'Corner Shop',
    ...extra,
  };
}

let peers: SmtpPeer[] = [];
afterEach(async () => {
  await Promise.all(peers.map((p) => p.close()));
  peers = [];
});
async function peer(options: Parameters<typeof smtpPeer>[0] = {}): Promise<SmtpPeer> {
  const started = await smtpPeer(options);
  peers.push(started);
  return started;
}

describe('email over SMTP', () => {
  it('delivers the mail with its From, Subject and headers, signed in when the server asks', async () => {
    const server = await peer({ users: { shop: 's3cret' } });
    const sender = createEmailSender(config(server.port, { user: 'shop', password: 's3cret' }));
    const result = await sender.send(message);
    expect(result).toMatchObject({ outcome: 'accepted' });
    expect(server.mails).toHaveLength(1);
    const [mail] = server.mails;
    expect(mail?.from).toBe('hello@corner-shop.test');
    expect(mail?.to).toEqual(['ann@example.com']);
    expect(mail?.user).toBe('shop');
    expect(mail?.raw).toMatch(/^From: Corner Shop <hello@corner-shop\.test>\r?$/m);
    expect(mail?.raw).toMatch(/^Subject: We miss you, Ann\r?$/m);
    expect(mail?.raw).toMatch(/^X-ConstIntel-Test: yes\r?$/im);
    expect(mail?.raw).toMatch(/^List-Unsubscribe: <mailto:shop@corner-shop\.test\?subject=unsubscribe>\r?$/m);
    expect(mail?.raw).toContain('Come back for 10% off.');
  });

  it('says the server refused the user name or password (535), without retrying', async () => {
    const server = await peer({ users: { shop: 's3cret' } });
    const result = await createEmailSender(config(server.port, { user: 'shop', password: 'wrong' })).send(message);
    expect(result).toMatchObject({ outcome: 'refused', retry: false, code: '535' });
    expect(result.outcome === 'refused' && result.reason).toMatch(
      /^The mail server refused the user name or password\. .*Authentication credentials invalid/,
    );
    expect(server.mails).toHaveLength(0);
  });

  it('reports a refused recipient (550) with the server’s words, without retrying', async () => {
    const server = await peer({ refuseRecipient: (a) => a === 'nobody@example.com' });
    const result = await createEmailSender(config(server.port)).send({ ...message, to: 'nobody@example.com' });
    expect(result).toMatchObject({ outcome: 'refused', retry: false, code: '550' });
    expect(result.outcome === 'refused' && result.reason).toMatch(
      /refused the recipient address.*Recipient address rejected: User unknown/,
    );
  });

  it('a closed port is refused and may be retried: nothing was sent', async () => {
    const result = await createEmailSender(config(await closedPort())).send(message);
    expect(result).toMatchObject({ outcome: 'refused', retry: true, code: 'ECONNREFUSED' });
    expect(result.outcome === 'refused' && result.reason).toMatch(/could not reach the mail server 127\.0\.0\.1:\d+/);
  });

  it('a server that takes the message and never confirms it is unknown after the timeout', async () => {
    const server = await peer({ hangAfterData: true });
    const started = Date.now();
    const result = await createEmailSender(config(server.port), { timeoutMs: 500 }).send(message);
    expect(result.outcome).toBe('unknown');
    expect(result.outcome === 'unknown' && result.reason).toMatch(/cannot tell whether it went out/);
    expect(server.mails).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('email over SMTP, a server that never greets', () => {
  it('is refused and may be retried: the message was never handed over', async () => {
    const { createServer } = await import('node:net');
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as { port: number }).port;
      const result = await createEmailSender(config(port), { timeoutMs: 300 }).send(message);
      expect(result).toMatchObject({ outcome: 'refused', retry: true, code: 'ETIMEDOUT' });
    } finally {
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
