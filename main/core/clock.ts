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

/** The environment variable that starts `constintel serve`'s clock at a chosen instant (tests, demonstrations). */
export const CLOCK_START_ENV = 'CONSTINTEL_CLOCK_START';

/**
 * The clock a shell runs on: the system clock, or — when `CONSTINTEL_CLOCK_START` holds an ISO date and time — a
 * clock that starts at that instant and runs on in real time, so a browser test sends at 10:00 whatever the hour
 * (quiet hours would otherwise hold its messages at night). `warning` says so, to be printed; a value that is not a
 * date with a time zone is refused with the reason rather than silently ignored.
 */
export function clockFromEnvironment(env: Readonly<Record<string, string | undefined>>): {
  clock: Clock;
  warning?: string;
} {
  const given = env[CLOCK_START_ENV]?.trim();
  if (!given) return { clock: systemClock };
  // A date without a zone would be read in this PC's zone: ask for one, so the instant is the same everywhere.
  const parts = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.exec(given);
  const start = parts ? Date.parse(given) : Number.NaN;
  // Date.parse takes 31 February as 3 March: the day written must exist.
  const day = parts ? new Date(Date.UTC(Number(parts[1]), Number(parts[2]) - 1, Number(parts[3]))) : undefined;
  if (Number.isNaN(start) || day?.getUTCDate() !== Number(parts?.[3])) {
    throw new Error(
      `${CLOCK_START_ENV} must be a date and time with its zone, such as 2026-03-02T10:00:00Z (it is "${given}").`,
    );
  }
  return {
    clock: clockFrom(start),
    warning: `the clock is set by ${CLOCK_START_ENV}: it started at ${new Date(start).toISOString()} and is not this PC's time. Unset it for real use.`,
  };
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
