/** Settings → Connections, the last webhook deliveries: what arrived from Shopify, WhatsApp and Twilio, and what became of each. */
import type { Delivery } from '../../../../shared/contract/connections';
import { Problem, SectionHead, TableScroll } from '../../components';
import { deliveryOutcome, deliveryTaken, formatNumber, formatTimestamp, providerLabel } from '../../format';
import type { Loaded } from '../../use-command';

export const DELIVERIES_SHOWN = 100;

export function Deliveries({ loaded }: { loaded: Loaded<Delivery[]> }) {
  const rows = loaded.data;
  return (
    <section className="panel" aria-labelledby="deliveries-heading">
      <SectionHead id="deliveries-heading" title="Last deliveries" onRefresh={loaded.reload} busy={loaded.loading} />
      <p className="hint">
        The last {DELIVERIES_SHOWN} deliveries from Shopify, WhatsApp and Twilio, newest first, refused ones included.
        This list refreshes every 10 seconds.
      </p>
      <Problem error={loaded.error} />
      {rows ? (
        rows.length === 0 ? (
          <p className="muted" data-testid="no-deliveries">
            Nothing has arrived yet. Send a test delivery above, or wait for the first order or message.
          </p>
        ) : (
          <TableScroll label="Deliveries, newest first">
            <table className="data deliveries" aria-labelledby="deliveries-heading" aria-busy={loaded.loading}>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">From</th>
                  <th scope="col">Topic</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Details</th>
                  <th scope="col" className="num">
                    Events created
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((d) => (
                  <tr key={d.id}>
                    <td>
                      <time dateTime={d.receivedAt}>{formatTimestamp(d.receivedAt)}</time>
                    </td>
                    <td>{providerLabel(d.provider)}</td>
                    <td className="mono">{d.topic ?? '—'}</td>
                    <td className={deliveryTaken(d.outcome) ? undefined : 'refused'}>{deliveryOutcome(d.outcome)}</td>
                    <td className="detail">{d.detail ?? ''}</td>
                    <td className="num">{formatNumber(d.eventCount)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )
      ) : loaded.loading ? (
        <p>Loading…</p>
      ) : null}
    </section>
  );
}
