/**
 * Messages: the outbox — every message ConstIntel sent or will send to a customer, newest first: the channel, who
 * it went to, the customer (a link to Customer 360), what became of it in words, the reason for every hold,
 * failure, cancel or unknown, what it cost and when. A status filter; while messages are still on their way the
 * list asks again every few seconds. The table scrolls inside its own box, never the page.
 */
import { useEffect } from 'react';
import { Link, useSearchParams } from 'react-router';
import { MESSAGE_STATUSES, type MessageStatus, type MessageView } from '../../../shared/contract/messages';
import { PageHeader, Problem } from '../components';
import { formatDateTime } from '../format';
import {
  CHANNEL_WORDS,
  costWords,
  inFlight,
  reasonWords,
  STATUS_WORDS,
  statusTone,
  statusWords,
  TONE_STYLE,
} from '../message-words';
import { useCommand } from '../use-command';

const REFRESH_MS = 3_000;
const LIMIT = 200;
/**
 * An address wraps only at its "@"; a part too long for the column ends in "…" (the whole address in its title),
 * so the table keeps its width and the cost column stays whole (styles.css, table.data.messages).
 */
function Address({ value }: { value: string }) {
  const at = value.lastIndexOf('@');
  const parts = at > 0 ? [value.slice(0, at), value.slice(at)] : [value];
  return (
    <span className="address" title={value}>
      {parts.map((part) => (
        <span key={part} className="address-part">
          {part}
        </span>
      ))}
    </span>
  );
}

const isStatus = (value: string | null): value is MessageStatus =>
  value !== null && (MESSAGE_STATUSES as readonly string[]).includes(value);

export function MessagesPage() {
  const [params, setParams] = useSearchParams();
  const wanted = params.get('status');
  const status = isStatus(wanted) ? wanted : undefined;
  const loaded = useCommand('messages.list', status ? { status, limit: LIMIT } : { limit: LIMIT });
  const settings = useCommand('settings.get', {});
  const messages = loaded.data?.messages;
  const moving = messages !== undefined && inFlight(messages);

  // While a message is on its way, its status changes within seconds: ask again until none is.
  useEffect(() => {
    if (!moving) return;
    const timer = setTimeout(loaded.reload, REFRESH_MS);
    return () => clearTimeout(timer);
  }, [moving, loaded.reload]);

  return (
    <section>
      <PageHeader title="Messages">
        Every message to your customers, newest first: where it is now, and why when it is waiting or did not go.
      </PageHeader>
      {settings.data?.sendingPaused ? (
        <div className="notice small" role="status" data-testid="sending-paused">
          Sending is paused: messages wait here, none are lost. Turn it back on in{' '}
          <Link to="/settings#channels">Settings → Channels</Link>.
        </div>
      ) : null}
      <div className="toolbar">
        <label>
          Show
          <select
            value={status ?? ''}
            onChange={(e) => setParams(e.target.value ? { status: e.target.value } : {}, { replace: true })}
          >
            <option value="">All messages</option>
            {MESSAGE_STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS_WORDS[s]}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="secondary" onClick={loaded.reload} disabled={loaded.loading}>
          Refresh
        </button>
      </div>
      <Problem error={loaded.error} />
      {messages ? (
        messages.length === 0 ? (
          <Empty filtered={status} />
        ) : (
          <>
            <MessageTable messages={messages} busy={loaded.loading} />
            {messages.length >= LIMIT ? (
              <p className="hint">
                The latest {LIMIT} are shown. Choose a status under “Show” to find older ones, or list them all with{' '}
                <code>constintel messages --limit 100000</code>.
              </p>
            ) : null}
          </>
        )
      ) : loaded.loading ? (
        <p>Loading…</p>
      ) : null}
    </section>
  );
}

function Empty({ filtered }: { filtered: MessageStatus | undefined }) {
  if (filtered) {
    return (
      <div className="notice" data-testid="no-messages">
        No message is “{STATUS_WORDS[filtered]}” right now. Choose “All messages” to see the others.
      </div>
    );
  }
  return (
    <div className="notice" data-testid="no-messages">
      <strong>No messages yet.</strong> When you send a customer a message (open the customer, then “Send a message”),
      it appears here with what became of it: sent, delivered, read — or held, failed or not sent, with the reason. Set
      up email, WhatsApp or SMS first in <Link to="/settings#channels">Settings → Channels</Link>.
    </div>
  );
}

function MessageTable({ messages, busy }: { messages: MessageView[]; busy: boolean }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a box that scrolls sideways must be reachable with the keyboard.
    <section className="table-scroll" aria-label="Messages, newest first" tabIndex={0}>
      <table className="data messages" aria-busy={busy} data-testid="messages">
        <colgroup>
          <col className="when" />
          <col className="to" />
          <col className="summary" />
          <col className="status" />
          <col className="cost" />
        </colgroup>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">To</th>
            <th scope="col">Message</th>
            <th scope="col">Status</th>
            <th scope="col" className="num">
              Cost
            </th>
          </tr>
        </thead>
        <tbody>
          {messages.map((m) => {
            const why = reasonWords(m);
            return (
              <tr key={m.id} data-testid={`message-${m.id}`}>
                <td>
                  <time dateTime={m.sentAt ?? m.createdAt}>{formatDateTime(m.sentAt ?? m.createdAt)}</time>
                </td>
                <td>
                  <div>
                    <strong>{CHANNEL_WORDS[m.channel]}</strong> <Address value={m.recipient} />
                  </div>
                  {m.profileId === null ? null : (
                    <Link to={`/customers/${m.profileId}`}>{m.customerName ?? `Customer #${m.profileId}`}</Link>
                  )}
                </td>
                <td>
                  {m.summary}
                  {m.kind === 'service' ? <span className="muted"> (a reply)</span> : null}
                </td>
                <td>
                  <span className="message-status" style={TONE_STYLE[statusTone(m.status)]}>
                    {statusWords(m)}
                  </span>
                  {why ? <span className="hint block">{why}</span> : null}
                </td>
                <td className="num">{costWords(m)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
