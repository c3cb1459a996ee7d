/** Customers: search as you type, sort, one page at a time; each row opens the Customer 360 page. */
import { useEffect, useState } from 'react';
import { Link, useLocation, useSearchParams } from 'react-router';
import { PageHeader, Problem } from '../components';
import { customerName, formatDate, formatMoney, formatNumber } from '../format';
import { useCommand } from '../use-command';

const PAGE_SIZE = 50;
const DEBOUNCE_MS = 250;
type Sort = 'last_seen' | 'lifetime_value';

export function CustomersPage() {
  // The search lives in the address, so Back from a customer returns to the same list.
  const [params, setParams] = useSearchParams();
  const erased = ((useLocation().state ?? {}) as { erased?: number }).erased;
  const query = params.get('q') ?? '';
  const sort: Sort = params.get('sort') === 'lifetime_value' ? 'lifetime_value' : 'last_seen';
  const offset = Math.max(0, Number.parseInt(params.get('offset') ?? '0', 10) || 0);
  const [typed, setTyped] = useState(query);

  const update = (patch: { q?: string; sort?: Sort; offset?: number }) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        const set = (key: string, value: string | undefined) => (value ? next.set(key, value) : next.delete(key));
        if (patch.q !== undefined) set('q', patch.q.trim());
        if (patch.sort !== undefined) set('sort', patch.sort === 'last_seen' ? undefined : patch.sort);
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

  const result = useCommand('customers.search', { query, sort, offset, limit: PAGE_SIZE });
  const data = result.data;
  const first = data && data.total > 0 ? data.offset + 1 : 0;
  const last = data ? data.offset + data.items.length : 0;

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
          </select>
        </label>
      </div>
      <Problem error={result.error} />
      {data ? (
        data.total === 0 ? (
          query ? (
            <div className="notice" role="status">
              No customer matches “{query}”. Try part of the name, or the whole email, phone or loyalty number.
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
            <table className="data" aria-busy={result.loading}>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Email</th>
                  <th scope="col">Phone</th>
                  <th scope="col" className="num">
                    Lifetime value
                  </th>
                  <th scope="col" className="num">
                    Orders
                  </th>
                  <th scope="col">Last seen</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((c) => (
                  <tr key={c.id}>
                    <td>
                      <Link to={`/customers/${c.id}`}>{customerName(c.name)}</Link>{' '}
                      <span className="muted">#{c.id}</span>
                    </td>
                    <td>{c.email ?? ''}</td>
                    <td>{c.phone ?? ''}</td>
                    <td className="num">{formatMoney(c.lifetimeValue, data.currency)}</td>
                    <td className="num">{formatNumber(c.totalOrders)}</td>
                    <td>{formatDate(c.lastSeenAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <nav className="pager" aria-label="Pages">
              <button
                type="button"
                className="secondary"
                disabled={data.offset === 0 || result.loading}
                onClick={() => update({ offset: Math.max(0, data.offset - PAGE_SIZE) })}
              >
                Previous
              </button>
              <span data-testid="showing">
                Showing {formatNumber(first)}–{formatNumber(last)} of {formatNumber(data.total)}
                {data.totalIsExact ? '' : '+'}
              </span>
              <button
                type="button"
                className="secondary"
                disabled={last >= data.total || result.loading}
                onClick={() => update({ offset: data.offset + PAGE_SIZE })}
              >
                Next
              </button>
            </nav>
          </>
        )
      ) : result.loading ? (
        <p>Loading…</p>
      ) : null}
    </section>
  );
}
