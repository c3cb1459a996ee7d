/**
 * What the import tests share: a fresh UK backend per test in a temp folder removed after the file's tests, and
 * files written into that folder.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import type { Backend } from '../../main/core/backend';
import { tempDir, testBackend } from './backend';

export function importTestFolder(): {
  /** The folder itself. */
  path: string;
  withBackend(run: (b: Backend) => Promise<void>, options?: { listen?: boolean }): Promise<void>;
  file(name: string, content: string | Buffer): string;
} {
  const dir = tempDir();
  afterAll(() => dir.remove());
  let n = 0;
  return {
    path: dir.path,
    async withBackend(run, options = {}) {
      const backend = await testBackend({
        dataDir: join(dir.path, `data-${++n}`),
        ...(options.listen ? { listen: true, uiPort: 0, ingestPort: 0 } : {}),
      });
      try {
        await backend.call('settings.update', { defaultCountry: 'GB' });
        await run(backend);
      } finally {
        await backend.close();
      }
    },
    file(name, content) {
      const path = join(dir.path, name);
      writeFileSync(path, content);
      return path;
    },
  };
}
