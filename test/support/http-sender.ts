/**
 * A real `ChannelSender` for the outbox tests: it POSTs each message as JSON to a local HTTP sink, and reads the
 * answer the way the real transports must — 2xx accepted (the sink's `id` is the provider id); 429 or 5xx, or a
 * connection refused before anything went out, refused with retry; another 4xx refused outright with the sink's
 * `error`; an abort or a connection dropped after the request went out unknown. `startSink` is the peer: it records
 * every request and answers as the test says (a status and body, or `hang`: never answer).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChannelName, ChannelSender, OutgoingMessage, SendResult } from '../../main/core/channels/types';

export function httpSender(url: string, channel: ChannelName): ChannelSender {
  return {
    channel,
    async send(message: OutgoingMessage, signal?: AbortSignal): Promise<SendResult> {
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': String(message.outboxId) },
          body: JSON.stringify(message),
          ...(signal ? { signal } : {}),
        });
      } catch (error) {
        const code = (error as { cause?: { code?: string } }).cause?.code;
        if (code === 'ECONNREFUSED')
          return { outcome: 'refused', retry: true, code, reason: 'the server refused the connection' };
        return { outcome: 'unknown', reason: `no answer (${code ?? (error as Error).name})` };
      }
      const text = await response.text().catch(() => '');
      const body = (() => {
        try {
          return JSON.parse(text) as { id?: string; error?: string };
        } catch {
          return {};
        }
      })();
      if (response.ok) return { outcome: 'accepted', providerId: body.id ?? null };
      const retry = response.status === 429 || response.status >= 500;
      return {
        outcome: 'refused',
        retry,
        code: String(response.status),
        reason: body.error ?? `HTTP ${response.status}`,
      };
    },
  };
}

export type SinkAnswer = { status: number; body?: unknown } | 'hang';

export interface Sink {
  url: string;
  /** Every request's message, in arrival order. */
  received: OutgoingMessage[];
  close(): Promise<void>;
}

export async function startSink(
  answer: (message: OutgoingMessage, index: number) => SinkAnswer = (m) => ({
    status: 200,
    body: { id: `p-${m.outboxId}` },
  }),
): Promise<Sink> {
  const received: OutgoingMessage[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => {
      raw += chunk.toString();
    });
    req.on('end', () => {
      const message = JSON.parse(raw) as OutgoingMessage;
      received.push(message);
      const reply = answer(message, received.length);
      if (reply === 'hang') return;
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(reply.body ?? {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/messages`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
