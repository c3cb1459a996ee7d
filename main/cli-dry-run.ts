/**
 * `constintel automations dry-run <id> [--json]`: "What would this have done?" from a terminal, through the same
 * function as the Automations page (automations/dry-run-report.ts). It only reads: the replay runs in a transaction
 * that is rolled back, so it needs no lock and may run beside the app (it waits for the data file if the app is
 * writing). Output: the summary, then plain tables (weeks × channel, what stopped messages).
 */
import type { Command } from 'commander';
import type { DryRunResult } from '../shared/contract/dry-run';
import { AppError } from '../shared/contract/errors';
import { openForCommand } from './cli-context';
import { dryRun } from './core/automations/dry-run-report';
import { resolveDataDir } from './core/paths';
import { ensureDefaultBrand } from './core/settings/settings-store';

const CHANNEL = { email: 'Email', sms: 'SMS', whatsapp: 'WhatsApp' } as const;

function idOf(value: string): number {
  const id = Number(value.trim().replace(/^#/, ''));
  if (!Number.isInteger(id) || id < 1)
    throw new AppError('validation', `The automation is named by its number, such as 3 (it is "${value}").`);
  return id;
}

/** Columns padded to their widest cell; numbers right-aligned. */
function table(head: string[], rows: (string | number)[][]): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[], raw: (string | number)[] | undefined) =>
    r
      .map((c, i) => (typeof raw?.[i] === 'number' ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return cells.map((r, i) => line(r, i === 0 ? undefined : rows[i - 1])).join('\n');
}

export function dryRunText(r: DryRunResult): string {
  const out = [`Dry run of automation #${r.automationId} “${r.automationName}”`, '', r.summary, ''];
  if (r.weeks.length > 0)
    out.push(
      'Customers it would have messaged, per week',
      table(
        ['Week of', 'Channel', 'Customers', 'Messages'],
        r.weeks.map((w) => [w.weekOf, CHANNEL[w.channel], w.customers, w.messages]),
      ),
      '',
    );
  if (r.stopped.length > 0)
    out.push(
      'What would have stopped or delayed a message',
      table(
        ['Reason', 'Customers', 'Times'],
        r.stopped.map((s) => [s.words, s.customers, s.decisions]),
      ),
      '',
    );
  out.push(`Bought within ${r.windowDays} days anyway: ${r.boughtAnyway} of ${r.customersMessaged}.`);
  return `${out.join('\n')}\n`;
}

export function addDryRunCommand(automations: Command): void {
  automations
    .command('dry-run <id>')
    .description(
      'What would this automation have done over the last 90 days? Nothing is sent or recorded (it may be off).',
    )
    .option('--json', 'print the answer as JSON')
    .option('--data-dir <dir>', 'folder holding the data file (default: your user app-data folder)')
    .action((id: string, opts: { json?: boolean; dataDir?: string }) => {
      const automationId = idOf(id);
      const ctx = openForCommand(resolveDataDir({ flag: opts.dataDir }));
      try {
        ensureDefaultBrand(ctx.db, ctx.clock);
        const result = dryRun(ctx, automationId);
        process.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : dryRunText(result));
      } finally {
        ctx.db.close();
      }
    });
}
