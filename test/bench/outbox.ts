/**
 * The outbox at campaign scale (PERFORMANCE.md: outbox ≥ 0.8 × the peer's own acceptance rate, `/rpc` p99 ≤ 50 ms
 * meanwhile). Three processes, so no two of the measured parts share an event loop:
 * - peers (outbox-peers.ts): a real SMTP server (`smtp-server`) and a Graph API fake, counting what they take;
 * - the app (outbox-backend.ts): the real backend on a temp data folder, a clock at a weekday noon (no quiet hours),
 *   email and WhatsApp connected as the shop connects them, 10,000 distinct customers each with a yes to offers on
 *   their channel, and one marketing message queued for each (5,000 emails, 5,000 WhatsApp templates, alternating),
 *   waiting behind "pause all sending". The real senders (channels/email.ts, whatsapp.ts) send them;
 * - this one: the baseline client, the `/rpc` reader, and the checks.
 *
 * Baseline, in the same run, per channel: the peer's own acceptance rate — the same number of messages with the
 * same content pushed straight at it by a plain client at the outbox's concurrency (nodemailer with a pool of that
 * many SMTP connections; fetch to the Graph fake), no outbox. The reference for each channel is the lower of that
 * rate and the configured limit (settings sendRates, set here to email 500/s and WhatsApp 80/s, WhatsApp's own
 * default); the target is outbox ≥ 0.8 × reference. For both channels together the reference is the rate at which
 * 10,000 messages would go if each channel ran at its reference rate side by side.
 *
 * Timing: from the `/rpc` call that lifts the pause to the peer taking the channel's last message (the baseline:
 * from its first send to the peer taking its last), on the peers' clock (epoch milliseconds).
 *
 * `/rpc`: one reader, as the Messages page and a customers page read: `messages.list` and `customers.search`
 * alternately, each answer followed by a 20 ms pause: after 3 s not counted, for 5 s with everything queued and
 * paused (the outbox idle), then all the while the outbox sends. p99 of each; target while sending ≤ 50 ms.
 *
 * Checks at the end: every message `sent` exactly once (rows by status), the peers took exactly 10,000 with no
 * recipient twice, and the data file holds 10,000 customers with 10,000 different recipients.
 *
 * `outbox [messages=10000] [emailRate=500] [whatsappRate=80] [--profile DIR]`: with `--profile`, the app's process
 * runs with `--cpu-prof` and writes its profile to DIR when it stops.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Sqlite from 'better-sqlite3';
import nodemailer from 'nodemailer';
import { SMTP_POOL_CONNECTIONS } from '../../main/core/channels/email';
import { defaultOutboxDeps } from '../../main/core/channels/outbox-deps';
import { WHATSAPP_API_VERSION } from '../../main/core/channels/whatsapp';
import { appRoot } from '../../main/core/paths';
import { rpcOf } from '../support/spawn';
import type { PeerReport } from './outbox-peers';

const TARGETS = { ratio: 0.8, rpcP99Ms: 50 };
const WARM_MS = 3_000;
const IDLE_MS = 5_000;
const RPC_PAUSE_MS = 20;
/** The outbox must have sent everything within this long, or the bench reports what it had. */
const MAX_SECONDS = 600;
type Channel = 'email' | 'whatsapp';
const CHANNELS: readonly Channel[] = ['email', 'whatsapp'];

const round = (x: number, digits = 2) => Number(x.toFixed(digits));
const percentile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? Number.NaN;
};
const epochNow = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A child run with tsx and spoken to over IPC. */
function child(script: string, env: Record<string, string>, nodeArgs: string[] = []): ChildProcess {
  return fork(join(appRoot(), 'test', 'bench', script), [], {
    cwd: appRoot(),
    execArgv: ['--import', 'tsx', ...nodeArgs],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

function nextMessage<T>(proc: ChildProcess, type: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no "${type}" from ${proc.spawnargs.at(-1)} within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const onMessage = (message: { type: string }) => {
      if (message.type !== type) return;
      cleanup();
      resolve(message as T);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`${proc.spawnargs.at(-1)} exited with ${code} before "${type}"`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      proc.off('message', onMessage);
      proc.off('exit', onExit);
    };
    proc.on('message', onMessage);
    proc.once('exit', onExit);
  });
}

async function peerReport(peers: ChildProcess): Promise<Record<Channel, PeerReport>> {
  const answer = nextMessage<Record<Channel, PeerReport>>(peers, 'report', 10_000);
  peers.send({ type: 'report' });
  return answer;
}

/** `count` jobs, `concurrency` at a time, each loop starting the next as soon as its last is answered. */
async function pushAll(count: number, concurrency: number, one: (i: number) => Promise<void>): Promise<number> {
  let cursor = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (cursor < count) {
        const i = cursor++;
        try {
          await one(i);
        } catch {
          failed += 1;
        }
      }
    }),
  );
  return failed;
}

interface BaselineResult {
  rate: number;
  seconds: number;
  received: number;
  failed: number;
}

/**
 * Emails straight to the SMTP peer: nodemailer with the app's pool (SMTP_POOL_CONNECTIONS connections), `concurrency`
 * mails in flight as the outbox has, the same kind of mail.
 */
async function smtpBaseline(port: number, count: number, concurrency: number, peers: ChildProcess) {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: SMTP_POOL_CONNECTIONS,
    maxMessages: Number.POSITIVE_INFINITY,
  });
  const started = epochNow();
  const failed = await pushAll(count, concurrency, async (i) => {
    await transport.sendMail({
      from: { name: 'Corner Shop', address: 'hello@corner-shop.example' },
      to: `baseline.${i}@example.net`,
      subject: 'Ann, spring is here: 15% off all teas this week',
      text: 'Hello Ann,\n\nSpring teas are in: Darjeeling first flush, a new Assam and our own blend. Show this email or use code SPRING15 online for 15% off until Sunday.\n\nCorner Shop, 12 High Street\n',
      html: '<p>Hello Ann,</p><p>Spring teas are in: <b>Darjeeling first flush</b>, a new Assam and our own blend. Show this email or use code <b>SPRING15</b> online for 15% off until Sunday.</p><p>Corner Shop, 12 High Street</p>',
      headers: {
        'List-Unsubscribe': `<https://corner-shop.example/unsubscribe/${i}>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      },
    });
  });
  transport.close();
  return finishBaseline(peers, 'email', started, failed);
}

/** WhatsApp template sends straight to the Graph fake: fetch (undici, keep-alive), the same body and headers. */
async function graphBaseline(graphUrl: string, count: number, concurrency: number, peers: ChildProcess) {
  const url = `${graphUrl}/v${WHATSAPP_API_VERSION}/106540352242922/messages`;
  const started = epochNow();
  const failed = await pushAll(count, concurrency, async (i) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { authorization: 'Bearer EAAbench0123456789', 'content-type': 'application/json' },
      body: JSON.stringify({
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: `4479009${String(i).padStart(5, '0')}`,
        type: 'template',
        template: {
          name: 'spring_offer',
          language: { code: 'en_GB' },
          components: [
            {
              type: 'body',
              parameters: [
                { type: 'text', text: 'Ann' },
                { type: 'text', text: 'SPRING15' },
              ],
            },
          ],
        },
      }),
    });
    await response.text();
    if (!response.ok) throw new Error(`answer ${response.status}`);
  });
  return finishBaseline(peers, 'whatsapp', started, failed);
}

async function finishBaseline(
  peers: ChildProcess,
  channel: Channel,
  started: number,
  failed: number,
): Promise<BaselineResult> {
  const report = (await peerReport(peers))[channel];
  const seconds = ((report.last ?? started) - started) / 1000;
  return { rate: report.received / seconds, seconds, received: report.received, failed };
}

/** One reader of `/rpc` as the app's pages read it, until `done()`: each call's latency. */
async function readRpc(
  rpc: ReturnType<typeof rpcOf>,
  done: () => boolean,
): Promise<{ latencies: number[]; byCall: Record<string, number[]>; failed: number }> {
  const latencies: number[] = [];
  const byCall: Record<string, number[]> = { 'messages.list': [], 'customers.search': [] };
  let failed = 0;
  for (let n = 0; !done(); n++) {
    const sent = performance.now();
    const name = n % 2 === 0 ? 'messages.list' : 'customers.search';
    try {
      if (name === 'messages.list') await rpc('messages.list', {});
      else await rpc('customers.search', { sort: 'last_seen', limit: 50 });
    } catch {
      failed += 1;
    }
    const took = performance.now() - sent;
    latencies.push(took);
    byCall[name]?.push(took);
    await sleep(RPC_PAUSE_MS);
  }
  return { latencies, byCall, failed };
}

const p99ByCall = (byCall: Record<string, number[]>) =>
  Object.fromEntries(Object.entries(byCall).map(([name, values]) => [name, round(percentile(values, 0.99), 1)]));

/** User + system CPU milliseconds a process has used so far, from /proc (Linux, 100 ticks a second); null elsewhere. */
function processCpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

type Counts = Record<Channel, Record<string, number>>;

function countsByStatus(db: Sqlite.Database): Counts {
  const counts: Counts = { email: {}, whatsapp: {} };
  for (const row of db
    .prepare('SELECT channel, status, count(*) AS n FROM message_outbox GROUP BY channel, status')
    .all() as { channel: Channel; status: string; n: number }[]) {
    counts[row.channel][row.status] = row.n;
  }
  return counts;
}
const waiting = (c: Record<string, number>) => (c.pending ?? 0) + (c.held ?? 0) + (c.sending ?? 0);

export async function outboxBench(args: string[]): Promise<void> {
  const profileAt = args.indexOf('--profile');
  const profileDir = profileAt >= 0 ? args[profileAt + 1] : undefined;
  const positional = args.filter((_, i) => profileAt < 0 || (i !== profileAt && i !== profileAt + 1));
  const messages = Number(positional[0] ?? 10_000);
  const limits: Record<Channel, number> = {
    email: Number(positional[1] ?? 500),
    whatsapp: Number(positional[2] ?? 80),
  };
  const perChannel = messages / 2;
  const concurrency = defaultOutboxDeps({} as never).concurrency;
  const dir = mkdtempSync(join(tmpdir(), 'constintel-bench-outbox-'));
  const peers = child('outbox-peers.ts', {});
  let app: ChildProcess | undefined;
  try {
    const { smtpPort, graphUrl } = await nextMessage<{ smtpPort: number; graphUrl: string }>(peers, 'ready', 30_000);

    // Baseline: each peer's own acceptance rate (a short warm-up first, not counted).
    await smtpBaseline(smtpPort, 200, concurrency, peers);
    await graphBaseline(graphUrl, 200, concurrency, peers);
    const base: Record<Channel, BaselineResult> = {
      email: await smtpBaseline(smtpPort, perChannel, concurrency, peers),
      whatsapp: await graphBaseline(graphUrl, perChannel, concurrency, peers),
    };

    app = child(
      'outbox-backend.ts',
      {
        OUTBOX_BENCH_DATA_DIR: join(dir, 'data'),
        OUTBOX_BENCH_SMTP_PORT: String(smtpPort),
        OUTBOX_BENCH_CUSTOMERS: String(messages),
        OUTBOX_BENCH_RATES: JSON.stringify({ email: limits.email, sms: 1, whatsapp: limits.whatsapp }),
        CONSTINTEL_WHATSAPP_API_URL: graphUrl,
      },
      profileDir ? ['--cpu-prof', `--cpu-prof-dir=${resolve(profileDir)}`] : [],
    );
    const ready = await nextMessage<{ launchUrl: string; customers: number; queued: number }>(app, 'ready', 300_000);
    const rpc = rpcOf(ready.launchUrl);
    const db = new Sqlite(join(dir, 'data', 'constintel.db'), { readonly: true, fileMustExist: true });
    try {
      // A few seconds of reads not counted (first calls, the app settling after 10,000 new customers), then the
      // outbox idle: everything queued, sending paused.
      const warmUntil = performance.now() + WARM_MS;
      await readRpc(rpc, () => performance.now() > warmUntil);
      const idleUntil = performance.now() + IDLE_MS;
      const idle = await readRpc(rpc, () => performance.now() > idleUntil);
      await peerReport(peers);

      let sending = true;
      const busy = readRpc(rpc, () => !sending);
      const cpuBefore = processCpuMs(app.pid);
      const started = epochNow();
      await rpc('settings.update', { sendingPaused: false });
      const deadline = performance.now() + MAX_SECONDS * 1000;
      let counts = countsByStatus(db);
      while (CHANNELS.some((c) => waiting(counts[c]) > 0) && performance.now() < deadline) {
        await sleep(100);
        counts = countsByStatus(db);
      }
      const appCpuMs = (processCpuMs(app.pid) ?? Number.NaN) - (cpuBefore ?? Number.NaN);
      sending = false;
      const during = await busy;
      const received = await peerReport(peers);

      const distinctRecipients = db
        .prepare("SELECT count(DISTINCT recipient) FROM message_outbox WHERE source = 'campaign'")
        .pluck()
        .get() as number;
      const distinctProfiles = db
        .prepare("SELECT count(DISTINCT profile_id) FROM message_outbox WHERE source = 'campaign'")
        .pluck()
        .get() as number;
      // Customers with a yes to offers on a channel (ingestion merges a returning customer into one profile).
      const customers = db
        .prepare('SELECT count(*) FROM customer_profile WHERE email_consent = 1 OR whatsapp_consent = 1')
        .pluck()
        .get() as number;

      const common = { bench: 'outbox', messages, concurrency };
      const outboxRate: Record<Channel, number> = { email: 0, whatsapp: 0 };
      const reference: Record<Channel, number> = { email: 0, whatsapp: 0 };
      for (const channel of CHANNELS) {
        const r = received[channel];
        const seconds = ((r.last ?? started) - started) / 1000;
        outboxRate[channel] = r.received / seconds;
        reference[channel] = Math.min(base[channel].rate, limits[channel]);
        const ratio = outboxRate[channel] / reference[channel];
        console.log(
          JSON.stringify({
            ...common,
            channel,
            measure: 'msgsPerSec',
            value: round(outboxRate[channel], 1),
            seconds: round(seconds),
            peerRate: round(base[channel].rate, 1),
            limit: limits[channel],
            reference: round(reference[channel], 1),
            ratio: round(ratio),
            target: TARGETS.ratio,
            meetsTarget: ratio >= TARGETS.ratio,
          }),
        );
      }
      const lastAt = Math.max(...CHANNELS.map((c) => received[c].last ?? started));
      const totalSeconds = (lastAt - started) / 1000;
      const totalRate = CHANNELS.reduce((sum, c) => sum + received[c].received, 0) / totalSeconds;
      // Each channel at its reference rate, side by side: done when the slower one is.
      const totalReference = messages / Math.max(...CHANNELS.map((c) => perChannel / reference[c]));
      console.log(
        JSON.stringify({
          ...common,
          channel: 'total',
          measure: 'msgsPerSec',
          value: round(totalRate, 1),
          seconds: round(totalSeconds),
          peerRate: round(messages / Math.max(...CHANNELS.map((c) => perChannel / base[c].rate)), 1),
          limit: limits.email + limits.whatsapp,
          reference: round(totalReference, 1),
          ratio: round(totalRate / totalReference),
          target: TARGETS.ratio,
          meetsTarget: totalRate / totalReference >= TARGETS.ratio,
        }),
      );
      const p99 = percentile(during.latencies, 0.99);
      const idleP99 = percentile(idle.latencies, 0.99);
      console.log(
        JSON.stringify({
          ...common,
          measure: 'rpcP99Ms',
          value: round(p99, 1),
          baseline: round(idleP99, 1),
          ratioToBaseline: round(p99 / idleP99),
          p50Ms: round(percentile(during.latencies, 0.5), 1),
          maxMs: round(Math.max(...during.latencies), 1),
          baselineP50Ms: round(percentile(idle.latencies, 0.5), 1),
          p99ByCall: p99ByCall(during.byCall),
          baselineP99ByCall: p99ByCall(idle.byCall),
          samples: during.latencies.length,
          baselineSamples: idle.latencies.length,
          failed: during.failed + idle.failed,
          target: TARGETS.rpcP99Ms,
          meetsTarget: p99 <= TARGETS.rpcP99Ms && during.failed + idle.failed === 0,
        }),
      );
      const sent = CHANNELS.reduce((sum, c) => sum + (counts[c].sent ?? 0), 0);
      const peerReceived = CHANNELS.reduce((sum, c) => sum + received[c].received, 0);
      const peerDistinct = CHANNELS.reduce((sum, c) => sum + received[c].distinct, 0);
      const exactlyOnce =
        sent === messages &&
        peerReceived === messages &&
        peerDistinct === messages &&
        distinctRecipients === messages &&
        distinctProfiles === messages &&
        customers === messages;
      console.log(
        JSON.stringify({
          ...common,
          measure: 'exactlyOnce',
          value: exactlyOnce,
          rowsByStatus: counts,
          sent,
          peerReceived,
          peerDuplicates: peerReceived - peerDistinct,
          peerErrors: received.email.errors + received.whatsapp.errors,
          // CPU time of the app's process while it sent, per message (the /rpc reads it answered meanwhile included).
          appCpuMsPerMessage: round(appCpuMs / messages, 3),
          customers,
          distinctRecipients,
          distinctProfiles,
          baseline: {
            email: { ...base.email, rate: round(base.email.rate, 1), seconds: round(base.email.seconds) },
            whatsapp: { ...base.whatsapp, rate: round(base.whatsapp.rate, 1), seconds: round(base.whatsapp.seconds) },
          },
          meetsTarget: exactlyOnce,
        }),
      );
    } finally {
      db.close();
    }
  } finally {
    if (app && app.exitCode === null) {
      const stopped = new Promise((resolve) => app?.once('exit', resolve));
      app.send({ type: 'stop' });
      const timer = setTimeout(() => app?.kill('SIGKILL'), 15_000);
      await stopped;
      clearTimeout(timer);
    }
    if (peers.exitCode === null) {
      const stopped = new Promise((resolve) => peers.once('exit', resolve));
      peers.send({ type: 'stop' });
      await stopped;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
