/**
 * At most once across SIGKILL, with real processes, a real data file and a real HTTP peer. A backend process
 * (test/support/outbox-child.ts: createBackend, the outbox given a sender that POSTs to the sink) sends 20 waiting
 * WhatsApp messages one at a time; the sink takes the 8th request and, before answering, kills the process
 * (SIGKILL): the row is left `sending`, the provider may or may not have taken it. A second process on the same
 * folder marks that row `unknown`, never sends it again, and sends the 12 others: every message reaches the sink
 * once, none twice.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { enqueueMessage } from '../../../main/core/channels/outbox';
import { INTERRUPTED_REASON } from '../../../main/core/channels/outbox-worker';
import { appRoot } from '../../../main/core/paths';
import { tempDirs, testBackend } from '../../support/backend';
import { startSink } from '../../support/http-sender';

const newDir = tempDirs();

function runChild(
  env: Record<string, string>,
  onSpawn: (child: ChildProcess) => void = () => {},
): Promise<{ code: number | null; signal: string | null; out: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(appRoot(), 'test/support/outbox-child.ts')], {
    cwd: appRoot(),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onSpawn(child);
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, out })));
}

function statuses(dataDir: string): Record<string, number> {
  const db = new Sqlite(join(dataDir, 'constintel.db'), { readonly: true, fileMustExist: true });
  try {
    return Object.fromEntries(
      db.prepare('SELECT status, count(*) FROM message_outbox GROUP BY status').raw().all() as [string, number][],
    );
  } finally {
    db.close();
  }
}

describe('the outbox across a SIGKILL', () => {
  it('a message cut off between sending and the answer is unknown and never sent again; the rest go exactly once', async () => {
    const dataDir = newDir();
    const seed = await testBackend({ dataDir });
    const ids = Array.from(
      { length: 20 },
      (_, i) =>
        enqueueMessage(seed.ctx, {
          channel: 'whatsapp',
          to: `+4477009001${String(i).padStart(2, '0')}`,
          text: `Your order ${i} is ready`,
          kind: 'service',
        }).id,
    );
    await seed.close();
    expect(statuses(dataDir)).toEqual({ pending: 20 });

    let child: ChildProcess | undefined;
    let killing = true;
    const sink = await startSink((message, index) => {
      if (killing && index === 8) {
        child?.kill('SIGKILL');
        return 'hang';
      }
      return { status: 200, body: { id: `wamid.${message.outboxId}` } };
    });
    try {
      const env = { OUTBOX_CHILD_DATA_DIR: dataDir, OUTBOX_CHILD_SINK: sink.url };
      const killed = await runChild(env, (c) => {
        child = c;
      });
      expect(killed.signal, killed.out).toBe('SIGKILL');
      expect(sink.received).toHaveLength(8);
      expect(statuses(dataDir)).toEqual({ sent: 7, sending: 1, pending: 12 });
      const cutOff = sink.received[7]?.outboxId;

      killing = false;
      const finished = await runChild(env);
      expect(finished.code, finished.out).toBe(0);
      expect(statuses(dataDir)).toEqual({ sent: 19, unknown: 1 });
      const sent = sink.received.map((m) => m.outboxId);
      expect(sent).toHaveLength(20);
      expect(new Set(sent).size).toBe(20);
      expect([...sent].sort((a, b) => a - b)).toEqual(ids);

      const db = new Sqlite(join(dataDir, 'constintel.db'), { readonly: true });
      try {
        expect(db.prepare('SELECT id, status_reason FROM message_outbox WHERE status = ?').all('unknown')).toEqual([
          { id: cutOff, status_reason: INTERRUPTED_REASON },
        ]);
      } finally {
        db.close();
      }
    } finally {
      await sink.close();
    }
  }, 60_000);
});
