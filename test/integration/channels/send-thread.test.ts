/**
 * The outbox's sending thread (main/send-worker.ts, built to dist/main/send-worker.js): sends run there and answer
 * as they would in the main thread; when the thread stops with a send in it, that send answers `unknown` (the
 * request went out and may have been taken) and the next send starts a new thread. Needs `npm run build:main`
 * (done by `npm test`).
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SenderSetup } from '../../../main/core/channels/send-protocol';
import { SEND_WORKER_SCRIPT, SendThread } from '../../../main/core/channels/send-thread';
import { silentLogger } from '../../../main/core/clock';
import { type ProviderFake, providerFake } from '../../support/provider-fakes';

const TO = '+447700900123';

describe('the sending thread', () => {
  let graph: ProviderFake;
  let thread: SendThread;
  let setup: SenderSetup;
  beforeAll(async () => {
    graph = await providerFake(() => ({
      status: 200,
      json: {
        messaging_product: 'whatsapp',
        contacts: [{ input: TO, wa_id: TO.slice(1) }],
        messages: [{ id: 'wamid.A1' }],
      },
    }));
    thread = new SendThread({ logger: silentLogger });
    setup = {
      channel: 'whatsapp',
      config: { phoneNumberId: '106540352242922', accessToken: 'token-1' },
      baseUrl: graph.url,
    };
  });
  afterAll(async () => {
    await thread?.stop();
    await graph?.close();
  });

  it('is built, and a send in it reaches the provider and answers with its id', async () => {
    expect(existsSync(SEND_WORKER_SCRIPT)).toBe(true);
    expect(thread.available).toBe(true);
    const result = await thread.senderFor(setup).send({ channel: 'whatsapp', to: TO, text: 'Hello', outboxId: 1 });
    expect(result).toEqual({ outcome: 'accepted', providerId: 'wamid.A1' });
    expect(graph.requests).toHaveLength(1);
    expect(graph.requests[0]?.headers.authorization).toBe('Bearer token-1');
    expect(JSON.parse(graph.requests[0]?.body ?? '{}')).toMatchObject({ to: TO.slice(1), text: { body: 'Hello' } });
  });

  it('a send in the thread when it stops answers unknown; the next send starts a new thread', async () => {
    graph.answer('hang');
    const sender = thread.senderFor(setup);
    const pending = sender.send({ channel: 'whatsapp', to: TO, text: 'Second', outboxId: 2 });
    await expect.poll(() => graph.requests.length).toBe(2);
    await thread.stop();
    expect(await pending).toMatchObject({
      outcome: 'unknown',
      reason: expect.stringMatching(/may or may not have gone out/),
    });
    expect(await sender.send({ channel: 'whatsapp', to: TO, text: 'Third', outboxId: 3 })).toEqual({
      outcome: 'accepted',
      providerId: 'wamid.A1',
    });
    expect(graph.requests).toHaveLength(3);
  });

  it('an abort from the main thread stops the send in the thread', async () => {
    graph.answer('hang');
    const controller = new AbortController();
    const pending = thread
      .senderFor(setup)
      .send({ channel: 'whatsapp', to: TO, text: 'Fourth', outboxId: 4 }, controller.signal);
    await expect.poll(() => graph.requests.length).toBe(4);
    controller.abort();
    expect((await pending).outcome).toBe('unknown');
  });
});
