/**
 * Settings → Connections, the shop's public address: the https address of the tunnel that brings webhooks to this
 * PC. Saved with its problem in words next to the field, cleared by saving it empty; "Check it reaches this PC"
 * calls it the way Twilio would and says what happened; the addresses to paste into Twilio; and the features that
 * need the address, each on or off with why.
 */
import { type FormEvent, useEffect, useState } from 'react';
import type { PublicAddress } from '../../../../shared/contract/connections';
import type { AppError } from '../../../../shared/contract/errors';
import { client } from '../../client';
import { asAppError, CopyField, Problem } from '../../components';
import { useCommand } from '../../use-command';

type Check = { reached: boolean; url: string; detail: string };

export function PublicAddressForm() {
  const loaded = useCommand('connections.publicAddress', {});
  const [current, setCurrent] = useState<PublicAddress>();
  useEffect(() => {
    if (loaded.data) setCurrent(loaded.data);
  }, [loaded.data]);
  return (
    <>
      <Problem error={loaded.error} />
      {current ? <Form publicAddress={current} onSaved={setCurrent} /> : null}
    </>
  );
}

function Form({ publicAddress, onSaved }: { publicAddress: PublicAddress; onSaved(p: PublicAddress): void }) {
  const [url, setUrl] = useState(publicAddress.url ?? '');
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState<'saved' | 'cleared'>();
  const [error, setError] = useState<AppError>();
  const urlError = error?.field === 'url' ? error.message : undefined;
  const [checking, setChecking] = useState(false);
  const [check, setCheck] = useState<Check>();
  const [checkError, setCheckError] = useState<AppError>();

  useEffect(() => setUrl(publicAddress.url ?? ''), [publicAddress.url]);

  async function save(event: FormEvent) {
    event.preventDefault();
    setSaving(true);
    setSaved(undefined);
    setCheck(undefined);
    setError(undefined);
    try {
      const result = await client.call('connections.savePublicAddress', { url });
      setSaved(result.url ? 'saved' : 'cleared');
      onSaved(result);
    } catch (e) {
      setError(asAppError(e));
    } finally {
      setSaving(false);
    }
  }

  async function runCheck() {
    setChecking(true);
    setCheck(undefined);
    setCheckError(undefined);
    try {
      setCheck(await client.call('connections.checkPublicAddress', {}));
    } catch (e) {
      setCheckError(asAppError(e));
    } finally {
      setChecking(false);
    }
  }

  const unsaved = url.trim() !== (publicAddress.url ?? '');

  return (
    <form className="settings" onSubmit={save} noValidate aria-label="Public address">
      <fieldset>
        <legend>Public address</legend>
        <Problem error={error && !error.field ? error : undefined} />
        <label htmlFor="public-url">The shop’s public address</label>
        <input
          id="public-url"
          name="url"
          type="text"
          inputMode="url"
          autoComplete="off"
          spellCheck={false}
          placeholder="https://corner-shop.trycloudflare.com"
          value={url}
          onChange={(e) => {
            setUrl(e.target.value);
            setSaved(undefined);
          }}
          aria-invalid={urlError ? true : undefined}
          aria-describedby={urlError ? 'public-url-error' : undefined}
        />
        <p className="hint">
          The https address your tunnel (such as Cloudflare Tunnel or ngrok) gives this PC — the same one you used for
          Shopify and WhatsApp, without <code>/webhooks/…</code>. Twilio and mail providers call it. Leave it empty and
          save to turn off what needs it.
        </p>
        {urlError ? (
          <span className="field-error" role="alert" id="public-url-error">
            {urlError}
          </span>
        ) : null}

        <div className="actions">
          <button type="submit" disabled={saving}>
            {saving ? 'Saving…' : 'Save address'}
          </button>
          {saved ? (
            <span className="saved" role="status">
              {saved === 'saved' ? 'Saved.' : 'Cleared.'}
            </span>
          ) : null}
        </div>

        <div className="actions">
          <button
            type="button"
            className="secondary"
            disabled={!publicAddress.url || unsaved || checking}
            onClick={runCheck}
          >
            {checking ? 'Checking…' : 'Check it reaches this PC'}
          </button>
          {!publicAddress.url ? (
            <span className="hint">Save an address first.</span>
          ) : unsaved ? (
            <span className="hint">Save the address first.</span>
          ) : null}
        </div>
        {check ? (
          <p className={check.reached ? 'saved outcome' : 'refused outcome'} role="status" data-testid="reach-check">
            {check.reached ? check.detail : `It does not reach this PC. ${check.detail}`}
          </p>
        ) : null}
        <Problem error={checkError} />

        {publicAddress.twilioInboundSms && publicAddress.twilioStatusCallback && publicAddress.unsubscribeLinks ? (
          <>
            <CopyField
              id="twilio-inbound-url"
              label="Twilio: “A message comes in” (HTTP POST)"
              value={publicAddress.twilioInboundSms}
            />
            <p className="hint">
              In the Twilio console → Phone Numbers → your number → Messaging configuration. Customers’ texts and their
              STOP and START replies come here.
            </p>
            <CopyField
              id="twilio-status-url"
              label="Twilio: status callback"
              value={publicAddress.twilioStatusCallback}
            />
            <p className="hint">
              ConstIntel asks for it with every text it sends, so there is nothing to paste for a From number. With a
              Messaging Service, paste it under the service’s Integration → Status callback URL.
            </p>
            <p className="hint">
              Unsubscribe links in emails start with <code>{publicAddress.unsubscribeLinks}</code>: nothing to paste,
              every offer by email carries its customer’s own link.
            </p>
          </>
        ) : null}

        <span className="label" id="public-features">
          What needs it
        </span>
        <ul className="business-numbers" aria-labelledby="public-features">
          {publicAddress.features.map((f) => (
            <li key={f.name}>
              <strong>{f.name}</strong>: {f.on ? <span className="saved">on</span> : <span>off: {f.why}</span>}
            </li>
          ))}
        </ul>
      </fieldset>
    </form>
  );
}
