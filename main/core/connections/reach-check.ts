/**
 * "Check it reaches this PC" for the shop's public address. The app calls `<public address>/webhooks/reach-check/
 * <nonce>` the way Twilio or a mail provider would, through the tunnel; the ingest listener answers that route with
 * the nonce and a proof (HMAC of the nonce with a key made when this process started). A proof that matches means
 * the request came back to this very app, not merely to some server or to ConstIntel on another PC; the key is
 * never sent, so another server cannot replay a proof for a new nonce. Anything else is said in words: the name not
 * found, connection refused, no answer in time, a TLS problem, another server answering.
 *
 * Written on `node:https` rather than `fetch`: its errors carry the codes (ENOTFOUND, ECONNREFUSED, certificate
 * codes) the words come from, and `ca` lets a test trust the self-signed certificate of its own loopback tunnel.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { request } from 'node:https';

export const REACH_CHECK_PATH = '/webhooks/reach-check';
export const REACH_SERVICE = 'constintel-ingest';
const PROCESS_KEY = randomBytes(32);
const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_ANSWER_CHARS = 4096;

/** The ingest listener's proof for a nonce: only this process can make it. */
export const reachProof = (nonce: string): string =>
  createHmac('sha256', PROCESS_KEY).update(nonce).digest('base64url');

/** What the reach-check route answers. */
export const reachAnswer = (nonce: string) => ({ service: REACH_SERVICE, nonce, proof: reachProof(nonce) });

export interface ReachResult {
  reached: boolean;
  /** The address called. */
  url: string;
  /** What happened, in the shop's words. */
  detail: string;
}

export interface ReachOptions {
  timeoutMs?: number;
  /** Extra certificate authorities to trust (a test's own tunnel); the system's are used otherwise. */
  ca?: string | Buffer;
  /** This PC's ingest port, named in the advice when another server answers. */
  ingestPort?: number | null;
}

const TLS_WORDS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'its certificate chain ends in a self-signed certificate',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its certificate is not signed by an authority this PC trusts',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its certificate is not signed by an authority this PC trusts',
  CERT_HAS_EXPIRED: 'its certificate has expired',
  CERT_NOT_YET_VALID: 'its certificate is not valid yet (or this PC’s clock is wrong)',
  ERR_TLS_CERT_ALTNAME_INVALID: 'its certificate is for another name',
};

function errorWords(error: NodeJS.ErrnoException, host: string, timeoutMs: number): string {
  const code = error.code ?? '';
  if (code === 'ENOTFOUND')
    return `The name “${host}” could not be found (DNS): check the spelling, and that the tunnel is running — some tunnels get a new name each time they start.`;
  if (code === 'EAI_AGAIN')
    return `The name “${host}” could not be looked up just now (DNS did not answer): check this PC’s internet connection.`;
  if (code === 'ECONNREFUSED')
    return `Nothing accepted the connection at ${host} (refused): the tunnel is not running there, or the address is wrong.`;
  if (code === 'CONSTINTEL_TIMEOUT' || code === 'ETIMEDOUT')
    return `No answer from ${host} within ${timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} seconds` : `${timeoutMs} ms`} (timed out): the tunnel may be stopped, or pointing at a PC that does not answer.`;
  if (code === 'ECONNRESET' || error.message === 'socket hang up')
    return `The connection to ${host} was cut before any answer: the tunnel may be stopped or misconfigured.`;
  const tls = TLS_WORDS[code];
  if (tls || code.startsWith('ERR_SSL_') || code === 'EPROTO' || /certificate|ssl|tls/i.test(error.message))
    return `The secure (https) connection to ${host} failed: ${tls ?? error.message}. Twilio and mail providers would refuse it too; use the https address your tunnel gives you.`;
  return `Could not reach ${host}: ${error.message}.`;
}

function answerWords(status: number, location: string | undefined, body: string, nonce: string, port?: number | null) {
  const pointAt = port
    ? ` Point the tunnel at this PC’s ingest port ${port}.`
    : ' Point the tunnel at this PC’s ingest port.';
  if (status >= 300 && status < 400)
    return `The address answered with a redirect${location ? ` to ${location}` : ''} (answer ${status}): a tunnel must pass requests on as they are.${pointAt}`;
  if (status === 502 || status === 503 || status === 504)
    return `The tunnel answered, but nothing answered behind it (answer ${status}): ConstIntel is not reachable where it points.${pointAt}`;
  let json: { service?: unknown; nonce?: unknown; proof?: unknown } | undefined;
  try {
    json = JSON.parse(body) as typeof json;
  } catch {
    json = undefined;
  }
  if (status === 200 && json?.service === REACH_SERVICE && json.nonce === nonce)
    return 'A ConstIntel answered, but not this one: the tunnel leads to another PC or another copy of ConstIntel.';
  return `Another server answered (answer ${status}), not this ConstIntel: the address does not lead to this PC.${pointAt}`;
}

/** Calls the public address's reach-check route and says whether it came back to this very app. */
export function checkReach(publicUrl: string, options: ReachOptions = {}): Promise<ReachResult> {
  const nonce = randomBytes(16).toString('base64url');
  const url = `${publicUrl}${REACH_CHECK_PATH}/${nonce}`;
  const host = new URL(url).host;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (reached: boolean, detail: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ reached, url, detail });
    };
    const req = request(
      url,
      {
        method: 'GET',
        headers: { accept: 'application/json', 'user-agent': 'ConstIntel reach check' },
        ...(options.ca ? { ca: options.ca } : {}),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (body.length < MAX_ANSWER_CHARS) body += chunk;
        });
        res.on('error', (error) => finish(false, errorWords(error, host, timeoutMs)));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          let proof: unknown;
          try {
            proof = (JSON.parse(body) as { proof?: unknown }).proof;
          } catch {
            proof = undefined;
          }
          if (status === 200 && proof === reachProof(nonce))
            return finish(true, `It reaches this PC: ${publicUrl} answered from this very ConstIntel.`);
          finish(false, answerWords(status, res.headers.location, body, nonce, options.ingestPort));
        });
      },
    );
    const timer = setTimeout(() => {
      const error: NodeJS.ErrnoException = new Error('timed out');
      error.code = 'CONSTINTEL_TIMEOUT';
      req.destroy(error);
    }, timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) => finish(false, errorWords(error, host, timeoutMs)));
    req.end();
  });
}
