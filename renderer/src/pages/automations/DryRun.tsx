/**
 * "What would this have done?" under an automation in the list (`automations.dryRun`): the last 90 days of live
 * events replayed through it, on or off, with nothing sent or recorded. The answer opens in a dialog (the list's
 * column is too narrow for two tables: at 1024 px they pushed the page sideways), as the shop reads it: one
 * paragraph, then plain tables — customers it would have messaged per week and channel, what would have stopped or
 * delayed a message — and bought anyway and the cost. Accessible names are stable for tests: the button "What would
 * this have done?", the dialog and its heading "What it would have done", tables captioned, the button "Close".
 */
import { useState } from 'react';
import type { AutomationView } from '../../../../shared/contract/automations';
import type { DryRunResult } from '../../../../shared/contract/dry-run';
import type { AppError } from '../../../../shared/contract/errors';
import { client } from '../../client';
import { asAppError, Problem, TableScroll } from '../../components';
import { formatMoney } from '../../format';
import { ResultDialog } from './ResultDialog';

const CHANNEL = { email: 'Email', sms: 'SMS', whatsapp: 'WhatsApp' } as const;

const weekWords = (iso: string) =>
  new Date(`${iso}T00:00:00Z`).toLocaleDateString(undefined, { day: 'numeric', month: 'short', timeZone: 'UTC' });

export function DryRun({ automation }: { automation: AutomationView }) {
  const [result, setResult] = useState<DryRunResult | undefined>();
  const [error, setError] = useState<AppError | undefined>();
  const [busy, setBusy] = useState(false);

  async function run() {
    setBusy(true);
    setError(undefined);
    try {
      setResult(await client.call('automations.dryRun', { id: automation.id }));
    } catch (e) {
      setError(asAppError(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="dry-run" data-testid={`dry-run-${automation.id}`}>
      <button type="button" className="secondary small" disabled={busy} onClick={run} aria-busy={busy}>
        What would this have done?
      </button>
      {busy ? (
        <span className="hint" role="status">
          {' '}
          Replaying the last 90 days… nothing is sent.
        </span>
      ) : null}
      <Problem error={error} />
      {result ? (
        <ResultDialog title="What it would have done" className="dry-run-result" onClose={() => setResult(undefined)}>
          <p>{result.summary}</p>
          {result.weeks.length > 0 ? (
            <TableScroll label="Messages it would have written, per week">
              <table className="data">
                <caption>Customers “{result.automationName}” would have messaged, per week</caption>
                <thead>
                  <tr>
                    <th scope="col">Week of</th>
                    <th scope="col">Channel</th>
                    <th scope="col" className="num">
                      Customers
                    </th>
                    <th scope="col" className="num">
                      Messages
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {result.weeks.map((w) => (
                    <tr key={`${w.weekOf}-${w.channel}`}>
                      <td>{weekWords(w.weekOf)}</td>
                      <td>{CHANNEL[w.channel]}</td>
                      <td className="num">{w.customers.toLocaleString()}</td>
                      <td className="num">{w.messages.toLocaleString()}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          ) : null}
          {result.stopped.length > 0 ? (
            <TableScroll label="What would have stopped or delayed a message">
              <table className="data">
                <caption>What would have stopped or delayed a message</caption>
                <thead>
                  <tr>
                    <th scope="col">Reason</th>
                    <th scope="col" className="num">
                      Customers
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {result.stopped.map((s) => (
                    <tr key={s.guard}>
                      <td>{s.words}</td>
                      <td className="num">{s.customers.toLocaleString()}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          ) : null}
          <dl className="facts">
            <dt>Bought within {result.windowDays} days anyway</dt>
            <dd>
              {result.boughtAnyway.toLocaleString()} of {result.customersMessaged.toLocaleString()} customers
            </dd>
            <dt>Cost</dt>
            <dd>
              {formatMoney(result.cost.amount, result.cost.currency)}
              {result.cost.unpricedMessages > 0
                ? `, plus ${result.cost.unpricedMessages.toLocaleString()} messages with no price set (Settings → Channels)`
                : ''}
            </dd>
            <dt>Live events looked at</dt>
            <dd>{result.eventsReplayed.toLocaleString()}</dd>
          </dl>
        </ResultDialog>
      ) : null}
    </div>
  );
}
