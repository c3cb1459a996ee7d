/**
 * Settings → Connections: the Shopify store and the WhatsApp app that send ConstIntel orders and messages, the exact
 * addresses to paste into them, a test delivery, the shop's public address (connections/PublicAddressForm.tsx), and
 * the log of what arrived (connections/Deliveries.tsx). Secrets go to the backend and never come back: a saved one is
 * only ever shown as "A secret is saved".
 */
import { type FormEvent, type ReactNode, type RefObject, useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import type { Connections } from '../../../shared/contract/connections';
import type { AppError } from '../../../shared/contract/errors';
import { client } from '../client';
import { asAppError, CopyField, PageHeader, Problem } from '../components';
import { deliveryOutcome } from '../format';
import { useCommand } from '../use-command';
import { DELIVERIES_SHOWN, Deliveries } from './connections/Deliveries';
import { PublicAddressForm } from './connections/PublicAddressForm';

const REFRESH_MS = 10_000;
const SAVED_HINT = 'A secret is saved — leave empty to keep it.';

type ShopifyStore = Connections['shopify'][number];

export function ConnectionsPage() {
  const loaded = useCommand('connections.get', {});
  const deliveries = useCommand('connections.deliveries', { limit: DELIVERIES_SHOWN });
  const [current, setCurrent] = useState<Connections>();

  useEffect(() => {
    if (loaded.data) setCurrent(loaded.data);
  }, [loaded.data]);

  const refreshDeliveries = deliveries.reload;
  useEffect(() => {
    const timer = setInterval(refreshDeliveries, REFRESH_MS);
    return () => clearInterval(timer);
  }, [refreshDeliveries]);

  // One form per connected store (a second brand's store is connected from the terminal); a new install gets one empty form.
  const [first, ...others] = current?.shopify ?? [];

  return (
    <section>
      <p className="breadcrumb">
        <Link to="/settings">← Settings</Link>
      </p>
      <PageHeader title="Connections">
        Shopify and WhatsApp tell ConstIntel about orders and messages as they happen. Connect them here, and give the
        shop’s public address for Twilio and one-click unsubscribe.
      </PageHeader>
      <Problem error={loaded.error} />
      {current ? (
        <>
          {/* The first form keeps its key when its store is first saved, so "Saved." stays on screen. */}
          <ShopifyForm
            key="first"
            idPrefix="shopify"
            store={first}
            brandLabel={others.length > 0 ? first?.brandName : undefined}
            webhookUrl={current.urls.shopify}
            onSaved={setCurrent}
            onTested={refreshDeliveries}
          />
          {others.map((store) => (
            <ShopifyForm
              key={store.brandId}
              idPrefix={`shopify-${store.brandId}`}
              store={store}
              brandLabel={store.brandName}
              webhookUrl={current.urls.shopify}
              onSaved={setCurrent}
              onTested={refreshDeliveries}
            />
          ))}
          <WhatsAppForm connections={current} onSaved={setCurrent} />
          <PublicAddressForm />
        </>
      ) : loaded.loading ? (
        <p>Loading…</p>
      ) : null}
      <Deliveries loaded={deliveries} />
    </section>
  );
}

/** The error next to a field, and the attributes that tie the field to it. */
export function useFieldErrors(prefix: string) {
  const [error, setError] = useState<AppError>();
  const isField = (key: string) => error?.field === key || error?.field?.startsWith(`${key}.`) === true;
  const errorId = (key: string) => `${prefix}-${key}-error`;
  return {
    error,
    setError,
    /** The banner shows only errors that belong to no field. */
    general: error && !error.field ? error : undefined,
    invalid: (key: string) =>
      isField(key)
        ? { 'aria-invalid': true as const, 'aria-describedby': errorId(key) }
        : { 'aria-invalid': undefined },
    message: (key: string): ReactNode =>
      error && isField(key) ? (
        <span className="field-error" role="alert" id={errorId(key)}>
          {error.message.replace(/^[\w.]+: /, '')}
        </span>
      ) : null,
  };
}

/**
 * A secret's field: typed into, never shown back (left uncontrolled so React never copies it into a `value`);
 * once saved, the hint says so instead of where to find it.
 */
export function SecretField({
  id,
  name,
  label,
  inputRef,
  onChange,
  fields,
  saved,
  whereToFind,
}: {
  id: string;
  name: string;
  label: string;
  inputRef: RefObject<HTMLInputElement | null>;
  onChange(): void;
  fields: ReturnType<typeof useFieldErrors>;
  saved: boolean;
  whereToFind: string;
}) {
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        type="password"
        autoComplete="new-password"
        ref={inputRef}
        onChange={onChange}
        {...fields.invalid(name)}
      />
      <p className="hint">{saved ? SAVED_HINT : whereToFind}</p>
      {fields.message(name)}
    </>
  );
}

/**
 * A typed secret, or undefined to keep the saved one. Secret fields are left
 * uncontrolled so React never copies what is typed into a `value` attribute.
 */
export function take(input: HTMLInputElement | null): string | undefined {
  const value = input?.value.trim() ?? '';
  return value === '' ? undefined : value;
}

function ShopifyForm({
  idPrefix: prefix,
  store,
  brandLabel,
  webhookUrl,
  onSaved,
  onTested,
}: {
  idPrefix: string;
  store: ShopifyStore | undefined;
  brandLabel: string | undefined;
  webhookUrl: string | null;
  onSaved(connections: Connections): void;
  onTested(): void;
}) {
  const [domain, setDomain] = useState(store?.shopDomain ?? '');
  const secretRef = useRef<HTMLInputElement>(null);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);
  const fields = useFieldErrors(prefix);
  const [testing, setTesting] = useState(false);
  const [test, setTest] = useState<{ outcome: string; detail: string; status: number }>();
  const [testError, setTestError] = useState<AppError>();

  useEffect(() => {
    if (store) setDomain(store.shopDomain);
  }, [store]);

  async function save(event: FormEvent) {
    event.preventDefault();
    setSaving(true);
    setSaved(false);
    fields.setError(undefined);
    try {
      const secret = take(secretRef.current);
      const result = await client.call('connections.saveShopify', {
        shopDomain: domain,
        ...(secret ? { secret } : {}),
        ...(store ? { brandId: store.brandId } : {}),
      });
      if (secretRef.current) secretRef.current.value = '';
      setSaved(true);
      onSaved(result);
    } catch (e) {
      fields.setError(asAppError(e));
    } finally {
      setSaving(false);
    }
  }

  async function sendTest() {
    setTesting(true);
    setTest(undefined);
    setTestError(undefined);
    try {
      setTest(await client.call('connections.testShopify', store ? { brandId: store.brandId } : {}));
    } catch (e) {
      setTestError(asAppError(e));
    } finally {
      setTesting(false);
      onTested();
    }
  }

  const changed = () => setSaved(false);
  const ready = store?.secretSaved === true;

  return (
    <form
      className="settings"
      onSubmit={save}
      noValidate
      aria-label={brandLabel ? `Shopify: ${brandLabel}` : 'Shopify'}
    >
      <fieldset>
        <legend>{brandLabel ? `Shopify: ${brandLabel}` : 'Shopify'}</legend>
        <Problem error={fields.general} />
        <label htmlFor={`${prefix}-shopDomain`}>Store address</label>
        <input
          id={`${prefix}-shopDomain`}
          name="shopDomain"
          type="text"
          inputMode="url"
          autoComplete="off"
          spellCheck={false}
          placeholder="corner-shop.myshopify.com"
          value={domain}
          onChange={(e) => {
            setDomain(e.target.value);
            changed();
          }}
          {...fields.invalid('shopDomain')}
        />
        <p className="hint">The address that ends in .myshopify.com, as shown in Shopify under Settings → Domains.</p>
        {fields.message('shopDomain')}

        <SecretField
          id={`${prefix}-secret`}
          name="secret"
          label="App's client secret"
          inputRef={secretRef}
          onChange={changed}
          fields={fields}
          saved={store?.secretSaved === true}
          whereToFind="Find it in Shopify under Settings → Apps → your app → API credentials. ConstIntel uses it to check that deliveries really come from Shopify."
        />

        <div className="actions">
          <button type="submit" disabled={saving}>
            {saving ? 'Saving…' : 'Save store'}
          </button>
          {saved ? (
            <span className="saved" role="status">
              Saved.
            </span>
          ) : null}
        </div>

        {webhookUrl ? (
          <>
            <CopyField id={`${prefix}-webhook-url`} label="Webhook address for Shopify" value={webhookUrl} />
            <p className="hint">
              Shopify cannot reach this PC directly — point a tunnel (such as Cloudflare Tunnel or ngrok) at this
              address and paste the tunnel's public address followed by <code>/webhooks/shopify</code> in Shopify →
              Settings → Notifications → Webhooks.
            </p>
          </>
        ) : (
          <p className="hint">
            There is no webhook address yet: ConstIntel's ingest listener is not running. The{' '}
            <Link to="/">Dashboard</Link> says why.
          </p>
        )}

        <div className="actions">
          <button type="button" className="secondary" disabled={!ready || testing} onClick={sendTest}>
            {testing ? 'Sending…' : 'Send a test delivery'}
          </button>
          {!ready ? <span className="hint">Save the store and its secret first.</span> : null}
        </div>
        {test ? <TestOutcome result={test} /> : null}
        <Problem error={testError} />
      </fieldset>
    </form>
  );
}

/** What became of the test order, in words. */
function TestOutcome({ result }: { result: { outcome: string; detail: string; status: number } }) {
  if (result.outcome === 'accepted') {
    return (
      <p className="saved outcome" role="status">
        Received: {result.detail}. Deliveries from this store reach ConstIntel; the test order's customer is now in{' '}
        <Link to="/customers">Customers</Link>.
      </p>
    );
  }
  if (result.outcome === 'duplicate') {
    return (
      <p className="outcome" role="status">
        {deliveryOutcome(result.outcome)}: {result.detail}.
      </p>
    );
  }
  return (
    <p className="refused outcome" role="status">
      The test delivery did not get in. {deliveryOutcome(result.outcome)}: {result.detail}.
    </p>
  );
}

function WhatsAppForm({ connections, onSaved }: { connections: Connections; onSaved(c: Connections): void }) {
  const { whatsapp, urls } = connections;
  const appSecretRef = useRef<HTMLInputElement>(null);
  const verifyTokenRef = useRef<HTMLInputElement>(null);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);
  const fields = useFieldErrors('whatsapp');
  const [nothing, setNothing] = useState(false);

  async function save(event: FormEvent) {
    event.preventDefault();
    setSaving(true);
    setSaved(false);
    setNothing(false);
    fields.setError(undefined);
    try {
      const appSecret = take(appSecretRef.current);
      const verifyToken = take(verifyTokenRef.current);
      if (!appSecret && !verifyToken) {
        setNothing(true);
        return;
      }
      const result = await client.call('connections.saveWhatsApp', {
        ...(appSecret ? { appSecret } : {}),
        ...(verifyToken ? { verifyToken } : {}),
      });
      if (appSecretRef.current) appSecretRef.current.value = '';
      if (verifyTokenRef.current) verifyTokenRef.current.value = '';
      setSaved(true);
      onSaved(result);
    } catch (e) {
      fields.setError(asAppError(e));
    } finally {
      setSaving(false);
    }
  }

  const changed = () => {
    setSaved(false);
    setNothing(false);
  };

  return (
    <form className="settings" onSubmit={save} noValidate aria-label="WhatsApp">
      <fieldset>
        <legend>WhatsApp</legend>
        <Problem error={fields.general} />
        <SecretField
          id="whatsapp-appSecret"
          name="appSecret"
          label="Meta app secret"
          inputRef={appSecretRef}
          onChange={changed}
          fields={fields}
          saved={whatsapp.appSecretSaved}
          whereToFind="Find it in Meta for Developers under your app → App settings → Basic → App secret. ConstIntel uses it to check that deliveries really come from WhatsApp."
        />

        <SecretField
          id="whatsapp-verifyToken"
          name="verifyToken"
          label="Verify token"
          inputRef={verifyTokenRef}
          onChange={changed}
          fields={fields}
          saved={whatsapp.verifyTokenSaved}
          whereToFind="Make one up, like a password, and type the same one into Meta when you paste the callback URL below."
        />

        <div className="actions">
          <button type="submit" disabled={saving}>
            {saving ? 'Saving…' : 'Save WhatsApp'}
          </button>
          {saved ? (
            <span className="saved" role="status">
              Saved.
            </span>
          ) : nothing ? (
            <span className="muted" role="status">
              Nothing typed, so nothing changed.
            </span>
          ) : null}
        </div>

        {urls.whatsapp ? (
          <>
            <CopyField id="whatsapp-callback-url" label="Callback URL for WhatsApp" value={urls.whatsapp} />
            <p className="hint">
              Meta cannot reach this PC directly either — with the same tunnel, paste the tunnel's public address
              followed by <code>/webhooks/whatsapp</code> as the Callback URL in Meta's WhatsApp → Configuration, type
              the verify token above, and subscribe to <code>messages</code>.
            </p>
          </>
        ) : (
          <p className="hint">
            There is no callback URL yet: ConstIntel's ingest listener is not running. The <Link to="/">Dashboard</Link>{' '}
            says why.
          </p>
        )}

        <span className="label" id="whatsapp-business-numbers">
          Your shop's own WhatsApp numbers
        </span>
        {whatsapp.businessNumbers.length > 0 ? (
          <ul className="business-numbers" aria-labelledby="whatsapp-business-numbers">
            {whatsapp.businessNumbers.map((n) => (
              <li key={n} className="mono">
                {n}
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">None seen yet. They appear here after the first WhatsApp delivery.</p>
        )}
        <p className="hint">
          The numbers your customers write to, learned from WhatsApp deliveries. They are never treated as a customer's
          number.
        </p>
      </fieldset>
    </form>
  );
}
