/**
 * Stage-to-stage conversion per month (`summary.conversion`, the last 12 months): of the customers in a stage during
 * the month, the share who moved on to a later stage that month. A line per step with the numbers on hover, and a
 * table of the same months — each cell the share and "moved on of were in the stage", or "—" when nobody was in it.
 */
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { JourneyStage, JourneySummary } from '../../../../shared/contract/journeys';
import { formatNumber } from '../../format';
import { CHART_COLOURS, monthWords, percentWords, STAGE_WORDS } from './words';

const CAPTION = 'Share of customers in each stage who moved on to a later stage, per month';

type Step = { key: string; from: JourneyStage; to: JourneyStage; label: string };

export function Conversion({ summary }: { summary: JourneySummary }) {
  const steps: Step[] = [];
  for (const c of summary.conversion) {
    const key = `${c.from}-${c.to}`;
    if (!steps.some((s) => s.key === key))
      steps.push({ key, from: c.from, to: c.to, label: `${STAGE_WORDS[c.from]} → ${STAGE_WORDS[c.to]}` });
  }
  const months = [...new Set(summary.conversion.map((c) => c.month))].sort();
  const cell = (month: string, step: Step) =>
    summary.conversion.find((c) => c.month === month && c.from === step.from && c.to === step.to);
  const chartRows = months.map((month) => {
    const row: Record<string, string | number | null> = { month: monthWords(month) };
    for (const s of steps) {
      const rate = cell(month, s)?.rate;
      row[s.key] = rate === null || rate === undefined ? null : Math.round(rate * 1000) / 10;
    }
    return row;
  });
  const anyone = summary.conversion.some((c) => c.inStage > 0);

  return (
    <section aria-labelledby="journeys-conversion" className="panel" data-testid="journeys-conversion">
      <h2 id="journeys-conversion">Moving on, month by month</h2>
      {!anyone || steps.length === 0 ? (
        <p className="muted">Nothing to show yet: once customers have been in a stage for a month, it shows here.</p>
      ) : (
        <>
          <p className="hint">
            Of the customers in a stage during a month, how many moved on to a later stage that same month. A rising
            line means more customers are taking the next step. Stage changes count from the first time ConstIntel
            worked the journeys out, so months before that show “—”.
          </p>
          <figure style={{ margin: '0 0 12px', overflow: 'hidden', minWidth: 0 }} aria-label={`Chart: ${CAPTION}`}>
            <ResponsiveContainer width="100%" height={280}>
              <LineChart data={chartRows} margin={{ top: 8, right: 16, bottom: 4, left: 4 }}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="month" tick={{ fontSize: 12 }} />
                <YAxis unit="%" allowDecimals={false} width={48} />
                <Tooltip formatter={(value) => (value === null ? '—' : `${value}%`)} />
                <Legend />
                {steps.map((s, i) => (
                  <Line
                    key={s.key}
                    type="monotone"
                    dataKey={s.key}
                    name={s.label}
                    stroke={CHART_COLOURS[i % CHART_COLOURS.length]}
                    strokeWidth={2}
                    connectNulls
                    isAnimationActive={false}
                  />
                ))}
              </LineChart>
            </ResponsiveContainer>
            <figcaption className="hint">Hover a month to see its shares; the table below has them all.</figcaption>
          </figure>
          {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a box that scrolls sideways must be reachable with the keyboard. */}
          <section className="table-scroll" aria-label={CAPTION} tabIndex={0}>
            <table className="data" data-testid="journeys-conversion-table">
              <caption>{CAPTION}</caption>
              <thead>
                <tr>
                  <th scope="col">Month</th>
                  {steps.map((s) => (
                    <th key={s.key} scope="col" className="num">
                      {s.label}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {months.map((month) => (
                  <tr key={month}>
                    <th scope="row" style={{ whiteSpace: 'nowrap' }}>
                      {monthWords(month)}
                    </th>
                    {steps.map((s) => {
                      const c = cell(month, s);
                      return (
                        <td key={s.key} className="num">
                          {c && c.rate !== null ? (
                            <>
                              {percentWords(c.rate)}{' '}
                              <span className="muted">
                                ({formatNumber(c.movedOn)} of {formatNumber(c.inStage)})
                              </span>
                            </>
                          ) : (
                            '—'
                          )}
                        </td>
                      );
                    })}
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
