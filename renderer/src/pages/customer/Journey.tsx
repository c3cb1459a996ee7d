/**
 * Customer 360 → "Journey" (`journeys.forCustomer`): where this customer is (the stage, why, since when, lapsed
 * beside it), the journey score with its four parts, the next milestone, the channels they reached the shop through,
 * the newest touchpoints and every stage change with its cause. Read again when `version` changes.
 */
import { useEffect } from 'react';
import { Link } from 'react-router';
import { Problem } from '../../components';
import { formatDateTime } from '../../format';
import { useCommand } from '../../use-command';
import { moveWords, STAGE_WORDS } from '../journeys/words';

const CAUSE = { live: 'as it happened', recompute: 'found by the nightly work', import: 'from imported history' };
const TOUCHPOINTS_SHOWN = 10;

export function Journey({ id, version = 0 }: { id: number; version?: number }) {
  const loaded = useCommand('journeys.forCustomer', { profileId: id });
  const { reload } = loaded;
  useEffect(() => {
    if (version > 0) reload();
  }, [version, reload]);
  const j = loaded.data;

  return (
    <section aria-labelledby="journey-heading" className="panel" data-testid="customer-journey">
      <h2 id="journey-heading">Journey</h2>
      <Problem error={loaded.error} />
      {j === undefined ? (
        loaded.loading ? (
          <p>Loading…</p>
        ) : null
      ) : j.stage === null ? (
        <p className="muted">
          Not placed yet. Stages are worked out as sales come in and every night; see the{' '}
          <Link to="/journeys">Journeys</Link> page.
        </p>
      ) : (
        <>
          <p>
            <strong>{STAGE_WORDS[j.stage]}</strong>
            {j.lapsed ? <span> · lapsed (high churn risk)</span> : null}
            {j.enteredStageAt ? <span className="muted"> — since {formatDateTime(j.enteredStageAt)}</span> : null}
          </p>
          <p className="hint">{j.stageWhy}</p>
          {j.nextMilestone ? (
            <p>
              Next: <strong>{j.nextMilestone.text}</strong>
            </p>
          ) : null}
          <dl className="facts">
            <dt>Journey score</dt>
            <dd>{Math.round(j.score.total)} of 100</dd>
            <dt>How often they engage (40%)</dt>
            <dd>better than {Math.round(j.score.engagement)}% of customers</dd>
            <dt>What they spend (30%)</dt>
            <dd>better than {Math.round(j.score.value)}%</dd>
            <dt>How many ways they reach you (20%)</dt>
            <dd>better than {Math.round(j.score.channels)}%</dd>
            <dt>How recently (10%)</dt>
            <dd>better than {Math.round(j.score.recency)}%</dd>
          </dl>
          {j.channels.length > 0 ? (
            <p>
              Reached you through: {j.channels.map((c) => `${c.channel} (${c.events.toLocaleString()})`).join(', ')}
            </p>
          ) : null}
          {j.touchpoints.length > 0 ? (
            <>
              <h3>Newest touchpoints</h3>
              <ul className="plain-list" data-testid="journey-touchpoints">
                {j.touchpoints.slice(0, TOUCHPOINTS_SHOWN).map((t) => (
                  <li key={t.eventId}>
                    {t.type.replaceAll('_', ' ')} · {t.channel} —{' '}
                    <time dateTime={t.at} className="muted">
                      {formatDateTime(t.at)}
                    </time>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          {j.transitions.length > 0 ? (
            <>
              <h3>Stage changes</h3>
              <ul className="plain-list" data-testid="journey-transitions">
                {j.transitions.map((t) => (
                  <li key={`${t.at}-${t.to}`}>
                    {moveWords(t.from, t.to)} ({CAUSE[t.cause]}) —{' '}
                    <time dateTime={t.at} className="muted">
                      {formatDateTime(t.at)}
                    </time>
                    <span className="hint block">{t.why}</span>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </>
      )}
    </section>
  );
}
