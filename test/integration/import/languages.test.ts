/**
 * Customers and sales files with headers in German, French, Spanish, Italian,
 * Dutch and Portuguese (test/fixtures/import/<lang>-*.csv, see its README),
 * imported through the real path into a real data file, each with its
 * country for phone numbers: the exact customers (names, emails, phones,
 * customer numbers, consent) and, for the sales files, the exact purchases
 * and refunds — and the columns left out, named in the preview and by
 * `constintel import` (the built CLI: `npm run build` first).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../../main/core/backend';
import { importHost } from '../../../main/core/import/import-service';
import { importFile, previewImport } from '../../../main/core/import/imports';
import { tempDir, testBackend } from '../../support/backend';
import { builtScript } from '../../support/spawn';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/import/${name}`, import.meta.url));

let backend: Backend | undefined;
const dirs: { remove(): void }[] = [];
afterEach(async () => {
  await backend?.close();
  backend = undefined;
  for (const d of dirs.splice(0)) d.remove();
});

/** A fresh shop whose own country is the UK: each file's country is chosen for its import, as a shop would. */
async function fresh(): Promise<Backend> {
  const dir = tempDir();
  dirs.push(dir);
  backend = await testBackend({ dataDir: dir.path });
  await backend.call('settings.update', { defaultCountry: 'GB' });
  return backend;
}

/** name, the identifiers held ("type:value"), email consent (null: never said). */
function customers(b: Backend): [string, string[], number | null][] {
  return (
    b.db.sqlite
      .prepare(
        `SELECT p.id, trim(coalesce(p.first_name, '') || ' / ' || coalesce(p.last_name, '')) AS name,
                p.email_consent AS consent
         FROM customer_profile p ORDER BY p.id`,
      )
      .all() as { id: number; name: string; consent: number | null }[]
  ).map((p) => [
    p.name,
    (
      b.db.sqlite
        .prepare('SELECT type, value FROM profile_identifier WHERE profile_id = ? ORDER BY type, value')
        .all(p.id) as { type: string; value: string }[]
    ).map((i) => `${i.type}:${i.value}`),
    p.consent,
  ]);
}

/** type, natural key, total, currency, and the customer's email or number (null: no one). */
function events(b: Backend): [string, string, number | null, string | null, string | null][] {
  return (
    b.db.sqlite
      .prepare(
        `SELECT e.event_type AS type, e.external_id AS key, json_extract(e.payload, '$.total') AS total,
                json_extract(e.payload, '$.currency') AS currency, e.customer_profile_id AS profile,
                (SELECT value FROM profile_identifier i WHERE i.profile_id = e.customer_profile_id
                 ORDER BY i.type = 'email' DESC, i.value LIMIT 1) AS who
         FROM customer_raw_event e ORDER BY e.id`,
      )
      .all() as { type: string; key: string; total: number | null; currency: string | null; who: string | null }[]
  ).map((e) => [e.type, e.key, e.total, e.currency, e.who]);
}

async function importWith(b: Backend, name: string, defaultCountry: string) {
  const core = importHost(b.ctx);
  const preview = await previewImport(core, fixture(name), { defaultCountry });
  const summary = await importFile(core, { path: fixture(name), choices: { defaultCountry } });
  return { preview, summary };
}

describe('customers files in six languages', () => {
  it('German (UTF-8 with BOM): Kundennr, Vorname, Nachname, E-Mail, Telefon and Mobil read; Umsatz gesamt said to be left out', async () => {
    const b = await fresh();
    const { preview, summary } = await importWith(b, 'de-kunden.csv', 'DE');
    expect(preview.settings.format).toBe('generic_customers');
    expect(preview.settings.roles).toEqual([
      'customer_id',
      'first_name',
      'last_name',
      'email',
      'phone',
      'phone_alt',
      'ignore',
      'email_consent',
      'ignore',
    ]);
    expect(preview.notImported).toEqual(['Umsatz gesamt', 'Geburtsdatum']);
    expect(summary).toMatchObject({ status: 'completed', rowsRead: 4, profilesCreated: 4, rejected: 0 });
    expect(customers(b)).toEqual([
      ['Anna / Müller', ['email:anna.mueller@example.de', 'phone:+493026391845', 'pos_customer_id:K-1001'], 1],
      ['Jürgen / Weiß', ['email:j.weiss@example.de', 'phone:+491709876543', 'pos_customer_id:K-1002'], 0],
      ['Zoë / Schröder', ['phone:+49895550123', 'pos_customer_id:K-1003'], null],
      ['Björn / Groß', ['email:bjoern.gross@example.at', 'phone:+4315123456', 'pos_customer_id:K-1004'], 1],
    ]);
  });

  it('French: N° client, Prénom + Nom (the family name), Courriel, Téléphone, Portable; oui/non consent', async () => {
    const b = await fresh();
    const { preview, summary } = await importWith(b, 'fr-clients.csv', 'FR');
    expect(preview.settings.format).toBe('generic_customers');
    expect(preview.notImported).toEqual(['Civilité', 'Code postal', 'Ville', 'Total dépensé']);
    expect(summary).toMatchObject({ status: 'completed', rowsRead: 4, profilesCreated: 4, rejected: 0 });
    expect(customers(b)).toEqual([
      ['Chloé / Dubois', ['email:chloe.dubois@example.fr', 'phone:+33142685300', 'pos_customer_id:C0001'], 1],
      ['François / Lefèvre', ['email:f.lefevre@example.fr', 'phone:+33612345678', 'pos_customer_id:C0002'], 0],
      ['Hélène / Gauthier-Roy', ['phone:+33781234567', 'pos_customer_id:C0003'], null],
      ['Noël / Mercier', ['email:noel.mercier@example.fr', 'phone:+33491551234', 'pos_customer_id:C0004'], 1],
    ]);
  });

  it('Spanish: Nº cliente, Nombre + Apellidos, Correo electrónico, Teléfono, Móvil; sí/no consent', async () => {
    const b = await fresh();
    const { preview, summary } = await importWith(b, 'es-clientes.csv', 'ES');
    expect(preview.settings.format).toBe('generic_customers');
    expect(preview.notImported).toEqual(['Fecha de alta']);
    expect(summary).toMatchObject({ status: 'completed', rowsRead: 4, profilesCreated: 4, rejected: 0 });
    expect(customers(b)).toEqual([
      ['María José / García López', ['email:mjgarcia@example.es', 'phone:+34912345678', 'pos_customer_id:1001'], 1],
      ['José Luis / Fernández', ['email:jlfernandez@example.es', 'phone:+34612345678', 'pos_customer_id:1002'], 0],
      ['Begoña / Martínez de la Cruz', ['phone:+34654321987', 'pos_customer_id:1003'], null],
      ['Íñigo / Sáez', ['email:inigo.saez@example.com', 'phone:+34934567890', 'pos_customer_id:1004'], 1],
    ]);
  });

  it('Italian (UTF-8 with BOM): Codice cliente, Nome + Cognome, Telefono, Cellulare; sì/no consent', async () => {
    const b = await fresh();
    const { preview, summary } = await importWith(b, 'it-clienti.csv', 'IT');
    expect(preview.settings.format).toBe('generic_customers');
    expect(preview.notImported).toEqual(['Codice fiscale']);
    expect(summary).toMatchObject({ status: 'completed', rowsRead: 4, profilesCreated: 4, rejected: 0 });
    expect(customers(b)).toEqual([
      ['Giulia / Bianchi', ['email:giulia.bianchi@example.it', 'phone:+390669821234', 'pos_customer_id:CL001'], 1],
      ['Niccolò / Rossi', ['email:n.rossi@example.it', 'phone:+393471234567', 'pos_customer_id:CL002'], 0],
      ["Lucrezia / D'Angelo", ['phone:+393337654321', 'pos_customer_id:CL003'], null],
      ['Pietro / De Santis', ['email:pietro.desantis@example.it', 'phone:+390287654321', 'pos_customer_id:CL004'], 1],
    ]);
  });

  it('Dutch: Klantnummer, Voornaam, Achternaam, E-mailadres, Telefoonnummer, Mobiel; ja/nee consent', async () => {
    const b = await fresh();
    const { preview, summary } = await importWith(b, 'nl-klanten.csv', 'NL');
    expect(preview.settings.format).toBe('generic_customers');
    expect(preview.notImported).toEqual(['Totaal besteed']);
    expect(summary).toMatchObject({ status: 'completed', rowsRead: 4, profilesCreated: 4, rejected: 0 });
    expect(customers(b)).toEqual([
      ['Sanne / de Vries', ['email:sanne.devries@example.nl', 'phone:+31201234567', 'pos_customer_id:1001'], 1],
      ['Daan / van den Berg', ['email:daan.vdberg@example.nl', 'phone:+31612345678', 'pos_customer_id:1002'], 0],
      ['Eline / Jansen', ['phone:+31687654321', 'pos_customer_id:1003'], null],
      ['Joël / Bakker', ['email:joel.bakker@example.be', 'phone:+32470123456', 'pos_customer_id:1004'], 1],
    ]);
  });

  it('Portuguese (UTF-8 with BOM): N.º cliente, Nome + Apelido, Telemóvel before Telefone; sim/não consent', async () => {
    const b = await fresh();
    const { preview, summary } = await importWith(b, 'pt-clientes.csv', 'PT');
    expect(preview.settings.format).toBe('generic_customers');
    expect(preview.notImported).toEqual(['NIF']);
    expect(summary).toMatchObject({ status: 'completed', rowsRead: 4, profilesCreated: 4, rejected: 0 });
    expect(customers(b)).toEqual([
      ['João / Gonçalves', ['email:joao.goncalves@example.pt', 'phone:+351912345678', 'pos_customer_id:101'], 1],
      ['Inês / Conceição', ['email:ines.conceicao@example.pt', 'phone:+351213456789', 'pos_customer_id:102'], 0],
      ['Sebastião / Araújo', ['phone:+351936543210', 'pos_customer_id:103'], null],
      ['Ana / Brandão', ['email:ana.brandao@example.com.br', 'phone:+5511912345678', 'pos_customer_id:104'], 1],
    ]);
  });
});

describe('sales files', () => {
  it('German: Belegnr groups lines into one purchase, Betrag summed, dates 03.03.2025, a negative line a refund', async () => {
    const b = await fresh();
    const { preview, summary } = await importWith(b, 'de-verkaeufe.csv', 'DE');
    expect(preview.settings).toMatchObject({ format: 'generic_transactions', decimalComma: true, dateOrder: 'DMY' });
    expect(preview.notImported).toEqual(['Zahlungsart']);
    expect(summary).toMatchObject({
      status: 'completed',
      rowsRead: 5,
      eventsCreated: 4,
      anonymousSales: 1,
      profilesCreated: 2,
      rejected: 0,
    });
    expect(events(b)).toEqual([
      ['purchase', 'sale:B-2025-0001', 6.9, 'EUR', 'anna.mueller@example.de'],
      ['purchase', 'sale:B-2025-0002', 7.6, 'EUR', null],
      ['purchase', 'sale:B-2025-0003', 1249, 'EUR', 'j.weiss@example.de'],
      ['refund', expect.stringMatching(/^refund:B-2025-0004:[\w-]{22}$/), 1.8, 'EUR', 'anna.mueller@example.de'],
    ]);
    expect(customers(b)).toEqual([
      ['Anna / Müller', ['email:anna.mueller@example.de', 'pos_customer_id:K-1001'], null],
      ['Jürgen / Weiß', ['email:j.weiss@example.de', 'pos_customer_id:K-1002'], null],
    ]);
    const items = b.db.sqlite
      .prepare("SELECT payload ->> '$.items' FROM customer_raw_event WHERE external_id = 'sale:B-2025-0001'")
      .pluck()
      .get() as string;
    expect(JSON.parse(items)).toEqual([
      { sku: '4006381333931', title: 'Vollkornbrot 750 g', quantity: 1, price: 4.2 },
      { sku: '4006381333948', title: 'Brezel', quantity: 3, price: 0.9 },
    ]);
    const when = b.db.sqlite
      .prepare("SELECT occurred_at FROM customer_raw_event WHERE external_id = 'sale:B-2025-0003'")
      .pluck()
      .get() as number;
    // 04.03.2025 09:40 is 4 March (day first), in this PC's time.
    expect([new Date(when).getMonth(), new Date(when).getDate(), new Date(when).getHours()]).toEqual([2, 4, 9]);
  });

  it('French (UTF-8 with BOM): N° facture, Qté, Prix unitaire, Montant TTC with “1 250,00”, Prénom + Nom', async () => {
    const b = await fresh();
    const { preview, summary } = await importWith(b, 'fr-ventes.csv', 'FR');
    expect(preview.settings).toMatchObject({ format: 'generic_transactions', decimalComma: true, dateOrder: 'DMY' });
    expect(preview.notImported).toEqual(['Mode de paiement']);
    expect(summary).toMatchObject({
      status: 'completed',
      rowsRead: 5,
      eventsCreated: 4,
      anonymousSales: 1,
      profilesCreated: 2,
      rejected: 0,
    });
    expect(events(b)).toEqual([
      ['purchase', 'sale:F2025-0101', 6.2, 'EUR', 'chloe.dubois@example.fr'],
      ['purchase', 'sale:F2025-0102', 1250, 'EUR', 'f.lefevre@example.fr'],
      ['purchase', 'sale:F2025-0103', 3.9, 'EUR', null],
      ['refund', expect.stringMatching(/^refund:F2025-0104:[\w-]{22}$/), 1.2, 'EUR', 'chloe.dubois@example.fr'],
    ]);
    expect(customers(b)).toEqual([
      ['Chloé / Dubois', ['email:chloe.dubois@example.fr', 'pos_customer_id:C0001'], null],
      ['François / Lefèvre', ['email:f.lefevre@example.fr', 'pos_customer_id:C0002'], null],
    ]);
  });
});

describe('constintel import', () => {
  it('names the columns it leaves out: a note in words, and notImported in the --json line', () => {
    const dir = tempDir();
    dirs.push(dir);
    const run = (...flags: string[]) =>
      spawnSync(
        process.execPath,
        [builtScript('cli'), 'import', fixture('de-kunden.csv'), '--default-country', 'DE', ...flags],
        { encoding: 'utf8', timeout: 60_000 },
      );
    const json = run('--data-dir', join(dir.path, 'json'), '--json');
    expect(json.status).toBe(0);
    expect(json.stderr).toContain(
      'Note: not imported (ConstIntel does not read these columns as they are): “Umsatz gesamt”, “Geburtsdatum”.',
    );
    const line = JSON.parse(json.stdout.trim()) as { notImported: string[]; profilesCreated: number; rejected: number };
    expect(line).toMatchObject({ notImported: ['Umsatz gesamt', 'Geburtsdatum'], profilesCreated: 4, rejected: 0 });

    const text = run('--data-dir', join(dir.path, 'text'));
    expect(text.status).toBe(0);
    expect(text.stderr).toMatch(
      /^Note: not imported .*“Umsatz gesamt”, “Geburtsdatum”\. To import one, choose what it means/m,
    );
    expect(text.stdout).toMatch(/4 new customers/);
  }, 60_000);
});
