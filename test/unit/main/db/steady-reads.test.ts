/** Steady reads: once per key inside the scope, every time outside; a bulk read runs at the first miss it covers. */
import { describe, expect, it } from 'vitest';
import {
  forgetNumbered,
  primeSteadyOf,
  readInBulkOnMiss,
  steady,
  steadyOf,
  withSteadyReads,
} from '../../../../main/core/db/steady-reads';

describe('steady reads', () => {
  it('reads once per key inside, every time outside', () => {
    let reads = 0;
    const read = () => steady('k', () => ++reads);
    expect([read(), read()]).toEqual([1, 2]);
    expect(withSteadyReads(() => [read(), read()])).toEqual([3, 3]);
    expect(read()).toBe(4);
    const perId = (id: number) => steadyOf('kind', id, () => ++reads);
    expect(withSteadyReads(() => [perId(1), perId(2), perId(1)])).toEqual([5, 6, 5]);
  });

  it('a bulk read waits for the first miss it covers, runs once, and ends with the scope', () => {
    let loads = 0;
    const load = () => {
      loads += 1;
      primeSteadyOf('c', 1, 'one');
      primeSteadyOf('c', 2, 'two');
    };
    const own = (kind: string, id: number) => steadyOf(kind, id, () => `read ${kind} ${id}`);
    withSteadyReads(() => {
      readInBulkOnMiss('c', (kind) => kind === 'c', load);
      expect(own('other', 1)).toBe('read other 1');
      expect(loads).toBe(0);
      expect([own('c', 2), own('c', 1), own('c', 3)]).toEqual(['two', 'one', 'read c 3']);
      expect(loads).toBe(1);
    });
    // Outside the scope nothing is primed or loaded.
    readInBulkOnMiss('c', () => true, load);
    primeSteadyOf('c', 1, 'stale');
    expect(own('c', 1)).toBe('read c 1');
    expect(loads).toBe(1);
    // A scope that reads nothing it covers pays nothing.
    withSteadyReads(() => {
      readInBulkOnMiss('c', (kind) => kind === 'c', load);
      own('other', 1);
    });
    expect(loads).toBe(1);
  });

  it('forgetting the numbered reads keeps the others', () => {
    let reads = 0;
    const read = () => {
      reads += 1;
      return reads;
    };
    withSteadyReads(() => {
      expect([steady('settings', read), steadyOf('consent', 7, read)]).toEqual([1, 2]);
      forgetNumbered();
      expect([steady('settings', read), steadyOf('consent', 7, read), steadyOf('consent', 7, read)]).toEqual([1, 3, 3]);
    });
    // Outside a scope it does nothing.
    forgetNumbered();
    expect(steadyOf('consent', 7, read)).toBe(4);
  });
});
