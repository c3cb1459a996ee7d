/**
 * One HTTP request to a messaging provider (WhatsApp's Graph API, Twilio), told apart by what is certain about it:
 * a connection that was never made (refused, name not found) is `not_sent`, safe to retry; a timeout or a dropped
 * connection once the request may have gone out is `maybe_sent`, which the outbox must never resend by itself.
 */

/** How long a provider may take to answer before the message's fate is `unknown`. */
export const DEFAULT_SEND_TIMEOUT_MS = 30_000;

export type HttpAttempt =
  | { kind: 'answered'; status: number; body: unknown; text: string }
  | { kind: 'not_sent'; reason: string }
  | { kind: 'maybe_sent'; reason: string };

/** Errors raised before any byte of the request can have left this PC. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

function causeCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export async function postToProvider(
  url: string,
  init: { headers: Record<string, string>; body: string },
  options: { timeoutMs: number; provider: string; signal?: AbortSignal | undefined },
): Promise<HttpAttempt> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers: init.headers, body: init.body, signal });
  } catch (error) {
    const code = causeCode(error);
    if (code && NEVER_SENT.has(code)) {
      return {
        kind: 'not_sent',
        reason: `ConstIntel could not reach ${options.provider} (${code}): check this PC's internet connection. Nothing was sent; it can be tried again.`,
      };
    }
    if (timeout.aborted) {
      return {
        kind: 'maybe_sent',
        reason: `${options.provider} did not answer within ${options.timeoutMs >= 1000 ? `${Math.round(options.timeoutMs / 1000)} seconds` : `${options.timeoutMs} ms`}, so ConstIntel cannot tell whether the message went out. Check with the customer before sending it again.`,
      };
    }
    return {
      kind: 'maybe_sent',
      reason: `The connection to ${options.provider} broke before it answered (${code ?? (error as Error).message}), so ConstIntel cannot tell whether the message went out. Check with the customer before sending it again.`,
    };
  }
  let text: string;
  try {
    text = await response.text();
  } catch {
    // The status line arrived: the provider received the request, and the status says what it did with it.
    text = '';
  }
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    body = undefined;
  }
  return { kind: 'answered', status: response.status, body, text };
}
