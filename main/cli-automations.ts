/**
 * `constintel automations add --recipe <name> | list | run <id>`: the Automations page's recipes, list and Run now
 * from a terminal, through the same functions as the page (the recipe filled in for this shop, saved, switched on;
 * every customer evaluated with its guards, each decision recorded). A bad option is named in words, with exit 1.
 *
 * Who sends what an automation writes: as `constintel send`, when ConstIntel is not running on the data file this
 * command takes the app's lock and sends the messages itself (they go through the outbox, so each goes at most once);
 * when the app is running it only writes them to the outbox and the app sends them (it notices what a terminal wrote).
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import {
  AUTOMATION_CHANNELS,
  type AutomationView,
  automationInputSchema,
  RECIPES,
  type RecipeName,
  type RunResult,
} from '../shared/contract/automations';
import { AppError } from '../shared/contract/errors';
import { validationError } from '../shared/contract/validation';
import { openForCommand } from './cli-context';
import { addDryRunCommand } from './cli-dry-run';
import { armAutomation, runAutomation } from './core/automations/evaluate';
import { recipeAutomation } from './core/automations/recipes';
import { listAutomations, saveAutomation, setAutomationEnabled } from './core/automations/store';
import { outboxOf } from './core/channels/outbox-worker';
import type { EngineContext } from './core/context';
import { type InstanceLock, takeInstanceLock } from './core/db/instance-lock';
import { DATABASE_FILE_NAME, resolveDataDir } from './core/paths';
import { ensureDefaultBrand } from './core/settings/settings-store';

type Channel = (typeof AUTOMATION_CHANNELS)[number];
const DATA_DIR = ['--data-dir <dir>', 'folder holding the data file (default: your user app-data folder)'] as const;
const list = (names: readonly string[]) => `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;

function recipeOf(value: string | undefined): RecipeName {
  const name = value?.trim().toLowerCase();
  const recipe = RECIPES.find((r) => r === name);
  if (recipe) return recipe;
  throw new AppError('validation', `There is no recipe called "${value}". The recipes are ${list(RECIPES)}.`);
}

function channelOf(value: string | undefined): Channel | undefined {
  if (value === undefined) return undefined;
  const channel = AUTOMATION_CHANNELS.find((c) => c === value.trim().toLowerCase());
  if (channel) return channel;
  throw new AppError('validation', `--channel must be ${list(AUTOMATION_CHANNELS)} (it is "${value}").`);
}

/** --holdout: a whole percentage (the contract says what range it takes). */
function holdoutOf(value: string): number {
  const n = Number(value.trim().replace(/%$/, ''));
  if (value.trim() === '' || !Number.isFinite(n))
    throw new AppError(
      'validation',
      `--holdout must be a whole percentage such as 10 (or 0 to hold nobody out), not "${value}".`,
    );
  return n;
}

function thresholdOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value.trim().replace(/%$/, ''));
  if (value.trim() === '' || !Number.isFinite(number))
    throw new AppError('validation', `--threshold must be a number, such as 60 (it is "${value}").`);
  return number;
}

function idOf(value: string): number {
  const id = Number(value.trim().replace(/^#/, ''));
  if (!Number.isInteger(id) || id < 1)
    throw new AppError(
      'validation',
      `"${value}" is not an automation number; \`constintel automations list\` shows each one's number.`,
    );
  return id;
}

/** A refusal of the recipe's filled-in fields, said with the option that set them. */
function optionWords(error: unknown): unknown {
  if (!(error instanceof AppError) || error.kind !== 'validation' || !error.field) return error;
  const option = error.field.startsWith('trigger')
    ? '--threshold'
    : /^actions\.\d+\.channel/.test(error.field)
      ? '--channel'
      : undefined;
  return option ? new AppError('validation', error.message.replace(`${error.field}:`, `${option}:`)) : error;
}

/** Whether a recipe's trigger has a level --threshold sets (churn risk, hours, score, amount, days). */
function hasLevel(automation: { trigger: Record<string, unknown> }): boolean {
  return Object.entries(automation.trigger).some(([key, value]) => key !== 'type' && typeof value === 'number');
}

/** The lock when the app is not running on this file (this command then sends what it writes), else undefined. */
function lockIfFree(dataDir: string, ctx: EngineContext): InstanceLock | undefined {
  const taken = takeInstanceLock(join(dataDir, DATABASE_FILE_NAME), ctx.clock.now());
  return taken.ok ? taken.lock : undefined;
}

function countDue(ctx: EngineContext): number {
  return ctx.db.sqlite
    .prepare("SELECT count(*) FROM message_outbox WHERE status = 'pending' AND next_attempt_at <= ?")
    .pluck()
    .get(ctx.clock.now().getTime()) as number;
}

/** Sends what is due now (this process holds the lock), saying on stderr how many; what is held stays held. */
async function sendDue(ctx: EngineContext, quiet: boolean): Promise<void> {
  const due = countDue(ctx);
  if (due === 0) return;
  if (!quiet) process.stderr.write(`Sending ${due.toLocaleString('en')} message${due === 1 ? '' : 's'}…\n`);
  const worker = outboxOf(ctx);
  try {
    for (let pass = 0; pass < 5 && countDue(ctx) > 0; pass += 1) await worker.drain();
  } finally {
    worker.stop();
  }
}

const when = (iso: string | null) => (iso ? `${iso.replace('T', ' ').slice(0, 16)} UTC` : 'never');

function automationText(a: AutomationView): string {
  const head = `#${a.id} ${a.name} — ${a.enabled ? 'on' : 'off'}, priority ${a.priority}, ${a.sent30d.toLocaleString('en')} sent in the last 30 days, last run ${when(a.lastRunAt)}`;
  return [head, ...a.summary.map((line) => `    ${line}`)].join('\n');
}

/** After a run: who sends what it wrote. */
function sendingWords(result: { fired: number }, lock: InstanceLock | undefined): string {
  if (result.fired === 0) return '';
  return lock
    ? ' Messages due now were sent from here; any held (quiet hours, a cap) go when ConstIntel runs.'
    : ' ConstIntel (running) sends the messages.';
}

async function withCommand<T>(
  dataDir: string | undefined,
  takeLock: boolean,
  run: (ctx: EngineContext, lock: InstanceLock | undefined) => Promise<T> | T,
): Promise<T> {
  const dir = resolveDataDir({ flag: dataDir });
  const ctx = openForCommand(dir);
  let lock: InstanceLock | undefined;
  try {
    ensureDefaultBrand(ctx.db, ctx.clock);
    if (takeLock) lock = lockIfFree(dir, ctx);
    return await run(ctx, lock);
  } finally {
    lock?.release();
    ctx.db.close();
  }
}

export function addAutomationCommands(program: Command): void {
  const automations = program
    .command('automations')
    .description('The shop’s automations from a terminal: add one from a recipe, list them, run one now.');
  addDryRunCommand(automations);

  automations
    .command('add')
    .description(
      `Add an automation from a ready-made recipe (${RECIPES.join(', ')}); a new one is off unless --enable.`,
    )
    .requiredOption('--recipe <name>', `the recipe: ${list(RECIPES)}`)
    .option('--channel <channel>', `send by ${list(AUTOMATION_CHANNELS)} (default: the recipe's)`)
    .option(
      '--threshold <x>',
      "the recipe's trigger level: churn risk in % (win-back), hours after the cart (abandoned-cart), interest score (product-interest), lifetime value (best-customers)",
    )
    .option(
      '--holdout <percent>',
      'the comparison share: of the customers it would message, this % gets nothing so "Did it help?" can compare (default 10; 0 measures nothing)',
    )
    .option('--enable', 'switch it on now (customers already in its state are handled at once)')
    .option('--json', 'print the automation as JSON (with its id)')
    .option(...DATA_DIR)
    .action(
      async (opts: {
        recipe: string;
        channel?: string;
        threshold?: string;
        holdout?: string;
        enable?: boolean;
        json?: boolean;
        dataDir?: string;
      }) => {
        const recipe = recipeOf(opts.recipe);
        const channel = channelOf(opts.channel);
        const threshold = thresholdOf(opts.threshold);
        await withCommand(opts.dataDir, opts.enable === true, async (ctx, lock) => {
          let saved: AutomationView;
          try {
            // One transaction: a refusal leaves nothing behind (filling in a recipe saves its template).
            saved = ctx.db.sqlite
              .transaction(() => {
                const plain = recipeAutomation(ctx, recipe, channel ? { channel } : {});
                if (threshold !== undefined && !hasLevel(plain))
                  throw new AppError(
                    'validation',
                    `--threshold does not apply to the ${recipe} recipe: its trigger has no level to set. Leave it out.`,
                  );
                const input =
                  threshold === undefined
                    ? plain
                    : recipeAutomation(ctx, recipe, { ...(channel ? { channel } : {}), threshold });
                const parsed = automationInputSchema.safeParse(
                  opts.holdout === undefined ? input : { ...input, holdoutPercent: holdoutOf(opts.holdout) },
                );
                if (!parsed.success) throw validationError(parsed.error, 'recipe');
                return saveAutomation(ctx, parsed.data);
              })
              .immediate();
          } catch (error) {
            throw optionWords(error);
          }
          let run: RunResult | null = null;
          if (opts.enable) {
            ({ view: saved, run } = await setAutomationEnabled(ctx, saved.id, true, armAutomation));
            if (lock) await sendDue(ctx, opts.json === true);
          }
          if (opts.json) {
            process.stdout.write(`${JSON.stringify(saved, null, 2)}\n`);
            return;
          }
          const state = saved.enabled
            ? `switched on${run ? `: ${run.summary}${sendingWords(run, lock)}` : '.'}`
            : 'off: switch it on on the Automations page (or add it with --enable).';
          process.stdout.write(`Added automation #${saved.id} "${saved.name}", ${state}\n${automationText(saved)}\n`);
        });
      },
    );

  automations
    .command('list')
    .description('Every automation, highest priority first: on or off, what it does, messages in the last 30 days.')
    .option('--json', 'print JSON')
    .option(...DATA_DIR)
    .action(async (opts: { json?: boolean; dataDir?: string }) => {
      await withCommand(opts.dataDir, false, (ctx) => {
        const all = listAutomations(ctx);
        if (opts.json) process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
        else if (all.length === 0)
          process.stdout.write(
            `No automations yet. Add one with \`constintel automations add --recipe <name>\` (${list(RECIPES)}).\n`,
          );
        else process.stdout.write(`${all.map(automationText).join('\n')}\n`);
      });
    });

  automations
    .command('run <id>')
    .description('Run an automation now: evaluate every customer for it (guards and decisions as when it fires).')
    .option('--json', 'print the counts as JSON')
    .option(...DATA_DIR)
    .action(async (id: string, opts: { json?: boolean; dataDir?: string }) => {
      const automationId = idOf(id);
      await withCommand(opts.dataDir, true, async (ctx, lock) => {
        const result: RunResult = await runAutomation(ctx, automationId);
        if (lock) await sendDue(ctx, opts.json === true);
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
          return;
        }
        process.stdout.write(`Ran automation #${automationId}: ${result.summary}${sendingWords(result, lock)}\n`);
      });
    });
}
