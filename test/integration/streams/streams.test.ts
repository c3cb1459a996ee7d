import { describe, expect, it } from 'vitest';
import { ingestEvents } from '../../../main/core/ingest/ingest-service';
import type { StreamMessage } from '../../../main/core/streams/streams';
import { streamsOf } from '../../../main/core/streams/streams';
import { tempDirs, testBackend } from '../../support/backend';
import { ev } from '../../support/events';

const newDir = tempDirs();

describe('durable streams', () => {
  it('deliver committed events to a subscriber in order, after commit', async () => {
    const dir = { path: newDir() };
    const backend = await testBackend({ dataDir: dir.path });
    const seen: number[] = [];
    streamsOf(backend.ctx).subscribe('events.raw', 'test-order', (messages) => {
      for (const m of messages) seen.push((m.payload as { eventId: number }).eventId);
    });
    const results = ingestEvents(backend.ctx, [ev({}), ev({}), ev({})]);
    await streamsOf(backend.ctx).pump();
    expect(seen).toEqual(results.map((r) => r.eventId));
    expect(streamsOf(backend.ctx).offset('events.raw', 'test-order').lastId).toBeGreaterThan(0);
    await backend.close();
  });

  it('a subscriber that fails keeps its place, does not block ingestion, and catches up when it recovers', async () => {
    const dir = { path: newDir() };
    const backend = await testBackend({ dataDir: dir.path });
    let healthy = false;
    const seen: StreamMessage[] = [];
    streamsOf(backend.ctx).subscribe('events.normalized', 'flaky', (messages) => {
      if (!healthy) throw new Error('downstream is down');
      seen.push(...messages);
    });
    const other: StreamMessage[] = [];
    streamsOf(backend.ctx).subscribe('events.normalized', 'steady', (messages) => {
      other.push(...messages);
    });
    ingestEvents(backend.ctx, [ev({}), ev({})]);
    await streamsOf(backend.ctx).pump();
    expect(other).toHaveLength(2);
    expect(seen).toHaveLength(0);
    expect(streamsOf(backend.ctx).offset('events.normalized', 'flaky')).toMatchObject({
      lastId: 0,
      attempts: 1,
      lastError: 'downstream is down',
    });
    // Ingestion goes on while the subscriber is failing.
    expect(ingestEvents(backend.ctx, [ev({})])[0]?.duplicate).toBe(false);
    healthy = true;
    (backend.ctx.clock as unknown as { advance(ms: number): void }).advance(120_000);
    await streamsOf(backend.ctx).pump();
    expect(seen).toHaveLength(3);
    expect(streamsOf(backend.ctx).offset('events.normalized', 'flaky')).toMatchObject({ attempts: 0, lastError: null });
    await backend.close();
  });

  it('a crash between commit and subscriber: after restart the subscriber catches up, once', async () => {
    const dir = { path: newDir() };
    const first = await testBackend({ dataDir: dir.path });
    const seenBefore: number[] = [];
    streamsOf(first.ctx).subscribe('events.raw', 'journey', (messages) => {
      for (const m of messages) seenBefore.push(m.id);
    });
    ingestEvents(first.ctx, [ev({})]);
    await streamsOf(first.ctx).pump();
    expect(seenBefore).toHaveLength(1);
    // Committed, then the process dies before any subscriber runs.
    const committed = ingestEvents(first.ctx, [ev({}), ev({})]);
    streamsOf(first.ctx).stop();
    first.db.close();

    const second = await testBackend({ dataDir: dir.path });
    const seenAfter: number[] = [];
    streamsOf(second.ctx).subscribe('events.raw', 'journey', (messages) => {
      for (const m of messages) seenAfter.push((m.payload as { eventId: number }).eventId);
    });
    await streamsOf(second.ctx).pump();
    expect(seenAfter).toEqual(committed.map((r) => r.eventId));
    await second.close();
  });
});
