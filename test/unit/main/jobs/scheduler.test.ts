/**
 * The scheduler with an injected clock: nothing waits, the tests move the
 * clock and call `tick` (what the app's 30-second timer does). The database is
 * an in-memory one with the real migrations (the claims live there).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock, type Logger, silentLogger } from '../../../../main/core/clock';
import { type Database, openDatabase } from '../../../../main/core/db/open';
import { type ScheduledJob, Scheduler } from '../../../../main/core/jobs/scheduler';
import { AppError } from '../../../../shared/contract/errors';

const open: { db: Database; schedulers: Scheduler[] }[] = [];
afterEach(() => {
  for (const { db, schedulers } of open.splice(0)) {
    for (const s of schedulers) s.stop();
    db.close();
  }
});

function setup(start: string, zone = 'UTC', logger: Logger = silentLogger) {
  const db = openDatabase(':memory:');
  const clock = fixedClock(start);
  let timeZone = zone;
  const make = () => new Scheduler({ db, clock, logger, timeZone: () => timeZone });
  const scheduler = make();
  const entry = { db, schedulers: [scheduler] };
  open.push(entry);
  return {
    db,
    clock,
    scheduler,
    setZone: (next: string) => {
      timeZone = next;
    },
    /** Another process on the same data file (its own claims holder). */
    another: () => {
      const other = make();
      entry.schedulers.push(other);
      return other;
    },
  };
}

/** A job that counts its runs; each run ends when `finish` is called (or at once when `instant`). */
function counted(name: string, cron: string, options: Partial<ScheduledJob> & { instant?: boolean } = {}) {
  const runs: Date[] = [];
  let finishers: (() => void)[] = [];
  const job: ScheduledJob = {
    name,
    description: `${name} for the test`,
    cron,
    run: ({ due }) => {
      runs.push(due);
      if (options.instant !== false) return 'done';
      return new Promise<string>((resolve) => finishers.push(() => resolve('done')));
    },
    ...options,
  };
  return {
    job,
    runs,
    finish: () => {
      for (const f of finishers) f();
      finishers = [];
    },
  };
}

const view = (scheduler: Scheduler, name: string) => scheduler.list().find((j) => j.name === name);

describe('the scheduler', () => {
  it('runs a 3:00 job once on wake after the PC slept from 2:00 to 5:00 (not three times, not zero)', async () => {
    const { clock, scheduler } = setup('2026-03-02T02:00:00Z');
    const nightly = counted('test.nightly', '0 3 * * *');
    const hourly = counted('test.hourly', '0 * * * *');
    scheduler.register(nightly.job);
    scheduler.register(hourly.job);
    expect(scheduler.tick()).toEqual([]);
    // Asleep: no tick between 2:00 and 5:00. The hourly job missed 3:00, 4:00 and 5:00 too: one run, for 5:00.
    clock.set('2026-03-02T05:00:10Z');
    expect(scheduler.tick().sort()).toEqual(['test.hourly', 'test.nightly']);
    await scheduler.settled();
    expect(nightly.runs.map((d) => d.toISOString())).toEqual(['2026-03-02T03:00:00.000Z']);
    expect(hourly.runs.map((d) => d.toISOString())).toEqual(['2026-03-02T05:00:00.000Z']);
    clock.set('2026-03-02T05:00:40Z');
    expect(scheduler.tick()).toEqual([]);
    expect(view(scheduler, 'test.nightly')).toMatchObject({
      lastRunAt: '2026-03-02T05:00:10.000Z',
      lastResult: 'ok',
      lastMessage: 'done',
      nextRunAt: '2026-03-03T03:00:00.000Z',
      running: false,
    });
    clock.set('2026-03-03T03:00:05Z');
    expect(scheduler.tick()).toContain('test.nightly');
    expect(nightly.runs).toHaveLength(2);
  });

  it('skips a sleep-missed due time for a job without catch-up, and runs it on time otherwise', async () => {
    const { clock, scheduler } = setup('2026-03-02T02:00:00Z');
    const strict = counted('test.strict', '0 3 * * *', { catchUp: false });
    scheduler.register(strict.job);
    scheduler.tick();
    clock.set('2026-03-02T05:00:00Z');
    expect(scheduler.tick()).toEqual([]);
    expect(view(scheduler, 'test.strict')?.nextRunAt).toBe('2026-03-03T03:00:00.000Z');
    // Found due within a tick or so of its time: that is not a sleep.
    clock.set('2026-03-03T03:00:25Z');
    expect(scheduler.tick()).toEqual(['test.strict']);
  });

  it('never runs a job twice at once: a due time during a long run is skipped, the next one after it runs', async () => {
    const { clock, scheduler } = setup('2026-03-02T00:30:00Z');
    const slow = counted('test.slow', '0 * * * *', { instant: false });
    scheduler.register(slow.job);
    scheduler.tick();
    clock.set('2026-03-02T01:00:00Z');
    expect(scheduler.tick()).toEqual(['test.slow']);
    expect(view(scheduler, 'test.slow')?.running).toBe(true);
    // Still running at 2:00: not started again, and not queued for later either.
    clock.set('2026-03-02T02:00:00Z');
    expect(scheduler.tick()).toEqual([]);
    slow.finish();
    await scheduler.settled();
    clock.set('2026-03-02T02:30:00Z');
    expect(scheduler.tick()).toEqual([]);
    expect(slow.runs).toHaveLength(1);
    clock.set('2026-03-02T03:00:00Z');
    expect(scheduler.tick()).toEqual(['test.slow']);
    slow.finish();
    await scheduler.settled();
    expect(slow.runs.map((d) => d.toISOString())).toEqual(['2026-03-02T01:00:00.000Z', '2026-03-02T03:00:00.000Z']);
  });

  it('reads the cron in the shop time zone: 03:00 in New York is 08:00 UTC in winter, 07:00 in summer', async () => {
    const ny = setup('2026-01-15T02:00:00Z', 'America/New_York');
    const utc = setup('2026-01-15T02:00:00Z', 'UTC');
    const a = counted('test.nightly', '0 3 * * *');
    const b = counted('test.nightly', '0 3 * * *');
    ny.scheduler.register(a.job);
    utc.scheduler.register(b.job);
    ny.scheduler.tick();
    utc.scheduler.tick();
    expect(view(ny.scheduler, 'test.nightly')?.nextRunAt).toBe('2026-01-15T08:00:00.000Z');
    expect(view(utc.scheduler, 'test.nightly')?.nextRunAt).toBe('2026-01-15T03:00:00.000Z');
    for (const s of [ny, utc]) s.clock.set('2026-01-15T03:00:00Z');
    expect(ny.scheduler.tick()).toEqual([]);
    expect(utc.scheduler.tick()).toEqual(['test.nightly']);
    ny.clock.set('2026-01-15T08:00:00Z');
    expect(ny.scheduler.tick()).toEqual(['test.nightly']);
    // Summer time: still 03:00 on the shop's clock.
    ny.clock.set('2026-07-01T00:00:00Z');
    ny.scheduler.tick();
    expect(view(ny.scheduler, 'test.nightly')?.nextRunAt).toBe('2026-07-01T07:00:00.000Z');
  });

  it('moves the next run when the shop changes its time zone', () => {
    const { scheduler, setZone } = setup('2026-01-15T02:00:00Z', 'UTC');
    scheduler.register(counted('test.nightly', '0 3 * * *').job);
    scheduler.tick();
    expect(view(scheduler, 'test.nightly')?.nextRunAt).toBe('2026-01-15T03:00:00.000Z');
    setZone('Asia/Tokyo');
    // 02:00 UTC is 11:00 in Tokyo: the next 03:00 there is 18:00 UTC.
    expect(view(scheduler, 'test.nightly')?.nextRunAt).toBe('2026-01-15T18:00:00.000Z');
  });

  it('refuses a second job with a name already registered, and a pattern that is not cron', () => {
    const { scheduler } = setup('2026-03-02T00:00:00Z');
    scheduler.register(counted('test.sweep', '* * * * *').job);
    expect(() => scheduler.register(counted('test.sweep', '0 3 * * *').job)).toThrow(
      /Two scheduled jobs are named "test.sweep"/,
    );
    expect(() => scheduler.register(counted('test.bad', '0 3 * *').job)).toThrow();
  });

  it('lets due times pass while a job is turned off, without a record', () => {
    const { clock, scheduler } = setup('2026-03-02T02:00:00Z');
    let on = false;
    const job = counted('test.nightly', '0 3 * * *', { enabled: () => on });
    scheduler.register(job.job);
    scheduler.tick();
    clock.set('2026-03-02T03:00:00Z');
    expect(scheduler.tick()).toEqual([]);
    expect(view(scheduler, 'test.nightly')).toMatchObject({ enabled: false, lastRunAt: null });
    on = true;
    // Turned on after 03:00: the next run is tomorrow's.
    clock.set('2026-03-02T04:00:00Z');
    expect(scheduler.tick()).toEqual([]);
    expect(view(scheduler, 'test.nightly')).toMatchObject({ enabled: true, nextRunAt: '2026-03-03T03:00:00.000Z' });
  });

  it("records a failed run with the shop's reason, and a fault as 'see the log'", async () => {
    const errors: unknown[] = [];
    const logger = { ...silentLogger, error: (_m: string, e?: unknown) => errors.push(e) };
    const { clock, scheduler } = setup('2026-03-02T02:59:00Z', 'UTC', logger);
    scheduler.register({
      name: 'test.refused',
      description: 'refused',
      cron: '0 3 * * *',
      run: () => {
        throw new AppError('validation', 'Not enough history yet.');
      },
    });
    scheduler.register({
      name: 'test.broken',
      description: 'broken',
      cron: '0 3 * * *',
      run: async () => {
        throw new TypeError('x is undefined');
      },
    });
    scheduler.tick();
    clock.set('2026-03-02T03:00:00Z');
    expect(scheduler.tick().sort()).toEqual(['test.broken', 'test.refused']);
    await scheduler.settled();
    expect(view(scheduler, 'test.refused')).toMatchObject({
      lastResult: 'failed',
      lastMessage: 'Not enough history yet.',
    });
    expect(view(scheduler, 'test.broken')).toMatchObject({
      lastResult: 'failed',
      lastMessage: 'It stopped with an error; the details are in the log.',
    });
    expect(errors).toHaveLength(1);
    // A failure does not stop the schedule.
    expect(view(scheduler, 'test.broken')?.nextRunAt).toBe('2026-03-03T03:00:00.000Z');
  });

  it('runs a due time once across two schedulers on one data file, even when one of them slept through it', async () => {
    const { clock, scheduler, another } = setup('2026-03-02T02:00:00Z');
    const second = another();
    const a = counted('test.nightly', '0 3 * * *', { instant: false });
    const b = counted('test.nightly', '0 3 * * *', { instant: false });
    scheduler.register(a.job);
    second.register(b.job);
    scheduler.tick();
    second.tick();
    clock.set('2026-03-02T03:00:00Z');
    expect(scheduler.tick()).toEqual(['test.nightly']);
    // The other process finds it running: it does not start beside it.
    expect(second.tick()).toEqual([]);
    expect(view(second, 'test.nightly')?.running).toBe(true);
    a.finish();
    await scheduler.settled();
    // A third that slept through 03:00 and wakes at 05:00 finds that due time done.
    const third = another();
    const c = counted('test.nightly', '0 3 * * *');
    third.register(c.job);
    clock.set('2026-03-02T02:30:00Z');
    third.tick();
    clock.set('2026-03-02T05:00:00Z');
    expect(third.tick()).toEqual([]);
    expect(a.runs.length + b.runs.length + c.runs.length).toBe(1);
    // Closing while a run is in hand gives the claim back, marked as stopped.
    clock.set('2026-03-03T03:00:00Z');
    expect(second.tick()).toEqual(['test.nightly']);
    second.stop();
    expect(view(scheduler, 'test.nightly')).toMatchObject({ running: false, lastResult: 'stopped' });
    b.finish();
  });
});
