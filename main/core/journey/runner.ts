/**
 * Who runs a full recompute: one at a time per data file in this process (a request while one runs waits for it,
 * then runs), started now (the command, the CLI, the nightly job) or soon (after new scores; 30 s after the last
 * chunk of an import, which commits a chunk every few ms).
 */
import { defineService, type EngineContext } from '../context';
import { recomputeAll } from './recompute';

/** After the last imported chunk, wait this long before recomputing (an import commits a chunk every few ms). */
export const AFTER_IMPORT_MS = 30_000;

/** One recompute at a time per data file in this process; a request while one runs waits for it and runs after. */
export const runnerOf = defineService((ctx: EngineContext) => {
  let running: ReturnType<typeof recomputeAll> | null = null;
  let timer: NodeJS.Timeout | undefined;
  const run = async (): ReturnType<typeof recomputeAll> => {
    // A recompute asked for now covers one that was to start soon: it is not done a second time after it.
    if (timer) clearTimeout(timer);
    timer = undefined;
    while (running) await running.catch(() => undefined);
    running = recomputeAll(ctx);
    try {
      return await running;
    } finally {
      running = null;
    }
  };
  const soon = (ms: number) => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      if (!ctx.db.sqlite.open) return;
      run().catch((error: unknown) => ctx.logger.error('Journeys could not be recomputed', error));
    }, ms);
    timer.unref?.();
  };
  return {
    run,
    soon,
    stop: () => {
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
});

/** Every customer's journey now (the command, the CLI, the nightly job); waits for one already running. */
export function recomputeJourneys(ctx: EngineContext): ReturnType<typeof recomputeAll> {
  return runnerOf(ctx).run();
}
