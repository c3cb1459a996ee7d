import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../../main/core/clock';
import { ingestEvents } from '../../../main/core/ingest/ingest-service';
import { saveVersion } from '../../../main/core/ml/retrain/registry';
import type { Trained } from '../../../main/core/ml/retrain/trained';
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
    const results = ingestEvents(backend.ctx, [ev({}), ev({}), ev({})]);
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
    ingestEvents(backend.ctx, [ev({}), ev({})]);
    await streams.pump();
    expect(other).toHaveLength(2);
    expect(seen).toHaveLength(0);
    expect(streams.offset('events.normalized', 'test.flaky')).toMatchObject({
      lastId: 0,
      attempts: 1,
      lastError: 'downstream is down',
    });
    // Ingestion goes on while the subscriber is failing.
    expect(ingestEvents(backend.ctx, [ev({})])[0]?.duplicate).toBe(false);
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
    ingestEvents(first.ctx, [ev({})]);
    await runnerOf(first).pump();
    expect(seenBefore).toHaveLength(1);
    // Committed, then the process dies before any subscriber runs.
    const committed = ingestEvents(first.ctx, [ev({}), ev({})]);
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

  it('a message its schema refuses is an error for that subscriber: it keeps its place, nothing is skipped', async () => {
    const clock = fixedClock(TEST_NOW);
    const backend = await testBackend({ dataDir: newDir(), clock });
    const streams = runnerOf(backend);
    ingestEvents(backend.ctx, [ev({})]);
    const bad = backend.db.sqlite
      .prepare(
        `INSERT INTO stream_message (stream, key, payload, created_at) VALUES ('events.normalized', 'x', '{"kind":"event","eventId":"nine"}', 0)`,
      )
      .run().lastInsertRowid;
    ingestEvents(backend.ctx, [ev({})]);
    const seen: number[] = [];
    streams.subscribe({
      stream: 'events.normalized',
      name: 'test.strict',
      effect: 'database',
      backlog: true,
      handle: (messages) => {
        for (const m of messages) seen.push(eventIdOf(m));
      },
    });
    await streams.pump();
    expect(seen).toEqual([]);
    expect(streams.offset('events.normalized', 'test.strict')).toMatchObject({ lastId: 0, attempts: 1 });
    expect(streams.offset('events.normalized', 'test.strict').lastError).toMatch(
      new RegExp(`^Message ${bad} on events.normalized does not match the stream's schema at eventId`),
    );
    // Repaired, it is read in its place.
    backend.db.sqlite
      .prepare(
        `UPDATE stream_message SET payload = '{"kind":"event","eventId":9,"profileId":null,"type":"visit","occurredAt":0,"origin":"live"}' WHERE id = ?`,
      )
      .run(bad);
    clock.advance(120_000);
    await streams.pump();
    expect(seen).toHaveLength(3);
    expect(seen[1]).toBe(9);
    await backend.close();
  });

  it('a new subscriber starts at the newest message; saving a model version publishes predictions.updated', async () => {
    const backend = await testBackend({ dataDir: newDir() });
    const streams = runnerOf(backend);
    ingestEvents(backend.ctx, [ev({}), ev({})]);
    const updates: StreamMessage<'predictions.updated'>[] = [];
    streams.subscribe({
      stream: 'predictions.updated',
      name: 'test.scores',
      effect: 'database',
      handle: (messages) => {
        updates.push(...messages);
      },
    });
    const fresh: number[] = [];
    streams.subscribe({
      stream: 'events.raw',
      name: 'test.fresh',
      effect: 'database',
      handle: (messages) => {
        for (const m of messages) fresh.push(eventIdOf(m));
      },
    });
    const trained = { method: 'heuristic', metrics: {}, artifact: {}, trainingRows: 0, predictions: [] };
    const versionId = saveVersion(backend.db, 1, trained as unknown as Trained, 5, 0);
    const [later] = ingestEvents(backend.ctx, [ev({})]);
    await streams.pump();
    expect(updates.map((m) => m.payload)).toEqual([{ brandId: 1, versionId, change: 'saved' }]);
    expect(fresh).toEqual([later?.eventId]);
    await backend.close();
  });
});
