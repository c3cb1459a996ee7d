/**
 * The execution log (`automations.log`): the newest decisions of every automation — when, which automation, which
 * customer (a link to Customer 360), what happened and why, in the backend's own sentence. Read again by `version`
 * (after Run now, a switch on, a save) and with Refresh.
 */
import { useEffect } from 'react';
import { Link } from 'react-router';
import { Problem, SectionHead } from '../../components';
import { formatDateTime } from '../../format';
import { TONE_STYLE } from '../../message-words';
import { useCommand } from '../../use-command';
import { OUTCOME_TONE, OUTCOME_WORDS } from './words';

const LIMIT = 100;

export function ExecutionLog({ version }: { version: number }) {
  const loaded = useCommand('automations.log', { limit: LIMIT });
  const { reload } = loaded;
  useEffect(() => {
    if (version > 0) reload();
  }, [version, reload]);
  const decisions = loaded.data;

  return (
    <section aria-labelledby="log-heading" className="panel">
      <SectionHead id="log-heading" title="What the automations did" onRefresh={reload} busy={loaded.loading} />
      <Problem error={loaded.error} />
      {decisions === undefined ? (
        loaded.loading ? (
          <p>Loading…</p>
        ) : null
      ) : decisions.length === 0 ? (
        <p className="muted" data-testid="no-decisions">
          Nothing yet. Each time an automation looks at a customer, what it did — or why it did not send — appears here.
        </p>
      ) : (
        <>
          {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a box that scrolls sideways must be reachable with the keyboard. */}
          <section className="table-scroll" tabIndex={0} aria-label="Decisions, newest first">
            <table className="data automation-log" aria-busy={loaded.loading} data-testid="automation-log">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Automation</th>
                  <th scope="col">Customer</th>
                  <th scope="col">What happened</th>
                </tr>
              </thead>
              <tbody>
                {decisions.map((d) => {
                  const tone = OUTCOME_TONE[d.outcome];
                  return (
                    <tr key={d.id}>
                      <td className="nowrap">
                        <time dateTime={d.at}>{formatDateTime(d.at)}</time>
                      </td>
                      <td>{d.automationName}</td>
                      <td>
                        {d.profileId === null ? (
                          <span className="muted">{d.customerName ?? 'Erased customer'}</span>
                        ) : (
                          <Link to={`/customers/${d.profileId}`}>{d.customerName ?? `Customer #${d.profileId}`}</Link>
                        )}
                      </td>
                      <td>
                        <span style={tone ? TONE_STYLE[tone] : undefined}>{OUTCOME_WORDS[d.outcome]}</span>
                        <span className="hint block">{d.reason}</span>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </section>
          {decisions.length >= LIMIT ? <p className="hint">The latest {LIMIT} are shown.</p> : null}
        </>
      )}
    </section>
  );
}
