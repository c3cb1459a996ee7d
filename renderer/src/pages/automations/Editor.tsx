/**
 * The automation editor, in shop words: a name, "When" (the trigger and its one number or segment), "Only customers
 * who…" (conditions, folded), "Then" (the steps), priority and cooldown. Beside it a live count of the customers who
 * match now (`automations.matchCount`, asked 300 ms after the last change). What the backend refuses is said beside
 * its field; anything not placed on a field goes in the banner, so no refusal is ever invisible.
 */
import { type FormEvent, useEffect, useState } from 'react';
import type { AutomationView } from '../../../../shared/contract/automations';
import { TRIGGER_TYPES, type TriggerType } from '../../../../shared/contract/automations';
import type { AppError } from '../../../../shared/contract/errors';
import type { MessageTemplate } from '../../../../shared/contract/templates';
import { client } from '../../client';
import { asAppError, Problem } from '../../components';
import { useCommand } from '../../use-command';
import { useFieldErrors } from '../Connections';
import { ActionsFields } from './ActionsFields';
import { ConditionsFields } from './ConditionsFields';
import { type Draft, toConditions, toInput, toTrigger } from './draft';
import { plural, TRIGGER_WORDS } from './words';

const COUNT_DELAY_MS = 300;

/** The fields that show their error beside them; any other (a whole trigger, the list of steps) goes in the banner. */
const PLACED = [
  /^(name|priority|cooldownDays|holdoutPercent)$/,
  /^trigger\.(atLeast|afterHours|amount|segment|days)$/,
  /^conditions\.(segmentIs|segmentIsNot|churnRisk|predictedValue|lifetimeValue|orders|boughtProduct|boughtCategory|country|hasTag|lacksTag)(\.|$)/,
  /^actions\.\d+\.(templateId|tag|url|hours)$/,
];
const unplaced = (error: AppError | undefined) =>
  error?.field && !PLACED.some((p) => p.test(error.field ?? '')) ? error : undefined;

export function Editor({
  initial,
  templates,
  segments,
  onSaved,
  onCancel,
}: {
  initial: Draft;
  templates: MessageTemplate[];
  segments: string[];
  onSaved(automation: AutomationView, created: boolean): void;
  onCancel(): void;
}) {
  const [draft, setDraft] = useState(initial);
  const [saving, setSaving] = useState(false);
  const errors = useFieldErrors('automation');
  /** The tags customers have: offered as you type a tag (a new one is fine too). */
  const tags = useCommand('customers.tags', {});
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const trigger = TRIGGER_WORDS[draft.triggerType];
  const triggerField = trigger.field ? `trigger.${trigger.field.key}` : undefined;

  async function save(event: FormEvent) {
    event.preventDefault();
    setSaving(true);
    errors.setError(undefined);
    try {
      const saved = await client.call('automations.save', toInput(draft));
      onSaved(saved, draft.id === undefined);
    } catch (e) {
      errors.setError(asAppError(e));
    } finally {
      setSaving(false);
    }
  }

  return (
    <form className="settings automation-editor" onSubmit={save} noValidate aria-label="Automation">
      <fieldset>
        <legend>
          {draft.id
            ? `Edit “${initial.name}”`
            : draft.recipe
              ? `New automation from the recipe “${initial.name}”`
              : 'New automation'}
        </legend>
        <Problem error={errors.general ?? unplaced(errors.error)} />
        <datalist id="automation-tags">
          {(tags.data ?? []).map((t) => (
            <option key={t.tag} value={t.tag} />
          ))}
        </datalist>
        <label htmlFor="automation-name">Name</label>
        <input
          id="automation-name"
          value={draft.name}
          onChange={(e) => set({ name: e.target.value })}
          {...errors.invalid('name')}
        />
        {errors.message('name')}

        <div className="automation-when">
          <div>
            <label htmlFor="automation-trigger">When</label>
            <select
              id="automation-trigger"
              value={draft.triggerType}
              onChange={(e) => set({ triggerType: e.target.value as TriggerType })}
            >
              {TRIGGER_TYPES.map((t) => (
                <option key={t} value={t}>
                  {TRIGGER_WORDS[t].label}
                </option>
              ))}
            </select>
          </div>
          {trigger.field && triggerField ? (
            <div>
              <label htmlFor="automation-trigger-value">{trigger.field.label}</label>
              {trigger.field.key === 'segment' ? (
                <select
                  id="automation-trigger-value"
                  value={draft.triggerSegment}
                  onChange={(e) => set({ triggerSegment: e.target.value })}
                  {...errors.invalid(triggerField)}
                >
                  <option value="">Choose a segment…</option>
                  {(draft.triggerSegment && !segments.includes(draft.triggerSegment)
                    ? [...segments, draft.triggerSegment]
                    : segments
                  ).map((s) => (
                    <option key={s} value={s}>
                      {s}
                    </option>
                  ))}
                </select>
              ) : (
                <input
                  id="automation-trigger-value"
                  inputMode="decimal"
                  value={draft.triggerValue}
                  onChange={(e) => set({ triggerValue: e.target.value })}
                  {...errors.invalid(triggerField)}
                />
              )}
              <p className="hint">{trigger.field.hint}</p>
              {errors.message(triggerField)}
            </div>
          ) : null}
        </div>
        {trigger.field?.key === 'segment' && segments.length === 0 ? (
          <p className="hint">Segments appear after the first retrain on the Models page.</p>
        ) : null}

        <ConditionsFields
          conditions={draft.conditions}
          segments={segments}
          errors={errors}
          onChange={(conditions) => set({ conditions })}
        />
        <LiveCount draft={draft} />
        <ActionsFields
          actions={draft.actions}
          templates={templates}
          errors={errors}
          onChange={(actions) => set({ actions })}
        />

        <div className="automation-when">
          <div>
            <label htmlFor="automation-priority">Priority</label>
            <input
              id="automation-priority"
              inputMode="numeric"
              value={draft.priority}
              onChange={(e) => set({ priority: e.target.value })}
              {...errors.invalid('priority')}
            />
            <p className="hint">1 goes first when several want to message the same customer at once.</p>
            {errors.message('priority')}
          </div>
          <div>
            <label htmlFor="automation-cooldown">Days before it can act again for the same customer</label>
            <input
              id="automation-cooldown"
              inputMode="numeric"
              value={draft.cooldownDays}
              onChange={(e) => set({ cooldownDays: e.target.value })}
              {...errors.invalid('cooldownDays')}
            />
            <p className="hint">
              Besides this, nobody gets more than 2 marketing messages a week from all your automations together.
            </p>
            {errors.message('cooldownDays')}
          </div>
          <div>
            <label htmlFor="automation-holdout">Comparison share (%)</label>
            <input
              id="automation-holdout"
              inputMode="numeric"
              value={draft.holdoutPercent}
              onChange={(e) => set({ holdoutPercent: e.target.value })}
              {...errors.invalid('holdoutPercent')}
            />
            <p className="hint">
              Of the customers it would message, this share gets nothing, so “Did it help?” can compare what both groups
              bought. 10 is a good start; 0 measures nothing.
            </p>
            {errors.message('holdoutPercent')}
          </div>
        </div>
        <div className="actions">
          <button type="submit" disabled={saving}>
            {saving ? 'Saving…' : 'Save automation'}
          </button>
          <button type="button" className="secondary" onClick={onCancel}>
            Cancel
          </button>
          {draft.id ? null : <span className="hint">A new automation is saved switched off.</span>}
        </div>
      </fieldset>
    </form>
  );
}

type Count = { customers: number; inTrigger: number | null } | { problem: string };

/** How many customers match now, asked again 300 ms after the last change. */
function LiveCount({ draft }: { draft: Draft }) {
  const [count, setCount] = useState<Count>();
  const [busy, setBusy] = useState(false);
  const key = JSON.stringify({ trigger: toTrigger(draft), conditions: toConditions(draft.conditions) });
  const state = TRIGGER_WORDS[draft.triggerType].state;

  useEffect(() => {
    let live = true;
    setBusy(true);
    const timer = setTimeout(() => {
      client.call('automations.matchCount', JSON.parse(key)).then(
        (result) => {
          if (!live) return;
          setCount(result);
          setBusy(false);
        },
        (e: unknown) => {
          if (!live) return;
          setCount({ problem: asAppError(e).message.replace(/^[\w.]+: /, '') });
          setBusy(false);
        },
      );
    }, COUNT_DELAY_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [key]);

  return (
    <output className="notice small live-count" aria-live="polite" aria-busy={busy} data-testid="match-count">
      {count === undefined ? (
        'Counting the customers who match…'
      ) : 'problem' in count ? (
        <>No count yet: {count.problem}</>
      ) : (
        <>
          <strong>{plural(count.customers, 'customer')}</strong> meet the conditions now.
          {count.inTrigger === null || state === null ? (
            <> This automation waits for something to happen to them, then acts.</>
          ) : (
            <>
              {' '}
              <strong>{count.inTrigger.toLocaleString()}</strong> of them {count.inTrigger === 1 ? 'is' : 'are'} {state}
              {draft.enabled
                ? '.'
                : `: switching it on handles ${count.inTrigger === 1 ? 'that one' : 'them'} at once.`}
            </>
          )}
        </>
      )}
      {count !== undefined && !('problem' in count) ? (
        <span className="hint block">A message goes only to those who said yes to its channel.</span>
      ) : null}
    </output>
  );
}
