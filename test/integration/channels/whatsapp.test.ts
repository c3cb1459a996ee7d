/**
 * WhatsApp's Cloud API against a local fake that speaks the Graph API's format: the exact request (path, Bearer
 * token, text and template bodies), the wamid on success, and errors in Meta's shape (131026, 130429, 401 with
 * code 190), a closed port, and a request taken and never answered (unknown after the timeout).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutgoingMessage } from '../../../main/core/channels/types';
import { createWhatsAppSender } from '../../../main/core/channels/whatsapp';
import { closedPort, type ProviderFake, providerFake } from '../../support/provider-fakes';

const text: OutgoingMessage = { channel: 'whatsapp', to: '+447700900123', text: 'Hello Ann', outboxId: 1 };
const graphError = (code: number, message: string, status = 400) => ({
  status,
  json: { error: { message, type: 'OAuthException', code, error_data: { details: message }, fbtrace_id: 'Ax1' } },
});

let graph: ProviderFake;
beforeEach(async () => {
  graph = await providerFake(() => ({
    status: 200,
    json: {
      messaging_product: 'whatsapp',
      contacts: [{ input: '447700900123', wa_id: '447700900123' }],
      messages: [{ id: 'wamid.HBgLNDQ3NzAwOTAwMTIzFQIAERgSMEQ' }],
    },
  }));
});
afterEach(() => graph.close());

const sender = (timeoutMs?: number) =>
  createWhatsAppSender(
    { phoneNumberId: '106540352242922', accessToken: 'EAAtoken' },
    { baseUrl: graph.url, timeoutMs },
  );

describe('WhatsApp Cloud API sender', () => {
  it('posts a text message with the Bearer token and answers the wamid', async () => {
    expect(await sender().send(text)).toEqual({
      outcome: 'accepted',
      providerId: 'wamid.HBgLNDQ3NzAwOTAwMTIzFQIAERgSMEQ',
    });
    const [request] = graph.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toMatch(/^\/v\d+\.\d+\/106540352242922\/messages$/);
    expect(request?.headers.authorization).toBe('Bearer EAAtoken');
    expect(JSON.parse(request?.body ?? '')).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '447700900123',
      type: 'text',
      text: { preview_url: false, body: 'Hello Ann' },
    });
  });

  it('posts a template with its language and body parameters', async () => {
    await sender().send({ ...text, template: { name: 'we_miss_you', language: 'en_GB', parameters: ['Ann', '10%'] } });
    expect(JSON.parse(graph.requests[0]?.body ?? '')).toMatchObject({
      type: 'template',
      template: {
        name: 'we_miss_you',
        language: { code: 'en_GB' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Ann' },
              { type: 'text', text: '10%' },
            ],
          },
        ],
      },
    });
  });

  it('131026 is refused for good, in words and with Meta’s own message', async () => {
    graph.answer(graphError(131026, 'Message undeliverable'));
    const result = await sender().send(text);
    expect(result).toMatchObject({ outcome: 'refused', retry: false, code: '131026' });
    expect(result.outcome === 'refused' && result.reason).toMatch(
      /could not deliver to this number.*"Message undeliverable/,
    );
  });

  it('130429 (throughput limit) is refused and retried', async () => {
    graph.answer(graphError(130429, 'Rate limit hit', 400));
    expect(await sender().send(text)).toMatchObject({ outcome: 'refused', retry: true, code: '130429' });
  });

  it('131047 outside the 24-hour window says a template is needed', async () => {
    graph.answer(graphError(131047, 'Re-engagement message'));
    const result = await sender().send(text);
    expect(result).toMatchObject({ outcome: 'refused', retry: false, code: '131047' });
    expect(result.outcome === 'refused' && result.reason).toMatch(/approved template/);
  });

  it('401 with code 190 says the access token was refused', async () => {
    graph.answer(graphError(190, 'Error validating access token: Session has expired', 401));
    const result = await sender().send(text);
    expect(result).toMatchObject({ outcome: 'refused', retry: false, code: '190' });
    expect(result.outcome === 'refused' && result.reason).toMatch(/refused the access token.*Session has expired/);
  });

  it('a 5xx answer is refused and retried', async () => {
    graph.answer({ status: 503, json: { error: { message: 'Service temporarily unavailable', code: 2 } } });
    expect(await sender().send(text)).toMatchObject({ outcome: 'refused', retry: true, code: '2' });
  });

  it('a closed port is refused and retried: nothing went out', async () => {
    const closed = createWhatsAppSender(
      { phoneNumberId: '1065403522', accessToken: 't' },
      { baseUrl: `http://127.0.0.1:${await closedPort()}` },
    );
    expect(await closed.send(text)).toMatchObject({ outcome: 'refused', retry: true, code: null });
  });

  it('a request taken and never answered is unknown after the timeout', async () => {
    graph.answer('hang');
    const result = await sender(300).send(text);
    expect(result.outcome).toBe('unknown');
    expect(result.outcome === 'unknown' && result.reason).toMatch(
      /did not answer within 300 ms, so ConstIntel cannot tell whether the message went out/,
    );
    expect(graph.requests).toHaveLength(1);
  });
});
