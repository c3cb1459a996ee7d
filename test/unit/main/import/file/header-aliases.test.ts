import { describe, expect, it } from 'vitest';
import { aliasRoles, HEADER_ALIASES, headerMatchKey } from '../../../../../main/core/import/file/header-aliases';
import { detectFormat, headerKey, notImportedColumns, rolesFor } from '../../../../../main/core/import/file/recognize';
import type { ColumnRole } from '../../../../../main/core/import/file/types';

/** header → role, as a customers file and as a sales file read it (generic aliases are the same for both). */
type Table = [header: string, role: ColumnRole][];

/** Each header alone in a file, so no other column takes its role or changes its meaning. */
function expectRoles(table: Table): void {
  for (const [header, role] of table) {
    expect([header, rolesFor('generic_customers', [header])[0]]).toEqual([header, role]);
    expect([header, rolesFor('generic_transactions', [header])[0]]).toEqual([header, role]);
  }
}

const GERMAN: Table = [
  ['E-Mail', 'email'],
  ['E-Mail-Adresse', 'email'],
  ['Telefon', 'phone'],
  ['Telefonnummer', 'phone'],
  ['Mobil', 'phone'],
  ['Handy', 'phone'],
  ['Vorname', 'first_name'],
  ['Nachname', 'last_name'],
  ['Name', 'full_name'],
  ['Kundenname', 'full_name'],
  ['Kundennummer', 'customer_id'],
  ['Kundennr', 'customer_id'],
  ['Kundennr.', 'customer_id'],
  ['Kunden-Nr.', 'customer_id'],
  ['Kundenkarte', 'loyalty_id'],
  ['Rechnungsnummer', 'order_id'],
  ['Rechnungsnr', 'order_id'],
  ['Belegnummer', 'order_id'],
  ['Belegnr', 'order_id'],
  ['Bonnummer', 'order_id'],
  ['Bestellnummer', 'order_id'],
  ['Datum', 'date'],
  ['Rechnungsdatum', 'date'],
  ['Uhrzeit', 'time'],
  ['Gesamtbetrag', 'order_total'],
  ['Summe', 'order_total'],
  ['Betrag', 'line_total'],
  ['Menge', 'line_quantity'],
  ['Anzahl', 'line_quantity'],
  ['Artikel', 'line_title'],
  ['Bezeichnung', 'line_title'],
  ['Artikelnummer', 'line_sku'],
  ['Art.-Nr.', 'line_sku'],
  ['EAN', 'line_sku'],
  ['Einzelpreis', 'line_price'],
  ['Preis', 'line_price'],
  ['Kategorie', 'category'],
  ['Warengruppe', 'category'],
  ['Rückerstattung', 'refund_amount'],
  ['Währung', 'currency'],
  ['Newsletter', 'email_consent'],
  ['SMS-Werbung', 'sms_consent'],
  // A customers list's lifetime total is not a sale, like English "Total Spent".
  ['Umsatz gesamt', 'ignore'],
  ['Gesamtumsatz', 'ignore'],
  ['Geburtsdatum', 'ignore'],
];

const FRENCH: Table = [
  ['E-mail', 'email'],
  ['Courriel', 'email'],
  ['Adresse e-mail', 'email'],
  ['Téléphone', 'phone'],
  ['Tél.', 'phone'],
  ['Portable', 'phone'],
  ['Mobile', 'phone'],
  ['Prénom', 'first_name'],
  ['Nom de famille', 'last_name'],
  ['Nom', 'full_name'],
  ['Nom du client', 'full_name'],
  ['Client', 'full_name'],
  ['N° client', 'customer_id'],
  ['Numéro de client', 'customer_id'],
  ['Numéro client', 'customer_id'],
  ['Code client', 'customer_id'],
  ['Carte de fidélité', 'loyalty_id'],
  ['N° facture', 'order_id'],
  ['Numéro de facture', 'order_id'],
  ['N° ticket', 'order_id'],
  ['N° commande', 'order_id'],
  ['Référence', 'order_id'],
  ['Date', 'date'],
  ['Date de facture', 'date'],
  ['Heure', 'time'],
  ['Total', 'order_total'],
  ['Total TTC', 'order_total'],
  ['Montant', 'line_total'],
  ['Montant TTC', 'line_total'],
  ['Quantité', 'line_quantity'],
  ['Qté', 'line_quantity'],
  ['Article', 'line_title'],
  ['Désignation', 'line_title'],
  ['Libellé', 'line_title'],
  ['Code article', 'line_sku'],
  ['Code-barres', 'line_sku'],
  ['Prix unitaire', 'line_price'],
  ['Prix', 'line_price'],
  ['Catégorie', 'category'],
  ['Rayon', 'category'],
  ['Remboursement', 'refund_amount'],
  ['Montant remboursé', 'refund_amount'],
  ['Devise', 'currency'],
  ['Opt-in email', 'email_consent'],
  ['Opt-in SMS', 'sms_consent'],
  ['Total dépensé', 'ignore'],
  ['Montant HT', 'ignore'],
];

const SPANISH: Table = [
  ['Correo electrónico', 'email'],
  ['Correo', 'email'],
  ['Teléfono', 'phone'],
  ['Móvil', 'phone'],
  ['Celular', 'phone'],
  ['Nombre', 'full_name'],
  ['Apellido', 'last_name'],
  ['Apellidos', 'last_name'],
  ['Nombre completo', 'full_name'],
  ['Cliente', 'full_name'],
  ['Nº cliente', 'customer_id'],
  ['N.º cliente', 'customer_id'],
  ['Número de cliente', 'customer_id'],
  ['Código de cliente', 'customer_id'],
  ['Tarjeta de fidelización', 'loyalty_id'],
  ['Factura', 'order_id'],
  ['Nº factura', 'order_id'],
  ['Número de factura', 'order_id'],
  ['Nº ticket', 'order_id'],
  ['Nº pedido', 'order_id'],
  ['Fecha', 'date'],
  ['Fecha de venta', 'date'],
  ['Hora', 'time'],
  ['Importe total', 'order_total'],
  ['Importe', 'line_total'],
  ['Cantidad', 'line_quantity'],
  ['Unidades', 'line_quantity'],
  ['Artículo', 'line_title'],
  ['Producto', 'line_title'],
  ['Descripción', 'line_title'],
  ['Código de barras', 'line_sku'],
  ['Precio unitario', 'line_price'],
  ['PVP', 'line_price'],
  ['Categoría', 'category'],
  ['Reembolso', 'refund_amount'],
  ['Moneda', 'currency'],
  ['Acepta publicidad', 'email_consent'],
  ['Acepta SMS', 'sms_consent'],
  // Product or order: left for the shop to say (see header-aliases.ts).
  ['Referencia', 'ignore'],
  ['Fecha de alta', 'ignore'],
];

const ITALIAN: Table = [
  ['Email', 'email'],
  ['Indirizzo email', 'email'],
  ['Telefono', 'phone'],
  ['Cellulare', 'phone'],
  ['Nome', 'full_name'],
  ['Cognome', 'last_name'],
  ['Nome e cognome', 'full_name'],
  ['Nominativo', 'full_name'],
  ['Codice cliente', 'customer_id'],
  ['N. cliente', 'customer_id'],
  ['Carta fedeltà', 'loyalty_id'],
  ['Tessera', 'loyalty_id'],
  ['Numero fattura', 'order_id'],
  ['N. fattura', 'order_id'],
  ['Numero scontrino', 'order_id'],
  ['Scontrino', 'order_id'],
  ['Data', 'date'],
  ['Data vendita', 'date'],
  ['Ora', 'time'],
  ['Totale', 'order_total'],
  ['Importo totale', 'order_total'],
  ['Importo', 'line_total'],
  ['Quantità', 'line_quantity'],
  ['Q.tà', 'line_quantity'],
  ['Articolo', 'line_title'],
  ['Descrizione', 'line_title'],
  ['Codice articolo', 'line_sku'],
  ['Prezzo unitario', 'line_price'],
  ['Prezzo', 'line_price'],
  ['Categoria', 'category'],
  ['Reparto', 'category'],
  ['Rimborso', 'refund_amount'],
  ['Valuta', 'currency'],
  ['Consenso marketing', 'email_consent'],
  ['Consenso SMS', 'sms_consent'],
  ['Codice fiscale', 'ignore'],
];

const DUTCH: Table = [
  ['E-mail', 'email'],
  ['E-mailadres', 'email'],
  ['Telefoon', 'phone'],
  ['Telefoonnummer', 'phone'],
  ['Mobiel', 'phone'],
  ['GSM', 'phone'],
  ['Voornaam', 'first_name'],
  ['Achternaam', 'last_name'],
  ['Naam', 'full_name'],
  ['Klantnaam', 'full_name'],
  ['Klantnummer', 'customer_id'],
  ['Klantnr.', 'customer_id'],
  ['Klantenkaart', 'loyalty_id'],
  ['Factuurnummer', 'order_id'],
  ['Bonnummer', 'order_id'],
  ['Bestelnummer', 'order_id'],
  ['Datum', 'date'],
  ['Factuurdatum', 'date'],
  ['Tijd', 'time'],
  ['Totaal', 'order_total'],
  ['Totaalbedrag', 'order_total'],
  ['Bedrag', 'line_total'],
  ['Aantal', 'line_quantity'],
  ['Artikel', 'line_title'],
  ['Omschrijving', 'line_title'],
  ['Artikelnummer', 'line_sku'],
  ['Stukprijs', 'line_price'],
  ['Prijs', 'line_price'],
  ['Categorie', 'category'],
  ['Terugbetaling', 'refund_amount'],
  ['Valuta', 'currency'],
  ['Nieuwsbrief', 'email_consent'],
  ['Toestemming sms', 'sms_consent'],
  ['Totaal besteed', 'ignore'],
];

const PORTUGUESE: Table = [
  ['Email', 'email'],
  ['Correio eletrónico', 'email'],
  ['Telefone', 'phone'],
  ['Telemóvel', 'phone'],
  ['Celular', 'phone'],
  ['Nome', 'full_name'],
  ['Apelido', 'last_name'],
  ['Sobrenome', 'last_name'],
  ['Nome completo', 'full_name'],
  ['Nº cliente', 'customer_id'],
  ['N.º cliente', 'customer_id'],
  ['Número de cliente', 'customer_id'],
  ['Cartão de cliente', 'loyalty_id'],
  ['Fatura', 'order_id'],
  ['Nº fatura', 'order_id'],
  ['Número da fatura', 'order_id'],
  ['Nº recibo', 'order_id'],
  ['Encomenda', 'order_id'],
  ['Data', 'date'],
  ['Data da venda', 'date'],
  ['Hora', 'time'],
  ['Total', 'order_total'],
  ['Valor total', 'order_total'],
  ['Valor', 'line_total'],
  ['Quantidade', 'line_quantity'],
  ['Qtd.', 'line_quantity'],
  ['Artigo', 'line_title'],
  ['Produto', 'line_title'],
  ['Descrição', 'line_title'],
  ['Código de barras', 'line_sku'],
  ['Preço unitário', 'line_price'],
  ['Preço', 'line_price'],
  ['Categoria', 'category'],
  ['Família', 'category'],
  ['Reembolso', 'refund_amount'],
  ['Moeda', 'currency'],
  ['Aceita marketing', 'email_consent'],
  ['Aceita SMS', 'sms_consent'],
  ['NIF', 'ignore'],
];

describe('header → role, one column at a time', () => {
  it.each([
    ['German', GERMAN],
    ['French', FRENCH],
    ['Spanish', SPANISH],
    ['Italian', ITALIAN],
    ['Dutch', DUTCH],
    ['Portuguese', PORTUGUESE],
  ] as const)('%s', (_language, table) => {
    expectRoles(table);
  });

  it('reads case, accents and punctuation alike: KUNDENNR, Telefono without its accent, “Nº”, “N.º”, “N°”, “No.”', () => {
    expectRoles([
      ['KUNDENNR', 'customer_id'],
      ['telefono', 'phone'],
      ['Nº factura', 'order_id'],
      ['N.º factura', 'order_id'],
      ['N° factura', 'order_id'],
      ['No. factura', 'order_id'],
      ['N° facture', 'order_id'],
      ['Numero fattura', 'order_id'],
      ['QUANTITE', 'line_quantity'],
    ]);
    expect(headerMatchKey('N.º cliente')).toBe('n cliente');
    expect(headerMatchKey('Nº cliente')).toBe('n cliente');
    expect(headerMatchKey('N° client')).toBe('n client');
  });

  it('keeps the key of saved settings as it was (the ordinal sign is folded only for matching)', () => {
    expect(headerKey(['Nº cliente', 'Teléfono'])).toBe('nº cliente|telefono');
  });
});

describe('whole files', () => {
  it.each([
    [
      'de',
      ['Kundennr', 'Vorname', 'Nachname', 'E-Mail', 'Telefon', 'Umsatz gesamt'],
      ['customer_id', 'first_name', 'last_name', 'email', 'phone', 'ignore'],
    ],
    [
      'de, Name beside Vorname is the family name',
      ['Kundennummer', 'Name', 'Vorname', 'Handy', 'Telefon'],
      ['customer_id', 'last_name', 'first_name', 'phone', 'phone_alt'],
    ],
    [
      'de, Name beside Vorname and Nachname stays the whole name',
      ['Name', 'Vorname', 'Nachname'],
      ['full_name', 'first_name', 'last_name'],
    ],
    [
      'fr',
      ['N° client', 'Civilité', 'Prénom', 'Nom', 'Courriel', 'Téléphone', 'Portable'],
      ['customer_id', 'ignore', 'first_name', 'last_name', 'email', 'phone', 'phone_alt'],
    ],
    [
      'es',
      ['Nº cliente', 'Nombre', 'Apellidos', 'Correo electrónico', 'Móvil'],
      ['customer_id', 'first_name', 'last_name', 'email', 'phone'],
    ],
    ['es, Nombre alone is the whole name', ['Nombre', 'Teléfono'], ['full_name', 'phone']],
    [
      'it',
      ['Codice cliente', 'Nome', 'Cognome', 'Email', 'Telefono', 'Cellulare'],
      ['customer_id', 'first_name', 'last_name', 'email', 'phone', 'phone_alt'],
    ],
    [
      'nl',
      ['Klantnummer', 'Voornaam', 'Achternaam', 'E-mailadres', 'Mobiel'],
      ['customer_id', 'first_name', 'last_name', 'email', 'phone'],
    ],
    ['nl (Flemish), Naam beside Voornaam', ['Naam', 'Voornaam', 'GSM'], ['last_name', 'first_name', 'phone']],
    [
      'pt',
      ['N.º cliente', 'Nome', 'Apelido', 'Email', 'Telemóvel', 'Telefone'],
      ['customer_id', 'first_name', 'last_name', 'email', 'phone', 'phone_alt'],
    ],
    ['pt (Brazil)', ['Nome', 'Sobrenome', 'Celular'], ['first_name', 'last_name', 'phone']],
    ['pt, Nome alone is the whole name', ['Nome', 'Telemóvel'], ['full_name', 'phone']],
    ['en, First Name beside Name', ['First Name', 'Name', 'Email'], ['first_name', 'last_name', 'email']],
  ] as const)('%s', (_name, headers, roles) => {
    expect(detectFormat([...headers])).toBe('generic_customers');
    expect(rolesFor('generic_customers', [...headers])).toEqual(roles);
  });

  it.each([
    [
      'de',
      ['Belegnr', 'Datum', 'Kundennr', 'Artikelnr', 'Artikel', 'Menge', 'Einzelpreis', 'Betrag', 'Währung'],
      [
        'order_id',
        'date',
        'customer_id',
        'line_sku',
        'line_title',
        'line_quantity',
        'line_price',
        'line_total',
        'currency',
      ],
    ],
    ['de, a total and no number', ['Rechnungsdatum', 'Kunde', 'Gesamtbetrag'], ['date', 'full_name', 'order_total']],
    [
      'fr',
      ['N° facture', 'Date', 'N° client', 'Désignation', 'Qté', 'Prix unitaire', 'Montant TTC', 'Devise'],
      ['order_id', 'date', 'customer_id', 'line_title', 'line_quantity', 'line_price', 'line_total', 'currency'],
    ],
    ['fr, a total', ['N° ticket', 'Date', 'Heure', 'Total TTC'], ['order_id', 'date', 'time', 'order_total']],
    [
      'es',
      ['Nº factura', 'Fecha', 'Cliente', 'Artículo', 'Cantidad', 'Precio unitario', 'Importe'],
      ['order_id', 'date', 'full_name', 'line_title', 'line_quantity', 'line_price', 'line_total'],
    ],
    [
      'it',
      ['Numero scontrino', 'Data', 'Ora', 'Codice cliente', 'Descrizione', 'Quantità', 'Totale'],
      ['order_id', 'date', 'time', 'customer_id', 'line_title', 'line_quantity', 'order_total'],
    ],
    [
      'nl',
      ['Factuurnummer', 'Datum', 'Klantnummer', 'Omschrijving', 'Aantal', 'Stukprijs', 'Bedrag'],
      ['order_id', 'date', 'customer_id', 'line_title', 'line_quantity', 'line_price', 'line_total'],
    ],
    [
      'pt',
      ['Nº fatura', 'Data', 'Nº cliente', 'Artigo', 'Quantidade', 'Preço unitário', 'Valor', 'Moeda'],
      ['order_id', 'date', 'customer_id', 'line_title', 'line_quantity', 'line_price', 'line_total', 'currency'],
    ],
    ['pt (Brazil)', ['Pedido', 'Data', 'Cliente', 'Valor total'], ['order_id', 'date', 'full_name', 'order_total']],
  ] as const)('a sales file, %s', (_name, headers, roles) => {
    expect(detectFormat([...headers])).toBe('generic_transactions');
    expect(rolesFor('generic_transactions', [...headers])).toEqual(roles);
  });

  it('keeps a customers list with a lifetime total and a date of birth a customers list', () => {
    expect(detectFormat(['Kundennr', 'Vorname', 'Nachname', 'Umsatz gesamt', 'Geburtsdatum'])).toBe(
      'generic_customers',
    );
    expect(detectFormat(['N° client', 'Nom', 'Total dépensé', 'Date de naissance'])).toBe('generic_customers');
  });
});

describe('the alias lists', () => {
  it('give each folded alias one role, over every language', () => {
    expect(() => aliasRoles()).not.toThrow();
    expect(aliasRoles().get('nombre')).toBe('full_name');
  });

  it('refuse an alias that would mean two things', () => {
    expect(() => aliasRoles({ ...HEADER_ALIASES, fr: [...HEADER_ALIASES.fr, ['line_quantity', ['Nombre']]] })).toThrow(
      /“Nombre” \(fr, line_quantity\) folds to “nombre”, already full_name \(NAME_BESIDE\)/,
    );
  });
});

describe('notImportedColumns', () => {
  it('names columns with no meaning, a meaning another column has, and a blank header by its place', () => {
    expect(
      notImportedColumns({
        format: 'generic_customers',
        headers: ['Kundennr', 'E-Mail', 'E-Mail', '', 'Umsatz gesamt'],
        roles: ['customer_id', 'email', 'ignore', 'ignore', 'ignore'],
      }),
    ).toEqual(['E-Mail', 'column 4', 'Umsatz gesamt']);
  });

  it('names columns whose meaning this kind of file does not use', () => {
    expect(
      notImportedColumns({
        format: 'generic_customers',
        headers: ['Email', 'Datum', 'Betrag', 'Newsletter'],
        roles: ['email', 'date', 'line_total', 'email_consent'],
      }),
    ).toEqual(['Datum', 'Betrag']);
    expect(
      notImportedColumns({
        format: 'generic_transactions',
        headers: ['Receipt', 'Date', 'Email', 'Newsletter'],
        roles: ['order_id', 'date', 'email', 'email_consent'],
      }),
    ).toEqual(['Newsletter']);
  });

  it('is empty when every column is read', () => {
    expect(
      notImportedColumns({ format: 'generic_customers', headers: ['Email', 'Phone'], roles: ['email', 'phone'] }),
    ).toEqual([]);
  });
});
