/**
 * Binds the contract to handlers. Each domain file exports a handler table;
 * `buildRegistry` combines them, refusing a command handled twice or not at
 * all, so a gap is found at start, not when a shop owner clicks. `dispatch`
 * is what every transport calls: it validates input and output against the
 * contract and turns every failure into the one wire error shape.
 */
import type { z } from 'zod';
import type { CommandTable } from '../../../shared/contract/define';
import { AppError, type WireError, type WireResponse } from '../../../shared/contract/errors';
import {
  type CommandName,
  type CommandOutput,
  type Contract,
  contract,
  type ParsedInput,
} from '../../../shared/contract/index';
import { validationError } from '../../../shared/contract/validation';
import type { Logger } from '../clock';
import type { EngineContext } from '../context';
import { storageHealthOf } from '../db/storage-health';

/** What every handler can reach: the engine context, and facts about the running backend. */
export interface HandlerContext extends EngineContext {
  readonly runtime: RuntimeInfo;
}

export interface RuntimeInfo {
  dataDir: string;
  databaseFile: string;
  startedAt: Date;
  uiUrl: string | null;
  ingest: { url: string | null; host: string; port: number | null; requestedPort: number };
  warnings: string[];
}

export type Handler<N extends CommandName> = (
  input: ParsedInput<N>,
  ctx: HandlerContext,
) => CommandOutput<N> | Promise<CommandOutput<N>>;

export type HandlerTable = { [N in CommandName]?: Handler<N> };

type AnyHandler = (input: unknown, ctx: HandlerContext) => unknown;

export interface Registry {
  dispatch(name: string, input: unknown, ctx: HandlerContext): Promise<WireResponse>;
}

export function buildRegistry(domains: readonly HandlerTable[], table: CommandTable = contract): Registry {
  const handlers = new Map<string, AnyHandler>();
  for (const domain of domains) {
    for (const [name, handler] of Object.entries(domain)) {
      if (!Object.hasOwn(table, name))
        throw new Error(`A handler is registered for "${name}", which the contract does not declare`);
      if (handlers.has(name)) throw new Error(`Command "${name}" has two handlers`);
      handlers.set(name, handler as AnyHandler);
    }
  }
  const missing = Object.keys(table).filter((name) => !handlers.has(name));
  if (missing.length > 0) throw new Error(`No handler for: ${missing.join(', ')}`);

  return {
    async dispatch(name, input, ctx) {
      try {
        const def = Object.hasOwn(table, name) ? table[name] : undefined;
        const handler = handlers.get(name);
        if (!def || !handler) throw new AppError('not_found', `There is no command called "${name}".`);
        const parsed = def.input.safeParse(input ?? {});
        if (!parsed.success) throw validationError(parsed.error as z.ZodError);
        const result = await handler(parsed.data, ctx);
        const checked = def.output.safeParse(result);
        if (!checked.success) {
          ctx.logger.error(`Handler for ${name} returned a value the contract does not allow`, checked.error);
          throw new AppError('internal', 'ConstIntel produced an answer it could not check. Details are in the log.');
        }
        return { ok: true, result: checked.data };
      } catch (error) {
        // The data file cannot be written (disk full, read-only, failing): the reason in words, not "internal".
        const problem = error instanceof AppError ? undefined : storageHealthOf(ctx).failed(error);
        if (problem) return { ok: false, error: { kind: 'unavailable', message: problem.message } };
        return { ok: false, error: toWireError(error, name, ctx.logger) };
      }
    },
  };
}

export function toWireError(error: unknown, name: string, logger: Logger): WireError {
  if (error instanceof AppError) return error.toWire();
  logger.error(`Command ${name} failed`, error);
  return { kind: 'internal', message: 'Something went wrong inside ConstIntel. Details are in the log.' };
}

/** Typed helper so a domain file gets its handlers checked against the contract. */
export function handlers<const T extends HandlerTable>(table: T): T {
  return table;
}

export type { Contract };
