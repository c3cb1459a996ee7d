/** A one-word header in camel case is read as its words; a header with spaces keeps a name's own capitals. */
import { describe, expect, it } from 'vitest';
import { headerMatchKey } from '../../../../../main/core/import/file/header-aliases';

describe('headerMatchKey', () => {
  it.each([
    ['CustomerID', 'customer id'],
    ['InvoiceNo', 'invoice no'],
    ['UnitPrice', 'unit price'],
    ['StockCode', 'stock code'],
    ['SKU', 'sku'],
    ['Accepts WhatsApp Marketing', 'accepts whatsapp marketing'],
    ['Lineitem name', 'lineitem name'],
    ['Nº cliente', 'n cliente'],
  ])('%s → %s', (header, key) => {
    expect(headerMatchKey(header)).toBe(key);
  });
});
