/** Message templates → "When a customer has no value": the text that stands in for each field a customer lacks. */
import { type FormEvent, Fragment, useState } from 'react';
import type { TemplateFallbacks, TemplatesView } from '../../../../shared/contract/templates';
import { client } from '../../client';
import { asAppError, Problem } from '../../components';
import { useFieldErrors } from '../Connections';

type FieldList = TemplatesView['fields'];

export function Fallbacks({
  fallbacks,
  fields,
  onSaved,
}: {
  fallbacks: TemplateFallbacks;
  fields: FieldList;
  onSaved(fallbacks: TemplateFallbacks): void;
}) {
  const [draft, setDraft] = useState(fallbacks);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);
  const errors = useFieldErrors('fallback');

  async function save(event: FormEvent) {
    event.preventDefault();
    setSaving(true);
    setSaved(false);
    errors.setError(undefined);
    try {
      const result = await client.call('templates.saveFallbacks', { fallbacks: draft });
      setDraft(result.fallbacks);
      onSaved(result.fallbacks);
      setSaved(true);
    } catch (e) {
      errors.setError(asAppError(e));
    } finally {
      setSaving(false);
    }
  }

  return (
    <form className="settings" onSubmit={save} noValidate aria-label="When a customer has no value">
      <fieldset>
        <legend>When a customer has no value</legend>
        <p className="hint">
          What the customer reads instead of a field ConstIntel cannot fill for them — for example “there” in “Hi there”
          when their first name is not known.
        </p>
        <Problem error={errors.general} />
        {fields.map((f) => (
          <Fragment key={f.field}>
            <label htmlFor={`fallback-${f.field}`}>
              Instead of <code>{`{{${f.field}}}`}</code>: {f.description}
            </label>
            <input
              id={`fallback-${f.field}`}
              value={draft[f.field]}
              onChange={(e) => {
                setDraft({ ...draft, [f.field]: e.target.value });
                setSaved(false);
              }}
              {...errors.invalid(`fallbacks.${f.field}`)}
            />
            {errors.message(`fallbacks.${f.field}`)}
          </Fragment>
        ))}
        <div className="actions">
          <button type="submit" disabled={saving}>
            {saving ? 'Saving…' : 'Save fallback texts'}
          </button>
          {saved ? (
            <span className="saved" role="status">
              Saved.
            </span>
          ) : null}
        </div>
      </fieldset>
    </form>
  );
}
