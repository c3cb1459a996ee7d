/**
 * The shop's time zone: an IANA name (Europe/London, America/New_York, UTC).
 * Scheduled work ("every night at 03:00") runs by this clock; it starts as the
 * PC's own. Checked with Intl, which the cron library also uses, so a name
 * accepted here is one the scheduler can compute due times in. UTC offsets
 * ("+01:00") are refused: they do not follow summer time.
 */

const IANA_SHAPE = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/;

/** The name in the spelling Intl uses ("europe/london" → "Europe/London"), or undefined when there is no such zone. */
export function canonicalTimeZone(name: string): string | undefined {
  const trimmed = name.trim();
  if (trimmed.length > 64 || !IANA_SHAPE.test(trimmed)) return undefined;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: trimmed }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** The PC's own time zone (the default for the shop's), else UTC. */
export function pcTimeZone(): string {
  try {
    return canonicalTimeZone(Intl.DateTimeFormat().resolvedOptions().timeZone ?? '') ?? 'UTC';
  } catch {
    return 'UTC';
  }
}
