/**
 * The editor's "Then" part: the actions in order — send a message (channel and one of the shop's templates for it),
 * add or remove a tag, call a web address, wait some hours (then the conditions are checked again). Each can be
 * moved up or down or removed; at most 10.
 */
import { Link } from 'react-router';
import type { MessageTemplate } from '../../../../shared/contract/templates';
import { CHANNEL_WORDS } from '../../message-words';
import type { useFieldErrors } from '../Connections';
import { type ActionDraft, type ActionType, type Channel, emptyAction } from './draft';

const ACTION_WORDS: Record<ActionType, string> = {
  send: 'Send a message',
  tag: 'Add or remove a tag',
  call_url: 'Tell another system (call a web address)',
  wait: 'Wait, then check the conditions again',
};
const MAX_ACTIONS = 10;
const IN_A_SENTENCE: Record<Channel, string> = { email: 'email', sms: 'SMS', whatsapp: 'WhatsApp' };

export function ActionsFields({
  actions,
  templates,
  errors,
  onChange,
}: {
  actions: ActionDraft[];
  templates: MessageTemplate[];
  errors: ReturnType<typeof useFieldErrors>;
  onChange(actions: ActionDraft[]): void;
}) {
  const set = (i: number, patch: Partial<ActionDraft>) =>
    onChange(actions.map((a, j) => (j === i ? { ...a, ...patch } : a)));
  const move = (i: number, by: -1 | 1) => {
    const next = [...actions];
    const [moved] = next.splice(i, 1);
    if (moved) next.splice(i + by, 0, moved);
    onChange(next);
  };

  return (
    <fieldset className="automation-actions">
      <legend>Then do this, in order</legend>
      <ol className="automation-steps">
        {actions.map((a, i) => {
          const id = `action-${a.key}`;
          const n = i + 1;
          const field = (name: string) => `actions.${i}.${name}`;
          const forChannel = templates.filter((t) => t.channel === a.channel);
          return (
            <li key={a.key} className="automation-action">
              <div className="inline wrap">
                <label htmlFor={`${id}-type`}>Step {n}</label>
                <select
                  id={`${id}-type`}
                  value={a.type}
                  onChange={(e) => set(i, { type: e.target.value as ActionType })}
                >
                  {(Object.keys(ACTION_WORDS) as ActionType[]).map((t) => (
                    <option key={t} value={t}>
                      {ACTION_WORDS[t]}
                    </option>
                  ))}
                </select>
                <button
                  type="button"
                  className="secondary small"
                  disabled={i === 0}
                  onClick={() => move(i, -1)}
                  aria-label={`Move step ${n} up`}
                >
                  ↑
                </button>
                <button
                  type="button"
                  className="secondary small"
                  disabled={i === actions.length - 1}
                  onClick={() => move(i, 1)}
                  aria-label={`Move step ${n} down`}
                >
                  ↓
                </button>
                <button
                  type="button"
                  className="secondary small"
                  disabled={actions.length === 1}
                  onClick={() => onChange(actions.filter((_, j) => j !== i))}
                >
                  Remove<span className="sr-only"> step {n}</span>
                </button>
              </div>
              {a.type === 'send' ? (
                <div className="automation-step-fields">
                  <div>
                    <label htmlFor={`${id}-channel`}>Channel (step {n})</label>
                    <select
                      id={`${id}-channel`}
                      value={a.channel}
                      onChange={(e) => set(i, { channel: e.target.value as Channel, templateId: '' })}
                    >
                      {(['email', 'sms', 'whatsapp'] as const).map((c) => (
                        <option key={c} value={c}>
                          {CHANNEL_WORDS[c]}
                        </option>
                      ))}
                    </select>
                  </div>
                  <div>
                    <label htmlFor={`${id}-template`}>Template (step {n})</label>
                    <select
                      id={`${id}-template`}
                      value={a.templateId}
                      onChange={(e) => set(i, { templateId: e.target.value })}
                      {...errors.invalid(field('templateId'))}
                    >
                      <option value="">Choose a template…</option>
                      {forChannel.map((t) => (
                        <option key={t.id} value={String(t.id)}>
                          {t.name}
                        </option>
                      ))}
                    </select>
                    {errors.message(field('templateId'))}
                    {forChannel.length === 0 ? (
                      <p className="hint">
                        No {CHANNEL_WORDS[a.channel]} template yet: write one in{' '}
                        <Link to="/settings/templates">Message templates</Link>.
                      </p>
                    ) : null}
                  </div>
                  <label className="check">
                    <input
                      type="checkbox"
                      checked={a.orNextConsented}
                      onChange={(e) => set(i, { orNextConsented: e.target.checked })}
                    />{' '}
                    If they have not said yes to {IN_A_SENTENCE[a.channel]}, use another channel they said yes to
                  </label>
                </div>
              ) : a.type === 'tag' ? (
                <div className="automation-step-fields">
                  <div>
                    <label htmlFor={`${id}-tag`}>Tag (step {n})</label>
                    <input
                      id={`${id}-tag`}
                      list="automation-tags"
                      value={a.tag}
                      onChange={(e) => set(i, { tag: e.target.value })}
                      {...errors.invalid(field('tag'))}
                    />
                    {errors.message(field('tag'))}
                  </div>
                  <div>
                    <label htmlFor={`${id}-remove`}>Add or remove (step {n})</label>
                    <select
                      id={`${id}-remove`}
                      value={a.remove ? 'remove' : 'add'}
                      onChange={(e) => set(i, { remove: e.target.value === 'remove' })}
                    >
                      <option value="add">Add the tag</option>
                      <option value="remove">Remove the tag</option>
                    </select>
                  </div>
                </div>
              ) : a.type === 'call_url' ? (
                <div className="automation-step-fields">
                  <div className="grow">
                    <label htmlFor={`${id}-url`}>Web address (step {n})</label>
                    <input
                      id={`${id}-url`}
                      type="url"
                      placeholder="https://"
                      value={a.url}
                      onChange={(e) => set(i, { url: e.target.value })}
                      {...errors.invalid(field('url'))}
                    />
                    {errors.message(field('url'))}
                    <p className="hint">
                      ConstIntel posts the customer’s details there, signed with your shop’s key, so the other system
                      knows it came from you.
                    </p>
                  </div>
                </div>
              ) : (
                <div className="automation-step-fields">
                  <div>
                    <label htmlFor={`${id}-hours`}>Hours to wait (step {n})</label>
                    <input
                      id={`${id}-hours`}
                      inputMode="decimal"
                      value={a.hours}
                      onChange={(e) => set(i, { hours: e.target.value })}
                      {...errors.invalid(field('hours'))}
                    />
                    {errors.message(field('hours'))}
                    <p className="hint">Then the next step goes only if they still meet the conditions.</p>
                  </div>
                </div>
              )}
            </li>
          );
        })}
      </ol>
      <div>
        <button
          type="button"
          className="secondary small"
          disabled={actions.length >= MAX_ACTIONS}
          onClick={() => onChange([...actions, emptyAction()])}
        >
          Add a step
        </button>
        {actions.length >= MAX_ACTIONS ? <span className="hint"> At most {MAX_ACTIONS} steps.</span> : null}
      </div>
    </fieldset>
  );
}
