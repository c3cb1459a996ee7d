/**
 * Customer 360 → "May we send them messages?": what counts now on each channel (email, text message, WhatsApp),
 * whether offers may go out and why not, the history behind it (what, when, from where), and the owner's edits:
 * "Customer said yes / no / asked to stop", and "Unsubscribed by email" when their unsubscribe mail arrives.
 */
import { useState } from 'react';
import type { ConsentChannelName, ConsentRecordView, CustomerConsent } from '../../../../shared/contract/consent';
import type { AppError } from '../../../../shared/contract/errors';
import { client } from '../../client';
import { asAppError, Problem } from '../../components';
import { formatDate, formatDateTime } from '../../format';
import { useCommand } from '../../use-command';

const CHANNEL: Record<ConsentChannelName, string> = { email: 'Email', sms: 'Text message (SMS)', whatsapp: 'WhatsApp' };
const STATE: Record<CustomerConsent['channels'][number]['state'], string> = {
  yes: 'Yes',
  no: 'No',
  opted_out: 'Asked to stop',
  unknown: 'Unknown',
};
const RECORD: Record<ConsentRecordView['state'], string> = {
  yes: 'said yes',
  no: 'said no',
  opted_out: 'asked to stop',
};
type Choice = 'yes' | 'no' | 'opted_out';

export function Consent({ id, onChanged }: { id: number; onChanged?: () => void }) {
  const loaded = useCommand('consent.get', { id });
  const [saved, setSaved] = useState<CustomerConsent>();
  const [error, setError] = useState<AppError>();
  const [busy, setBusy] = useState(false);
  const [editing, setEditing] = useState<ConsentChannelName>();
  const data = saved ?? loaded.data;

  async function record(channel: ConsentChannelName, state: Choice, how: 'customer_said' | 'email_unsubscribe') {
    setBusy(true);
    try {
      setSaved(await client.call('consent.set', { id, channel, state, how }));
      setError(undefined);
      setEditing(undefined);
      onChanged?.();
    } catch (e) {
      setError(asAppError(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="consent-heading" className="panel" data-testid="consent">
      <h2 id="consent-heading">May we send them messages?</h2>
      <Problem error={error ?? loaded.error} />
      {data ? (
        <>
          <dl className="facts plain">
            {data.channels.map((c) => (
              <div key={c.channel} className="fact" data-testid={`consent-${c.channel}`}>
                <dt>{CHANNEL[c.channel]}</dt>
                <dd>
                  <span
                    className={`consent consent-${c.state === 'yes' ? 'yes' : c.state === 'unknown' ? 'unknown' : 'no'}`}
                  >
                    {STATE[c.state]}
                  </span>
                  {c.since ? <span className="muted"> since {formatDate(c.since)}</span> : null}
                  {c.marketing.reason ? <span className="hint consent-reason">{c.marketing.reason}</span> : null}
                  {editing === c.channel ? (
                    <fieldset className="inline">
                      <legend>What did the customer say about {CHANNEL[c.channel]}?</legend>
                      {(['yes', 'no', 'opted_out'] as const).map((state) => (
                        <button
                          key={state}
                          type="button"
                          className="secondary small"
                          disabled={busy}
                          onClick={() => record(c.channel, state, 'customer_said')}
                        >
                          Customer {RECORD[state]}
                        </button>
                      ))}
                      <button type="button" className="secondary small" onClick={() => setEditing(undefined)}>
                        Cancel
                      </button>
                    </fieldset>
                  ) : (
                    <button type="button" className="secondary small" onClick={() => setEditing(c.channel)}>
                      Change {CHANNEL[c.channel]}
                    </button>
                  )}
                  {c.channel === 'email' && c.state !== 'opted_out' ? (
                    <button
                      type="button"
                      className="secondary small"
                      disabled={busy}
                      onClick={() => record('email', 'opted_out', 'email_unsubscribe')}
                    >
                      Unsubscribed by email
                    </button>
                  ) : null}
                </dd>
              </div>
            ))}
          </dl>
          <p className="hint">
            Offers go only to a “Yes”. “Unknown” means they have not said yes or no yet: ask first. When a customer asks
            to stop (replies STOP, unsubscribes), only their own later yes turns it back on — a file saying “yes”
            without a date does not.
          </p>
          <History records={data.history} />
        </>
      ) : loaded.loading ? (
        <p>Loading…</p>
      ) : null}
    </section>
  );
}

function History({ records }: { records: ConsentRecordView[] }) {
  if (records.length === 0) return <p className="muted">No consent recorded yet.</p>;
  return (
    <details open={records.length <= 5}>
      <summary>History ({records.length})</summary>
      <ol className="timeline" data-testid="consent-history">
        {records.map((r) => (
          <li key={r.id}>
            <time dateTime={r.occurredAt ?? r.recordedAt}>{formatDateTime(r.occurredAt ?? r.recordedAt)}</time>
            <span className="summary">
              {CHANNEL[r.channel]}: {RECORD[r.state]}
            </span>
            <span className="muted">
              {r.detail ?? r.sourceWords}
              {r.occurredAt ? '' : ` · no date given, recorded ${formatDate(r.recordedAt)}`}
            </span>
          </li>
        ))}
      </ol>
    </details>
  );
}
