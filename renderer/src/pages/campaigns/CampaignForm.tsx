/**
 * A new campaign, or a draft being changed: its name, who it goes to (the automation editor's conditions: segment,
 * tag, lifetime value, churn risk, orders, country…), the message (channel and template, or the next channel they
 * said yes to), and the comparison share. Beside it, before anything is sent, the preview: how many customers it
 * reaches, how many have not said yes, and the cost (`campaigns.preview`, asked 300 ms after the last change; it
 * writes nothing). Send asks first, saying to how many; it saves the draft, then sends.
 */
import { type FormEvent, useEffect, useState } from 'react';
import type { CampaignPreview, CampaignRun, CampaignView } from '../../../../shared/contract/campaigns';
import type { MessageTemplate } from '../../../../shared/contract/templates';
import { client } from '../../client';
import { asAppError, ConfirmAction, Problem } from '../../components';
import { CHANNEL_WORDS } from '../../message-words';
import { useCommand } from '../../use-command';
import { ConditionsFields } from '../automations/ConditionsFields';
import type { Channel } from '../automations/draft';
import { useFieldErrors } from '../Connections';
import { type CampaignFormDraft, placeAudienceError, toInput, toPreviewInput } from './draft';

const PREVIEW_DELAY_MS = 300;
const PLACED = [/^(name|holdoutPercent|message\.templateId)$/, /^conditions\./];

export function CampaignForm({
  initial,
  templates,
  segments,
  onSaved,
  onSent,
  onCancel,
}: {
  initial: CampaignFormDraft;
  templates: MessageTemplate[];
  segments: string[];
  onSaved(campaign: CampaignView, created: boolean): void;
  onSent(run: CampaignRun): void;
  onCancel(): void;
}) {
  const [draft, setDraft] = useState(initial);
  const [saving, setSaving] = useState(false);
  const [preview, setPreview] = useState<CampaignPreview>();
  const errors = useFieldErrors('campaign');
  const tags = useCommand('customers.tags', {});
  const set = (patch: Partial<CampaignFormDraft>) => setDraft((d) => ({ ...d, ...patch }));
  const forChannel = templates.filter((t) => t.channel === draft.channel);
  const unplaced =
    errors.error?.field && !PLACED.some((p) => p.test(errors.error?.field ?? '')) ? errors.error : undefined;

  async function save(): Promise<CampaignView | undefined> {
    errors.setError(undefined);
    try {
      const saved = await client.call('campaigns.save', toInput(draft));
      set({ id: saved.id });
      return saved;
    } catch (e) {
      errors.setError(placeAudienceError(asAppError(e)));
      return undefined;
    }
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSaving(true);
    const created = draft.id === undefined;
    const saved = await save();
    setSaving(false);
    if (saved) onSaved(saved, created);
  }

  async function send() {
    const saved = await save();
    if (!saved) return;
    try {
      onSent(await client.call('campaigns.send', { id: saved.id }));
    } catch (e) {
      errors.setError(asAppError(e));
    }
  }

  const reach = preview && preview.problems.length === 0 ? preview.recipients : undefined;
  const named = `“${draft.name || 'this campaign'}”`;
  const question =
    preview === undefined || reach === undefined
      ? 'Send this campaign now? It cannot be taken back.'
      : preview.heldOut > 0
        ? `Send ${named} now? About ${preview.messages.toLocaleString()} customers get it and ${preview.heldOut.toLocaleString()} are kept back as the comparison. It cannot be taken back.`
        : `Send ${named} to ${reach.toLocaleString()} customer${reach === 1 ? '' : 's'} now? It cannot be taken back.`;
  return (
    <form className="settings automation-editor" onSubmit={submit} noValidate aria-label="Campaign">
      <fieldset>
        <legend>{draft.id ? `Campaign “${initial.name || 'without a name'}” (not sent yet)` : 'New campaign'}</legend>
        <Problem error={errors.general ?? unplaced} />
        <datalist id="automation-tags">
          {(tags.data ?? []).map((t) => (
            <option key={t.tag} value={t.tag} />
          ))}
        </datalist>
        <label htmlFor="campaign-name">Name</label>
        <input
          id="campaign-name"
          value={draft.name}
          onChange={(e) => set({ name: e.target.value })}
          {...errors.invalid('name')}
        />
        <p className="hint">For you: customers do not see it.</p>
        {errors.message('name')}

        <h3>Who it goes to</h3>
        <p className="hint">
          Pick a segment or a tag, or any of the other filters. With none, it goes to every customer.
        </p>
        <ConditionsFields
          conditions={draft.conditions}
          segments={segments}
          errors={errors}
          onChange={(conditions) => set({ conditions })}
        />

        <h3>The message</h3>
        <div className="automation-when">
          <div>
            <label htmlFor="campaign-channel">Channel</label>
            <select
              id="campaign-channel"
              value={draft.channel}
              onChange={(e) => set({ channel: e.target.value as Channel, templateId: '' })}
            >
              {(['email', 'sms', 'whatsapp'] as const).map((c) => (
                <option key={c} value={c}>
                  {CHANNEL_WORDS[c]}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="campaign-template">Template</label>
            <select
              id="campaign-template"
              value={draft.templateId}
              onChange={(e) => set({ templateId: e.target.value })}
              {...errors.invalid('message.templateId')}
            >
              <option value="">Choose a template…</option>
              {forChannel.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
            {forChannel.length === 0 ? (
              <p className="hint">
                No {CHANNEL_WORDS[draft.channel]} template yet: write one in Settings → Message templates.
              </p>
            ) : null}
            {errors.message('message.templateId')}
          </div>
        </div>
        <label className="check">
          <input
            type="checkbox"
            checked={draft.orNextConsented}
            onChange={(e) => set({ orNextConsented: e.target.checked })}
          />{' '}
          If they have not said yes to this channel, use another one they said yes to (with a template of the same name)
        </label>

        <label htmlFor="campaign-holdout">Comparison share (%)</label>
        <input
          id="campaign-holdout"
          inputMode="numeric"
          value={draft.holdoutPercent}
          onChange={(e) => set({ holdoutPercent: e.target.value })}
          {...errors.invalid('holdoutPercent')}
        />
        <p className="hint">
          This share of the customers it would reach gets nothing. Comparing what both groups buy afterwards shows
          whether the message made a difference. 0 to 50; 10 is usual.
        </p>
        {errors.message('holdoutPercent')}

        <Preview draft={draft} preview={preview} onPreview={setPreview} />

        <div className="actions">
          <button type="submit" className="secondary" disabled={saving}>
            {saving ? 'Saving…' : 'Save draft'}
          </button>
          <ConfirmAction
            label="Send now"
            question={question}
            confirmLabel="Yes, send it"
            busyLabel="Sending…"
            disabled={draft.templateId === '' || reach === 0}
            onConfirm={send}
          />
          <button type="button" className="secondary" onClick={onCancel}>
            Close
          </button>
        </div>
      </fieldset>
    </form>
  );
}

function Preview({
  draft,
  preview,
  onPreview,
}: {
  draft: CampaignFormDraft;
  preview: CampaignPreview | undefined;
  onPreview(preview: CampaignPreview | undefined): void;
}) {
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  const key = JSON.stringify(toPreviewInput(draft));
  const noTemplate = draft.templateId === '';

  useEffect(() => {
    if (noTemplate) {
      onPreview(undefined);
      return;
    }
    let live = true;
    setBusy(true);
    const timer = setTimeout(() => {
      client.call('campaigns.preview', JSON.parse(key)).then(
        (result) => {
          if (!live) return;
          onPreview(result);
          setProblem(undefined);
          setBusy(false);
        },
        (e: unknown) => {
          if (!live) return;
          onPreview(undefined);
          setProblem(asAppError(e).message.replace(/^[\w.]+: /, ''));
          setBusy(false);
        },
      );
    }, PREVIEW_DELAY_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [key, noTemplate, onPreview]);

  return (
    <section
      className="notice small live-count"
      aria-labelledby="campaign-preview-heading"
      data-testid="campaign-preview"
    >
      <h3 id="campaign-preview-heading">Before you send</h3>
      <output aria-live="polite" aria-busy={busy}>
        {noTemplate ? (
          <p>Choose a template to see how many customers it reaches and what it costs.</p>
        ) : problem ? (
          <p>No preview yet: {problem}</p>
        ) : preview === undefined ? (
          <p>Counting…</p>
        ) : (
          <>
            {preview.summary.map((line) => (
              <p key={line}>{line}</p>
            ))}
            {preview.problems.map((line) => (
              <p key={line} className="field-error">
                {line}
              </p>
            ))}
          </>
        )}
      </output>
    </section>
  );
}
