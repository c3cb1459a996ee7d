/**
 * Issue 14, finding 5: the data folder is the shop's customers, so on POSIX it is the user's alone (folder 0700,
 * files 0600), on a fresh start and on an install an earlier version left readable by everyone. Another account on
 * the PC is played by `nobody` in a child process (CI runs as root, which reads anything); it can reach the temp
 * folder above the data folder, so what stops it is the data folder's own mode.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import Sqlite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { Logger } from '../../../../main/core/clock';
import { importsOf } from '../../../../main/core/import/import-service';
import { SECRETS_FILE } from '../../../../main/core/secrets/secret-store';
import { ingestOne, tempDirs, testBackend } from '../../../support/backend';
import { purchase } from '../../../support/events';

const newDir = tempDirs();
const posix = process.platform !== 'win32';
/** Only root can become another user; elsewhere the modes are checked and the read as another user is not. */
const canSwitchUser = posix && process.getuid?.() === 0 && existsSync('/usr/bin/setpriv');

const modeOf = (path: string) => (statSync(path).mode & 0o777).toString(8);

/** Reads `path` as the `nobody` account: the exit status and what it said. */
function readAsNobody(path: string): { status: number | null; stderr: string } {
  const run = spawnSync(
    'setpriv',
    [
      '--reuid=nobody',
      '--regid=nogroup',
      '--clear-groups',
      process.execPath,
      '-e',
      'process.stdout.write(String(require("node:fs").readFileSync(process.argv[1]).length))',
      path,
    ],
    { encoding: 'utf8' },
  );
  return { status: run.status, stderr: run.stderr };
}

/** A temp parent folder any account may walk through, holding the data folder `data`. */
function openParent(): { parent: string; data: string } {
  const parent = newDir();
  chmodSync(parent, 0o755);
  return { parent, data: join(parent, 'data') };
}

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(m),
    warn: (m) => lines.push(`warning: ${m}`),
    error: (m) => lines.push(`error: ${m}`),
  };
}

describe.skipIf(!posix)('private files (POSIX)', () => {
  it('a fresh start makes the data folder 0700 and the data file, its -wal and -shm, and secrets 0600', async () => {
    const { parent, data } = openParent();
    const logger = recordingLogger();
    const backend = await testBackend({ dataDir: data, logger });
    try {
      ingestOne(backend, purchase({ email: 'ann@example.com' }, 12));
      await backend.call('settings.apiKey', {});
      await importsOf(backend.ctx).addUpload(Readable.from(['email,total\nann@example.com,3\n']), 'sales.csv');
      const db = join(data, 'constintel.db');
      if (canSwitchUser) {
        // The harness itself: `nobody` reads a world-readable file beside the data folder.
        writeFileSync(join(parent, 'public.txt'), 'hello', { mode: 0o644 });
        chmodSync(join(parent, 'public.txt'), 0o644);
        expect(readAsNobody(join(parent, 'public.txt'))).toMatchObject({ status: 0 });
        for (const file of [db, `${db}-wal`, join(data, SECRETS_FILE)]) {
          const read = readAsNobody(file);
          expect(read.status).not.toBe(0);
          expect(read.stderr).toMatch(/EACCES/);
        }
      }
      expect(modeOf(data)).toBe('700');
      for (const file of [db, `${db}-wal`, `${db}-shm`, join(data, SECRETS_FILE)]) expect(modeOf(file)).toBe('600');
      expect(modeOf(join(data, 'imports'))).toBe('700');
      // Nothing was loose, so nothing is reported.
      expect(logger.lines.filter((l) => /private|tighten/i.test(l))).toEqual([]);
    } finally {
      await backend.close();
    }
  });

  it('tightens an install an earlier version left readable by everyone, and says so in one line', async () => {
    const { data } = openParent();
    mkdirSync(data, { mode: 0o755 });
    chmodSync(data, 0o755);
    const db = join(data, 'constintel.db');
    // An earlier ConstIntel's files, with a connection still open so the -wal and -shm are there too.
    const before = await testBackend({ dataDir: data });
    await before.close();
    const earlier = new Sqlite(db);
    earlier.pragma('journal_mode = WAL');
    earlier.exec('CREATE TABLE IF NOT EXISTS left_open (x); INSERT INTO left_open VALUES (1)');
    const loose = [
      db,
      `${db}-wal`,
      `${db}-shm`,
      join(data, SECRETS_FILE),
      join(data, 'imports', '7', 'rejected.csv'),
      join(data, 'exports', 'customer-data-1.json'),
    ];
    for (const file of loose) {
      mkdirSync(join(file, '..'), { recursive: true, mode: 0o755 });
      chmodSync(join(file, '..'), 0o755);
      if (!existsSync(file)) writeFileSync(file, file.endsWith('.json') ? '{}\n' : 'x\n');
      chmodSync(file, 0o644);
    }
    // A file of the owner's own that ConstIntel did not write is not its to change.
    writeFileSync(join(data, 'notes.txt'), 'mine');
    chmodSync(join(data, 'notes.txt'), 0o644);

    const logger = recordingLogger();
    const backend = await testBackend({ dataDir: data, logger });
    try {
      expect(modeOf(data)).toBe('700');
      for (const folder of ['imports', join('imports', '7'), 'exports']) {
        expect(modeOf(join(data, folder))).toBe('700');
      }
      for (const file of loose) expect([file, modeOf(file)]).toEqual([file, '600']);
      expect(modeOf(join(data, 'notes.txt'))).toBe('644');

      const said = logger.lines.filter((l) => /readable by other accounts/.test(l));
      expect(said).toHaveLength(1);
      expect(said[0]).toContain(data);
      expect(said[0]).toContain('constintel.db-wal');

      if (canSwitchUser) {
        expect(readAsNobody(db).status).not.toBe(0);
        expect(readAsNobody(join(data, 'notes.txt')).stderr).toMatch(/EACCES/);
      }
    } finally {
      await backend.close();
      earlier.close();
    }

    // Tight already: the next start has nothing to say.
    const quiet = recordingLogger();
    const again = await testBackend({ dataDir: data, logger: quiet });
    await again.close();
    expect(quiet.lines.filter((l) => /readable by other accounts/.test(l))).toEqual([]);
    expect(readFileSync(join(data, 'notes.txt'), 'utf8')).toBe('mine');
  });
});
