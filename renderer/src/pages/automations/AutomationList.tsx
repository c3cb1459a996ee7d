/**
 * The shop's automations (`automations.list`), highest priority first: the name with what it does in sentences,
 * an on/off switch (switching on handles customers already in its state at once: said before and after), the
 * priority, messages written in the last 30 days, and Run now, Edit, Delete (asked first).
 */
import type { AutomationView } from '../../../../shared/contract/automations';
import { ConfirmAction, TableScroll } from '../../components';
import { formatDateTime } from '../../format';
import { Comparison } from './Comparison';
import { DryRun } from './DryRun';

export function AutomationList({
  automations,
  busyId,
  onToggle,
  onRun,
  onEdit,
  onDelete,
}: {
  automations: AutomationView[];
  /** The automation being switched or run: its buttons wait. */
  busyId: number | undefined;
  onToggle(automation: AutomationView, enabled: boolean): void;
  onRun(automation: AutomationView): void;
  onEdit(automation: AutomationView): void;
  onDelete(automation: AutomationView): Promise<void>;
}) {
  return (
    <TableScroll label="Your automations, one per row">
      <table className="data automations" aria-labelledby="automations-heading" data-testid="automations">
        <thead>
          <tr>
            <th scope="col">Automation</th>
            <th scope="col">On or off</th>
            <th scope="col" className="num">
              Priority
            </th>
            <th scope="col" className="num">
              Sent, last 30 days
            </th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {automations.map((a) => {
            const busy = busyId === a.id;
            return (
              <tr key={a.id} data-testid={`automation-${a.id}`}>
                <td>
                  <strong>{a.name}</strong>
                  <ul className="plain-list automation-summary">
                    {a.summary.map((s) => (
                      <li key={s}>{s}</li>
                    ))}
                  </ul>
                  {a.lastRunAt ? <span className="hint block">Last run {formatDateTime(a.lastRunAt)}</span> : null}
                  <DryRun automation={a} />
                  <Comparison automationId={a.id} name={a.name} />
                </td>
                <td>
                  <label className="switch nowrap">
                    <input
                      type="checkbox"
                      role="switch"
                      checked={a.enabled}
                      aria-checked={a.enabled}
                      disabled={busy}
                      onChange={(e) => onToggle(a, e.target.checked)}
                    />{' '}
                    {a.enabled ? 'On' : 'Off'}
                    <span className="sr-only"> {a.name}</span>
                  </label>
                  <span className="hint block">
                    {a.enabled
                      ? 'Acts on new customers as they arrive.'
                      : 'Switching it on also handles customers already in this state, at once.'}
                  </span>
                </td>
                <td className="num">{a.priority}</td>
                <td className="num">{a.sent30d.toLocaleString()}</td>
                <td className="automation-buttons">
                  <div>
                    <button type="button" className="secondary small" disabled={busy} onClick={() => onRun(a)}>
                      {busy ? 'Working…' : 'Run now'}
                      <span className="sr-only"> {a.name}</span>
                    </button>
                    <button type="button" className="secondary small" onClick={() => onEdit(a)}>
                      Edit<span className="sr-only"> {a.name}</span>
                    </button>
                    <ConfirmAction
                      label="Delete"
                      question="Delete this automation and its log?"
                      confirmLabel="Yes, delete it"
                      onConfirm={() => onDelete(a)}
                    />
                  </div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableScroll>
  );
}
