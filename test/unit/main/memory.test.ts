import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { collectGarbage } from '../../../main/core/memory';

describe('collectGarbage', () => {
  it('collects what nothing refers to any more, at once', async () => {
    let held: object | null = { big: new Array(100_000).fill('x') };
    const ref = new WeakRef(held);
    held = null;
    // A WeakRef keeps its target alive until the current job ends (and again after each deref).
    await tick();
    expect(ref.deref()).toBeDefined();
    await tick();
    collectGarbage();
    expect(ref.deref()).toBeUndefined();
  });

  it('keeps what is still referred to', async () => {
    const kept = { value: 1 };
    const ref = new WeakRef(kept);
    await tick();
    collectGarbage();
    collectGarbage();
    expect(ref.deref()).toBe(kept);
  });
});
