/**
 * The headers a generic customers or sales file may carry, per role, in the
 * languages of the shops that use ConstIntel: English, German, French,
 * Spanish, Italian, Dutch and Portuguese. Written as shops' systems and
 * spreadsheets write them; compared after `headerMatchKey` (case, accents
 * and punctuation folded, so "E-Mail-Adresse", "e mail adresse" and
 * "N° client" / "Nº cliente" / "No. cliente" are one spelling each).
 *
 * Collisions, decided here once (each alias must mean one role after
 * folding; `aliasRoles` refuses to start otherwise, and a unit test says so):
 * - "Nombre" is Spanish for name and French for a number (of items): Spanish
 *   headers use it far more, and French tills write "Quantité"/"Qté", so it
 *   is a name.
 * - "Name" (en/de), "Nom" (fr) and "Naam" (nl) are the whole name alone, but
 *   the family name beside a given-name column ("Vorname; Name",
 *   "Prénom; Nom"); "Nome" (it/pt) and "Nombre" (es) are the whole name
 *   alone and the given name beside a family-name column ("Nome; Cognome",
 *   "Nombre; Apellidos"). See NAME_BESIDE.
 * - "Apelido" is the family name in Portugal but a nickname in Brazil, where
 *   the family name is "Sobrenome": read as the family name (Portuguese
 *   tills and invoicing software write it so); a Brazilian file with both has
 *   "Sobrenome" win when it comes first, and the shop sees it in the preview.
 * - "Référence" folds to English "reference", already an order number; the
 *   Spanish and Portuguese "Referencia"/"Referência" are left out: in a
 *   line-item export they name the product, and an order number taken from a
 *   product reference would merge every sale of that product into one.
 * - Lifetime totals on a customers list ("Umsatz gesamt", "Total dépensé",
 *   like English "Total Spent") are not a sale and are left unmapped, as is
 *   the bare German "Umsatz" (a customers list's turnover as often as a
 *   sale's amount).
 * - Bare "Code"/"Código"/"Codice", "Documento" and "Tipo" are left out:
 *   customer code, product code, identity document or customer type are all
 *   common readings.
 */
import { type Aliases, FRENCH, GERMAN, SPANISH } from './header-aliases-de-fr-es';
import { DUTCH, ITALIAN, PORTUGUESE } from './header-aliases-it-nl-pt';
import type { ColumnRole } from './types';

const ENGLISH: Aliases = [
  ['email', ['email', 'e-mail', 'email address', 'customer email', 'mail']],
  ['phone', ['phone', 'telephone', 'tel', 'mobile', 'cell', 'phone number', 'contact number']],
  ['first_name', ['first name', 'firstname', 'given name', 'forename']],
  ['last_name', ['last name', 'surname', 'family name', 'lastname']],
  ['full_name', ['name', 'customer', 'customer name', 'full name']],
  ['customer_id', ['customer id', 'customer number', 'customer no', 'client id', 'customer code', 'account']],
  ['loyalty_id', ['loyalty', 'loyalty card', 'card number', 'member id', 'membership']],
  [
    'order_id',
    [
      'order id',
      'order',
      'order number',
      'invoice',
      'invoice number',
      'invoice no',
      'receipt',
      'receipt number',
      'transaction id',
      'reference',
    ],
  ],
  ['date', ['date', 'order date', 'sale date', 'purchase date', 'invoice date', 'created at', 'created', 'paid at']],
  ['time', ['time']],
  ['time_zone', ['time zone', 'timezone']],
  ['order_total', ['total', 'order total', 'grand total', 'amount paid', 'total collected']],
  ['line_total', ['amount', 'line total', 'net sales', 'value', 'sales']],
  ['line_quantity', ['qty', 'quantity', 'units']],
  ['line_title', ['item', 'product', 'product name', 'description', 'item name', 'lineitem name']],
  ['line_sku', ['sku', 'product code', 'item code', 'stock code', 'barcode']],
  ['line_price', ['price', 'unit price', 'lineitem price']],
  ['category', ['category', 'department', 'product type']],
  ['refund_amount', ['refunded amount', 'refund']],
  ['record_type', ['type', 'receipt type', 'event type', 'transaction type']],
  ['currency', ['currency']],
  ['email_consent', ['accepts email marketing', 'email opt in', 'newsletter', 'marketing consent']],
  ['sms_consent', ['accepts sms marketing', 'sms opt in']],
  ['whatsapp_consent', ['accepts whatsapp marketing', 'whatsapp opt in']],
];

export const LANGUAGES = ['en', 'de', 'fr', 'es', 'it', 'nl', 'pt'] as const;
export type Language = (typeof LANGUAGES)[number];

/**
 * Every language's aliases. Words several languages share with one meaning ("Data", "Total", "Categoria",
 * "Cliente", "Reembolso", "Artikel", "Valuta") are written once, in the first language that has them.
 */
export const HEADER_ALIASES: Record<Language, Aliases> = {
  en: ENGLISH,
  de: GERMAN,
  fr: FRENCH,
  es: SPANISH,
  it: ITALIAN,
  nl: DUTCH,
  pt: PORTUGUESE,
};

/**
 * Names whose meaning depends on the columns beside them: alone, the whole name; beside a column of the other
 * half of a name (and none of their own half), that own half. "Vorname; Name" is Anna / Müller, "Nome; Cognome"
 * is Mario / Rossi; "Name" alone is "Anna Müller".
 */
export const NAME_BESIDE: Record<string, { beside: ColumnRole; means: ColumnRole }> = {
  name: { beside: 'first_name', means: 'last_name' },
  nom: { beside: 'first_name', means: 'last_name' },
  naam: { beside: 'first_name', means: 'last_name' },
  nome: { beside: 'last_name', means: 'first_name' },
  nombre: { beside: 'last_name', means: 'first_name' },
};

/**
 * A header as matched against the aliases: a one-word header written in camel case split into its words
 * ("CustomerID", "InvoiceNo", "UnitPrice" as "customer id", "invoice no", "unit price"), lower-case, accents stripped, punctuation collapsed to
 * single spaces, and the ordinal signs of "Nº"/"N.º"/"N°" read as punctuation (so all three are "n").
 */
export function headerMatchKey(header: string): string {
  // Only a header written as one word is split at its capitals: one with spaces already has its words apart, and
  // a name inside it keeps its own capitals ("Accepts WhatsApp Marketing").
  const words = /\s/.test(header.trim())
    ? header
    : header.replace(/(\p{Ll})(\p{Lu})/gu, '$1 $2').replace(/(\p{Lu})(\p{Lu}\p{Ll})/gu, '$1 $2');
  return words
    .replace(/[ºª°]/g, ' ')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * Folded alias → role over every language. An alias meaning two roles is a mistake in the lists above (the map
 * would silently keep one): refused here, naming both.
 */
export function aliasRoles(aliases: Record<Language, Aliases> = HEADER_ALIASES): Map<string, ColumnRole> {
  // The names read by the columns beside them are the whole name on their own, and nothing else in any language.
  const roles = new Map<string, ColumnRole>(Object.keys(NAME_BESIDE).map((key) => [key, 'full_name']));
  const where = new Map<string, string>(Object.keys(NAME_BESIDE).map((key) => [key, 'NAME_BESIDE']));
  for (const language of LANGUAGES) {
    for (const [role, words] of aliases[language]) {
      for (const word of words) {
        const key = headerMatchKey(word);
        const before = roles.get(key);
        if (before !== undefined && before !== role) {
          throw new Error(
            `Header alias “${word}” (${language}, ${role}) folds to “${key}”, already ${before} (${where.get(key)}).`,
          );
        }
        roles.set(key, role);
        if (!where.has(key)) where.set(key, language);
      }
    }
  }
  return roles;
}
