/**
 * Engines: how a capability slots in. Each domain with commands, stream
 * subscribers or timed jobs exports one `defineEngine({...})`; `backend.ts`
 * lists them once and `composeEngines` checks, before anything starts, that
 * no command, subscriber or job name is used twice (a clash is found at
 * start, not when it first fires). Engines start in the listed order and stop
 * in the reverse one, so the scheduler (listed last) stops first and the
 * stream runner (listed first) last.
 */
import type { HandlerTable } from './api/registry';
import { buildRegistry, type Registry } from './api/registry';
import type { EngineContext } from './context';
import { type JobRunContext, type ScheduledJob, schedulerOf } from './jobs/scheduler';
import type { OutboxItem, OutboxPlanner } from './streams/outbox';
import {
  type DatabaseSubscriber,
  type OutsideSubscriber,
  type StreamMessage,
  type StreamName,
  type Subscriber,
  streamsOf,
} from './streams/streams';

/**
 * A stream subscriber (streams/streams.ts), given the context. `name` is `domain.verb`, unique across engines: the
 * offset and outbox rows are stored under it. `effect: 'database'` handles in its offset's transaction (exactly
 * once); `effect: 'outside'` plans outbox rows there and delivers them after (never twice).
 */
export type EngineSubscription = {
  [S in StreamName]:
    | (Omit<DatabaseSubscriber<S>, 'handle'> & { handle(messages: StreamMessage<S>[], ctx: EngineContext): void })
    | (Omit<OutsideSubscriber<S>, 'plan' | 'deliver'> & {
        plan(messages: StreamMessage<S>[], outbox: OutboxPlanner, ctx: EngineContext): void;
        deliver(item: OutboxItem, ctx: EngineContext): Promise<void>;
      });
}[StreamName];

function bound(sub: EngineSubscription, ctx: EngineContext): Subscriber {
  const s = sub as EngineSubscription & Record<string, unknown>;
  if (sub.effect === 'database') {
    const handle = sub.handle as (messages: StreamMessage[], ctx: EngineContext) => void;
    return { ...s, effect: 'database', handle: (messages) => handle(messages, ctx) } as DatabaseSubscriber;
  }
  const plan = sub.plan as (messages: StreamMessage[], outbox: OutboxPlanner, ctx: EngineContext) => void;
  const deliver = sub.deliver;
  return {
    ...s,
    effect: 'outside',
    plan: (messages, outbox) => plan(messages, outbox, ctx),
    deliver: (item) => deliver(item, ctx),
  } as OutsideSubscriber;
}

export interface EngineJob extends Omit<ScheduledJob, 'run' | 'enabled'> {
  run(ctx: EngineContext, run: JobRunContext): Promise<string | undefined> | string | undefined;
  enabled?(ctx: EngineContext): boolean;
}

export interface EngineDefinition {
  name: string;
  handlers?: HandlerTable;
  subscriptions?: readonly EngineSubscription[];
  jobs?: readonly EngineJob[];
  /** Before the listeners open: recover what a crash left (waiting deliveries, interrupted imports). */
  start?(ctx: EngineContext): void;
  /** On close, in reverse order: stop workers, finish what is waiting. */
  stop?(ctx: EngineContext): void;
}

export function defineEngine(definition: EngineDefinition): EngineDefinition {
  return definition;
}

export interface ComposedEngines {
  readonly registry: Registry;
  readonly names: readonly string[];
  /** Subscribes, registers the jobs and runs each engine's `start`, in order. */
  start(ctx: EngineContext): void;
  /** Starts the scheduler's clock (not in in-process tests, which tick it themselves). */
  startJobs(ctx: EngineContext): void;
  stop(ctx: EngineContext): void;
}

function refuseDuplicates(kind: string, names: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new Error(`Two engines declare the ${kind} "${name}"; each needs its own name.`);
    seen.add(name);
  }
}

export function composeEngines(engines: readonly EngineDefinition[]): ComposedEngines {
  refuseDuplicates(
    'engine',
    engines.map((e) => e.name),
  );
  refuseDuplicates(
    'stream subscriber',
    engines.flatMap((e) => (e.subscriptions ?? []).map((s) => s.name)),
  );
  refuseDuplicates(
    'scheduled job',
    engines.flatMap((e) => (e.jobs ?? []).map((j) => j.name)),
  );
  // buildRegistry refuses a command handled twice, or one the contract declares and no engine handles.
  const registry = buildRegistry(engines.flatMap((e) => (e.handlers ? [e.handlers] : [])));
  return {
    registry,
    names: engines.map((e) => e.name),
    start(ctx) {
      const scheduler = schedulerOf(ctx);
      const streams = streamsOf(ctx);
      for (const engine of engines) {
        for (const job of engine.jobs ?? []) {
          const { run, enabled, ...rest } = job;
          scheduler.register({
            ...rest,
            run: (runContext) => run(ctx, runContext),
            ...(enabled ? { enabled: () => enabled(ctx) } : {}),
          });
        }
        for (const sub of engine.subscriptions ?? []) streams.subscribe(bound(sub, ctx));
      }
      for (const engine of engines) engine.start?.(ctx);
    },
    startJobs(ctx) {
      schedulerOf(ctx).start();
    },
    stop(ctx) {
      for (const engine of [...engines].reverse()) {
        try {
          engine.stop?.(ctx);
        } catch (error) {
          ctx.logger.error(`Stopping the ${engine.name} engine failed`, error);
        }
      }
    },
  };
}
