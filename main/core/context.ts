/**
 * The EngineContext: the one narrow thing every engine, handler and listener
 * receives — the data file, the clock, the log, the data folder, the shop
 * (brand), the secret store, and a small in-process change bus. Everything
 * else an engine needs it reads through another domain's exported functions
 * (`settings/`, `customers/`, `ml/signals.ts`) or a stream, never through a
 * hub.
 *
 * Services (`defineService`) are the per-context state a domain keeps — a
 * cache, a manager with worker threads, the webhook batcher. Each is created
 * on first use for a context and lives as long as it; a domain exports
 * functions that take the context, and its service stays private to it.
 */
import type { Clock, Logger } from './clock';
import type { Database } from './db/open';
import type { SecretStore } from './secrets/secret-store';

/** What changed, for caches (and the stream runner) in this process. */
export interface ChangeEvents {
  /** Profiles were written (an event, a delivery, an import chunk, a merge or undo, an erase); ids may be empty. */
  'profiles.changed': readonly number[];
  /** A model version was saved or activated: every customer's scores changed. */
  'predictions.changed': undefined;
  /** Settings were saved. */
  'settings.changed': undefined;
  /** Another connection (a command in a terminal, a worker thread) committed to the data file: nothing cached holds. */
  'data.changed': undefined;
}

export type ChangeName = keyof ChangeEvents;

export interface ChangeBus {
  emit<N extends ChangeName>(name: N, ...payload: ChangeEvents[N] extends undefined ? [] : [ChangeEvents[N]]): void;
  on<N extends ChangeName>(name: N, listener: (payload: ChangeEvents[N]) => void): () => void;
}

export interface EngineContext {
  readonly db: Database;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The data folder (exports, uploads, secrets beside the data file). */
  readonly dataDir: string;
  /** The shop this install serves (the default brand). */
  readonly brandId: number;
  readonly secrets: SecretStore;
  readonly bus: ChangeBus;
}

/** A synchronous bus: listeners run in the emitter's turn, after its transaction committed. */
export function createChangeBus(logger: Logger): ChangeBus {
  const listeners = new Map<ChangeName, Set<(payload: never) => void>>();
  return {
    emit(name, ...payload) {
      for (const listener of listeners.get(name) ?? []) {
        try {
          (listener as (p: unknown) => void)(payload[0]);
        } catch (error) {
          // A cache that fails to drop an entry must not undo or fail the write that already committed.
          logger.error(`A listener on ${name} failed`, error);
        }
      }
    },
    on(name, listener) {
      let set = listeners.get(name);
      if (!set) {
        set = new Set();
        listeners.set(name, set);
      }
      set.add(listener as (payload: never) => void);
      return () => set.delete(listener as (payload: never) => void);
    },
  };
}

/**
 * A per-context singleton, created on first use. `serviceOf(ctx)` always answers the same instance for the same
 * context; a second backend in the same process (tests, the CLI beside nothing) gets its own.
 */
export function defineService<T>(create: (ctx: EngineContext) => T): (ctx: EngineContext) => T {
  const instances = new WeakMap<EngineContext, T>();
  return (ctx) => {
    let instance = instances.get(ctx);
    if (instance === undefined) {
      instance = create(ctx);
      instances.set(ctx, instance);
    }
    return instance;
  };
}

/** A context for one data file: the backend builds one, and so does each CLI command that works on the file. */
export function createEngineContext(options: Omit<EngineContext, 'bus'>): EngineContext {
  return { ...options, bus: createChangeBus(options.logger) };
}
