/**
 * "Did it help?" (`automations.comparison`, `automations.shopComparison`): what the customers an automation or a
 * campaign messaged bought in the days after, against those held out, in a sentence first (the difference and its
 * range, "no effect larger than…", or how many more customers it needs), then the two groups side by side in a plain
 * table, and the attributed revenue other tools report, labelled as such. Worked out only when opened: each answer
 * resamples thousands of customers, so a list of automations does not work them all out on every visit.
 */
import { useId, useState } from 'react';
import type { ComparisonView } from '../../../../shared/contract/uplift';
import { Problem } from '../../components';
import { formatMoney } from '../../format';
import { useCommand } from '../../use-command';
import { ResultDialog } from './ResultDialog';

const perCustomer = (total: number, customers: number) => (customers > 0 ? total / customers : 0);
const percent = (part: number, whole: number) => (whole > 0 ? `${Math.round((part / whole) * 1000) / 10}%` : '—');

export function ComparisonResult({ view }: { view: ComparisonView }) {
  const caption =
    view.scope === 'shop'
      ? `Customers messaged by any automation and the shop's comparison group, over the ${view.windowDays} days after`
      : `Customers messaged and customers held out, over the ${view.windowDays} days after`;
  const rows = [
    { label: 'Messaged', g: view.messaged },
    { label: view.scope === 'shop' ? 'Comparison group' : 'Held out', g: view.heldOut },
  ];
  return (
    <div className="comparison" data-testid={`comparison-${view.automationId ?? 'shop'}`}>
      <p>
        <strong>{view.headline}</strong>
      </p>
      {view.bought ? <p>{view.bought}</p> : null}
      {view.revenue ? <p>{view.revenue}</p> : null}
      {view.adjustedNote ? <p className="hint">{view.adjustedNote}</p> : null}
      {view.messaged.customers + view.heldOut.customers === 0 ? null : (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a box that scrolls sideways must be reachable with the keyboard.
        <section className="table-scroll" aria-label={caption} tabIndex={0}>
          <table className="data">
            <caption>{caption}</caption>
            <thead>
              <tr>
                <th scope="col">Group</th>
                <th scope="col" className="num">
                  Customers
                </th>
                <th scope="col" className="num">
                  Bought
                </th>
                <th scope="col" className="num">
                  Orders per customer
                </th>
                <th scope="col" className="num">
                  Spent per customer
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ label, g }) => (
                <tr key={label}>
                  <th scope="row">{label}</th>
                  <td className="num">{g.customers.toLocaleString()}</td>
                  <td className="num">
                    {g.bought.toLocaleString()} ({percent(g.bought, g.customers)})
                  </td>
                  <td className="num">{perCustomer(g.orders, g.customers).toFixed(2)}</td>
                  <td className="num">{formatMoney(perCustomer(g.revenue, g.customers), view.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      <p className="hint">{view.attributedNote}</p>
      {view.stillOpen > 0 ? (
        <p className="hint">
          {view.stillOpen.toLocaleString()} more {view.stillOpen === 1 ? 'customer is' : 'customers are'} still inside
          their {view.windowDays} days and will count once those have passed.
        </p>
      ) : null}
    </div>
  );
}

function Loaded({ automationId }: { automationId: number }) {
  const one = useCommand('automations.comparison', { id: automationId });
  return <Shown loaded={one} />;
}

function LoadedShop() {
  const all = useCommand('automations.shopComparison', {});
  return <Shown loaded={all} />;
}

function Shown({
  loaded,
}: {
  loaded: { data: ComparisonView | undefined; error: Parameters<typeof Problem>[0]['error'] };
}) {
  if (loaded.error) return <Problem error={loaded.error} />;
  if (!loaded.data)
    return (
      <p className="hint" role="status">
        Comparing…
      </p>
    );
  return <ComparisonResult view={loaded.data} />;
}

/**
 * One automation's or campaign's comparison: inline where there is room (a campaign's page, `inline`), else behind
 * a "Did it help?" button that opens it in a dialog (in the automations list's column its table pushed the page
 * sideways at 1024 px).
 */
export function Comparison({
  automationId,
  name,
  inline = false,
}: {
  automationId: number;
  name: string;
  inline?: boolean;
}) {
  const [open, setOpen] = useState(false);
  const headingId = useId();
  if (inline)
    return (
      <section aria-labelledby={headingId} className="comparison-inline">
        <h3 id={headingId}>Did it help?</h3>
        <Loaded automationId={automationId} />
      </section>
    );
  return (
    <div className="comparison-open">
      <button type="button" className="secondary small" onClick={() => setOpen(true)}>
        Did it help?<span className="sr-only"> {name}</span>
      </button>
      {open ? (
        <ResultDialog title={`Did “${name}” help?`} onClose={() => setOpen(false)}>
          <Loaded automationId={automationId} />
        </ResultDialog>
      ) : null}
    </div>
  );
}

/** All automations together against the shop-wide comparison group. */
export function ShopComparison() {
  const [opened, setOpened] = useState(false);
  return (
    <details className="comparison-fold" onToggle={(e) => setOpened(e.currentTarget.open)}>
      <summary>Did the automations help, all together?</summary>
      {opened ? <LoadedShop /> : null}
    </details>
  );
}
