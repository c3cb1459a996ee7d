/**
 * The shapes shared by the file import: what recognition finds in a file
 * (encoding, delimiter, number and date conventions, format, what each
 * column means), and the rows handed to the mapping into events.
 */
import { IMPORT_COLUMN_ROLES, IMPORT_FORMATS } from '../../../../shared/contract/imports';

export const ENCODINGS = ['utf-8', 'utf-16le', 'utf-16be', 'windows-1252'] as const;
export type Encoding = (typeof ENCODINGS)[number];

export const DELIMITERS = [',', ';', '\t'] as const;
export type Delimiter = (typeof DELIMITERS)[number];

/** Day-month-year (03/04/25 = 3 April), month-day-year (= 4 March), or year first (ISO). */
export const DATE_ORDERS = ['DMY', 'MDY', 'YMD'] as const;
export type DateOrder = (typeof DATE_ORDERS)[number];

/** The formats a file can be read as (declared once, in the contract the Import page uses). */
export const FORMAT_IDS = IMPORT_FORMATS;
export type FormatId = (typeof FORMAT_IDS)[number];

/** Customers files become profile updates; transaction files become purchases and refunds. */
export const FORMAT_KINDS: Record<FormatId, 'customers' | 'transactions'> = {
  shopify_customers: 'customers',
  shopify_orders: 'transactions',
  square_item_sales: 'transactions',
  loyverse_receipts: 'transactions',
  lightspeed_customers: 'customers',
  generic_customers: 'customers',
  generic_transactions: 'transactions',
};

/** The event source a format's events carry (so natural keys never collide with webhooks of another system). */
export const FORMAT_SOURCES: Record<FormatId, string> = {
  shopify_customers: 'shopify',
  shopify_orders: 'shopify',
  square_item_sales: 'square',
  loyverse_receipts: 'loyverse',
  lightspeed_customers: 'lightspeed',
  generic_customers: 'import',
  generic_transactions: 'import',
};

/**
 * What a column means (declared in the contract). One role per column, except `ignore`. Notes:
 * customer_id is the exporting system's own customer id; phone_alt a second phone column used when `phone` is
 * empty; full_name "Ann Lee" in one cell; contacts Loyverse's email and/or phone in one cell; order_id the natural
 * key (rows sharing it are one order); order_total the whole order's total; line_total a line's amount (summed per
 * order when there is no order total); line_price a unit price; refund_amount the amount refunded on the order;
 * record_type tells a sale from a refund; time_zone the zone a row's date and time are in (Square's Time Zone:
 * "Pacific Time (US & Canada)", or an IANA name), used when the time carries no offset.
 */
export const COLUMN_ROLES = IMPORT_COLUMN_ROLES;
export type ColumnRole = (typeof COLUMN_ROLES)[number];

/** What recognition found; everything here can be changed by the shop in the preview. */
export interface Recognition {
  encoding: Encoding;
  /** The file started with a byte-order mark (skipped). */
  bom: boolean;
  delimiter: Delimiter;
  /** Numbers are written 1.234,50 (European) rather than 1,234.50. */
  decimalComma: boolean;
  format: FormatId;
  /** Header row as read (trimmed), in file order. */
  headers: string[];
  /** The role of each column, same order as `headers`. */
  roles: ColumnRole[];
  dateOrder: DateOrder;
  /** Dates in the sample fit more than one order (03/04/25 with nothing above 12): say so in the preview. */
  dateAmbiguous: boolean;
  /** Plain-words warnings for the preview ("dates like 03/04/25 could be 3 April or 4 March…"). */
  warnings: string[];
}

/** A parsed cell value for a row: strings as read (trimmed), keyed by role; `ignore` columns are left out. */
export type RoleValues = Partial<Record<Exclude<ColumnRole, 'ignore'>, string>>;
