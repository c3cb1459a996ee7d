/**
 * Settings → Channels → "Cost and pace of sending": the shop stays in control of what sending costs. A switch
 * pauses all sending (messages wait in the outbox, none are lost); per channel, a daily limit (empty: none), a
 * price per message for WhatsApp and SMS (in the shop's currency; every send screen shows the cost from it) and how
 * many messages go per second. All are settings fields, saved with `settings.update`.
 */
import { type FormEvent, useEffect, useState } from 'react';
import type { AppError } from '../../../shared/contract/errors';
import type { Settings, SettingsPatch } from '../../../shared/contract/settings';
import { client } from '../client';
import { asAppError, Problem, TableScroll } from '../components';
import { readAmount, readLimitsAndPrices } from '../message-words';
import { useCommand } from '../use-command';

type Channel = 'email' | 'sms' | 'whatsapp';
const CHANNELS: { key: Channel; label: string }[] = [
  { key: 'email', label: 'Email' },
  { key: 'sms', label: 'SMS' },
  { key: 'whatsapp', label: 'WhatsApp' },
];
type Priced = 'sms' | 'whatsapp';
const priced = (channel: Channel): channel is Priced => channel !== 'email';

interface Draft {
  caps: Record<Channel, string>;
  prices: Record<Priced, string>;
  rates: Record<Channel, string>;
}

const text = (value: number | null | undefined) => (value === null || value === undefined ? '' : String(value));

function toDraft(s: Settings): Draft {
  return {
    caps: { email: text(s.dailyCaps?.email), sms: text(s.dailyCaps?.sms), whatsapp: text(s.dailyCaps?.whatsapp) },
    prices: { sms: text(s.messagePrices?.sms), whatsapp: text(s.messagePrices?.whatsapp) },
    rates: { email: text(s.sendRates?.email), sms: text(s.sendRates?.sms), whatsapp: text(s.sendRates?.whatsapp) },
  };
}

/** The messages per second are required: empty or not a number goes to the backend as NaN, which refuses it in words. */
function rateOrNaN(value: string): number {
  const read = readAmount(value);
  return read.ok && read.value !== null ? read.value : Number.NaN;
}

export function SendingControls({
  version = 0,
  onSettings,
}: {
  /** Grows when the settings were saved elsewhere (the Settings form: the currency): they are read again. */
  version?: number;
  onSettings?(settings: Settings): void;
} = {}) {
  const loaded = useCommand('settings.get', {});
  const reload = loaded.reload;
  useEffect(() => {
    if (version > 0) reload();
  }, [version, reload]);
  const [settings, setSettings] = useState<Settings>();
  const [draft, setDraft] = useState<Draft>();
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState<string>();
  const [error, setError] = useState<AppError>();
  /** A value typed that cannot be read: said beside it, nothing saved. */
  const [invalid, setInvalid] = useState<{ field: string; message: string }>();

  useEffect(() => {
    const data = loaded.data;
    if (data) {
      setSettings(data);
      // Read again after the Settings form saved: what is being typed here stays.
      setDraft((d) => d ?? toDraft(data));
    }
  }, [loaded.data]);
  // The page around shows what a test message costs, as last saved.
  useEffect(() => {
    if (settings) onSettings?.(settings);
  }, [settings, onSettings]);

  /** Saves a patch; the pause switch moves at once (and back if the save fails) and leaves the limits being typed alone. */
  async function update(patch: SettingsPatch, done: string) {
    const before = settings;
    const pauseOnly = patch.sendingPaused !== undefined;
    if (pauseOnly && before) setSettings({ ...before, sendingPaused: patch.sendingPaused });
    setSaving(true);
    setSaved(undefined);
    setError(undefined);
    try {
      const result = await client.call('settings.update', patch);
      setSettings(result.settings);
      if (!pauseOnly) setDraft(toDraft(result.settings));
      setSaved(done);
    } catch (e) {
      if (pauseOnly) setSettings(before);
      setError(asAppError(e));
    } finally {
      setSaving(false);
    }
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    if (!draft) return;
    const read = readLimitsAndPrices(draft);
    if (!read.ok) {
      setSaved(undefined);
      setError(undefined);
      setInvalid({ field: read.field, message: read.message });
      return;
    }
    setInvalid(undefined);
    await update(
      {
        ...read.patch,
        sendRates: {
          email: rateOrNaN(draft.rates.email),
          sms: rateOrNaN(draft.rates.sms),
          whatsapp: rateOrNaN(draft.rates.whatsapp),
        },
      },
      'Saved.',
    );
  }

  const edit = (part: keyof Draft, channel: Channel, value: string) => {
    setDraft((d) => (d ? { ...d, [part]: { ...d[part], [channel]: value } } : d));
    setSaved(undefined);
    // The words beside a field were about what it held before.
    const group = part === 'caps' ? 'dailyCaps' : part === 'prices' ? 'messagePrices' : 'sendRates';
    setInvalid((i) => (i?.field === `${group}.${channel}` ? undefined : i));
  };
  const fieldOf = (group: string, channel: Channel) => `${group}.${channel}`;
  const isField = (name: string) => (invalid ? invalid.field === name : error?.field === name);
  const errorFor = (name: string) => (isField(name) ? `${name.replace('.', '-')}-error` : undefined);
  const input = (
    group: 'dailyCaps' | 'messagePrices' | 'sendRates',
    part: keyof Draft,
    channel: Channel,
    label: string,
  ) => {
    const name = fieldOf(group, channel);
    const values = draft?.[part] as Record<string, string> | undefined;
    return (
      <input
        id={`sending-${group}-${channel}`}
        type="text"
        inputMode="decimal"
        autoComplete="off"
        aria-label={label}
        aria-invalid={isField(name) ? true : undefined}
        aria-describedby={errorFor(name)}
        value={values?.[channel] ?? ''}
        onChange={(e) => edit(part, channel, e.target.value)}
      />
    );
  };
  const fieldError = invalid ? (
    <p className="field-error" role="alert" id={errorFor(invalid.field)}>
      {invalid.message}
    </p>
  ) : error?.field ? (
    <p className="field-error" role="alert" id={errorFor(error.field)}>
      {CHANNELS.find((c) => error.field?.endsWith(`.${c.key}`))?.label}: {error.message.replace(/^[\w.]+: /, '')}
    </p>
  ) : null;
  const currency = settings?.currency ?? '';

  return (
    <form className="settings sending-controls" onSubmit={save} noValidate aria-label="Cost and pace of sending">
      <fieldset>
        <legend>Cost and pace of sending</legend>
        <Problem error={loaded.error ?? (error && !error.field ? error : undefined)} />
        {settings && draft ? (
          <>
            <PauseSwitch
              paused={settings.sendingPaused === true}
              busy={saving}
              onChange={(paused) =>
                update(
                  { sendingPaused: paused },
                  paused ? 'Sending paused.' : 'Sending is back on: waiting messages go out now.',
                )
              }
            />
            <TableScroll label="Cost and pace per channel">
              <table className="data">
                <caption>Per channel. Leave a daily limit empty for no limit.</caption>
                <thead>
                  <tr>
                    <th scope="col">Channel</th>
                    <th scope="col">Daily limit (messages)</th>
                    <th scope="col">Price per message ({currency})</th>
                    <th scope="col">Messages per second</th>
                  </tr>
                </thead>
                <tbody>
                  {CHANNELS.map((c) => (
                    <tr key={c.key}>
                      <th scope="row">{c.label}</th>
                      <td>{input('dailyCaps', 'caps', c.key, `${c.label} daily limit`)}</td>
                      <td>
                        {priced(c.key) ? (
                          input('messagePrices', 'prices', c.key, `${c.label} price per message`)
                        ) : (
                          <span className="muted">Free through your mail server</span>
                        )}
                      </td>
                      <td>{input('sendRates', 'rates', c.key, `${c.label} messages per second`)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
            {fieldError}
            <p className="hint">
              <strong>Daily limit:</strong> once this many messages went out today, the rest wait until tomorrow (shown
              as held on the Messages page). <strong>Price:</strong> what your provider charges you for one message, in{' '}
              {currency || 'your currency'}; ConstIntel shows the cost before every send and keeps it on each message.{' '}
              <strong>Messages per second:</strong> WhatsApp allows 80; a mail server or a Twilio number may allow fewer
              (ask your provider).
            </p>
            <div className="actions">
              <button type="submit" disabled={saving}>
                {saving ? 'Saving…' : 'Save limits and prices'}
              </button>
              {saved ? (
                <span className="saved" role="status">
                  {saved}
                </span>
              ) : null}
            </div>
          </>
        ) : loaded.loading ? (
          <p>Loading…</p>
        ) : null}
      </fieldset>
    </form>
  );
}

function PauseSwitch({ paused, busy, onChange }: { paused: boolean; busy: boolean; onChange(paused: boolean): void }) {
  return (
    <>
      <label className="switch" htmlFor="sending-paused">
        <input
          id="sending-paused"
          type="checkbox"
          role="switch"
          checked={paused}
          aria-checked={paused}
          disabled={busy}
          aria-describedby="sending-paused-meaning"
          onChange={(e) => onChange(e.target.checked)}
        />{' '}
        Pause all sending
      </label>
      <p id="sending-paused-meaning" className={paused ? 'notice small' : 'hint'} data-testid="sending-state">
        {paused
          ? 'Sending is paused. New and waiting messages stay in the outbox (held, on the Messages page); none are lost. They go out when you turn this off.'
          : 'Sending is on. Turn this on to stop every message at once: they wait in the outbox, none are lost, and go out when you turn it off.'}
      </p>
    </>
  );
}
