/**
 * Each stage's customers (`journeys.stageCustomers`, highest journey score first), a page of 25 at a time: the name
 * links to their Customer 360, then the journey score, whether they are lapsed, their next milestone and the next best
 * action when one has been worked out. The stage is picked from a list that says how many each holds.
 */
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { JOURNEY_STAGES, type JourneyStage, type JourneySummary } from '../../../../shared/contract/journeys';
import { Problem } from '../../components';
import { customerName, formatDate, formatNumber } from '../../format';
import { useCommand } from '../../use-command';
import { actionLabel, STAGE_WORDS } from './words';

const PAGE_SIZE = 25;

export function StageCustomers({ summary, version }: { summary: JourneySummary; version: number }) {
  const counts = new Map(summary.funnel.map((f) => [f.stage, f.customers]));
  const firstFull = JOURNEY_STAGES.find((s) => (counts.get(s) ?? 0) > 0) ?? 'awareness';
  const [stage, setStage] = useState<JourneyStage>(firstFull);
  const [offset, setOffset] = useState(0);
  const loaded = useCommand('journeys.stageCustomers', { stage, limit: PAGE_SIZE, offset });
  const { reload } = loaded;
  // `version` grows after "Work it out again": the stages may have changed.
  useEffect(() => {
    if (version > 0) reload();
  }, [version, reload]);
  const data = loaded.data?.stage === stage ? loaded.data : undefined;
  const first = data && data.total > 0 ? offset + 1 : 0;
  const last = data ? offset + data.customers.length : 0;
  const caption = `Customers in ${STAGE_WORDS[stage]}, highest journey score first`;

  return (
    <section aria-labelledby="journeys-stage-customers" className="panel" data-testid="journeys-stage-customers">
      <h2 id="journeys-stage-customers">Each stage's customers</h2>
      <div className="toolbar">
        <label>
          <span>Stage</span>
          <select
            value={stage}
            onChange={(e) => {
              setStage(e.target.value as JourneyStage);
              setOffset(0);
            }}
          >
            {JOURNEY_STAGES.map((s) => (
              <option key={s} value={s}>
                {STAGE_WORDS[s]} ({formatNumber(counts.get(s) ?? 0)})
              </option>
            ))}
          </select>
        </label>
      </div>
      <p className="hint">
        The journey score (0–100) weighs how often they get in touch, what they spend, how many ways they reach you and
        how recently — each against your other customers. Open a customer to see its parts and do their next best
        action.
      </p>
      <Problem error={loaded.error} />
      {data === undefined ? (
        loaded.loading ? (
          <p role="status">Loading…</p>
        ) : null
      ) : data.total === 0 ? (
        <p className="muted" role="status">
          Nobody is in {STAGE_WORDS[stage]} right now.
        </p>
      ) : (
        <>
          {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a box that scrolls sideways must be reachable with the keyboard. */}
          <section className="table-scroll" aria-label={caption} tabIndex={0}>
            <table className="data" aria-busy={loaded.loading} data-testid="stage-customers-table">
              <caption>{caption}</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col" className="num">
                    Journey score
                  </th>
                  <th scope="col">Lapsed</th>
                  <th scope="col">In this stage since</th>
                  <th scope="col">Next milestone</th>
                  <th scope="col">Next best action</th>
                </tr>
              </thead>
              <tbody>
                {data.customers.map((c) => {
                  const action = actionLabel(c.nextBestAction);
                  return (
                    <tr key={c.profileId}>
                      <td>
                        <Link to={`/customers/${c.profileId}`} className="customer-link">
                          {customerName(c.name)}
                        </Link>{' '}
                        <span className="muted">#{c.profileId}</span>
                      </td>
                      <td className="num">{Math.round(c.score)}</td>
                      <td>{c.lapsed ? 'Lapsed' : <span className="muted">No</span>}</td>
                      <td className="nowrap">{formatDate(c.enteredStageAt)}</td>
                      <td>{c.nextMilestone?.text ?? <span className="muted">—</span>}</td>
                      <td>
                        {action ?? (
                          <span className="muted" title="Open the customer to see what could be done for them">
                            —
                          </span>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </section>
          <nav className="pager" aria-label="Pages of this stage's customers">
            <button
              type="button"
              className="secondary"
              disabled={offset === 0 || loaded.loading}
              onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}
            >
              Previous
            </button>
            <span role="status">
              Showing {formatNumber(first)}–{formatNumber(last)} of {formatNumber(data.total)}
            </span>
            <button
              type="button"
              className="secondary"
              disabled={last >= data.total || loaded.loading}
              onClick={() => setOffset(offset + PAGE_SIZE)}
            >
              Next
            </button>
          </nav>
        </>
      )}
    </section>
  );
}
