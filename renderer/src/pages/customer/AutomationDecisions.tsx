/**
 * Customer 360 → "Automations": per automation, the last decision it made for this customer, as one sentence —
 * "Win back: Not sent: already messaged twice this week — 3 Mar 2026 11:02". Read again when `version` changes.
 */
import { useEffect } from 'react';
import { Link } from 'react-router';
import { Problem } from '../../components';
import { formatDateTime } from '../../format';
import { useCommand } from '../../use-command';

export function AutomationDecisions({ id, version = 0 }: { id: number; version?: number }) {
  const loaded = useCommand('automations.forCustomer', { profileId: id });
  const { reload } = loaded;
  useEffect(() => {
    if (version > 0) reload();
  }, [version, reload]);
  const decisions = loaded.data;

  return (
    <section aria-labelledby="automation-decisions-heading" className="panel" data-testid="automation-decisions">
      <h2 id="automation-decisions-heading">Automations</h2>
      <Problem error={loaded.error} />
      {decisions === undefined ? (
        loaded.loading ? (
          <p>Loading…</p>
        ) : null
      ) : decisions.length === 0 ? (
        <p className="muted">
          No automation has looked at them yet. When one does, what it did — or why it did not send — shows here. Set
          them up on the <Link to="/automations">Automations</Link> page.
        </p>
      ) : (
        <ul className="decisions">
          {decisions.map((d) => (
            <li key={d.automationId} data-testid={`automation-decision-${d.automationId}`}>
              <strong>{d.automationName}</strong>: {d.reason.replace(/\.$/, '')} —{' '}
              <time dateTime={d.at} className="muted">
                {formatDateTime(d.at)}
              </time>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
