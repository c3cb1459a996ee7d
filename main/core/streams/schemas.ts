/**
 * What each durable stream carries: one zod schema per stream, the message
 * types engines see (`z.infer`), and the key each message is stored under.
 * This is the streams' contract with the engines that read them, so it lives
 * beside the runner and not in `shared/` (the renderer never reads a stream).
 *
 * Event streams carry either one event or a range of consecutive event ids
 * (an import chunk: one message per committed chunk instead of one per row;
 * a subscriber reads the range's events from `customer_raw_event`). Every
 * event message says where it came from: `live` (the event API, webhooks,
 * the checkout sweep) or `import` (a file), so an engine that must act on
 * live events only (a message sender) can tell years of history from today.
 *
 * Messages are checked against these schemas when read, not when published:
 * `publish` is typed by them at compile time, and parsing on the webhook path
 * was not worth paying for twice (see streams.ts).
 */
import { z } from 'zod';

export const ORIGINS = ['live', 'import'] as const;
export type Origin = (typeof ORIGINS)[number];

const id = z.number().int().positive();
const origin = z.enum(ORIGINS);

/** Consecutive event ids written in one transaction (a file's chunk); ids between them that were never stored are gaps. */
const eventRange = z.object({
  kind: z.literal('range'),
  firstEventId: id,
  lastEventId: id,
  origin,
});

export const streamSchemas = {
  'events.raw': z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('event'), eventId: id, type: z.string(), source: z.string(), origin }),
    eventRange,
  ]),
  'events.normalized': z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('event'),
      eventId: id,
      profileId: id.nullable(),
      type: z.string(),
      occurredAt: z.number(),
      origin,
    }),
    eventRange,
  ]),
  /** A merge that needs a person's decision was queued. */
  'profiles.merge_requests': z.object({ reviewId: id }),
  /** These customers' data changed; their scores may be stale. */
  'predictions.requests': z.object({ profileIds: z.array(id), reason: z.string() }),
  /** A model version was saved (a retrain) or made active again (a rollback): every customer's scores changed. */
  'predictions.updated': z.object({
    brandId: id,
    versionId: id,
    change: z.enum(['saved', 'activated']),
  }),
  /** A customer's journey stage changed because of a live event (never for a recompute or imported history). */
  'journey.stage_changed': z.object({
    profileId: id,
    from: z.string().nullable(),
    to: z.string(),
    at: z.number(),
    transitionId: id,
    eventId: id.nullable(),
  }),
} as const;

export type StreamName = keyof typeof streamSchemas;
export const STREAMS = Object.keys(streamSchemas) as StreamName[];

/** The message a stream carries, as published and as a subscriber receives it. */
export type StreamPayload<S extends StreamName> = z.infer<(typeof streamSchemas)[S]>;

/** What a message is about (an event, a range, a review, a version), for ordering and lookup. */
export function messageKey<S extends StreamName>(stream: S, message: StreamPayload<S>): string | null {
  const m = message as Record<string, unknown>;
  switch (stream) {
    case 'events.raw':
    case 'events.normalized':
      return m.kind === 'range' ? `${m.firstEventId}-${m.lastEventId}` : String(m.eventId);
    case 'profiles.merge_requests':
      return String(m.reviewId);
    case 'predictions.requests': {
      const ids = m.profileIds as number[];
      return ids.length === 1 ? String(ids[0]) : null;
    }
    case 'predictions.updated':
      return String(m.versionId);
    default:
      return null;
  }
}
