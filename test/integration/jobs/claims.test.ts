/**
 * Claims across processes on one real data file: the same scheduled work
 * never runs in two processes at once, and a process killed while holding a
 * claim (SIGKILL: no chance to give it back) holds it only until it expires.
 * Also `constintel retrain` (the built CLI) beside the app's retrain claim.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock, silentLogger, systemClock } from '../../../main/core/clock';
import { type Database, openDatabase } from '../../../main/core/db/open';
import { CLAIM_TTL_MS, JobClaims } from '../../../main/core/jobs/claims';
import { RETRAIN_JOB } from '../../../main/core/jobs/retrain-jobs';
import { Scheduler } from '../../../main/core/jobs/scheduler';
import { DATABASE_FILE_NAME } from '../../../main/core/paths';
import { tempDir } from '../../support/backend';
import { builtScript } from '../../support/spawn';

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const step of cleanup.splice(0).reverse()) step();
});

function dataFile(): { dir: string; file: string; db: Database } {
  const dir = tempDir();
  const file = join(dir.path, DATABASE_FILE_NAME);
  // Created (and migrated) here first, so the two processes do not race to create it.
  const db = openDatabase(file);
  cleanup.push(() => dir.remove());
  cleanup.push(() => db.close());
  return { dir: dir.path, file, db };
}

/** Starts the other process and resolves once it says it holds the claim. */
function holder(file: string, at: string): Promise<ChildProcess> {
  const script = fileURLToPath(new URL('../../support/claim-holder.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, file, at], { stdio: ['ignore', 'pipe', 'pipe'] });
  cleanup.push(() => child.kill('SIGKILL'));
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('running')) resolve(child);
      else if (out.includes('not started')) reject(new Error('the other process did not start its job'));
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`the other process exited (${code}): ${out}`)));
  });
}

describe('claims across processes', () => {
  it('keeps a job from running beside another process, until that process is killed and its claim expires', async () => {
    const { file, db } = dataFile();
    const other = await holder(file, '2026-03-02T03:00:00Z');

    const clock = fixedClock('2026-03-02T02:59:00Z');
    const scheduler = new Scheduler({ db, clock, logger: silentLogger, timeZone: () => 'UTC' });
    cleanup.push(() => scheduler.stop());
    let runs = 0;
    scheduler.register({
      name: 'test.nightly',
      description: 'Counts its runs.',
      cron: '0 3 * * *',
      run: () => {
        runs += 1;
        return 'ran';
      },
    });
    scheduler.tick();
    clock.set('2026-03-02T03:00:00Z');
    // Held by the other process: this one does not start it, and Settings shows it running.
    expect(scheduler.tick()).toEqual([]);
    expect(scheduler.list()[0]).toMatchObject({ running: true, lastRunAt: '2026-03-02T03:00:00.000Z' });

    other.kill('SIGKILL');
    await new Promise((resolve) => other.once('exit', resolve));
    // Killed: the claim stays in the file until it expires (nobody could give it back)…
    const byHand = new JobClaims(db, clock, silentLogger);
    clock.set('2026-03-02T03:01:00Z');
    expect(byHand.take('test.nightly')).toBe('busy');
    // …and not a moment longer than CLAIM_TTL_MS: then it no longer counts as running…
    clock.set(new Date(Date.parse('2026-03-02T03:00:00Z') + CLAIM_TTL_MS + 1).toISOString());
    expect(scheduler.list()[0]?.running).toBe(false);
    // …and the next due time takes it over and runs here.
    clock.set('2026-03-03T03:00:00Z');
    expect(scheduler.tick()).toEqual(['test.nightly']);
    await scheduler.settled();
    expect(runs).toBe(1);
    expect(scheduler.list()[0]).toMatchObject({ running: false, lastResult: 'ok', lastMessage: 'ran' });
  });

  it('refuses constintel retrain while the app holds the retrain claim, and records the CLI run for Settings', () => {
    const { dir, db } = dataFile();
    const app = new JobClaims(db, systemClock, silentLogger);
    cleanup.push(() => app.close());
    expect(app.take(RETRAIN_JOB)).toBe('taken');
    const refused = spawnSync(process.execPath, [builtScript('cli'), 'retrain', '--data-dir', dir], {
      encoding: 'utf8',
    });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/already retraining on this data file/);

    app.release(RETRAIN_JOB, { result: 'ok', message: 'Saved model version 1.' });
    // Free again: the CLI runs (an empty shop has too little history) and leaves its result, claim given back.
    const ran = spawnSync(process.execPath, [builtScript('cli'), 'retrain', '--data-dir', dir], { encoding: 'utf8' });
    expect(ran.status).toBe(1);
    expect(ran.stderr).toMatch(/Not enough history/);
    const row = db.sqlite.prepare("SELECT * FROM scheduled_job WHERE name = 'models.retrain'").get() as Record<
      string,
      unknown
    >;
    expect(row).toMatchObject({ claimed_by: null, last_result: 'failed' });
    expect(row.last_message).toMatch(/^Not enough history/);
  });
});
