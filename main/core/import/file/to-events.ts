/**
 * Rows of a recognised file → canonical events, or rejections with the reason
 * in shop words.
 *
 * - Customers files: each row is a `profile_update` (identifiers, names,
 *   consent). Its natural key is a fingerprint of the row, so the same row
 *   again is a duplicate and a changed row (new consent) is applied.
 * - Transaction files: rows sharing an order/receipt/transaction id are one
 *   order (Shopify's orders export has one row per line item; Square one per
 *   item sold). An order is a `purchase` with its items; a refund row (receipt
 *   type "Refund", Square event type "Refund", or a negative amount) is a
 *   `refund`; Shopify's "Refunded Amount" adds a refund to its order. The
 *   natural key is the order id (Shopify orders use the order's `Id`, as its
 *   webhooks do, so an export overlapping the webhooks adds nothing); files
 *   without ids use a fingerprint of the row.
 * - Placeholder customers (`WALKIN`, `Guest`, `N/A`…) are left off: their
 *   sales stay anonymous sales (counted in revenue, on no profile).
 */
import { createHash } from 'node:crypto';
import {
  type EventInput,
  eventInputSchema,
  type IdentifiersInput,
  type Item,
  type ParsedEvent,
} from '../../../../shared/events';
import { isPlaceholder } from '../../identity/normalize';
import { snippet } from './row-guard';
import { type ColumnRole, FORMAT_KINDS, FORMAT_SOURCES, type Recognition, type RoleValues } from './types';
import { parseConsent, parseDateTime, parseMoney, parseQuantity, splitContacts, splitFullName } from './values';

export interface MappedRow {
  /** The row's number counting the header as row 1 (blank lines skipped; a cell with line breaks is one row). */
  row: number;
  cells: string[];
}

export interface Rejection extends MappedRow {
  reason: string;
}

export interface Mapped {
  events: { event: ParsedEvent; rows: MappedRow[] }[];
  rejected: Rejection[];
}

type Settings = Pick<Recognition, 'format' | 'headers' | 'roles' | 'decimalComma' | 'dateOrder'>;

const REFUND_WORDS = /refund|return/i;

/**
 * Rows one order may have (an event carries at most 1,000 items): an order's rows are held until the next order
 * starts, so a file repeating one order number row after row would otherwise be held whole in memory.
 */
export const MAX_ORDER_ROWS = 1000;

/** The key prefix of the refund an orders export's "Refunded Amount" becomes. */
export const REFUNDED_SO_FAR = 'refunded-so-far:';

/** Placeholder customer names tills use for walk-ins. */
const PLACEHOLDER_NAMES = new Set([
  'walkin',
  'walk in',
  'walk-in',
  'guest',
  'n/a',
  'na',
  'none',
  'customer',
  'cash customer',
]);

const fingerprint = (cells: string[]) =>
  createHash('sha1')
    .update(cells.map((c) => c.trim()).join('\u0001'))
    .digest('base64url')
    .slice(0, 22);

export class RowMapper {
  private readonly kind: 'customers' | 'transactions';
  private readonly source: string;
  /** Column index of Shopify's numeric order `Id` (its webhooks' order id), when present. */
  private readonly shopifyIdColumn: number;
  /** Column index of Shopify's `Cancelled at`, when present: a cancelled order also gets its cancellation. */
  private readonly cancelledColumn: number;
  /** Column index of Square's `Payment ID`: each refund of a transaction has its own. */
  private readonly paymentColumn: number;
  private pending: MappedRow[] = [];
  private pendingKey: string | null = null;
  /** An order found to have more than MAX_ORDER_ROWS rows: its further rows are rejected as they come. */
  private oversized: string | null = null;
  /** Each order (and refund) key met in this file, with a hash of its rows. */
  private readonly seenOrders = new SeenOrders();
  /** Each role's first column (see columnOf). */
  private readonly columns = new Map<ColumnRole, number>();

  constructor(
    private readonly settings: Settings,
    /** When a customers file's rows happened (the file carries no date): the import's start. */
    private readonly now: Date,
  ) {
    this.kind = FORMAT_KINDS[settings.format];
    this.source = FORMAT_SOURCES[settings.format];
    const shopifyColumn = (name: string) =>
      settings.format === 'shopify_orders' ? settings.headers.findIndex((h) => h.trim().toLowerCase() === name) : -1;
    this.shopifyIdColumn = shopifyColumn('id');
    this.paymentColumn =
      settings.format === 'square_item_sales'
        ? settings.headers.findIndex((h) => h.trim().toLowerCase() === 'payment id')
        : -1;
    this.cancelledColumn = shopifyColumn('cancelled at');
  }

  /** Rows in file order; an order's rows are held until a row of another order (or `end`) arrives. */
  push(rows: MappedRow[]): Mapped {
    const out: Mapped = { events: [], rejected: [] };
    for (const row of rows) {
      if (this.kind === 'customers') {
        this.customer(row, out);
        continue;
      }
      const id = this.value(row.cells, 'order_id')?.trim() || null;
      // A refund row of a transaction is never part of its sale (Square gives both the same Transaction ID), and
      // each refund of it is its own (Square gives each its own Payment ID).
      const payment = this.paymentColumn >= 0 ? (row.cells[this.paymentColumn]?.trim() ?? '') : '';
      const key = id === null ? null : `${id}\u0001${this.isRefundRow(row.cells) ? 'refund' : 'sale'}\u0001${payment}`;
      if (
        key !== null &&
        (key === this.oversized || (key === this.pendingKey && this.pending.length >= MAX_ORDER_ROWS))
      ) {
        const reason = `order “${snippet(id ?? '')}” has more than ${MAX_ORDER_ROWS.toLocaleString('en')} rows; no order has that many items, so check the column chosen for the order number`;
        for (const held of [...this.pending, row]) out.rejected.push({ ...held, reason });
        this.pending = [];
        this.pendingKey = null;
        this.oversized = key;
        continue;
      }
      this.oversized = null;
      // Shopify repeats the order name on every line-item row; a row without an id is an order of its own.
      if (this.pending.length > 0 && (key === null || key !== this.pendingKey)) this.flushOrder(out);
      this.pending.push(row);
      this.pendingKey = key;
      if (key === null) this.flushOrder(out);
    }
    return out;
  }

  end(): Mapped {
    const out: Mapped = { events: [], rejected: [] };
    if (this.pending.length > 0) this.flushOrder(out);
    return out;
  }

  private value(cells: string[], role: ColumnRole): string | undefined {
    const index = this.columnOf(role);
    if (index < 0) return undefined;
    const cell = cells[index];
    return cell === undefined || cell.trim() === '' ? undefined : cell.trim();
  }

  /** The first column of a role (-1: none), looked up once per role: this runs for several cells of every row. */
  private columnOf(role: ColumnRole): number {
    let index = this.columns.get(role);
    if (index === undefined) {
      index = this.settings.roles.indexOf(role);
      this.columns.set(role, index);
    }
    return index;
  }

  private values(cells: string[]): RoleValues {
    const out: RoleValues = {};
    this.addValues(cells, out);
    return out;
  }

  /** A row's non-empty cells by role into `out`, each role's first only (kept when `out` already has it). */
  private addValues(cells: string[], out: RoleValues): void {
    const { roles } = this.settings;
    for (let i = 0; i < roles.length; i++) {
      const role = roles[i] as ColumnRole;
      if (role === 'ignore') continue;
      const cell = cells[i]?.trim();
      if (cell) out[role] ??= cell;
    }
  }

  /** Identifiers and names of the customer on a row; placeholders left off. */
  private person(v: RoleValues): { identifiers: IdentifiersInput; firstName?: string; lastName?: string } {
    const identifiers: IdentifiersInput = {};
    const contacts = splitContacts(v.contacts);
    const email = v.email ?? contacts.email;
    const phone = v.phone ?? v.phone_alt ?? contacts.phone;
    if (email) identifiers.email = email;
    if (phone) identifiers.phone = phone;
    // Every phone column counts: a second number (Mobile beside Phone) is stored and matched as well.
    const other = v.phone !== undefined ? (v.phone_alt ?? contacts.phone) : undefined;
    if (other && other !== phone) identifiers.other_phone = other;
    if (v.loyalty_id) identifiers.loyalty_id = v.loyalty_id;
    // A number a spreadsheet wrote as a decimal ("17850.0") is the customer number 17850.
    const customerId = v.customer_id?.replace(/^'/, '').replace(/^(\d+)\.0+$/, '$1');
    if (customerId && !isPlaceholder(customerId) && !PLACEHOLDER_NAMES.has(customerId.toLowerCase())) {
      identifiers[this.source === 'shopify' ? 'shopify_customer_id' : 'pos_customer_id'] = customerId;
    }
    const names = v.full_name ? splitFullName(v.full_name) : { firstName: v.first_name, lastName: v.last_name };
    const placeholderName = v.full_name !== undefined && PLACEHOLDER_NAMES.has(v.full_name.trim().toLowerCase());
    const person: { identifiers: IdentifiersInput; firstName?: string; lastName?: string } = { identifiers };
    if (names.firstName && !placeholderName) person.firstName = names.firstName;
    if (names.lastName && !placeholderName) person.lastName = names.lastName;
    return person;
  }

  private customer(row: MappedRow, out: Mapped): void {
    const v = this.values(row.cells);
    const person = this.person(v);
    if (Object.keys(person.identifiers).length === 0) {
      out.rejected.push({
        ...row,
        reason: 'no email, phone, customer number or loyalty card to recognise the customer by',
      });
      return;
    }
    const emailConsent = parseConsent(v.email_consent);
    const smsConsent = parseConsent(v.sms_consent);
    const whatsappConsent = parseConsent(v.whatsapp_consent);
    this.emit(out, [row], {
      type: 'profile_update',
      occurredAt: this.now.toISOString(),
      externalId: `customer:${fingerprint(row.cells)}`,
      identifiers: person.identifiers,
      payload: {
        ...(person.firstName ? { firstName: person.firstName } : {}),
        ...(person.lastName ? { lastName: person.lastName } : {}),
        ...(emailConsent === undefined ? {} : { emailConsent }),
        ...(smsConsent === undefined ? {} : { smsConsent }),
        ...(whatsappConsent === undefined ? {} : { whatsappConsent }),
      },
    });
  }

  private isRefundRow(cells: string[]): boolean {
    const type = this.value(cells, 'record_type');
    return type !== undefined && REFUND_WORDS.test(type);
  }

  private flushOrder(out: Mapped): void {
    const rows = this.pending;
    const groupKey = this.pendingKey;
    // The order's id: the group key up to its first separator.
    const cut = groupKey === null ? -1 : groupKey.indexOf('\u0001');
    const key = groupKey === null ? null : cut < 0 ? groupKey : groupKey.slice(0, cut);
    this.pending = [];
    this.pendingKey = null;
    const first = rows[0] as MappedRow;
    const merged: RoleValues = {};
    for (const row of rows) this.addValues(row.cells, merged);
    const reject = (reason: string) => {
      for (const row of rows) out.rejected.push({ ...row, reason });
    };
    // The same order further down the file: the very same rows again (an overlapping export) are recognised as
    // already known; other rows would be lost as "already known", so they are rejected with the reason instead.
    if (groupKey !== null) {
      // Rows apart by a separator no cell holds, so ["A", "xB"], ["", "y"] and ["A", "x"], ["B", "y"] differ.
      const text = rows.map((r) => r.cells.map((c) => c.trim()).join('\u0001')).join('\u0002');
      if (!this.seenOrders.remember(groupKey, fnv1a(text), fnv1a(text, 0x9e3779b9))) {
        reject(
          `order “${snippet(key ?? '')}” already appeared higher up in this file with other rows; put all of its rows together`,
        );
        return;
      }
    }

    const when = parseDateTime(
      merged.datetime ?? merged.date,
      merged.datetime ? undefined : merged.time,
      this.settings.dateOrder,
      merged.time_zone,
    );
    if (when === null) {
      reject('no date');
      return;
    }
    if (when === 'invalid') {
      reject(`date “${snippet(merged.datetime ?? merged.date ?? '')}” is not a date`);
      return;
    }

    const money = (role: 'order_total' | 'line_total' | 'line_price' | 'refund_amount', cell: string | undefined) => {
      const parsed = parseMoney(cell, this.settings.decimalComma);
      if (parsed === 'invalid') throw new RowProblem(`${this.header(role)} “${snippet(cell ?? '')}” is not an amount`);
      return parsed;
    };
    const items: Item[] = [];
    let total: number;
    // Unit price × quantity with the quantity's sign: a line export's returns and cancelled invoices (C536379 with
    // −2 of an item) are negative, so an invoice of them is a refund.
    let signedSum = 0;
    /** The rows' line totals added up, in row order. */
    let lineSum = 0;
    let refunded: number | null;
    try {
      for (const row of rows) {
        const title = this.value(row.cells, 'line_title');
        const sku = this.value(row.cells, 'line_sku');
        const lineTotal = money('line_total', this.value(row.cells, 'line_total'));
        const price = money('line_price', this.value(row.cells, 'line_price'));
        const quantityCell = this.value(row.cells, 'line_quantity');
        const quantity = parseQuantity(quantityCell, this.settings.decimalComma);
        if (quantity === 'invalid')
          throw new RowProblem(`${this.header('line_quantity')} “${snippet(quantityCell ?? '')}” is not a quantity`);
        lineSum += lineTotal ?? 0;
        if (title === undefined && sku === undefined && lineTotal === null && price === null) continue;
        const count = quantity === null || quantity === 0 ? 1 : Math.abs(quantity);
        const unit = price ?? (lineTotal === null ? undefined : Math.round((Math.abs(lineTotal) / count) * 100) / 100);
        signedSum += (unit === undefined ? 0 : Math.abs(unit)) * (quantity === null || quantity === 0 ? 1 : quantity);
        const category = this.value(row.cells, 'category');
        // Loyverse writes a receipt's items in one cell: "2 x Croissant, 1 x Café crème".
        const listed = this.settings.format === 'loyverse_receipts' && title ? itemList(title) : undefined;
        if (listed) {
          items.push(...listed);
          continue;
        }
        // Built field by field, not by spreading: this runs for every row of a file.
        const item: Item = {} as Item;
        if (sku) item.sku = sku;
        if (title) item.title = title;
        if (category) item.category = category;
        item.quantity = count;
        if (unit !== undefined) item.price = Math.abs(unit);
        items.push(item);
      }
      const orderTotal = money('order_total', merged.order_total);
      // Loyverse lists a receipt's items in one cell: their prices add up as they are.
      const priceSum =
        this.settings.format === 'loyverse_receipts'
          ? items.reduce((sum, item) => sum + (item.price ?? 0) * item.quantity, 0)
          : signedSum;
      const hasLines = this.settings.roles.includes('line_total');
      total = orderTotal ?? (hasLines ? lineSum : priceSum);
      refunded = money('refund_amount', merged.refund_amount);
    } catch (error) {
      if (error instanceof RowProblem) {
        reject(error.message);
        return;
      }
      throw error;
    }
    total = Math.round(total * 100) / 100;
    const isRefund = (merged.record_type !== undefined && REFUND_WORDS.test(merged.record_type)) || total < 0;
    const person = this.person(merged);
    const shopifyId = this.shopifyIdColumn >= 0 ? first.cells[this.shopifyIdColumn]?.trim() : undefined;
    const orderId = shopifyId || key || undefined;
    const naturalKey = orderId ?? fingerprint(first.cells);
    const currency = merged.currency && /^[a-z]{3}$/i.test(merged.currency) ? merged.currency.toUpperCase() : undefined;
    const common = {
      occurredAt: when,
      identifiers: person.identifiers,
    };
    // Built field by field, not by spreading: this runs for every order of a file.
    const payload = {} as NonNullable<EventInput['payload']>;
    if (person.firstName) payload.firstName = person.firstName;
    if (person.lastName) payload.lastName = person.lastName;
    if (orderId) payload.orderId = orderId;
    if (key && key !== orderId) payload.orderName = key;
    payload.total = Math.abs(total);
    if (currency) payload.currency = currency;
    if (items.length > 0) payload.items = items;
    this.emit(out, rows, {
      ...common,
      type: isRefund ? 'refund' : 'purchase',
      // A transaction can be refunded in parts, each a row of its own: a refund's key includes its row.
      externalId: isRefund
        ? `refund:${naturalKey}:${fingerprint(first.cells)}`
        : this.settings.format === 'shopify_orders' && shopifyId
          ? `orders/create:${shopifyId}`
          : `sale:${naturalKey}`,
      payload,
    });
    const cancelledAt = this.cancelledColumn >= 0 ? first.cells[this.cancelledColumn]?.trim() : undefined;
    if (!isRefund && cancelledAt) {
      const at = parseDateTime(cancelledAt, undefined, this.settings.dateOrder);
      this.emit(out, rows, {
        ...common,
        ...(typeof at === 'string' ? { occurredAt: at } : {}),
        type: 'cancellation',
        // As Shopify's orders/cancelled webhook names it, so the two never both count.
        externalId: shopifyId ? `orders/cancelled:${shopifyId}` : `cancellation:${naturalKey}`,
        payload: { orderId: orderId ?? naturalKey, total: Math.abs(total) },
      });
    }
    if (!isRefund && refunded !== null && refunded > 0) {
      // Shopify's "Refunded Amount" is what was refunded so far; one key per order, so a later export with the
      // same order is recognised (see runImport: skipped when the order's refunds are already known).
      this.emit(out, rows, {
        ...common,
        type: 'refund',
        externalId: `${REFUNDED_SO_FAR}${naturalKey}`,
        payload: { ...(orderId ? { orderId } : {}), total: refunded, ...(currency ? { currency } : {}) },
      });
    }
  }

  private header(role: ColumnRole): string {
    return snippet(this.settings.headers[this.settings.roles.indexOf(role)] ?? role);
  }

  private emit(out: Mapped, rows: MappedRow[], input: Omit<EventInput, 'source'>): void {
    const parsed = eventInputSchema.safeParse({ ...input, source: this.source });
    if (parsed.success) out.events.push({ event: parsed.data, rows });
    else {
      const issue = parsed.error.issues[0];
      const reason = issue ? `${issue.path.join('.')} ${issue.message}`.trim() : 'could not be read';
      for (const row of rows) out.rejected.push({ ...row, reason });
    }
  }
}

class RowProblem extends Error {}

/** FNV-1a over a string's UTF-16 units, continuing from `seed`: a 32-bit hash. */
function fnv1a(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * The order keys met in a file, each with a hash of its rows, in one flat typed array (open addressing, four 32-bit
 * words a slot: the key's two hashes, the rows' two): a million-row file's orders take about 27 MB here, where a Map
 * of strings took several times that. A key is known by two independent 32-bit hashes, and its rows by two more;
 * two different orders sharing both key hashes (odds about 1 in 10^7 for a million orders) would have the second
 * rejected with the "appeared higher up" reason, never merged silently. A slot is empty while its second key hash
 * is 0 (every stored one is odd). The table grows by half when three quarters full, so a file's orders never take
 * more than about twice the room they need.
 */
class SeenOrders {
  private slots = new Uint32Array(INITIAL_SLOTS * 4);
  private capacity = INITIAL_SLOTS;
  private size = 0;

  /** False when the key was met before with other content; otherwise remembers it and returns true. */
  remember(key: string, contentA: number, contentB: number): boolean {
    // Unsigned throughout: a Uint32Array gives back what it holds as unsigned, and must compare equal.
    const a = fnv1a(key) >>> 0;
    const b = (fnv1a(key, 0x9e3779b9) | 1) >>> 0;
    const { slots, capacity } = this;
    for (let i = a % capacity; ; i = i + 1 === capacity ? 0 : i + 1) {
      const at = i * 4;
      if (slots[at + 1] === 0) {
        slots[at] = a;
        slots[at + 1] = b;
        slots[at + 2] = contentA;
        slots[at + 3] = contentB;
        if (++this.size * 4 > capacity * 3) this.grow();
        return true;
      }
      if (slots[at] === a && slots[at + 1] === b)
        return slots[at + 2] === contentA >>> 0 && slots[at + 3] === contentB >>> 0;
    }
  }

  private grow(): void {
    const old = this.slots;
    const capacity = Math.ceil(this.capacity * 1.5);
    const slots = new Uint32Array(capacity * 4);
    for (let at = 0; at < old.length; at += 4) {
      if (old[at + 1] === 0) continue;
      let i = (old[at] as number) % capacity;
      while (slots[i * 4 + 1] !== 0) i = i + 1 === capacity ? 0 : i + 1;
      slots.set(old.subarray(at, at + 4), i * 4);
    }
    this.slots = slots;
    this.capacity = capacity;
  }
}

/** Slots the table of orders starts with (1 MB). */
const INITIAL_SLOTS = 1 << 16;

/** "2 x Croissant, 1 x Café crème" → items with quantities; undefined when the cell is not such a list. */
function itemList(text: string): Item[] | undefined {
  const parts = text.split(/,\s*(?=\d+\s*[x×]\s)/);
  const items = parts.map((part) => /^(\d+)\s*[x×]\s+([\s\S]+)$/.exec(part.trim()));
  if (items.some((m) => m === null)) return undefined;
  return items.map((m) => ({ title: (m?.[2] ?? '').replace(/\s+/g, ' ').trim(), quantity: Number(m?.[1]) }));
}
