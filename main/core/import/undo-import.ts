/**
 * Undoing an import: everything it wrote goes, and the data file is as if the file had never been imported —
 * except where something else now depends on it.
 *
 * What the import wrote is known exactly: each chunk recorded the id ranges its transaction wrote per table
 * (import_chunk; the transaction held SQLite's only write lock, so every id in a range is the import's). A removal
 * then goes in steps, each one short IMMEDIATE transaction, so the app keeps answering between them:
 *
 * 1. the merges the import caused are undone, newest first (without recording the customers as different people:
 *    the import, not a person, joined them; the same evidence coming again may join them again);
 * 2. the reviews it queued and nobody decided are withdrawn;
 * 3. its events are deleted, lowest id first, a few thousand per step. A customer whose last event went is removed
 *    when the import created them and no message went to or came from them; a customer who stays (they were there
 *    before, another event or a message names them) loses the identifiers, consent records and name the import
 *    brought and their remaining events do not carry, and their totals are worked out again from what remains.
 *
 * The job shows as `removing` from the first step; every step is idempotent (what is gone is not found again), so a
 * removal cut short by a crash goes on from where it stopped at the next start (imports engine). When nothing is
 * left, the job is `removed`, with what went counted on it, and the same file can be imported again.
 */
import { AppError } from '../../../shared/contract/errors';
import { refreshConsentColumns } from '../channels/consent';
import type { Database } from '../db/open';
import {
  addRemovalCounts,
  type ChunkRanges,
  carriedIdentifiers,
  chunksOf,
  clearUnrecordedConsent,
  consentsOnEvents,
  deleteEventsIn,
  deleteIdentifier,
  deleteJobConsents,
  detachStrayRefunds,
  dropUncarriedSharedUses,
  eventIdsAbove,
  hasEvents,
  hasMessages,
  identifierRowsOf,
  importedEvent,
  jobOfMerge,
  jobStatus,
  markRemoved,
  markRemoving,
  mergesInForceSince,
  mergesToUndo,
  namesOnEvents,
  type RemovalCounts,
  removeProfiles,
  runningImport,
  unmarkShared,
  withdrawPendingReviews,
} from '../db/repos/import-undo';
import { flagShop } from '../db/repos/journey';
import { recomputeTotals, settlePendingTotals } from '../db/repos/profile-totals';
import { getProfile, refreshStrength, setNames } from '../db/repos/profiles';
import { undoMerge } from '../identity/merge';
import { applyProfileFields } from '../ingest/ingest-event';
import { publish } from '../streams/streams';

/** Events deleted per step: a step holds the write lock for some tens of milliseconds. */
export const REMOVAL_STEP_EVENTS = 1000;
/** Merges undone per step (each re-reads and rewrites both customers). */
const REMOVAL_STEP_MERGES = 50;

type Kind = 'events' | 'profiles' | 'identifiers' | 'merges' | 'reviews' | 'consents';

/** The ids a job's chunks wrote of one table: the non-empty ranges, in order, searched by halves. */
class IdRanges {
  private readonly ranges: [number, number][];
  constructor(chunks: readonly ChunkRanges[], kind: Kind) {
    this.ranges = chunks
      .map((c) => c[kind])
      .filter(([after, last]) => last > after)
      .sort((a, b) => a[0] - b[0]);
  }
  has(id: number): boolean {
    let lo = 0;
    let hi = this.ranges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const [after, last] = this.ranges[mid] as [number, number];
      if (id <= after) hi = mid - 1;
      else if (id > last) lo = mid + 1;
      else return true;
    }
    return false;
  }
  get first(): number {
    return this.ranges[0]?.[0] ?? Number.POSITIVE_INFINITY;
  }
}

/**
 * Starts removing an import (or says why it cannot be): the job is `removing` from here on. Run inside an IMMEDIATE
 * transaction.
 */
export function beginRemoval(db: Database, brandId: number, jobId: number, now: number): void {
  const job = jobStatus(db, jobId, brandId);
  if (job === undefined) throw new AppError('not_found', `There is no import #${jobId}.`);
  const { status } = job;
  if (status === 'removing') return;
  if (status === 'removed') throw new AppError('conflict', `Import #${jobId} was already undone.`);
  if (status === 'running')
    throw new AppError('conflict', `Import #${jobId} is still running: cancel it first, then undo it.`);
  // Another import running now could find rows of this one "already known" and then lose them to the undo.
  const running = runningImport(db, brandId);
  if (running)
    throw new AppError(
      'conflict',
      `${running.fileName} is being imported. Wait until it has finished, then undo import #${jobId}.`,
    );
  const chunks = chunksOf(db, jobId);
  if (chunks.length === 0 && job.eventsCreated > 0)
    throw new AppError(
      'conflict',
      `Import #${jobId} was made by an earlier version of ConstIntel, which did not keep what each import added, so it cannot be undone.`,
    );
  const profiles = new IdRanges(chunks, 'profiles');
  // A merge since the import began that joined a customer it added, or merged away a customer one of its own merges
  // kept (by hand, an approved review, another import): undoing the import under it would leave that merge naming
  // customers who are gone. That merge is undone first.
  const ours = new Set<number>();
  const ourBases = new Set<number>();
  for (const chunk of chunks)
    for (const merge of mergesToUndo(db, ...chunk.merges)) {
      ours.add(merge.id);
      ourBases.add(merge.base);
    }
  const since = chunks[0]?.merges[0];
  for (const later of since === undefined ? [] : mergesInForceSince(db, brandId, since)) {
    if (ours.has(later.id)) continue;
    const theirs = [later.base, ...later.merged].find(
      (id) => profiles.has(id) || (ourBases.has(id) && later.merged.includes(id)),
    );
    if (theirs === undefined) continue;
    const otherJob = jobOfMerge(db, later.id);
    throw new AppError(
      'conflict',
      otherJob !== undefined
        ? `Import #${otherJob} later joined customer #${theirs}, whom this import added or joined, with another customer. Undo import #${otherJob} first, then this one.`
        : `Customer #${theirs}, whom this import added or joined, was later merged into customer #${later.base} (merge #${later.id}). Undo that merge first (on customer #${later.base}'s page, under Merge history), then undo the import.`,
    );
  }
  markRemoving(db, jobId, now);
}

export interface RemovalStep {
  done: boolean;
  /** Customers whose details changed or who were removed (caches drop them). */
  touched: number[];
}

/** One step of a removal (see the header). Run inside an IMMEDIATE transaction; `done` once nothing is left. */
export function removalStep(
  db: Database,
  brandId: number,
  jobId: number,
  now: number,
  limit = REMOVAL_STEP_EVENTS,
): RemovalStep {
  if (jobStatus(db, jobId, brandId)?.status !== 'removing') return { done: true, touched: [] };
  // What earlier chunks added to customers' totals and did not write yet goes in first (totals are recomputed below).
  settlePendingTotals(db, now);
  const chunks = chunksOf(db, jobId);
  const counts: RemovalCounts = { removedEvents: 0, removedProfiles: 0, undoneMerges: 0, keptProfiles: 0 };
  const touched = new Set<number>();

  // 1. Merges, newest first.
  for (const chunk of [...chunks].reverse()) {
    for (const merge of mergesToUndo(db, ...chunk.merges)) {
      if (counts.undoneMerges >= REMOVAL_STEP_MERGES) break;
      const result = undoMerge(db, merge.id, now, { separate: false });
      for (const id of result.touched) {
        touched.add(id);
        // The snapshot's consent flags are from before the merge: what the history says now (a STOP since) counts.
        if (getProfile(db, id)) refreshConsentColumns(db, id);
      }
      counts.undoneMerges += 1;
    }
  }
  if (counts.undoneMerges > 0) {
    addRemovalCounts(db, jobId, counts);
    return { done: false, touched: [...touched] };
  }

  // 2. Reviews nobody decided.
  for (const chunk of chunks) withdrawPendingReviews(db, ...chunk.reviews, now);

  // 3. Events, lowest id first.
  const events = new IdRanges(chunks, 'events');
  const profiles = new IdRanges(chunks, 'profiles');
  const identifiers = new IdRanges(chunks, 'identifiers');
  const reached = new Set<number>();
  let lastDeleted = 0;
  for (const chunk of chunks) {
    const room = limit - counts.removedEvents;
    if (room <= 0) break;
    if (chunk.events[1] <= chunk.events[0]) continue;
    const removed = deleteEventsIn(db, ...chunk.events, room);
    counts.removedEvents += removed.length;
    for (const event of removed) {
      if (event.profileId !== null) reached.add(event.profileId);
      lastDeleted = event.id;
    }
  }
  const gone: number[] = [];
  const kept: number[] = [];
  for (const profileId of reached) {
    touched.add(profileId);
    if (!getProfile(db, profileId)) continue;
    detachStrayRefunds(db, profileId);
    if (!hasEvents(db, profileId)) {
      if (profiles.has(profileId) && !hasMessages(db, profileId)) {
        gone.push(profileId);
        continue;
      }
    } else if (eventIdsAbove(db, profileId, lastDeleted).some((id) => events.has(id))) {
      // More of the import's events are theirs: the customer is looked at again when the last of them goes.
      continue;
    }
    keep(db, profileId, jobId, identifiers, now);
    kept.push(profileId);
  }
  removeProfiles(db, gone);
  counts.removedProfiles += gone.length;
  counts.keptProfiles += kept.length;
  // Asked to be scored again, as ingestion asks for the customers its events reach.
  if (kept.length > 0) publish(db, 'predictions.requests', { profileIds: kept, reason: 'import_undone' }, now);

  const done = counts.removedEvents === 0;
  if (done) {
    unmarkShared(
      db,
      chunks.flatMap((c) => c.sharedMarked),
    );
    markRemoved(db, jobId, now);
    // Journey stages follow what remains (the app soon after, else at its next start).
    flagShop(db, brandId, 'import_pending', true);
  }
  addRemovalCounts(db, jobId, counts);
  return { done, touched: [...touched] };
}

/**
 * A customer who stays once the import's events are gone: what the import brought and nothing that remains carries
 * (identifiers, consent records, a name) goes, and their totals are what their remaining events add up to. One kept
 * only because a message went to them (no event left) keeps who they are, as the message was sent to it, but not
 * the import's consent.
 */
function keep(db: Database, profileId: number, jobId: number, imported: IdRanges, now: number): void {
  if (deleteJobConsents(db, profileId, jobId) > 0) restateConsent(db, profileId, now);
  if (!hasEvents(db, profileId)) {
    recomputeTotals(db, profileId, now);
    return;
  }
  const carried = carriedIdentifiers(db, profileId);
  for (const identifier of identifierRowsOf(db, profileId)) {
    if (imported.has(identifier.id) && !carried.has(`${identifier.type}:${identifier.value}`))
      deleteIdentifier(db, identifier.id);
  }
  dropUncarriedSharedUses(db, profileId, carried);
  renameFromEvents(db, profileId);
  refreshStrength(db, profileId);
  recomputeTotals(db, profileId, now);
}

/**
 * The consent the customer's remaining events state, stated again in their order (another import's file may say
 * the same as the one undone, and was then not recorded twice), and the flags worked out from what is recorded.
 */
function restateConsent(db: Database, profileId: number, now: number): void {
  // A channel with nothing recorded any more has no stated consent, until an event states one again.
  clearUnrecordedConsent(db, profileId);
  for (const event of consentsOnEvents(db, profileId)) {
    const payload = JSON.parse(event.payload) as Record<string, unknown>;
    for (const key of Object.keys(payload)) if (payload[key] === null) delete payload[key];
    applyProfileFields(
      db,
      profileId,
      { type: event.type as 'profile_update', source: event.source, payload },
      { now, origin: importedEvent(db, event.id) ? 'import' : 'live' },
    );
  }
  refreshConsentColumns(db, profileId);
}

/**
 * A name no remaining event carries came from the import: it is worked out again from the remaining events as
 * ingestion would have (a missing name filled in, a profile update replacing it).
 */
function renameFromEvents(db: Database, profileId: number): void {
  const profile = getProfile(db, profileId);
  if (!profile || (profile.first_name === null && profile.last_name === null)) return;
  const names = namesOnEvents(db, profileId);
  const firstKept = profile.first_name === null || names.some((n) => n.first === profile.first_name);
  const lastKept = profile.last_name === null || names.some((n) => n.last === profile.last_name);
  if (firstKept && lastKept) return;
  let first: string | null = null;
  let last: string | null = null;
  for (const n of names) {
    if (n.type === 'profile_update') {
      first = n.first ?? first;
      last = n.last ?? last;
    } else {
      first = first ?? n.first;
      last = last ?? n.last;
    }
  }
  setNames(db, profileId, firstKept ? profile.first_name : first, lastKept ? profile.last_name : last);
}
