import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../../main/core/backend';
import type { ParsedEvent } from '../../../shared/events';
import { ingestOne, ukBackend } from '../../support/backend';
import { ev, purchase } from '../../support/events';

let backend: Backend;
beforeEach(async () => {
  backend = await ukBackend();
});
afterEach(async () => {
  await backend.close();
});

const ingest = (event: ParsedEvent) => ingestOne(backend, event);
const identifiers = (id: number) =>
  (
    backend.db.sqlite
      .prepare('SELECT type, value FROM profile_identifier WHERE profile_id = ? ORDER BY type')
      .all(id) as {
      type: string;
      value: string;
    }[]
  ).map((i) => `${i.type}:${i.value}`);
const eventsOf = (id: number) =>
  backend.db.sqlite
    .prepare('SELECT id FROM customer_raw_event WHERE customer_profile_id = ? ORDER BY id')
    .pluck()
    .all(id);

/** Four customers, one identifier each, then one event linking all four: a review. */
async function fourWayConflict() {
  const ids = [
    ingest(purchase({ email: 'kim@example.com' }, 10, { payload: { total: 10, firstName: 'Kim' } })).profileId ?? 0,
    ingest(purchase({ phone: '07700 900200' }, 20)).profileId ?? 0,
    ingest(purchase({ loyalty_id: 'LC-200' }, 30)).profileId ?? 0,
    ingest(purchase({ device_id: 'tablet-2' }, 40)).profileId ?? 0,
  ];
  const link = ingest(
    ev({
      identifiers: { email: 'kim@example.com', phone: '07700900200', loyalty_id: 'LC-200', device_id: 'tablet-2' },
    }),
  );
  const [review] = await backend.call('merges.reviews', { status: 'pending' });
  if (!review) throw new Error('no review');
  return { ids, link, review };
}

describe('merge review', () => {
  it('shows the candidates and which identifier links which profile, from which source', async () => {
    const { ids, review } = await fourWayConflict();
    expect(await backend.call('merges.pendingCount', {})).toEqual({ count: 1 });
    expect(review.candidates.map((c) => c.id).sort()).toEqual([...ids].sort());
    expect(review.evidence).toEqual(
      expect.arrayContaining([
        { type: 'email', value: 'kim@example.com', profileIds: [ids[0]], source: 'api' },
        { type: 'phone', value: '+447700900200', profileIds: [ids[1]], source: 'api' },
        { type: 'loyalty_id', value: 'LC-200', profileIds: [ids[2]], source: 'api' },
        { type: 'device_id', value: 'tablet-2', profileIds: [ids[3]], source: 'api' },
      ]),
    );
  });

  it('approve merges them into one customer with all identifiers, events and value', async () => {
    const { review } = await fourWayConflict();
    const approved = await backend.call('merges.approve', { reviewId: review.id });
    expect(identifiers(approved.profileId)).toHaveLength(4);
    expect(eventsOf(approved.profileId)).toHaveLength(5);
    const got = await backend.call('customers.get', { id: approved.profileId });
    expect(got).toMatchObject({ status: 'found', customer: { lifetimeValue: 100, totalOrders: 4, name: 'Kim' } });
    expect(await backend.call('merges.pendingCount', {})).toEqual({ count: 0 });
    await expect(backend.call('merges.approve', { reviewId: review.id })).rejects.toMatchObject({ kind: 'conflict' });
    const [history] = await backend.call('merges.reviews', { status: 'approved' });
    expect(history?.mergedInto).toBe(approved.profileId);
  });

  it('reject remembers them as different people: the same evidence never proposes them again', async () => {
    const { ids, review } = await fourWayConflict();
    await backend.call('merges.reject', { reviewId: review.id });
    expect(await backend.call('merges.pendingCount', {})).toEqual({ count: 0 });
    // The same links again: no review, no merge.
    const again = ingest(
      ev({ identifiers: { email: 'kim@example.com', phone: '+44 7700 900200', device_id: 'tablet-2' } }),
    );
    expect(again).toMatchObject({ reviewId: null, mergeId: null });
    expect(await backend.call('merges.pendingCount', {})).toEqual({ count: 0 });
    // Two of them linked by a value they were separated on: not merged automatically either.
    ingest(ev({ identifiers: { email: 'kim@example.com', loyalty_id: 'LC-200' } }));
    expect(backend.db.sqlite.prepare('SELECT count(*) FROM customer_profile').pluck().get()).toBe(4);
    expect(ids.every((id) => backend.db.sqlite.prepare('SELECT 1 FROM customer_profile WHERE id = ?').get(id))).toBe(
      true,
    );
  });

  it('unknown reviews answer not_found', async () => {
    await expect(backend.call('merges.reject', { reviewId: 999 })).rejects.toMatchObject({ kind: 'not_found' });
  });
});

describe('undo', () => {
  it('restores the merged profiles as they were: identifiers, their own events, totals; recorded in the history', async () => {
    const ann =
      ingest(purchase({ email: 'ann@example.com' }, 30, { payload: { total: 30, firstName: 'Ann' } })).profileId ?? 0;
    const till =
      ingest(purchase({ phone: '07700 900123' }, 12, { source: 'pos', payload: { total: 12, firstName: 'A.' } }))
        .profileId ?? 0;
    const before = {
      ann: { ids: identifiers(ann), events: eventsOf(ann) },
      till: { ids: identifiers(till), events: eventsOf(till) },
    };
    const link = ingest(ev({ identifiers: { email: 'ann@example.com', phone: '447700900123' } }));
    const base = link.profileId ?? 0;
    const other = base === ann ? till : ann;
    // After the merge: one event for the survivor's phone only, one new identifier on the survivor.
    const later = ingest(ev({ identifiers: { phone: '+447700900123' }, occurredAt: '2026-02-02T10:00:00Z' }));
    expect(later.profileId).toBe(base);

    const merged = await backend.call('customers.get', { id: other });
    expect(merged).toEqual({ status: 'merged', mergedInto: base });
    const view = await backend.call('customers.get', { id: base });
    if (view.status !== 'found') throw new Error('expected found');
    const mergeId = view.customer.merges[0]?.id ?? 0;
    expect(view.customer.merges[0]).toMatchObject({
      reason: 'automatic',
      mergedProfileIds: [other],
      canUndo: true,
      undoneAt: null,
    });

    const undone = await backend.call('merges.undo', { mergeId });
    expect(undone).toEqual({ baseProfileId: base, restoredProfileIds: [other] });
    expect(identifiers(ann)).toEqual(before.ann.ids);
    expect(identifiers(till)).toEqual(before.till.ids);
    // Each keeps its own events; the linking event stays with the base; the later phone-only event follows the phone.
    expect(eventsOf(ann)).toEqual(expect.arrayContaining(before.ann.events));
    expect(eventsOf(till)).toEqual(expect.arrayContaining([...before.till.events, later.eventId]));
    const annNow = await backend.call('customers.get', { id: ann });
    const tillNow = await backend.call('customers.get', { id: till });
    expect(annNow).toMatchObject({ status: 'found', customer: { lifetimeValue: 30, totalOrders: 1, name: 'Ann' } });
    expect(tillNow).toMatchObject({ status: 'found', customer: { lifetimeValue: 12, totalOrders: 1, name: 'A.' } });
    const history = await backend.call('customers.get', { id: base });
    if (history.status !== 'found') throw new Error('expected found');
    expect(history.customer.merges[0]).toMatchObject({ id: mergeId, canUndo: false, undoneAt: expect.any(String) });
    await expect(backend.call('merges.undo', { mergeId })).rejects.toMatchObject({ kind: 'conflict' });
    // Told apart once: the same evidence does not merge them again.
    expect(ingest(ev({ identifiers: { email: 'ann@example.com', phone: '07700900123' } })).mergeId).toBeNull();
  });

  it('profiles told apart by an undo stay apart after one of them is merged into someone else', async () => {
    const a = ingest(ev({ identifiers: { email: 'ava@example.com' } })).profileId ?? 0;
    const b = ingest(ev({ identifiers: { phone: '07700 900610' } })).profileId ?? 0;
    const merged = ingest(ev({ identifiers: { email: 'ava@example.com', phone: '07700900610' } }));
    await backend.call('merges.undo', { mergeId: merged.mergeId ?? 0 });
    // A is then merged into a stronger profile C.
    const c =
      ingest(ev({ identifiers: { shopify_customer_id: 'S-61', pos_customer_id: 'P-61', loyalty_id: 'L-61' } }))
        .profileId ?? 0;
    const intoC = ingest(ev({ identifiers: { email: 'ava@example.com', shopify_customer_id: 'S-61' } }));
    expect(intoC.profileId).toBe(c);
    expect(a).not.toBe(c);
    // The evidence that was undone does not join B to C.
    const again = ingest(ev({ identifiers: { email: 'ava@example.com', phone: '+447700900610' } }));
    expect(again.mergeId).toBeNull();
    expect(backend.db.sqlite.prepare('SELECT 1 FROM customer_profile WHERE id = ?').get(b)).toBeTruthy();
  });

  it('undo gives identifiers and purchases that arrived after the merge to the person they belong to', async () => {
    const a = ingest(ev({ identifiers: { email: 'abe@example.com' } })).profileId ?? 0;
    const b = ingest(ev({ identifiers: { loyalty_id: 'LC-620' } })).profileId ?? 0;
    const link = ingest(ev({ identifiers: { email: 'abe@example.com', loyalty_id: 'LC-620' } }));
    const base = link.profileId ?? 0;
    const other = base === a ? b : a;
    // After the merge: B's card with a new phone and a purchase.
    const afterwards = ingest(purchase({ loyalty_id: 'LC-620', phone: '07700 900620' }, 5));
    expect(afterwards.profileId).toBe(base);
    await backend.call('merges.undo', { mergeId: link.mergeId ?? 0 });
    const cardHolder = base === b ? base : other;
    expect(identifiers(cardHolder)).toEqual(['loyalty_id:LC-620', 'phone:+447700900620']);
    expect(eventsOf(cardHolder)).toContain(afterwards.eventId);
    const view = await backend.call('customers.get', { id: cardHolder });
    expect(view).toMatchObject({ status: 'found', customer: { lifetimeValue: 5 } });
  });

  it('undo points earlier redirects back at the restored profile', async () => {
    const x = ingest(ev({ identifiers: { cookie_id: 'ck-630' } })).profileId ?? 0;
    const b = ingest(ev({ identifiers: { email: 'bea@example.com', loyalty_id: 'L-630' } })).profileId ?? 0;
    ingest(ev({ identifiers: { cookie_id: 'ck-630', loyalty_id: 'L-630' } })); // X into B
    const a =
      ingest(ev({ identifiers: { shopify_customer_id: 'S-630', pos_customer_id: 'P-630', phone: '07700900630' } }))
        .profileId ?? 0;
    const bIntoA = ingest(ev({ identifiers: { email: 'bea@example.com', shopify_customer_id: 'S-630' } }));
    expect(bIntoA.profileId).toBe(a);
    expect(await backend.call('customers.get', { id: x })).toEqual({ status: 'merged', mergedInto: a });
    await backend.call('merges.undo', { mergeId: bIntoA.mergeId ?? 0 });
    expect(await backend.call('customers.get', { id: x })).toEqual({ status: 'merged', mergedInto: b });
  });

  it('asks to undo a later merge first when the survivor was itself merged away', async () => {
    const a = ingest(ev({ identifiers: { email: 'a@example.com', loyalty_id: 'A' } })).profileId ?? 0;
    ingest(ev({ identifiers: { phone: '07700 900300' } }));
    const first = ingest(ev({ identifiers: { email: 'a@example.com', phone: '07700900300' } }));
    const strong = ingest(
      ev({ identifiers: { shopify_customer_id: 'S1', pos_customer_id: 'P1', email: 'z@example.com' } }),
    );
    const second = ingest(ev({ identifiers: { loyalty_id: 'A', shopify_customer_id: 'S1' } }));
    expect(second.profileId).toBe(strong.profileId);
    expect(first.profileId).toBe(a);
    await expect(backend.call('merges.undo', { mergeId: first.mergeId ?? 0 })).rejects.toMatchObject({
      kind: 'conflict',
      message: expect.stringMatching(/Undo that merge first/),
    });
    await backend.call('merges.undo', { mergeId: second.mergeId ?? 0 });
    await backend.call('merges.undo', { mergeId: first.mergeId ?? 0 });
    expect(backend.db.sqlite.prepare('SELECT count(*) FROM customer_profile').pluck().get()).toBe(3);
  });
});

describe('Customer 360 cache', () => {
  it('serves a cached page until the profile changes, then the fresh one', async () => {
    const id = ingest(purchase({ email: 'lu@example.com' }, 5)).profileId ?? 0;
    const first = await backend.call('customers.get', { id });
    // A change made behind the engine's back is not seen while cached…
    backend.db.sqlite.prepare('UPDATE customer_profile SET first_name = ? WHERE id = ?').run('Sneaky', id);
    expect(await backend.call('customers.get', { id })).toEqual(first);
    // …but any change through the engine invalidates it.
    ingest(purchase({ email: 'lu@example.com' }, 7));
    const fresh = await backend.call('customers.get', { id });
    expect(fresh).toMatchObject({ status: 'found', customer: { lifetimeValue: 12, name: 'Sneaky' } });
  });

  it('pages the timeline newest first with a cursor', async () => {
    const id =
      ingest(ev({ identifiers: { email: 'mo@example.com' }, occurredAt: '2026-01-01T00:00:00Z' })).profileId ?? 0;
    for (let day = 2; day <= 5; day++) {
      ingest(ev({ identifiers: { email: 'mo@example.com' }, occurredAt: `2026-01-0${day}T00:00:00Z` }));
    }
    const page1 = await backend.call('customers.timeline', { id, limit: 2 });
    expect(page1.events.map((e) => e.occurredAt.slice(0, 10))).toEqual(['2026-01-05', '2026-01-04']);
    const page2 = await backend.call('customers.timeline', { id, limit: 2, cursor: page1.nextCursor ?? 0 });
    expect(page2.events.map((e) => e.occurredAt.slice(0, 10))).toEqual(['2026-01-03', '2026-01-02']);
    const page3 = await backend.call('customers.timeline', { id, limit: 2, cursor: page2.nextCursor ?? 0 });
    expect(page3.events).toHaveLength(1);
    expect(page3.nextCursor).toBeNull();
    expect(page1.events[0]?.summary).toBe('Visited');
  });
});

describe('customers.search', () => {
  it('finds by name prefix, any identifier, and a phone in another format; sorts by value or last seen', async () => {
    ingest(
      purchase({ email: 'nina.park@example.com', phone: '07700 900400' }, 80, {
        payload: { total: 80, firstName: 'Nina', lastName: 'Park' },
      }),
    );
    ingest(
      purchase({ loyalty_id: 'LC-77' }, 20, {
        occurredAt: '2026-03-01T00:00:00Z',
        payload: { total: 20, firstName: 'Nick', lastName: 'Ross' },
      }),
    );
    const names = async (query: string, sort: 'lifetime_value' | 'last_seen' = 'lifetime_value') =>
      (await backend.call('customers.search', { query, sort })).items.map((c) => c.name);
    expect(await names('ni')).toEqual(['Nina Park', 'Nick Ross']);
    expect(await names('ni', 'last_seen')).toEqual(['Nick Ross', 'Nina Park']);
    expect(await names('park')).toEqual(['Nina Park']);
    expect(await names('NINA.PARK@')).toEqual(['Nina Park']);
    expect(await names('+44 7700 900400')).toEqual(['Nina Park']);
    expect(await names('447700900400')).toEqual(['Nina Park']);
    expect(await names('LC-77')).toEqual(['Nick Ross']);
    expect(await names('nobody')).toEqual([]);
    const all = await backend.call('customers.search', { limit: 1 });
    expect(all).toMatchObject({ total: 2, totalIsExact: true, offset: 0, currency: expect.any(String) });
    expect(all.items).toHaveLength(1);
  });
});
