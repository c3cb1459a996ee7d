/**
 * Consent end to end, through the real listener: a WhatsApp STOP (a signed webhook) opts the customer out of
 * WhatsApp and mayMarket says why; a later import saying yes without a date does not undo it; START does; STOPALL
 * opts out of every channel, and a Shopify consent dated after it undoes it for that channel only. Customer 360
 * (consent.get) shows the history; the owner's edits are recorded as the shop's; export and erasure cover it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { consentOf, mayMarket, mayServe } from '../../../main/core/channels/consent';
import { importsOf } from '../../../main/core/import/import-service';
import { shopifyWebhookShop } from '../../support/shopify-webhook-shop';
import { whatsappDelivery, whatsappSignature } from '../../support/whatsapp-delivery';

const APP_SECRET = 'meta-app-secret-consent';
const shop = shopifyWebhookShop();
const NOW = Date.parse('2026-03-01T10:00:00Z') / 1000;
const ANN = '447700900123';
let sequence = 0;

async function whatsapp(body: string, secondsBefore: number) {
  if (sequence === 0)
    await shop.backend.call('connections.saveWhatsApp', { appSecret: APP_SECRET, verifyToken: 'verify-consent' });
  sequence += 1;
  const payload = JSON.stringify(
    whatsappDelivery({
      contacts: [{ wa_id: ANN, profile: { name: 'Ann Lee' } }],
      messages: [
        { from: ANN, id: `wamid.C${sequence}`, timestamp: String(NOW - secondsBefore), type: 'text', text: { body } },
      ],
    }),
  );
  const response = await fetch(`${shop.backend.runtime.ingest.url}/webhooks/whatsapp`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-hub-signature-256': whatsappSignature(payload, APP_SECRET),
    },
    body: payload,
  });
  expect(response.status).toBe(200);
  const { webhooksOf } = await import('../../../main/core/ingest/webhook-batcher');
  await webhooksOf(shop.backend.ctx).whenRead();
}

async function importCustomers(name: string, note: string) {
  const path = join(shop.dataDir, name);
  writeFileSync(
    path,
    [
      'Customer ID,First Name,Last Name,Email,Accepts Email Marketing,Phone,Accepts SMS Marketing,Accepts WhatsApp Marketing,Note',
      `'9001,Ann,Lee,ann.lee@example.com,yes,07700 900123,yes,yes,${note}`,
    ].join('\n'),
  );
  const { fileId } = importsOf(shop.backend.ctx).addPath(path);
  const { jobId } = await shop.backend.call('imports.start', { fileId });
  let job = await shop.backend.call('imports.job', { jobId });
  for (let i = 0; i < 1000 && job.status === 'running'; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    job = await shop.backend.call('imports.job', { jobId });
  }
  expect(job.status).toBe('completed');
}

const annId = async () => (await shop.profileOf('ann.lee@example.com')).id;

describe('consent, end to end', () => {
  it('a WhatsApp STOP opts out of WhatsApp only; an undated import yes does not undo it; START does', async () => {
    await importCustomers('first.csv', 'first');
    const id = await annId();
    const db = shop.backend.db;
    expect(consentOf(db, id).whatsapp.state).toBe('yes');
    expect(mayMarket(db, id, 'whatsapp')).toEqual({ ok: true });

    await whatsapp('STOP', 3 * 3600);
    expect(await annId()).toBe(id);
    const refused = mayMarket(db, id, 'whatsapp');
    expect(refused.ok).toBe(false);
    expect(refused.ok ? '' : refused.reason).toMatch(
      /asked to stop WhatsApp messages on 1 Mar 2026 \(replied “STOP” on WhatsApp\)/,
    );
    expect(mayServe(db, id, 'whatsapp').ok).toBe(false);
    expect(mayMarket(db, id, 'sms')).toEqual({ ok: true });
    expect(shop.count('SELECT whatsapp_consent FROM customer_profile WHERE id = ?', id)).toBe(0);

    await importCustomers('again.csv', 'second');
    expect(consentOf(db, id).whatsapp.state).toBe('opted_out');
    expect(mayMarket(db, id, 'whatsapp').ok).toBe(false);
    expect(shop.count('SELECT whatsapp_consent FROM customer_profile WHERE id = ?', id)).toBe(0);

    await whatsapp('Start', 2 * 3600);
    expect(consentOf(db, id).whatsapp).toMatchObject({ state: 'yes', source: 'keyword' });
    expect(mayMarket(db, id, 'whatsapp')).toEqual({ ok: true });
    expect(shop.count('SELECT whatsapp_consent FROM customer_profile WHERE id = ?', id)).toBe(1);

    // An ordinary message is no keyword.
    await whatsapp('Can I cancel my order?', 100 * 60);
    expect(consentOf(db, id).whatsapp.state).toBe('yes');
  });

  it('STOPALL opts out of every channel; a Shopify consent dated after it undoes it, one dated before does not', async () => {
    const id = await annId();
    const db = shop.backend.db;
    await whatsapp('STOPALL', 3600);
    for (const channel of ['email', 'sms', 'whatsapp'] as const) expect(mayMarket(db, id, channel).ok).toBe(false);

    const response = await shop.deliver('customers/update', {
      id: 9001,
      email: 'ann.lee@example.com',
      first_name: 'Ann',
      last_name: 'Lee',
      updated_at: '2026-03-01T09:45:00Z',
      email_marketing_consent: { state: 'subscribed', consent_updated_at: '2026-03-01T09:30:00Z' },
      sms_marketing_consent: { state: 'subscribed', consent_updated_at: '2026-03-01T08:30:00Z' },
    });
    expect(response.status).toBe(200);
    expect(consentOf(db, id).email).toMatchObject({ state: 'yes', source: 'shopify' });
    expect(consentOf(db, id).sms.state).toBe('opted_out');
    expect(consentOf(db, id).whatsapp.state).toBe('opted_out');
    expect(shop.count('SELECT email_consent FROM customer_profile WHERE id = ?', id)).toBe(1);
    expect(shop.count('SELECT sms_consent FROM customer_profile WHERE id = ?', id)).toBe(0);
  });

  it('Customer 360 shows the history; the owner records what the customer said, and an unsubscribe by email', async () => {
    const id = await annId();
    let view = await shop.backend.call('consent.get', { id });
    expect(view.channels.find((c) => c.channel === 'whatsapp')).toMatchObject({
      state: 'opted_out',
      source: 'keyword',
      marketing: { ok: false },
    });
    const lines = view.history.map((h) => `${h.channel} ${h.state} ${h.source} ${h.occurredAt ? 'dated' : 'undated'}`);
    expect(lines).toContain('whatsapp opted_out keyword dated');
    expect(lines).toContain('whatsapp yes import undated');
    expect(lines).toContain('email yes shopify dated');
    expect(view.history.find((h) => h.source === 'keyword')?.detail).toMatch(
      /^replied “(STOP|START|STOPALL)” on WhatsApp$/,
    );

    view = await shop.backend.call('consent.set', { id, channel: 'sms', state: 'yes' });
    expect(view.channels.find((c) => c.channel === 'sms')).toMatchObject({ state: 'yes', source: 'shop' });
    expect(view.history[0]).toMatchObject({ channel: 'sms', state: 'yes', source: 'shop' });

    view = await shop.backend.call('consent.set', {
      id,
      channel: 'email',
      state: 'opted_out',
      how: 'email_unsubscribe',
    });
    expect(view.channels.find((c) => c.channel === 'email')).toMatchObject({
      state: 'opted_out',
      source: 'unsubscribe',
    });
    await expect(
      shop.backend.call('consent.set', { id, channel: 'sms', state: 'opted_out', how: 'email_unsubscribe' }),
    ).rejects.toThrow(/only opt the customer out of email/);
    const customer = await shop.backend.call('customers.get', { id });
    expect(customer.status === 'found' && customer.customer.consent).toEqual({
      email: false,
      sms: true,
      whatsapp: false,
    });
  });

  it('the privacy export includes the consent history, and erasure deletes it', async () => {
    const id = await annId();
    const { path } = await shop.backend.call('customers.exportData', { id });
    const exported = JSON.parse(readFileSync(path, 'utf8')) as { customers: { consentHistory: unknown[] }[] };
    expect(exported.customers[0]?.consentHistory.length).toBe(
      shop.count('SELECT count(*) FROM consent_event WHERE profile_id = ?', id),
    );
    expect(exported.customers[0]?.consentHistory).toContainEqual(
      expect.objectContaining({ channel: 'email', state: 'opted_out', source: 'unsubscribe' }),
    );
    await shop.backend.call('customers.erase', { id });
    expect(shop.count('SELECT count(*) FROM consent_event')).toBe(0);
  });
});
