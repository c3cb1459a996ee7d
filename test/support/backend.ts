/** Test helpers: a backend on a temp folder or in memory, with a fixed clock and a quiet log. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { type Backend, type BackendOptions, createBackend } from '../../main/core/backend';
import { fixedClock, silentLogger } from '../../main/core/clock';
import type { IngestResult } from '../../main/core/ingest/ingest-event';
import { ingestEvents } from '../../main/core/ingest/ingest-service';
import type { ParsedEvent } from '../../shared/events';

export const TEST_NOW = '2026-03-01T10:00:00.000Z';

export function tempDir(prefix = 'constintel-test-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export async function testBackend(options: Partial<BackendOptions> & { dataDir: string }): Promise<Backend> {
  return createBackend({
    clock: fixedClock(TEST_NOW),
    logger: silentLogger,
    listen: false,
    ...options,
  });
}

export async function inMemoryBackend(): Promise<Backend> {
  return testBackend({ dataDir: '/nonexistent-in-memory', databaseFile: ':memory:' });
}

/** An in-memory backend reading phone numbers as UK ones, for the identity tables of cases. */
export async function ukBackend(): Promise<Backend> {
  const backend = await inMemoryBackend();
  await backend.call('settings.update', { defaultCountry: 'GB' });
  return backend;
}

/** Ingests one event through the real path and answers its result. */
export function ingestOne(backend: Backend, event: ParsedEvent): IngestResult {
  const [result] = ingestEvents(backend.ctx, [event]);
  if (!result) throw new Error('ingest answered nothing');
  return result;
}

/** Temporary folders for one test file, removed after each test. */
export function tempDirs(): () => string {
  const made: { remove(): void }[] = [];
  afterEach(() => {
    for (const dir of made.splice(0)) dir.remove();
  });
  return () => {
    const dir = tempDir();
    made.push(dir);
    return dir.path;
  };
}
