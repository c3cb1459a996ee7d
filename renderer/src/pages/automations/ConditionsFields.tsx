/**
 * The editor's "Only customers who…" part, folded away by default (most automations need none): segment is / is
 * not, churn risk, predicted value, lifetime value and orders as from–to ranges, a yes on a channel, bought a
 * product or category, country, has or lacks a tag. Every field empty means no condition.
 */
import { CHANNEL_WORDS } from '../../message-words';
import type { useFieldErrors } from '../Connections';
import { type ConditionsDraft, conditionCount, type RangeDraft } from './draft';

type RangeKey = 'churnRisk' | 'predictedValue' | 'lifetimeValue' | 'orders';
const RANGES: { key: RangeKey; label: string }[] = [
  { key: 'churnRisk', label: 'Churn risk (%)' },
  { key: 'predictedValue', label: 'Predicted value' },
  { key: 'lifetimeValue', label: 'Lifetime value (spent so far)' },
  { key: 'orders', label: 'Number of orders' },
];
type TextKey = 'boughtProduct' | 'boughtCategory' | 'country' | 'hasTag' | 'lacksTag';
const TEXTS: { key: TextKey; label: string; hint?: string }[] = [
  { key: 'boughtProduct', label: 'Bought a product named', hint: 'Part of the name is enough.' },
  { key: 'boughtCategory', label: 'Bought from the category' },
  { key: 'country', label: 'Country', hint: 'Two-letter codes, separated by commas: GB, IE.' },
  { key: 'hasTag', label: 'Has the tag' },
  { key: 'lacksTag', label: 'Does not have the tag' },
];

export function ConditionsFields({
  conditions,
  segments,
  errors,
  onChange,
}: {
  conditions: ConditionsDraft;
  segments: string[];
  errors: ReturnType<typeof useFieldErrors>;
  onChange(conditions: ConditionsDraft): void;
}) {
  const set = (patch: Partial<ConditionsDraft>) => onChange({ ...conditions, ...patch });
  const count = conditionCount(conditions);
  const hasError = errors.error?.field?.startsWith('conditions') === true;
  const segmentSelect = (key: 'segmentIs' | 'segmentIsNot', label: string) => {
    const value = conditions[key];
    const options = value && !segments.includes(value) ? [...segments, value] : segments;
    return (
      <div>
        <label htmlFor={`condition-${key}`}>{label}</label>
        <select
          id={`condition-${key}`}
          value={value}
          onChange={(e) => set({ [key]: e.target.value })}
          {...errors.invalid(`conditions.${key}`)}
        >
          <option value="">Any segment</option>
          {options.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        {errors.message(`conditions.${key}`)}
      </div>
    );
  };

  return (
    <details className="automation-conditions" open={count > 0 || hasError}>
      <summary className="conditions-summary">
        Only customers who… <span className="muted">({count === 0 ? 'no condition: everyone' : `${count} set`})</span>
      </summary>
      <div className="condition-grid">
        {segmentSelect('segmentIs', 'Are in the segment')}
        {segmentSelect('segmentIsNot', 'Are not in the segment')}
        {RANGES.map(({ key, label }) => (
          <fieldset key={key} className="range">
            <legend>{label}</legend>
            <RangeInput
              id={`condition-${key}`}
              label={label}
              value={conditions[key]}
              errors={errors}
              field={`conditions.${key}`}
              onChange={(value) => set({ [key]: value })}
            />
          </fieldset>
        ))}
        <div>
          <label htmlFor="condition-consentOn">Said yes to messages by</label>
          <select
            id="condition-consentOn"
            value={conditions.consentOn}
            onChange={(e) => set({ consentOn: e.target.value as ConditionsDraft['consentOn'] })}
          >
            <option value="">Any channel (checked when sending)</option>
            {(['email', 'sms', 'whatsapp'] as const).map((c) => (
              <option key={c} value={c}>
                {CHANNEL_WORDS[c]}
              </option>
            ))}
          </select>
        </div>
        {TEXTS.map(({ key, label, hint }) => (
          <div key={key}>
            <label htmlFor={`condition-${key}`}>{label}</label>
            <input
              id={`condition-${key}`}
              list={key === 'hasTag' || key === 'lacksTag' ? 'automation-tags' : undefined}
              value={conditions[key]}
              onChange={(e) => set({ [key]: e.target.value })}
              {...errors.invalid(`conditions.${key}`)}
            />
            {hint ? <p className="hint">{hint}</p> : null}
            {errors.message(`conditions.${key}`)}
          </div>
        ))}
      </div>
    </details>
  );
}

function RangeInput({
  id,
  label,
  value,
  field,
  errors,
  onChange,
}: {
  id: string;
  label: string;
  value: RangeDraft;
  field: string;
  errors: ReturnType<typeof useFieldErrors>;
  onChange(value: RangeDraft): void;
}) {
  return (
    <>
      <div className="inline">
        <label htmlFor={`${id}-min`} className="sr-only">
          {label}: from
        </label>
        <input
          id={`${id}-min`}
          inputMode="decimal"
          placeholder="from"
          value={value.min}
          onChange={(e) => onChange({ ...value, min: e.target.value })}
          {...errors.invalid(field)}
        />
        <span aria-hidden="true">–</span>
        <label htmlFor={`${id}-max`} className="sr-only">
          {label}: to
        </label>
        <input
          id={`${id}-max`}
          inputMode="decimal"
          placeholder="to"
          value={value.max}
          onChange={(e) => onChange({ ...value, max: e.target.value })}
          {...errors.invalid(field)}
        />
      </div>
      {errors.message(field)}
    </>
  );
}
