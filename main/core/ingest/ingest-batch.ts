/**
 * Many events in one transaction (a file's chunk) by the same rules as
 * `ingestInTransaction`, at import speed.
 *
 * The bulk of a big file is a known customer buying again: every identifier
 * on the event already belongs to one profile, none of them shared, and the
 * order is new. The resolution rules then have one outcome — attach to that
 * profile, add nothing — so such an event skips the resolution queries and
 * its writes are held back and done together: one totals update per customer
 * and one stream message per stream for them all. Every other event (a new
 * identifier, a shared value, a refund or cancellation, an order already
 * known, a conflict) first writes what is held back, then goes through
 * `ingestInTransaction` itself, so it sees exactly what it would have seen.
 *
 * Who holds which identifier, and profiles' names, are remembered across the
 * job's chunks. A change to either by anything else (a webhook, a merge in the
 * app) moves `identity_version` (triggers), and what was remembered is
 * dropped; other writes meanwhile (the app's stream progress, which it writes
 * between chunks) keep it: forgetting at every chunk cost a fifth of an
 * import's time in identifier and name lookups.
 *
 * Held-back events' totals go to `profile_pending_totals` (one row per
 * customer, in the same transaction as the events), not to the profile: a
 * profile row carries two sorted indexes (lifetime value, last seen), and
 * rewriting a thousand random profiles and their index pages at every chunk's
 * commit was a fifth of a large import's time. The import settles them into
 * the profiles when it ends (`settlePendingTotals`), and the app at start after
 * a crash; until then a profile's totals lag its imported events, and totals
 * plus pending are always what its events add up to (recomputing a profile
 * drops its pending row). The caller must settle: tests, the import job.
 *
 * Stream messages are one set per chunk (per transaction, in `end`), for
 * held-back events and those that went one by one alike: `events.raw` and
 * `events.normalized` each get one `{ kind: 'range', firstEventId,
 * lastEventId, origin }` (every id in it was written by this transaction,
 * which held the write lock; a subscriber reads the events from the table),
 * and one `predictions.requests` lists the customers the chunk's events
 * reached. A review queued by the one-by-one path still has its own message.
 *
 * Plain prepared statements rather than drizzle: drizzle measured slower on
 * this path (the handbook's PERFORMANCE.md), and speed is the point here.
 */
import type { InputIdentifierType, ParsedEvent } from '../../../shared/events';
import type { Database } from '../db/open';
import { insertEventsWithIds, lastEventId, orderKnown } from '../db/repos/events';
import { findOwner } from '../db/repos/identifiers';
import { addPendingTotals, type PendingDelta } from '../db/repos/profile-totals';
import { getProfile } from '../db/repos/profiles';
import { stmt } from '../db/statements';
import { type Normalized, normalizeIdentifier } from '../identity/normalize';
import { SHAREABLE_TYPES } from '../identity/strength';
import { publish } from '../streams/streams';
import {
  alreadyStored,
  applyProfileFields,
  type EventColumns,
  eventColumns,
  type IngestContext,
  type IngestResult,
  ingestInTransaction,
  usableIdentifiers,
} from './ingest-event';
import { differentFirstName } from './resolve-profile';

/** Normalised values remembered before the memo starts again (bounds memory on a file of all-new customers). */
const MEMO_LIMIT = 100_000;

interface Names {
  first: string | null;
  last: string | null;
}

/** What a customer's held-back events add to their profile. */
type Delta = PendingDelta;

type EventRow = [id: number, ...EventColumns];

/**
 * Values keyed by a kind (an identifier type, an event source) and a text, in a map per kind: a lookup hashes the
 * text it is given (an event's own string, hashed once) instead of a joined key built and hashed for every row.
 */
class KindMemo<V> {
  private readonly byKind = new Map<string, Map<string | number, V>>();
  size = 0;

  get(kind: string, key: string | number): V | undefined {
    return this.byKind.get(kind)?.get(key);
  }

  set(kind: string, key: string | number, value: V): void {
    let values = this.byKind.get(kind);
    if (!values) {
      values = new Map();
      this.byKind.set(kind, values);
    }
    if (!values.has(key)) this.size += 1;
    values.set(key, value);
  }

  delete(kind: string, key: string | number): void {
    if (this.byKind.get(kind)?.delete(key)) this.size -= 1;
  }

  clear(): void {
    this.byKind.clear();
    this.size = 0;
  }
}

export class BatchIngest {
  /** Who holds an identifier, by its type and normalised value (null: nobody). */
  private readonly owners = new KindMemo<{ profileId: number; shared: boolean } | null>();
  private readonly names = new Map<number, Names>();
  /** Identifier values as given (by type) → normalised. */
  private readonly normalized = new KindMemo<Normalized>();
  private versionAtEnd: number | undefined;
  /** The id the next held-back event gets; unknown after an event went through the one-by-one path. */
  private nextId: number | undefined;
  private rows: EventRow[] = [];
  /** The natural keys (source, external id) of the events held back. */
  private readonly heldKeys = new KindMemo<true>();
  private readonly heldOrders = new Set<string>();
  private readonly deltas = new Map<number, Delta>();
  /** The first event id this transaction can write, and the customers its events reached (its stream messages). */
  private chunkFirstId = 0;
  private readonly chunkProfiles = new Set<number>();
  /** The one-by-one path's context: it leaves the chunk's stream messages to `end`. */
  private readonly oneByOne: IngestContext;

  constructor(
    private readonly db: Database,
    private readonly ctx: IngestContext,
  ) {
    this.oneByOne = { ...ctx, chunked: true };
  }

  /**
   * At the start of each transaction: who holds an identifier or a customer's name changed since the last one
   * ended (`identity_version`, moved by triggers: another connection's commit — a webhook, a merge in the app — or
   * this one's outside the import's transactions, as an import in the app's own thread shares its connection),
   * and what was remembered is dropped. Other writes meanwhile (a stream's progress, a message's status) keep it.
   */
  begin(): void {
    if (this.identityVersion() !== this.versionAtEnd) this.forget();
    this.nextId = undefined;
    this.chunkFirstId = lastEventId(this.db) + 1;
    this.chunkProfiles.clear();
  }

  /**
   * Last in each transaction (after the flush and anything else it writes): publishes the chunk's stream messages
   * and marks where this connection stood.
   */
  end(): void {
    this.flush();
    const last = lastEventId(this.db);
    if (this.chunkFirstId > 0 && last >= this.chunkFirstId) {
      const { ctx } = this;
      const range = {
        kind: 'range',
        firstEventId: this.chunkFirstId,
        lastEventId: last,
        origin: ctx.origin ?? 'live',
      } as const;
      publish(this.db, 'events.raw', range, ctx.now);
      publish(this.db, 'events.normalized', range, ctx.now);
      if (this.chunkProfiles.size > 0)
        publish(this.db, 'predictions.requests', { profileIds: [...this.chunkProfiles], reason: 'import' }, ctx.now);
    }
    this.chunkProfiles.clear();
    this.versionAtEnd = this.identityVersion();
  }

  private identityVersion(): number {
    return stmt(this.db, 'SELECT n FROM identity_version WHERE id = 1').pluck().get() as number;
  }

  /** After a transaction rolled back: nothing remembered or held back can be trusted. */
  forget(): void {
    this.owners.clear();
    this.names.clear();
    this.rows = [];
    this.heldKeys.clear();
    this.heldOrders.clear();
    this.deltas.clear();
    this.nextId = undefined;
    this.chunkProfiles.clear();
  }

  /** `payloadJson`: the event's payload as JSON, when the caller has it already (a file's reading thread). */
  add(event: ParsedEvent, payloadJson?: string): IngestResult {
    const quick = this.quick(event, payloadJson);
    if (quick) {
      if (quick.profileId !== null && !quick.duplicate) this.chunkProfiles.add(quick.profileId);
      return quick;
    }
    this.flush();
    const result = ingestInTransaction(this.db, event, this.oneByOne);
    this.nextId = undefined;
    if (!result.duplicate) {
      this.learn(event, result);
      if (result.profileId !== null) this.chunkProfiles.add(result.profileId);
    }
    return result;
  }

  /** Writes what is held back: call before anything reads the events table, and before the transaction ends. */
  flush(): void {
    if (this.rows.length === 0) return;
    const { db } = this;
    insertEventsWithIds(db, this.rows);
    // Added to the profile's pending totals, not to the profile (see the header): one small row per customer
    // instead of the profile row and its two sorted indexes, at every chunk.
    addPendingTotals(db, this.deltas);
    this.rows = [];
    this.heldKeys.clear();
    this.heldOrders.clear();
    this.deltas.clear();
  }

  /** The event's outcome when it is certain without resolution (see the header); otherwise undefined. */
  private quick(event: ParsedEvent, payloadJson: string | undefined): IngestResult | undefined {
    const { db, ctx } = this;
    const type = event.type;
    if (type === 'refund' || type === 'cancellation') return undefined;
    // Totals are added up in whole cents: an amount that is not one (a file's are) takes the one-by-one path,
    // whose per-event rounding it must match.
    const total = event.payload.total;
    if (total !== undefined && !(total >= 0 && Math.abs(total * 100 - Math.round(total * 100)) < 1e-6))
      return undefined;
    const orderId = event.payload.orderId;
    // A key held back in this chunk is known only to the one-by-one path's read after the flush.
    if (event.externalId !== undefined && this.heldKeys.get(event.source, event.externalId)) return undefined;
    const known = alreadyStored(db, event, ctx);
    if (known) return known;
    const { usable, unused } = usableIdentifiers(event, (t, raw) => this.normalize(t, raw));
    let profileId: number | null = null;
    for (const u of usable) {
      const owner = this.owner(u.type, u.value);
      if (!owner || owner.shared || (profileId !== null && owner.profileId !== profileId)) return undefined;
      profileId = owner.profileId;
    }
    const firstName = event.payload.firstName ?? null;
    const lastName = event.payload.lastName ?? null;
    let names: Names | undefined;
    if (profileId !== null) {
      names = this.profileNames(profileId);
      if (!names) return undefined;
      // Reached only through a phone or device, a different first name is someone else on a family phone.
      if (firstName && usable.every((u) => SHAREABLE_TYPES.has(u.type)) && differentFirstName(names.first, firstName))
        return undefined;
      if (type === 'purchase' && orderId !== undefined) {
        // Another event of this order (an earlier copy, a refund that came first) changes how it counts.
        if (this.heldOrders.has(orderId)) return undefined;
        if (orderKnown(db, ctx.brandId, orderId)) return undefined;
      }
    }

    const occurredAt = Date.parse(event.occurredAt);
    if (this.nextId === undefined) this.nextId = lastEventId(db) + 1;
    const eventId = this.nextId++;
    this.rows.push([eventId, ...eventColumns(event, ctx, usable, unused, occurredAt, profileId, payloadJson)]);
    if (event.externalId !== undefined) this.heldKeys.set(event.source, event.externalId, true);
    if (orderId !== undefined) this.heldOrders.add(orderId);

    if (profileId !== null && names) {
      const consentGiven =
        event.payload.emailConsent !== undefined ||
        event.payload.smsConsent !== undefined ||
        event.payload.whatsappConsent !== undefined;
      const namesChange =
        type === 'profile_update'
          ? firstName !== null || lastName !== null
          : (!names.first && firstName !== null) || (!names.last && lastName !== null);
      if (consentGiven || namesChange) {
        applyProfileFields(db, profileId, event, this.ctx);
        this.names.delete(profileId);
      }
      let d = this.deltas.get(profileId);
      if (!d) {
        d = { cents: 0, orders: 0, lastPurchase: null, firstSeen: occurredAt, lastSeen: occurredAt };
        this.deltas.set(profileId, d);
      }
      if (type === 'purchase') {
        d.cents += Math.round((event.payload.total ?? 0) * 100);
        d.orders += 1;
        d.lastPurchase = Math.max(d.lastPurchase ?? occurredAt, occurredAt);
      }
      d.firstSeen = Math.min(d.firstSeen, occurredAt);
      d.lastSeen = Math.max(d.lastSeen, occurredAt);
    }
    return {
      eventId,
      profileId,
      duplicate: false,
      createdProfile: false,
      mergeId: null,
      reviewId: null,
      unused,
      touched: profileId === null ? [] : [profileId],
    };
  }

  /** After the one-by-one path: what it may have changed is read again when next needed. */
  private learn(event: ParsedEvent, result: IngestResult): void {
    // A merge moves other identifiers too.
    if (result.mergeId !== null) this.owners.clear();
    else {
      const { usable } = usableIdentifiers(event, (t, raw) => this.normalize(t, raw));
      for (const u of usable) this.owners.delete(u.type, u.value);
    }
    for (const id of result.touched) this.names.delete(id);
    if (result.profileId !== null) this.names.delete(result.profileId);
  }

  private normalize(type: InputIdentifierType, raw: string | number): Normalized {
    // Keyed by the value as text, as a joined key was: 17850 and "17850" are one value.
    const key = typeof raw === 'number' ? String(raw) : raw;
    let result = this.normalized.get(type, key);
    if (!result) {
      if (this.normalized.size >= MEMO_LIMIT) this.normalized.clear();
      result = normalizeIdentifier(type, raw, this.ctx.normalize);
      this.normalized.set(type, key, result);
    }
    return result;
  }

  private owner(type: string, value: string): { profileId: number; shared: boolean } | null {
    let owner = this.owners.get(type, value);
    if (owner === undefined) {
      if (this.owners.size >= MEMO_LIMIT) this.owners.clear();
      owner = findOwner(this.db, this.ctx.brandId, type, value) ?? null;
      this.owners.set(type, value, owner);
    }
    return owner;
  }

  private profileNames(profileId: number): Names | undefined {
    let names = this.names.get(profileId);
    if (!names) {
      const profile = getProfile(this.db, profileId);
      if (!profile) return undefined;
      if (this.names.size >= MEMO_LIMIT) this.names.clear();
      names = { first: profile.first_name, last: profile.last_name };
      this.names.set(profileId, names);
    }
    return names;
  }
}
