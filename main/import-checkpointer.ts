/**
 * Copies the write-ahead log into the data file while a big file imports, in
 * a thread of its own (see core/import/worker/checkpoint-thread.ts): asked
 * for a checkpoint, it runs PASSIVE checkpoints until the log is all copied
 * (the importing connection then starts the log again at its next commit) or
 * a pass copies nothing more (a reader still needs the rest), and says so.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openCheckpointConnection } from './core/db/checkpoints';
import type { CheckpointData, CheckpointMessage } from './core/import/worker/checkpoint-thread';

const data = workerData as CheckpointData;
const port = parentPort;
if (!port) throw new Error('import-checkpointer runs only as a worker thread');
const send = (message: CheckpointMessage) => port.postMessage(message);
/** Passes per request at most: the import writes on meanwhile, each pass has less to copy. */
const MAX_PASSES = 4;

const connection = openCheckpointConnection(data.databaseFile);
let scheduled = false;
let stopped = false;

const run = () => {
  scheduled = false;
  if (stopped) return;
  try {
    let result = connection.passive();
    for (let pass = 1; pass < MAX_PASSES && result.checkpointed < result.log; pass++) {
      const next = connection.passive();
      const progressed = next.checkpointed !== result.checkpointed || next.log !== result.log;
      result = next;
      if (!progressed) break;
    }
    send({ type: 'checkpointed', ...result });
  } catch (error) {
    send({ type: 'error', message: (error as Error).message });
  }
};

port.on('message', (message: { type: string }) => {
  // Requests that come while one runs are one request: it runs again after.
  if (message.type === 'checkpoint' && !scheduled && !stopped) {
    scheduled = true;
    setImmediate(run);
  } else if (message.type === 'stop') {
    stopped = true;
    connection.close();
    port.close();
  }
});
