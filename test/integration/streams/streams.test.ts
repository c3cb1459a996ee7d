import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../../main/core/clock';
import type { StreamMessage } from '../../../main/core/streams/streams';
import { TEST_NOW, tempDirs, testBackend } from '../../support/backend';
import { ev } from '../../support/events';
import { runnerOf } from '../../support/streams';

const newDir = tempDirs();
const eventIdOf = (m: StreamMessage<'events.raw' | 'events.normalized'>) =>
  m.payload.kind === 'event' ? m.payload.eventId : -1;

describe('durable streams', () => {
  it('deliver committed events to a subscriber in order, after commit', async () => {
    const backend = await testBackend({ dataDir: newDir() });
    const streams = runnerOf(backend);
    const seen: number[] = [];
    streams.subscribe({
      stream: 'events.raw',
      name: 'test.order',
      effect: 'database',
      handle: (messages) => {
        for (const m of messages) seen.push(eventIdOf(m));
      },
    });
    const results = backend.core.ingest([ev({}), ev({}), ev({})]);
    await streams.pump();
    expect(seen).toEqual(results.map((r) => r.eventId));
    expect(streams.offset('events.raw', 'test.order').lastId).toBeGreaterThan(0);
    await backend.close();
  });

  it('a subscriber that fails keeps its place, does not block ingestion, and catches up when it recovers', async () => {
    const clock = fixedClock(TEST_NOW);
    const backend = await testBackend({ dataDir: newDir(), clock });
    const streams = runnerOf(backend);
    let healthy = false;
    const seen: StreamMessage[] = [];
    streams.subscribe({
      stream: 'events.normalized',
      name: 'test.flaky',
      effect: 'database',
      handle: (messages) => {
        if (!healthy) throw new Error('downstream is down');
        seen.push(...messages);
      },
    });
    const other: StreamMessage[] = [];
    streams.subscribe({
      stream: 'events.normalized',
      name: 'test.steady',
      effect: 'database',
      handle: (messages) => {
        other.push(...messages);
      },
    });
    backend.core.ingest([ev({}), ev({})]);
    await streams.pump();
    expect(other).toHaveLength(2);
    expect(seen).toHaveLength(0);
    expect(streams.offset('events.normalized', 'test.flaky')).toMatchObject({
      lastId: 0,
      attempts: 1,
      lastError: 'downstream is down',
    });
    // Ingestion goes on while the subscriber is failing.
    expect(backend.core.ingest([ev({})])[0]?.duplicate).toBe(false);
    healthy = true;
    clock.advance(120_000);
    await streams.pump();
    expect(seen).toHaveLength(3);
    expect(streams.offset('events.normalized', 'test.flaky')).toMatchObject({ attempts: 0, lastError: null });
    await backend.close();
  });

  it('a crash between commit and subscriber: after restart the subscriber catches up, once', async () => {
    const dir = newDir();
    const first = await testBackend({ dataDir: dir });
    const seenBefore: number[] = [];
    runnerOf(first).subscribe({
      stream: 'events.raw',
      name: 'test.journey',
      effect: 'database',
      handle: (messages) => {
        for (const m of messages) seenBefore.push(m.id);
      },
    });
    first.core.ingest([ev({})]);
    await runnerOf(first).pump();
    expect(seenBefore).toHaveLength(1);
    // Committed, then the process dies before any subscriber runs.
    const committed = first.core.ingest([ev({}), ev({})]);
    runnerOf(first).stop();
    first.db.close();

    const second = await testBackend({ dataDir: dir });
    const seenAfter: number[] = [];
    runnerOf(second).subscribe({
      stream: 'events.raw',
      name: 'test.journey',
      effect: 'database',
      handle: (messages) => {
        for (const m of messages) seenAfter.push(eventIdOf(m));
      },
    });
    await runnerOf(second).pump();
    expect(seenAfter).toEqual(committed.map((r) => r.eventId));
    await second.close();
  });
});
