/**
 * The Journeys page: where the shop's customers are, from first visit to loyal regular. The funnel (customers and
 * lapsed per stage), what each stage means in this shop's own figures, who moved between stages in the last 30 and
 * 90 days, how many moved on month by month, and each stage's customers with their next milestone and next best
 * action. "Work it out again" runs `journeys.recompute` and says what it found in a sentence. An empty shop is told
 * what to do first: import sales, retrain, then work the journeys out.
 */
import { useState } from 'react';
import { Link } from 'react-router';
import type { AppError } from '../../../shared/contract/errors';
import type { RecomputeResult } from '../../../shared/contract/journeys';
import { client } from '../client';
import { asAppError, PageHeader, Problem } from '../components';
import { formatDateTime } from '../format';
import { useCommand } from '../use-command';
import { Conversion } from './journeys/Conversion';
import { Funnel, Thresholds } from './journeys/Funnel';
import { Moves } from './journeys/Moves';
import { StageCustomers } from './journeys/StageCustomers';

export function JourneysPage() {
  const summary = useCommand('journeys.summary', {});
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<RecomputeResult>();
  const [error, setError] = useState<AppError>();
  const [version, setVersion] = useState(0);
  const data = summary.data;

  async function recompute() {
    setBusy(true);
    setError(undefined);
    setAnswer(undefined);
    try {
      setAnswer(await client.call('journeys.recompute', {}));
      setVersion((v) => v + 1);
      summary.reload();
    } catch (e) {
      setError(asAppError(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section>
      <PageHeader title="Journeys">
        Where each customer is, from first visit to loyal regular, who moved on or slipped back, and the next best thing
        to do for them.
      </PageHeader>
      <div className="toolbar">
        <button type="button" onClick={recompute} disabled={busy}>
          {busy ? 'Working it out…' : 'Work it out again'}
        </button>
        <span className="hint">
          {data?.computedAt
            ? `Last worked out ${formatDateTime(data.computedAt)}. It also happens every night and as sales come in.`
            : 'Not worked out yet.'}
        </span>
      </div>
      <div aria-live="polite">
        {answer ? (
          <p className="notice small success" data-testid="journeys-recompute-answer">
            Done: {answer.summary}
          </p>
        ) : null}
      </div>
      <Problem error={error} />
      <Problem error={summary.error} />
      {data === undefined ? (
        summary.loading ? (
          <p role="status">Loading…</p>
        ) : null
      ) : data.customers === 0 ? (
        <div className="notice" data-testid="journeys-empty">
          <strong>No customer journeys yet.</strong> First bring in your sales: import your till or web shop history on
          the <Link to="/import">Import</Link> page (or connect Shopify in <Link to="/settings">Settings</Link>). Then
          retrain on the <Link to="/models">Models</Link> page so churn risk and predicted value are known, and press
          “Work it out again” above.
        </div>
      ) : (
        <>
          <Funnel summary={data} />
          <Thresholds summary={data} />
          <Moves summary={data} />
          <Conversion summary={data} />
          <StageCustomers summary={data} version={version} />
        </>
      )}
    </section>
  );
}
