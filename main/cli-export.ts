/**
 * `constintel export customers --out F [--segment S] [--risk R] [--tag T] [--search Q] [--sort K] [--json]`: every
 * customer the Customers page would list for that filter, to a CSV file, through the same function as the page's
 * "Export these customers" button (main/core/customers/export.ts). `--json` prints { file, customers }.
 *
 * It only reads, so it runs beside the app or `npm run serve` on the same data folder: SQLite's write-ahead log lets
 * this connection read one consistent moment while the app keeps writing (it does not take the app's lock).
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { type CustomerExportFilter, customerExportFilterSchema } from '../shared/contract/customer-export';
import { AppError } from '../shared/contract/errors';
import { openForCommand } from './cli-context';
import type { EngineContext } from './core/context';
import { writeCustomersCsv } from './core/customers/export';
import { segmentsInUse } from './core/db/repos/customer-export';
import { resolveDataDir } from './core/paths';
import { ensureDefaultBrand } from './core/settings/settings-store';

interface ExportOptions {
  out: string;
  dataDir?: string;
  segment?: string;
  risk?: string;
  tag?: string;
  search?: string;
  sort?: string;
  json?: boolean;
}

const OPTION_OF: Record<string, string> = {
  query: '--search',
  sort: '--sort',
  risk: '--risk',
  segment: '--segment',
  tag: '--tag',
};

/** The segment as the shop stores it, typed in any case ("at risk" → "At risk"); one it does not know is kept as typed. */
function segmentOf(ctx: EngineContext, typed: string | undefined): string | undefined {
  if (typed === undefined) return undefined;
  const wanted = typed.trim().toLowerCase();
  return segmentNamesOf(ctx).find((n) => n.toLowerCase() === wanted) ?? typed;
}

const segmentNamesOf = (ctx: EngineContext) => segmentsInUse(ctx.db, ctx.brandId);

/** Why a segment's file is empty, in words: no segments yet, or the ones there are. */
function emptySegmentNote(ctx: EngineContext, segment: string): string {
  const names = segmentNamesOf(ctx);
  return names.length === 0
    ? `Note: no customer is in the segment "${segment}" — no segments yet; run \`constintel retrain\` first.\n`
    : `Note: no customer is in the segment "${segment}". The segments are ${names.map((n) => `"${n}"`).join(', ')}.\n`;
}

/** The page's filter from the options, checked by the page's own schema; a refusal names the option. */
function filterOf(ctx: EngineContext, opts: ExportOptions): CustomerExportFilter {
  const parsed = customerExportFilterSchema.safeParse({
    ...(opts.search !== undefined ? { query: opts.search } : {}),
    ...(opts.sort !== undefined ? { sort: opts.sort.trim().replace(/-/g, '_').toLowerCase() } : {}),
    ...(opts.risk !== undefined ? { risk: opts.risk.trim().toLowerCase() } : {}),
    ...(opts.segment !== undefined ? { segment: segmentOf(ctx, opts.segment) } : {}),
    ...(opts.tag !== undefined ? { tag: opts.tag } : {}),
  });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = String(issue?.path[0] ?? '');
  const choices: Record<string, string> = {
    risk: 'high, medium or low',
    sort: 'last_seen, lifetime_value, churn_risk or predicted_value',
  };
  const said = choices[field] ? `must be ${choices[field]}` : (issue?.message ?? 'is not valid');
  throw new AppError('validation', `${OPTION_OF[field] ?? field}: ${said}.`);
}

export function addCustomerExportCommand(exportCommand: Command): void {
  exportCommand
    .command('customers')
    .description(
      'Every customer (or those a filter picks, as on the Customers page) to a CSV file: number, name, main email and phone, lifetime value, orders, last purchase, segment, churn risk, predicted value, journey stage and score, next best action.',
    )
    .requiredOption('--out <file.csv>', 'the CSV file to write (replaced if it exists)')
    .option('--segment <name>', 'only customers in this segment (as on the Models page)')
    .option('--risk <level>', 'only customers with high, medium or low churn risk')
    .option('--tag <tag>', 'only customers with this tag')
    .option('--search <text>', 'only customers the Customers search box finds for this text')
    .option('--sort <order>', 'last_seen (default), lifetime_value, churn_risk or predicted_value')
    .option('--json', 'print { file, customers } as JSON')
    .option('--data-dir <dir>', 'folder holding the data file (default: your user app-data folder)')
    .action((opts: ExportOptions) => {
      const ctx = openForCommand(resolveDataDir({ flag: opts.dataDir }));
      try {
        ensureDefaultBrand(ctx.db, ctx.clock);
        const filter = filterOf(ctx, opts);
        const result = writeCustomersCsv(ctx, filter, resolve(opts.out));
        if (result.customers === 0 && filter.segment !== undefined)
          process.stderr.write(emptySegmentNote(ctx, filter.segment));
        if (opts.json) process.stdout.write(`${JSON.stringify(result)}\n`);
        else process.stdout.write(`Wrote ${result.customers.toLocaleString('en')} customers to ${result.file}\n`);
      } finally {
        ctx.db.close();
      }
    });
}
