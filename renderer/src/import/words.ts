/** Plain words for what the import backend names with codes: formats, column meanings, file conventions, job states. */
import type { IMPORT_COLUMN_ROLES, IMPORT_FORMATS, ImportJobView } from '../../../shared/contract/imports';

export type FormatId = (typeof IMPORT_FORMATS)[number];
export type ColumnRole = (typeof IMPORT_COLUMN_ROLES)[number];
export type DateOrder = 'DMY' | 'MDY' | 'YMD';
export type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';
export type Delimiter = ',' | ';' | '\t';

export const FORMAT_LABELS: Record<FormatId, string> = {
  square_item_sales: 'Square item sales',
  shopify_orders: 'Shopify orders export',
  shopify_customers: 'Shopify customers export',
  loyverse_receipts: 'Loyverse receipts',
  lightspeed_customers: 'Lightspeed customers',
  generic_customers: 'Customers list',
  generic_transactions: 'Sales list',
};

export const ROLE_LABELS: Record<ColumnRole, string> = {
  ignore: 'Not imported',
  customer_id: 'Customer number',
  email: 'Email',
  phone: 'Phone',
  phone_alt: 'Other phone',
  first_name: 'First name',
  last_name: 'Last name',
  full_name: 'Full name',
  loyalty_id: 'Loyalty card',
  contacts: 'Email or phone (contacts)',
  order_id: 'Order / receipt number',
  date: 'Date',
  time: 'Time',
  time_zone: 'Time zone',
  datetime: 'Date and time',
  order_total: 'Order total',
  line_total: 'Line amount',
  line_quantity: 'Quantity',
  line_title: 'Item',
  line_sku: 'SKU / product code',
  line_price: 'Unit price',
  category: 'Category',
  refund_amount: 'Refunded amount',
  record_type: 'Sale or refund',
  currency: 'Currency',
  email_consent: 'Email consent',
  sms_consent: 'SMS consent',
  whatsapp_consent: 'WhatsApp consent',
};

export const DATE_ORDER_LABELS: Record<DateOrder, string> = {
  DMY: 'Day/month/year',
  MDY: 'Month/day/year',
  YMD: 'Year first',
};

export const ENCODING_LABELS: Record<Encoding, string> = {
  'utf-8': 'Standard (UTF-8) text',
  'windows-1252': 'Windows (Western European) text',
  'utf-16le': 'Unicode (UTF-16) text',
  'utf-16be': 'Unicode (UTF-16, big-endian) text',
};

export const DELIMITER_LABELS: Record<Delimiter, string> = {
  ',': 'comma-separated',
  ';': 'semicolon-separated',
  '\t': 'tab-separated',
};

/** The two ways of writing numbers, keyed by "decimal comma". */
export const NUMBER_STYLE_LABELS = {
  no: 'numbers written 1,234.50',
  yes: 'numbers written 1.234,50',
} as const;

export const STATUS_LABELS: Record<ImportJobView['status'], string> = {
  running: 'Importing…',
  completed: 'Finished',
  cancelled: 'Stopped',
  failed: 'Failed',
  interrupted: 'Cut short',
  removing: 'Being undone…',
  removed: 'Undone',
};

/** A label for a code the lists above do not know (a newer backend): the code itself, readable. */
export function labelOf<K extends string>(labels: Record<K, string>, code: string): string {
  return (labels as Record<string, string>)[code] ?? code.replace(/_/g, ' ');
}

const units = ['bytes', 'KB', 'MB', 'GB'] as const;

/** "18 KB", "1.4 MB". */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1;
  return `${value.toLocaleString(undefined, { maximumFractionDigits: digits })} ${units[unit]}`;
}

/** Share of the file read, 0–100. */
export function percentRead(job: Pick<ImportJobView, 'bytesRead' | 'fileBytes' | 'status'>): number {
  if (job.status === 'completed') return 100;
  if (job.fileBytes <= 0) return 0;
  return Math.max(0, Math.min(100, Math.round((job.bytesRead / job.fileBytes) * 100)));
}
