/**
 * The shop's sales by week or by month (`dashboard.summary`): revenue, orders, average basket, new and returning
 * customers, repeat rate and walk-in share, each beside the same period last year. A chart (numbers on hover) and
 * the same figures as a plain table.
 */
import { useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { DashboardView, SalesFigures, SalesPeriod } from '../../../../shared/contract/dashboard';
import { TableScroll } from '../../components';
import { formatMoney, formatNumber, formatPercent } from '../../format';

const share = (x: number | null) => (x === null ? '—' : formatPercent(x));
const money = (x: number | null, currency: string) => (x === null ? '—' : formatMoney(x, currency));

/** "+12%" / "−5%" against last year, or nothing to compare with. */
function change(now: number | null, before: number | null | undefined): string {
  if (now === null || before === null || before === undefined || before === 0) return '';
  const pct = Math.round(((now - before) / Math.abs(before)) * 100);
  return pct === 0 ? 'same as last year' : `${pct > 0 ? '+' : '−'}${Math.abs(pct)}% on last year`;
}

function Headline({ period, currency, what }: { period: SalesPeriod; currency: string; what: string }) {
  const f = period.figures;
  const y = period.lastYear;
  const tiles: { label: string; value: string; vs: string }[] = [
    { label: 'Revenue', value: formatMoney(f.revenue, currency), vs: change(f.revenue, y?.revenue) },
    { label: 'Orders', value: formatNumber(f.orders), vs: change(f.orders, y?.orders) },
    {
      label: 'Average basket',
      value: money(f.averageBasket, currency),
      vs: change(f.averageBasket, y?.averageBasket),
    },
    {
      label: 'New customers',
      value: formatNumber(f.newCustomers),
      vs: change(f.newCustomers, y?.newCustomers),
    },
    {
      label: 'Returning customers',
      value: formatNumber(f.returningCustomers),
      vs: change(f.returningCustomers, y?.returningCustomers),
    },
    {
      label: 'Repeat rate',
      value: share(f.repeatRate),
      vs: y?.repeatRate != null && f.repeatRate !== null ? `${formatPercent(y.repeatRate)} last year` : '',
    },
    {
      label: 'Walk-in share',
      value: share(f.walkInShare),
      vs: y?.walkInShare != null ? `${formatPercent(y.walkInShare)} last year` : '',
    },
  ];
  return (
    <dl className="tiles" data-testid="sales-tiles" aria-label={`${what}: ${period.label}`}>
      {tiles.map((t) => (
        <div className="tile" key={t.label}>
          <dt>{t.label}</dt>
          <dd>
            <span className="tile-value">{t.value}</span>
            {t.vs ? <span className="muted tile-vs">{t.vs}</span> : null}
          </dd>
        </div>
      ))}
    </dl>
  );
}

function rowOf(p: SalesPeriod) {
  return {
    label: p.current ? `${p.label} (so far)` : p.label,
    revenue: p.figures.revenue,
    lastYear: p.lastYear?.revenue ?? null,
  };
}

function Table({ periods, currency, caption }: { periods: SalesPeriod[]; currency: string; caption: string }) {
  const cells = (f: SalesFigures | null) =>
    f
      ? [
          money(f.revenue, currency),
          formatNumber(f.orders),
          money(f.averageBasket, currency),
          formatNumber(f.newCustomers),
          formatNumber(f.returningCustomers),
          share(f.repeatRate),
          share(f.walkInShare),
        ]
      : ['—', '—', '—', '—', '—', '—', '—'];
  return (
    <TableScroll label={caption}>
      <table className="data" data-testid="sales-table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Period</th>
            <th scope="col" className="num">
              Revenue
            </th>
            <th scope="col" className="num">
              Orders
            </th>
            <th scope="col" className="num">
              Average basket
            </th>
            <th scope="col" className="num">
              New
            </th>
            <th scope="col" className="num">
              Returning
            </th>
            <th scope="col" className="num">
              Repeat rate
            </th>
            <th scope="col" className="num">
              Walk-ins
            </th>
            <th scope="col" className="num">
              Revenue last year
            </th>
          </tr>
        </thead>
        <tbody>
          {[...periods].reverse().map((p) => (
            <tr key={p.start}>
              <th scope="row" style={{ whiteSpace: 'nowrap' }}>
                {p.label}
                {p.current ? <span className="muted"> (so far)</span> : null}
              </th>
              {cells(p.figures).map((c, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: the columns are fixed.
                <td key={i} className="num">
                  {c}
                </td>
              ))}
              <td className="num">{p.lastYear ? money(p.lastYear.revenue, currency) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}

export function Sales({ view }: { view: DashboardView }) {
  const [kind, setKind] = useState<'weeks' | 'months'>('weeks');
  const periods = view[kind];
  // The headline is the last whole week or month: the one running now would be set against a whole one last year.
  const shown = periods.at(-2);
  const what = kind === 'weeks' ? 'Last week' : 'Last month';
  const caption = `Sales by ${kind === 'weeks' ? 'week' : 'month'}, newest first, beside the same ${kind === 'weeks' ? 'week' : 'month'} last year`;
  return (
    <section aria-labelledby="dashboard-sales" className="panel" data-testid="dashboard-sales">
      <div className="section-head">
        <h2 id="dashboard-sales">
          {what} {shown ? <span className="muted">({shown.label})</span> : null}
        </h2>
        <fieldset className="toggle">
          <legend className="sr-only">Show sales by</legend>
          {(['weeks', 'months'] as const).map((k) => (
            <label key={k}>
              <input type="radio" name="sales-by" checked={kind === k} onChange={() => setKind(k)} />
              {k === 'weeks' ? 'By week' : 'By month'}
            </label>
          ))}
        </fieldset>
      </div>
      {shown ? <Headline period={shown} currency={view.currency} what={what} /> : null}
      <figure
        className="chart"
        aria-label={`Chart: revenue ${kind === 'weeks' ? 'per week' : 'per month'}, beside last year`}
      >
        <ResponsiveContainer width="100%" height={260}>
          <BarChart data={periods.map(rowOf)} margin={{ top: 8, right: 16, bottom: 4, left: 4 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="label" tick={{ fontSize: 12 }} />
            <YAxis width={64} tickFormatter={(v: number) => formatNumber(v)} />
            <Tooltip formatter={(v) => (typeof v === 'number' ? formatMoney(v, view.currency) : '—')} />
            <Legend />
            <Bar dataKey="lastYear" name="Last year" fill="#b8c4d6" isAnimationActive={false} />
            <Bar dataKey="revenue" name="Revenue" fill="#1f5fa8" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
        <figcaption className="hint">
          Revenue is net of refunds; a cancelled order counts nothing. Hover a bar for its amount; the table below has
          every figure.
        </figcaption>
      </figure>
      <details>
        <summary>Show the figures as a table</summary>
        <Table periods={periods} currency={view.currency} caption={caption} />
      </details>
    </section>
  );
}
