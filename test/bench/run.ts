/**
 * `npm run bench [-- <name> ...]`: runs the named benchmarks (all by default).
 * Each prints one JSON line per result, with its baseline measured in the
 * same run. Benchmarks generate their own data, seeded, and are never part of
 * `npm test`.
 */
import { automationsBench } from './automations';
import { bgnbdBench } from './bgnbd';
import { customer360Bench } from './customer360';
import { dashboardBench } from './dashboard';
import { futureBench } from './future';
import { identityBench } from './identity';
import { importBench } from './import';
import { journeysBench } from './journeys';
import { modelsBench } from './models';
import { outboxBench } from './outbox';
import { retrainBench } from './retrain';
import { startupBench } from './startup';
import { upliftBench } from './uplift';
import { webhooksBench } from './webhooks';

const BENCHES: Record<string, (args: string[]) => Promise<void>> = {
  startup: startupBench,
  identity: identityBench,
  customer360: customer360Bench,
  webhooks: webhooksBench,
  import: importBench,
  models: modelsBench,
  retrain: retrainBench,
  bgnbd: bgnbdBench,
  future: futureBench,
  outbox: outboxBench,
  automations: automationsBench,
  uplift: upliftBench,
  journeys: journeysBench,
  dashboard: dashboardBench,
};

const [name, ...rest] = process.argv.slice(2);
const chosen = name ? [name] : Object.keys(BENCHES);
for (const bench of chosen) {
  const run = BENCHES[bench];
  if (!run) {
    console.error(`Unknown benchmark "${bench}". Known: ${Object.keys(BENCHES).join(', ')}`);
    process.exit(2);
  }
  await run(name ? rest : []);
}
