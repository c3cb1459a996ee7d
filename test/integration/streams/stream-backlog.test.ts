/**
 * Streams on a data file with history: 100,000 events ingested in bulk (the import's path, BatchIngest, so one
 * range message per chunk) and 5,000 live ones. A subscriber added afterwards receives none of them unless it
 * asked for the backlog; a new imported event reaches it marked `import`, a live one `live`. The pruning job then
 * leaves no more messages than some subscriber has not read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../../main/core/backend';
import { fixedClock, silentLogger } from '../../../main/core/clock';
import { createChangeBus, type EngineContext } from '../../../main/core/context';
import { BatchIngest } from '../../../main/core/ingest/ingest-batch';
import type { IngestContext } from '../../../main/core/ingest/ingest-event';
import { ingestEvents } from '../../../main/core/ingest/ingest-service';
import { MemorySecretStore } from '../../../main/core/secrets/secret-store';
import { streamsEngine } from '../../../main/core/streams/engine';
import type { Origin } from '../../../main/core/streams/schemas';
import type { DatabaseSubscriber, StreamMessage } from '../../../main/core/streams/streams';
import { TEST_NOW, tempDir, testBackend } from '../../support/backend';
import { ev, purchase } from '../../support/events';
import { runnerOf } from '../../support/streams';

const OLD_IMPORTED = 100_000;
const OLD_LIVE = 5_000;
const CHUNK = 5_000;
const dir = tempDir();
const clock = fixedClock(TEST_NOW);
let backend: Backend;
let n = 0;

function importInBulk(events: number): void {
  const ctx: IngestContext = {
    brandId: 1,
    now: clock.now().getTime(),
    normalize: { defaultCountry: 'GB' },
    origin: 'import',
  };
  const ingest = new BatchIngest(backend.db, ctx);
  const chunk = backend.db.sqlite.transaction((size: number) => {
    ingest.begin();
    for (let i = 0; i < size; i++) {
      n += 1;
      ingest.add(purchase({ email: `c${n % 1_000}@example.com` }, 5, { externalId: `bulk-${n}` }));
    }
    ingest.end();
  });
  for (let done = 0; done < events; done += CHUNK) chunk.immediate(Math.min(CHUNK, events - done));
}

function liveEvents(count: number): void {
  for (let done = 0; done < count; done += 500)
    ingestEvents(
      backend.ctx,
      Array.from({ length: 500 }, () => ev({ identifiers: { email: `l${n++ % 700}@example.com` } })),
    );
}

/** A subscriber on events.normalized counting events (ranges spelled out) by origin. */
function counting(
  name: string,
  backlog: boolean,
): DatabaseSubscriber<'events.normalized'> & { seen: Record<Origin, number> } {
  const seen: Record<Origin, number> = { live: 0, import: 0 };
  return {
    stream: 'events.normalized',
    name,
    effect: 'database',
    backlog,
    seen,
    handle(messages: StreamMessage<'events.normalized'>[]) {
      for (const { payload } of messages)
        seen[payload.origin] += payload.kind === 'event' ? 1 : payload.lastEventId - payload.firstEventId + 1;
    },
  };
}

const count = (sql: string, ...args: unknown[]) =>
  backend.db.sqlite
    .prepare(sql)
    .pluck()
    .get(...args) as number;

beforeAll(async () => {
  backend = await testBackend({ dataDir: dir.path, clock });
  importInBulk(OLD_IMPORTED);
  liveEvents(OLD_LIVE);
}, 60_000);

afterAll(async () => {
  await backend.close();
  dir.remove();
});

describe('streams on a data file with history', () => {
  it('a new subscriber receives none of the old events unless it asked for the backlog; origins are told', async () => {
    expect(count('SELECT count(*) FROM customer_raw_event')).toBe(OLD_IMPORTED + OLD_LIVE);
    // The bulk path wrote one range per chunk, not one message per event.
    expect(count("SELECT count(*) FROM stream_message WHERE stream = 'events.normalized' AND key LIKE '%-%'")).toBe(
      OLD_IMPORTED / CHUNK,
    );
    const fresh = counting('test.fresh', false);
    const history = counting('test.history', true);
    const streams = runnerOf(backend);
    streams.subscribe(fresh);
    streams.subscribe(history);
    await streams.pump();
    expect(fresh.seen).toEqual({ live: 0, import: 0 });
    expect(history.seen).toEqual({ live: OLD_LIVE, import: OLD_IMPORTED });

    importInBulk(3);
    liveEvents(500);
    await streams.pump();
    expect(fresh.seen).toEqual({ live: 500, import: 3 });
    expect(history.seen).toEqual({ live: OLD_LIVE + 500, import: OLD_IMPORTED + 3 });
  }, 30_000);

  it('after the pruning job, stream_message holds no more than what no subscriber has read', async () => {
    const streams = runnerOf(backend);
    // A subscriber on events.raw that is stuck (failing) holds that stream; nobody reads predictions.requests.
    streams.subscribe({
      stream: 'events.raw',
      name: 'test.stuck',
      effect: 'database',
      backlog: true,
      handle: () => {
        throw new Error('stuck');
      },
    });
    await streams.pump();
    const before = count('SELECT count(*) FROM stream_message');
    expect(before).toBeGreaterThan(3 * OLD_LIVE);
    const raw = count("SELECT count(*) FROM stream_message WHERE stream = 'events.raw'");

    // Eight days on: what nobody subscribed to is past the week it is kept for.
    clock.advance(8 * 24 * 60 * 60_000);
    const ctx: EngineContext = {
      db: backend.db,
      clock,
      logger: silentLogger,
      dataDir: dir.path,
      brandId: 1,
      secrets: new MemorySecretStore(),
      bus: createChangeBus(silentLogger),
    };
    const job = streamsEngine.jobs?.find((j) => j.name === 'streams.prune');
    const said = await job?.run(ctx, { due: clock.now(), now: clock.now() });
    expect(said).toMatch(/cleared/);

    const unread = count(
      `SELECT count(*) FROM stream_message m
       WHERE m.id > (SELECT min(last_id) FROM stream_offset o WHERE o.stream = m.stream)`,
    );
    const left = count('SELECT count(*) FROM stream_message');
    expect(left).toBeLessThanOrEqual(unread);
    // Exactly the stuck subscriber's stream is left.
    expect(left).toBe(raw);
    expect(count("SELECT count(*) FROM stream_message WHERE stream <> 'events.raw'")).toBe(0);
  }, 30_000);
});
