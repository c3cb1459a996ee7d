/**
 * The reading thread (main/import-reader.ts): `mapFile` beside the commits, a few chunks ahead at most.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { appRoot } from '../../paths';
import type { MappedChunk } from '../file/map-file';
import type { ImportSettings } from '../file/read-file';

/** The built reading thread (see mapInThread). */
export const READER_SCRIPT = join(appRoot(), 'dist', 'main', 'import-reader.js');
/** What the reading thread (main/import-reader.ts) is given. */
export interface ReaderData {
  path: string;
  settings: ImportSettings;
  now: number;
  chunkRows: number;
}

export type ReaderMessage =
  | { type: 'chunk'; chunk: MappedChunk }
  | { type: 'end' }
  | { type: 'error'; message: string };

const READER_HEAP_MB = 64;
/** Its young generation (V8's default lets it grow to 48 MB): a chunk's rows die young, a small one collects them. */
const READER_YOUNG_MB = 12;
/** Chunks read ahead of the one being committed: enough to keep both threads busy, few enough to keep memory flat. */
const READ_AHEAD = 2;

/**
 * `mapFile` in a thread of its own, so reading and mapping the file (a third of an import's work) runs beside the
 * commits instead of before each one. The thread reads at most READ_AHEAD chunks ahead.
 */
export async function* mapInThread(script: string, data: ReaderData): AsyncGenerator<MappedChunk> {
  // What the reader keeps is small (a few chunks, the orders seen as flat arrays): a bounded heap keeps it so.
  const worker = new Worker(script, {
    workerData: data,
    resourceLimits: { maxOldGenerationSizeMb: READER_HEAP_MB, maxYoungGenerationSizeMb: READER_YOUNG_MB },
  });
  const inbox: ReaderMessage[] = [];
  let wake: (() => void) | undefined;
  const deliver = (message: ReaderMessage) => {
    inbox.push(message);
    wake?.();
  };
  worker.on('message', deliver);
  worker.on('error', (error) => deliver({ type: 'error', message: error.message }));
  worker.on('exit', () => deliver({ type: 'error', message: 'The file reader stopped unexpectedly.' }));
  try {
    worker.postMessage({ type: 'more', count: READ_AHEAD });
    for (;;) {
      const message = inbox.shift();
      if (!message) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
        continue;
      }
      if (message.type === 'end') return;
      if (message.type === 'error') throw new Error(message.message);
      worker.postMessage({ type: 'more', count: 1 });
      yield message.chunk;
    }
  } finally {
    worker.removeAllListeners();
    // A late error (the thread running out of memory as it stops) must not go unheard and end the process.
    worker.on('error', () => {});
    await worker.terminate();
  }
}
