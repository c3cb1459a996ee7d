/**
 * Recognising an imported CSV file from its first bytes: the encoding (BOM,
 * UTF-16 without BOM, UTF-8 or Windows-1252), the delimiter, the number and
 * date conventions, which shop system exported it (Shopify, Square, Loyverse,
 * Lightspeed) or a generic customers/transactions file, and what each column
 * means. Pure: no database, no file access; everything found here is only a
 * proposal the shop confirms or changes in the preview.
 */
import Papa from 'papaparse';
import { aliasRoles, headerMatchKey, NAME_BESIDE } from './header-aliases';
import { snippet } from './row-guard';
import {
  type ColumnRole,
  DELIMITERS,
  type Delimiter,
  type Encoding,
  FORMAT_KINDS,
  type FormatId,
  type Recognition,
} from './types';
import { detectDateOrder, detectDecimalComma } from './values';

const BOMS: { bytes: number[]; encoding: Encoding }[] = [
  { bytes: [0xef, 0xbb, 0xbf], encoding: 'utf-8' },
  { bytes: [0xff, 0xfe], encoding: 'utf-16le' },
  { bytes: [0xfe, 0xff], encoding: 'utf-16be' },
];

/** How much of the head is looked at for UTF-16 without a BOM. */
const NUL_SCAN_BYTES = 4096;

/** The file's encoding from its first bytes, and whether it starts with a byte-order mark. */
export function detectEncoding(head: Uint8Array): { encoding: Encoding; bom: boolean } {
  const bom = BOMS.find(({ bytes }) => bytes.every((byte, index) => head[index] === byte));
  if (bom) return { encoding: bom.encoding, bom: true };
  return { encoding: utf16ByNuls(head) ?? (isUtf8(head) ? 'utf-8' : 'windows-1252'), bom: false };
}

/** Mostly-ASCII UTF-16 has a NUL in every other byte: odd positions for little-endian, even for big-endian. */
function utf16ByNuls(head: Uint8Array): Encoding | undefined {
  const scanned = head.subarray(0, NUL_SCAN_BYTES);
  let even = 0;
  let odd = 0;
  for (const [index, byte] of scanned.entries()) {
    if (byte !== 0) continue;
    if (index % 2 === 0) even++;
    else odd++;
  }
  const many = scanned.length / 4;
  if (odd > many && odd > even) return 'utf-16le';
  if (even > many && even > odd) return 'utf-16be';
  return undefined;
}

/** Valid UTF-8, allowing a character cut off at the end of the head (streaming decode keeps it pending). */
function isUtf8(head: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/** The head as text, without its byte-order mark; a character cut off at the end is dropped. */
export function decodeSample(head: Uint8Array, encoding: Encoding, bom: boolean): string {
  const bomLength = bom ? (encoding === 'utf-8' ? 3 : 2) : 0;
  return new TextDecoder(encoding, { ignoreBOM: true }).decode(head.subarray(bomLength), { stream: true });
}

/** The delimiter used most often outside double quotes in the header line; ties prefer `,`, then `;`, then tab. */
export function detectDelimiter(headerLine: string): Delimiter {
  const counts = new Map<string, number>();
  let quoted = false;
  for (const char of headerLine) {
    if (char === '"') quoted = !quoted;
    else if (!quoted) counts.set(char, (counts.get(char) ?? 0) + 1);
  }
  return DELIMITERS.reduce((best, candidate) =>
    (counts.get(candidate) ?? 0) > (counts.get(best) ?? 0) ? candidate : best,
  );
}

/** A header as compared: lower-case, accents stripped, other characters collapsed to single spaces. */
function normalizeHeader(header: string): string {
  return header
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** The same for files with the same headers, whatever their case, accents or punctuation. */
export function headerKey(headers: string[]): string {
  return headers.map(normalizeHeader).join('|');
}

type VendorFormat = Exclude<FormatId, 'generic_customers' | 'generic_transactions'>;

/** Each vendor's own header names (as exported) and their roles; unlisted headers are ignored. */
const VENDOR_HEADERS: Record<VendorFormat, Record<string, ColumnRole>> = {
  shopify_customers: {
    'Customer ID': 'customer_id',
    'First Name': 'first_name',
    'Last Name': 'last_name',
    Email: 'email',
    Phone: 'phone',
    'Default Address Phone': 'phone_alt',
    'Accepts Email Marketing': 'email_consent',
    'Accepts SMS Marketing': 'sms_consent',
    'Accepts WhatsApp Marketing': 'whatsapp_consent',
  },
  shopify_orders: {
    Name: 'order_id',
    Email: 'email',
    'Created at': 'datetime',
    'Lineitem quantity': 'line_quantity',
    'Lineitem name': 'line_title',
    'Lineitem price': 'line_price',
    'Lineitem sku': 'line_sku',
    Total: 'order_total',
    'Refunded Amount': 'refund_amount',
    Phone: 'phone',
    'Billing Phone': 'phone_alt',
    'Billing Name': 'full_name',
    Currency: 'currency',
    'Accepts Marketing': 'email_consent',
  },
  square_item_sales: {
    Date: 'date',
    Time: 'time',
    'Time Zone': 'time_zone',
    Category: 'category',
    Item: 'line_title',
    Qty: 'line_quantity',
    SKU: 'line_sku',
    'Net Sales': 'line_total',
    'Transaction ID': 'order_id',
    'Event Type': 'record_type',
    'Customer ID': 'customer_id',
    'Customer Name': 'full_name',
    'Customer Reference ID': 'loyalty_id',
  },
  loyverse_receipts: {
    Date: 'datetime',
    'Receipt number': 'order_id',
    'Receipt type': 'record_type',
    'Total collected': 'order_total',
    Description: 'line_title',
    'Customer name': 'full_name',
    'Customer contacts': 'contacts',
  },
  lightspeed_customers: {
    customer_code: 'customer_id',
    first_name: 'first_name',
    last_name: 'last_name',
    email: 'email',
    phone: 'phone',
    mobile: 'phone_alt',
  },
};

const GENERIC_ROLES = aliasRoles();

/** Matching key → role for a format: a vendor's own headers, or every language's generic aliases. */
function knownHeaders(format: FormatId): Map<string, ColumnRole> {
  if (format === 'generic_customers' || format === 'generic_transactions') return GENERIC_ROLES;
  return new Map(Object.entries(VENDOR_HEADERS[format]).map(([header, role]) => [headerMatchKey(header), role]));
}

/**
 * The role of each column (in header order) for a format. A role goes to the
 * first column that has it; later ones are ignored, except that a second
 * phone column becomes `phone_alt` while that is free. A bare "Name"/"Nom"/
 * "Nome"… means half a name beside a column of the other half (NAME_BESIDE).
 */
export function rolesFor(format: FormatId, headers: string[]): ColumnRole[] {
  const known = knownHeaders(format);
  const keys = headers.map(headerMatchKey);
  const found = keys.map((key) => known.get(key) ?? 'ignore');
  const generic = known === GENERIC_ROLES;
  const taken = new Set<ColumnRole>();
  return keys.map((key, index) => {
    const beside = generic ? NAME_BESIDE[key] : undefined;
    const wanted =
      beside && found.includes(beside.beside) && !found.includes(beside.means)
        ? beside.means
        : (found[index] ?? 'ignore');
    const role = wanted === 'phone' && taken.has('phone') ? 'phone_alt' : wanted;
    if (role === 'ignore' || taken.has(role)) return 'ignore';
    taken.add(role);
    return role;
  });
}

/** Headers that only one system's export has together (compared normalised). */
const SIGNATURES: { format: VendorFormat; headers: string[] }[] = [
  { format: 'shopify_orders', headers: ['Name', 'Lineitem name', 'Financial Status'] },
  { format: 'shopify_customers', headers: ['Customer ID', 'Accepts Email Marketing', 'Total Spent'] },
  { format: 'square_item_sales', headers: ['Transaction ID', 'Event Type', 'Net Sales'] },
  { format: 'loyverse_receipts', headers: ['Receipt number', 'Receipt type'] },
  { format: 'lightspeed_customers', headers: ['customer_code', 'first_name'] },
];

const MONEY_ROLES: readonly ColumnRole[] = ['order_total', 'line_total', 'line_price', 'refund_amount'];

/**
 * Which export this is: a known system by its signature headers, else a
 * generic transactions file (an order number or an amount, and a date) or a
 * generic customers file.
 */
export function detectFormat(headers: string[]): FormatId {
  const present = new Set(headers.map(normalizeHeader));
  const vendor = SIGNATURES.find((signature) => signature.headers.every((h) => present.has(normalizeHeader(h))));
  if (vendor) return vendor.format;
  const roles = new Set(rolesFor('generic_transactions', headers));
  const sale = roles.has('order_id') || MONEY_ROLES.some((role) => roles.has(role));
  const dated = roles.has('date') || roles.has('datetime');
  return sale && dated ? 'generic_transactions' : 'generic_customers';
}

/** Data rows looked at for number and date conventions. */
const SAMPLE_ROWS = 200;

const IDENTIFYING_ROLES: readonly ColumnRole[] = [
  'customer_id',
  'email',
  'phone',
  'phone_alt',
  'loyalty_id',
  'contacts',
];

export const AMBIGUOUS_DATES_WARNING =
  'Dates such as 03/04/25 could be 3 April or 4 March; we read them as day/month/year — change it below if that is wrong.';

/** Plain-words warnings about columns a file of its kind needs and lacks. */
const MISSING_COLUMN_WARNINGS: {
  kind: 'customers' | 'transactions';
  roles: readonly ColumnRole[];
  text: string;
}[] = [
  {
    kind: 'customers',
    roles: IDENTIFYING_ROLES,
    text: 'We found no column with an email, phone number or customer number, so these customers cannot be matched to the people you already have. Choose the column below if there is one.',
  },
  {
    kind: 'transactions',
    roles: ['date', 'datetime'],
    text: 'We found no date column; choose it below, or the purchases cannot be dated.',
  },
  {
    kind: 'transactions',
    roles: ['order_id'],
    text: 'We found no order or receipt number column; choose it below so that importing the same sales twice does not count them twice.',
  },
  {
    kind: 'transactions',
    roles: MONEY_ROLES,
    text: 'We found no total or amount column; choose it below, or the purchases will have no value.',
  },
  {
    kind: 'transactions',
    roles: [...IDENTIFYING_ROLES, 'full_name'],
    text: 'We found no column saying who bought (email, phone, customer number or name); these sales cannot be linked to customers.',
  },
];

/**
 * Recognises a file from the decoded beginning of it (`sample`, which may end
 * mid-line: the incomplete last line is left out). Throws when there is no
 * header row to work with.
 */
export function recognize(sample: string, encoding: Encoding, bom: boolean, chosenDelimiter?: Delimiter): Recognition {
  const text = completeLines(sample);
  const delimiter = chosenDelimiter ?? detectDelimiter(text.split(/\r?\n/, 1)[0] ?? '');
  const rows = Papa.parse<string[]>(text, { delimiter, header: false, skipEmptyLines: 'greedy' }).data;
  const headers = (rows[0] ?? []).map((header) => header.trim());
  const format = detectFormat(headers);
  const roles = rolesFor(format, headers);
  checkHeaders(headers, roles);
  const cellsOf = columnCells(rows.slice(1, SAMPLE_ROWS + 1), roles);
  const decimalComma = detectDecimalComma(cellsOf([...MONEY_ROLES, 'line_quantity']));
  const dates = detectDateOrder(cellsOf(['date', 'datetime']));
  const warnings = [...(dates.ambiguous ? [AMBIGUOUS_DATES_WARNING] : []), ...missingColumnWarnings(format, roles)];
  return {
    encoding,
    bom,
    delimiter,
    decimalComma,
    format,
    headers,
    roles,
    dateOrder: dates.order,
    dateAmbiguous: dates.ambiguous,
    warnings,
  };
}

/** The sample up to its last line break (the rest may be a line cut short), or all of it when it has none. */
export function completeLines(sample: string): string {
  const end = sample.lastIndexOf('\n');
  return end < 0 ? sample : sample.slice(0, end + 1);
}

/**
 * Refuses a file without headers, and a one-column file whose header means
 * nothing to us (most likely a delimiter we do not know, such as `|`).
 */
function checkHeaders(headers: string[], roles: ColumnRole[]): void {
  if (headers.every((header) => header === '')) throw new Error('The file is empty.');
  if (headers.length === 1 && roles[0] === 'ignore') {
    throw new Error(
      `The first line has only one column: "${snippet(headers[0] ?? '')}". Save the file as CSV with commas, semicolons or tabs between the columns.`,
    );
  }
}

/** The non-blank cells of the columns with the given roles. */
export function columnCells(rows: string[][], roles: ColumnRole[]): (wanted: readonly ColumnRole[]) => string[] {
  return (wanted) => {
    const columns = roles.flatMap((role, index) => (wanted.includes(role) ? [index] : []));
    return rows.flatMap((row) => columns.map((index) => row[index]?.trim() ?? '')).filter((cell) => cell !== '');
  };
}

export function missingColumnWarnings(format: FormatId, roles: ColumnRole[]): string[] {
  return MISSING_COLUMN_WARNINGS.filter(
    (warning) => warning.kind === FORMAT_KINDS[format] && !warning.roles.some((role) => roles.includes(role)),
  ).map((warning) => warning.text);
}

/** Roles a kind of file makes nothing of: sale columns on a customers list, consent columns on a sales file. */
const UNUSED_ROLES: Record<'customers' | 'transactions', readonly ColumnRole[]> = {
  customers: [
    'order_id',
    'date',
    'time',
    'time_zone',
    'datetime',
    'order_total',
    'line_total',
    'line_quantity',
    'line_title',
    'line_sku',
    'line_price',
    'category',
    'refund_amount',
    'record_type',
    'currency',
  ],
  transactions: ['email_consent', 'sms_consent', 'whatsapp_consent'],
};

/**
 * The columns an import with these settings leaves out, by header ("column 4" when blank), in file order: those
 * with no meaning (not understood, or a meaning another column already has) and those whose meaning this kind of
 * file does not use. Said in the preview and by the CLI, so nothing is dropped without a word.
 */
export function notImportedColumns(settings: Pick<Recognition, 'format' | 'headers' | 'roles'>): string[] {
  const unused = UNUSED_ROLES[FORMAT_KINDS[settings.format]];
  return settings.headers.flatMap((header, index) => {
    const role = settings.roles[index] ?? 'ignore';
    if (role !== 'ignore' && !unused.includes(role)) return [];
    return [header.trim() === '' ? `column ${index + 1}` : header.trim()];
  });
}
