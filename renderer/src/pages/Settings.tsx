/**
 * Settings: shop name, default phone country, time zone, where the listeners
 * live (saved in the data file), the scheduled work with its last and next
 * run, the channels (Channels.tsx), the backups (Backups.tsx), and the key scripts use for the event API.
 */
import { type FormEvent, useEffect, useState } from 'react';
import { Link } from 'react-router';
import { AppError } from '../../../shared/contract/errors';
import type { Settings } from '../../../shared/contract/settings';
import { client } from '../client';
import { asAppError, ConfirmAction, PageHeader, Problem } from '../components';
import { useCommand } from '../use-command';
import { Backups } from './Backups';
import { Channels } from './Channels';
import { ScheduledJobs } from './ScheduledJobs';

type Draft = { [K in keyof Settings]: string };

const CURRENCIES = Intl.supportedValuesOf('currency');
const currencyNames = new Intl.DisplayNames(['en'], { type: 'currency' });
const currencyName = (code: string) => currencyNames.of(code) ?? code;
/** Every zone this browser knows, with UTC (which Chromium leaves out of the list) and the saved one. */
const timeZones = (saved: string) =>
  [...new Set([saved, 'UTC', ...Intl.supportedValuesOf('timeZone')])].sort((a, b) => a.localeCompare(b));

const toDraft = (s: Settings): Draft => ({
  brandName: s.brandName,
  defaultCountry: s.defaultCountry,
  currency: s.currency,
  timeZone: s.timeZone,
  shopPhoneNumbers: s.shopPhoneNumbers.join('\n'),
  abandonedCheckoutMinutes: String(s.abandonedCheckoutMinutes),
  uiPort: String(s.uiPort),
  ingestHost: s.ingestHost,
  ingestPort: String(s.ingestPort),
  churnHorizonDays: String(s.churnHorizonDays),
  valueHorizonDays: String(s.valueHorizonDays),
  comparisonGroupPercent: String(s.comparisonGroupPercent ?? 0),
  comparisonWindowDays: String(s.comparisonWindowDays ?? 7),
  smallestEffectPoints: String(s.smallestEffectPoints ?? 2),
});

export function SettingsPage() {
  const current = useCommand('settings.get', {});
  const countries = useCommand('settings.countries', {});
  const [draft, setDraft] = useState<Draft>();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<AppError>();
  const [saved, setSaved] = useState<{ restartNeeded: boolean }>();
  /** Counts saves, so the scheduled work is read again (a new time zone moves its next runs). */
  const [savedCount, setSavedCount] = useState(0);

  useEffect(() => {
    if (current.data) setDraft(toDraft(current.data));
  }, [current.data]);

  const field = (key: keyof Draft) => ({
    id: `setting-${key}`,
    name: key,
    value: draft?.[key] ?? '',
    'aria-invalid': isFieldError(key) ? true : undefined,
    onChange: (e: { target: { value: string } }) => {
      setDraft((d) => (d ? { ...d, [key]: e.target.value } : d));
      setSaved(undefined);
    },
  });
  const isFieldError = (key: keyof Draft) => error?.field === key || error?.field?.startsWith(`${key}.`) === true;
  const fieldError = (key: keyof Draft) =>
    error && isFieldError(key) ? (
      <span className="field-error" role="alert">
        {error.message.replace(/^[\w.]+: /, '')}
      </span>
    ) : null;

  async function save(event: FormEvent) {
    event.preventDefault();
    if (!draft) return;
    setSaving(true);
    setError(undefined);
    try {
      const result = await client.call('settings.update', {
        brandName: draft.brandName,
        defaultCountry: draft.defaultCountry,
        currency: draft.currency,
        timeZone: draft.timeZone,
        abandonedCheckoutMinutes: Number(draft.abandonedCheckoutMinutes),
        shopPhoneNumbers: draft.shopPhoneNumbers
          .split('\n')
          .map((line) => line.trim())
          .filter((line) => line !== ''),
        uiPort: Number(draft.uiPort),
        ingestHost: draft.ingestHost.trim(),
        ingestPort: Number(draft.ingestPort),
        churnHorizonDays: Number(draft.churnHorizonDays),
        valueHorizonDays: Number(draft.valueHorizonDays),
        comparisonGroupPercent: Number(draft.comparisonGroupPercent ?? 0),
        comparisonWindowDays: Number(draft.comparisonWindowDays ?? 7),
        smallestEffectPoints: Number((draft.smallestEffectPoints ?? '2').replace(',', '.')),
      });
      setDraft(toDraft(result.settings));
      setSaved({ restartNeeded: result.restartNeeded });
      setSavedCount((n) => n + 1);
    } catch (e) {
      setError(e instanceof AppError ? e : new AppError('internal', String(e)));
    } finally {
      setSaving(false);
    }
  }

  return (
    <section>
      <PageHeader title="Settings">These are kept on this PC, in ConstIntel's data file.</PageHeader>
      <p className="subpages">
        <Link to="/settings/connections">Connections: Shopify and WhatsApp →</Link>
        {' · '}
        <a href="#channels">Channels: email, WhatsApp and SMS ↓</a>
        {' · '}
        <a href="#backups">Backups: back up now, restore, the backup folder ↓</a>
      </p>
      <Problem error={current.error ?? (error && !error.field ? error : undefined)} />
      {draft ? (
        <form className="settings" onSubmit={save} noValidate>
          <fieldset>
            <legend>Your shop</legend>
            <label htmlFor="setting-brandName">Shop name</label>
            <input type="text" maxLength={80} {...field('brandName')} />
            {fieldError('brandName')}

            <label htmlFor="setting-defaultCountry">Country for phone numbers</label>
            <select {...field('defaultCountry')}>
              {(countries.data ?? [{ code: draft.defaultCountry, name: draft.defaultCountry }]).map((c) => (
                <option key={c.code} value={c.code}>
                  {c.name} ({c.code})
                </option>
              ))}
            </select>
            <p className="hint">Phone numbers written without a +country code are read as numbers from this country.</p>
            {fieldError('defaultCountry')}

            <label htmlFor="setting-currency">Currency</label>
            <select {...field('currency')}>
              {CURRENCIES.map((code) => (
                <option key={code} value={code}>
                  {currencyName(code)} ({code})
                </option>
              ))}
            </select>
            <p className="hint">Customers' spending and lifetime value are shown in this currency.</p>
            {fieldError('currency')}

            <label htmlFor="setting-timeZone">Time zone</label>
            <select {...field('timeZone')}>
              {timeZones(draft.timeZone).map((zone) => (
                <option key={zone} value={zone}>
                  {zone.replaceAll('_', ' ')}
                </option>
              ))}
            </select>
            <p className="hint">
              The shop's clock: the nightly retrain runs at 3:00 in this time zone (see Scheduled work below). It starts
              as this PC's time zone.
            </p>
            {fieldError('timeZone')}

            <label htmlFor="setting-shopPhoneNumbers">The shop's own phone numbers</label>
            <textarea rows={3} {...field('shopPhoneNumbers')} />
            <p className="hint">
              One per line. Staff sometimes type the shop's number for a customer; these numbers are never used to
              recognise a customer.
            </p>
            {fieldError('shopPhoneNumbers')}

            <label htmlFor="setting-abandonedCheckoutMinutes">Call a checkout abandoned after (minutes)</label>
            <input type="text" inputMode="numeric" {...field('abandonedCheckoutMinutes')} />
            <p className="hint">
              A Shopify checkout not finished within this time shows on the customer as an unfinished checkout. The
              usual choice is 120 minutes (2 hours).
            </p>
            {fieldError('abandonedCheckoutMinutes')}
          </fieldset>

          <fieldset>
            <legend>Predictions</legend>
            <label htmlFor="setting-churnHorizonDays">A customer counts as lost after (days without a purchase)</label>
            <input type="text" inputMode="numeric" {...field('churnHorizonDays')} />
            <p className="hint">
              What churn risk predicts: the chance of no purchase within this many days. The usual choice is 90; a shop
              people visit rarely (furniture, bikes) may want 180 or 365.
            </p>
            {fieldError('churnHorizonDays')}

            <label htmlFor="setting-valueHorizonDays">Predict what customers will spend over (days)</label>
            <input type="text" inputMode="numeric" {...field('valueHorizonDays')} />
            <p className="hint">
              Predicted value is the spend expected over this many days; the usual choice is 180. Both take effect at
              the next Retrain on the Models page, which needs this much history and more.
            </p>
            {fieldError('valueHorizonDays')}
          </fieldset>

          <fieldset id="automations-comparison">
            <legend>Automations: did they help?</legend>
            <label htmlFor="setting-comparisonGroupPercent">Shop-wide comparison group (% of customers, 0 = off)</label>
            <input type="text" inputMode="numeric" {...field('comparisonGroupPercent')} />
            <p className="hint">
              This share of your customers gets no automated marketing at all, so the Automations page can show what all
              automations together brought in. 5 is a good start for a small shop; 0 switches it off.
            </p>
            {fieldError('comparisonGroupPercent')}

            <label htmlFor="setting-comparisonWindowDays">Count purchases in the days after a message (days)</label>
            <input type="text" inputMode="numeric" {...field('comparisonWindowDays')} />
            <p className="hint">“Did it help?” compares what customers bought in this many days after; usually 7.</p>
            {fieldError('comparisonWindowDays')}

            <label htmlFor="setting-smallestEffectPoints">Smallest difference worth finding (points)</label>
            <input type="text" inputMode="decimal" {...field('smallestEffectPoints')} />
            <p className="hint">
              In the share of customers who bought: 2 means 2 more in every 100. Smaller differences need many more
              customers before they can be seen.
            </p>
            {fieldError('smallestEffectPoints')}
          </fieldset>

          <fieldset>
            <legend>Connections</legend>
            <label htmlFor="setting-uiPort">App port</label>
            <input type="text" inputMode="numeric" {...field('uiPort')} />
            <p className="hint">Where this app is served in a browser on this PC (127.0.0.1 only).</p>
            {fieldError('uiPort')}

            <label htmlFor="setting-ingestHost">Ingest address</label>
            <input type="text" {...field('ingestHost')} />
            <p className="hint">
              127.0.0.1 keeps webhooks private to this PC. Use 0.0.0.0 only if a tunnel on another machine must reach
              it.
            </p>
            {fieldError('ingestHost')}

            <label htmlFor="setting-ingestPort">Ingest port</label>
            <input type="text" inputMode="numeric" {...field('ingestPort')} />
            <p className="hint">Where Shopify, WhatsApp and the event API deliver to.</p>
            {fieldError('ingestPort')}
          </fieldset>

          <div className="actions">
            <button type="submit" disabled={saving}>
              {saving ? 'Saving…' : 'Save settings'}
            </button>
            {saved ? (
              <span className="saved" role="status">
                Saved.
                {saved.restartNeeded ? ' The new ports and address take effect the next time ConstIntel starts.' : ''}
              </span>
            ) : null}
          </div>
        </form>
      ) : current.loading ? (
        <p>Loading…</p>
      ) : null}
      <ScheduledJobs version={savedCount} />
      <Channels version={savedCount} />
      <Backups />
      <EventApi />
    </section>
  );
}

/** The event API key: shown read-only, copied with one press, replaced after an in-place "are you sure". */
function EventApi() {
  const key = useCommand('settings.apiKey', {});
  const info = useCommand('app.info', {});
  const [replaced, setReplaced] = useState<string>();
  const [error, setError] = useState<AppError>();
  const [copied, setCopied] = useState(false);
  const apiKey = replaced ?? key.data?.apiKey;
  const ingestUrl = info.data?.ingest.url;

  async function copy() {
    if (!apiKey) return;
    try {
      await navigator.clipboard.writeText(apiKey);
      setCopied(true);
    } catch {
      setError(new AppError('internal', 'Could not copy: select the key and copy it by hand.'));
    }
  }

  return (
    <div className="settings event-api">
      <fieldset>
        <legend>Event API</legend>
        <Problem error={key.error ?? error} />
        <label htmlFor="event-api-key">API key</label>
        <div className="inline">
          <input
            id="event-api-key"
            type="text"
            readOnly
            className="mono"
            value={apiKey ?? (key.loading ? 'Loading…' : '')}
            onFocus={(e) => e.target.select()}
          />
          <button type="button" className="secondary" disabled={!apiKey} onClick={copy}>
            {copied ? 'Copied' : 'Copy'}
          </button>
        </div>
        <p className="hint">
          Your website, till or own scripts send this key in the <code>X-Api-Key</code> header with every event they
          post to {ingestUrl ? <code>{`${ingestUrl}/api/v1/events`}</code> : 'the ingest address'} (the ingest address
          is also shown on the <Link to="/">Dashboard</Link>). Keep it private, like a password.
        </p>
        <div className="actions">
          <ConfirmAction
            label="Replace key"
            question="Are you sure? The current key stops working at once, and every script using it must be given the new one."
            confirmLabel="Yes, replace it"
            busyLabel="Replacing…"
            disabled={!apiKey}
            onConfirm={async () => {
              setError(undefined);
              try {
                const result = await client.call('settings.rotateApiKey', {});
                setReplaced(result.apiKey);
                setCopied(false);
              } catch (e) {
                setError(asAppError(e));
              }
            }}
          />
          {replaced ? (
            <span className="saved" role="status">
              Key replaced. The old key no longer works.
            </span>
          ) : null}
        </div>
      </fieldset>
    </div>
  );
}
