/**
 * A seeded population of shoppers with known truth, for identity benchmarks
 * and tests. Each person emits events from several sources (api, shopify,
 * pos, whatsapp) the way those systems really send them: emails in mixed
 * case with stray spaces, UK phone numbers in every format people and
 * systems write them, families sharing one phone (and sometimes a home
 * tablet) with an email each, people known only by phone, loyalty cards that
 * get an email later, people whose account changes email, placeholder values
 * typed at the till, first names in capitals or cut to an initial, and
 * anonymous events. As the real exports do (PROTOCOLS.md: Square "Customer
 * Name", Loyverse "Customer name", WhatsApp `contacts[].profile.name`), a
 * till sale with a customer attached usually carries the customer's name and
 * an incoming WhatsApp message the sender's profile name. Same seed, same
 * population.
 *
 * The event schema carries one email per event, so "two emails in one event"
 * is modelled the way a source actually sends it: an account id (Shopify
 * customer id) seen first with one email and later with the other.
 */
import { mulberry32 } from '../../main/core/ml/learners/random';
import type { EventInput, IdentifiersInput } from '../../shared/events';

/** mulberry32, the generator the models use (one implementation: the same sequence everywhere). */
export const seededRandom = mulberry32;

export type PersonKind =
  /** Email and phone, shops online and in store, some use WhatsApp. */
  | 'regular'
  /** Email only: Shopify and the website. */
  | 'online_only'
  /** Phone only: the till and WhatsApp. */
  | 'phone_only'
  /** A loyalty card scanned at the till; an email given later. */
  | 'loyalty_then_email'
  /** 2–4 people sharing one phone (and sometimes a home tablet's cookie), each with their own email. */
  | 'family'
  /** Changes the email on their Shopify account: two emails linked by one account. */
  | 'two_emails';

export const PERSON_KINDS: readonly PersonKind[] = [
  'regular',
  'online_only',
  'phone_only',
  'loyalty_then_email',
  'family',
  'two_emails',
];

export type Source = 'api' | 'shopify' | 'pos' | 'whatsapp';

/** A UK number as its area code and subscriber part, so it can be written every way. */
export interface Phone {
  e164: string;
  area: string;
  rest: string;
  mobile: boolean;
}

export interface Person {
  id: number;
  kind: PersonKind;
  firstName: string;
  lastName: string;
  /** Normalised emails (the truth); two for `two_emails`. */
  emails: string[];
  phone: Phone | null;
  familyId: number | null;
  /** For families: the member whose phone it is (the only one on WhatsApp with it). */
  ownsPhone: boolean;
  shopifyId: string | null;
  posId: string | null;
  loyaltyId: string | null;
  whatsappUserId: string | null;
  cookieId: string | null;
}

export interface PopulationEvent {
  input: EventInput;
  /** The person who really caused it; null for anonymous events. */
  personId: number | null;
  kind: PersonKind | 'anonymous';
  /** At least one identifier on it is a real value of its person (not a placeholder). */
  identified: boolean;
  /** Carries only identifiers a family shares (the family phone or tablet), none of the member's own. */
  sharedOnly: boolean;
  /** The identifier fields holding a real value (placeholders left out). */
  carries: string[];
}

export interface PopulationOptions {
  persons: number;
  seed?: number;
  /** Events happen between these two instants. */
  start?: string;
  end?: string;
  /** Share of events that are anonymous (no usable identifier at all). */
  anonymousShare?: number;
  /** Chance that an event gets an extra placeholder field (`N/A`, `0000000000`, `WALKIN`…). */
  placeholderRate?: number;
  /** Chance that a real field on an event is replaced by a placeholder. */
  placeholderReplaceRate?: number;
  /**
   * Chance that a till event for someone who gives no phone carries a number
   * the clerk typed instead: the shop's own (`shopPhone`) or a made-up one.
   * Off by default; configure `shopPhone` in the shop's settings to test that it is refused.
   */
  tillJunkPhoneRate?: number;
  shopPhone?: string;
}

export interface Population {
  persons: Person[];
  /** In chronological order, external ids unique. */
  events: PopulationEvent[];
  /** Events given an extra field so that each person's events are connected by what they carry. */
  bridgedEvents: number;
  /** People whose events still fall in two groups nothing links (say, website visits and WhatsApp only). */
  unlinkablePersons: number;
}

const KIND_SHARES: [PersonKind, number][] = [
  ['regular', 0.55],
  ['online_only', 0.13],
  ['phone_only', 0.1],
  ['loyalty_then_email', 0.1],
  // A family is 2–4 people, so about 16% of people are in one.
  ['family', 0.06],
  ['two_emails', 0.06],
];

export const FIRST_NAMES = [
  'Oliver',
  'Amelia',
  'George',
  'Isla',
  'Harry',
  'Ava',
  'Noah',
  'Mia',
  'Jack',
  'Ivy',
  'Leo',
  'Lily',
  'Arthur',
  'Freya',
  'Muhammad',
  'Grace',
  'Oscar',
  'Sophia',
  'Charlie',
  'Emily',
  'Jacob',
  'Ella',
  'Thomas',
  'Poppy',
  'Priya',
  'Aisha',
  'Wei',
  'Zofia',
  'Kwame',
  'Siobhan',
];
export const LAST_NAMES = [
  'Smith',
  'Jones',
  'Taylor',
  'Brown',
  'Williams',
  'Wilson',
  'Johnson',
  'Davies',
  'Patel',
  'Wright',
  'Robinson',
  'Thompson',
  'Evans',
  'Walker',
  'White',
  'Roberts',
  'Green',
  'Hall',
  'Khan',
  'Lewis',
  'Hughes',
  'Clarke',
  'Ahmed',
  "O'Brien",
  'Nowak',
  'Chen',
  'Murphy',
  'Singh',
  'Okafor',
  'Kaur',
];
const DOMAINS = [
  'gmail.com',
  'gmail.com',
  'gmail.com',
  'hotmail.co.uk',
  'yahoo.co.uk',
  'outlook.com',
  'icloud.com',
  'btinternet.com',
  'live.co.uk',
  'sky.com',
];

const EMAIL_PLACEHOLDERS = ['N/A', 'null', 'test@test.com', 'none', 'NULL', 'no email', 'n/a'];
const PHONE_PLACEHOLDERS = ['0000000000', 'N/A', '0', 'null', '00000000000', '-'];
const POS_PLACEHOLDERS = ['WALKIN', 'WALK-IN', 'guest', '0', 'null', 'CASH'];
const LOYALTY_PLACEHOLDERS = ['null', 'N/A', 'none'];
const MADE_UP_PHONES = ['01234 567890', '07123 456789', '0123456789'];

const DAY = 86_400_000;
const ID_FIELD: Partial<Record<keyof IdentifiersInput, keyof Person>> = {
  loyalty_id: 'loyaltyId',
  cookie_id: 'cookieId',
  shopify_customer_id: 'shopifyId',
  pos_customer_id: 'posId',
  whatsapp_user_id: 'whatsappUserId',
};
const SHARED: ReadonlySet<string> = new Set(['phone', 'whatsapp']);
const SHARED_WITH_TABLET: ReadonlySet<string> = new Set(['phone', 'whatsapp', 'cookie_id']);

/** Every way a UK number arrives: typed at a till, from Shopify, from WhatsApp, from a spreadsheet. */
export function phoneFormats(phone: Phone): (string | number)[] {
  const { area, rest } = phone;
  const national = `${area}${rest}`;
  const spaced =
    rest.length === 8
      ? `${rest.slice(0, 4)} ${rest.slice(4)}`
      : rest.length === 7
        ? `${rest.slice(0, 3)} ${rest.slice(3)}`
        : rest;
  const dashed = rest.length === 6 ? `${rest.slice(0, 3)}-${rest.slice(3)}` : spaced.replace(' ', '-');
  return [
    `0${area} ${spaced}`, // 07700 900123
    `+44 ${area} ${spaced}`, // +44 7700 900123
    `44${national}`, // 447700900123 (WhatsApp wa_id)
    `0044 ${area} ${spaced}`, // 0044 7700 900123
    `(0${area}) ${dashed}`, // (07700) 900-123
    `0${national}`, // 07700900123
    `+44${national}`, // +447700900123 (Shopify)
    `+44 (0)${area} ${spaced}`, // +44 (0)7700 900123
    ` 0${area}-${dashed.replace(' ', '-')} `, // stray spaces and dashes
    Number(`44${national}`), // a number column in a spreadsheet
    national, // leading zero eaten by a spreadsheet
  ];
}

/** A first name as tills and forms write it: mostly as given, sometimes shouting, padded or cut to an initial. */
export function nameVariant(name: string, random: () => number): string {
  const r = random();
  if (r < 0.8) return name;
  if (r < 0.88) return name.toUpperCase();
  if (r < 0.94) return ` ${name} `;
  return `${name.charAt(0)}.`;
}

export function emailVariant(email: string, random: () => number): string {
  const r = random();
  const title = () =>
    email
      .split('@')
      .map((part) => part.replace(/(^|[.\-_])([a-z])/g, (_m, sep: string, c: string) => sep + c.toUpperCase()))
      .join('@');
  if (r < 0.45) return email;
  if (r < 0.6) return title();
  if (r < 0.7) return email.toUpperCase();
  if (r < 0.85) return random() < 0.5 ? ` ${email}` : `${email}  `;
  if (r < 0.93) return ` ${title()} `;
  return `\t${email.replace(/^./, (c) => c.toUpperCase())}`;
}

export function generatePopulation(options: PopulationOptions): Population {
  const random = seededRandom(options.seed ?? 20260301);
  const start = Date.parse(options.start ?? '2024-03-01T00:00:00Z');
  const end = Date.parse(options.end ?? '2026-03-01T00:00:00Z');
  const anonymousShare = options.anonymousShare ?? 0.1;
  const placeholderRate = options.placeholderRate ?? 0.1;
  const placeholderReplaceRate = options.placeholderReplaceRate ?? 0.03;
  const tillJunkPhoneRate = options.tillJunkPhoneRate ?? 0;
  const shopPhone = options.shopPhone ?? '01632 960000';

  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const chance = (p: number) => random() < p;

  const usedEmails = new Set<string>();
  const usedPhones = new Set<string>();
  let counter = 0;
  const nextId = (prefix: string, width = 7) => `${prefix}${String(++counter).padStart(width, '0')}`;

  const newEmail = (first: string, last: string): string => {
    for (;;) {
      const f = first.toLowerCase();
      const l = last.toLowerCase().replace(/'/g, '');
      const n = Math.floor(random() * 10_000);
      const local = pick([`${f}.${l}${n}`, `${f}${l}${n}`, `${f[0]}${l}${n}`, `${f}_${l}.${n}`, `${l}.${f}${n}`]);
      const email = `${local}@${pick(DOMAINS)}`;
      if (!usedEmails.has(email)) {
        usedEmails.add(email);
        return email;
      }
    }
  };
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 10)).join('');
  const newPhone = (mobile: boolean): Phone => {
    for (;;) {
      let area: string;
      let rest: string;
      if (mobile) {
        area = `7${4 + Math.floor(random() * 6)}${digits(2)}`;
        rest = digits(6);
      } else if (chance(0.5)) {
        area = '20';
        rest = `${7 + Math.floor(random() * 2)}${digits(7)}`;
      } else {
        area = pick(['161', '113', '121', '117', '131', '141', '151']);
        rest = `${2 + Math.floor(random() * 7)}${digits(6)}`;
      }
      const national = `${area}${rest}`;
      if (/^(\d)\1+$/.test(national) || usedPhones.has(national)) continue;
      usedPhones.add(national);
      return { e164: `+44${national}`, area, rest, mobile };
    }
  };

  // People.
  const persons: Person[] = [];
  const person = (kind: PersonKind, extra: Partial<Person> = {}): Person => {
    const firstName = pick(FIRST_NAMES);
    const lastName = extra.lastName ?? pick(LAST_NAMES);
    const p: Person = {
      id: persons.length + 1,
      kind,
      firstName,
      lastName,
      emails: [newEmail(firstName, lastName)],
      phone: null,
      familyId: null,
      ownsPhone: true,
      shopifyId: null,
      posId: null,
      loyaltyId: null,
      whatsappUserId: null,
      cookieId: nextId('ck_', 9),
      ...extra,
    };
    persons.push(p);
    return p;
  };
  let families = 0;
  const sharedCookies = new Set<string>();
  while (persons.length < options.persons) {
    let r = random();
    let kind: PersonKind = 'regular';
    for (const [k, share] of KIND_SHARES) {
      if (r < share) {
        kind = k;
        break;
      }
      r -= share;
    }
    switch (kind) {
      case 'regular':
        person(kind, {
          phone: newPhone(chance(0.9)),
          shopifyId: chance(0.7) ? nextId('') : null,
          posId: chance(0.6) ? nextId('C') : null,
          loyaltyId: chance(0.3) ? nextId('LOY') : null,
          whatsappUserId: chance(0.5) ? nextId('wa.') : null,
        });
        break;
      case 'online_only':
        person(kind, { shopifyId: chance(0.6) ? nextId('') : null });
        break;
      case 'phone_only':
        person(kind, {
          emails: [],
          phone: newPhone(chance(0.9)),
          posId: chance(0.5) ? nextId('C') : null,
          whatsappUserId: chance(0.6) ? nextId('wa.') : null,
          cookieId: null,
        });
        break;
      case 'loyalty_then_email':
        person(kind, { loyaltyId: nextId('LOY'), shopifyId: chance(0.4) ? nextId('') : null });
        break;
      case 'two_emails': {
        const p = person(kind, { shopifyId: nextId(''), phone: chance(0.7) ? newPhone(true) : null });
        p.emails.push(newEmail(p.firstName, p.lastName));
        break;
      }
      case 'family': {
        const familyId = ++families;
        const size = 2 + Math.floor(random() * 3);
        const phone = newPhone(chance(0.5));
        const lastName = pick(LAST_NAMES);
        const tablet = chance(0.25) ? nextId('ck_', 9) : null;
        if (tablet) sharedCookies.add(tablet);
        for (let m = 0; m < size; m++) {
          const own = person('family', {
            lastName,
            phone,
            familyId,
            ownsPhone: m === 0,
            shopifyId: chance(0.5) ? nextId('') : null,
            posId: chance(0.4) ? nextId('C') : null,
            loyaltyId: chance(0.2) ? nextId('LOY') : null,
            whatsappUserId: m === 0 && phone.mobile && chance(0.6) ? nextId('wa.') : null,
          });
          if (tablet) own.cookieId = tablet;
        }
        break;
      }
    }
  }
  if (persons.length > options.persons) persons.length = options.persons;

  // Events.
  interface Draft {
    at: number;
    source: Source;
    type: EventInput['type'];
    identifiers: IdentifiersInput;
    /** Field → the truth it carries ("email:ann@…", "phone:+44…"); placeholders are absent. */
    real: Map<keyof IdentifiersInput, string>;
    payload: Record<string, unknown>;
    person: Person | null;
  }
  const drafts: Draft[] = [];
  let orders = 0;

  const phoneAs = (phone: Phone, source: Source): string | number => {
    const formats = phoneFormats(phone);
    if (source === 'whatsapp' && chance(0.6)) return formats[2] as string;
    if (source === 'shopify' && chance(0.5)) return formats[6] as string;
    return pick(formats);
  };
  const itemsFor = () => {
    const n = 1 + Math.floor(random() * 3);
    return Array.from({ length: n }, () => {
      const sku = `SKU-${100 + Math.floor(random() * 400)}`;
      return {
        sku,
        title: `Product ${sku}`,
        quantity: 1 + Math.floor(random() * 2),
        price: 5 + Math.floor(random() * 9000) / 100,
      };
    });
  };
  const purchasePayload = (source: Source) => {
    const items = itemsFor();
    const total = Math.round(items.reduce((s, i) => s + i.price * i.quantity, 0) * 100) / 100;
    return { orderId: `${source === 'shopify' ? '#' : 'R'}${++orders}`, total, currency: 'GBP', items };
  };

  const sourcesFor = (p: Person): [Source, number][] => {
    switch (p.kind) {
      case 'regular':
        return [
          ['shopify', 0.35],
          ['pos', 0.3],
          ['whatsapp', p.whatsappUserId ? 0.15 : 0],
          ['api', 0.2],
        ];
      case 'online_only':
        return [
          ['shopify', 0.6],
          ['api', 0.4],
        ];
      case 'phone_only':
        return [
          ['pos', 0.6],
          ['whatsapp', 0.4],
        ];
      case 'family':
        return [
          ['shopify', 0.35],
          ['pos', 0.4],
          ['whatsapp', p.ownsPhone && p.phone?.mobile ? 0.15 : 0],
          ['api', 0.15],
        ];
      default:
        return [
          ['shopify', 0.5],
          ['pos', 0.25],
          ['api', 0.25],
        ];
    }
  };
  const chooseSource = (p: Person): Source => {
    const weights = sourcesFor(p).filter(([, w]) => w > 0);
    const total = weights.reduce((s, [, w]) => s + w, 0);
    let r = random() * total;
    for (const [source, w] of weights) {
      if (r < w) return source;
      r -= w;
    }
    return (weights[weights.length - 1] as [Source, number])[0];
  };

  const truthKey = (p: Person, type: keyof IdentifiersInput, email: string | undefined): string =>
    type === 'email'
      ? `email:${email}`
      : type === 'phone' || type === 'whatsapp'
        ? `phone:${p.phone?.e164}`
        : `${type}:${p[ID_FIELD[type] as keyof Person]}`;

  /**
   * A person whose events share no identifier across two groups (online orders
   * without a phone, till visits without an email) cannot be recognised by
   * anyone. Real shops ask for the missing link now and then (an e-receipt
   * email at the till, a phone at checkout, a login on the website): add one
   * such field to an event until the person's events are connected.
   * Returns how many events were given a link.
   */
  const unlinkable = (added: number) => {
    unlinkablePersons++;
    return added;
  };
  const connect = (p: Person, own: Draft[]): number => {
    const carries: Record<Source, ('email' | 'phone')[]> = {
      pos: ['email', 'phone'],
      shopify: ['email', 'phone'],
      api: ['email'],
      whatsapp: [],
    };
    const give = (d: Draft, field: 'email' | 'phone', key: string) => {
      if (field === 'email') d.identifiers.email = emailVariant(key.slice('email:'.length), random);
      else if (p.phone) d.identifiers.phone = phoneAs(p.phone, d.source);
      d.real.set(field, key);
    };
    let added = 0;
    for (let guard = 0; guard < 80; guard++) {
      const first = own.findIndex((d) => d.real.size > 0);
      if (first < 0) return added;
      const reached = new Set<number>([first]);
      const keys = new Set<string>();
      const queue = [first];
      while (queue.length > 0) {
        const d = own[queue.pop() as number] as Draft;
        for (const k of d.real.values()) keys.add(k);
        own.forEach((o, j) => {
          if (!reached.has(j) && [...o.real.values()].some((k) => keys.has(k))) {
            reached.add(j);
            queue.push(j);
          }
        });
      }
      const strays = own.filter((d, j) => !reached.has(j) && d.real.size > 0);
      if (strays.length === 0) return added;
      const linked = own.filter((_d, j) => reached.has(j));
      let done = false;
      for (const d of strays) {
        // The stray event asks for a field the person already gave elsewhere…
        for (const field of carries[d.source]) {
          const key = d.real.has(field) ? undefined : [...keys].find((k) => k.startsWith(`${field}:`));
          if (key) {
            give(d, field, key);
            done = true;
            break;
          }
        }
        if (done) break;
        // …or a connected event asks for one the stray event carries.
        const strayKeys = [...d.real.values()];
        for (const r of linked) {
          for (const field of carries[r.source]) {
            const key = r.real.has(field) ? undefined : strayKeys.find((k) => k.startsWith(`${field}:`));
            if (key) {
              give(r, field, key);
              done = true;
              break;
            }
          }
          if (done) break;
        }
        if (done) break;
      }
      if (!done) {
        // Nothing links them yet: the person gives their email (or phone) on both sides once.
        for (const d of strays) {
          const field = p.emails[0] && carries[d.source].includes('email') ? 'email' : 'phone';
          const key = field === 'email' ? `email:${p.emails[0]}` : `phone:${p.phone?.e164}`;
          const r = linked.find((o) => carries[o.source].includes(field) && !o.real.has(field));
          if ((field === 'phone' && !p.phone) || !carries[d.source].includes(field) || d.real.has(field) || !r)
            continue;
          give(d, field, key);
          give(r, field, key);
          added++;
          done = true;
          break;
        }
        if (!done) return unlinkable(added);
      }
      added++;
    }
    return unlinkable(added);
  };

  const eventFor = (
    p: Person,
    at: number,
    source: Source,
    email: string | undefined,
    phase: 'normal' | 'loyalty_only' | 'bridge',
  ): Draft => {
    const ids: IdentifiersInput = {};
    const real: Draft['real'] = new Map();
    const set = (type: keyof IdentifiersInput, value: string | number) => {
      ids[type] = value;
      real.set(type, truthKey(p, type, email));
    };
    let type: EventInput['type'];
    let payload: Record<string, unknown> = {};
    const phone = p.phone;
    if (phase === 'loyalty_only') {
      set('loyalty_id', p.loyaltyId as string);
      type = chance(0.5) ? 'loyalty_scan' : 'purchase';
      if (type === 'purchase') payload = purchasePayload('pos');
    } else if (phase === 'bridge') {
      if (p.kind === 'two_emails') set('shopify_customer_id', p.shopifyId as string);
      else set('loyalty_id', p.loyaltyId as string);
      if (email) set('email', emailVariant(email, random));
      type = 'profile_update';
      payload = { firstName: nameVariant(p.firstName, random), lastName: p.lastName, emailConsent: chance(0.6) };
    } else {
      switch (source) {
        case 'shopify': {
          if (email) set('email', emailVariant(email, random));
          if (p.shopifyId && (p.kind === 'two_emails' || chance(0.9))) set('shopify_customer_id', p.shopifyId);
          if (phone && chance(p.kind === 'family' ? 0.4 : 0.55)) set('phone', phoneAs(phone, source));
          const r = random();
          type = r < 0.6 ? 'purchase' : r < 0.8 ? 'checkout_started' : 'cart_add';
          payload =
            type === 'purchase'
              ? { ...purchasePayload(source), firstName: nameVariant(p.firstName, random), lastName: p.lastName }
              : { items: itemsFor() };
          break;
        }
        case 'pos': {
          const phoneChance = p.kind === 'phone_only' ? 0.95 : p.kind === 'family' ? 0.8 : 0.75;
          if (phone && chance(phoneChance)) set('phone', phoneAs(phone, source));
          else if (!phone && tillJunkPhoneRate > 0 && chance(tillJunkPhoneRate))
            ids.phone = chance(0.6) ? shopPhone : pick(MADE_UP_PHONES);
          if (p.posId && chance(0.85)) set('pos_customer_id', p.posId);
          if (p.loyaltyId && chance(0.7)) set('loyalty_id', p.loyaltyId);
          if (email && chance(p.kind === 'family' ? 0.55 : 0.25)) set('email', emailVariant(email, random));
          const r = random();
          type = r < 0.7 ? 'purchase' : r < 0.85 ? 'loyalty_scan' : 'visit';
          payload = type === 'purchase' ? purchasePayload(source) : {};
          // A sale with a customer attached carries the customer's name (Square "Customer Name", Loyverse
          // "Customer name"); a clerk sometimes leaves it out.
          if (chance(real.size > 0 ? 0.9 : 0.3))
            payload = { ...payload, firstName: nameVariant(p.firstName, random), lastName: p.lastName };
          break;
        }
        case 'whatsapp': {
          if (phone) set('whatsapp', phoneAs(phone, source));
          if (p.whatsappUserId && chance(0.9)) set('whatsapp_user_id', p.whatsappUserId);
          type = chance(0.7) ? 'message_in' : 'message_out';
          payload = { text: type === 'message_in' ? 'Hi, is this in stock?' : 'Yes, we have it.', channel: 'whatsapp' };
          // An incoming message carries the sender's WhatsApp profile name; some people's is a nickname or emoji.
          if (type === 'message_in' && chance(0.85))
            payload = { ...payload, firstName: nameVariant(p.firstName, random) };
          break;
        }
        default: {
          if (p.cookieId) set('cookie_id', p.cookieId);
          if (email && chance(0.45)) set('email', emailVariant(email, random));
          const r = random();
          type = r < 0.5 ? 'product_view' : r < 0.7 ? 'search' : r < 0.85 ? 'cart_add' : 'visit';
          payload =
            type === 'search'
              ? { query: pick(['shoes', 'red dress', 'gift card', 'sale']) }
              : type === 'product_view'
                ? { items: itemsFor().slice(0, 1) }
                : {};
        }
      }
    }
    // Placeholders: typed into an empty field, or instead of the real value.
    const placeholderFor = (field: keyof IdentifiersInput): string =>
      field === 'email'
        ? pick(EMAIL_PLACEHOLDERS)
        : field === 'phone'
          ? pick(PHONE_PLACEHOLDERS)
          : field === 'pos_customer_id'
            ? pick(POS_PLACEHOLDERS)
            : pick(LOYALTY_PLACEHOLDERS);
    const fields: (keyof IdentifiersInput)[] =
      source === 'pos'
        ? ['email', 'phone', 'pos_customer_id', 'loyalty_id']
        : source === 'shopify'
          ? ['phone', 'email']
          : ['email'];
    if (chance(placeholderRate)) {
      const empty = fields.filter((f) => ids[f] === undefined);
      if (empty.length > 0) {
        const f = pick(empty);
        ids[f] = placeholderFor(f);
      }
    }
    if (chance(placeholderReplaceRate)) {
      const present = fields.filter((f) => real.has(f));
      if (present.length > 0) {
        const f = pick(present);
        ids[f] = placeholderFor(f);
        real.delete(f);
      }
    }
    return { at, source, type, identifiers: ids, real, payload, person: p };
  };

  let bridgedEvents = 0;
  let unlinkablePersons = 0;
  for (const p of persons) {
    const count = Math.min(
      40,
      Math.max(
        p.kind === 'loyalty_then_email' || p.kind === 'two_emails' ? 4 : 1,
        2 + Math.floor(-Math.log(1 - random()) * 4),
      ),
    );
    // Gaps of about a month, squeezed to fit the window when a person is very active.
    const first = start + random() * (end - start) * 0.85;
    const gaps = Array.from({ length: count }, (_, i) => (i === 0 ? 0 : -Math.log(1 - random()) * 30 * DAY));
    const span = gaps.reduce((a, b) => a + b, 0);
    const squeeze = span > end - first - 1 ? (end - first - 1) / span : 1;
    const bridgeAt =
      p.kind === 'loyalty_then_email' || p.kind === 'two_emails' ? 1 + Math.floor(random() * (count - 2)) : -1;
    const own: Draft[] = [];
    let at = first;
    for (let i = 0; i < count; i++) {
      at += (gaps[i] as number) * squeeze;
      let phase: 'normal' | 'loyalty_only' | 'bridge' = 'normal';
      let email = p.emails[0];
      let source = chooseSource(p);
      if (p.kind === 'loyalty_then_email') {
        if (i < bridgeAt) {
          phase = 'loyalty_only';
          source = 'pos';
        } else if (i === bridgeAt) {
          phase = 'bridge';
          source = chance(0.5) ? 'pos' : 'api';
        }
      } else if (p.kind === 'two_emails') {
        // The account is opened with the first email, later changed to the second.
        if (i === 0) source = 'shopify';
        if (i === bridgeAt) {
          phase = 'bridge';
          source = 'shopify';
          email = p.emails[1];
        } else if (i > bridgeAt && source !== 'pos') {
          email = p.emails[1];
        }
      }
      own.push(eventFor(p, Math.floor(at), source, email, phase));
    }
    bridgedEvents += connect(p, own);
    drafts.push(...own);
  }

  // Anonymous events: browsing without a cookie we keep, walk-ins at the till.
  const anonymous = Math.round((drafts.length * anonymousShare) / (1 - anonymousShare));
  for (let i = 0; i < anonymous; i++) {
    const at = Math.floor(start + random() * (end - start));
    if (chance(0.5)) {
      drafts.push({
        at,
        source: 'api',
        type: 'product_view',
        identifiers: {},
        real: new Map(),
        payload: { items: itemsFor().slice(0, 1) },
        person: null,
      });
    } else {
      const identifiers: IdentifiersInput = pick<IdentifiersInput>([
        {},
        { pos_customer_id: pick(POS_PLACEHOLDERS) },
        { phone: pick(PHONE_PLACEHOLDERS), email: pick(EMAIL_PLACEHOLDERS) },
        { pos_customer_id: 'WALKIN', phone: '0000000000' },
      ]);
      drafts.push({
        at,
        source: 'pos',
        type: 'purchase',
        identifiers,
        real: new Map(),
        payload: purchasePayload('pos'),
        person: null,
      });
    }
  }

  const sharedOnly = (d: Draft): boolean => {
    const p = d.person;
    if (p?.kind !== 'family' || d.real.size === 0) return false;
    const shared = p.cookieId && sharedCookies.has(p.cookieId) ? SHARED_WITH_TABLET : SHARED;
    return [...d.real.keys()].every((t) => shared.has(t));
  };
  drafts.sort((a, b) => a.at - b.at);
  const events = drafts.map(
    (d, i): PopulationEvent => ({
      input: {
        type: d.type,
        occurredAt: new Date(d.at).toISOString(),
        source: d.source,
        externalId: `${d.source}-${i + 1}`,
        identifiers: d.identifiers,
        payload: d.payload,
      },
      personId: d.person?.id ?? null,
      kind: d.person?.kind ?? 'anonymous',
      identified: d.real.size > 0,
      sharedOnly: sharedOnly(d),
      carries: [...d.real.keys()].sort(),
    }),
  );
  return { persons, events, bridgedEvents, unlinkablePersons };
}
