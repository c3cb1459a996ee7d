/**
 * A test-only backend process for the stream crash tests (run with `node --import tsx`): opens the data folder
 * with `createBackend`, subscribes one test subscriber, consumes until caught up, prints `caught up` and exits.
 *
 * STREAM_CHILD_DATA_DIR   the data folder
 * STREAM_CHILD_MODE       `seen`: the database subscriber of streams.ts (one row per event);
 *                         `outbox`: an outside subscriber that POSTs each event to STREAM_CHILD_SINK
 * STREAM_CHILD_KILL_AFTER SIGKILLs itself after that many rows written (seen: mid-transaction) or sends answered
 *                         (outbox: after the call, before the row is marked sent)
 * STREAM_CHILD_BATCH      messages per transaction
 */
import { createBackend } from '../../main/core/backend';
import { silentLogger } from '../../main/core/clock';
import { outboxRows } from '../../main/core/streams/outbox';
import { runnerOf, seenSubscriber } from './streams';

const dataDir = process.env.STREAM_CHILD_DATA_DIR ?? '';
const mode = process.env.STREAM_CHILD_MODE ?? 'seen';
const killAfter = Number(process.env.STREAM_CHILD_KILL_AFTER ?? '0');
const batch = Number(process.env.STREAM_CHILD_BATCH ?? '0') || undefined;
const die = () => process.kill(process.pid, 'SIGKILL');

const backend = await createBackend({ dataDir, logger: silentLogger, listen: false });
const runner = runnerOf(backend);
if (mode === 'seen') {
  runner.subscribe(
    seenSubscriber(backend.db, {
      backlog: true,
      ...(batch ? { batch } : {}),
      onRow: (n) => {
        if (n === killAfter) die();
      },
    }),
  );
} else {
  const sink = process.env.STREAM_CHILD_SINK ?? '';
  let sent = 0;
  runner.subscribe({
    stream: 'events.normalized',
    name: 'test.notify',
    effect: 'outside',
    backlog: true,
    plan(messages, outbox) {
      for (const { payload } of messages)
        if (payload.kind === 'event') outbox.plan(`event:${payload.eventId}`, { eventId: payload.eventId });
    },
    async deliver(item) {
      const response = await fetch(sink, { method: 'POST', body: item.key });
      if (!response.ok) throw new Error(`sink answered ${response.status}`);
      if (++sent === killAfter) die();
    },
  });
}
await runner.pump();
const offset = runner.offset('events.normalized', mode === 'seen' ? 'test.seen' : 'test.notify');
const waiting = outboxRows(backend.db, 'test.notify').filter((r) => r.status === 'planned').length;
console.log(JSON.stringify({ caughtUp: offset.lastError === null && waiting === 0, offset }));
await backend.close();
