/**
 * The typed client the renderer (and tests) use. A transport moves a command
 * name and its input to the backend and brings back the wire envelope; the
 * client turns an error envelope into an AppError with the same kind/message.
 */

import { AppError, isWireError, type WireResponse } from './errors';
import type { CommandInput, CommandName, CommandOutput } from './index';

export type Transport = (name: CommandName, input: unknown) => Promise<WireResponse>;

export interface Client {
  call<N extends CommandName>(name: N, input: CommandInput<N>): Promise<CommandOutput<N>>;
}

export function createClient(transport: Transport): Client {
  return {
    async call(name, input) {
      const response = await transport(name, input);
      if (response.ok) return response.result as never;
      const error = isWireError(response.error)
        ? response.error
        : { kind: 'internal' as const, message: 'ConstIntel sent an answer it could not read.' };
      throw AppError.fromWire(error);
    },
  };
}
