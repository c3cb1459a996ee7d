/**
 * Settings → Channels → Message templates: the texts the shop writes once and sends to many. List, add, edit and
 * delete; the fields ({{first_name}}…) are listed with what they become and inserted with one press; WhatsApp
 * templates carry the approved template Meta knows (name, language, category, a field per body parameter), used
 * outside the customer's 24-hour window. Below, the fallback text per field: what a customer reads when they have
 * no value for it, so nobody ever reads {{…}}.
 */
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import type { AppError } from '../../../shared/contract/errors';
import type {
  MessageTemplate,
  TemplateChannel,
  TemplateField,
  TemplatesView,
} from '../../../shared/contract/templates';
import { client } from '../client';
import { asAppError, ConfirmAction, PageHeader, Problem, TableScroll } from '../components';
import { CHANNEL_WORDS } from '../message-words';
import { useCommand } from '../use-command';
import { useFieldErrors } from './Connections';
import { ApprovedTemplate } from './templates/ApprovedTemplate';
import { type Draft, EMPTY, toDraft } from './templates/draft';
import { Fallbacks } from './templates/Fallbacks';

export function TemplatesPage() {
  const loaded = useCommand('templates.list', {});
  const [view, setView] = useState<TemplatesView>();
  const [editing, setEditing] = useState<Draft>();
  const [done, setDone] = useState<string>();
  const [error, setError] = useState<AppError>();
  useEffect(() => {
    if (loaded.data) setView(loaded.data);
  }, [loaded.data]);

  function saved(template: MessageTemplate) {
    setView((v) =>
      v
        ? {
            ...v,
            templates: v.templates.some((t) => t.id === template.id)
              ? v.templates.map((t) => (t.id === template.id ? template : t))
              : [...v.templates, template],
          }
        : v,
    );
    setEditing(undefined);
    setDone(`Template “${template.name}” saved.`);
  }

  async function remove(template: MessageTemplate) {
    setError(undefined);
    try {
      await client.call('templates.delete', { id: template.id });
      setView((v) => (v ? { ...v, templates: v.templates.filter((t) => t.id !== template.id) } : v));
      setDone(`Template “${template.name}” deleted. Messages already written with it keep their text.`);
    } catch (e) {
      setError(asAppError(e));
    }
  }

  return (
    <section>
      <p className="breadcrumb">
        <Link to="/settings#channels">← Settings → Channels</Link>
      </p>
      <PageHeader title="Message templates">
        Texts you write once and send to many customers. Fields such as {'{{first_name}}'} are filled in for each
        customer; when a customer has no value, your fallback text (below) is used instead.
      </PageHeader>
      <Problem error={loaded.error ?? error} />
      {done ? (
        <div className="notice small success" role="status">
          {done}
        </div>
      ) : null}
      {view ? (
        <>
          <section aria-labelledby="templates-heading" className="panel">
            <h2 id="templates-heading">Your templates</h2>
            {view.templates.length === 0 ? (
              <p className="muted" data-testid="no-templates">
                No template yet. Add one, then choose it when you send a customer a message.
              </p>
            ) : (
              <TableScroll label="Your templates, one per row">
                <table className="data" aria-labelledby="templates-heading">
                  <thead>
                    <tr>
                      <th scope="col">Name</th>
                      <th scope="col">Channel</th>
                      <th scope="col">Subject or text</th>
                      <th scope="col">
                        <span className="sr-only">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {view.templates.map((t) => (
                      <tr key={t.id}>
                        <td>{t.name}</td>
                        <td>
                          {CHANNEL_WORDS[t.channel]}
                          {t.whatsapp ? <span className="hint block">approved: {t.whatsapp.name}</span> : null}
                        </td>
                        <td>{t.subject ?? (t.body.length > 80 ? `${t.body.slice(0, 79)}…` : t.body)}</td>
                        <td className="nowrap">
                          <button
                            type="button"
                            className="secondary small"
                            onClick={() => {
                              setDone(undefined);
                              setEditing(toDraft(t));
                            }}
                          >
                            Edit<span className="sr-only"> {t.name}</span>
                          </button>{' '}
                          <ConfirmAction
                            label={`Delete ${t.name}`}
                            question="Delete this template?"
                            confirmLabel="Yes, delete it"
                            onConfirm={() => remove(t)}
                          />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableScroll>
            )}
            {editing ? null : (
              <button
                type="button"
                onClick={() => {
                  setDone(undefined);
                  setEditing(EMPTY);
                }}
              >
                New template
              </button>
            )}
          </section>
          {editing ? (
            <Editor
              key={editing.id ?? 'new'}
              initial={editing}
              fields={view.fields}
              onSaved={saved}
              onCancel={() => setEditing(undefined)}
            />
          ) : null}
          <Fallbacks
            fallbacks={view.fallbacks}
            fields={view.fields}
            onSaved={(fallbacks) => setView({ ...view, fallbacks })}
          />
        </>
      ) : loaded.loading ? (
        <p>Loading…</p>
      ) : null}
    </section>
  );
}

type FieldList = TemplatesView['fields'];

/** The fields the editor shows an error beside; any other goes in the banner, so no refusal is ever invisible. */
const PLACED = ['name', 'subject', 'body', 'whatsapp.name', 'whatsapp.language', 'whatsapp.parameters'].map(
  (f) => `template.${f}`,
);
const unplaced = (error: AppError | undefined) =>
  error?.field && !PLACED.some((f) => error.field === f || error.field?.startsWith(`${f}.`)) ? error : undefined;

function Editor({
  initial,
  fields,
  onSaved,
  onCancel,
}: {
  initial: Draft;
  fields: FieldList;
  onSaved(template: MessageTemplate): void;
  onCancel(): void;
}) {
  const [draft, setDraft] = useState(initial);
  const [saving, setSaving] = useState(false);
  const errors = useFieldErrors('template');
  const body = useRef<HTMLTextAreaElement>(null);
  const subject = useRef<HTMLInputElement>(null);
  const lastFocused = useRef<'body' | 'subject'>('body');
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const err = (name: string) => errors.invalid(`template.${name}`);
  const msg = (name: string) => errors.message(`template.${name}`);

  function insert(field: TemplateField) {
    const target = lastFocused.current === 'subject' && draft.channel === 'email' ? subject.current : body.current;
    const key = target === subject.current ? 'subject' : 'body';
    const text = draft[key];
    const at = target?.selectionStart ?? text.length;
    const end = target?.selectionEnd ?? at;
    const token = `{{${field}}}`;
    set({ [key]: `${text.slice(0, at)}${token}${text.slice(end)}` });
    requestAnimationFrame(() => {
      target?.focus();
      target?.setSelectionRange(at + token.length, at + token.length);
    });
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    setSaving(true);
    errors.setError(undefined);
    try {
      const result = await client.call('templates.save', {
        template: {
          ...(draft.id ? { id: draft.id } : {}),
          name: draft.name,
          channel: draft.channel,
          subject: draft.channel === 'email' ? draft.subject : null,
          body: draft.body,
          whatsapp:
            draft.channel === 'whatsapp' && draft.approved
              ? {
                  name: draft.waName,
                  language: draft.waLanguage,
                  category: draft.waCategory,
                  parameters: draft.waParameters,
                }
              : null,
        },
      });
      onSaved(result.template);
    } catch (e) {
      errors.setError(asAppError(e));
    } finally {
      setSaving(false);
    }
  }

  return (
    <form className="settings" onSubmit={save} noValidate aria-label="Template">
      <fieldset>
        <legend>{draft.id ? `Edit “${initial.name}”` : 'New template'}</legend>
        <Problem error={errors.general ?? unplaced(errors.error)} />
        <label htmlFor="template-name">Name</label>
        <input id="template-name" value={draft.name} onChange={(e) => set({ name: e.target.value })} {...err('name')} />
        <p className="hint">For you: it is how you pick the template when sending.</p>
        {msg('name')}
        <label htmlFor="template-channel">Channel</label>
        <select
          id="template-channel"
          value={draft.channel}
          onChange={(e) => set({ channel: e.target.value as TemplateChannel })}
        >
          <option value="email">Email</option>
          <option value="sms">SMS</option>
          <option value="whatsapp">WhatsApp</option>
        </select>
        {draft.channel === 'email' ? (
          <>
            <label htmlFor="template-subject">Subject</label>
            <input
              id="template-subject"
              ref={subject}
              value={draft.subject}
              onFocus={() => {
                lastFocused.current = 'subject';
              }}
              onChange={(e) => set({ subject: e.target.value })}
              {...err('subject')}
            />
            {msg('subject')}
          </>
        ) : null}
        <label htmlFor="template-body">Message</label>
        <textarea
          id="template-body"
          ref={body}
          rows={7}
          value={draft.body}
          onFocus={() => {
            lastFocused.current = 'body';
          }}
          onChange={(e) => set({ body: e.target.value })}
          {...err('body')}
        />
        {msg('body')}
        <fieldset className="inline-fields">
          <legend>Insert a field where the cursor is</legend>
          <ul className="plain-list">
            {fields.map((f) => (
              <li key={f.field}>
                <button type="button" className="secondary small" onClick={() => insert(f.field)}>
                  {`{{${f.field}}}`}
                </button>{' '}
                <span className="hint">{f.description}</span>
              </li>
            ))}
          </ul>
        </fieldset>
        {draft.channel === 'whatsapp' ? <ApprovedTemplate draft={draft} set={set} errors={errors} /> : null}
        <div className="actions">
          <button type="submit" disabled={saving}>
            {saving ? 'Saving…' : 'Save template'}
          </button>
          <button type="button" className="secondary" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </fieldset>
    </form>
  );
}
