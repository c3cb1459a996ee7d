import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import {
  decodeSample,
  detectDelimiter,
  detectEncoding,
  detectFormat,
  headerKey,
  recognize,
  rolesFor,
} from '../../../../../main/core/import/file/recognize';
import type { ColumnRole, Recognition } from '../../../../../main/core/import/file/types';
import { parseDateTime, parseMoney } from '../../../../../main/core/import/file/values';

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../../../../fixtures/import/${name}`, import.meta.url)));

/** Recognises a fixture as the import does: encoding from the bytes, then the decoded text. */
function recognizeFixture(name: string, headBytes = 64 * 1024): Recognition {
  const head = fixture(name).subarray(0, headBytes);
  const { encoding, bom } = detectEncoding(head);
  return recognize(decodeSample(head, encoding, bom), encoding, bom);
}

/** The role of each named header, for comparing only the columns that matter. */
function rolesOf(recognition: Recognition): Record<string, ColumnRole> {
  return Object.fromEntries(recognition.headers.map((header, index) => [header, recognition.roles[index] ?? 'ignore']));
}

const bytes = (...values: number[]) => new Uint8Array(values);
const utf16le = (text: string) => new Uint8Array(Buffer.from(text, 'utf16le'));
const utf16be = (text: string) => new Uint8Array(Buffer.from(text, 'utf16le').swap16());

describe('detectEncoding', () => {
  it.each([
    ['UTF-8 BOM', bytes(0xef, 0xbb, 0xbf, 0x41, 0x2c, 0x42), { encoding: 'utf-8', bom: true }],
    ['UTF-16LE BOM', bytes(0xff, 0xfe, 0x41, 0x00), { encoding: 'utf-16le', bom: true }],
    ['UTF-16BE BOM', bytes(0xfe, 0xff, 0x00, 0x41), { encoding: 'utf-16be', bom: true }],
    ['UTF-16LE without BOM', utf16le('Name,Email\r\nAnn,ann@example.com\r\n'), { encoding: 'utf-16le', bom: false }],
    ['UTF-16BE without BOM', utf16be('Name,Email\r\nAnn,ann@example.com\r\n'), { encoding: 'utf-16be', bom: false }],
    ['plain ASCII', new TextEncoder().encode('Name,Email\n'), { encoding: 'utf-8', bom: false }],
    ['UTF-8 accents', new TextEncoder().encode('Name\nZoë Müller\n'), { encoding: 'utf-8', bom: false }],
    [
      'UTF-8 cut inside a character',
      new TextEncoder().encode('Name\nZoë').subarray(0, 7),
      { encoding: 'utf-8', bom: false },
    ],
    [
      'Windows-1252 accents',
      bytes(0x5a, 0x6f, 0xeb, 0x3b, 0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72),
      { encoding: 'windows-1252', bom: false },
    ],
    ['empty', bytes(), { encoding: 'utf-8', bom: false }],
  ])('%s', (_name, head, expected) => {
    expect(detectEncoding(head)).toEqual(expected);
  });
});

describe('decodeSample', () => {
  it.each([
    ['UTF-8 with BOM', bytes(0xef, 0xbb, 0xbf, 0x41, 0xc3, 0xab), 'utf-8', true, 'Aë'],
    ['UTF-8 cut inside a character', bytes(0x41, 0xc3), 'utf-8', false, 'A'],
    ['UTF-16LE with BOM', bytes(0xff, 0xfe, 0x41, 0x00, 0xeb, 0x00), 'utf-16le', true, 'Aë'],
    ['UTF-16LE odd length', bytes(0x41, 0x00, 0x42), 'utf-16le', false, 'A'],
    ['UTF-16BE with BOM', bytes(0xfe, 0xff, 0x00, 0x41, 0x00, 0xeb), 'utf-16be', true, 'Aë'],
    ['Windows-1252', bytes(0x5a, 0x6f, 0xeb, 0x80), 'windows-1252', false, 'Zoë€'],
  ] as const)('%s', (_name, head, encoding, bom, expected) => {
    expect(decodeSample(head, encoding, bom)).toBe(expected);
  });
});

describe('detectDelimiter', () => {
  it.each([
    ['Name,Email,Phone', ','],
    ['Name;Email;Phone', ';'],
    ['Name\tEmail\tPhone', '\t'],
    ['"Name, full";Email;Phone', ';'],
    ['"a;b;c;d",x,y', ','],
    ['Name,Email;Phone', ','],
    ['Name;Email\tPhone', ';'],
    ['Name', ','],
  ] as const)('%j → %j', (line, expected) => {
    expect(detectDelimiter(line)).toBe(expected);
  });
});

describe('headerKey', () => {
  it('is the same for the same headers written differently', () => {
    expect(headerKey(['Customer ID', 'E-mail', 'Téléphone '])).toBe('customer id|e mail|telephone');
    expect(headerKey(['customer_id', ' e mail', 'TELEPHONE'])).toBe(headerKey(['Customer ID', 'E-mail', 'Téléphone ']));
    expect(headerKey(['Name', 'Email'])).not.toBe(headerKey(['Email', 'Name']));
  });
});

describe('rolesFor (generic aliases)', () => {
  it.each([
    [
      ['Full Name', 'Email Address', 'Telephone', 'Mobile', 'Cell', 'Member ID'],
      ['full_name', 'email', 'phone', 'phone_alt', 'ignore', 'loyalty_id'],
    ],
    [
      ['Forename', 'Surname', 'E-Mail', 'Client ID', 'Marketing consent', 'SMS opt-in'],
      ['first_name', 'last_name', 'email', 'customer_id', 'email_consent', 'sms_consent'],
    ],
    [
      ['Invoice Number', 'Sale Date', 'Time', 'Product', 'SKU', 'Quantity', 'Unit Price', 'Grand Total', 'Currency'],
      ['order_id', 'date', 'time', 'line_title', 'line_sku', 'line_quantity', 'line_price', 'order_total', 'currency'],
    ],
    [
      ['Order', 'Order ID', 'Amount (€)', 'Refund', 'Type', 'Department', 'Notes'],
      ['order_id', 'ignore', 'line_total', 'refund_amount', 'record_type', 'category', 'ignore'],
    ],
  ] as const)('%j', (headers, expected) => {
    expect(rolesFor('generic_customers', [...headers])).toEqual(expected);
    expect(rolesFor('generic_transactions', [...headers])).toEqual(expected);
  });

  it('uses only the vendor map for a vendor format', () => {
    expect(rolesFor('lightspeed_customers', ['customer_code', 'Name', 'mobile', 'phone'])).toEqual([
      'customer_id',
      'ignore',
      'phone_alt',
      'phone',
    ]);
  });
});

describe('detectFormat', () => {
  it.each([
    [['Name', 'Email', 'Financial Status', 'Lineitem name', 'Total'], 'shopify_orders'],
    [['Customer ID', 'First Name', 'Accepts Email Marketing', 'Total Spent'], 'shopify_customers'],
    [['Date', 'Item', 'Net Sales', 'Transaction ID', 'Event Type'], 'square_item_sales'],
    [['Date', 'Receipt number', 'Receipt type', 'Total collected'], 'loyverse_receipts'],
    [['customer_code', 'first_name', 'last_name'], 'lightspeed_customers'],
    [['Receipt', 'Date', 'Customer', 'Amount'], 'generic_transactions'],
    [['Order number', 'Purchase date', 'Email'], 'generic_transactions'],
    [['Date', 'Total', 'Email'], 'generic_transactions'],
    [['Order number', 'Email'], 'generic_customers'],
    [['Name', 'E-mail', 'Created'], 'generic_customers'],
    [['Name', 'E-mail', 'Mobile'], 'generic_customers'],
  ] as const)('%j → %s', (headers, expected) => {
    expect(detectFormat([...headers])).toBe(expected);
  });
});

describe('recognize: fixtures', () => {
  it('Shopify customers: UTF-8 BOM, vendor roles', () => {
    const recognition = recognizeFixture('shopify-customers.csv');
    expect(recognition).toMatchObject({
      encoding: 'utf-8',
      bom: true,
      delimiter: ',',
      decimalComma: false,
      format: 'shopify_customers',
      dateOrder: 'DMY',
      dateAmbiguous: false,
      warnings: [],
    });
    expect(recognition.headers[0]).toBe('Customer ID');
    expect(rolesOf(recognition)).toMatchObject({
      'Customer ID': 'customer_id',
      'First Name': 'first_name',
      'Last Name': 'last_name',
      Email: 'email',
      Phone: 'phone',
      'Default Address Phone': 'phone_alt',
      'Accepts Email Marketing': 'email_consent',
      'Accepts SMS Marketing': 'sms_consent',
      'Total Spent': 'ignore',
      'Total Orders': 'ignore',
      Note: 'ignore',
    });
  });

  it('Shopify orders: line-item rows, ISO dates with offsets', () => {
    const recognition = recognizeFixture('shopify-orders.csv');
    expect(recognition).toMatchObject({
      encoding: 'utf-8',
      bom: false,
      delimiter: ',',
      decimalComma: false,
      format: 'shopify_orders',
      dateOrder: 'YMD',
      dateAmbiguous: false,
      warnings: [],
    });
    expect(rolesOf(recognition)).toMatchObject({
      Name: 'order_id',
      Email: 'email',
      'Created at': 'datetime',
      'Paid at': 'ignore',
      'Lineitem quantity': 'line_quantity',
      'Lineitem name': 'line_title',
      'Lineitem price': 'line_price',
      'Lineitem sku': 'line_sku',
      Total: 'order_total',
      'Refunded Amount': 'refund_amount',
      Phone: 'phone',
      'Billing Phone': 'phone_alt',
      'Shipping Phone': 'ignore',
      'Billing Name': 'full_name',
      Currency: 'currency',
      'Accepts Marketing': 'email_consent',
      Id: 'ignore',
      'Financial Status': 'ignore',
    });
  });

  it('Square item sales: dollar amounts, separate date and time', () => {
    const recognition = recognizeFixture('square-item-sales.csv');
    expect(recognition).toMatchObject({
      encoding: 'utf-8',
      bom: false,
      delimiter: ',',
      decimalComma: false,
      format: 'square_item_sales',
      dateOrder: 'YMD',
      dateAmbiguous: false,
      warnings: [],
    });
    expect(rolesOf(recognition)).toMatchObject({
      Date: 'date',
      Time: 'time',
      'Time Zone': 'time_zone',
      Category: 'category',
      Item: 'line_title',
      Qty: 'line_quantity',
      SKU: 'line_sku',
      'Gross Sales': 'ignore',
      Discounts: 'ignore',
      'Net Sales': 'line_total',
      Tax: 'ignore',
      'Transaction ID': 'order_id',
      'Event Type': 'record_type',
      'Customer ID': 'customer_id',
      'Customer Name': 'full_name',
      'Customer Reference ID': 'loyalty_id',
    });
  });

  it('Loyverse receipts: Windows-1252, semicolons, decimal comma, month-first dates', () => {
    const recognition = recognizeFixture('loyverse-receipts.csv');
    expect(recognition).toMatchObject({
      encoding: 'windows-1252',
      bom: false,
      delimiter: ';',
      decimalComma: true,
      format: 'loyverse_receipts',
      dateOrder: 'MDY',
      dateAmbiguous: false,
      warnings: [],
    });
    expect(rolesOf(recognition)).toEqual({
      Date: 'datetime',
      'Receipt number': 'order_id',
      'Receipt type': 'record_type',
      'Gross sales': 'ignore',
      Discounts: 'ignore',
      'Net sales': 'ignore',
      Taxes: 'ignore',
      'Total collected': 'order_total',
      'Cost of goods': 'ignore',
      'Gross profit': 'ignore',
      'Payment type': 'ignore',
      Description: 'line_title',
      'Dining option': 'ignore',
      POS: 'ignore',
      Store: 'ignore',
      'Cashier name': 'ignore',
      'Customer name': 'full_name',
      'Customer contacts': 'contacts',
      Comment: 'ignore',
      Status: 'ignore',
    });
  });

  it('Loyverse receipts: single-byte accents decode', () => {
    const head = fixture('loyverse-receipts.csv');
    expect(decodeSample(head, 'windows-1252', false)).toContain('Zoë Müller;zoe.mueller@example.de');
  });

  it('Lightspeed customers: UTF-16LE BOM', () => {
    const recognition = recognizeFixture('lightspeed-customers.csv');
    expect(recognition).toMatchObject({
      encoding: 'utf-16le',
      bom: true,
      delimiter: ',',
      decimalComma: false,
      format: 'lightspeed_customers',
      dateOrder: 'DMY',
      dateAmbiguous: false,
      warnings: [],
    });
    expect(recognition.headers).toEqual([
      'customer_code',
      'first_name',
      'last_name',
      'email',
      'phone',
      'mobile',
      'customer_group_name',
      'year_to_date',
      'balance',
      'loyalty_balance',
    ]);
    expect(recognition.roles).toEqual([
      'customer_id',
      'first_name',
      'last_name',
      'email',
      'phone',
      'phone_alt',
      'ignore',
      'ignore',
      'ignore',
      'ignore',
    ]);
  });

  it('generic customers: tabs and friendly headers', () => {
    const recognition = recognizeFixture('generic-customers.csv');
    expect(recognition).toMatchObject({
      encoding: 'utf-8',
      bom: false,
      delimiter: '\t',
      decimalComma: false,
      format: 'generic_customers',
      dateOrder: 'DMY',
      dateAmbiguous: false,
      warnings: [],
    });
    expect(recognition.headers).toEqual(['Name', 'E-mail', 'Mobile', 'Loyalty card', 'Newsletter', 'Town']);
    expect(recognition.roles).toEqual(['full_name', 'email', 'phone', 'loyalty_id', 'email_consent', 'ignore']);
  });

  it('generic transactions: semicolons, decimal comma, ambiguous dates', () => {
    const recognition = recognizeFixture('generic-transactions.csv');
    expect(recognition).toMatchObject({
      encoding: 'utf-8',
      bom: false,
      delimiter: ';',
      decimalComma: true,
      format: 'generic_transactions',
      dateOrder: 'DMY',
      dateAmbiguous: true,
    });
    expect(recognition.warnings).toEqual([
      'Dates such as 03/04/25 could be 3 April or 4 March; we read them as day/month/year — change it below if that is wrong.',
    ]);
    expect(recognition.headers).toEqual(['Receipt', 'Date', 'Customer', 'Email', 'Phone', 'Amount']);
    expect(recognition.roles).toEqual(['order_id', 'date', 'full_name', 'email', 'phone', 'line_total']);
  });

  it('generic transactions: carries an unreadable amount and an impossible date', () => {
    const text = new TextDecoder().decode(fixture('generic-transactions.csv'));
    const rows = Papa.parse<string[]>(text, { delimiter: ';', skipEmptyLines: 'greedy' }).data.slice(1);
    expect(rows).toHaveLength(9);
    const bad = rows.filter(([, date, , , , amount]) => {
      return parseMoney(amount, true) === 'invalid' || parseDateTime(date, undefined, 'DMY') === 'invalid';
    });
    expect(bad.map(([receipt]) => receipt)).toEqual(['R-1006', 'R-1007']);
  });

  it('recognises a file from a head cut mid-line and mid-character', () => {
    const file = fixture('shopify-customers.csv');
    const insideE = Buffer.from(file).indexOf(Buffer.from('Zoë')) + 3; // after the first byte of ë
    const cut = recognizeFixture('shopify-customers.csv', insideE);
    expect(decodeSample(file.subarray(0, insideE), 'utf-8', true).endsWith('Zo')).toBe(true);
    expect(cut).toEqual(recognizeFixture('shopify-customers.csv'));
  });
});

describe('recognize: problems', () => {
  it.each([
    ['', 'The file is empty.'],
    ['\n\n', 'The file is empty.'],
    ['Name|Email|Phone\nAnn|ann@example.com|07700900123\n', 'The first line has only one column: "Name|Email|Phone".'],
  ])('%j → %s', (sample, message) => {
    expect(() => recognize(sample, 'utf-8', false)).toThrow(message);
  });

  it('accepts a one-column file whose column it knows (a list of emails)', () => {
    const recognition = recognize('Email\nann@example.com\n', 'utf-8', false);
    expect(recognition).toMatchObject({ format: 'generic_customers', roles: ['email'], warnings: [] });
  });

  it('warns when a customers file has nothing to match people on', () => {
    const recognition = recognize('Name,Town\nAnn Lee,Leeds\n', 'utf-8', false);
    expect(recognition.format).toBe('generic_customers');
    expect(recognition.warnings).toEqual([
      'We found no column with an email, phone number or customer number, so these customers cannot be matched to the people you already have. Choose the column below if there is one.',
    ]);
  });

  it('warns about what a transactions file lacks', () => {
    const recognition = recognize('Date,Total\n28/07/2026,12.50\n', 'utf-8', false);
    expect(recognition).toMatchObject({ format: 'generic_transactions', dateOrder: 'DMY', dateAmbiguous: false });
    expect(recognition.warnings).toEqual([
      'We found no order or receipt number column; choose it below so that importing the same sales twice does not count them twice.',
      'We found no column saying who bought (email, phone, customer number or name); these sales cannot be linked to customers.',
    ]);
  });

  it('ignores an incomplete last line and samples only data rows', () => {
    const recognition = recognize('Order,Date,Amount\nA1,03/04/25,"12,50"\nA2,28/04/25,"1.234,5', 'utf-8', false);
    expect(recognition).toMatchObject({ decimalComma: true, dateOrder: 'DMY', dateAmbiguous: true });
  });
});
