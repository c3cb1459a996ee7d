/**
 * Customer 360 → "Next best action": the best thing to do for this customer now, with its reason and what it is worth,
 * the next few as a short list, and Do it — which asks first before a message goes ("Send “Win back (email)” by email
 * to Ann now?") and goes through the automations' guards (consent, weekly limit, cooldown, quiet hours). The answer
 * is one sentence: sent, held until 08:00, or not sent and why. `onDone` lets the page refresh its messages;
 * `version` growing (consent changed, a message went) reads the actions again.
 */
import { useEffect, useState } from 'react';
import type { AppError } from '../../../../shared/contract/errors';
import type { DoItResult, NextBestActionView } from '../../../../shared/contract/next-best-action';
import { client } from '../../client';
import { asAppError, Problem } from '../../components';
import { formatMoney } from '../../format';
import { useCommand } from '../../use-command';

const MORE = 3;

export function NextBestAction({ id, version = 0, onDone }: { id: number; version?: number; onDone?(): void }) {
  const loaded = useCommand('journeys.nextBestActions', { profileId: id });
  const { reload } = loaded;
  // `version` grows when consent changed or a message went: what may be done can have changed.
  useEffect(() => {
    if (version > 0) reload();
  }, [version, reload]);
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<DoItResult>();
  const [error, setError] = useState<AppError>();
  const actions = loaded.data?.actions;
  const best = actions?.[0];
  const next = actions?.slice(1, 1 + MORE) ?? [];

  async function doIt(action: NextBestActionView) {
    setBusy(true);
    setError(undefined);
    try {
      const result = await client.call('journeys.doIt', {
        profileId: id,
        action: { kind: action.kind, what: action.what, channel: action.channel },
      });
      setAnswer(result);
      setAsking(false);
      reload();
      onDone?.();
    } catch (e) {
      setError(asAppError(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="nba-heading" className="panel" data-testid="next-best-action">
      <h2 id="nba-heading">Next best action</h2>
      <Problem error={loaded.error} />
      {answer ? (
        <p role="status" data-testid="nba-answer">
          {answer.sentence}
        </p>
      ) : null}
      {actions === undefined ? (
        loaded.loading ? (
          <p>Loading…</p>
        ) : null
      ) : best === undefined ? (
        <p className="muted">Nothing to do for them right now.</p>
      ) : (
        <>
          <p>
            <strong data-testid="nba-best">{best.label}</strong> — worth about{' '}
            {formatMoney(best.expectedValue, best.currency)}.
          </p>
          <p className="hint">{best.reason}</p>
          <Problem error={error} />
          {asking && best.question ? (
            <fieldset className="confirm">
              <legend>{best.question}</legend>
              <button type="button" disabled={busy} onClick={() => doIt(best)}>
                {busy ? 'Sending…' : 'Yes, send it'}
              </button>{' '}
              <button type="button" className="secondary" disabled={busy} onClick={() => setAsking(false)}>
                Cancel
              </button>
            </fieldset>
          ) : (
            <button
              type="button"
              disabled={busy}
              aria-describedby="nba-heading"
              onClick={() => (best.question ? setAsking(true) : doIt(best))}
            >
              {busy ? 'Working…' : 'Do it'}
            </button>
          )}
          {next.length > 0 ? (
            <>
              <h3 id="nba-next-heading">Also worth doing</h3>
              <ul aria-labelledby="nba-next-heading" data-testid="nba-next">
                {next.map((a) => (
                  <li key={`${a.kind}:${a.what}:${a.channel ?? ''}`}>
                    {a.label} — about {formatMoney(a.expectedValue, a.currency)} ({a.chanceWords})
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </>
      )}
      {loaded.data && loaded.data.notNow.length > 0 ? (
        <>
          <h3 id="nba-not-now-heading">Not now</h3>
          <ul aria-labelledby="nba-not-now-heading" className="muted" data-testid="nba-not-now">
            {loaded.data.notNow.map((why) => (
              <li key={why}>{why}</li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
