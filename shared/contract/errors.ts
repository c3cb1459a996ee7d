/**
 * The one error shape that crosses every transport (IPC, HTTP, in-process).
 * `kind` tells the caller what sort of problem it is; `message` is written for
 * the shop owner; `field` names the input field at fault, when there is one.
 */
export const ERROR_KINDS = ['validation', 'not_found', 'conflict', 'auth', 'unavailable', 'internal'] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

export interface WireError {
  kind: ErrorKind;
  message: string;
  field?: string;
}

export class AppError extends Error {
  readonly kind: ErrorKind;
  readonly field: string | undefined;

  constructor(kind: ErrorKind, message: string, field?: string) {
    super(message);
    this.name = 'AppError';
    this.kind = kind;
    this.field = field;
  }

  toWire(): WireError {
    return this.field === undefined
      ? { kind: this.kind, message: this.message }
      : { kind: this.kind, message: this.message, field: this.field };
  }

  static fromWire(wire: WireError): AppError {
    return new AppError(wire.kind, wire.message, wire.field);
  }
}

export function isWireError(value: unknown): value is WireError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.message === 'string' && ERROR_KINDS.includes(v.kind as ErrorKind);
}

/** The envelope every transport carries: a result or an error, never both. */
export type WireResponse<T = unknown> = { ok: true; result: T } | { ok: false; error: WireError };

/** HTTP status for each kind, used by the loopback RPC transport. */
export const HTTP_STATUS: Record<ErrorKind, number> = {
  validation: 400,
  auth: 401,
  not_found: 404,
  conflict: 409,
  internal: 500,
  unavailable: 503,
};
