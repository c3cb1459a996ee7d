import { Link } from 'react-router';
import { PageHeader, Problem } from '../components';
import { useCommand } from '../use-command';

export function DashboardPage() {
  const info = useCommand('app.info', {});
  return (
    <section>
      <PageHeader title="Dashboard">{info.data ? `Welcome, ${info.data.brandName}.` : 'Welcome.'}</PageHeader>
      <Problem error={info.error} />
      {info.data ? (
        <>
          {info.data.warnings.map((warning) => (
            <div className="problem" role="status" key={warning}>
              {warning}
            </div>
          ))}
          <p>
            ConstIntel has no customers yet. Start in <Link to="/settings">Settings</Link>: give your shop its name and
            the country your customers' phone numbers are written in.
          </p>
          <dl className="facts">
            <dt>Your data is kept in</dt>
            <dd data-testid="database-file">{info.data.databaseFile}</dd>
            <dt>Webhooks and the event API reach this PC at</dt>
            <dd data-testid="ingest-url">{info.data.ingest.url ?? 'not listening'}</dd>
            <dt>ConstIntel version</dt>
            <dd>{info.data.version}</dd>
          </dl>
        </>
      ) : null}
    </section>
  );
}
