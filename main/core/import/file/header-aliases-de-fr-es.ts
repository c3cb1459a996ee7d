/**
 * German, French and Spanish headers of generic customers and sales files, per role (see header-aliases.ts for how
 * they are matched and the collisions decided).
 */
import type { ColumnRole } from './types';

export type Aliases = [ColumnRole, string[]][];

/** "N° client", "Numéro de client", "Nº cliente", "Numero cliente": a number prefix before each noun. */
export function numbered(prefixes: readonly string[], nouns: readonly string[]): string[] {
  return nouns.flatMap((noun) => prefixes.map((prefix) => `${prefix} ${noun}`));
}

const FR_NUMBER = ['n', 'no', 'num', 'numero', 'numero de', 'numero du', 'n de'];
const ES_NUMBER = ['n', 'no', 'nro', 'num', 'numero', 'numero de', 'numero del'];
export const IT_NUMBER = ['n', 'nr', 'num', 'numero', 'numero di', 'numero del'];
export const PT_NUMBER = ['n', 'no', 'num', 'numero', 'numero de', 'numero da', 'numero do'];

export const GERMAN: Aliases = [
  ['email', ['E-Mail-Adresse', 'Email-Adresse', 'Mailadresse']],
  [
    'phone',
    [
      'Telefon',
      'Telefonnummer',
      'Telefon-Nr.',
      'Tel.-Nr.',
      'Mobil',
      'Mobiltelefon',
      'Mobilnummer',
      'Mobilfunk',
      'Handy',
      'Handynummer',
      'Festnetz',
    ],
  ],
  ['first_name', ['Vorname']],
  ['last_name', ['Nachname', 'Familienname', 'Zuname']],
  ['full_name', ['Kundenname', 'Kunde', 'Vollständiger Name', 'Name des Kunden']],
  [
    'customer_id',
    [
      'Kundennummer',
      'Kundennr.',
      'Kunden-Nr.',
      'Kunden-Nummer',
      'Kunden-ID',
      'Kundenid',
      'Kd.-Nr.',
      'KdNr',
      'Kundencode',
    ],
  ],
  [
    'loyalty_id',
    ['Kundenkarte', 'Kundenkartennummer', 'Kundenkarten-Nr.', 'Bonuskarte', 'Treuekarte', 'Mitgliedsnummer'],
  ],
  [
    'order_id',
    [
      'Rechnungsnummer',
      'Rechnungsnr.',
      'Rechnungs-Nr.',
      'Re.-Nr.',
      'Rechnung',
      'Belegnummer',
      'Belegnr.',
      'Beleg-Nr.',
      'Beleg',
      'Bonnummer',
      'Bon-Nr.',
      'Bonnr.',
      'Bestellnummer',
      'Bestellnr.',
      'Bestell-Nr.',
      'Bestellung',
      'Auftragsnummer',
      'Auftragsnr.',
      'Quittungsnummer',
      'Transaktionsnummer',
      'Transaktions-ID',
      'Vorgangsnummer',
    ],
  ],
  [
    'date',
    [
      'Datum',
      'Rechnungsdatum',
      'Belegdatum',
      'Verkaufsdatum',
      'Bestelldatum',
      'Kaufdatum',
      'Buchungsdatum',
      'Auftragsdatum',
    ],
  ],
  ['time', ['Uhrzeit', 'Zeit']],
  [
    'order_total',
    ['Gesamtbetrag', 'Gesamt', 'Summe', 'Gesamtsumme', 'Rechnungsbetrag', 'Belegsumme', 'Endbetrag', 'Gesamtpreis'],
  ],
  ['line_total', ['Betrag', 'Positionsbetrag', 'Zeilenbetrag']],
  ['line_quantity', ['Menge', 'Anzahl', 'Stück', 'Stückzahl', 'Stk.']],
  [
    'line_title',
    ['Artikel', 'Artikelname', 'Artikelbezeichnung', 'Bezeichnung', 'Produkt', 'Produktname', 'Beschreibung', 'Ware'],
  ],
  ['line_sku', ['Artikelnummer', 'Artikelnr.', 'Artikel-Nr.', 'Art.-Nr.', 'ArtNr', 'EAN', 'GTIN', 'Artikelcode']],
  ['line_price', ['Einzelpreis', 'Preis', 'Stückpreis', 'Verkaufspreis', 'VK-Preis']],
  ['category', ['Kategorie', 'Warengruppe', 'Produktkategorie', 'Artikelgruppe']],
  ['refund_amount', ['Erstattung', 'Rückerstattung', 'Erstattet', 'Erstatteter Betrag']],
  ['currency', ['Währung']],
  [
    'email_consent',
    ['Newsletter-Anmeldung', 'Newsletter abonniert', 'E-Mail-Werbung', 'Werbeeinwilligung', 'Einwilligung E-Mail'],
  ],
  ['sms_consent', ['SMS-Werbung', 'Einwilligung SMS']],
];

export const FRENCH: Aliases = [
  [
    'email',
    ['Courriel', 'Mél', 'Adresse e-mail', 'Adresse email', 'Adresse mail', 'Adresse électronique', 'E-mail client'],
  ],
  [
    'phone',
    [
      'Téléphone',
      'Tél.',
      'Portable',
      'Téléphone portable',
      'Tél. portable',
      'Tél. mobile',
      'Téléphone mobile',
      'Numéro de téléphone',
      'N° de téléphone',
      'Téléphone fixe',
    ],
  ],
  ['first_name', ['Prénom']],
  ['last_name', ['Nom de famille']],
  ['full_name', ['Nom complet', 'Nom du client', 'Nom client', 'Client']],
  [
    'customer_id',
    [
      ...numbered(FR_NUMBER, ['client']),
      'Code client',
      'ID client',
      'Identifiant client',
      'Réf. client',
      'Référence client',
    ],
  ],
  [
    'loyalty_id',
    [
      'Carte de fidélité',
      'Carte fidélité',
      ...numbered(FR_NUMBER, ['carte', 'carte de fidélité', 'carte fidélité', 'adhérent', "d'adhérent"]),
    ],
  ],
  [
    'order_id',
    [
      ...numbered(FR_NUMBER, ['facture', 'ticket', 'commande', 'reçu', 'transaction']),
      'Facture',
      'Ticket',
      'Commande',
      'Référence commande',
      'Réf. commande',
    ],
  ],
  [
    'date',
    [
      'Date de facture',
      'Date facture',
      'Date de vente',
      'Date vente',
      'Date de commande',
      'Date commande',
      'Date du ticket',
      "Date d'achat",
    ],
  ],
  ['time', ['Heure']],
  ['order_total', ['Montant total', 'Total TTC', 'Total facture', 'Montant facture', 'Total commande', 'Total ticket']],
  ['line_total', ['Montant', 'Montant TTC', 'Montant ligne', 'Total ligne']],
  ['line_quantity', ['Quantité', 'Qté', 'Qte']],
  ['line_title', ['Article', 'Produit', 'Désignation', 'Libellé', 'Nom du produit', 'Nom produit', 'Nom article']],
  [
    'line_sku',
    ['Code article', 'Réf. article', 'Référence article', 'Référence produit', 'Code-barres', 'Code barre', 'EAN'],
  ],
  ['line_price', ['Prix', 'Prix unitaire', 'Prix unitaire TTC', 'P.U.', 'Prix de vente']],
  ['category', ['Catégorie', 'Rayon', 'Famille', 'Famille de produits']],
  ['refund_amount', ['Remboursement', 'Montant remboursé', 'Remboursé']],
  ['currency', ['Devise', 'Monnaie']],
  [
    'email_consent',
    [
      'Opt-in email',
      'Optin email',
      'Opt-in newsletter',
      'Accepte les emails',
      'Consentement email',
      'Consentement marketing',
      'Abonné newsletter',
      'Inscrit newsletter',
    ],
  ],
  ['sms_consent', ['Opt-in SMS', 'Optin SMS', 'Accepte les SMS', 'Consentement SMS']],
];

export const SPANISH: Aliases = [
  [
    'email',
    [
      'Correo',
      'Correo electrónico',
      'Email del cliente',
      'Dirección de correo',
      'Dirección de email',
      'E-mail cliente',
    ],
  ],
  [
    'phone',
    ['Teléfono', 'Tlf.', 'Tfno.', 'Telf.', 'Móvil', 'Teléfono móvil', 'Celular', 'Número de teléfono', 'Teléfono fijo'],
  ],
  ['first_name', ['Nombre de pila']],
  ['last_name', ['Apellido', 'Apellidos', 'Primer apellido']],
  ['full_name', ['Nombre completo', 'Nombre del cliente', 'Nombre cliente', 'Cliente', 'Nombre y apellidos']],
  [
    'customer_id',
    [
      ...numbered(ES_NUMBER, ['cliente']),
      'Código de cliente',
      'Código cliente',
      'Cód. cliente',
      'ID cliente',
      'Id de cliente',
    ],
  ],
  [
    'loyalty_id',
    [
      'Tarjeta de fidelización',
      'Tarjeta fidelidad',
      'Tarjeta de cliente',
      'Tarjeta cliente',
      ...numbered(ES_NUMBER, ['tarjeta', 'socio']),
      'Socio',
    ],
  ],
  [
    'order_id',
    [
      ...numbered(ES_NUMBER, ['factura', 'ticket', 'pedido', 'recibo', 'transacción']),
      'Factura',
      'Ticket',
      'Pedido',
      'Recibo',
    ],
  ],
  [
    'date',
    [
      'Fecha',
      'Fecha de factura',
      'Fecha factura',
      'Fecha de venta',
      'Fecha venta',
      'Fecha de pedido',
      'Fecha pedido',
      'Fecha de compra',
      'Fecha ticket',
    ],
  ],
  ['time', ['Hora']],
  ['order_total', ['Importe total', 'Total factura', 'Total pedido', 'Total ticket']],
  ['line_total', ['Importe', 'Importe línea', 'Total línea']],
  ['line_quantity', ['Cantidad', 'Cant.', 'Unidades', 'Uds.']],
  ['line_title', ['Artículo', 'Producto', 'Descripción', 'Concepto', 'Nombre del producto', 'Nombre producto']],
  [
    'line_sku',
    [
      'Código de artículo',
      'Código artículo',
      'Código de producto',
      'Código producto',
      'Ref. producto',
      'Referencia producto',
      'Código de barras',
    ],
  ],
  ['line_price', ['Precio', 'Precio unitario', 'PVP', 'Precio de venta']],
  ['category', ['Categoría', 'Familia']],
  ['refund_amount', ['Reembolso', 'Importe reembolsado', 'Reembolsado']],
  ['currency', ['Moneda', 'Divisa']],
  [
    'email_consent',
    ['Acepta publicidad', 'Acepta marketing', 'Consentimiento email', 'Consentimiento marketing', 'Boletín'],
  ],
  ['sms_consent', ['Acepta SMS', 'Consentimiento SMS']],
];
