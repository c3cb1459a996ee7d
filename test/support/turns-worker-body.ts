/**
 * A stand-in for an import's thread in write-turns.test.ts (loaded by turns-worker.mjs): holds the data file's write lock while it writes
 * `segments` groups of rows, and between groups lets a waiting write on the app's thread go first (write-turns.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import Sqlite from 'better-sqlite3';
import { turnWanted, yieldTurn } from '../../main/core/db/write-turns';

const { file, flags, segments } = workerData as { file: string; flags: Int32Array; segments: number };
const db = new Sqlite(file);
db.pragma('busy_timeout = 5000');
const insert = db.prepare('INSERT INTO turn_row (who, n) VALUES (?, ?)');
db.exec('BEGIN IMMEDIATE');
parentPort?.postMessage({ type: 'locked' });
let yielded = 0;
for (let segment = 0; segment < segments; segment++) {
  for (let i = 0; i < 50; i++) insert.run('import', segment * 50 + i);
  // Slow enough that the app's write arrives while the lock is held.
  const until = performance.now() + 5;
  while (performance.now() < until) {
    // busy
  }
  if (turnWanted(flags)) {
    db.exec('COMMIT');
    yieldTurn(flags);
    yielded += 1;
    db.exec('BEGIN IMMEDIATE');
  }
}
db.exec('COMMIT');
parentPort?.postMessage({ type: 'done', yielded });
db.close();
