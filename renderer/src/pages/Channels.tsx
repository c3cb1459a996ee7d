/**
 * Settings → Channels: how ConstIntel reaches customers — email through the shop's own mail server (SMTP), WhatsApp
 * (Cloud API) and SMS (Twilio). Each form shows whether the channel is ready and what is missing, and has "Send a
 * test message to…", which sends one message at once and shows the provider's own answer in words. Secrets (the
 * mail password, the access token, the auth token) go to the backend and never come back.
 */
import { createContext, type FormEvent, type ReactNode, useContext, useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import type { ChannelStatus, ChannelsView, ChannelTestResult } from '../../../shared/contract/channels';
import type { AppError } from '../../../shared/contract/errors';
import type { Settings } from '../../../shared/contract/settings';
import { client } from '../client';
import { asAppError, Problem } from '../components';
import { formatMoney } from '../format';
import { useCommand } from '../use-command';
import { SecretField, take, useFieldErrors } from './Connections';
import { SendingControls } from './SendingControls';

type ChannelName = 'email' | 'whatsapp' | 'sms';

/** The settings as the cost controls last saved them: a test message says what it costs. */
const SettingsContext = createContext<Settings | undefined>(undefined);

/** `version` grows each time the Settings form above is saved: the currency the costs are in may have changed. */
export function Channels({ version = 0 }: { version?: number } = {}) {
  const loaded = useCommand('channels.get', {});
  const [view, setView] = useState<ChannelsView>();
  const [settings, setSettings] = useState<Settings>();
  useEffect(() => {
    if (loaded.data) setView(loaded.data);
  }, [loaded.data]);

  return (
    <div className="settings channels" id="channels">
      <h2>Channels</h2>
      <p className="hint">
        How ConstIntel reaches your customers. Set up the ones you use, then send yourself a test message.
      </p>
      <Problem error={loaded.error} />
      {view ? (
        <SettingsContext.Provider value={settings}>
          <EmailForm view={view} onSaved={setView} />
          <WhatsAppForm view={view} onSaved={setView} />
          <SmsForm view={view} onSaved={setView} />
        </SettingsContext.Provider>
      ) : loaded.loading ? (
        <p>Loading…</p>
      ) : null}
      <SendingControls version={version} onSettings={setSettings} />
      <p className="subpages">
        <Link to="/settings/templates">
          Message templates: the texts you send, with the customer's name filled in →
        </Link>
      </p>
    </div>
  );
}

function StatusLine({ status }: { status: ChannelStatus }) {
  return status.connected ? (
    <p className="saved" data-testid="channel-status">
      Connected.
    </p>
  ) : (
    <p className="hint" data-testid="channel-status">
      Not set up yet: {inWords(status.missing)} {status.missing.length === 1 ? 'is' : 'are'} missing.
    </p>
  );
}

/** One form's save: the call, "Saved.", and the error beside its field. */
function useSave(prefix: string, onSaved: (view: ChannelsView) => void) {
  const fields = useFieldErrors(prefix);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);
  async function run(call: () => Promise<ChannelsView>) {
    setSaving(true);
    setSaved(false);
    fields.setError(undefined);
    try {
      onSaved(await call());
      setSaved(true);
    } catch (e) {
      fields.setError(asAppError(e));
    } finally {
      setSaving(false);
    }
  }
  return { fields, saving, saved, changed: () => setSaved(false), run };
}

function Field({
  id,
  name,
  label,
  value,
  onChange,
  fields,
  hint,
  placeholder,
  type = 'text',
}: {
  id: string;
  name: string;
  label: string;
  value: string;
  onChange(value: string): void;
  fields: ReturnType<typeof useFieldErrors>;
  hint?: ReactNode;
  placeholder?: string;
  type?: string;
}) {
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        type={type}
        autoComplete="off"
        spellCheck={false}
        placeholder={placeholder}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        {...fields.invalid(name)}
      />
      {hint ? <p className="hint">{hint}</p> : null}
      {fields.message(name)}
    </>
  );
}

function SaveButton({ saving, saved, label }: { saving: boolean; saved: boolean; label: string }) {
  return (
    <div className="actions">
      <button type="submit" disabled={saving}>
        {saving ? 'Saving…' : label}
      </button>
      {saved ? (
        <span className="saved" role="status">
          Saved.
        </span>
      ) : null}
    </div>
  );
}

function EmailForm({ view, onSaved }: { view: ChannelsView; onSaved(view: ChannelsView): void }) {
  const email = view.email;
  const [host, setHost] = useState(email.host);
  const [port, setPort] = useState(email.port === null ? '587' : String(email.port));
  const [security, setSecurity] = useState(email.security);
  const [user, setUser] = useState(email.user);
  const [fromAddress, setFromAddress] = useState(email.fromAddress);
  const [fromName, setFromName] = useState(email.fromName);
  const password = useRef<HTMLInputElement>(null);
  const form = useSave('email', onSaved);
  const edit = (set: (v: string) => void) => (v: string) => {
    set(v);
    form.changed();
  };

  async function save(event: FormEvent) {
    event.preventDefault();
    await form.run(async () => {
      const secret = take(password.current);
      const result = await client.call('channels.saveEmail', {
        host,
        port: /^\d+$/.test(port.trim()) ? Number(port.trim()) : Number.NaN,
        security,
        user: user.trim(),
        ...(secret ? { password: secret } : {}),
        fromAddress: fromAddress.trim(),
        fromName: fromName.trim(),
      });
      if (password.current) password.current.value = '';
      return result;
    });
  }

  return (
    <form className="settings" onSubmit={save} noValidate aria-label="Email">
      <fieldset>
        <legend>Email (your mail server)</legend>
        <StatusLine status={email} />
        <Problem error={form.fields.general} />
        <p className="hint">
          ConstIntel sends mail through your own mail server (SMTP), from your shop's address. Signing the mail (DKIM)
          is your mail server's job: turn it on there (your mail provider's help explains how), so that mail from your
          shop is not taken for spam.
        </p>
        <Field
          id="email-host"
          name="host"
          label="Mail server"
          value={host}
          onChange={edit(setHost)}
          fields={form.fields}
          placeholder="smtp.your-provider.com"
        />
        <Field
          id="email-port"
          name="port"
          label="Port"
          value={port}
          onChange={edit(setPort)}
          fields={form.fields}
          hint="Usually 587 (STARTTLS) or 465 (TLS)."
        />
        <label htmlFor="email-security">Security</label>
        <select
          id="email-security"
          value={security}
          onChange={(e) => {
            setSecurity(e.target.value as typeof security);
            form.changed();
          }}
        >
          <option value="starttls">STARTTLS (port 587)</option>
          <option value="tls">TLS (port 465)</option>
          <option value="none">None (only for a server on this PC or your own network)</option>
        </select>
        <Field
          id="email-user"
          name="user"
          label="User name (if the server asks for one)"
          value={user}
          onChange={edit(setUser)}
          fields={form.fields}
        />
        <SecretField
          id="email-password"
          name="password"
          label="Password"
          inputRef={password}
          onChange={form.changed}
          fields={form.fields}
          saved={email.secretSaved}
          whereToFind="The password of that user, as given by your mail provider."
        />
        <Field
          id="email-fromAddress"
          name="fromAddress"
          label="From address"
          value={fromAddress}
          onChange={edit(setFromAddress)}
          fields={form.fields}
          placeholder="hello@your-shop.com"
        />
        <Field
          id="email-fromName"
          name="fromName"
          label="From name"
          value={fromName}
          onChange={edit(setFromName)}
          fields={form.fields}
          placeholder="Your shop's name"
        />
        <SaveButton saving={form.saving} saved={form.saved} label="Save email" />
        <TestMessage channel="email" ready={email.connected} placeholder="you@your-shop.com" />
      </fieldset>
    </form>
  );
}

function WhatsAppForm({ view, onSaved }: { view: ChannelsView; onSaved(view: ChannelsView): void }) {
  const whatsapp = view.whatsapp;
  const [phoneNumberId, setPhoneNumberId] = useState(whatsapp.phoneNumberId);
  const token = useRef<HTMLInputElement>(null);
  const form = useSave('whatsapp', onSaved);

  async function save(event: FormEvent) {
    event.preventDefault();
    await form.run(async () => {
      const accessToken = take(token.current);
      const result = await client.call('channels.saveWhatsApp', {
        phoneNumberId,
        ...(accessToken ? { accessToken } : {}),
      });
      if (token.current) token.current.value = '';
      return result;
    });
  }

  return (
    <form className="settings" onSubmit={save} noValidate aria-label="WhatsApp">
      <fieldset>
        <legend>WhatsApp</legend>
        <StatusLine status={whatsapp} />
        <Problem error={form.fields.general} />
        <Field
          id="whatsapp-phoneNumberId"
          name="phoneNumberId"
          label="Phone number ID"
          value={phoneNumberId}
          onChange={(v) => {
            setPhoneNumberId(v);
            form.changed();
          }}
          fields={form.fields}
          hint="In Meta for Developers → your app → WhatsApp → API setup: the Phone number ID (digits; not the phone number itself)."
        />
        <SecretField
          id="whatsapp-accessToken"
          name="accessToken"
          label="Access token"
          inputRef={token}
          onChange={form.changed}
          fields={form.fields}
          saved={whatsapp.secretSaved}
          whereToFind="A system user's access token from Meta Business settings lasts; the temporary one on the API setup page stops working after a day."
        />
        <SaveButton saving={form.saving} saved={form.saved} label="Save WhatsApp" />
        <TestMessage channel="whatsapp" ready={whatsapp.connected} placeholder="+447700900123" />
      </fieldset>
    </form>
  );
}

function SmsForm({ view, onSaved }: { view: ChannelsView; onSaved(view: ChannelsView): void }) {
  const sms = view.sms;
  const [accountSid, setAccountSid] = useState(sms.accountSid);
  const [from, setFrom] = useState(sms.from);
  const [service, setService] = useState(sms.messagingServiceSid);
  const token = useRef<HTMLInputElement>(null);
  const form = useSave('sms', onSaved);
  const edit = (set: (v: string) => void) => (v: string) => {
    set(v);
    form.changed();
  };

  async function save(event: FormEvent) {
    event.preventDefault();
    await form.run(async () => {
      const authToken = take(token.current);
      const result = await client.call('channels.saveSms', {
        accountSid,
        ...(authToken ? { authToken } : {}),
        ...(from.trim() ? { from: from.trim() } : {}),
        ...(service.trim() ? { messagingServiceSid: service.trim() } : {}),
      });
      if (token.current) token.current.value = '';
      return result;
    });
  }

  return (
    <form className="settings" onSubmit={save} noValidate aria-label="SMS">
      <fieldset>
        <legend>SMS (Twilio)</legend>
        <StatusLine status={sms} />
        <Problem error={form.fields.general} />
        <Field
          id="sms-accountSid"
          name="accountSid"
          label="Account SID"
          value={accountSid}
          onChange={edit(setAccountSid)}
          fields={form.fields}
          hint="On the Twilio console's home page (it starts with AC)."
        />
        <SecretField
          id="sms-authToken"
          name="authToken"
          label="Auth token"
          inputRef={token}
          onChange={form.changed}
          fields={form.fields}
          saved={sms.secretSaved}
          whereToFind="Shown beside the Account SID on the Twilio console."
        />
        <Field
          id="sms-from"
          name="from"
          label="From number"
          value={from}
          onChange={edit(setFrom)}
          fields={form.fields}
          placeholder="+447700900123"
          hint="Your Twilio number, with its country code."
        />
        <Field
          id="sms-messagingServiceSid"
          name="messagingServiceSid"
          label="Or a Messaging Service SID"
          value={service}
          onChange={edit(setService)}
          fields={form.fields}
          hint="Used instead of the From number when given (it starts with MG)."
        />
        <SaveButton saving={form.saving} saved={form.saved} label="Save SMS" />
        <TestMessage channel="sms" ready={sms.connected} placeholder="+447700900123" />
      </fieldset>
    </form>
  );
}

const TEST_WORDS: Record<ChannelName, string> = {
  email: 'An email address. It is sent at once, not through the outbox.',
  whatsapp:
    "A WhatsApp number with its country code. ConstIntel sends Meta's ready-made hello_world template, which any WhatsApp Business number may send at any time.",
  sms: 'A mobile number with its country code. It is sent at once, not through the outbox.',
};

function TestMessage({ channel, ready, placeholder }: { channel: ChannelName; ready: boolean; placeholder: string }) {
  const [to, setTo] = useState('');
  const [sending, setSending] = useState(false);
  const [result, setResult] = useState<ChannelTestResult>();
  const [error, setError] = useState<AppError>();

  async function send() {
    setSending(true);
    setResult(undefined);
    setError(undefined);
    try {
      setResult(await client.call('channels.test', { channel, to }));
    } catch (e) {
      setError(asAppError(e));
    } finally {
      setSending(false);
    }
  }

  const id = `${channel}-test-to`;
  const settings = useContext(SettingsContext);
  const price = channel === 'email' ? null : (settings?.messagePrices?.[channel] ?? null);
  return (
    <>
      <label htmlFor={id}>Send a test message to…</label>
      <input
        id={id}
        type="text"
        autoComplete="off"
        placeholder={placeholder}
        value={to}
        onChange={(e) => setTo(e.target.value)}
      />
      <p className="hint">
        {TEST_WORDS[channel]}
        {price !== null ? ` It costs ${formatMoney(price, settings?.currency)}, your price per message (below).` : ''}
      </p>
      <div className="actions">
        <button type="button" className="secondary" disabled={!ready || sending || to.trim() === ''} onClick={send}>
          {sending ? 'Sending…' : 'Send a test message'}
        </button>
        {!ready ? <span className="hint">Save the settings above first.</span> : null}
      </div>
      {result ? (
        result.outcome === 'accepted' ? (
          <p className="saved" role="status">
            {result.message}
          </p>
        ) : (
          <p className="field-error" role="alert">
            {result.outcome === 'unknown' ? 'No answer: ' : 'Not sent: '}
            {result.message}
            {result.code ? ` (code ${result.code})` : ''}
          </p>
        )
      ) : null}
      <Problem error={error} />
    </>
  );
}

/** "a", "a and b", "a, b and c". */
function inWords(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
