/**
 * The Dashboard, the first page: the shop's morning (`dashboard.summary`) — sales by week and month beside last
 * year, value at risk and whom to contact first, segments and stages, the automations' last 30 days and what waits —
 * or, for a shop with no data yet, the first-run guide (Settings → Import → Connections). Below: where the data is
 * kept and the address for webhooks, with any problem writing the data file first.
 */
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { client } from '../client';
import { asAppError, PageHeader, Problem } from '../components';
import { formatNumber } from '../format';
import { useCommand } from '../use-command';
import { AtAGlance, AutomationsResults, ValueAtRisk, Waiting } from './dashboard/Glance';
import { Sales } from './dashboard/Sales';
import './dashboard/dashboard.css';

/** How often the Dashboard asks again whether the data file can be written (a full disk shows up here). */
const CHECK_MS = 10_000;

/** The first-run question: the country the shop's phone numbers are written in (a number without +44 or 0044). */
function ShopCountry() {
  const settings = useCommand('settings.get', {});
  const countries = useCommand('settings.countries', {});
  const [chosen, setChosen] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [error, setError] = useState<ReturnType<typeof asAppError> | undefined>();
  const current = chosen ?? settings.data?.defaultCountry ?? '';
  const nameOf = (code: string) => countries.data?.find((c) => c.code === code)?.name ?? code;
  const save = async () => {
    setError(undefined);
    try {
      await client.call('settings.update', { defaultCountry: current });
      setSaved(current);
    } catch (e) {
      setError(asAppError(e));
    }
  };
  if (!settings.data || !countries.data) return null;
  return (
    <div className="shop-country">
      <label htmlFor="first-run-country">
        Where is your shop? (phone numbers without a country code are read as from there)
      </label>
      <div className="row">
        <select id="first-run-country" value={current} onChange={(e) => setChosen(e.target.value)}>
          {countries.data.map((c) => (
            <option key={c.code} value={c.code}>
              {c.name}
            </option>
          ))}
        </select>
        <button type="button" onClick={save}>
          Save
        </button>
      </div>
      {saved ? (
        <p role="status" data-testid="first-run-country-saved">
          Saved: phone numbers without a country code are read as from {nameOf(saved)}.
        </p>
      ) : null}
      <Problem error={error} />
    </div>
  );
}

function FirstRun() {
  return (
    <section aria-labelledby="first-run" className="panel first-run" data-testid="first-run">
      <h2 id="first-run">Getting started</h2>
      <p>ConstIntel has no customers or sales yet. First, one question:</p>
      <ShopCountry />
      <p>Then three steps bring your shop in:</p>
      <ol>
        <li>
          <Link to="/settings">Settings</Link>: your shop's name, currency and time zone.
        </li>
        <li>
          <Link to="/import">Import</Link>: drop your till's or online shop's sales and customer exports (CSV) to bring
          in your history.
        </li>
        <li>
          <Link to="/settings/connections">Connections</Link>: connect Shopify and WhatsApp so new orders and messages
          arrive by themselves.
        </li>
      </ol>
      <p className="hint">Then retrain on the Models page to see who may not come back and what they are worth.</p>
    </section>
  );
}

export function DashboardPage() {
  const info = useCommand('app.info', {});
  const { reload } = info;
  useEffect(() => {
    const timer = setInterval(reload, CHECK_MS);
    return () => clearInterval(timer);
  }, [reload]);
  const summary = useCommand('dashboard.summary', {});
  const view = summary.data;
  return (
    <section>
      <PageHeader title="Dashboard">{info.data ? `Welcome, ${info.data.brandName}.` : 'Welcome.'}</PageHeader>
      <Problem error={info.error ?? summary.error} />
      {info.data?.storage ? (
        <div className="problem" role="alert" data-testid="storage-problem">
          {info.data.storage.message}
        </div>
      ) : null}
      {info.data?.warnings.map((warning) => (
        <div className="problem" role="status" key={warning}>
          {warning}
        </div>
      ))}
      {view && !view.hasData ? <FirstRun /> : null}
      {view?.hasData ? (
        <>
          <p data-testid="customer-count">
            You have <Link to="/customers">{formatNumber(view.customers)} customers</Link>.
          </p>
          <Sales view={view} />
          <ValueAtRisk view={view} />
          <div className="dashboard-grid">
            <Waiting view={view} />
            <AtAGlance view={view} />
            <AutomationsResults view={view} />
          </div>
        </>
      ) : null}
      {info.data ? (
        <dl className="facts">
          <dt>Your data is kept in</dt>
          <dd data-testid="database-file">{info.data.databaseFile}</dd>
          <dt>Address for webhooks and the event API on this PC (point your tunnel here)</dt>
          <dd data-testid="ingest-url">{info.data.ingest.url ?? 'not listening'}</dd>
          <dt>ConstIntel version</dt>
          <dd>{info.data.version}</dd>
        </dl>
      ) : null}
    </section>
  );
}
