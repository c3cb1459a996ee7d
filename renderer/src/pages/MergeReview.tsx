/**
 * Merge review: profiles ConstIntel thinks may be one person but would not
 * join on its own. The shop owner sees them side by side, with what links
 * them, and decides.
 */
import { useState } from 'react';
import { Link } from 'react-router';
import type { AppError } from '../../../shared/contract/errors';
import type { Review } from '../../../shared/contract/index';
import { client } from '../client';
import { asAppError, Confidence, PageHeader, Problem } from '../components';
import { customerName, formatDate, formatMoney, formatNumber, identifierLabel, listIds, sourceLabel } from '../format';
import { usePendingCount } from '../pending';
import { useCommand } from '../use-command';

type Decision =
  | { reviewId: number; kind: 'merged'; profileId: number }
  | { reviewId: number; kind: 'kept'; ids: number[] };

export function MergeReviewPage() {
  const reviews = useCommand('merges.reviews', { status: 'pending' });
  const pending = usePendingCount();
  const [decisions, setDecisions] = useState<Decision[]>([]);
  const decided = new Set(decisions.map((d) => d.reviewId));
  const open = (reviews.data ?? []).filter((review) => !decided.has(review.id));

  const record = (decision: Decision) => {
    setDecisions((current) => [decision, ...current]);
    pending.refresh();
  };

  return (
    <section>
      <PageHeader title="Merge review">
        ConstIntel asks you here before joining customers it is not sure are the same person.
      </PageHeader>
      <Problem error={reviews.error} />
      {decisions.length > 0 ? (
        <ul className="decisions" aria-label="Your decisions">
          {decisions.map((d) => (
            <li key={d.reviewId} className="notice small success" role="status">
              {d.kind === 'merged' ? (
                <>
                  Merged into one customer: <Link to={`/customers/${d.profileId}`}>open customer #{d.profileId}</Link>.
                </>
              ) : (
                <>Kept {listIds(d.ids)} separate. They will not be suggested together again for the same details.</>
              )}
            </li>
          ))}
        </ul>
      ) : null}
      {reviews.data ? (
        open.length === 0 ? (
          <div className="notice" data-testid="nothing-to-review">
            <strong>Nothing to review.</strong> When ConstIntel finds customers that may be the same person but is not
            sure enough to join them itself, they will wait here for you.
          </div>
        ) : (
          open.map((review, i) => <ReviewEntry key={review.id} review={review} index={i + 1} onDecided={record} />)
        )
      ) : reviews.loading ? (
        <p>Loading…</p>
      ) : null}
    </section>
  );
}

function ReviewEntry({ review, index, onDecided }: { review: Review; index: number; onDecided(d: Decision): void }) {
  const currency = useCommand('settings.get', {}).data?.currency;
  const [busy, setBusy] = useState<'merge' | 'keep'>();
  const [error, setError] = useState<AppError>();
  const ids = review.candidates.map((c) => c.id);
  const headingId = `review-${review.id}`;

  async function decide(kind: 'merge' | 'keep') {
    setBusy(kind);
    setError(undefined);
    try {
      if (kind === 'merge') {
        const result = await client.call('merges.approve', { reviewId: review.id });
        onDecided({ reviewId: review.id, kind: 'merged', profileId: result.profileId });
      } else {
        await client.call('merges.reject', { reviewId: review.id });
        onDecided({ reviewId: review.id, kind: 'kept', ids });
      }
    } catch (e) {
      setError(asAppError(e));
      setBusy(undefined);
    }
  }

  return (
    <article className="review panel" aria-labelledby={headingId}>
      <h2 id={headingId}>
        Possible match {index}: are {listIds(ids)} the same person?
      </h2>
      <p className="muted">Found on {formatDate(review.createdAt)}.</p>
      <div className="candidates">
        {review.candidates.map((c) => (
          <section key={c.id} className="candidate" aria-label={`Customer #${c.id}`}>
            <h3>
              <Link to={`/customers/${c.id}`}>
                #{c.id} {customerName(c.name)}
              </Link>
            </h3>
            <dl className="facts plain compact">
              <dt>Lifetime value</dt>
              <dd>{formatMoney(c.lifetimeValue, currency)}</dd>
              <dt>Orders</dt>
              <dd>{formatNumber(c.totalOrders)}</dd>
              <dt>Last seen</dt>
              <dd>{formatDate(c.lastSeenAt)}</dd>
            </dl>
            <Confidence strength={c.strength} />
            {c.identifiers.length > 0 ? (
              <ul className="identifiers">
                {c.identifiers.map((identifier) => (
                  <li key={`${identifier.type}:${identifier.value}`}>
                    <span className="muted">{identifierLabel(identifier.type)}:</span> {identifier.value}
                  </li>
                ))}
              </ul>
            ) : (
              <p className="muted">No identifiers.</p>
            )}
          </section>
        ))}
      </div>
      <h3>Why ConstIntel thinks so</h3>
      <ul className="evidence">
        {review.evidence.map((e) => (
          <li key={`${e.type}:${e.value}`}>
            {identifierLabel(e.type)} {e.value}{' '}
            {e.profileIds.length > 0 ? `is on ${listIds(e.profileIds)}` : 'came with the newest event'} (from{' '}
            {sourceLabel(e.source)})
          </li>
        ))}
      </ul>
      <Problem error={error} />
      <div className="actions">
        <button type="button" disabled={busy !== undefined} onClick={() => decide('merge')}>
          {busy === 'merge' ? 'Merging…' : 'Merge them'}
        </button>
        <button type="button" className="secondary" disabled={busy !== undefined} onClick={() => decide('keep')}>
          {busy === 'keep' ? 'Saving…' : 'Keep separate'}
        </button>
        <span className="hint">You can undo a merge later on the customer's page.</span>
      </div>
    </article>
  );
}
