/** What ingesting an event is given and what it answers, shared by the one-by-one and the batch paths. */

import type { NormalizeOptions } from '../identity/normalize';
import type { Origin } from '../streams/schemas';

export interface IngestContext {
  brandId: number;
  now: number;
  normalize: NormalizeOptions;
  /** Said on its stream messages: `live` (default: API, webhooks, sweeps) or `import` (a file). */
  origin?: Origin;
  /** Set by BatchIngest: the events and prediction requests are published once per chunk, as a range. */
  chunked?: boolean;
}

export interface IngestResult {
  eventId: number;
  profileId: number | null;
  duplicate: boolean;
  createdProfile: boolean;
  mergeId: number | null;
  reviewId: number | null;
  /** Identifier values refused, with why (unparseable phone, placeholder…). */
  unused: { type: string; value: string; reason: string }[];
  /** Profiles whose contents changed: caches drop them. */
  touched: number[];
}

export interface Usable {
  type: string;
  value: string;
  raw: string;
}
