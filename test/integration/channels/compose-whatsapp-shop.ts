/**
 * A shop for the WhatsApp compose tests: a backend listening for signed WhatsApp webhooks on loopback, WhatsApp
 * connected to a Graph API fake (CONSTINTEL_WHATSAPP_API_URL), a clock the test moves, one customer (Ann, +44 7700
 * 900123) with a yes to WhatsApp, and helpers to post her messages and the statuses of the shop's messages.
 */
import type { Backend } from '../../../main/core/backend';
import { recordConsent } from '../../../main/core/channels/consent';
import { fixedClock } from '../../../main/core/clock';
import { ingestOne, TEST_NOW, tempDir, testBackend } from '../../support/backend';
import { ev } from '../../support/events';
import { type ProviderFake, providerFake } from '../../support/provider-fakes';
import { whatsappDelivery, whatsappSignature } from '../../support/whatsapp-delivery';

export const APP_SECRET = 'meta-app-secret-compose';
export const PHONE = '+447700900123';

export interface WhatsAppShop {
  backend: Backend;
  clock: ReturnType<typeof fixedClock>;
  graph: ProviderFake;
  profileId: number;
  /** Bodies the Graph fake received, parsed. */
  sends(): { type: string; text?: { body: string }; template?: { name: string; components?: unknown[] } }[];
  /** Ann writes to the shop now (by the test clock). */
  customerWrites(text: string): Promise<void>;
  /** WhatsApp's status webhook for a message the shop sent. */
  status(wamid: string, state: string, errors?: unknown[], at?: number): Promise<Response>;
  close(): Promise<void>;
}

let inbound = 0;

export async function whatsappShop(): Promise<WhatsAppShop> {
  let sent = 0;
  const graph = await providerFake(() => ({
    status: 200,
    json: { messaging_product: 'whatsapp', messages: [{ id: `wamid.out-${++sent}` }] },
  }));
  process.env.CONSTINTEL_WHATSAPP_API_URL = graph.url;
  const dir = tempDir();
  const clock = fixedClock(TEST_NOW);
  const backend = await testBackend({ dataDir: dir.path, clock, listen: true, uiPort: 0, ingestPort: 0 });
  await backend.call('settings.update', { brandName: 'Corner Shop', defaultCountry: 'GB', timeZone: 'Europe/London' });
  await backend.call('connections.saveWhatsApp', { appSecret: APP_SECRET, verifyToken: 'v' });
  await backend.call('channels.saveWhatsApp', { phoneNumberId: '1234567890', accessToken: 'EAAtoken' });
  const profileId = ingestOne(
    backend,
    ev({ identifiers: { phone: PHONE }, payload: { firstName: 'Ann' }, occurredAt: '2026-02-01T10:00:00Z' }),
  ).profileId as number;
  const now = clock.now().getTime();
  recordConsent(backend.db, { profileId, channel: 'whatsapp', state: 'yes', source: 'shop', occurredAt: now, now });
  const url = `${backend.runtime.ingest.url}/webhooks/whatsapp`;
  const post = (value: Parameters<typeof whatsappDelivery>[0]) => {
    const body = JSON.stringify(whatsappDelivery(value));
    return fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': whatsappSignature(body, APP_SECRET) },
      body,
    });
  };
  return {
    backend,
    clock,
    graph,
    profileId,
    sends: () => graph.requests.map((r) => JSON.parse(r.body)),
    async customerWrites(text) {
      const timestamp = String(Math.floor(clock.now().getTime() / 1000));
      const answer = await post({
        contacts: [{ profile: { name: 'Ann Smith' }, wa_id: '447700900123' }],
        messages: [
          { from: '447700900123', id: `wamid.in-${++inbound}`, timestamp, type: 'text', text: { body: text } },
        ],
      });
      if (answer.status !== 200) throw new Error(`webhook answered ${answer.status}`);
    },
    status(wamid, state, errors, at) {
      const timestamp = String(Math.floor((at ?? clock.now().getTime()) / 1000));
      return post({
        statuses: [
          { id: wamid, status: state, timestamp, recipient_id: '447700900123', ...(errors ? { errors } : {}) },
        ],
      });
    },
    async close() {
      await backend.close();
      await graph.close();
      dir.remove();
      delete process.env.CONSTINTEL_WHATSAPP_API_URL;
    },
  };
}
