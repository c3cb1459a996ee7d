/** This backend's import manager (uploads, previews, jobs in worker threads), built from the engine context. */
import { defineService, type EngineContext } from '../context';
import { AFTER_IMPORT_MS, runnerOf } from '../journey/runner';
import { normalizeOptionsFor } from '../settings/shop-settings';
import { ImportManager } from './import-manager';
import type { ImportHost } from './imports';

/** What an import needs from the backend: the context, how identifiers are read, and where to say what changed. */
export function importHost(ctx: EngineContext): ImportHost {
  return {
    db: ctx.db,
    clock: ctx.clock,
    logger: ctx.logger,
    brandId: ctx.brandId,
    dataDir: ctx.dataDir,
    normalizeOptionsFor: (brandId) => normalizeOptionsFor(ctx, brandId),
    changed: (touched) => ctx.bus.emit('profiles.changed', touched),
    undone: () => runnerOf(ctx).soon(AFTER_IMPORT_MS),
  };
}

export const importsOf = defineService((ctx) => new ImportManager(importHost(ctx)));
