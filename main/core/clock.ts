/** Injected time and logging, so engines are deterministic under test. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export function fixedClock(iso: string): Clock & { set(iso: string): void; advance(ms: number): void } {
  let current = new Date(iso).getTime();
  return {
    now: () => new Date(current),
    set: (next) => {
      current = new Date(next).getTime();
    },
    advance: (ms) => {
      current += ms;
    },
  };
}

/**
 * A clock that reads `startMs` now and runs on in real time: another thread's clock as it was when it started this
 * thread (a worker cannot be handed the clock itself), so both agree, a fixed clock in tests included.
 */
export function clockFrom(startMs: number): Clock {
  const origin = performance.now();
  return { now: () => new Date(startMs + (performance.now() - origin)) };
}

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}

/** Writes to stderr so stdout stays free for what a command prints. */
export const consoleLogger: Logger = {
  info: (message) => console.error(`[constintel] ${message}`),
  warn: (message) => console.error(`[constintel] warning: ${message}`),
  error: (message, error) =>
    console.error(
      `[constintel] error: ${message}`,
      error instanceof Error ? (error.stack ?? error.message) : (error ?? ''),
    ),
};

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };
