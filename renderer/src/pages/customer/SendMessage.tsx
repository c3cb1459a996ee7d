/**
 * Customer 360 → "Send a message": the channel among those set up and consented (the others listed, disabled, with
 * the reason), a template or the owner's own text (+ subject for email), a preview as this customer will read it
 * (fields filled, and which used the shop's fallback text), the cost, and what will happen — goes now, held until
 * 08:00 for quiet hours, or refused and why — then Send. The message then shows in "Messages to them".
 */
import { type FormEvent, useEffect, useState } from 'react';
import { Link } from 'react-router';
import type { AppError } from '../../../../shared/contract/errors';
import type { ComposeInput, MessagePreview, MessageView, SendOption } from '../../../../shared/contract/messages';
import { client } from '../../client';
import { asAppError, Problem } from '../../components';
import { formatMoney } from '../../format';
import { CHANNEL_WORDS, type ChannelKey, fellBackWords, sentWords, verdictWords } from '../../message-words';
import { useCommand } from '../../use-command';

const PREVIEW_DELAY_MS = 350;

type Kind = ComposeInput['kind'];
/** A channel can be chosen when an offer may go, or at least a reply to the customer's own message. */
const kindFor = (o: SendOption): Kind | undefined =>
  o.allowed ? 'marketing' : o.connected && o.to !== null && o.service.allowed ? 'service' : undefined;

export function SendMessage({ id, version, onSent }: { id: number; version: number; onSent(): void }) {
  const options = useCommand('messages.options', { profileId: id });
  const reloadOptions = options.reload;
  // `version` grows when consent changed or a message went: what may be sent can have changed.
  useEffect(() => {
    if (version > 0) reloadOptions();
  }, [version, reloadOptions]);
  const channels = options.data?.channels;
  const [channel, setChannel] = useState<ChannelKey>();
  const [useTemplate, setUseTemplate] = useState(true);
  const [templateId, setTemplateId] = useState<number>();
  const [subject, setSubject] = useState('');
  const [text, setText] = useState('');
  /** The preview and the input it was made for: Send only sends what was previewed. */
  const [preview, setPreview] = useState<{ key: string; preview: MessagePreview }>();
  const [previewError, setPreviewError] = useState<AppError>();
  const [sending, setSending] = useState(false);
  const [sent, setSent] = useState<MessageView>();
  const [reply, setReply] = useState(false);
  const [error, setError] = useState<AppError>();

  const option = channels?.find((c) => c.channel === channel);
  /** A change after a send: the "sent" note belonged to the message before (it says what the send wrote). */
  const edit =
    <T,>(set: (value: T) => void) =>
    (value: T) => {
      set(value);
      setSent(undefined);
    };
  /** An offer by default; a reply to the customer's own message when the owner says so (no quiet hours, no yes needed). */
  const canReply = !!option && option.allowed && option.service.allowed;
  const kind = option ? (canReply && reply ? 'service' : kindFor(option)) : undefined;
  const freeText = option?.freeTextAllowed ?? true;
  const templateMode = useTemplate || !freeText;

  // The first channel that can be used, once the options arrive; a template of it when there is one.
  useEffect(() => {
    if (!channels || channel) return;
    const first = channels.find((c) => kindFor(c) !== undefined);
    if (first) setChannel(first.channel);
  }, [channels, channel]);
  useEffect(() => {
    const templates = option?.templates ?? [];
    setTemplateId((current) => (templates.some((t) => t.id === current) ? current : templates[0]?.id));
    if (templates.length === 0 && option?.freeTextAllowed) setUseTemplate(false);
  }, [option]);

  const input: ComposeInput | undefined =
    channel && kind
      ? templateMode
        ? templateId
          ? { profileId: id, channel, kind, templateId }
          : undefined
        : text.trim()
          ? {
              profileId: id,
              channel,
              kind,
              text,
              ...(channel === 'email' && subject.trim() ? { subject } : {}),
            }
          : undefined
      : undefined;
  const key = input ? JSON.stringify(input) : '';

  // The preview follows what is typed, a moment after typing stops.
  useEffect(() => {
    if (!key) {
      setPreview(undefined);
      setPreviewError(undefined);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      client.call('messages.preview', JSON.parse(key) as ComposeInput).then(
        (p) => {
          if (!live) return;
          setPreview({ key, preview: p });
          setPreviewError(undefined);
        },
        (e) => {
          if (!live) return;
          setPreview(undefined);
          setPreviewError(asAppError(e));
        },
      );
    }, PREVIEW_DELAY_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [key]);

  const shown = preview && key && preview.preview.channel === channel ? preview.preview : undefined;
  const current = preview?.key === key ? shown : undefined;
  // Once sent, Send waits for a change (another template, text or channel): a second press is not a second message.
  const canSend =
    !!input && !!current && !sent && current.verdict.status !== 'refused' && current.verdict.status !== 'cancelled';

  async function send(event: FormEvent) {
    event.preventDefault();
    if (!input) return;
    setSending(true);
    setError(undefined);
    try {
      const result = await client.call('messages.send', input);
      setSent(result.message);
      if (!templateMode) {
        setText('');
        setSubject('');
      }
      onSent();
    } catch (e) {
      setError(asAppError(e));
    } finally {
      setSending(false);
    }
  }

  return (
    <section aria-labelledby="send-heading" className="panel" data-testid="send-message">
      <h2 id="send-heading">Send a message</h2>
      <Problem error={options.error} />
      {channels ? (
        <form className="settings compose" onSubmit={send} noValidate aria-label="Send a message">
          <fieldset>
            <legend>Channel</legend>
            {channels.map((o) => (
              <ChannelChoice key={o.channel} option={o} checked={o.channel === channel} onChoose={edit(setChannel)} />
            ))}
          </fieldset>
          {option && kind ? (
            <>
              <fieldset>
                <legend>Message</legend>
                <div className="inline">
                  <label htmlFor="compose-use-template">
                    <input
                      id="compose-use-template"
                      type="radio"
                      name="compose-source"
                      checked={templateMode}
                      disabled={option.templates.length === 0}
                      onChange={() => setUseTemplate(true)}
                    />{' '}
                    A template
                  </label>
                  <label htmlFor="compose-use-text">
                    <input
                      id="compose-use-text"
                      type="radio"
                      name="compose-source"
                      checked={!templateMode}
                      disabled={!freeText}
                      onChange={() => setUseTemplate(false)}
                    />{' '}
                    My own text
                  </label>
                </div>
                {canReply ? (
                  <label htmlFor="compose-reply">
                    <input
                      id="compose-reply"
                      type="checkbox"
                      checked={reply}
                      onChange={(e) => edit(setReply)(e.target.checked)}
                    />{' '}
                    This answers their own message (not an offer): it goes at once, even in quiet hours
                  </label>
                ) : null}
                {!freeText ? (
                  <p className="hint">
                    WhatsApp lets you write freely only within 24 hours of the customer's last message: choose a
                    template with an approved WhatsApp template.
                  </p>
                ) : null}
                {templateMode ? (
                  option.templates.length === 0 ? (
                    <p className="hint" data-testid="no-template">
                      No {CHANNEL_WORDS[option.channel]} template can be used here yet.{' '}
                      <Link to="/settings/templates">Write one in Message templates</Link>.
                    </p>
                  ) : (
                    <>
                      <label htmlFor="compose-template">Template</label>
                      <select
                        id="compose-template"
                        value={templateId ?? ''}
                        onChange={(e) => edit(setTemplateId)(Number(e.target.value))}
                      >
                        {option.templates.map((t) => (
                          <option key={t.id} value={t.id}>
                            {t.name}
                          </option>
                        ))}
                      </select>
                    </>
                  )
                ) : (
                  <>
                    {option.channel === 'email' ? (
                      <>
                        <label htmlFor="compose-subject">Subject</label>
                        <input
                          id="compose-subject"
                          value={subject}
                          onChange={(e) => edit(setSubject)(e.target.value)}
                        />
                      </>
                    ) : null}
                    <label htmlFor="compose-text">Text</label>
                    <textarea id="compose-text" rows={5} value={text} onChange={(e) => edit(setText)(e.target.value)} />
                    <p className="hint">
                      Fields such as {'{{first_name}}'} are filled in for this customer (see{' '}
                      <Link to="/settings/templates">Message templates</Link>).
                    </p>
                  </>
                )}
              </fieldset>
              <Problem error={previewError} />
              {shown ? <Preview preview={shown} /> : null}
              <div className="actions">
                <button type="submit" disabled={!canSend || sending}>
                  {sending ? 'Sending…' : 'Send'}
                </button>
                {sent ? <SentNote message={sent} /> : null}
              </div>
              <Problem error={error} />
            </>
          ) : (
            <p className="hint" data-testid="no-channel">
              No channel can reach this customer now: see why beside each one above.
            </p>
          )}
        </form>
      ) : options.loading ? (
        <p>Loading…</p>
      ) : null}
    </section>
  );
}

function ChannelChoice({
  option,
  checked,
  onChoose,
}: {
  option: SendOption;
  checked: boolean;
  onChoose(channel: ChannelKey): void;
}) {
  const kind = kindFor(option);
  const idFor = `compose-channel-${option.channel}`;
  const why = kind === undefined ? option.reason : kind === 'service' ? option.reason : null;
  return (
    <div className="channel-choice">
      <label htmlFor={idFor}>
        <input
          id={idFor}
          type="radio"
          name="compose-channel"
          value={option.channel}
          checked={checked}
          disabled={kind === undefined}
          aria-describedby={why ? `${idFor}-why` : undefined}
          onChange={() => onChoose(option.channel)}
        />{' '}
        {CHANNEL_WORDS[option.channel]}
        {option.to ? ` to ${option.to}` : ''}
        {option.channel !== 'email' && option.price !== null ? ` · ${formatMoney(option.price, option.currency)}` : ''}
      </label>
      {why ? (
        <p className="hint" id={`${idFor}-why`}>
          {kind === 'service' ? `Only as a reply to their own message (no offers): ${why}` : why}
        </p>
      ) : null}
    </div>
  );
}

function Preview({ preview }: { preview: MessagePreview }) {
  const going = preview.verdict.status === 'pending' || preview.verdict.status === 'held';
  return (
    <section aria-labelledby="preview-heading" className="preview" data-testid="preview">
      <h3 id="preview-heading">As they will read it</h3>
      <dl className="facts plain compact">
        <dt>To</dt>
        <dd>{preview.to ?? '—'}</dd>
        {preview.subject !== null ? (
          <>
            <dt>Subject</dt>
            <dd data-testid="preview-subject">{preview.subject}</dd>
          </>
        ) : null}
        {preview.whatsappTemplate ? (
          <>
            <dt>Approved template</dt>
            <dd>
              {preview.whatsappTemplate.name} ({preview.whatsappTemplate.language})
            </dd>
          </>
        ) : null}
      </dl>
      {preview.whatsappTemplate ? (
        <p className="hint">
          They have not written to you on WhatsApp in the last 24 hours, so WhatsApp only allows your approved template:
          it is sent, with its fields filled as below.
        </p>
      ) : null}
      <blockquote className="preview-text" data-testid="preview-text" style={TEXT_STYLE}>
        {preview.text}
      </blockquote>
      {preview.fellBack.length > 0 ? (
        <p className="hint" data-testid="preview-fellback">
          {fellBackWords(preview.fellBack, preview.channel).join(' ')}{' '}
          <Link to="/settings/templates">Change the fallback text</Link>.
        </p>
      ) : (
        <p className="hint">Every field is filled from this customer's details.</p>
      )}
      <p data-testid="preview-cost">
        <strong>Cost:</strong>{' '}
        {preview.cost !== null
          ? formatMoney(preview.cost, preview.currency)
          : preview.channel === 'email'
            ? 'free (through your mail server)'
            : 'no price entered (Settings → Channels)'}
      </p>
      <p data-testid="preview-verdict" className={going ? undefined : 'field-error'}>
        <strong>What will happen:</strong> {verdictWords(preview.verdict)}
      </p>
    </section>
  );
}

/** The text keeps its lines, as the customer sees them. */
const TEXT_STYLE = {
  whiteSpace: 'pre-wrap',
  margin: '8px 0',
  padding: '10px 12px',
  background: '#fff',
  border: '1px solid var(--line)',
  borderRadius: 6,
} as const;

/** What the send wrote — goes now, held and why, or not sent and why — not what the preview expected. */
function SentNote({ message }: { message: MessageView }) {
  const { words, tone } = sentWords(message);
  return (
    <span className={tone === 'good' ? 'saved' : 'field-error'} role="status" data-testid="sent-note">
      {words}
    </span>
  );
}
