/**
 * How a command is declared: a `domain.verb` name, a zod schema for what the
 * caller sends and one for what it gets back. Declarations live in one file
 * per domain and are combined by `defineContract`, which refuses a name twice.
 */
import type { z } from 'zod';

export interface CommandDef<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  readonly input: I;
  readonly output: O;
  /** One line for people reading the contract. */
  readonly summary: string;
}

export type CommandTable = Record<string, CommandDef>;

export function command<I extends z.ZodType, O extends z.ZodType>(
  summary: string,
  input: I,
  output: O,
): CommandDef<I, O> {
  return { input, output, summary };
}

const COMMAND_NAME = /^[a-z][a-zA-Z]*\.[a-z][a-zA-Z]*$/;

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

export function defineContract<const T extends readonly CommandTable[]>(...domains: T): UnionToIntersection<T[number]> {
  const all: CommandTable = {};
  for (const domain of domains) {
    for (const [name, def] of Object.entries(domain)) {
      if (!COMMAND_NAME.test(name)) throw new Error(`Command name "${name}" must look like domain.verb`);
      if (Object.hasOwn(all, name)) throw new Error(`Command "${name}" is declared twice`);
      all[name] = def;
    }
  }
  return Object.freeze(all) as UnionToIntersection<T[number]>;
}
