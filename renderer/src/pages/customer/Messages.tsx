/**
 * Customer 360 → "Messages to them": what was sent to this customer, newest first, each with its status in words,
 * the reason when it waits or did not go, and its cost. Read again when `version` changes (after a send) and every
 * few seconds while one is still on its way.
 */
import { useEffect } from 'react';
import { Link } from 'react-router';
import { Problem } from '../../components';
import { formatDateTime } from '../../format';
import {
  CHANNEL_WORDS,
  costWords,
  inFlight,
  reasonWords,
  statusTone,
  statusWords,
  TONE_STYLE,
} from '../../message-words';
import { useCommand } from '../../use-command';

const REFRESH_MS = 2_000;
const SHOWN = 50;

export function CustomerMessages({ id, version }: { id: number; version: number }) {
  const loaded = useCommand('messages.list', { profileId: id, limit: SHOWN });
  const messages = loaded.data?.messages;
  const moving = messages !== undefined && inFlight(messages);
  const { reload } = loaded;

  // `version` grows after each send from this page: read the list again.
  useEffect(() => {
    if (version > 0) reload();
  }, [version, reload]);
  useEffect(() => {
    if (!moving) return;
    const timer = setTimeout(reload, REFRESH_MS);
    return () => clearTimeout(timer);
  }, [moving, reload]);

  return (
    <section aria-labelledby="messages-heading" className="panel" data-testid="customer-messages">
      <h2 id="messages-heading">Messages to them</h2>
      <Problem error={loaded.error} />
      {messages ? (
        messages.length === 0 ? (
          <p className="muted">
            No message sent to them yet. Messages you send them appear here with what became of each.
          </p>
        ) : (
          <>
            <ol className="timeline" aria-busy={loaded.loading}>
              {messages.map((m) => {
                const why = reasonWords(m);
                return (
                  <li key={m.id} data-testid={`customer-message-${m.id}`}>
                    <time dateTime={m.sentAt ?? m.createdAt}>{formatDateTime(m.sentAt ?? m.createdAt)}</time>
                    <span className="summary">
                      {CHANNEL_WORDS[m.channel]} to {m.recipient}: {m.summary}
                      {why ? <span className="hint block">{why}</span> : null}
                    </span>
                    <span>
                      <span className="message-status" style={TONE_STYLE[statusTone(m.status)]}>
                        {statusWords(m)}
                      </span>
                      <span className="muted"> · {costWords(m)}</span>
                    </span>
                  </li>
                );
              })}
            </ol>
            {messages.length >= SHOWN ? (
              <p className="hint">
                The latest {SHOWN} are shown; all messages are on the <Link to="/messages">Messages</Link> page.
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
