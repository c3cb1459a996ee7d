/**
 * The funnel: a bar per stage, as long as its share of the biggest stage, with how many customers are in it and how
 * many of those are lapsed (churn risk in the shop's high band), then the same numbers in a plain table. Drawn with
 * plain elements rather than a chart: five bars need no library, and every number is text a screen reader reads.
 */
import type { JourneySummary } from '../../../../shared/contract/journeys';
import { formatNumber } from '../../format';
import { STAGE_HINTS, STAGE_WORDS } from './words';

const CAPTION = 'Customers in each stage, and how many of them are lapsed';

export function Funnel({ summary }: { summary: JourneySummary }) {
  const widest = Math.max(1, ...summary.funnel.map((f) => f.customers));
  return (
    <section aria-labelledby="journeys-funnel" className="panel">
      <h2 id="journeys-funnel">Customers per stage</h2>
      <p className="hint">
        From first visit to your best regulars. Lapsed means their churn risk is high: they may not come back without a
        nudge.
      </p>
      <ul
        aria-label="Funnel"
        data-testid="journeys-funnel"
        style={{ listStyle: 'none', margin: '0 0 16px', padding: 0 }}
      >
        {summary.funnel.map((f) => {
          const share = (f.customers / widest) * 100;
          const lapsedShare = f.customers > 0 ? (f.lapsed / f.customers) * share : 0;
          return (
            <li
              key={f.stage}
              data-testid={`funnel-${f.stage}`}
              style={{
                display: 'grid',
                gridTemplateColumns: 'minmax(110px, 160px) minmax(0, 1fr) 13rem',
                gap: '10px',
                alignItems: 'center',
                margin: '0 0 8px',
              }}
            >
              <span>
                <strong>{STAGE_WORDS[f.stage]}</strong>
              </span>
              <span
                aria-hidden="true"
                title={`${formatNumber(f.customers)} customers, ${formatNumber(f.lapsed)} lapsed`}
                style={{ display: 'block', background: '#eef1f5', borderRadius: '4px', height: '22px' }}
              >
                <span
                  style={{
                    display: 'flex',
                    height: '100%',
                    width: `${share}%`,
                    minWidth: f.customers > 0 ? '3px' : 0,
                    background: '#1f5fa8',
                    borderRadius: '4px',
                    overflow: 'hidden',
                  }}
                >
                  <span style={{ display: 'block', height: '100%', width: `${lapsedShare}%`, background: '#b35900' }} />
                </span>
              </span>
              <span>
                <span data-testid="funnel-count">{formatNumber(f.customers)}</span> customers
                {f.lapsed > 0 ? (
                  <span className="muted">
                    {' '}
                    · <span data-testid="funnel-lapsed">{formatNumber(f.lapsed)}</span> lapsed
                  </span>
                ) : null}
              </span>
            </li>
          );
        })}
      </ul>
      <p className="hint">
        <span aria-hidden="true" style={{ color: '#1f5fa8' }}>
          ■
        </span>{' '}
        customers in the stage,{' '}
        <span aria-hidden="true" style={{ color: '#b35900' }}>
          ■
        </span>{' '}
        the lapsed part of them.
      </p>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a box that scrolls sideways must be reachable with the keyboard. */}
      <section className="table-scroll" aria-label={CAPTION} tabIndex={0}>
        <table className="data" data-testid="journeys-funnel-table">
          <caption>{CAPTION}</caption>
          <thead>
            <tr>
              <th scope="col">Stage</th>
              <th scope="col">What it means</th>
              <th scope="col" className="num">
                Customers
              </th>
              <th scope="col" className="num">
                Lapsed
              </th>
            </tr>
          </thead>
          <tbody>
            {summary.funnel.map((f) => (
              <tr key={f.stage}>
                <th scope="row">{STAGE_WORDS[f.stage]}</th>
                <td>{STAGE_HINTS[f.stage]}</td>
                <td className="num">{formatNumber(f.customers)}</td>
                <td className="num">{formatNumber(f.lapsed)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">All stages</th>
              <td />
              <td className="num">{formatNumber(summary.customers)}</td>
              <td className="num">{formatNumber(summary.funnel.reduce((n, f) => n + f.lapsed, 0))}</td>
            </tr>
          </tfoot>
        </table>
      </section>
    </section>
  );
}

/** What each stage's condition is in this shop's own figures (`thresholds.words`). */
export function Thresholds({ summary }: { summary: JourneySummary }) {
  const t = summary.thresholds;
  return (
    <section aria-labelledby="journeys-thresholds" className="panel" data-testid="journeys-thresholds">
      <h2 id="journeys-thresholds">What each stage means for your shop</h2>
      <p className="hint">
        {t.basis === 'shop'
          ? `Worked out from your own ${formatNumber(t.repeatCustomers)} repeat customers and the time between their purchases, so “regular” fits how often people buy from you.`
          : `Only ${formatNumber(t.repeatCustomers)} customers have bought more than once so far, too few to learn your shop's rhythm: these are starting values until more come back.`}
      </p>
      <dl>
        {t.words.map((w) => (
          <div key={w.stage} style={{ margin: '0 0 8px' }}>
            <dt>
              <strong>{STAGE_WORDS[w.stage]}</strong>
            </dt>
            <dd style={{ margin: '2px 0 0 16px' }}>{w.text}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
