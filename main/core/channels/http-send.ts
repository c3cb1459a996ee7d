/**
 * One HTTP request to a messaging provider (WhatsApp's Graph API, Twilio), told apart by what is certain about it:
 * a connection that was never made (refused, name not found) is `not_sent`, safe to retry; a timeout or a dropped
 * connection once the request may have gone out is `maybe_sent`, which the outbox must never resend by itself.
 */

import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** How long a provider may take to answer before the message's fate is `unknown`. */
export const DEFAULT_SEND_TIMEOUT_MS = 30_000;

export type HttpAttempt =
  | { kind: 'answered'; status: number; body: unknown; text: string }
  | { kind: 'not_sent'; reason: string }
  | { kind: 'maybe_sent'; reason: string };

/** Errors raised before any byte of the request can have left this PC. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

/**
 * Keep-alive connections, one pool per protocol, shared by every send: node:http rather than fetch, which cost about
 * three times the CPU per request (its streams, an AbortSignal.timeout and an AbortSignal.any for each), and the
 * outbox's sends to WhatsApp are many small requests to one host (`npm run bench -- outbox`). The pool's free
 * sockets do not keep the process alive.
 */
const agents = {
  http: new HttpAgent({ keepAlive: true, maxSockets: 32 }),
  https: new HttpsAgent({ keepAlive: true, maxSockets: 32 }),
};

export function postToProvider(
  url: string,
  init: { headers: Record<string, string>; body: string },
  options: { timeoutMs: number; provider: string; signal?: AbortSignal | undefined },
): Promise<HttpAttempt> {
  return new Promise((resolve) => {
    const target = new URL(url);
    const secure = target.protocol === 'https:';
    const body = Buffer.from(init.body, 'utf8');
    /** The status line arrived: the provider received the request, and the status says what it did with it. */
    let status: number | undefined;
    const chunks: Buffer[] = [];
    let timedOut = false;
    let settled = false;
    const finish = (attempt: HttpAttempt) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve(attempt);
    };
    const answered = (text: string) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text) as unknown;
      } catch {
        parsed = undefined;
      }
      finish({ kind: 'answered', status: status as number, body: parsed, text });
    };
    const request = (secure ? httpsRequest : httpRequest)(
      target,
      {
        method: 'POST',
        headers: { ...init.headers, 'content-length': String(body.length) },
        agent: secure ? agents.https : agents.http,
      },
      (response) => {
        status = response.statusCode ?? 0;
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => answered(Buffer.concat(chunks).toString('utf8')));
        // The body broke off: the status still says what the provider did with the request.
        response.on('error', () => answered(''));
        response.on('aborted', () => answered(''));
      },
    );
    const timer = setTimeout(() => {
      timedOut = true;
      request.destroy(new Error('timed out'));
    }, options.timeoutMs);
    const onAbort = () => request.destroy(new Error('aborted'));
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (status !== undefined) {
        answered('');
        return;
      }
      const code = error.code;
      if (code && NEVER_SENT.has(code)) {
        finish({
          kind: 'not_sent',
          reason: `ConstIntel could not reach ${options.provider} (${code}): check this PC's internet connection. Nothing was sent; it can be tried again.`,
        });
        return;
      }
      if (timedOut) {
        finish({
          kind: 'maybe_sent',
          reason: `${options.provider} did not answer within ${options.timeoutMs >= 1000 ? `${Math.round(options.timeoutMs / 1000)} seconds` : `${options.timeoutMs} ms`}, so ConstIntel cannot tell whether the message went out. Check with the customer before sending it again.`,
        });
        return;
      }
      finish({
        kind: 'maybe_sent',
        reason: `The connection to ${options.provider} broke before it answered (${code ?? error.message}), so ConstIntel cannot tell whether the message went out. Check with the customer before sending it again.`,
      });
    });
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    request.end(body);
  });
}
