/**
 * A campaign after Send: who it went to and what, what each customer's decision was (counted: messages written,
 * held until the hold ends, kept back as the comparison, not sent), the newest decisions with their reasons, and
 * "Did it help?" — the comparison between those messaged and those kept back, the same as an automation's.
 */
import { Link } from 'react-router';
import type { DecisionOutcome } from '../../../../shared/contract/automations';
import type { CampaignView } from '../../../../shared/contract/campaigns';
import { Problem, TableScroll } from '../../components';
import { formatDateTime } from '../../format';
import { useCommand } from '../../use-command';
import { Comparison } from '../automations/Comparison';
import { statusWords } from './CampaignList';

const n = (x: number) => x.toLocaleString();

/** A campaign's one action is a message: "Sent" says more than the automations' "Done". */
const OUTCOME_WORDS: Record<DecisionOutcome, string> = {
  fired: 'Sent',
  skipped: 'Not sent',
  waiting: 'Waiting',
  held: 'Held',
  failed: 'Failed',
  cancelled: 'Cancelled',
  held_out: 'Kept back (comparison)',
};

export function CampaignDetail({ campaign, onClose }: { campaign: CampaignView; onClose(): void }) {
  const log = useCommand('automations.log', { automationId: campaign.id, limit: 25 });
  const c = campaign.counts;
  return (
    <section aria-labelledby="campaign-heading" className="panel" data-testid="campaign-detail">
      <div className="section-head">
        <h2 id="campaign-heading">{campaign.name}</h2>
        <button type="button" className="secondary" onClick={onClose}>
          Close
        </button>
      </div>
      <p>{statusWords(campaign)}</p>
      <ul className="plain-list automation-summary">
        {campaign.summary.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
      <h3>What it did</h3>
      <dl className="facts" data-testid="campaign-counts">
        <dt>Customers in the audience</dt>
        <dd>{n(c.customers)}</dd>
        <dt>Messages written</dt>
        <dd>{n(c.sent)}</dd>
        <dt>Held (they go when the hold ends, such as 08:00 their time)</dt>
        <dd>{n(c.held)}</dd>
        <dt>Kept back as the comparison</dt>
        <dd>{n(c.heldOut)}</dd>
        <dt>Not sent (see why below)</dt>
        <dd>{n(c.notSent)}</dd>
      </dl>

      <Comparison automationId={campaign.id} name={campaign.name} inline />

      <h3 id="campaign-log-heading">The newest decisions</h3>
      <Problem error={log.error} />
      {log.data && log.data.length > 0 ? (
        <TableScroll label="The newest decisions of this campaign">
          <table className="data" aria-labelledby="campaign-log-heading">
            <caption className="sr-only">The newest decisions of this campaign, one per customer</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Customer</th>
                <th scope="col">What happened</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {log.data.map((d) => (
                <tr key={d.id}>
                  <td>{formatDateTime(d.at)}</td>
                  <td>
                    {d.profileId === null ? (
                      'A customer since erased'
                    ) : (
                      <Link to={`/customers/${d.profileId}`}>{d.customerName ?? `Customer #${d.profileId}`}</Link>
                    )}
                  </td>
                  <td>{OUTCOME_WORDS[d.outcome]}</td>
                  <td>{d.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      ) : (
        <p className="muted">{log.loading ? 'Loading…' : 'No decision yet.'}</p>
      )}
    </section>
  );
}
