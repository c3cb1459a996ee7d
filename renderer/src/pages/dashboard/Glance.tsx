/**
 * The Dashboard's other panels: value at risk and the 20 customers to contact first (each with their next best
 * action, linking to their Customer 360), segments and journey stages at a glance, what the automations did in the
 * last 30 days, and what waits for the shop.
 */
import { Link } from 'react-router';
import type { DashboardView } from '../../../../shared/contract/dashboard';
import { TableScroll } from '../../components';
import { formatChance, formatMoney, formatNumber } from '../../format';
import { STAGE_WORDS } from '../journeys/words';

export function ValueAtRisk({ view }: { view: DashboardView }) {
  const { valueAtRisk: risk, contactFirst, currency } = view;
  return (
    <section aria-labelledby="dashboard-risk" className="panel" data-testid="dashboard-risk">
      <h2 id="dashboard-risk">Value at risk</h2>
      {risk.customers === 0 ? (
        <p className="muted">
          {risk.scored
            ? 'No customer is in the high churn band now.'
            : 'Nobody is scored yet: retrain on the Models page to see who may not come back.'}
        </p>
      ) : (
        <>
          <p data-testid="value-at-risk">
            <strong>{formatMoney(risk.value, currency)}</strong> of predicted value sits with{' '}
            <Link to="/customers?risk=high">{formatNumber(risk.customers)} customers at high churn risk</Link> (a churn
            risk of {formatChance(risk.line)} or more).
          </p>
          <h3>Contact these first</h3>
          <p className="hint">The most at stake first: churn risk × predicted value.</p>
          <TableScroll label="Customers to contact first">
            <table className="data" data-testid="contact-first">
              <caption className="sr-only">Customers to contact first, most at stake first</caption>
              <thead>
                <tr>
                  <th scope="col">Customer</th>
                  <th scope="col" className="num">
                    Churn risk
                  </th>
                  <th scope="col" className="num">
                    Predicted value
                  </th>
                  <th scope="col" className="num">
                    At stake
                  </th>
                  <th scope="col">Next best action</th>
                </tr>
              </thead>
              <tbody>
                {contactFirst.map((c) => (
                  <tr key={c.profileId}>
                    <th scope="row">
                      <Link to={`/customers/${c.profileId}`}>{c.name}</Link>
                    </th>
                    <td className="num">{formatChance(c.churnRisk)}</td>
                    <td className="num">{formatMoney(c.predictedValue, currency)}</td>
                    <td className="num">{formatMoney(c.stake, currency)}</td>
                    <td>{c.action ?? <span className="muted">Nothing allowed now (open them to see why)</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        </>
      )}
    </section>
  );
}

function CountTable({
  caption,
  what,
  rows,
  testId,
}: {
  caption: string;
  /** The first column's heading: "Segment", "Stage". */
  what: string;
  rows: { name: string; customers: number; link?: string }[];
  testId: string;
}) {
  return (
    <table className="data compact" data-testid={testId}>
      <caption className="sr-only">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{what}</th>
          <th scope="col" className="num">
            Customers
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.name}>
            <th scope="row">{r.link ? <Link to={r.link}>{r.name}</Link> : r.name}</th>
            <td className="num">{formatNumber(r.customers)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function AtAGlance({ view }: { view: DashboardView }) {
  const stages = Object.entries(STAGE_WORDS).map(([stage, words]) => ({
    name: words,
    customers: view.stages.find((s) => s.stage === stage)?.customers ?? 0,
  }));
  return (
    <section aria-labelledby="dashboard-glance" className="panel" data-testid="dashboard-glance">
      <h2 id="dashboard-glance">Segments and stages</h2>
      <div className="glance">
        <div>
          {view.segments.length === 0 ? (
            <p className="muted">No segments yet: they come with the first retrain (Models).</p>
          ) : (
            <CountTable
              caption="Segments of your customers"
              what="Segment"
              testId="dashboard-segments"
              rows={view.segments.map((s) => ({
                name: s.segment,
                customers: s.customers,
                link: `/customers?segment=${encodeURIComponent(s.segment)}`,
              }))}
            />
          )}
        </div>
        <div>
          {view.stages.length === 0 ? (
            <p className="muted">Journeys are not worked out yet (Journeys).</p>
          ) : (
            <CountTable caption="Stages of the customer journey" what="Stage" testId="dashboard-stages" rows={stages} />
          )}
          <p className="hint">
            <Link to="/journeys">See the journeys</Link>
          </p>
        </div>
      </div>
    </section>
  );
}

export function AutomationsResults({ view }: { view: DashboardView }) {
  const a = view.automations;
  return (
    <section aria-labelledby="dashboard-automations" className="panel" data-testid="dashboard-automations">
      <h2 id="dashboard-automations">Automations, last 30 days</h2>
      {a.enabled === 0 && a.sent === 0 ? (
        <p className="muted">
          No automation is on. <Link to="/automations">Set one up</Link> to win back customers at risk or thank your
          best ones.
        </p>
      ) : (
        <>
          <p>
            {formatNumber(a.sent)} message{a.sent === 1 ? '' : 's'} sent, {formatNumber(a.heldOut)} kept back as a
            comparison, by {formatNumber(a.enabled)} automation{a.enabled === 1 ? '' : 's'} on.
          </p>
          <p data-testid="automations-difference">{a.difference}</p>
        </>
      )}
    </section>
  );
}

export function Waiting({ view }: { view: DashboardView }) {
  return (
    <section aria-labelledby="dashboard-waiting" className="panel" data-testid="dashboard-waiting">
      <h2 id="dashboard-waiting">Waiting for you</h2>
      {view.waiting.length === 0 ? (
        <p className="muted">Nothing waits for you.</p>
      ) : (
        <ul>
          {view.waiting.map((w) => (
            <li key={w.kind}>
              <Link to={w.link}>{w.text}</Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
