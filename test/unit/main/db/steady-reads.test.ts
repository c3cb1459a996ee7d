/** Steady reads: once per key inside the scope, every time outside; a bulk read runs at the first miss it covers. */
import { describe, expect, it } from 'vitest';
import { primeSteady, readInBulkOnMiss, steady, withSteadyReads } from '../../../../main/core/db/steady-reads';

describe('steady reads', () => {
  it('reads once per key inside, every time outside', () => {
    let reads = 0;
    const read = () => steady('k', () => ++reads);
    expect([read(), read()]).toEqual([1, 2]);
    expect(withSteadyReads(() => [read(), read()])).toEqual([3, 3]);
    expect(read()).toBe(4);
  });

  it('a bulk read waits for the first miss it covers, runs once, and ends with the scope', () => {
    let loads = 0;
    const load = () => {
      loads += 1;
      primeSteady('c:1', 'one');
      primeSteady('c:2', 'two');
    };
    const own = (key: string) => steady(key, () => `read ${key}`);
    withSteadyReads(() => {
      readInBulkOnMiss('c', (key) => key.startsWith('c:'), load);
      expect(own('other')).toBe('read other');
      expect(loads).toBe(0);
      expect([own('c:2'), own('c:1'), own('c:3')]).toEqual(['two', 'one', 'read c:3']);
      expect(loads).toBe(1);
    });
    // Outside the scope nothing is primed or loaded.
    readInBulkOnMiss('c', () => true, load);
    primeSteady('c:1', 'stale');
    expect(own('c:1')).toBe('read c:1');
    expect(loads).toBe(1);
    // A scope that reads nothing it covers pays nothing.
    withSteadyReads(() => {
      readInBulkOnMiss('c', (key) => key.startsWith('c:'), load);
      own('other');
    });
    expect(loads).toBe(1);
  });
});
