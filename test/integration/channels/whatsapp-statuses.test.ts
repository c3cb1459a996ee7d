/**
 * WhatsApp's later word on the shop's messages, through the real signed webhook: delivered then read move the
 * outbox row on (never back); a failure after the 200 fails it with the reason in words; 131050 also records the
 * customer's WhatsApp opt-out, so nothing more goes to them there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../../main/core/backend';
import { consentOf, recordConsent } from '../../../main/core/channels/consent';
import { enqueueMessage } from '../../../main/core/channels/outbox';
import { configureOutbox, type OutboxWorker } from '../../../main/core/channels/outbox-worker';
import type { ChannelSender } from '../../../main/core/channels/types';
import { outboxRow } from '../../../main/core/db/repos/message-outbox';
import { ingestOne, tempDir, testBackend } from '../../support/backend';
import { ev } from '../../support/events';
import { whatsappDelivery, whatsappSignature } from '../../support/whatsapp-delivery';

const APP_SECRET = 'meta-app-secret-status';
const PHONE = '+447700900123';
let backend: Backend;
let worker: OutboxWorker;
let url: string;
let profileId: number;
const dir = tempDir();
/** A WhatsApp sender whose every send is taken, with ids wamid.1, wamid.2, … */
let sent = 0;
const taken: ChannelSender = {
  channel: 'whatsapp',
  send: async () => ({ outcome: 'accepted', providerId: `wamid.${++sent}` }),
};

beforeAll(async () => {
  backend = await testBackend({ dataDir: dir.path, listen: true, uiPort: 0, ingestPort: 0 });
  await backend.call('settings.update', { defaultCountry: 'GB', timeZone: 'Europe/London' });
  await backend.call('connections.saveWhatsApp', { appSecret: APP_SECRET, verifyToken: 'v' });
  url = `${backend.runtime.ingest.url}/webhooks/whatsapp`;
  worker = configureOutbox(backend.ctx, { senderFor: () => taken });
  const id = ingestOne(backend, ev({ identifiers: { phone: PHONE } })).profileId;
  if (id === null) throw new Error('no profile');
  profileId = id;
  const now = backend.ctx.clock.now().getTime();
  recordConsent(backend.db, { profileId, channel: 'whatsapp', state: 'yes', source: 'shop', occurredAt: now, now });
});
afterAll(async () => {
  await backend.close();
  dir.remove();
});

const statuses = (list: unknown[]) => {
  const body = JSON.stringify(whatsappDelivery({ statuses: list }));
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-hub-signature-256': whatsappSignature(body, APP_SECRET),
    },
    body,
  });
};
const status = (id: string, state: string, timestamp: string, errors?: unknown[]) => ({
  id,
  status: state,
  timestamp,
  recipient_id: '447700900123',
  ...(errors ? { errors } : {}),
});

describe('WhatsApp statuses for the shop’s messages', () => {
  it('delivered and read move the message on, and never back', async () => {
    const { id } = enqueueMessage(backend.ctx, {
      channel: 'whatsapp',
      to: PHONE,
      text: 'Hello',
      profileId,
      kind: 'service',
    });
    await worker.drain();
    const wamid = outboxRow(backend.db, id)?.providerMessageId as string;
    expect(outboxRow(backend.db, id)?.status).toBe('sent');
    expect((await statuses([status(wamid, 'delivered', '1772359300')])).status).toBe(200);
    expect(outboxRow(backend.db, id)?.status).toBe('delivered');
    await statuses([status(wamid, 'read', '1772359400')]);
    await statuses([status(wamid, 'delivered', '1772359500')]);
    expect(outboxRow(backend.db, id)?.status).toBe('read');
  });

  it('131050 after a 200 fails the message with the reason and records the customer’s WhatsApp opt-out', async () => {
    const { id } = enqueueMessage(backend.ctx, { channel: 'whatsapp', to: PHONE, text: 'Offer', profileId });
    await worker.drain();
    const wamid = outboxRow(backend.db, id)?.providerMessageId as string;
    const stopped = [{ code: 131050, title: 'User has stopped marketing messages' }];
    expect((await statuses([status(wamid, 'failed', '1772359600', stopped)])).status).toBe(200);
    expect(outboxRow(backend.db, id)).toMatchObject({ status: 'failed' });
    expect(outboxRow(backend.db, id)?.statusReason).toMatch(/stopped marketing messages from your business/);
    expect(consentOf(backend.db, profileId).whatsapp.state).toBe('opted_out');
    const next = enqueueMessage(backend.ctx, { channel: 'whatsapp', to: PHONE, text: 'Another offer', profileId });
    expect(next.status).toBe('cancelled');
  });
});
