/**
 * Email through the shop's own SMTP server (nodemailer). The From address is the shop's, and DKIM signing is the
 * server's job (it must cover List-Unsubscribe). What is certain about a send rests on one fact tracked here: whether
 * the message body was handed to the server. A failure before that (connection refused, a greeting that never came,
 * a refused login or recipient) means the server certainly did not take it; a timeout or dropped connection after
 * it means it may have, so the answer is `unknown`.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import { DEFAULT_SEND_TIMEOUT_MS } from './http-send';
import type { ChannelSender, OutgoingMessage, SendResult } from './types';

export const EMAIL_SECURITY = ['none', 'starttls', 'tls'] as const;
export type EmailSecurity = (typeof EMAIL_SECURITY)[number];

export interface EmailConfig {
  host: string;
  port: number;
  security: EmailSecurity;
  user?: string | undefined;
  password?: string | undefined;
  fromAddress: string;
  fromName?: string | undefined;
}

interface SmtpError extends Error {
  code?: string;
  /** The socket's own code (ECONNREFUSED) under nodemailer's ESOCKET. */
  originalCode?: string;
  responseCode?: number;
  response?: string;
  command?: string;
}

/** Connection problems that leave the message certainly unsent and may pass by themselves. */
const TRANSIENT = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET']);

/**
 * What makes each mail's Message-ID and MIME boundaries unique: a random tag drawn once per process, the outbox row
 * and a counter. nodemailer draws fresh random bytes for each of them (five or more calls a mail, two of them again
 * for its own copy of a raw mail); unguessable per process is all a boundary needs.
 */
const PROCESS_TAG = randomBytes(6).toString('hex');
let sequence = 0;

function uniqueIds(config: EmailConfig, message: OutgoingMessage): { unique: string; messageId: string } {
  sequence += 1;
  const unique = `${PROCESS_TAG}.${message.outboxId}.${sequence}`;
  return { unique, messageId: `<${unique}@${config.fromAddress.split('@').pop() || 'constintel.invalid'}>` };
}

function composeMessage(
  config: EmailConfig,
  message: OutgoingMessage,
  ids: { unique: string; messageId: string },
): Promise<Buffer> {
  const composer = new MailComposer({
    messageId: ids.messageId,
    baseBoundary: ids.unique,
    from: config.fromName ? { name: config.fromName, address: config.fromAddress } : config.fromAddress,
    to: message.to,
    subject: message.subject ?? '',
    text: message.text,
    ...(message.html ? { html: message.html } : {}),
    ...(message.headers ? { headers: message.headers } : {}),
  });
  return new Promise((resolve, reject) => {
    composer.compile().build((error, built) => (error ? reject(error) : resolve(built)));
  });
}

export function smtpErrorResult(error: SmtpError, bodySent: boolean, server: string): SendResult {
  const said = error.response ? ` The server said: "${error.response.trim().slice(0, 300)}"` : '';
  const responseCode = error.responseCode;
  if (error.code === 'EAUTH') {
    return {
      outcome: 'refused',
      retry: false,
      code: responseCode ? String(responseCode) : 'EAUTH',
      reason: `The mail server refused the user name or password. Check them in Settings → Channels.${said}`,
    };
  }
  if (responseCode && responseCode >= 400) {
    const temporary = responseCode < 500;
    const what =
      error.command === 'RCPT TO'
        ? 'The mail server refused the recipient address'
        : error.command === 'MAIL FROM'
          ? 'The mail server refused the From address'
          : 'The mail server refused the message';
    return {
      outcome: 'refused',
      retry: temporary,
      code: String(responseCode),
      reason: `${what}${temporary ? ' for now; it will be tried again' : ''}.${said}`,
    };
  }
  if (bodySent) {
    return {
      outcome: 'unknown',
      reason: `The mail server ${server} did not confirm the message after receiving it (${error.code ?? error.message}), so ConstIntel cannot tell whether it went out. Check with the customer before sending it again.`,
    };
  }
  if (error.code === 'ETLS' || /certificate|self[- ]signed|TLS|SSL/i.test(error.message)) {
    return {
      outcome: 'refused',
      retry: false,
      code: error.code ?? 'ETLS',
      reason: `The secure connection to the mail server ${server} failed (${error.message}). Check the port and the security setting (None, STARTTLS or TLS) in Settings → Channels.`,
    };
  }
  if (error.code && TRANSIENT.has(error.code)) {
    return {
      outcome: 'refused',
      retry: true,
      code: error.originalCode ?? error.code,
      reason: `ConstIntel could not reach the mail server ${server} (${error.message}). Check that the host and port in Settings → Channels are right and the server is running. Nothing was sent.`,
    };
  }
  return {
    outcome: 'refused',
    retry: false,
    code: error.code ?? null,
    reason: `The mail server ${server} did not take the message (${error.message}).${said}`,
  };
}

/**
 * One pool of SMTP connections per server setup (host, port, security, login, timeout), shared by every sender made
 * from it: the outbox makes a new sender for each pass, and opening a connection (greeting, EHLO, login) for every
 * message made a 5,000-mail campaign wait on handshakes at about 20 messages a second (`npm run bench -- outbox`).
 * At most SMTP_POOL_CONNECTIONS connections (small shops' mail servers often refuse more than a few at once from one
 * client), each closed after POOL_IDLE_MS without a message, and the pool itself dropped once nothing used it for
 * that long. The outbox keeps more mails in flight than there are connections (at least twice as many, and a
 * twentieth of a second's worth at the channel's rate), so a connection that finishes one finds the next already
 * waiting, even after the main thread was busy for a moment (email went 222 → 289 a second in the bench with twice
 * as many, the same as with 8 connections; 410 → 470 at a limit of 500 with the twentieth of a second); the price: a
 * mail waiting behind a server that takes longer than the send timeout is `unknown` without having been handed over.
 */
export const SMTP_POOL_CONNECTIONS = 4;
const POOL_IDLE_MS = 5_000;

interface Pool {
  transport: ReturnType<typeof nodemailer.createTransport>;
  inUse: number;
  idle: NodeJS.Timeout | undefined;
}
const pools = new Map<string, Pool>();

function poolFor(config: EmailConfig, timeoutMs: number): { key: string; pool: Pool } {
  const key = JSON.stringify([config.host, config.port, config.security, config.user, config.password, timeoutMs]);
  let pool = pools.get(key);
  if (!pool) {
    pool = {
      transport: nodemailer.createTransport({
        pool: true,
        maxConnections: SMTP_POOL_CONNECTIONS,
        maxMessages: 1_000,
        // At most once: the pool must never resend a message on a new connection after the one carrying it closed
        // (its default is 5 requeues); that message fails here, and the body handed over or not decides its fate.
        maxRequeues: 0,
        idleTimeout: POOL_IDLE_MS,
        host: config.host,
        port: config.port,
        secure: config.security === 'tls',
        requireTLS: config.security === 'starttls',
        ignoreTLS: config.security === 'none',
        ...(config.user ? { auth: { user: config.user, pass: config.password ?? '' } } : {}),
        connectionTimeout: timeoutMs,
        greetingTimeout: timeoutMs,
        socketTimeout: timeoutMs,
      }),
      inUse: 0,
      idle: undefined,
    };
    pools.set(key, pool);
  }
  return { key, pool };
}

function release(key: string, pool: Pool): void {
  pool.inUse -= 1;
  if (pool.inUse > 0) return;
  clearTimeout(pool.idle);
  pool.idle = setTimeout(() => {
    if (pool.inUse > 0 || pools.get(key) !== pool) return;
    pools.delete(key);
    pool.transport.close();
  }, POOL_IDLE_MS);
  pool.idle.unref();
}

/**
 * A connection that broke, or a send cut off by the outbox (its timeout, or the app stopping): the connection carrying
 * the message is closed (the pool's abort signal), not the whole pool, so the other sends in flight go on.
 */
function isAbort(error: SmtpError): boolean {
  return error.name === 'AbortError' || error.code === 'ABORT_ERR';
}

export function createEmailSender(
  config: EmailConfig,
  options: { timeoutMs?: number | undefined } = {},
): ChannelSender {
  const timeoutMs = options.timeoutMs ?? DEFAULT_SEND_TIMEOUT_MS;
  const server = `${config.host}:${config.port}`;
  return {
    channel: 'email',
    async send(message, signal) {
      const ids = uniqueIds(config, message);
      const raw = await composeMessage(config, message, ids);
      const { key, pool } = poolFor(config, timeoutMs);
      pool.inUse += 1;
      clearTimeout(pool.idle);
      let bodySent = false;
      const body = Readable.from([raw]);
      body.once('end', () => {
        bodySent = true;
      });
      try {
        const info = await pool.transport.sendMail({
          envelope: { from: config.fromAddress, to: [message.to] },
          raw: body,
          // Already in the raw mail; given here too so nodemailer does not draw one for its own bookkeeping.
          messageId: ids.messageId,
          ...(signal ? { signal } : {}),
        });
        if (info.rejected.length > 0) {
          return {
            outcome: 'refused',
            retry: false,
            code: null,
            reason: `The mail server refused the recipient address ${message.to}. The server said: "${info.response}"`,
          };
        }
        const queued = /queued as ([\w.-]+)/i.exec(info.response ?? '');
        return { outcome: 'accepted', providerId: queued?.[1] ?? info.messageId ?? null };
      } catch (error) {
        const smtpError = error as SmtpError;
        // Cut off before the body was handed over: the server certainly does not have it, so it may go again later.
        if (isAbort(smtpError) && !bodySent)
          return {
            outcome: 'refused',
            retry: true,
            code: 'ABORTED',
            reason: `The send to the mail server ${server} was stopped before the message was handed over. Nothing was sent.`,
          };
        return smtpErrorResult(smtpError, bodySent, server);
      } finally {
        release(key, pool);
      }
    },
  };
}
