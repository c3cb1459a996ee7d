/** The injected clock of `constintel serve`: CONSTINTEL_CLOCK_START starts it at an instant, then it runs in real time. */
import { describe, expect, it } from 'vitest';
import { CLOCK_START_ENV, clockFromEnvironment, systemClock } from '../../../main/core/clock';

describe('clockFromEnvironment', () => {
  it('is the system clock, without a warning, when the variable is absent or empty', () => {
    expect(clockFromEnvironment({})).toEqual({ clock: systemClock });
    expect(clockFromEnvironment({ [CLOCK_START_ENV]: '  ' })).toEqual({ clock: systemClock });
  });

  it('starts at the given instant and advances in real time, with a warning that says so', async () => {
    const { clock, warning } = clockFromEnvironment({ [CLOCK_START_ENV]: '2026-03-02T10:00:00+01:00' });
    const first = clock.now().getTime();
    expect(first - Date.parse('2026-03-02T09:00:00Z')).toBeGreaterThanOrEqual(0);
    expect(first - Date.parse('2026-03-02T09:00:00Z')).toBeLessThan(1_000);
    await new Promise((resolve) => setTimeout(resolve, 60));
    const later = clock.now().getTime() - first;
    expect(later).toBeGreaterThanOrEqual(50);
    expect(later).toBeLessThan(1_000);
    expect(warning).toBe(
      `the clock is set by ${CLOCK_START_ENV}: it started at 2026-03-02T09:00:00.000Z and is not this PC's time. Unset it for real use.`,
    );
  });

  it.each([
    ['not a date', 'tomorrow'],
    ['a date without a zone', '2026-03-02T10:00:00'],
    ['a date without a time', '2026-03-02'],
    ['an impossible date', '2026-02-31T10:00:00Z'],
  ])('refuses %s with the reason', (_what, value) => {
    expect(() => clockFromEnvironment({ [CLOCK_START_ENV]: value })).toThrow(
      `${CLOCK_START_ENV} must be a date and time with its zone, such as 2026-03-02T10:00:00Z (it is "${value}").`,
    );
  });
});
