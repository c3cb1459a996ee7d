/** Test helpers: a backend on a temp folder or in memory, with a fixed clock and a quiet log. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Backend, type BackendOptions, createBackend } from '../../main/core/backend';
import { fixedClock, silentLogger } from '../../main/core/clock';

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
