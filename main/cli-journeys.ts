/**
 * `constintel journeys recompute [--json]`: every customer's journey stage, score and next milestone worked out
 * again now, with the shop's thresholds, through the same function as the nightly job and the Journeys page; prints
 * the customers per stage and the time taken. Its stage changes are marked 'recompute' (or 'import' after imported
 * history) and never fire an automation.
 */
import type { Command } from 'commander';
import { JOURNEY_STAGES } from '../shared/contract/journeys';
import { openForCommand } from './cli-context';
import { recomputeJourneys } from './core/journey/runner';
import { thresholdsView } from './core/journey/shop-state';
import { resolveDataDir } from './core/paths';
import { ensureDefaultBrand } from './core/settings/settings-store';

const DATA_DIR = ['--data-dir <dir>', 'folder holding the data file (default: your user app-data folder)'] as const;
const NAMES = {
  awareness: 'Awareness',
  consideration: 'Consideration',
  purchase: 'Purchase',
  retention: 'Retention',
  advocacy: 'Advocacy',
};

export function addJourneyCommands(program: Command): void {
  const journeys = program.command('journeys').description('Where each customer is in their journey with the shop.');
  journeys
    .command('recompute')
    .description('Work out every customer’s stage, score and next milestone now; prints customers per stage.')
    .option('--json', 'print the counts and the time taken as JSON')
    .option(...DATA_DIR)
    .action(async (opts: { json?: boolean; dataDir?: string }) => {
      const ctx = openForCommand(resolveDataDir({ flag: opts.dataDir }));
      try {
        ensureDefaultBrand(ctx.db, ctx.clock);
        const result = await recomputeJourneys(ctx);
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
          return;
        }
        const width = Math.max(...JOURNEY_STAGES.map((s) => result.stages[s].toLocaleString('en').length));
        const lines = JOURNEY_STAGES.map(
          (s) => `  ${NAMES[s].padEnd(14)}${result.stages[s].toLocaleString('en').padStart(width)}`,
        );
        const words = thresholdsView(ctx).words.map((w) => `  ${NAMES[w.stage]}: ${w.text}`);
        process.stdout.write(
          [
            `Journeys worked out for ${result.customers.toLocaleString('en')} customers in ${(result.tookMs / 1000).toFixed(1)} s (${result.changed.toLocaleString('en')} stage changes, ${result.lapsed.toLocaleString('en')} lapsed):`,
            ...lines,
            'What each stage means for your shop:',
            ...words,
            '',
          ].join('\n'),
        );
      } finally {
        ctx.db.close();
      }
    });
}
