/**
 * The shop's campaigns (`campaigns.list`), newest first: the name with who it went to and what, when it was sent
 * (or that it is a draft, or still sending), the customers it met and the messages written, and Open.
 */
import type { CampaignView } from '../../../../shared/contract/campaigns';
import { TableScroll } from '../../components';
import { formatDateTime } from '../../format';

export function statusWords(c: CampaignView): string {
  if (c.status === 'sent') return `Sent ${formatDateTime(c.sentAt)}`;
  if (c.status === 'sending') return `Sending since ${formatDateTime(c.sendStartedAt)}`;
  return 'Draft (not sent)';
}

export function CampaignList({
  campaigns,
  onOpen,
}: {
  campaigns: CampaignView[];
  onOpen(campaign: CampaignView): void;
}) {
  return (
    <TableScroll label="Your campaigns, newest first">
      <table className="data automations" data-testid="campaigns">
        <caption className="sr-only">Your campaigns, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Campaign</th>
            <th scope="col">Sent</th>
            <th scope="col" className="num">
              Customers
            </th>
            <th scope="col" className="num">
              Messages written
            </th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {campaigns.map((c) => (
            <tr key={c.id} data-testid={`campaign-${c.id}`}>
              <td>
                <strong>{c.name}</strong>
                <ul className="plain-list automation-summary">
                  {c.summary.slice(0, 2).map((line) => (
                    <li key={line}>{line}</li>
                  ))}
                </ul>
              </td>
              <td>{statusWords(c)}</td>
              <td className="num">{c.status === 'draft' ? '—' : c.counts.customers.toLocaleString()}</td>
              <td className="num">{c.status === 'draft' ? '—' : (c.counts.sent + c.counts.held).toLocaleString()}</td>
              <td>
                <button type="button" className="secondary" onClick={() => onOpen(c)} aria-label={`Open “${c.name}”`}>
                  Open
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}
