/**
 * The one-click unsubscribe (RFC 8058) end to end on the ingest listener: the link in a marketing email's
 * List-Unsubscribe header, followed the way a mail provider or a link scanner does on loopback (the public address
 * is the tunnel's; the path is the same). GET shows one button and changes nothing; POST `List-Unsubscribe=One-Click`
 * unsubscribes; marketing email afterwards is cancelled; an undated yes does not undo it. Forged tokens are a 404
 * page; everything on the pages is escaped, with a strict Content-Security-Policy and no script.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../../main/core/backend';
import { consentOf, recordConsent } from '../../../main/core/channels/consent';
import { enqueueMessage } from '../../../main/core/channels/outbox';
import { listUnsubscribeHeaders, unsubscribeToken } from '../../../main/core/channels/unsubscribe-links';
import { ingestOne, tempDir, testBackend } from '../../support/backend';
import { ev } from '../../support/events';

const PUBLIC = 'https://corner-shop.trycloudflare.com';
const ANN = 'ann.lee@example.com';
let backend: Backend;
let annId = 0;
const dir = tempDir();

beforeAll(async () => {
  backend = await testBackend({ dataDir: dir.path, listen: true, uiPort: 0, ingestPort: 0 });
  await backend.call('settings.update', { brandName: 'Tom & Jerry’s <Teas>', timeZone: 'Europe/London' });
  await backend.call('connections.savePublicAddress', { url: PUBLIC });
  annId = ingestOne(backend, ev({ identifiers: { email: ANN, phone: '+447700900123' } })).profileId ?? 0;
  const now = backend.ctx.clock.now().getTime() - 3_600_000;
  for (const channel of ['email', 'sms'] as const)
    recordConsent(backend.db, { profileId: annId, channel, state: 'yes', source: 'shop', occurredAt: now, now });
});
afterAll(async () => {
  await backend.close();
  dir.remove();
});

/** The https link of the email's List-Unsubscribe header, as the loopback address the tunnel leads to. */
function linkOf(profileId: number): string {
  const header = listUnsubscribeHeaders(backend.ctx, profileId)['List-Unsubscribe'] ?? '';
  const https = /<(https:[^>]+)>/.exec(header)?.[1] ?? '';
  expect(https.startsWith(`${PUBLIC}/u/`)).toBe(true);
  return https.replace(PUBLIC, backend.runtime.ingest.url ?? '');
}
const oneClick = (url: string) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'List-Unsubscribe=One-Click',
  });
const marketingEmail = () =>
  enqueueMessage(backend.ctx, { channel: 'email', to: ANN, subject: 'Teas', text: 'New teas', profileId: annId });
const events = () =>
  backend.db.sqlite.prepare('SELECT count(*) FROM consent_event WHERE profile_id = ?').pluck().get(annId);

describe('one-click unsubscribe', () => {
  it('every marketing email names the link and the one-click POST', () => {
    expect(listUnsubscribeHeaders(backend.ctx, annId)).toMatchObject({
      'List-Unsubscribe': `<${PUBLIC}/u/${unsubscribeToken(backend.ctx, annId)}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
  });

  it('GET shows one button, escaped, under a strict policy, and unsubscribes nobody', async () => {
    const before = events();
    const page = await fetch(linkOf(annId));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/form-action 'self'/);
    expect(csp).not.toMatch(/unsafe-inline|script-src/);
    expect(page.headers.get('cache-control')).toBe('no-store');
    const html = await page.text();
    expect(html).toContain('<h1>Unsubscribe a•••@example.com from Tom &amp; Jerry’s &lt;Teas&gt; emails?</h1>');
    expect(html).not.toContain('<Teas>');
    expect(html).not.toContain(ANN);
    expect(html).not.toMatch(/<script/i);
    expect(html.match(/<form method="post">/g)).toHaveLength(1);
    expect(html.match(/<button/g)).toHaveLength(1);
    // A link scanner fetching it twice changes nothing either.
    await fetch(linkOf(annId));
    expect(events()).toBe(before);
    expect(consentOf(backend.db, annId).email.state).toBe('yes');
    expect(marketingEmail().status).toBe('pending');
  });

  it('a forged or broken token is a 404 page in words', async () => {
    const good = linkOf(annId);
    const forged = good.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    const otherCustomer = good.replace(`/u/${annId}.`, `/u/${annId + 1}.`);
    for (const url of [
      forged,
      otherCustomer,
      `${backend.runtime.ingest.url}/u/12`,
      `${backend.runtime.ingest.url}/u/%3Cscript%3E`,
    ]) {
      for (const method of ['GET', 'POST']) {
        const answer = await fetch(url, { method, body: method === 'POST' ? 'List-Unsubscribe=One-Click' : undefined });
        expect(answer.status).toBe(404);
        const html = await answer.text();
        expect(html).toContain('This unsubscribe link is not recognised');
        expect(html).not.toContain('<script');
      }
    }
    expect(consentOf(backend.db, annId).email.state).toBe('yes');
  });

  it('the mail provider’s POST unsubscribes; later marketing email is cancelled; an undated yes does not undo it', async () => {
    const changed: number[] = [];
    const off = backend.ctx.bus.on('profiles.changed', (ids) => changed.push(...ids));
    const answer = await oneClick(linkOf(annId));
    off();
    expect(answer.status).toBe(200);
    expect(await answer.text()).toContain('<h1>You are unsubscribed</h1>');
    expect(changed).toEqual([annId]);
    expect(consentOf(backend.db, annId)).toMatchObject({
      email: { state: 'opted_out', source: 'unsubscribe', detail: 'unsubscribed with one click in their mail app' },
      sms: { state: 'yes' },
    });
    expect(marketingEmail()).toMatchObject({
      status: 'cancelled',
      reason: expect.stringMatching(/asked to stop email messages on 1 Mar 2026 \(unsubscribed with one click/),
    });

    // Done again (a provider retrying), it records nothing more.
    const count = events();
    expect((await oneClick(linkOf(annId))).status).toBe(200);
    expect(events()).toBe(count);

    ingestOne(backend, ev({ source: 'import', identifiers: { email: ANN }, payload: { emailConsent: true } }));
    expect(consentOf(backend.db, annId).email.state).toBe('opted_out');
    expect(marketingEmail().status).toBe('cancelled');
    const page = await (await fetch(linkOf(annId))).text();
    expect(page).toContain('You are already unsubscribed');
    expect(page).not.toContain('<button');
  });

  it('the page’s own button unsubscribes too, and says where it came from', async () => {
    const bob = ingestOne(backend, ev({ identifiers: { email: 'bob@example.org' } })).profileId ?? 0;
    const answer = await fetch(linkOf(bob), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click&from=page',
    });
    expect(await answer.text()).toContain('b•••@example.org gets no more emails from Tom &amp; Jerry’s &lt;Teas&gt;.');
    expect(consentOf(backend.db, bob).email).toMatchObject({
      state: 'opted_out',
      detail: 'unsubscribed on the page of the link in an email',
    });
    // A shop name that ends its own sentence gets no second full stop.
    await backend.call('settings.update', { brandName: 'Fernhill Tea Co.' });
    expect(await (await fetch(linkOf(bob))).text()).toContain('gets no more emails from Fernhill Tea Co.</p>');
    await backend.call('settings.update', { brandName: 'Tom & Jerry’s <Teas>' });
  });

  it('a customer erased since the email was sent is not found', async () => {
    const cat = ingestOne(backend, ev({ identifiers: { email: 'cat@example.net' } })).profileId ?? 0;
    const link = linkOf(cat);
    await backend.call('customers.erase', { id: cat });
    expect((await fetch(link)).status).toBe(404);
    expect((await oneClick(link)).status).toBe(404);
  });
});
