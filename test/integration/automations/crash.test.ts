/**
 * Automations across SIGKILL, with real processes, a real data file and a real SMTP server on loopback. 1,000
 * customers, each with an email address and a dated yes to email offers, cross a churn-risk threshold at once: a
 * retrain's predictions (written as registry.ts writes them: the earlier scores, all below the threshold, kept as the
 * previous ones; 'predictions.updated' in the same transaction) put every one of them above the threshold of an
 * enabled churn automation that sends an email. A real `constintel serve` evaluates them and sends:
 * 1. it is killed (SIGKILL) mid-evaluation: the new scores noted, the sweep's first batch of messages committed;
 * 2. restarted, it is killed when the SMTP server takes the KILLS[0]th mail, before answering it (that mail's row is
 *    left `sending`);
 * 3. restarted, killed again the same way on the KILLS[1]th mail, mid-sending;
 * 4. restarted once more, it finishes.
 *
 * Then: every customer has exactly one outbox row (and one occasion in the ledger), the SMTP server received no
 * address twice, every row is `sent` or `unknown`, each send cut off by a kill is `unknown` with the reason (never
 * sent again), and every `sent` row is a mail the server answered.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTERRUPTED_REASON } from '../../../main/core/channels/outbox-worker';
import { fixedClock } from '../../../main/core/clock';
import { ingestEvents } from '../../../main/core/ingest/ingest-service';
import type { AutomationView } from '../../../shared/contract/automations';
import { tempDir, testBackend } from '../../support/backend';
import { ev } from '../../support/events';
import { builtScript, serve } from '../../support/spawn';

/** The part of a retrain's stored artifact that readers of the active version use (its date and horizons). */
const artifactAsOf = (asOf: number) => JSON.stringify({ asOf, horizons: { churnDays: 90, ltvDays: 365 } });

const CUSTOMERS = 1_000;
/** The mails (counted across runs) on which the SMTP server kills the app instead of answering. */
const KILLS = [25, 520];
const SEEDED_AT = '2026-03-02T11:00:00.000Z';
/** The served app's clock: a Monday noon in London, so quiet hours hold nothing. */
const SERVER_CLOCK = '2026-03-02T12:00:00Z';
const THRESHOLD = 60;

const dir = tempDir('constintel-automation-crash-');
const children: ChildProcess[] = [];

/** What the SMTP server saw: every mail taken (DATA read), and whether it answered it. */
interface Received {
  to: string;
  answered: boolean;
}

interface KillingPeer {
  port: number;
  received: Received[];
  /** The app to kill on the next kill mail (set as soon as it is spawned). */
  target(child: ChildProcess): void;
  close(): Promise<void>;
}

/**
 * A real SMTP server (smtp-server, no TLS) that kills the target on the KILLS-th mails and leaves them unanswered.
 * A mail on a connection opened by a process already killed (its bytes were on the wire) is not answered either:
 * only what the live app was told counts as answered.
 */
async function killingPeer(): Promise<KillingPeer> {
  const received: Received[] = [];
  let target: ChildProcess | undefined;
  let generation = 0;
  const generationOf = new Map<string, number>();
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    closeTimeout: 100,
    onConnect(session, callback) {
      generationOf.set(session.id, generation);
      callback();
    },
    onData(stream, session, callback) {
      stream.on('data', () => {});
      stream.on('end', () => {
        const mail: Received = { to: session.envelope.rcptTo.map((r) => r.address).join(','), answered: false };
        received.push(mail);
        if (generationOf.get(session.id) !== generation) return;
        if (KILLS.includes(received.length)) {
          // Killed before the answer: the app cannot know whether the mail went out.
          target?.kill('SIGKILL');
          generation += 1;
          return;
        }
        mail.answered = true;
        callback();
      });
    },
  });
  // A killed app's connections end with a reset: expected here, not a failure of the test.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.server.address() as AddressInfo).port,
    received,
    target: (child) => {
      target = child;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function openReadOnly(): Sqlite.Database {
  return new Sqlite(join(dir.path, 'constintel.db'), { readonly: true, fileMustExist: true });
}

function statuses(): Record<string, number> {
  const db = openReadOnly();
  try {
    return Object.fromEntries(
      db.prepare('SELECT status, count(*) FROM message_outbox GROUP BY status').raw().all() as [string, number][],
    );
  } finally {
    db.close();
  }
}

/** Customers with more than one outbox row. */
function rowsPerCustomerAbove1(): number[] {
  const db = openReadOnly();
  try {
    return db
      .prepare('SELECT profile_id FROM message_outbox GROUP BY profile_id HAVING count(*) > 1')
      .pluck()
      .all() as number[];
  } finally {
    db.close();
  }
}

const total = (s: Record<string, number>) => Object.values(s).reduce((a, b) => a + b, 0);

const SERVE_ENV = { ...process.env, CONSTINTEL_DATA_DIR: '', CONSTINTEL_CLOCK_START: SERVER_CLOCK };
const SERVE_ARGS = ['serve', '--data-dir', dir.path, '--port', '0', '--ingest-port', '0'];

/**
 * Starts the app, handed to the peer at once (it may send before it prints its link), and waits until the peer
 * kills it; after `ms` it is stopped (and the test fails on the signal).
 */
async function runUntilKilled(peer: KillingPeer, ms: number): Promise<{ signal: NodeJS.Signals | null; out: string }> {
  const child = spawn(process.execPath, [builtScript('cli'), ...SERVE_ARGS], {
    env: SERVE_ENV,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  peer.target(child);
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const timer = setTimeout(() => child.kill('SIGTERM'), ms);
  const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
    child.once('exit', (_code, signal) => resolve(signal)),
  );
  clearTimeout(timer);
  return { signal, out };
}

/**
 * Starts the app and kills it mid-evaluation: once the new scores are noted (the scores subscriber's offset moved)
 * and the sweep that follows has committed its first batch of messages (some customers have a row, maybe not all);
 * if no row appears within 5 s of the note, it is killed all the same.
 */
async function runUntilSweeping(): Promise<{ signal: NodeJS.Signals | null; out: string; rowsAtKill: number }> {
  const probe = new Sqlite(join(dir.path, 'constintel.db'), { readonly: true, fileMustExist: true });
  const offset = probe
    .prepare(
      "SELECT last_id FROM stream_offset WHERE stream = 'predictions.updated' AND subscriber = 'automations.onScores'",
    )
    .pluck();
  const rows = probe.prepare('SELECT count(*) FROM message_outbox').pluck();
  const before = offset.get() as number;
  const child = spawn(process.execPath, [builtScript('cli'), ...SERVE_ARGS], {
    env: SERVE_ENV,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once('exit', (_code, signal) => resolve(signal)),
  );
  const deadline = Date.now() + 20_000;
  let notedAt: number | null = null;
  let rowsAtKill = -1;
  try {
    while (child.exitCode === null && child.signalCode === null && Date.now() < deadline) {
      if (notedAt === null && offset.get() !== before) notedAt = Date.now();
      if (notedAt !== null) {
        const n = rows.get() as number;
        if (n > 0 || Date.now() - notedAt > 5_000) {
          child.kill('SIGKILL');
          rowsAtKill = n;
          break;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  } finally {
    probe.close();
  }
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  return { signal: await exited, out, rowsAtKill };
}

/**
 * A retrain's predictions, written by another connection as a terminal's `constintel retrain` would (registry.ts
 * saveVersion): a new active model version; the scores before it kept as the previous ones (a crossing is a move
 * from below a threshold to above it, so a first score is not one); every customer's new scores, `churn(i)` for the
 * i-th; and 'predictions.updated', all in one transaction.
 */
function writePredictions(profileIds: number[], at: number, churn: (i: number) => number): void {
  const db = new Sqlite(join(dir.path, 'constintel.db'), { fileMustExist: true, timeout: 5_000 });
  try {
    db.transaction(() => {
      db.prepare("UPDATE model_version SET active = 0 WHERE brand_id = 1 AND kind = 'scores'").run();
      const versionId = Number(
        db
          .prepare(
            `INSERT INTO model_version (brand_id, kind, method, metrics, artifact, training_rows, duration_ms, active, created_at)
             VALUES (1, 'scores', 'bgnbd', '{}', ?, ?, 1000, 1, ?)`,
          )
          .run(artifactAsOf(at), profileIds.length, at).lastInsertRowid,
      );
      db.prepare(
        'UPDATE predictions SET prev_churn_score = churn_score, prev_segment = segment WHERE brand_id = 1',
      ).run();
      const upsert = db.prepare(
        `INSERT INTO predictions (profile_id, brand_id, churn_score, ltv_score, segment, recommendations, model_version, predicted_at)
         VALUES (?, 1, ?, ?, ?, '[]', ?, ?)
         ON CONFLICT (profile_id) DO UPDATE SET churn_score = excluded.churn_score, ltv_score = excluded.ltv_score,
           segment = excluded.segment, model_version = excluded.model_version, predicted_at = excluded.predicted_at`,
      );
      for (const [i, id] of profileIds.entries()) {
        const risk = churn(i);
        upsert.run(id, risk, 40 + (i % 50), risk * 100 >= THRESHOLD ? 'At risk' : 'Loyal', versionId, at);
      }
      db.prepare('INSERT INTO stream_message (stream, key, payload, created_at) VALUES (?, ?, ?, ?)').run(
        'predictions.updated',
        String(versionId),
        JSON.stringify({ brandId: 1, versionId, change: 'saved' }),
        at,
      );
    })();
  } finally {
    db.close();
  }
}

let peer: KillingPeer;
let profileIds: number[] = [];

beforeAll(async () => {
  peer = await killingPeer();
  // The shop, set up in-process on the data folder: email connected to the peer, a template, the customers, and an
  // enabled churn automation (nobody is at risk yet: no predictions).
  const clock = fixedClock(SEEDED_AT);
  let shop = await testBackend({ dataDir: dir.path, clock });
  try {
    await shop.call('settings.update', {
      brandName: 'Corner Shop',
      timeZone: 'Europe/London',
      defaultCountry: 'GB',
      sendRates: { email: 400, sms: 1, whatsapp: 80 },
    });
    await shop.call('channels.saveEmail', {
      host: '127.0.0.1',
      port: peer.port,
      security: 'none',
      fromAddress: 'hello@corner-shop.test',
    });
    const { template } = await shop.call('templates.save', {
      template: {
        name: 'We miss you',
        channel: 'email',
        subject: 'We miss you, {{first_name}}',
        body: 'Hello {{first_name}}, it has been a while. {{unsubscribe_link}}',
      },
    });
    const results = ingestEvents(
      shop.ctx,
      Array.from({ length: CUSTOMERS }, (_, i) =>
        ev({
          type: 'purchase',
          source: 'api',
          occurredAt: '2025-06-01T10:00:00Z',
          identifiers: { email: `customer${i}@example.com` },
          payload: {
            total: 30 + (i % 40),
            currency: 'GBP',
            firstName: `Customer${i}`,
            emailConsent: true,
            emailConsentAt: '2025-06-01T10:00:00Z',
          },
        }),
      ),
    );
    profileIds = results.map((r) => r.profileId as number);
    await shop.close();
    // An earlier retrain: nobody at risk yet.
    writePredictions(profileIds, Date.parse(SEEDED_AT), () => 0.2);
    shop = await testBackend({ dataDir: dir.path, clock });
    const saved = (await shop.call('automations.save', {
      name: 'Win back customers at risk',
      trigger: { type: 'churn_risk', atLeast: THRESHOLD },
      actions: [{ type: 'send', channel: 'email', templateId: template.id }],
      recipe: 'win-back',
      // Every one of the 1,000 is to get exactly one message: none held out as a comparison.
      holdoutPercent: 0,
    })) as AutomationView;
    await shop.call('automations.setEnabled', { id: saved.id, enabled: true });
  } finally {
    await shop.close();
  }
}, 60_000);

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  await peer?.close();
  dir.remove();
});

describe('automations across a SIGKILL', () => {
  it('1,000 customers crossing a churn threshold at once: one outbox row each, no address mailed twice, cut-off sends unknown', async () => {
    expect(new Set(profileIds).size).toBe(CUSTOMERS);
    expect(statuses()).toEqual({});
    // The retrain that moves every one of them from below the threshold to above it.
    writePredictions(profileIds, Date.parse(SEEDED_AT) + 60_000, (i) => 0.75 + (i % 20) / 100);

    // Killed mid-evaluation: the new scores noted, the sweep part-way (what it committed, batch by batch, is at most
    // one row per customer).
    const evaluating = await runUntilSweeping();
    expect(evaluating.signal, evaluating.out).toBe('SIGKILL');
    expect(total(statuses())).toBeLessThanOrEqual(CUSTOMERS);
    expect(rowsPerCustomerAbove1()).toEqual([]);

    // Killed on the first kill mail: early, while the 1,000 may still be being evaluated.
    const first = await runUntilKilled(peer, 30_000);
    expect(first.signal, first.out).toBe('SIGKILL');
    expect(peer.received.length).toBeGreaterThanOrEqual(KILLS[0] as number);
    const afterFirst = statuses();
    expect(afterFirst.sending ?? 0).toBeGreaterThanOrEqual(1);

    // Restarted: what was cut off is unknown, the rest goes on; killed again mid-sending.
    const second = await runUntilKilled(peer, 30_000);
    expect(second.signal, second.out).toBe('SIGKILL');
    expect(peer.received.length).toBeGreaterThanOrEqual(KILLS[1] as number);

    // Restarted again: it finishes.
    const last = await serve(SERVE_ARGS, SERVE_ENV);
    children.push(last.child);
    const deadline = Date.now() + 30_000;
    let now = statuses();
    while (
      (total(now) < CUSTOMERS || (now.pending ?? 0) + (now.sending ?? 0) + (now.held ?? 0) > 0) &&
      Date.now() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      now = statuses();
    }
    expect(await last.stop()).toBe(0);

    const db = openReadOnly();
    try {
      // Exactly one outbox row per customer, and one occasion in the automation's ledger.
      const perCustomer = db
        .prepare('SELECT profile_id AS profileId, count(*) AS n FROM message_outbox GROUP BY profile_id')
        .all() as { profileId: number; n: number }[];
      expect(perCustomer.filter((r) => r.n !== 1)).toEqual([]);
      expect(perCustomer.map((r) => r.profileId).sort((a, b) => a - b)).toEqual([...profileIds].sort((a, b) => a - b));
      const executions = db
        .prepare(
          'SELECT count(*) AS n, count(DISTINCT profile_id) AS people FROM automation_execution WHERE profile_id IS NOT NULL',
        )
        .get() as { n: number; people: number };
      expect(executions).toEqual({ n: CUSTOMERS, people: CUSTOMERS });

      // No address received twice.
      const addresses = peer.received.map((m) => m.to);
      expect(addresses.length - new Set(addresses).size).toBe(0);

      // Every row sent or unknown; the sends cut off by the kills are unknown with the reason, never sent again.
      const rows = db.prepare('SELECT recipient, status, status_reason AS reason FROM message_outbox').all() as {
        recipient: string;
        status: string;
        reason: string | null;
      }[];
      const byRecipient = new Map(rows.map((r) => [r.recipient, r]));
      const counts = Object.fromEntries(
        [...new Set(rows.map((r) => r.status))].map((s) => [s, rows.filter((r) => r.status === s).length]),
      );
      expect(Object.keys(counts).sort()).toEqual(['sent', 'unknown']);
      expect(counts.unknown).toBeGreaterThanOrEqual(2);
      for (const cut of KILLS.map((k) => peer.received[k - 1]?.to ?? '')) {
        expect(byRecipient.get(cut)).toMatchObject({ status: 'unknown', reason: INTERRUPTED_REASON });
      }
      for (const row of rows.filter((r) => r.status === 'unknown')) expect(row.reason).toBe(INTERRUPTED_REASON);
      // Every sent row is a mail the server answered. A mail answered just before a kill may be unknown (the app had
      // no time to write down the answer), never pending or sent again.
      const answered = new Set(peer.received.filter((m) => m.answered).map((m) => m.to));
      const sent = rows.filter((r) => r.status === 'sent').map((r) => r.recipient);
      expect(sent.filter((to) => !answered.has(to))).toEqual([]);
      expect([...answered].filter((to) => !['sent', 'unknown'].includes(byRecipient.get(to)?.status ?? ''))).toEqual(
        [],
      );
      // Only what was in flight at the two kills is unknown (the outbox keeps a few sends in flight per channel).
      expect(counts.unknown).toBeLessThanOrEqual(2 * 40);
    } finally {
      db.close();
    }
  }, 120_000);
});
