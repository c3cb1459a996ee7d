/**
 * What a run did, counted by outcome, and said in the shop's words ("120 customers looked at, 80 acted on, 9 held
 * out as a comparison…"): Run now's answer, the scheduler's line and a campaign's result.
 */
import type { Outcome } from './fire';

export const tally = () => ({
  evaluated: 0,
  fired: 0,
  skipped: 0,
  waiting: 0,
  held: 0,
  failed: 0,
  heldOut: 0,
  handled: 0,
});
export type Tally = ReturnType<typeof tally>;

export function count(t: Tally, outcome: Outcome): void {
  t.evaluated += 1;
  if (
    outcome === 'fired' ||
    outcome === 'skipped' ||
    outcome === 'waiting' ||
    outcome === 'held' ||
    outcome === 'failed'
  )
    t[outcome] += 1;
  if (outcome === 'cancelled') t.skipped += 1;
  if (outcome === 'held_out') t.heldOut += 1;
  if (outcome === 'handled') t.handled += 1;
}

export function words(t: Tally): string {
  const parts = [
    `${t.evaluated.toLocaleString('en')} customer${t.evaluated === 1 ? '' : 's'} looked at`,
    `${t.fired.toLocaleString('en')} acted on`,
  ];
  if (t.held > 0) parts.push(`${t.held.toLocaleString('en')} held (they go when the hold ends)`);
  if (t.waiting > 0) parts.push(`${t.waiting.toLocaleString('en')} waiting`);
  if (t.heldOut > 0)
    parts.push(
      `${t.heldOut.toLocaleString('en')} held out as a comparison (they get nothing, to measure whether it helps)`,
    );
  if (t.skipped > 0) parts.push(`${t.skipped.toLocaleString('en')} not sent (see the log for why)`);
  if (t.failed > 0) parts.push(`${t.failed.toLocaleString('en')} failed`);
  if (t.handled > 0)
    parts.push(`${t.handled.toLocaleString('en')} already handled before (once per occasion: nothing sent twice)`);
  return `${parts.join(', ')}.`;
}

export function withoutHandled(t: Tally): Omit<Tally, 'handled'> {
  const { handled: _handled, ...counts } = t;
  return counts;
}
