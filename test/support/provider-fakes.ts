/**
 * Local peers that speak the messaging providers' wire formats, for the channel tests: an HTTP server answering as
 * Meta's Graph API or Twilio do (each request recorded with its headers and body, each answer chosen by the test),
 * and a real SMTP server (the `smtp-server` package) that keeps every mail it receives.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** What the fake answers: a status and JSON body, or `'hang'` to take the request and never answer. */
export type FakeAnswer = { status: number; json: unknown } | 'hang';

export interface ProviderFake {
  url: string;
  requests: RecordedRequest[];
  /** The answers for the next requests, in order; afterwards the default. */
  answer(...answers: FakeAnswer[]): void;
  close(): Promise<void>;
}

export async function providerFake(defaultAnswer: (request: RecordedRequest) => FakeAnswer): Promise<ProviderFake> {
  const requests: RecordedRequest[] = [];
  const queued: FakeAnswer[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      const recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      requests.push(recorded);
      const answer = queued.shift() ?? defaultAnswer(recorded);
      if (answer === 'hang') return;
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.json));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    answer: (...answers) => queued.push(...answers),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on: a server is opened and closed to find one. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  user: string | undefined;
}

export interface SmtpPeer {
  port: number;
  mails: ReceivedMail[];
  close(): Promise<void>;
}

/**
 * A real SMTP server on loopback without TLS. `users` turns on login (PLAIN/LOGIN); `refuseRecipient` answers 550
 * to RCPT TO for matching addresses; `hangAfterData` reads the whole message and never answers it.
 */
export async function smtpPeer(
  options: {
    users?: Record<string, string>;
    refuseRecipient?: (address: string) => boolean;
    hangAfterData?: boolean;
  } = {},
): Promise<SmtpPeer> {
  const mails: ReceivedMail[] = [];
  const config: SMTPServerOptions = {
    secure: false,
    disabledCommands: options.users ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !options.users,
    allowInsecureAuth: true,
    logger: false,
    closeTimeout: 200,
    onAuth(auth, _session, callback) {
      if (options.users && options.users[auth.username ?? ''] === auth.password) {
        callback(null, { user: auth.username });
      } else {
        const error = new Error('5.7.8 Authentication credentials invalid') as Error & { responseCode: number };
        error.responseCode = 535;
        callback(error);
      }
    },
    onRcptTo(address, _session, callback) {
      if (options.refuseRecipient?.(address.address)) {
        const error = new Error(`5.1.1 <${address.address}>: Recipient address rejected: User unknown`) as Error & {
          responseCode: number;
        };
        error.responseCode = 550;
        callback(error);
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          user: typeof session.user === 'string' ? session.user : undefined,
        });
        if (!options.hangAfterData) callback();
      });
    },
  };
  const server = new SMTPServer(config);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    mails,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
