/**
 * The outbox bench's peers, in their own process (run with `node --import tsx`, spoken to over IPC): a real SMTP
 * server (the `smtp-server` package, set up as test/support/provider-fakes.ts smtpPeer sets it up: loopback, no TLS,
 * no login) and an HTTP server answering as Meta's Graph API answers `POST /v{version}/{phone-number-id}/messages`.
 * Each records every message it takes (recipient and when, on this machine's clock) so the bench can count them,
 * find duplicates and time the last one. Own process, so neither the app nor the baseline client shares its CPU
 * time with them on one event loop.
 *
 * IPC: answers `{ type: 'ready', smtpPort, graphUrl }` once listening; `{ type: 'report' }` answers
 * `{ type: 'report', email, whatsapp }` (see PeerReport) and forgets what it recorded; `{ type: 'stop' }` exits.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface PeerReport {
  /** Messages taken. */
  received: number;
  /** Different recipients among them. */
  distinct: number;
  /** Epoch milliseconds (fractional) of the first and last message taken; null when none. */
  first: number | null;
  last: number | null;
  /** Requests the peer answered with an error (unreadable body). */
  errors: number;
}

class Recorder {
  private counts = new Map<string, number>();
  private received = 0;
  private first: number | null = null;
  private last: number | null = null;
  errors = 0;

  take(recipient: string): void {
    const at = performance.timeOrigin + performance.now();
    this.first ??= at;
    this.last = at;
    this.received += 1;
    this.counts.set(recipient, (this.counts.get(recipient) ?? 0) + 1);
  }

  report(): PeerReport {
    const out = {
      received: this.received,
      distinct: this.counts.size,
      first: this.first,
      last: this.last,
      errors: this.errors,
    };
    this.counts = new Map();
    this.received = 0;
    this.first = null;
    this.last = null;
    this.errors = 0;
    return out;
  }
}

const email = new Recorder();
const whatsapp = new Recorder();

const smtp = new SMTPServer({
  secure: false,
  disabledCommands: ['STARTTLS', 'AUTH'],
  authOptional: true,
  logger: false,
  closeTimeout: 200,
  onData(stream, session, callback) {
    stream.on('data', () => {});
    stream.on('end', () => {
      for (const rcpt of session.envelope.rcptTo) email.take(rcpt.address.toLowerCase());
      callback();
    });
  },
});
await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
const smtpPort = (smtp.server.address() as AddressInfo).port;

let wamid = 0;
const graph = createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => {
    body += chunk;
  });
  req.on('end', () => {
    let to: unknown;
    try {
      to = (JSON.parse(body) as { to?: unknown }).to;
    } catch {
      to = undefined;
    }
    if (req.method !== 'POST' || !/^\/v[\d.]+\/\d+\/messages$/.test(req.url ?? '') || typeof to !== 'string') {
      whatsapp.errors += 1;
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: '(#100) Invalid parameter', type: 'OAuthException', code: 100 } }));
      return;
    }
    whatsapp.take(to);
    wamid += 1;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        messaging_product: 'whatsapp',
        contacts: [{ input: to, wa_id: to }],
        messages: [{ id: `wamid.bench${wamid}` }],
      }),
    );
  });
});
await new Promise<void>((resolve) => graph.listen(0, '127.0.0.1', resolve));
const graphUrl = `http://127.0.0.1:${(graph.address() as AddressInfo).port}`;

process.on('message', (message: { type: string }) => {
  if (message.type === 'report') process.send?.({ type: 'report', email: email.report(), whatsapp: whatsapp.report() });
  if (message.type === 'stop') {
    graph.closeAllConnections();
    graph.close();
    smtp.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 2_000).unref();
  }
});
process.on('disconnect', () => process.exit(0));
process.send?.({ type: 'ready', smtpPort, graphUrl });
