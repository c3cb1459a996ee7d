/**
 * How many sends a channel's lane keeps in flight: email `concurrency`, or a twentieth of a second's worth at its
 * rate when that is more (its SMTP pool has few connections; the rest wait in the pool); WhatsApp and SMS enough to
 * hold their messages-per-second at internet latency, never fewer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../../main/core/backend';
import { configureOutbox } from '../../../main/core/channels/outbox-worker';
import { inMemoryBackend } from '../../support/backend';

describe('sends in flight per channel', () => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await inMemoryBackend();
  });
  afterAll(() => backend?.close());

  it('keeps WhatsApp at 80 a second over a 400 ms round trip, email to its pool or a moment of its rate', () => {
    const worker = configureOutbox(backend.ctx, { concurrency: 8, networkLatencyMs: 400 });
    expect(worker.inFlightLimit('whatsapp', 80)).toBe(32);
    expect(worker.inFlightLimit('sms', 1)).toBe(8);
    expect(worker.inFlightLimit('email', 10)).toBe(8);
    expect(worker.inFlightLimit('email', 500)).toBe(25);
    configureOutbox(backend.ctx, { concurrency: 1, networkLatencyMs: 0 });
    expect(worker.inFlightLimit('whatsapp', 80)).toBe(1);
  });
});
