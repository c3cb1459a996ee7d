/**
 * Reads and maps a file being imported, in a thread of its own beside the
 * import's commits (see `mapInThread` in core/import/worker/reader-thread.ts): parsing,
 * recognising values and building events are a third of an import's work, and
 * here they run on the other core. Sends each chunk of events when the
 * importing thread asks for more, so it never runs far ahead.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { mapFile } from './core/import/file/map-file';
import type { ReaderData, ReaderMessage } from './core/import/worker/reader-thread';

const data = workerData as ReaderData;
const port = parentPort;
if (!port) throw new Error('import-reader runs only as a worker thread');
const send = (message: ReaderMessage) => port.postMessage(message);

let credit = 0;
let wake: (() => void) | undefined;
port.on('message', (message: { type: string; count: number }) => {
  if (message.type !== 'more') return;
  credit += message.count;
  wake?.();
});

try {
  for await (const chunk of mapFile(data.path, data.settings, data.now, data.chunkRows)) {
    while (credit === 0) {
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
    credit -= 1;
    send({ type: 'chunk', chunk });
  }
  send({ type: 'end' });
} catch (error) {
  send({ type: 'error', message: (error as Error).message });
} finally {
  port.close();
}
