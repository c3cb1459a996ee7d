/**
 * The template editor's WhatsApp part: the approved template Meta knows (name, language, category) and which field
 * fills each of its body parameters, sent instead of the text outside the customer's 24-hour window.
 */
import { TEMPLATE_FIELDS } from '../../../../shared/contract/templates';
import type { useFieldErrors } from '../Connections';
import type { Draft } from './draft';

export function ApprovedTemplate({
  draft,
  set,
  errors,
}: {
  draft: Draft;
  set(patch: Partial<Draft>): void;
  errors: ReturnType<typeof useFieldErrors>;
}) {
  const err = (name: string) => errors.invalid(`template.whatsapp.${name}`);
  const msg = (name: string) => errors.message(`template.whatsapp.${name}`);
  const setParameter = (index: number, value: string) =>
    set({ waParameters: draft.waParameters.map((p, i) => (i === index ? value : p)) });
  return (
    <fieldset>
      <legend>WhatsApp approved template</legend>
      <p className="hint">
        Outside the 24 hours after a customer's last WhatsApp message, WhatsApp only lets you send a template Meta has
        approved (in WhatsApp Manager → Message templates). Give it here and ConstIntel sends it instead of the text
        above when it has to.
      </p>
      <label htmlFor="template-approved">
        <input
          id="template-approved"
          type="checkbox"
          checked={draft.approved}
          onChange={(e) => set({ approved: e.target.checked })}
        />{' '}
        This message has an approved template
      </label>
      {draft.approved ? (
        <>
          <label htmlFor="template-wa-name">Approved template name (as Meta shows it)</label>
          <input
            id="template-wa-name"
            className="mono"
            value={draft.waName}
            placeholder="spring_offer"
            onChange={(e) => set({ waName: e.target.value })}
            {...err('name')}
          />
          {msg('name')}
          <label htmlFor="template-wa-language">Language code</label>
          <input
            id="template-wa-language"
            className="mono"
            value={draft.waLanguage}
            placeholder="en_GB"
            onChange={(e) => set({ waLanguage: e.target.value })}
            {...err('language')}
          />
          {msg('language')}
          <label htmlFor="template-wa-category">Category</label>
          <select
            id="template-wa-category"
            value={draft.waCategory}
            onChange={(e) => set({ waCategory: e.target.value as Draft['waCategory'] })}
          >
            <option value="MARKETING">Marketing (offers, news)</option>
            <option value="UTILITY">Utility (orders, appointments)</option>
          </select>
          <span className="label">What fills each of its parameters</span>
          {draft.waParameters.length === 0 ? (
            <p className="hint">No parameters: the approved template is sent as Meta has it.</p>
          ) : null}
          {draft.waParameters.map((p, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: parameters are positional ({{1}}, {{2}}…).
            <div className="inline" key={i}>
              <label htmlFor={`template-wa-param-${i}`}>{`{{${i + 1}}}`}</label>
              <select id={`template-wa-param-${i}`} value={p} onChange={(e) => setParameter(i, e.target.value)}>
                {TEMPLATE_FIELDS.map((f) => (
                  <option key={f} value={f}>
                    {f}
                  </option>
                ))}
              </select>
              <button
                type="button"
                className="secondary small"
                onClick={() => set({ waParameters: draft.waParameters.filter((_, j) => j !== i) })}
              >
                Remove {`{{${i + 1}}}`}
              </button>
            </div>
          ))}
          {msg('parameters')}
          <div>
            <button
              type="button"
              className="secondary small"
              onClick={() => set({ waParameters: [...draft.waParameters, 'first_name'] })}
            >
              Add a parameter
            </button>
          </div>
        </>
      ) : null}
    </fieldset>
  );
}
