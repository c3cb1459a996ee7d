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
  deleteConsentsIn,
  deleteEventsIn,
  deleteIdentifier,
  dropUncarriedSharedUses,
  eventIdsAbove,
  hasEvents,
  hasMessages,
  identifierRowsOf,
  jobStatus,
  markRemoved,
  markRemoving,
  mergesToUndo,
  mergeThatAbsorbed,
  namesOnEvents,
  type RemovalCounts,
  removeProfiles,
  withdrawPendingReviews,
} from '../db/repos/import-undo';
import { recomputeTotals, settlePendingTotals } from '../db/repos/profile-totals';
import { getProfile, refreshStrength, setNames } from '../db/repos/profiles';
import { undoMerge } from '../identity/merge';

/** Events deleted per step: a step holds the write lock for some tens of milliseconds. */
export const REMOVAL_STEP_EVENTS = 1000;
/** Merges undone per step (each re-reads and rewrites both customers). */
const REMOVAL_STEP_MERGES = 50;

type Kind = keyof ChunkRanges;

const within = (ranges: readonly ChunkRanges[], kind: Kind, id: number) =>
  ranges.some((r) => id > r[kind][0] && id <= r[kind][1]);

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
  const chunks = chunksOf(db, jobId);
  if (chunks.length === 0 && job.eventsCreated > 0)
    throw new AppError(
      'conflict',
      `Import #${jobId} was made by an earlier version of ConstIntel, which did not keep what each import added, so it cannot be undone.`,
    );
  // A merge the import caused whose customer was later merged again by something else: that merge must go first.
  const ours = new Set<number>();
  for (const chunk of chunks) for (const merge of mergesToUndo(db, ...chunk.merges)) ours.add(merge.id);
  for (const chunk of chunks) {
    for (const merge of mergesToUndo(db, ...chunk.merges)) {
      if (getProfile(db, merge.base)) continue;
      const later = mergeThatAbsorbed(db, merge.base);
      if (later && !ours.has(later.id))
        throw new AppError(
          'conflict',
          `Customer #${merge.base}, whom this import joined with another, was later merged into customer #${later.base} (merge #${later.id}). Undo that merge first (on customer #${later.base}'s page, under Merge history), then undo the import.`,
        );
    }
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
      for (const id of result.touched) touched.add(id);
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
  const reached = new Set<number>();
  let lastDeleted = 0;
  for (const chunk of chunks) {
    const room = limit - counts.removedEvents;
    if (room <= 0) break;
    const removed = deleteEventsIn(db, ...chunk.events, room);
    counts.removedEvents += removed.length;
    for (const event of removed) {
      if (event.profileId !== null) reached.add(event.profileId);
      lastDeleted = event.id;
    }
  }
  const gone: number[] = [];
  for (const profileId of reached) {
    touched.add(profileId);
    if (!getProfile(db, profileId)) continue;
    if (!hasEvents(db, profileId)) {
      if (within(chunks, 'profiles', profileId) && !hasMessages(db, profileId)) {
        gone.push(profileId);
        continue;
      }
    } else if (eventIdsAbove(db, profileId, lastDeleted).some((id) => within(chunks, 'events', id))) {
      // More of the import's events are theirs: the customer is looked at again when the last of them goes.
      continue;
    }
    keep(db, profileId, chunks, now);
    counts.keptProfiles += 1;
  }
  removeProfiles(db, gone);
  counts.removedProfiles += gone.length;

  const done = counts.removedEvents === 0;
  addRemovalCounts(db, jobId, counts);
  if (done) markRemoved(db, jobId, now);
  return { done, touched: [...touched] };
}

/**
 * A customer who stays once the import's events are gone: what the import brought and nothing that remains carries
 * (identifiers, consent records, a name) goes, and their totals are what their remaining events add up to.
 */
function keep(db: Database, profileId: number, chunks: readonly ChunkRanges[], now: number): void {
  // No event left (a message keeps them): who they are stays as the message was sent to it.
  if (!hasEvents(db, profileId)) {
    recomputeTotals(db, profileId, now);
    return;
  }
  const carried = carriedIdentifiers(db, profileId);
  for (const identifier of identifierRowsOf(db, profileId)) {
    if (within(chunks, 'identifiers', identifier.id) && !carried.has(`${identifier.type}:${identifier.value}`))
      deleteIdentifier(db, identifier.id);
  }
  dropUncarriedSharedUses(db, profileId, carried);
  let consents = 0;
  for (const chunk of chunks) consents += deleteConsentsIn(db, profileId, ...chunk.consents);
  if (consents > 0) {
    clearUnrecordedConsent(db, profileId);
    refreshConsentColumns(db, profileId);
  }
  renameFromEvents(db, profileId);
  refreshStrength(db, profileId);
  recomputeTotals(db, profileId, now);
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
