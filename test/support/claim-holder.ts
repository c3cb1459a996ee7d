/**
 * Another ConstIntel process for the claims test: opens the data file given,
 * and at 03:00 UTC on its own clock (the ISO time given) its scheduler starts
 * `test.nightly`, a run that never ends. It prints "running" once the claim is
 * taken and stays until it is killed.
 */
import { fixedClock, silentLogger } from '../../main/core/clock';
import { openDatabase } from '../../main/core/db/open';
import { Scheduler } from '../../main/core/jobs/scheduler';

const [file, at] = process.argv.slice(2);
if (!file || !at) throw new Error('usage: claim-holder.ts <data file> <ISO time of a 03:00 UTC>');
const db = openDatabase(file);
const clock = fixedClock(at);
clock.advance(-60_000);
const scheduler = new Scheduler({ db, clock, logger: silentLogger, timeZone: () => 'UTC' });
scheduler.register({
  name: 'test.nightly',
  description: 'Holds the claim until killed.',
  cron: '0 3 * * *',
  run: () => new Promise<string>(() => {}),
});
scheduler.tick();
clock.advance(60_000);
if (scheduler.tick().includes('test.nightly')) process.stdout.write('running\n');
else process.stdout.write('not started\n');
setInterval(() => {}, 60_000);
