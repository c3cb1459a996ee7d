/** Settings: shop name, default phone country, and where the listeners live. Saved in the data file. */
import { type FormEvent, useEffect, useState } from 'react';
import { AppError } from '../../../shared/contract/errors';
import type { Settings } from '../../../shared/contract/settings';
import { client } from '../client';
import { PageHeader, Problem } from '../components';
import { useCommand } from '../use-command';

type Draft = { [K in keyof Settings]: string };

const toDraft = (s: Settings): Draft => ({
  brandName: s.brandName,
  defaultCountry: s.defaultCountry,
  uiPort: String(s.uiPort),
  ingestHost: s.ingestHost,
  ingestPort: String(s.ingestPort),
});

export function SettingsPage() {
  const current = useCommand('settings.get', {});
  const countries = useCommand('settings.countries', {});
  const [draft, setDraft] = useState<Draft>();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<AppError>();
  const [saved, setSaved] = useState<{ restartNeeded: boolean }>();

  useEffect(() => {
    if (current.data) setDraft(toDraft(current.data));
  }, [current.data]);

  const field = (key: keyof Draft) => ({
    id: `setting-${key}`,
    name: key,
    value: draft?.[key] ?? '',
    'aria-invalid': error?.field === key ? true : undefined,
    onChange: (e: { target: { value: string } }) => {
      setDraft((d) => (d ? { ...d, [key]: e.target.value } : d));
      setSaved(undefined);
    },
  });
  const fieldError = (key: keyof Draft) =>
    error?.field === key ? (
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
        uiPort: Number(draft.uiPort),
        ingestHost: draft.ingestHost.trim(),
        ingestPort: Number(draft.ingestPort),
      });
      setDraft(toDraft(result.settings));
      setSaved({ restartNeeded: result.restartNeeded });
    } catch (e) {
      setError(e instanceof AppError ? e : new AppError('internal', String(e)));
    } finally {
      setSaving(false);
    }
  }

  return (
    <section>
      <PageHeader title="Settings">These are kept on this PC, in ConstIntel's data file.</PageHeader>
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
    </section>
  );
}
