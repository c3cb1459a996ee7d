import { useEffect } from 'react';
import { Link } from 'react-router';
import { PageHeader, Problem } from '../components';
import { formatNumber } from '../format';
import { useCommand } from '../use-command';

/** How often the Dashboard asks again whether the data file can be written (a full disk shows up here). */
const CHECK_MS = 10_000;

export function DashboardPage() {
  const info = useCommand('app.info', {});
  const { reload } = info;
  useEffect(() => {
    const timer = setInterval(reload, CHECK_MS);
    return () => clearInterval(timer);
  }, [reload]);
  const customers = useCommand('customers.search', { limit: 1 });
  const pending = useCommand('merges.pendingCount', {});
  const total = customers.data?.total;
  const waiting = pending.data?.count ?? 0;
  return (
    <section>
      <PageHeader title="Dashboard">{info.data ? `Welcome, ${info.data.brandName}.` : 'Welcome.'}</PageHeader>
      <Problem error={info.error} />
      {info.data ? (
        <>
          {info.data.storage ? (
            <div className="problem" role="alert" data-testid="storage-problem">
              {info.data.storage.message}
            </div>
          ) : null}
          {info.data.warnings.map((warning) => (
            <div className="problem" role="status" key={warning}>
              {warning}
            </div>
          ))}
          {total === 0 ? (
            <p>
              ConstIntel has no customers yet. Start in <Link to="/settings">Settings</Link>: give your shop its name,
              its currency and the country your customers' phone numbers are written in. Customers then arrive from your
              website or till through the event API.
            </p>
          ) : total !== undefined ? (
            <p data-testid="customer-count">
              You have <Link to="/customers">{formatNumber(total)} customers</Link>.
              {waiting > 0 ? (
                <>
                  {' '}
                  <Link to="/merge-review">
                    {formatNumber(waiting)} possible duplicate{waiting === 1 ? '' : 's'}
                  </Link>{' '}
                  {waiting === 1 ? 'waits' : 'wait'} for you to decide.
                </>
              ) : null}
            </p>
          ) : null}
          <dl className="facts">
            <dt>Your data is kept in</dt>
            <dd data-testid="database-file">{info.data.databaseFile}</dd>
            <dt>Address for webhooks and the event API on this PC (point your tunnel here)</dt>
            <dd data-testid="ingest-url">{info.data.ingest.url ?? 'not listening'}</dd>
            <dt>ConstIntel version</dt>
            <dd>{info.data.version}</dd>
          </dl>
        </>
      ) : null}
    </section>
  );
}
