/**
 * The outbox bench's app, in its own process (run with `node --import tsx`, spoken to over IPC): the real backend
 * (createBackend, both listeners on, a data file in OUTBOX_BENCH_DATA_DIR) on a clock that starts at a weekday noon
 * in London and runs on in real time, so quiet hours never hold a message. Set up as the shop would: settings
 * (time zone, send rates, sending paused), email and WhatsApp connected through the channel commands (the fields in
 * settings, the password and access token in the secret store; CONSTINTEL_WHATSAPP_API_URL points the real WhatsApp
 * sender at the Graph fake). Then OUTBOX_BENCH_CUSTOMERS distinct customers arrive through ingestion (half by email
 * with a dated yes to email offers, half by phone with a yes to WhatsApp offers), and each is sent one marketing
 * message with `enqueueMessage` (alternating email and WhatsApp, as mixed automations queue them); sending is
 * paused, so they wait `held` until the bench lifts the pause over `/rpc`.
 *
 * IPC: `{ type: 'ready', launchUrl, customers, queued }` once everything waits; `{ type: 'stop' }` closes the
 * backend and exits.
 */
import { createBackend } from '../../main/core/backend';
import { enqueueMessage } from '../../main/core/channels/outbox';
import { clockFrom, type Logger } from '../../main/core/clock';
import { ingestEvents } from '../../main/core/ingest/ingest-service';
import { type EventInput, eventInputSchema } from '../../shared/events';
import { seededRandom } from '../support/population';

export const BENCH_NOW = '2026-03-02T12:00:00.000Z';
const dataDir = process.env.OUTBOX_BENCH_DATA_DIR ?? '';
const smtpPort = Number(process.env.OUTBOX_BENCH_SMTP_PORT);
const customers = Number(process.env.OUTBOX_BENCH_CUSTOMERS ?? 10_000);
const rates = JSON.parse(process.env.OUTBOX_BENCH_RATES ?? '{}') as { email: number; sms: number; whatsapp: number };

/** Warnings and errors counted and the first few shown (a failed or unknown send logs one). */
let warnings = 0;
const logger: Logger = {
  info: () => {},
  warn: (message) => {
    warnings += 1;
    if (warnings <= 5) console.error(`[outbox-bench backend] warning: ${message}`);
  },
  error: (message, error) => console.error(`[outbox-bench backend] error: ${message}`, error),
};

const backend = await createBackend({
  dataDir,
  clock: clockFrom(Date.parse(BENCH_NOW)),
  logger,
  uiPort: 0,
  ingestPort: 0,
});
await backend.call('settings.update', {
  timeZone: 'Europe/London',
  defaultCountry: 'GB',
  currency: 'GBP',
  sendRates: rates,
  sendingPaused: true,
});
await backend.call('channels.saveEmail', {
  host: '127.0.0.1',
  port: smtpPort,
  security: 'none',
  fromAddress: 'hello@corner-shop.example',
  fromName: 'Corner Shop',
});
await backend.call('channels.saveWhatsApp', { phoneNumberId: '106540352242922', accessToken: 'EAAbench0123456789' });

const FIRST = ['Ann', 'Bob', 'Cara', 'Dev', 'Eli', 'Fay', 'Gus', 'Hana', 'Ivo', 'Jo', 'Kai', 'Lea', 'Max', 'Nia'];
const LAST = ['Smith', 'Jones', 'Patel', 'Khan', 'Brown', 'Evans', 'Wilson', 'Taylor', 'Davies', 'Moore', 'Hall'];

/**
 * The shop's customers: names drawn from a seeded generator (names repeat, as they do in a real shop), identifiers
 * unique by construction (the customer's number is in each), so no two customers can be matched into one; the bench
 * checks that again on the data file afterwards.
 */
function customerEvents(count: number): { input: EventInput; channel: 'email' | 'whatsapp'; to: string }[] {
  const random = seededRandom(20261206);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)] as T;
  const out: { input: EventInput; channel: 'email' | 'whatsapp'; to: string }[] = [];
  for (let i = 0; i < count; i++) {
    const firstName = pick(FIRST);
    const lastName = pick(LAST);
    const channel = i % 2 === 0 ? 'email' : 'whatsapp';
    const n = Math.floor(i / 2);
    const to =
      channel === 'email'
        ? `${firstName}.${lastName}.${n}@example.com`.toLowerCase()
        : `+4477009${String(n).padStart(5, '0')}`;
    const at = new Date(Date.parse('2025-06-01T09:00:00Z') + Math.floor(random() * 250 * 86_400_000)).toISOString();
    out.push({
      channel,
      to,
      input: {
        type: 'purchase',
        occurredAt: at,
        externalId: `bench-order-${i}`,
        source: 'api',
        identifiers: channel === 'email' ? { email: to } : { phone: to },
        payload: {
          total: Math.round((5 + random() * 120) * 100) / 100,
          currency: 'GBP',
          firstName,
          lastName,
          ...(channel === 'email'
            ? { emailConsent: true, emailConsentAt: at }
            : { whatsappConsent: true, whatsappConsentAt: at }),
        },
      } as EventInput,
    });
  }
  return out;
}

const people = customerEvents(customers);
const profileIds: number[] = [];
for (let start = 0; start < people.length; start += 1_000) {
  const results = ingestEvents(
    backend.ctx,
    people.slice(start, start + 1_000).map((p) => eventInputSchema.parse(p.input)),
  );
  for (const r of results) {
    if (r.profileId === null) throw new Error(`event ${r.eventId} made no customer`);
    profileIds.push(r.profileId);
  }
}

const queued = backend.db.sqlite.transaction(() =>
  people.map((p, i) => {
    const payload = p.input.payload as { firstName: string };
    const profileId = profileIds[i] as number;
    return p.channel === 'email'
      ? enqueueMessage(backend.ctx, {
          channel: 'email',
          to: p.to,
          profileId,
          kind: 'marketing',
          source: 'campaign',
          subject: `${payload.firstName}, spring is here: 15% off all teas this week`,
          text: `Hello ${payload.firstName},\n\nSpring teas are in: Darjeeling first flush, a new Assam and our own blend. Show this email or use code SPRING15 online for 15% off until Sunday.\n\nCorner Shop, 12 High Street\n`,
          html: `<p>Hello ${payload.firstName},</p><p>Spring teas are in: <b>Darjeeling first flush</b>, a new Assam and our own blend. Show this email or use code <b>SPRING15</b> online for 15% off until Sunday.</p><p>Corner Shop, 12 High Street</p>`,
          headers: {
            'List-Unsubscribe': `<https://corner-shop.example/unsubscribe/${profileId}>`,
            'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
          },
        })
      : enqueueMessage(backend.ctx, {
          channel: 'whatsapp',
          to: p.to,
          profileId,
          kind: 'marketing',
          source: 'campaign',
          text: `Spring offer for ${payload.firstName}`,
          template: { name: 'spring_offer', language: 'en_GB', parameters: [payload.firstName, 'SPRING15'] },
        });
  }),
)();
const notHeld = queued.filter((q) => q.status !== 'held' || q.reason !== 'Sending is paused (Settings → Channels)');
if (notHeld.length > 0) throw new Error(`not held by the pause: ${JSON.stringify(notHeld[0])}`);

process.on('message', (message: { type: string }) => {
  if (message.type === 'stop') {
    backend.close().then(
      () => {
        console.error(`[outbox-bench backend] ${warnings} warning(s) logged`);
        process.exit(0);
      },
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  }
});
process.on('disconnect', () => process.exit(0));
process.send?.({ type: 'ready', launchUrl: backend.launchUrl, customers: profileIds.length, queued: queued.length });
