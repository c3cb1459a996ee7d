/**
 * The execution log (`automations.log`): the newest decisions — when, which automation, which customer (a link to
 * Customer 360), what happened and why, in the backend's own sentence. One automation or all; the newest 25, then
 * more on request (switching on an automation can decide for hundreds of customers at once, mostly "not sent: no
 * yes", which would bury the rest). Read again by `version` (after Run now, a switch, a delete) and with Refresh.
 */
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { type AutomationView, DECISION_OUTCOMES, type DecisionOutcome } from '../../../../shared/contract/automations';
import { Problem, SectionHead } from '../../components';
import { formatDateTime } from '../../format';
import { TONE_STYLE } from '../../message-words';
import { useCommand } from '../../use-command';
import { OUTCOME_TONE, OUTCOME_WORDS } from './words';

const FIRST = 25;
const MORE = 100;
const MOST = 500;

export function ExecutionLog({ version, automations }: { version: number; automations: AutomationView[] }) {
  const [automationId, setAutomationId] = useState<number>();
  const [outcome, setOutcome] = useState<DecisionOutcome>();
  const [more, setMore] = useState(FIRST);
  // One outcome is picked from the newest 500 here (the log command has no outcome filter).
  const limit = outcome ? MOST : more;
  const loaded = useCommand('automations.log', automationId ? { automationId, limit } : { limit });
  const { reload } = loaded;
  useEffect(() => {
    if (version > 0) reload();
  }, [version, reload]);
  const all = loaded.data;
  const decisions = outcome ? all?.filter((d) => d.outcome === outcome) : all;

  return (
    <section aria-labelledby="log-heading" className="panel">
      <SectionHead id="log-heading" title="What the automations did" onRefresh={reload} busy={loaded.loading} />
      <div className="toolbar">
        {automations.length > 1 ? (
          <label>
            Automation
            <select
              value={automationId ?? ''}
              onChange={(e) => {
                setAutomationId(e.target.value ? Number(e.target.value) : undefined);
                setMore(FIRST);
              }}
            >
              <option value="">Every automation</option>
              {automations.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <label>
          What happened
          <select
            value={outcome ?? ''}
            onChange={(e) => setOutcome((e.target.value || undefined) as DecisionOutcome | undefined)}
          >
            <option value="">Everything</option>
            {DECISION_OUTCOMES.map((o) => (
              <option key={o} value={o}>
                {OUTCOME_WORDS[o]}
              </option>
            ))}
          </select>
        </label>
      </div>
      <Problem error={loaded.error} />
      {decisions === undefined ? (
        loaded.loading ? (
          <p>Loading…</p>
        ) : null
      ) : decisions.length === 0 && outcome ? (
        <p className="muted" data-testid="no-decisions">
          Nothing “{OUTCOME_WORDS[outcome]}” among the latest {MOST}. Choose “Everything” to see the rest.
        </p>
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
          {(all?.length ?? 0) < limit ? null : limit < MOST ? (
            <button type="button" className="secondary small" onClick={() => setMore((l) => Math.min(MOST, l + MORE))}>
              Show older ones
            </button>
          ) : (
            <p className="hint">Among the latest {MOST} decisions.</p>
          )}
        </>
      )}
    </section>
  );
}
