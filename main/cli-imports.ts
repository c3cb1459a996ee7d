/**
 * `constintel import-history [--json]`: the last imports, newest first, with what each added (and, once undone,
 * what went). `constintel undo-import <id> [--json]`: removes what an import added (import/undo-import.ts) and prints
 * what went; interrupted, the app finishes it at its next start, and running it again finishes it too.
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { ImportJobView } from '../shared/contract/imports';
import { openForCommand } from './cli-context';
import { ImportManager } from './core/import/import-manager';
import { importHost } from './core/import/import-service';
import { resolveDataDir } from './core/paths';
import { ensureDefaultBrand } from './core/settings/settings-store';

const DATA_DIR = ['--data-dir <dir>', 'folder holding the data file (default: your user app-data folder)'] as const;

const STATUS_WORDS: Record<ImportJobView['status'], string> = {
  running: 'importing',
  completed: 'finished',
  cancelled: 'stopped',
  failed: 'failed',
  interrupted: 'cut short',
  removing: 'being undone',
  removed: 'undone',
};

function jobIdOption(value: string): number {
  const id = Number(value);
  if (!Number.isInteger(id) || id <= 0)
    throw new InvalidArgumentError('give the number of an import, as import-history lists them.');
  return id;
}

const n = (value: number) => value.toLocaleString('en');

/** What undoing the import removed, in words (one line, after its heading). */
export function removalText(job: ImportJobView): string {
  const r = job.removal;
  if (!r) return '';
  const kept =
    r.customersKept > 0
      ? ` ${n(r.customersKept)} ${r.customersKept === 1 ? 'customer it had sales or details for stays' : 'customers it had sales or details for stay'} (they were there before, or bought or were sent a message since); their totals were worked out again.`
      : '';
  return `Removed ${n(r.events)} events and ${n(r.customers)} customer${r.customers === 1 ? '' : 's'} it added${r.merges > 0 ? `, undid ${n(r.merges)} merge${r.merges === 1 ? '' : 's'} it made` : ''}.${kept}`;
}

export function addImportHistoryCommands(program: Command): void {
  program
    .command('import-history')
    .description('The last 50 imports, newest first: when, what each added, and whether it was undone.')
    .option('--json', 'print the imports as JSON (each with its id)')
    .option(...DATA_DIR)
    .action((opts: { json?: boolean; dataDir?: string }) => {
      const ctx = openForCommand(resolveDataDir({ flag: opts.dataDir }));
      try {
        ensureDefaultBrand(ctx.db, ctx.clock);
        const jobs = new ImportManager(importHost(ctx)).jobs();
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(jobs, null, 2)}\n`);
          return;
        }
        if (jobs.length === 0) {
          process.stdout.write('Nothing imported yet.\n');
          return;
        }
        const lines = jobs.map((job) => {
          const head = `#${job.id}  ${job.startedAt.slice(0, 16).replace('T', ' ')}  ${job.fileName}  ${STATUS_WORDS[job.status]}: ${n(job.rowsRead)} rows read, ${n(job.eventsCreated)} events added, ${n(job.profilesCreated)} new customers, ${n(job.rejected)} rejected`;
          const removal = job.removal ? `\n      ${removalText(job)}` : '';
          const stopped = job.removal && job.error && job.status !== 'removed' ? `\n      ${job.error}` : '';
          return `${head}${removal}${stopped}`;
        });
        process.stdout.write(`${lines.join('\n')}\nUndo one with: constintel undo-import <#>\n`);
      } finally {
        ctx.db.close();
      }
    });

  program
    .command('undo-import <id>')
    .description(
      'Undo an import: its events go, customers only it added go, merges it made are undone, totals worked out again.',
    )
    .option('--json', 'print the import, with what was removed, as JSON')
    .option(...DATA_DIR)
    .action((id: string, opts: { json?: boolean; dataDir?: string }) => {
      const jobId = jobIdOption(id);
      const ctx = openForCommand(resolveDataDir({ flag: opts.dataDir }));
      try {
        ensureDefaultBrand(ctx.db, ctx.clock);
        const job = new ImportManager(importHost(ctx)).undoNow(jobId);
        if (opts.json) process.stdout.write(`${JSON.stringify(job)}\n`);
        else
          process.stdout.write(
            `Undid import #${job.id} (${job.fileName}). ${removalText(job)}\nThe file can be imported again.\n`,
          );
      } finally {
        ctx.db.close();
      }
    });
}
