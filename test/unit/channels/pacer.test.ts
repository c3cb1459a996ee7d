/**
 * The outbox's pacer on a simulated clock: never more sends in one second than the rate, even after the app fell
 * behind (it catches up, but no faster than twice the even pace over any tenth of a second), and one every 1/rate s
 * below 2 a second.
 */
import { describe, expect, it } from 'vitest';
import { Pacer } from '../../../main/core/channels/outbox-worker';
import { seededRandom } from '../../support/population';

/** Sends `count` messages through `earliest`, each after a random delay of the app's own (up to `lateMs`). */
function simulate(perSecond: number, count: number, lateMs: number, seed: number): number[] {
  let now = 0;
  const pacer = new Pacer(() => now);
  const random = seededRandom(seed);
  const sent: number[] = [];
  for (let i = 0; i < count; i++) {
    now += random() * lateMs;
    now = pacer.earliest(perSecond, now);
    // take() at the earliest moment counts the send without waiting.
    void pacer.take(perSecond);
    sent.push(now);
  }
  return sent;
}

function mostInOneSecond(times: number[], windowMs = 1000): number {
  let most = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while ((times[start] as number) <= (times[end] as number) - windowMs) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

describe('the outbox pacer', () => {
  it.each([
    [80, 0],
    [80, 30],
    [500, 5],
    [500, 40],
    [10, 300],
  ])('at %d a second with the app up to %d ms late: never over the rate in any second', (rate, late) => {
    const times = simulate(rate, 3_000, late, rate + late);
    expect(mostInOneSecond(times)).toBeLessThanOrEqual(rate);
    expect(mostInOneSecond(times, 100)).toBeLessThanOrEqual(Math.max(1, Math.floor(rate / 5)));
  });

  it('catches up after a stall instead of losing the time', () => {
    const times = simulate(80, 800, 0, 1);
    // Without delays: the first second's 80 at up to twice the even pace, then the even pace; 800 in under 10 s.
    expect((times.at(-1) as number) / 1000).toBeGreaterThan(9);
    expect((times.at(-1) as number) / 1000).toBeLessThanOrEqual(10);
    let now = 0;
    const pacer = new Pacer(() => now);
    const sent: number[] = [];
    for (let i = 0; i < 400; i++) {
      // One stall of 500 ms after the 100th send; otherwise the app is never late.
      if (i === 100) now += 500;
      now = pacer.earliest(80, now);
      void pacer.take(80);
      sent.push(now);
    }
    expect(mostInOneSecond(sent)).toBeLessThanOrEqual(80);
    // 400 at 80 a second take 5 s; the stall is made up (spacing alone would have taken 5.5 s).
    expect((sent.at(-1) as number) / 1000).toBeLessThan(5.1);
  });

  it('below 2 a second: one every 1/rate seconds', () => {
    const times = simulate(0.5, 20, 0, 3);
    for (let i = 1; i < times.length; i++) expect((times[i] as number) - (times[i - 1] as number)).toBe(2000);
  });
});
