/**
 * Issue 14, finding 5: the event API key lives in the secret store, not in the data file. An install whose key is
 * still in the `setting` table has it moved at start (the same key: scripts sending it keep working), after which
 * neither the table nor the data file holds it; `constintel api-key` prints it and `--rotate` replaces it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../../../main/core/backend';
import { openDatabase } from '../../../../main/core/db/open';
import { EVENT_API_KEY, moveApiKeyToSecrets } from '../../../../main/core/secrets/api-key';
import { FileSecretStore, MemorySecretStore, SECRETS_FILE } from '../../../../main/core/secrets/secret-store';
import { tempDirs, testBackend } from '../../../support/backend';
import { builtScript } from '../../../support/spawn';

const newDir = tempDirs();
const OLD_KEY = 'ci_keptByAnEarlierVersion0123456789abcdef';

/** A data file as an earlier ConstIntel left it: the key in the `setting` table. */
function earlierInstall(dataDir: string, key = OLD_KEY): void {
  const db = openDatabase(join(dataDir, 'constintel.db'));
  db.sqlite.prepare("INSERT INTO setting (key, value, updated_at) VALUES ('api.key', ?, 0)").run(JSON.stringify(key));
  db.close();
}

function settingRows(dataDir: string): { key: string; value: string }[] {
  const db = openDatabase(join(dataDir, 'constintel.db'));
  try {
    return db.sqlite.prepare('SELECT key, value FROM setting').all() as { key: string; value: string }[];
  } finally {
    db.close();
  }
}

const dataFileHolds = (dataDir: string, text: string) =>
  ['constintel.db', 'constintel.db-wal'].some((name) => {
    try {
      return readFileSync(join(dataDir, name)).includes(text);
    } catch {
      return false;
    }
  });

async function postEvent(backend: Backend, key: string): Promise<number> {
  const response = await fetch(`${backend.runtime.ingest.url}/api/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: JSON.stringify({
      type: 'visit',
      occurredAt: '2026-02-01T10:00:00Z',
      source: 'api',
      externalId: `e-${key.slice(-6)}`,
      identifiers: { email: 'ann@example.com' },
    }),
  });
  await response.arrayBuffer();
  return response.status;
}

const cli = (args: string[]) => spawnSync(process.execPath, [builtScript('cli'), ...args], { encoding: 'utf8' });

describe('the event API key', () => {
  it('is made in the secret store on a fresh start, never in the setting table', async () => {
    const dataDir = newDir();
    const backend = await testBackend({ dataDir, listen: true, uiPort: 0, ingestPort: 0 });
    const { apiKey } = await backend.call('settings.apiKey', {});
    try {
      expect(apiKey).toMatch(/^ci_[\w-]{30,}$/);
      expect(new FileSecretStore(dataDir).get(EVENT_API_KEY)).toBe(apiKey);
      expect(await postEvent(backend, apiKey)).toBe(202);
      const rotated = (await backend.call('settings.rotateApiKey', {})).apiKey;
      expect(await postEvent(backend, apiKey)).toBe(401);
      expect(await postEvent(backend, rotated)).toBe(202);
    } finally {
      await backend.close();
    }
    expect(settingRows(dataDir).filter((r) => r.key === 'api.key')).toEqual([]);
    expect(dataFileHolds(dataDir, apiKey)).toBe(false);
  });

  it('is moved out of the setting table of an earlier install at start, and the event API keeps accepting it', async () => {
    const dataDir = newDir();
    earlierInstall(dataDir);
    expect(dataFileHolds(dataDir, OLD_KEY)).toBe(true);

    const backend = await testBackend({ dataDir, listen: true, uiPort: 0, ingestPort: 0 });
    try {
      expect((await backend.call('settings.apiKey', {})).apiKey).toBe(OLD_KEY);
      expect(await postEvent(backend, OLD_KEY)).toBe(202);
    } finally {
      await backend.close();
    }
    expect(settingRows(dataDir).map((r) => r.key)).not.toContain('api.key');
    expect(JSON.stringify(settingRows(dataDir))).not.toContain(OLD_KEY);
    // Not left behind in the file's free space either.
    expect(dataFileHolds(dataDir, OLD_KEY)).toBe(false);
    expect(readFileSync(join(dataDir, SECRETS_FILE), 'utf8')).toContain(OLD_KEY);

    // The next start finds it where it was put.
    const again = await testBackend({ dataDir });
    expect((await again.call('settings.apiKey', {})).apiKey).toBe(OLD_KEY);
    await again.close();
  });

  it('moving is a step of its own: a key an earlier version wrote after the move wins, and running it twice is harmless', () => {
    const dataDir = newDir();
    earlierInstall(dataDir, 'ci_writtenByADowngradedVersion000000000');
    const db = openDatabase(join(dataDir, 'constintel.db'));
    const secrets = new MemorySecretStore();
    secrets.set(EVENT_API_KEY, 'ci_movedEarlier');
    try {
      expect(moveApiKeyToSecrets(db, secrets)).toBe(true);
      expect(secrets.get(EVENT_API_KEY)).toBe('ci_writtenByADowngradedVersion000000000');
      expect(moveApiKeyToSecrets(db, secrets)).toBe(false);
      expect(secrets.get(EVENT_API_KEY)).toBe('ci_writtenByADowngradedVersion000000000');
      expect(db.sqlite.prepare("SELECT count(*) AS n FROM setting WHERE key = 'api.key'").get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });
});

describe('constintel api-key', () => {
  it('prints the key of an earlier install (moving it), and --rotate replaces it', async () => {
    const dataDir = newDir();
    earlierInstall(dataDir);
    const printed = cli(['api-key', '--data-dir', dataDir]);
    expect(printed.status).toBe(0);
    expect(printed.stdout.trim()).toBe(OLD_KEY);
    expect(settingRows(dataDir).map((r) => r.key)).not.toContain('api.key');

    const rotated = cli(['api-key', '--data-dir', dataDir, '--rotate']);
    expect(rotated.status).toBe(0);
    const fresh = rotated.stdout.trim();
    expect(fresh).toMatch(/^ci_[\w-]{30,}$/);
    expect(fresh).not.toBe(OLD_KEY);
    expect(cli(['api-key', '--data-dir', dataDir]).stdout.trim()).toBe(fresh);

    const backend = await testBackend({ dataDir, listen: true, uiPort: 0, ingestPort: 0 });
    try {
      expect(await postEvent(backend, fresh)).toBe(202);
      expect(await postEvent(backend, OLD_KEY)).toBe(401);
    } finally {
      await backend.close();
    }
  });

  it('does not replace a key the desktop app locked with the keychain: it says where to see it', () => {
    const dataDir = newDir();
    const locked = { [EVENT_API_KEY]: { scheme: 'safeStorage', value: 'ZW5jcnlwdGVkIGJ5IHRoZSBrZXljaGFpbg==' } };
    writeFileSync(join(dataDir, SECRETS_FILE), `${JSON.stringify(locked)}\n`, { mode: 0o600 });
    const run = cli(['api-key', '--data-dir', dataDir]);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/Settings → Event API/);
    expect(JSON.parse(readFileSync(join(dataDir, SECRETS_FILE), 'utf8'))).toEqual(locked);
  });
});
