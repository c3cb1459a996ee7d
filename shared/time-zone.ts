/**
 * The shop's time zone: an IANA name (Europe/London, America/New_York, UTC).
 * Scheduled work ("every night at 03:00") runs by this clock; it starts as the
 * PC's own. Checked with Intl, which the cron library also uses, so a name
 * accepted here is one the scheduler can compute due times in. UTC offsets
 * ("+01:00") are refused: they do not follow summer time.
 */

const IANA_SHAPE = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/;

/**
 * Names already looked up: building an Intl.DateTimeFormat costs about a tenth of a millisecond, and the settings
 * (which check the shop's zone) are read several times per message an automation writes. Bounded: names come from
 * the shop's settings and the PC, a handful at most, but a hostile value must not grow it without end.
 */
const known = new Map<string, string | undefined>();
const KNOWN_MAX = 256;

/** The name in the spelling Intl uses ("europe/london" → "Europe/London"), or undefined when there is no such zone. */
export function canonicalTimeZone(name: string): string | undefined {
  const trimmed = name.trim();
  if (trimmed.length > 64 || !IANA_SHAPE.test(trimmed)) return undefined;
  if (known.has(trimmed)) return known.get(trimmed);
  let canonical: string | undefined;
  try {
    canonical = new Intl.DateTimeFormat('en-US', { timeZone: trimmed }).resolvedOptions().timeZone;
  } catch {
    canonical = undefined;
  }
  if (known.size >= KNOWN_MAX) known.clear();
  known.set(trimmed, canonical);
  return canonical;
}

/** The PC's zone as last read, and when: looked at again after a minute, so a change of the PC's zone is seen. */
let pcZone: { zone: string; at: number } | undefined;

/** The PC's own time zone (the default for the shop's), else UTC. */
export function pcTimeZone(): string {
  const now = Date.now();
  if (pcZone && now - pcZone.at < 60_000) return pcZone.zone;
  let zone: string;
  try {
    zone = canonicalTimeZone(Intl.DateTimeFormat().resolvedOptions().timeZone ?? '') ?? 'UTC';
  } catch {
    zone = 'UTC';
  }
  pcZone = { zone, at: now };
  return zone;
}
