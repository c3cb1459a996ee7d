/**
 * Customers: search as you type, sort (also by churn risk or predicted value),
 * filter by risk or segment, one page at a time; each row opens the Customer 360 page.
 * The paging sits above the table (a keyboard reaches it without passing 50 rows) and again below it; the table
 * scrolls sideways in its own box, the name column staying in view.
 */
import { useEffect, useState } from 'react';
import { Link, useLocation, useSearchParams } from 'react-router';
import { RISK_LEVELS } from '../../../shared/contract/customers';
import type { AppError } from '../../../shared/contract/errors';
import { client } from '../client';
import { PageHeader, Problem, TableScroll } from '../components';
import {
  customerName,
  formatDate,
  formatMoney,
  formatNumber,
  formatRisk,
  type RiskBand,
  riskWithChance,
  riskWords,
} from '../format';
import { RiskLevelsLine } from '../risk-levels';
import { useCommand } from '../use-command';

const PAGE_SIZE = 50;
const DEBOUNCE_MS = 250;
const SORTS = ['last_seen', 'lifetime_value', 'churn_risk', 'predicted_value'] as const;
type Sort = (typeof SORTS)[number];
const RISKS: readonly RiskBand[] = RISK_LEVELS;

function isSort(value: string | null): value is Sort {
  return SORTS.includes(value as Sort);
}

function isRisk(value: string | null): value is RiskBand {
  return RISKS.includes(value as RiskBand);
}

/** An email that may wrap after its "@" (and nowhere else), so the table fits beside the scores. */
function BreakableEmail({ email }: { email: string }) {
  const at = email.indexOf('@');
  if (at <= 0) return <>{email}</>;
  return (
    <>
      {email.slice(0, at + 1)}
      <wbr />
      {email.slice(at + 1)}
    </>
  );
}

/** "31 Dec 2025" may wrap before the year only (a narrow screen lets the date take two lines, never three). */
function keepDayWithMonth(date: string): string {
  return date.replace(' ', '\u00a0');
}

/** Previous, where we are, Next. */
function Pager({
  label,
  first,
  last,
  total,
  exact,
  busy,
  onPrevious,
  onNext,
  top = false,
}: {
  label: string;
  first: number;
  last: number;
  total: number;
  exact: boolean;
  busy: boolean;
  onPrevious?: () => void;
  onNext?: () => void;
  top?: boolean;
}) {
  return (
    <nav className={top ? 'pager top' : 'pager'} aria-label={label}>
      <button type="button" className="secondary" disabled={!onPrevious || busy} onClick={onPrevious}>
        Previous
      </button>
      <span data-testid={top ? 'showing' : undefined}>
        Showing {formatNumber(first)}–{formatNumber(last)} of {formatNumber(total)}
        {exact ? '' : '+'}
      </span>
      <button type="button" className="secondary" disabled={!onNext || busy} onClick={onNext}>
        Next
      </button>
    </nav>
  );
}

export function CustomersPage() {
  // The search lives in the address, so Back from a customer returns to the same list.
  const [params, setParams] = useSearchParams();
  const erased = ((useLocation().state ?? {}) as { erased?: number }).erased;
  const query = params.get('q') ?? '';
  const sortParam = params.get('sort');
  const sort: Sort = isSort(sortParam) ? sortParam : 'last_seen';
  const riskParam = params.get('risk');
  const risk = isRisk(riskParam) ? riskParam : undefined;
  const segment = params.get('segment')?.trim() || undefined;
  const tag = params.get('tag')?.trim() || undefined;
  const offset = Math.max(0, Number.parseInt(params.get('offset') ?? '0', 10) || 0);
  const [typed, setTyped] = useState(query);
  // The segments of the active version, for the filter; a segment in the address is offered even before they load.
  const segments = useCommand('models.segments', {});
  const segmentNames = (segments.data ?? []).map((s) => s.name);
  if (segment && !segmentNames.includes(segment)) segmentNames.push(segment);
  // Tags automations put on customers; a tag in the address is offered even before they load.
  const tags = useCommand('customers.tags', {});
  const tagNames = (tags.data ?? []).map((t) => t.tag);
  if (tag && !tagNames.includes(tag)) tagNames.push(tag);

  const update = (patch: {
    q?: string;
    sort?: Sort;
    risk?: RiskBand | '';
    segment?: string;
    tag?: string;
    offset?: number;
  }) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        const set = (key: string, value: string | undefined) => (value ? next.set(key, value) : next.delete(key));
        if (patch.q !== undefined) set('q', patch.q.trim());
        if (patch.sort !== undefined) set('sort', patch.sort === 'last_seen' ? undefined : patch.sort);
        if (patch.risk !== undefined) set('risk', patch.risk || undefined);
        if (patch.segment !== undefined) set('segment', patch.segment || undefined);
        if (patch.tag !== undefined) set('tag', patch.tag || undefined);
        set('offset', patch.offset ? String(patch.offset) : undefined);
        return next;
      },
      { replace: true },
    );

  // biome-ignore lint/correctness/useExhaustiveDependencies: only the typed text starts a new search.
  useEffect(() => {
    if (typed.trim() === query) return;
    const timer = setTimeout(() => update({ q: typed, offset: 0 }), DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [typed]);

  // Back and Forward change the address: show its search in the box.
  useEffect(() => {
    setTyped((current) => (current.trim() === query ? current : query));
  }, [query]);

  const result = useCommand('customers.search', {
    query,
    sort,
    offset,
    limit: PAGE_SIZE,
    ...(risk ? { risk } : {}),
    ...(segment ? { segment } : {}),
    ...(tag ? { tag } : {}),
  });
  const data = result.data;
  // "Export these customers": the list's own filter, so the file holds every customer it shows (all pages), saved
  // as a download (the desktop app asks where; a browser saves customers-YYYY-MM-DD.csv).
  const [exporting, setExporting] = useState<{ busy: boolean; error?: AppError }>({ busy: false });
  const exportShown = () => {
    setExporting({ busy: true });
    const filter = { query, sort, ...(risk ? { risk } : {}), ...(segment ? { segment } : {}), ...(tag ? { tag } : {}) };
    client.call('customers.export', filter).then(
      ({ fileName, csv }) => {
        const href = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
        const link = Object.assign(document.createElement('a'), { href, download: fileName });
        document.body.append(link);
        link.click();
        link.remove();
        setTimeout(() => URL.revokeObjectURL(href), 60_000);
        setExporting({ busy: false });
      },
      (error: AppError) => setExporting({ busy: false, error }),
    );
  };
  const first = data && data.total > 0 ? data.offset + 1 : 0;
  const last = data ? data.offset + data.items.length : 0;
  const pager = data
    ? {
        first,
        last,
        total: data.total,
        exact: data.totalIsExact,
        busy: result.loading,
        onPrevious: data.offset === 0 ? undefined : () => update({ offset: Math.max(0, data.offset - PAGE_SIZE) }),
        onNext: last >= data.total ? undefined : () => update({ offset: data.offset + PAGE_SIZE }),
      }
    : undefined;
  // A column nobody on this page has would only squeeze the others.
  const showPhone = data?.items.some((c) => c.phone) ?? false;

  return (
    <section>
      <PageHeader title="Customers">
        One profile per real person, joined from every place they bought or got in touch.
      </PageHeader>
      {erased !== undefined ? (
        <div className="notice small success" role="status">
          Customer #{erased} and everything about them were erased.
        </div>
      ) : null}
      <div className="toolbar">
        <label className="search">
          <span>Search</span>
          <input
            type="search"
            value={typed}
            placeholder="Name, email, phone or loyalty number"
            onChange={(e) => setTyped(e.target.value)}
          />
        </label>
        <label>
          <span>Sort by</span>
          <select value={sort} onChange={(e) => update({ sort: e.target.value as Sort, offset: 0 })}>
            <option value="last_seen">Last seen</option>
            <option value="lifetime_value">Lifetime value</option>
            <option value="churn_risk">Churn risk, highest first</option>
            <option value="predicted_value">Predicted value, highest first</option>
          </select>
        </label>
        <label>
          <span>Risk</span>
          <select value={risk ?? ''} onChange={(e) => update({ risk: e.target.value as RiskBand | '', offset: 0 })}>
            <option value="">Any risk</option>
            {RISKS.map((band) => (
              <option key={band} value={band}>
                {riskWords(band)}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>Segment</span>
          <select
            value={segment ?? ''}
            onChange={(e) => update({ segment: e.target.value, offset: 0 })}
            disabled={segmentNames.length === 0}
            title={segmentNames.length === 0 ? 'Segments appear after a retrain on the Models page' : undefined}
          >
            <option value="">All segments</option>
            {segmentNames.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
        {tagNames.length > 0 ? (
          <label>
            <span>Tag</span>
            <select value={tag ?? ''} onChange={(e) => update({ tag: e.target.value, offset: 0 })}>
              <option value="">All tags</option>
              {tagNames.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <button
          type="button"
          className="secondary"
          aria-label="Export these customers (CSV)"
          disabled={exporting.busy || !data || data.total === 0}
          onClick={exportShown}
        >
          {exporting.busy ? 'Exporting…' : 'Export these customers'}
        </button>
      </div>
      <Problem error={exporting.error} />
      {data?.riskBands ? <RiskLevelsLine bands={data.riskBands} /> : null}
      <Problem error={result.error} />
      {data ? (
        data.total === 0 ? (
          query ? (
            <div className="notice" role="status">
              No customer matches “{query}”{risk ? ` with ${riskWords(risk).toLowerCase()}` : ''}
              {segment ? ` in the segment “${segment}”` : ''}
              {tag ? ` tagged “${tag}”` : ''}. Try part of the name, or the whole email, phone or loyalty number.
            </div>
          ) : risk ? (
            <div className="notice" role="status" data-testid="no-risk-match">
              No customer has {riskWords(risk).toLowerCase()}
              {segment ? ` in the segment “${segment}”` : ''}
              {tag ? ` tagged “${tag}”` : ''} — or none has been scored yet: retrain on the{' '}
              <Link to="/models">Models</Link> page.
            </div>
          ) : segment ? (
            <div className="notice" role="status" data-testid="no-segment-match">
              No customer is in the segment “{segment}” — or none has been scored yet: retrain on the{' '}
              <Link to="/models">Models</Link> page.
            </div>
          ) : (
            <div className="notice" data-testid="no-customers">
              <strong>No customers yet.</strong> Customers appear here as soon as ConstIntel hears about them: from your
              website or till scripts through the event API (the key is in <Link to="/settings">Settings</Link>), and
              from imports and Shopify or WhatsApp once those are connected.
            </div>
          )
        ) : (
          <>
            {pager ? <Pager label="Pages" top {...pager} /> : null}
            <TableScroll label="Customers">
              <table className="data customers" aria-busy={result.loading}>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Email</th>
                    {showPhone ? <th scope="col">Phone</th> : null}
                    <th scope="col" className="num">
                      Lifetime value
                    </th>
                    <th scope="col" className="num">
                      Orders
                    </th>
                    <th scope="col">Last seen</th>
                    <th scope="col">Segment</th>
                    <th scope="col">Churn risk</th>
                    <th scope="col" className="num">
                      Predicted value
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((c) => (
                    <tr key={c.id}>
                      <td>
                        <Link to={`/customers/${c.id}`} className="customer-link">
                          {customerName(c.name)}
                        </Link>{' '}
                        <span className="muted">#{c.id}</span>
                      </td>
                      <td>{c.email ? <BreakableEmail email={c.email} /> : null}</td>
                      {showPhone ? <td>{c.phone ?? ''}</td> : null}
                      <td className="num">{formatMoney(c.lifetimeValue, data.currency)}</td>
                      <td className="num">{formatNumber(c.totalOrders)}</td>
                      <td className="nowrap">{keepDayWithMonth(formatDate(c.lastSeenAt))}</td>
                      <td data-testid="segment-cell">
                        {c.segment === null ? (
                          <span className="muted" title="Not scored yet: retrain on the Models page">
                            —
                          </span>
                        ) : (
                          <span className="segment-badge">{c.segment}</span>
                        )}
                      </td>
                      <td data-testid="churn-cell">
                        {c.churnScore === null || c.riskBand === null ? (
                          <span className="muted" title="Not scored yet: retrain on the Models page">
                            —
                          </span>
                        ) : (
                          <span
                            className={`risk risk-${c.riskBand}`}
                            title={`${formatRisk(c.churnScore)} chance of no purchase soon`}
                          >
                            {riskWithChance(c.riskBand, c.churnScore)}
                          </span>
                        )}
                      </td>
                      <td className="num">
                        {c.ltvScore === null ? (
                          <span className="muted" title="Not scored yet: retrain on the Models page">
                            —
                          </span>
                        ) : (
                          formatMoney(c.ltvScore, data.currency)
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
            {pager ? <Pager label="Pages, end of list" {...pager} /> : null}
          </>
        )
      ) : result.loading ? (
        <p>Loading…</p>
      ) : null}
    </section>
  );
}
