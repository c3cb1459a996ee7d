/**
 * The customers export: every customer the Customers page would list for a filter (all its pages, in its order),
 * one CSV row each — number, name, main email and phone, lifetime value, orders, last purchase, segment, churn risk,
 * predicted value, journey stage, journey score and next best action — a win-back list the shop can take anywhere.
 *
 * Why it pages through `searchCustomers` instead of its own query: the file must hold exactly the customers the page
 * shows (its filter, its order, the main email and phone the list shows, which are the ones first seen), and a second
 * copy of that filter would drift from it. Pages of BATCH are read inside one read transaction, so a sale recorded
 * while the file is written cannot shift a page and repeat or drop a customer; only one page is held at a time, so
 * 100,000 customers export in bounded memory (test/integration/customers/export.test.ts measures it).
 *
 * The journey columns come from `customer_journey` by LEFT JOIN: before the journey engine has run they are empty
 * cells, not missing rows. The next best action is the one Customer 360 and the Journeys page show, worked out as
 * the file is written (journey/next-best-action.ts, the same ranking and guards), page by page as one batch of
 * steady reads; empty when no action may be taken now. A cell a spreadsheet would run as a formula (= + @, or - not followed by a number) gets a
 * leading apostrophe, as in the other exports; papaparse quotes commas, quotes and line breaks.
 */
import { appendFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import Papa from 'papaparse';
import type { CustomerExportFilter } from '../../../shared/contract/customer-export';
import type { CustomerSummary } from '../../../shared/contract/customers';
import { clampTotal } from '../../../shared/limits';
import { prefetchCustomers } from '../automations/prefetch';
import type { EngineContext } from '../context';
import type { Database } from '../db/open';
import { journeyFactsOf } from '../db/repos/customer-export';
import { withSteadyReads } from '../db/steady-reads';
import { escapeCells } from '../import/worker/import-job';
import { bestActionIfAny } from '../journey/next-best-action';
import { readSettings } from '../settings/settings-store';
import { normalizeOptions, shopCurrency } from '../settings/shop-settings';
import { searchCustomers } from './customer-search';

/**
 * Customers per page read. Each page re-sorts the list (about 60 ms at 100,000 customers) and summarises its rows
 * (about 50 µs each): 2,000 a page exported 100,000 in 16 s, 5,000 in about 7 s; a page's rows are a few MB.
 */
export const EXPORT_BATCH = 5000;

/** One customer as the file shows them, before formatting. */
export interface CustomerExportRow {
  id: number;
  name: string | null;
  email: string | null;
  phone: string | null;
  lifetimeValue: number;
  orders: number;
  lastPurchaseAt: number | null;
  segment: string | null;
  churnScore: number | null;
  predictedValue: number | null;
  stage: string | null;
  journeyScore: number | null;
  nextBestAction: string | null;
}

/**
 * Every customer the filter lists, a page at a time, in the page's order. The caller holds a read transaction
 * around the whole walk (see `inOneSnapshot`) so the pages are of one moment.
 */
export function* customerExportPages(ctx: EngineContext, filter: CustomerExportFilter): Generator<CustomerExportRow[]> {
  const normalize = normalizeOptions(ctx);
  for (let offset = 0; ; offset += EXPORT_BATCH) {
    const { items } = searchCustomers(ctx.db, {
      ...filter,
      brandId: ctx.brandId,
      normalize,
      offset,
      limit: EXPORT_BATCH,
    });
    if (items.length === 0) return;
    // Read as one batch (steady reads, the page's customers' consent, names and scores read at once): the walk is
    // inside one read transaction, so nothing read can change while the page is worked out.
    const rows = withSteadyReads(() => {
      const ids = items.map((c) => c.id);
      const facts = journeyFactsOf(ctx.db, ids);
      prefetchCustomers(ctx.db, ids);
      return items.map((c: CustomerSummary): CustomerExportRow => {
        const f = facts.get(c.id);
        return {
          id: c.id,
          name: c.name,
          email: c.email,
          phone: c.phone,
          lifetimeValue: c.lifetimeValue,
          orders: c.totalOrders,
          lastPurchaseAt: f?.last_purchase_at ?? null,
          segment: c.segment,
          churnScore: c.churnScore,
          predictedValue: c.ltvScore,
          stage: f?.stage ?? null,
          journeyScore: f?.score ?? null,
          nextBestAction: bestActionIfAny(ctx, c.id)?.label ?? null,
        };
      });
    });
    yield rows;
    if (items.length < EXPORT_BATCH) return;
  }
}

/** The header row, in the shop's words; money columns name the shop's currency. */
export function exportHeader(currency: string): string[] {
  return [
    'Customer number',
    'Name',
    'Email',
    'Phone',
    `Lifetime value (${currency})`,
    'Orders',
    'Last purchase',
    'Segment',
    'Churn risk',
    `Predicted value (${currency})`,
    'Journey stage',
    'Journey score',
    'Next best action',
  ];
}

/** A day as YYYY-MM-DD in the shop's time zone (en-CA writes dates that way). */
export function dayFormatter(timeZone: string): (ms: number) => string {
  const format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  return (ms) => format.format(new Date(ms));
}

const money = (value: number | null) => (value === null || !Number.isFinite(value) ? '' : clampTotal(value).toFixed(2));
const stageWords = (stage: string | null) =>
  stage === null || stage === '' ? '' : `${stage.charAt(0).toUpperCase()}${stage.slice(1).replace(/_/g, ' ')}`;

/** One row's cells: money with 2 decimals, churn risk as a whole percentage, the journey score 0–100 whole. */
export function exportCells(row: CustomerExportRow, day: (ms: number) => string): (string | number)[] {
  return [
    row.id,
    row.name ?? '',
    row.email ?? '',
    row.phone ?? '',
    money(row.lifetimeValue),
    row.orders,
    row.lastPurchaseAt === null || !Number.isFinite(new Date(row.lastPurchaseAt).getTime())
      ? ''
      : day(row.lastPurchaseAt),
    row.segment ?? '',
    row.churnScore === null ? '' : `${Math.round(row.churnScore * 100)}%`,
    money(row.predictedValue),
    stageWords(row.stage),
    row.journeyScore === null ? '' : Math.round(row.journeyScore),
    row.nextBestAction ?? '',
  ];
}

const toCsv = (rows: (string | number)[][]) =>
  `${Papa.unparse(rows, { escapeFormulae: escapeCells, newline: '\r\n' })}\r\n`;

/**
 * The file as pieces: a byte-order mark and the header (so Excel reads accents as UTF-8), then one piece per page.
 * `counted` is told how many customers each piece holds.
 */
export function* customerCsvChunks(
  ctx: EngineContext,
  filter: CustomerExportFilter,
  counted: (customers: number) => void = () => {},
): Generator<string> {
  const day = dayFormatter(readSettings(ctx.db).timeZone);
  yield `\ufeff${toCsv([exportHeader(shopCurrency(ctx))])}`;
  for (const page of customerExportPages(ctx, filter)) {
    counted(page.length);
    yield toCsv(page.map((row) => exportCells(row, day)));
  }
}

/** Runs the walk inside one read transaction (nested in the caller's, if any): every page sees the same moment. */
function inOneSnapshot<T>(db: Database, work: () => T): T {
  return db.sqlite.transaction(work)();
}

/** The file name the shop gets: customers-YYYY-MM-DD.csv, today in the shop's time zone. */
export function exportFileName(ctx: EngineContext): string {
  return `customers-${dayFormatter(readSettings(ctx.db).timeZone)(ctx.clock.now().getTime())}.csv`;
}

/**
 * Writes the export to `path`: beside it first and renamed into place, so a half-written file never carries the
 * name (a failure leaves whatever was there before).
 */
export function writeCustomersCsv(
  ctx: EngineContext,
  filter: CustomerExportFilter,
  path: string,
): { file: string; customers: number } {
  const partial = `${path}.partial`;
  let customers = 0;
  try {
    writeFileSync(partial, '', { mode: 0o600 });
    inOneSnapshot(ctx.db, () => {
      for (const chunk of customerCsvChunks(ctx, filter, (n) => {
        customers += n;
      }))
        appendFileSync(partial, chunk);
    });
    renameSync(partial, path);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
  return { file: path, customers };
}

/** The export as text, for the Customers page to save as a download. */
export function customersCsv(
  ctx: EngineContext,
  filter: CustomerExportFilter,
): { fileName: string; csv: string; customers: number } {
  let customers = 0;
  const pieces = inOneSnapshot(ctx.db, () => [
    ...customerCsvChunks(ctx, filter, (n) => {
      customers += n;
    }),
  ]);
  return { fileName: exportFileName(ctx), csv: pieces.join(''), customers };
}
