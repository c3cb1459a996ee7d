/**
 * A big import leaves copying the write-ahead log into the data file to a
 * thread of its own (the built import-checkpointer.js): the log still starts
 * again as the import goes, so it stays short; what the import stores is what
 * it stores checkpointing inline; and when that thread fails, the importing
 * connection checkpoints itself again.
 */
import { createHash } from 'node:crypto';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { clockFrom } from '../../../main/core/clock';
import { openDatabase, WAL_CHECKPOINT_PAGES } from '../../../main/core/db/open';
import { inspectFile } from '../../../main/core/import/file/read-file';
import { CHECKPOINT_SCRIPT } from '../../../main/core/import/worker/checkpoint-thread';
import { IMPORT_CHECKPOINT_PAGES, runImport } from '../../../main/core/import/worker/import-job';
import { READER_SCRIPT } from '../../../main/core/import/worker/reader-thread';
import { tempDir } from '../../support/backend';

const ROWS = 24_000;
const dir = tempDir();
afterAll(() => dir.remove());

const file = join(dir.path, 'sales.csv');
const lines = ['Receipt,Date,Customer,Email,Phone,Amount'];
for (let i = 1; i <= ROWS; i++) {
  const c = 1 + ((i * 7919) % 1200);
  const phone = c % 3 === 0 ? `07700 9${String(c).padStart(5, '0')}` : '';
  const email = c % 3 === 0 ? '' : `customer${c}@example.com`;
  lines.push(
    `R${i},2025-0${1 + (i % 9)}-1${i % 10} 10:00:00,Customer ${c},${email},${phone},${(3 + (i % 97)).toFixed(2)}`,
  );
}
writeFileSync(file, `${lines.join('\n')}\n`);
const now = Date.parse('2026-01-01T00:00:00Z');

/**
 * Imports the file into a new data file; `watch` is called after each committed chunk with the importing
 * connection's automatic checkpoint setting. Returns a digest of what was stored and the log's size at the end.
 */
async function importInto(name: string, checkpointScript: string | undefined, watch: (autocheckpoint: number) => void) {
  const dbFile = join(dir.path, `${name}.db`);
  const db = openDatabase(dbFile);
  try {
    db.sqlite
      .prepare(
        "INSERT INTO brand (id, name, default_country, currency, created_at, updated_at) VALUES (1, 'b', 'GB', 'GBP', 0, 0)",
      )
      .run();
    const summary = await runImport({
      db,
      path: file,
      settings: inspectFile(file, { defaultCountry: 'GB' }, 'GB'),
      ctx: { brandId: 1, now, normalize: { defaultCountry: 'GB', shopNumbers: new Set() } },
      clock: clockFrom(now),
      dataDir: dir.path,
      chunkRows: 500,
      // Read in its own thread, as in the app: the chunks come one after the other with no pause between them.
      readerScript: READER_SCRIPT,
      ...(checkpointScript ? { checkpointScript, checkpointEveryRows: 2_000 } : {}),
      onCommitted: () => watch(db.sqlite.pragma('wal_autocheckpoint', { simple: true }) as number),
    });
    expect(summary.status).toBe('completed');
    expect(summary.eventsCreated).toBe(ROWS);
    const hash = createHash('sha256');
    for (const table of ['customer_raw_event', 'customer_profile', 'profile_identifier'])
      for (const row of db.sqlite.prepare(`SELECT * FROM ${table} ORDER BY id`).all() as Record<string, unknown>[]) {
        // When the totals were settled into the profiles: the clock runs on.
        delete row.updated_at;
        hash.update(JSON.stringify(row));
      }
    return {
      digest: hash.digest('hex'),
      walBytes: statSync(`${dbFile}-wal`).size,
      autocheckpoint: db.sqlite.pragma('wal_autocheckpoint', { simple: true }) as number,
    };
  } finally {
    db.close();
  }
}

describe('checkpoints in a thread of their own during an import', () => {
  it('keep the log short and store exactly what an import checkpointing inline stores', async () => {
    const inline = await importInto('inline', undefined, (setting) => expect(setting).toBe(IMPORT_CHECKPOINT_PAGES));
    const settings = new Set<number>();
    const threaded = await importInto('threaded', CHECKPOINT_SCRIPT, (setting) => settings.add(setting));
    // The importing connection never checkpointed itself automatically while its thread did it.
    expect([...settings]).toEqual([0]);
    expect(threaded.digest).toBe(inline.digest);
    // Without the log starting again (no checkpoint, or one that never lets it restart), the log would hold all the
    // import's pages: inline, it holds up to IMPORT_CHECKPOINT_PAGES; here, about 2,000 rows' worth.
    expect(threaded.walBytes).toBeLessThan(inline.walBytes / 3);
    // The app's own setting is back once the import is over.
    expect(threaded.autocheckpoint).toBe(WAL_CHECKPOINT_PAGES);
  }, 60_000);

  it('go back to the importing connection when the thread fails', async () => {
    const broken = join(dir.path, 'broken-checkpointer.mjs');
    writeFileSync(broken, "throw new Error('the checkpoint thread cannot start');\n");
    const settings: number[] = [];
    const result = await importInto('fallback', broken, (setting) => settings.push(setting));
    // Off at first (the thread has it), then the import's own setting once the thread has failed.
    expect(settings.at(-1)).toBe(IMPORT_CHECKPOINT_PAGES);
    expect(new Set(settings).size).toBeLessThanOrEqual(2);
    expect(result.autocheckpoint).toBe(WAL_CHECKPOINT_PAGES);
  }, 60_000);
});
