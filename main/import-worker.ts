/**
 * A file import in its own thread, so the app's windows and the webhook
 * listener keep answering while a large file goes in. It opens its own
 * connection to the same data file, runs the import job (chunks committed in
 * their own transactions, through the one ingestion path) and reports to the
 * main thread: the job's id, progress, the customers each chunk changed (so
 * the 360 cache drops them), and the summary. A `cancel` message stops it
 * after the chunk in hand.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { clockFrom } from './core/clock';
import { openDatabase } from './core/db/open';
import { CHECKPOINT_SCRIPT } from './core/import/worker/checkpoint-thread';
import { runImport } from './core/import/worker/import-job';
import { READER_SCRIPT } from './core/import/worker/reader-thread';
import type { ImportWorkerData, ImportWorkerMessage } from './core/import/worker/worker-protocol';

const data = workerData as ImportWorkerData;
const port = parentPort;
if (!port) throw new Error('import-worker runs only as a worker thread');
const send = (message: ImportWorkerMessage) => port.postMessage(message);
const controller = new AbortController();
const clock = clockFrom(data.now);
port.on('message', (message: { type: string }) => {
  if (message.type === 'cancel') controller.abort();
});

const db = openDatabase(data.databaseFile);
try {
  const summary = await runImport({
    db,
    path: data.path,
    fileName: data.fileName,
    settings: data.settings,
    ctx: {
      brandId: data.brandId,
      now: data.now,
      normalize: { defaultCountry: data.defaultCountry, shopNumbers: new Set(data.shopNumbers) },
    },
    clock,
    dataDir: data.dataDir,
    chunkRows: data.chunkRows,
    ...(data.turns ? { turns: data.turns } : {}),
    readerScript: READER_SCRIPT,
    checkpointScript: CHECKPOINT_SCRIPT,
    signal: controller.signal,
    onStarted: (jobId) => send({ type: 'started', jobId }),
    onProgress: (counts) => send({ type: 'progress', counts }),
    onCommitted: (touched) => {
      if (touched.length > 0) send({ type: 'committed', touched });
    },
  });
  send({ type: 'done', summary });
} catch (error) {
  send({ type: 'error', message: (error as Error).message });
} finally {
  db.close();
  // Nothing more to hear from the main thread: let the thread end.
  port.close();
}
