/**
 * How many customers moved from each stage to each other in the last 30 and 90 days (`summary.moves`; "New customer"
 * is a customer's first stage): a bar chart with the numbers on hover, and the same numbers in a plain table under it.
 */
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { JourneySummary } from '../../../../shared/contract/journeys';
import { formatNumber } from '../../format';
import { CHART_COLOURS, moveWords } from './words';

const CAPTION = 'Customers who moved from one stage to another, in the last 30 and 90 days';

export function Moves({ summary }: { summary: JourneySummary }) {
  const rows = summary.moves
    .filter((m) => m.last30 + m.last90 > 0)
    .map((m) => ({ move: moveWords(m.from, m.to), last30: m.last30, last90: m.last90 }));
  return (
    <section aria-labelledby="journeys-moves" className="panel" data-testid="journeys-moves">
      <h2 id="journeys-moves">Who moved between stages</h2>
      {rows.length === 0 ? (
        <p className="muted">
          Nobody changed stage in the last 90 days. Moves show here once customers buy again, lapse or come back.
        </p>
      ) : (
        <>
          <p className="hint">
            A move up means a customer bought again or came back; a move down means they slowed down. “New customer” is
            someone's first stage.
          </p>
          <figure style={{ margin: '0 0 12px', overflow: 'hidden', minWidth: 0 }} aria-label={`Chart: ${CAPTION}`}>
            <ResponsiveContainer width="100%" height={70 + rows.length * 34}>
              <BarChart data={rows} layout="vertical" margin={{ top: 4, right: 16, bottom: 4, left: 4 }}>
                <CartesianGrid strokeDasharray="3 3" horizontal={false} />
                <XAxis type="number" allowDecimals={false} />
                <YAxis type="category" dataKey="move" width={210} tick={{ fontSize: 12 }} />
                <Tooltip formatter={(value) => formatNumber(Number(value))} />
                <Legend />
                <Bar dataKey="last30" name="Last 30 days" fill={CHART_COLOURS[0]} isAnimationActive={false} />
                <Bar dataKey="last90" name="Last 90 days" fill={CHART_COLOURS[1]} isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
            <figcaption className="hint">Hover a bar to see its number; the table below has them all.</figcaption>
          </figure>
          {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a box that scrolls sideways must be reachable with the keyboard. */}
          <section className="table-scroll" aria-label={CAPTION} tabIndex={0}>
            <table className="data" data-testid="journeys-moves-table">
              <caption>{CAPTION}</caption>
              <thead>
                <tr>
                  <th scope="col">From → to</th>
                  <th scope="col" className="num">
                    Last 30 days
                  </th>
                  <th scope="col" className="num">
                    Last 90 days
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.move}>
                    <th scope="row">{r.move}</th>
                    <td className="num">{formatNumber(r.last30)}</td>
                    <td className="num">{formatNumber(r.last90)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </>
      )}
    </section>
  );
}
