import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../../main/core/backend';
import { ingestEvents } from '../../../main/core/ingest/ingest-service';
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

const one = (event: ParsedEvent) => ingestOne(backend, event);
const count = (sql: string, ...params: unknown[]) =>
  backend.db.sqlite
    .prepare(sql)
    .pluck()
    .get(...params) as number;
const profileCount = () => count('SELECT count(*) FROM customer_profile');
const identifiersOf = (id: number) =>
  backend.db.sqlite
    .prepare('SELECT type, value FROM profile_identifier WHERE profile_id = ? ORDER BY type, value')
    .all(id);
const profile = (id: number) =>
  backend.db.sqlite.prepare('SELECT * FROM customer_profile WHERE id = ?').get(id) as
    | { lifetime_value: number; total_orders: number; first_name: string | null; strength: number }
    | undefined;

describe('matching', () => {
  it('no match → a new profile with the normalised identifiers', () => {
    const result = one(
      purchase({ email: ' Ann@Example.com', phone: '07700 900123' }, 20, { payload: { total: 20, firstName: 'Ann' } }),
    );
    expect(result).toMatchObject({ createdProfile: true, duplicate: false, mergeId: null, reviewId: null });
    expect(identifiersOf(result.profileId ?? 0)).toEqual([
      { type: 'email', value: 'ann@example.com' },
      { type: 'phone', value: '+447700900123' },
    ]);
    expect(profile(result.profileId ?? 0)).toMatchObject({ first_name: 'Ann', lifetime_value: 20, total_orders: 1 });
  });

  it('one match → attached, and its new identifiers added', () => {
    const first = one(ev({ identifiers: { email: 'ann@example.com' } }));
    const second = one(ev({ identifiers: { email: 'ANN@example.com', loyalty_id: 'LC-1', phone: '+44 7700 900123' } }));
    expect(second.profileId).toBe(first.profileId);
    expect(second.createdProfile).toBe(false);
    expect(identifiersOf(first.profileId ?? 0)).toHaveLength(3);
    expect(profileCount()).toBe(1);
  });

  it('2–3 matches → merged automatically: identifiers united, events re-attached, totals from events, history and redirect', () => {
    const a = one(purchase({ email: 'ann@example.com' }, 30, { payload: { total: 30, orderId: '#1001' } }));
    const b = one(purchase({ phone: '07700 900123' }, 30, { source: 'pos', payload: { total: 30, orderId: '#1001' } }));
    const c = one(purchase({ loyalty_id: 'LC-9' }, 5));
    expect(profileCount()).toBe(3);
    const link = one(ev({ identifiers: { email: 'ann@example.com', phone: '447700900123', loyalty_id: 'LC-9' } }));
    expect(link.mergeId).not.toBeNull();
    expect(profileCount()).toBe(1);
    const survivor = link.profileId ?? 0;
    expect([a.profileId, b.profileId, c.profileId]).toContain(survivor);
    expect(identifiersOf(survivor)).toHaveLength(3);
    expect(count('SELECT count(*) FROM customer_raw_event WHERE customer_profile_id = ?', survivor)).toBe(4);
    // Order #1001 arrived from the website and the till: it counts once.
    expect(profile(survivor)).toMatchObject({ lifetime_value: 35, total_orders: 2 });
    const history = backend.db.sqlite.prepare('SELECT * FROM merge_history').all() as {
      reason: string;
      merged_profile_ids: string;
    }[];
    expect(history).toHaveLength(1);
    expect(history[0]?.reason).toBe('automatic');
    expect(JSON.parse(history[0]?.merged_profile_ids ?? '[]')).toHaveLength(2);
    expect(count('SELECT count(*) FROM profile_redirect WHERE to_profile_id = ?', survivor)).toBe(2);
  });

  it('picks the strongest profile as the base, then the oldest', () => {
    const weak = one(ev({ identifiers: { cookie_id: 'ck-1' } }));
    const strong = one(ev({ identifiers: { email: 'bo@example.com', loyalty_id: 'LC-2' } }));
    const link = one(ev({ identifiers: { cookie_id: 'ck-1', loyalty_id: 'LC-2' } }));
    expect(link.profileId).toBe(strong.profileId);
    expect(profile(weak.profileId ?? 0)).toBeUndefined();
  });

  it('more than 3 matches → attached to the strongest and queued for review', () => {
    const ids = [
      one(ev({ identifiers: { email: 'x@example.com', loyalty_id: 'L-1' } })).profileId,
      one(ev({ identifiers: { phone: '07700 900001' } })).profileId,
      one(ev({ identifiers: { device_id: 'dev-1' } })).profileId,
      one(ev({ identifiers: { cookie_id: 'ck-9' } })).profileId,
    ];
    const result = one(
      ev({ identifiers: { email: 'x@example.com', phone: '07700900001', device_id: 'dev-1', cookie_id: 'ck-9' } }),
    );
    expect(result.profileId).toBe(ids[0]);
    expect(result.reviewId).not.toBeNull();
    expect(result.mergeId).toBeNull();
    expect(profileCount()).toBe(4);
    // The same conflict again does not queue a second review.
    const again = one(
      ev({ identifiers: { email: 'x@example.com', phone: '07700900001', device_id: 'dev-1', cookie_id: 'ck-9' } }),
    );
    expect(again.reviewId).toBeNull();
    expect(count("SELECT count(*) FROM merge_review WHERE status = 'pending'")).toBe(1);
    expect(count("SELECT count(*) FROM stream_message WHERE stream = 'profiles.merge_requests'")).toBe(1);
  });

  it('an automatic merge that would chain more than 3 emails goes to review instead', () => {
    // Two profiles sharing a phone already hold 4 emails between them.
    const a = one(ev({ identifiers: { email: 'a1@example.com', loyalty_id: 'LA' } })).profileId ?? 0;
    one(ev({ identifiers: { email: 'a2@example.com', loyalty_id: 'LA' } }));
    one(ev({ identifiers: { email: 'a3@example.com', loyalty_id: 'LA' } }));
    const b = one(ev({ identifiers: { email: 'b1@example.com', pos_customer_id: 'P-1' } })).profileId ?? 0;
    const link = one(ev({ identifiers: { loyalty_id: 'LA', pos_customer_id: 'P-1' } }));
    expect(link.mergeId).toBeNull();
    expect(link.reviewId).not.toBeNull();
    expect(profile(a)).toBeDefined();
    expect(profile(b)).toBeDefined();
  });

  it('one profile never collects more than 3 emails through a shared card: the 4th stays on its event', () => {
    const card = one(ev({ identifiers: { loyalty_id: 'SHOP-CARD', email: 'w1@example.com' } })).profileId;
    one(ev({ identifiers: { loyalty_id: 'SHOP-CARD', email: 'w2@example.com' } }));
    one(ev({ identifiers: { loyalty_id: 'SHOP-CARD', email: 'w3@example.com' } }));
    const fourth = one(ev({ identifiers: { loyalty_id: 'SHOP-CARD', email: 'w4@example.com' } }));
    expect(fourth.profileId).toBe(card);
    expect(fourth.unused).toEqual([{ type: 'email', value: 'w4@example.com', reason: 'too_many_on_profile' }]);
    expect(identifiersOf(card ?? 0).filter((i) => (i as { type: string }).type === 'email')).toHaveLength(3);
  });

  it('a family phone does not join two people who have their own emails', () => {
    const mum = one(ev({ identifiers: { email: 'mum@example.com', phone: '07700 900555' } }));
    const son = one(ev({ identifiers: { email: 'son@example.com', phone: '07700 900555' } }));
    expect(son.profileId).not.toBe(mum.profileId);
    expect(son.createdProfile).toBe(true);
    // The phone alone still finds the person who first used it.
    expect(one(ev({ identifiers: { phone: '+447700900555' } })).profileId).toBe(mum.profileId);
  });

  it('a family phone is marked shared once two people are seen on it, and then decides only phone-only events', () => {
    const mum = one(ev({ identifiers: { email: 'mum@example.com', phone: '07700 900556' } }));
    one(ev({ identifiers: { email: 'dad@example.com', phone: '07700 900556' } }));
    const shared = backend.db.sqlite
      .prepare("SELECT shared FROM profile_identifier WHERE type = 'phone' AND value = '+447700900556'")
      .pluck()
      .get();
    expect(shared).toBe(1);
    // The son's till card with the family phone is his own, not mum's.
    const son = one(ev({ identifiers: { phone: '07700900556', pos_customer_id: 'C-77' } }));
    expect(son.profileId).not.toBe(mum.profileId);
    expect(son.createdProfile).toBe(true);
    // A sale with only the family phone goes to the profile that holds it.
    expect(one(ev({ identifiers: { phone: '+44 7700 900556' } })).profileId).toBe(mum.profileId);
  });

  it('a different first name on a shared phone is another person; an initial or capitals are not', () => {
    const ann = one(purchase({ phone: '07700 900557' }, 5, { payload: { total: 5, firstName: 'Ann' } }));
    expect(one(purchase({ phone: '07700900557' }, 5, { payload: { total: 5, firstName: 'ANN ' } })).profileId).toBe(
      ann.profileId,
    );
    expect(one(purchase({ phone: '07700900557' }, 5, { payload: { total: 5, firstName: 'A.' } })).profileId).toBe(
      ann.profileId,
    );
    const tom = one(
      purchase({ phone: '07700900557', loyalty_id: 'LC-T' }, 5, { payload: { total: 5, firstName: 'Tom' } }),
    );
    expect(tom.profileId).not.toBe(ann.profileId);
    // Tom with only the shared phone: the household member named on the receipt, not the phone's first holder.
    const phoneOnly = one(purchase({ phone: '07700900557' }, 5, { payload: { total: 5, firstName: 'TOM' } }));
    expect(phoneOnly.profileId).toBe(tom.profileId);
    expect(profileCount()).toBe(2);
    // No name: the phone's first holder, as before.
    expect(one(purchase({ phone: '07700900557' }, 5, { payload: { total: 5 } })).profileId).toBe(ann.profileId);
  });

  it('a household member first seen with only the shared phone gets a profile found again by name', async () => {
    const ann = one(
      purchase({ phone: '07700 900558', email: 'ann@example.com' }, 5, { payload: { total: 5, firstName: 'Ann' } }),
    );
    // Mia gives the family phone and her name at the till: someone else, kept on a profile of her own.
    const mia = one(purchase({ phone: '07700900558' }, 7, { payload: { total: 7, firstName: 'Mia' } }));
    expect(mia.profileId).not.toBeNull();
    expect(mia.profileId).not.toBe(ann.profileId);
    expect(profile(mia.profileId ?? 0)?.first_name).toBe('Mia');
    expect(identifiersOf(mia.profileId ?? 0)).toEqual([]);
    // Her next visit by phone and name finds her; her email later joins the same profile.
    expect(one(purchase({ phone: '+447700900558' }, 3, { payload: { total: 3, firstName: 'mia' } })).profileId).toBe(
      mia.profileId,
    );
    const withEmail = one(
      purchase({ phone: '07700900558', email: 'mia@example.com' }, 2, { payload: { total: 2, firstName: 'Mia' } }),
    );
    expect(withEmail.profileId).toBe(mia.profileId);
    expect(profile(mia.profileId ?? 0)?.lifetime_value).toBe(12);
    // Customer 360 says how each is recognised: Ann holds the phone, marked shared; Mia uses it.
    const view = async (id: number | null) => {
      const answer = await backend.call('customers.get', { id: id ?? 0 });
      if (answer.status !== 'found') throw new Error('expected a customer');
      return answer.customer;
    };
    const annView = await view(ann.profileId);
    expect(annView.identifiers.find((i) => i.type === 'phone')).toMatchObject({ value: '+447700900558', shared: true });
    const miaView = await view(mia.profileId);
    expect(miaView.sharedIdentifiersUsed).toEqual([expect.objectContaining({ type: 'phone', value: '+447700900558' })]);
    // Someone using the phone with a different email is not Mia even if the name agrees: a person with an email of
    // their own is never given someone else's.
    const other = one(
      purchase({ phone: '07700900558', email: 'mia.senior@example.com' }, 1, {
        payload: { total: 1, firstName: 'Mia' },
      }),
    );
    expect(other.profileId).not.toBe(mia.profileId);
    expect(other.profileId).not.toBe(ann.profileId);
    expect(profile(ann.profileId ?? 0)?.lifetime_value).toBe(5);
  });

  it('a number used by more people than a household has stops deciding anything', () => {
    const names = ['Ann', 'Bob', 'Cat', 'Dan', 'Eve', 'Fay', 'Gus', 'Hal'];
    const people = names.map(
      (name) =>
        one(
          purchase({ phone: '07700 900559', email: `${name.toLowerCase()}@example.com` }, 1, {
            payload: { total: 1, firstName: name },
          }),
        ).profileId,
    );
    expect(new Set(people).size).toBe(names.length);
    // Phone and a name only: no longer anyone's, not even the first holder's.
    expect(
      one(purchase({ phone: '07700900559' }, 4, { payload: { total: 4, firstName: 'Ann' } })).profileId,
    ).toBeNull();
    expect(one(purchase({ phone: '07700900559' }, 4, { payload: { total: 4 } })).profileId).toBeNull();
    expect(
      one(purchase({ phone: '07700900559' }, 4, { payload: { total: 4, firstName: 'Zed' } })).profileId,
    ).toBeNull();
  });

  it('junk identifiers never match, and an unparseable phone is kept on the event and counted', () => {
    const a = one(ev({ identifiers: { email: 'null', phone: '0000000000', loyalty_id: 'WALKIN' } }));
    expect(a.profileId).toBeNull();
    const b = one(ev({ identifiers: { email: 'test@test.com', loyalty_id: 'WALKIN' } }));
    expect(b.profileId).toBeNull();
    expect(profileCount()).toBe(0);
    const c = one(ev({ identifiers: { email: 'cy@example.com', phone: 'ring the shop' } }));
    expect(c.unused).toEqual([{ type: 'phone', value: 'ring the shop', reason: 'unparseable_phone' }]);
    expect(identifiersOf(c.profileId ?? 0)).toEqual([{ type: 'email', value: 'cy@example.com' }]);
    const stored = backend.db.sqlite
      .prepare('SELECT unused_identifiers FROM customer_raw_event WHERE id = ?')
      .pluck()
      .get(c.eventId);
    expect(JSON.parse(String(stored))).toEqual(c.unused);
  });

  it('a repeated delivery is a duplicate no-op; without identifiers an event is stored anonymously', () => {
    const event = purchase({ email: 'dee@example.com' }, 12, { externalId: 'order-77', source: 'shopify' });
    const first = one(event);
    const again = one(event);
    expect(again).toMatchObject({ duplicate: true, eventId: first.eventId, profileId: first.profileId });
    expect(count('SELECT count(*) FROM customer_raw_event')).toBe(1);
    expect(profile(first.profileId ?? 0)?.lifetime_value).toBe(12);
    // Same external id from another source is another event.
    expect(one({ ...event, source: 'pos' }).duplicate).toBe(false);
    const anonymous = one(ev({ type: 'visit' }));
    expect(anonymous.profileId).toBeNull();
  });

  it('refunds lower lifetime value and cancellations remove their order', () => {
    const id =
      one(purchase({ email: 'eve@example.com' }, 100, { payload: { total: 100, orderId: 'A' } })).profileId ?? 0;
    one(purchase({ email: 'eve@example.com' }, 50, { payload: { total: 50, orderId: 'B' } }));
    one(ev({ type: 'refund', identifiers: { email: 'eve@example.com' }, payload: { total: 20, orderId: 'A' } }));
    expect(profile(id)).toMatchObject({ lifetime_value: 130, total_orders: 2 });
    one(ev({ type: 'cancellation', identifiers: { email: 'eve@example.com' }, payload: { orderId: 'B' } }));
    expect(profile(id)).toMatchObject({ lifetime_value: 80, total_orders: 1 });
    // Shopify sends both a cancellation and a refund for a cancelled paid order: it is not subtracted twice.
    one(ev({ type: 'refund', identifiers: { email: 'eve@example.com' }, payload: { total: 50, orderId: 'B' } }));
    expect(profile(id)).toMatchObject({ lifetime_value: 80, total_orders: 1 });
    // An order's refunds never take back more than it cost.
    one(ev({ type: 'refund', identifiers: { email: 'eve@example.com' }, payload: { total: 500, orderId: 'A' } }));
    expect(profile(id)).toMatchObject({ lifetime_value: 0, total_orders: 1 });
  });

  it('publishes every stored event to the streams in the same transaction', () => {
    one(purchase({ email: 'fay@example.com' }, 1));
    one(ev({ type: 'visit' }));
    const streams = backend.db.sqlite
      .prepare('SELECT stream, count(*) AS n FROM stream_message GROUP BY stream ORDER BY stream')
      .all() as { stream: string; n: number }[];
    expect(streams).toEqual([
      { stream: 'events.normalized', n: 2 },
      { stream: 'events.raw', n: 2 },
      { stream: 'predictions.requests', n: 1 },
    ]);
  });

  it('is all or nothing: a failing batch leaves nothing behind', () => {
    const good = purchase({ email: 'gil@example.com' }, 5);
    const bad = { ...purchase({ email: 'hal@example.com' }, 5), occurredAt: 'not a date' };
    expect(() => ingestEvents(backend.ctx, [good, bad])).toThrow();
    expect(count('SELECT count(*) FROM customer_raw_event')).toBe(0);
    expect(profileCount()).toBe(0);
  });
});
