/**
 * Customer 360: everything known about one customer — totals, churn risk and
 * predicted value with the reasons, segment, next purchase, recommendations and
 * recent interest, consent, the identifiers that make them one person, what they
 * did, and the merges that joined them (each one can be undone).
 */
import { useCallback, useEffect, useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import type { AppError } from '../../../shared/contract/errors';
import type { Customer360, MergeView, TimelineEvent } from '../../../shared/contract/index';
import type { NextPurchase, RecommendationView } from '../../../shared/contract/models';
import { client } from '../client';
import { asAppError, Confidence, ConfirmAction, PageHeader, Problem, TableScroll } from '../components';
import {
  bandMeaning,
  customerName,
  formatChance,
  formatDate,
  formatDateTime,
  formatDay,
  formatDecimal,
  formatMoney,
  formatNumber,
  formatRisk,
  identifierLabel,
  listIds,
  riskWords,
  sourceLabel,
} from '../format';
import { useCommand } from '../use-command';
import { AutomationDecisions } from './customer/AutomationDecisions';
import { Consent } from './customer/Consent';
import { Journey } from './customer/Journey';
import { CustomerMessages } from './customer/Messages';
import { NextBestAction } from './customer/NextBestAction';
import { SendMessage } from './customer/SendMessage';

const TIMELINE_PAGE = 25;

interface ArrivedFrom {
  mergedFrom?: number;
}

export function CustomerPage() {
  const params = useParams();
  const id = Number(params.id);
  if (!Number.isInteger(id) || id <= 0) {
    return (
      <section>
        <PageHeader title="Customer not found">There is no customer with the number “{params.id}”.</PageHeader>
        <Link to="/customers">Back to customers</Link>
      </section>
    );
  }
  // A new id is a new page: start from scratch (timeline, confirmations).
  return <CustomerView key={id} id={id} />;
}

function CustomerView({ id }: { id: number }) {
  const navigate = useNavigate();
  const location = useLocation();
  const arrived = (location.state ?? {}) as ArrivedFrom;
  const loaded = useCommand('customers.get', { id });
  const [timelineVersion, setTimelineVersion] = useState(0);
  const [messagesVersion, setMessagesVersion] = useState(0);
  const [undone, setUndone] = useState<string>();
  const showArrived = arrived.mergedFrom !== undefined && arrived.mergedFrom !== id && !undone;

  useEffect(() => {
    if (loaded.data?.status === 'merged') {
      navigate(`/customers/${loaded.data.mergedInto}`, {
        replace: true,
        state: { mergedFrom: arrived.mergedFrom ?? id } satisfies ArrivedFrom,
      });
    }
  }, [loaded.data, navigate, id, arrived.mergedFrom]);

  const reload = useCallback(() => {
    loaded.reload();
    setTimelineVersion((v) => v + 1);
  }, [loaded.reload]);

  const customer = loaded.data?.status === 'found' ? loaded.data.customer : undefined;

  return (
    <section>
      <p className="breadcrumb">
        <Link to="/customers">← Customers</Link>
      </p>
      {showArrived ? (
        <div className="notice small" role="status">
          This customer (#{arrived.mergedFrom}) was merged into #{id}, so you are seeing #{id}.
        </div>
      ) : null}
      {customer ? (
        <>
          <PageHeader title={customerName(customer.name)}>
            Customer #{customer.id}, known since {formatDate(customer.firstSeenAt ?? customer.createdAt)}.{' '}
            <Confidence strength={customer.strength} />
          </PageHeader>
          {undone ? (
            <div className="notice small success" role="status">
              {undone}
            </div>
          ) : null}
          <Totals customer={customer} />
          <Prediction customer={customer} />
          <OpenCarts customer={customer} />
          <Consent
            id={customer.id}
            onChanged={() => {
              loaded.reload();
              setMessagesVersion((v) => v + 1);
            }}
          />
          <Journey id={customer.id} version={messagesVersion} />
          <NextBestAction version={messagesVersion} id={customer.id} onDone={() => setMessagesVersion((v) => v + 1)} />
          <SendMessage id={customer.id} version={messagesVersion} onSent={() => setMessagesVersion((v) => v + 1)} />
          <CustomerMessages id={customer.id} version={messagesVersion} />
          <AutomationDecisions id={customer.id} version={messagesVersion} />
          <Identifiers customer={customer} />
          <Merges
            customer={customer}
            onUndone={(message) => {
              setUndone(message);
              reload();
            }}
          />
          <Timeline id={customer.id} version={timelineVersion} />
          <Privacy customer={customer} onErased={() => navigate('/customers', { state: { erased: customer.id } })} />
        </>
      ) : loaded.error ? (
        <>
          <PageHeader title="Customer" />
          <Problem error={loaded.error} />
        </>
      ) : (
        <p>Loading…</p>
      )}
    </section>
  );
}

function Totals({ customer }: { customer: Customer360 }) {
  return (
    <section aria-labelledby="totals-heading" className="panel">
      <h2 id="totals-heading">Totals</h2>
      <dl className="facts plain">
        <dt>Lifetime value</dt>
        <dd data-testid="lifetime-value">{formatMoney(customer.lifetimeValue, customer.currency)}</dd>
        <dt>Orders</dt>
        <dd data-testid="orders">{formatNumber(customer.totalOrders)}</dd>
        <dt>First seen</dt>
        <dd>{formatDate(customer.firstSeenAt)}</dd>
        <dt>Last seen</dt>
        <dd>{formatDate(customer.lastSeenAt)}</dd>
        <dt>Last purchase</dt>
        <dd>{formatDate(customer.lastPurchaseAt, 'never')}</dd>
        <dt>Things we know they did</dt>
        <dd>{formatNumber(customer.eventCount)}</dd>
      </dl>
    </section>
  );
}

/**
 * Churn risk and predicted value from the active model with the reasons, the customer's segment, when they are
 * likely to buy next and what to suggest to them.
 */
function Prediction({ customer }: { customer: Customer360 }) {
  const scores = useCommand('models.customer', { profileId: customer.id });
  // The horizons belong to the version that scored them.
  const versions = useCommand('models.versions', {});
  // Shown once both have answered, so the sentences do not change under the reader.
  const data = versions.data || versions.error ? scores.data : undefined;
  const version = versions.data?.find((v) => v.id === data?.modelVersion);
  const scored = data && (data.churnScore !== null || data.ltvScore !== null || data.segment !== null);
  return (
    <section aria-labelledby="prediction-heading" className="panel" data-testid="prediction">
      <h2 id="prediction-heading">Will they come back?</h2>
      <Problem error={scores.error} />
      {data && scored ? (
        <>
          {data.segment ? (
            <p className="segment-line">
              Segment:{' '}
              <Link
                to={`/customers?segment=${encodeURIComponent(data.segment)}`}
                className="segment-badge"
                data-testid="segment"
                title="See everyone in this segment"
              >
                {data.segment}
              </Link>{' '}
              <span className="muted">(how they have bought so far; the figures below look ahead)</span>
            </p>
          ) : null}
          <dl className="facts plain">
            <dt>Churn risk</dt>
            <dd data-testid="churn-risk">
              {data.churnScore === null ? (
                'not worked out'
              ) : (
                <>
                  {data.riskBand ? (
                    <>
                      <span className={`risk risk-${data.riskBand}`}>{riskWords(data.riskBand)}</span>{' '}
                    </>
                  ) : null}
                  {formatRisk(data.churnScore)} chance of no purchase
                  {version ? ` in the next ${version.horizons.churnDays} days` : ''}
                  {data.riskBand && data.riskBands ? (
                    <span className="hint block" data-testid="risk-meaning">
                      {bandMeaning(data.riskBand, data.riskBands)}
                    </span>
                  ) : null}
                </>
              )}
            </dd>
            <dt>Predicted value</dt>
            <dd data-testid="predicted-value">
              {data.ltvScore === null ? (
                'not worked out'
              ) : (
                <>
                  {formatMoney(data.ltvScore, customer.currency)}
                  {version ? ` likely spend over the next ${version.horizons.ltvDays} days` : ' likely spend'}
                </>
              )}
            </dd>
          </dl>
          {data.reasons.length > 0 ? (
            <>
              <h3 id="reasons-heading">Why</h3>
              <ul className="reasons" aria-labelledby="reasons-heading" data-testid="reasons">
                {data.reasons.map((reason) => (
                  <li key={reason}>{reason}</li>
                ))}
              </ul>
            </>
          ) : null}
          {data.nextPurchase ? (
            <NextPurchaseView
              next={data.nextPurchase}
              learned={data.method === 'trees'}
              predictedAt={data.predictedAt}
            />
          ) : null}
          <Recommendations recommendations={data.recommendations} />
          <Interest interest={data.interest} />
          <p className="hint" data-testid="prediction-method">
            Worked out {data.predictedAt ? `on ${formatDate(data.predictedAt)} ` : ''}
            {data.method === 'bgnbd'
              ? 'in small-shop mode: there is not enough history yet for learned models, so this comes from their own purchase pattern (BG/NBD)'
              : 'from your shop’s own history'}
            {data.modelVersion !== null ? ` (model version #${data.modelVersion})` : ''}. See how good the predictions
            are on the <Link to="/models">Models</Link> page.
          </p>
        </>
      ) : data ? (
        <p className="muted" data-testid="not-scored">
          Not scored yet — retrain on the <Link to="/models">Models</Link> page.
        </p>
      ) : scores.error ? null : (
        <p>Loading…</p>
      )}
    </section>
  );
}

/** When they are likely to buy again, from their own purchase pattern. */
function NextPurchaseView({
  next,
  learned,
  predictedAt,
}: {
  next: NextPurchase;
  learned: boolean;
  predictedAt: string | null;
}) {
  // An old export: the chances count from the day after its last sale, not from the day they were worked out.
  const stale = predictedAt !== null && Date.parse(predictedAt) - Date.parse(next.from) > 2 * 86_400_000;
  return (
    <>
      <h3 id="next-purchase-heading">Next purchase</h3>
      <div className="next-purchase" data-testid="next-purchase">
        <p className="next-purchase-headline" data-testid="next-purchase-headline">
          <strong>
            {next.expectedDate
              ? `Likely to buy again by ${formatDay(next.expectedDate)}`
              : 'More likely gone for good than coming back'}
          </strong>
        </p>
        <ul className="plain-list">
          <li data-testid="next-purchase-chances">
            {formatChance(next.within30Days)} chance of buying within 30 days · {formatChance(next.within90Days)} within
            90 days
          </li>
          <li data-testid="still-active">Still a customer (has not quietly left): {formatChance(next.stillActive)}</li>
          <li data-testid="expected-orders">
            Expected orders in the next {next.horizonDays} days: {formatDecimal(next.expectedPurchases)}
          </li>
        </ul>
        {stale ? (
          <p className="hint" data-testid="next-purchase-from">
            Counted from {formatDay(next.from)}, the day after the last sale in your data: import newer sales to bring
            these up to date.
          </p>
        ) : null}
        {learned ? (
          <p className="hint" data-testid="next-purchase-note">
            These come from their buying rhythm alone (how often and how recently they buy). The churn risk above also
            weighs what, where and how they buy, so the two can differ.
          </p>
        ) : null}
      </div>
    </>
  );
}

/** Products to suggest to them next, each with why. */
function Recommendations({ recommendations }: { recommendations: readonly RecommendationView[] }) {
  return (
    <>
      <h3 id="recommendations-heading">Recommended next</h3>
      {recommendations.length === 0 ? (
        <p className="muted" data-testid="no-recommendations">
          Nothing to suggest yet: recommendations come from products your customers often buy together.
        </p>
      ) : (
        <ul className="recommendations" aria-labelledby="recommendations-heading" data-testid="recommendations">
          {recommendations.map((r) => (
            <li key={r.product}>
              <strong className="recommendation-title">{r.title}</strong>{' '}
              <span className="muted recommendation-reason">— {r.reason}</span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** Products they have looked at or put in a basket lately and not bought since (the intent score, 0–100). */
function Interest({ interest }: { interest: readonly { product: string; title: string; score: number }[] }) {
  if (interest.length === 0) return null;
  return (
    <>
      <h3 id="interest-heading">Showing interest in</h3>
      <ul className="recommendations" aria-labelledby="interest-heading" data-testid="interest">
        {interest.map((i) => (
          <li key={i.product}>
            <strong className="recommendation-title">{i.title}</strong>{' '}
            <span className="muted">
              — interest {Math.round(i.score)} of 100 (from baskets, views and searches in recent weeks, not bought
              since)
            </span>
          </li>
        ))}
      </ul>
    </>
  );
}

function Identifiers({ customer }: { customer: Customer360 }) {
  return (
    <section aria-labelledby="identifiers-heading" className="panel">
      <h2 id="identifiers-heading">How we recognise them</h2>
      {customer.identifiers.length === 0 && customer.sharedIdentifiersUsed.length === 0 ? (
        <p className="muted">Nothing yet: no email, phone or other detail has arrived for this customer.</p>
      ) : customer.identifiers.length === 0 ? null : (
        <TableScroll label="Their emails, phones and other details">
          <table className="data" aria-labelledby="identifiers-heading">
            <thead>
              <tr>
                <th scope="col">Type</th>
                <th scope="col">Value</th>
                <th scope="col">From</th>
                <th scope="col">First seen</th>
              </tr>
            </thead>
            <tbody>
              {customer.identifiers.map((identifier) => (
                <tr key={`${identifier.type}:${identifier.value}`}>
                  <td>{identifierLabel(identifier.type)}</td>
                  <td>
                    {identifier.value}
                    {identifier.rawValue && identifier.rawValue !== identifier.value ? (
                      <span className="muted"> (sent as “{identifier.rawValue}”)</span>
                    ) : null}
                    {identifier.shared ? <span className="muted"> (shared with others in the family)</span> : null}
                  </td>
                  <td>from {sourceLabel(identifier.source)}</td>
                  <td>{formatDate(identifier.firstSeenAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      {customer.sharedIdentifiersUsed.length > 0 ? (
        <p className="hint">
          Also uses{' '}
          {customer.sharedIdentifiersUsed
            .map((shared) => `the ${identifierLabel(shared.type).toLowerCase()} ${shared.value}`)
            .join(', ')}
          , shared with someone else in the family: a sale with only that detail comes here when it carries this
          customer’s name.
        </p>
      ) : null}
    </section>
  );
}

export function describeEvidence(evidence: readonly { type: string; value: string }[]): string {
  return evidence.map((e) => `${identifierLabel(e.type).toLowerCase()} ${e.value}`).join(' and ');
}

function mergeSentence(merge: MergeView, self: number) {
  const others = [merge.baseProfileId, ...merge.mergedProfileIds].filter((other) => other !== self);
  const how = merge.reason === 'automatic' ? 'automatically' : 'after your review';
  const linked = merge.evidence.length > 0 ? ` — linked by ${describeEvidence(merge.evidence)}` : '';
  return { others, text: `Merged ${how} with`, tail: ` on ${formatDate(merge.createdAt)}${linked}` };
}

function Merges({ customer, onUndone }: { customer: Customer360; onUndone(message: string): void }) {
  const [error, setError] = useState<AppError>();
  return (
    <section aria-labelledby="merges-heading" className="panel">
      <h2 id="merges-heading">Merge history</h2>
      <p className="hint">
        When details from different places belong to the same person, ConstIntel joins them into one customer. Undo
        splits them back exactly as they were.
      </p>
      <Problem error={error} />
      {customer.merges.length === 0 ? (
        <p className="muted">This customer has never been merged with another.</p>
      ) : (
        <ul className="merges">
          {customer.merges.map((merge) => {
            const sentence = mergeSentence(merge, customer.id);
            return (
              <li key={merge.id} className={merge.undoneAt ? 'undone' : undefined} data-testid="merge">
                <p>
                  {sentence.text}{' '}
                  {sentence.others.map((other, i) => (
                    <span key={other}>
                      {i > 0 ? (i === sentence.others.length - 1 ? ' and ' : ', ') : null}
                      <Link to={`/customers/${other}`}>#{other}</Link>
                    </span>
                  ))}
                  {sentence.tail}
                </p>
                {merge.undoneAt ? (
                  <p className="muted">Undone on {formatDate(merge.undoneAt)}.</p>
                ) : (
                  <div className="actions">
                    <ConfirmAction
                      label="Undo"
                      question={`Are you sure? ${listIds(sentence.others)} will become separate customers again.`}
                      confirmLabel="Yes, undo"
                      busyLabel="Undoing…"
                      disabled={!merge.canUndo}
                      onConfirm={async () => {
                        setError(undefined);
                        try {
                          const result = await client.call('merges.undo', { mergeId: merge.id });
                          const restored = result.restoredProfileIds.filter((r) => r !== result.baseProfileId);
                          const apart = restored.length > 0 ? restored : sentence.others;
                          onUndone(
                            apart.length === 1
                              ? `Merge undone: ${listIds(apart)} is a separate customer again.`
                              : `Merge undone: ${listIds(apart)} are separate customers again.`,
                          );
                        } catch (e) {
                          setError(asAppError(e));
                        }
                      }}
                    />
                    {merge.canUndo ? null : (
                      <span className="hint">
                        A later merge into this customer must be undone first (the newest is at the top).
                      </span>
                    )}
                  </div>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function Timeline({ id, version }: { id: number; version: number }) {
  const [events, setEvents] = useState<TimelineEvent[]>([]);
  const [cursor, setCursor] = useState<number | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<AppError>();

  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` asks for a fresh first page.
  useEffect(() => {
    let live = true;
    setLoading(true);
    client.call('customers.timeline', { id, limit: TIMELINE_PAGE }).then(
      (page) => {
        if (!live) return;
        setEvents(page.events);
        setCursor(page.nextCursor);
        setError(undefined);
        setLoading(false);
      },
      (e) => {
        if (!live) return;
        setError(asAppError(e));
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
  }, [id, version]);

  async function older() {
    if (cursor === null) return;
    setLoading(true);
    try {
      const page = await client.call('customers.timeline', { id, cursor, limit: TIMELINE_PAGE });
      setEvents((current) => {
        const seen = new Set(current.map((e) => e.id));
        return [...current, ...page.events.filter((e) => !seen.has(e.id))];
      });
      setCursor(page.nextCursor);
      setError(undefined);
    } catch (e) {
      setError(asAppError(e));
    } finally {
      setLoading(false);
    }
  }

  return (
    <section aria-labelledby="timeline-heading" className="panel">
      <h2 id="timeline-heading">What they did</h2>
      <Problem error={error} />
      {events.length === 0 && !loading && !error ? <p className="muted">Nothing recorded yet.</p> : null}
      {events.length > 0 ? (
        <ol className="timeline">
          {events.map((event) => (
            <li key={event.id}>
              <time dateTime={event.occurredAt}>{formatDateTime(event.occurredAt)}</time>
              <span className="summary">{event.summary}</span>
              <span className="muted">from {sourceLabel(event.source)}</span>
            </li>
          ))}
        </ol>
      ) : null}
      {cursor !== null ? (
        <button type="button" className="secondary" disabled={loading} onClick={older}>
          {loading ? 'Loading…' : 'Show older'}
        </button>
      ) : loading && events.length === 0 ? (
        <p>Loading…</p>
      ) : null}
    </section>
  );
}

function OpenCarts({ customer }: { customer: Customer360 }) {
  if (customer.openCarts.length === 0) return null;
  return (
    <section aria-labelledby="carts-heading" className="panel">
      <h2 id="carts-heading">Checkouts they left unfinished</h2>
      <ul className="plain-list">
        {customer.openCarts.map((cart) => (
          <li key={cart.token}>
            {cart.total !== null ? formatMoney(cart.total, cart.currency ?? customer.currency) : 'A checkout'} left on{' '}
            {formatDate(cart.abandonedAt)}
            {cart.url ? (
              <>
                {' '}
                — their link back to it: <span className="mono">{cart.url}</span>
              </>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Their rights over their data: a copy of everything, or erasing it. */
function Privacy({ customer, onErased }: { customer: Customer360; onErased(): void }) {
  const [exported, setExported] = useState<string>();
  const [error, setError] = useState<AppError>();
  return (
    <section aria-labelledby="privacy-heading" className="panel">
      <h2 id="privacy-heading">Their data</h2>
      <p className="muted">
        When a customer asks what you hold about them, or asks you to delete it, use these. Erasing cannot be undone.
      </p>
      <Problem error={error} />
      <div className="actions">
        <button
          type="button"
          className="secondary"
          onClick={async () => {
            setError(undefined);
            try {
              setExported((await client.call('customers.exportData', { id: customer.id })).path);
            } catch (e) {
              setError(asAppError(e));
            }
          }}
        >
          Save a copy of their data
        </button>
        <ConfirmAction
          label="Erase this customer"
          question={`Erase ${customerName(customer.name)} and everything about them? This cannot be undone.`}
          confirmLabel="Yes, erase"
          busyLabel="Erasing…"
          onConfirm={async () => {
            setError(undefined);
            try {
              await client.call('customers.erase', { id: customer.id });
              onErased();
            } catch (e) {
              setError(asAppError(e));
            }
          }}
        />
      </div>
      {exported ? (
        <p role="status" className="saved">
          Saved on this PC: <span className="mono">{exported}</span>
        </p>
      ) : null}
    </section>
  );
}
