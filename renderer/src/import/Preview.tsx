/**
 * The check before anything is saved: what the file was recognised as, how
 * it is read, the first rows as they will be imported (with what each column
 * means, changeable per column), saved settings, and the Import button.
 * Every change asks the backend for a new preview.
 */

import { type FormEvent, type ReactNode, useState } from 'react';
import { AppError } from '../../../shared/contract/errors';
import type { ImportChoicesInput, ImportFileRef, ImportPreview } from '../../../shared/contract/imports';
import { IMPORT_COLUMN_ROLES, IMPORT_FORMATS } from '../../../shared/contract/imports';
import { client } from '../client';
import { asAppError, Problem } from '../components';
import { formatNumber } from '../format';
import { useCommand } from '../use-command';
import { NotImported } from './NotImported';
import { PhoneCountryQuestion } from './PhoneCountry';
import {
  type ColumnRole,
  DATE_ORDER_LABELS,
  type DateOrder,
  DELIMITER_LABELS,
  type Delimiter,
  ENCODING_LABELS,
  type Encoding,
  FORMAT_LABELS,
  type FormatId,
  labelOf,
  NUMBER_STYLE_LABELS,
  ROLE_LABELS,
} from './words';

type Settings = ImportPreview['settings'];

export function PreviewPanel({ file, onStarted }: { file: ImportFileRef; onStarted(jobId: number): void }) {
  const [choices, setChoices] = useState<ImportChoicesInput>({});
  const [presetInUse, setPresetInUse] = useState<string>();
  const preview = useCommand('imports.preview', { fileId: file.fileId, choices });
  const data = preview.data;
  const [detected, setDetected] = useState<FormatId>();
  if (data && detected === undefined && choices.format === undefined) setDetected(data.settings.format);

  const change = (patch: ImportChoicesInput) => {
    setChoices((current) => ({ ...current, ...patch }));
    setPresetInUse(undefined);
  };

  return (
    <section className="panel import-preview" aria-labelledby="preview-heading" aria-busy={preview.loading}>
      <h2 id="preview-heading">Check before importing</h2>
      <p className="hint">
        Nothing is saved yet. Below are the first rows of <strong>{file.name}</strong> as they will be imported. If
        something is wrong, change it here: the rows update to match.
      </p>
      <Problem error={preview.error} />
      {data ? (
        <>
          {detected ? (
            <p className="recognised">
              ConstIntel recognised this file as <strong>{labelOf(FORMAT_LABELS, detected)}</strong>.
            </p>
          ) : null}
          <Warnings settings={data.settings} dateOrderChosen={choices.dateOrder !== undefined} />
          <PhoneCountryQuestion phones={data.phones} onUse={(country) => change({ defaultCountry: country })} />
          <Presets
            presets={data.presets}
            inUse={presetInUse}
            onUse={(preset) => {
              setChoices(preset.settings);
              setPresetInUse(preset.name);
            }}
          />
          <Choices settings={data.settings} choices={choices} onChange={change} />
          <RowsTable preview={data} choices={choices} loading={preview.loading} onChange={change} />
          <SavePreset fileId={file.fileId} choices={choices} onSaved={preview.reload} />
          <StartImport fileId={file.fileId} choices={choices} disabled={preview.loading} onStarted={onStarted} />
        </>
      ) : preview.loading ? (
        <p role="status">Reading the file…</p>
      ) : null}
    </section>
  );
}

/**
 * The backend's warnings. When dates are ambiguous its warning comes first and says which order it assumed;
 * once the shop picked the order itself, that is said instead.
 */
function Warnings({ settings, dateOrderChosen }: { settings: Settings; dateOrderChosen: boolean }) {
  const dateWarning = settings.dateAmbiguous && !dateOrderChosen ? settings.warnings[0] : undefined;
  const others = settings.dateAmbiguous ? settings.warnings.slice(1) : settings.warnings;
  if (!dateWarning && others.length === 0) return null;
  return (
    <div className="import-warnings" role="alert">
      <strong>Please check:</strong>
      <ul className="plain-list">
        {dateWarning ? <li className="date-warning">{dateWarning}</li> : null}
        {others.map((warning) => (
          <li key={warning}>{warning}</li>
        ))}
      </ul>
    </div>
  );
}

function Presets({
  presets,
  inUse,
  onUse,
}: {
  presets: ImportPreview['presets'];
  inUse: string | undefined;
  onUse(preset: ImportPreview['presets'][number]): void;
}) {
  if (presets.length === 0) return null;
  return (
    <div className="notice small presets">
      <p className="presets-intro">You saved settings for files with these same columns.</p>
      <div className="actions">
        {presets.map((preset) => (
          <button key={preset.name} type="button" className="secondary" onClick={() => onUse(preset)}>
            Use saved settings: {preset.name}
          </button>
        ))}
      </div>
      {inUse ? (
        <p className="saved" role="status">
          Using the saved settings “{inUse}”.
        </p>
      ) : null}
    </div>
  );
}

/** A labelled control with an optional hint the control points to. */
function Field({
  id,
  label,
  hint,
  className,
  children,
}: {
  id: string;
  label: string;
  hint?: ReactNode;
  className?: string;
  children: ReactNode;
}) {
  return (
    <div className={className ? `choice ${className}` : 'choice'}>
      <label htmlFor={id} className="choice-label">
        {label}
      </label>
      {children}
      {hint ? (
        <span className="hint" id={`${id}-hint`}>
          {hint}
        </span>
      ) : null}
    </div>
  );
}

function Choices({
  settings,
  choices,
  onChange,
}: {
  settings: Settings;
  choices: ImportChoicesInput;
  onChange(patch: ImportChoicesInput): void;
}) {
  const countries = useCommand('settings.countries', {});
  const format = choices.format ?? settings.format;
  const dateOrder = (choices.dateOrder ?? settings.dateOrder) as DateOrder;
  const country = (choices.defaultCountry ?? settings.defaultCountry).toUpperCase();
  const encoding = (choices.encoding ?? settings.encoding) as Encoding;
  const delimiter = (choices.delimiter ?? settings.delimiter) as Delimiter;
  const decimalComma = choices.decimalComma ?? settings.decimalComma;
  const countryList = countries.data ?? [{ code: country, name: country }];
  const checkDates = settings.dateAmbiguous && !choices.dateOrder;

  return (
    <div className="import-choices">
      <Field id="import-format" label="What this file is">
        {/* Another format means other columns: its own column meanings replace any changed ones. */}
        <select
          id="import-format"
          className="import-select"
          value={format}
          onChange={(e) => onChange({ format: e.target.value as FormatId, roles: undefined })}
        >
          {IMPORT_FORMATS.map((id) => (
            <option key={id} value={id}>
              {FORMAT_LABELS[id]}
            </option>
          ))}
        </select>
      </Field>
      <Field
        id="import-date-order"
        label="Dates are written"
        className={checkDates ? 'needs-check' : undefined}
        hint={
          checkDates
            ? 'Some dates could be read two ways: check this.'
            : settings.dateAmbiguous
              ? `Read as ${DATE_ORDER_LABELS[dateOrder].toLowerCase()}, as you chose.`
              : undefined
        }
      >
        <select
          id="import-date-order"
          className="import-select"
          value={dateOrder}
          aria-describedby={settings.dateAmbiguous ? 'import-date-order-hint' : undefined}
          aria-invalid={checkDates ? true : undefined}
          onChange={(e) => onChange({ dateOrder: e.target.value as DateOrder })}
        >
          {(Object.keys(DATE_ORDER_LABELS) as DateOrder[]).map((order) => (
            <option key={order} value={order}>
              {DATE_ORDER_LABELS[order]}
            </option>
          ))}
        </select>
      </Field>
      <Field id="import-country" label="Country for phone numbers" hint="For numbers written without a +country code.">
        <select
          id="import-country"
          className="import-select"
          value={country}
          aria-describedby="import-country-hint"
          onChange={(e) => onChange({ defaultCountry: e.target.value })}
        >
          {countryList.some((c) => c.code === country) ? null : <option value={country}>{country}</option>}
          {countryList.map((c) => (
            <option key={c.code} value={c.code}>
              {c.name} ({c.code})
            </option>
          ))}
        </select>
      </Field>
      <details className="file-reading">
        <summary>
          Read as {labelOf(ENCODING_LABELS, encoding)}, {labelOf(DELIMITER_LABELS, delimiter)},{' '}
          {decimalComma ? NUMBER_STYLE_LABELS.yes : NUMBER_STYLE_LABELS.no}. Change this if letters or amounts look
          wrong below.
        </summary>
        <div className="import-choices">
          <Field id="import-encoding" label="Text">
            <select
              id="import-encoding"
              className="import-select"
              value={encoding}
              onChange={(e) => onChange({ encoding: e.target.value as Encoding })}
            >
              {(Object.keys(ENCODING_LABELS) as Encoding[]).map((code) => (
                <option key={code} value={code}>
                  {ENCODING_LABELS[code]}
                </option>
              ))}
            </select>
          </Field>
          <Field id="import-delimiter" label="Columns">
            <select
              id="import-delimiter"
              className="import-select"
              value={delimiter}
              onChange={(e) => onChange({ delimiter: e.target.value as Delimiter })}
            >
              {(Object.keys(DELIMITER_LABELS) as Delimiter[]).map((code) => (
                <option key={code} value={code}>
                  {DELIMITER_LABELS[code]}
                </option>
              ))}
            </select>
          </Field>
          <Field id="import-numbers" label="Numbers">
            <select
              id="import-numbers"
              className="import-select"
              value={decimalComma ? 'yes' : 'no'}
              onChange={(e) => onChange({ decimalComma: e.target.value === 'yes' })}
            >
              <option value="no">{NUMBER_STYLE_LABELS.no}</option>
              <option value="yes">{NUMBER_STYLE_LABELS.yes}</option>
            </select>
          </Field>
        </div>
      </details>
    </div>
  );
}

const columnLabel = (headers: string[], index: number) => {
  const header = headers[index]?.trim() ?? '';
  return header === '' ? `column ${index + 1}` : `“${header}”`;
};

function RowsTable({
  preview,
  choices,
  loading,
  onChange,
}: {
  preview: ImportPreview;
  choices: ImportChoicesInput;
  loading: boolean;
  onChange(patch: ImportChoicesInput): void;
}) {
  const { headers } = preview.settings;
  const roles = (choices.roles ?? preview.settings.roles) as ColumnRole[];
  const rejected = preview.rows.filter((row) => row.rejected).length;

  /** One meaning per column: giving it to this column takes it from any other. */
  const setRole = (index: number, role: ColumnRole) =>
    onChange({
      roles: roles.map((current, i) =>
        i === index ? role : role !== 'ignore' && current === role ? 'ignore' : current,
      ),
    });

  if (preview.rows.length === 0) {
    return (
      <p className="notice small" role="status">
        The file has no rows under its column names, so there is nothing to import.
      </p>
    );
  }
  return (
    <>
      <p className="hint">
        Under each column name, choose what the column means. Each meaning goes to one column: choosing it for a column
        takes it from any other.
      </p>
      <NotImported columns={preview.notImported} />
      {rejected > 0 ? (
        <p className="refused" role="status">
          {formatNumber(rejected)} of these {formatNumber(preview.rows.length)} rows would be rejected; the reason is in
          the “Becomes” column.
        </p>
      ) : null}
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a wide table scrolls sideways; keyboard users scroll it once it has focus. */}
      <section className="table-scroll" aria-labelledby="preview-rows-caption" tabIndex={0}>
        <table className="data import-rows" aria-busy={loading}>
          <caption id="preview-rows-caption">
            The first {formatNumber(preview.rows.length)} rows, as they will be imported
          </caption>
          <thead>
            <tr>
              <th scope="col" className="num">
                Row
              </th>
              {headers.map((header, index) => (
                <th
                  // biome-ignore lint/suspicious/noArrayIndexKey: columns are identified by their position.
                  key={index}
                  scope="col"
                  className={roles[index] === 'ignore' ? 'unused' : undefined}
                >
                  <span className="column-name">{header || `Column ${index + 1}`}</span>
                  <select
                    className="import-select role-select"
                    aria-label={`What ${columnLabel(headers, index)} means`}
                    value={roles[index] ?? 'ignore'}
                    onChange={(e) => setRole(index, e.target.value as ColumnRole)}
                  >
                    {IMPORT_COLUMN_ROLES.map((role) => (
                      <option key={role} value={role}>
                        {ROLE_LABELS[role]}
                      </option>
                    ))}
                  </select>
                </th>
              ))}
              <th scope="col" className="becomes">
                Becomes
              </th>
            </tr>
          </thead>
          <tbody>
            {preview.rows.map((row) => (
              <tr key={row.row} className={row.rejected ? 'rejected' : undefined}>
                <td className="num">{row.row}</td>
                {headers.map((_, index) => (
                  <td
                    // biome-ignore lint/suspicious/noArrayIndexKey: cells are identified by their column's position.
                    key={index}
                    className={roles[index] === 'ignore' ? 'unused' : undefined}
                    title={row.cells[index]}
                  >
                    {row.cells[index] ?? ''}
                  </td>
                ))}
                <td className="becomes">
                  {row.rejected ? (
                    <>
                      <strong>Rejected:</strong> {row.becomes}
                    </>
                  ) : (
                    row.becomes
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}

function SavePreset({ fileId, choices, onSaved }: { fileId: string; choices: ImportChoicesInput; onSaved(): void }) {
  const [name, setName] = useState('');
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState<string>();
  const [error, setError] = useState<AppError>();

  async function save(event: FormEvent) {
    event.preventDefault();
    setSaved(undefined);
    setError(undefined);
    if (name.trim() === '') {
      setError(new AppError('validation', 'Type a name for these settings first.'));
      return;
    }
    setSaving(true);
    try {
      const result = await client.call('imports.savePreset', { fileId, name, choices });
      setSaved(result.name);
      setName('');
      onSaved();
    } catch (e) {
      setError(asAppError(e));
    } finally {
      setSaving(false);
    }
  }

  return (
    <form className="save-preset" onSubmit={save} noValidate aria-label="Save these settings">
      <label htmlFor="preset-name" className="preset-label">
        Save these settings as…
      </label>
      <div className="inline">
        <input
          id="preset-name"
          className="import-input"
          type="text"
          maxLength={80}
          placeholder="For example: Square monthly export"
          value={name}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'preset-name-error' : undefined}
          onChange={(e) => {
            setName(e.target.value);
            setSaved(undefined);
          }}
        />
        <button type="submit" className="secondary" disabled={saving}>
          {saving ? 'Saving…' : 'Save settings'}
        </button>
      </div>
      <p className="hint">Next time you import a file with the same columns, ConstIntel offers these settings.</p>
      {error ? (
        <span className="field-error" role="alert" id="preset-name-error">
          {error.message.replace(/^[\w.]+: /, '')}
        </span>
      ) : null}
      {saved ? (
        <span className="saved" role="status">
          Saved as “{saved}”.
        </span>
      ) : null}
    </form>
  );
}

function StartImport({
  fileId,
  choices,
  disabled,
  onStarted,
}: {
  fileId: string;
  choices: ImportChoicesInput;
  disabled: boolean;
  onStarted(jobId: number): void;
}) {
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<AppError>();

  async function start() {
    setStarting(true);
    setError(undefined);
    try {
      const { jobId } = await client.call('imports.start', { fileId, choices });
      onStarted(jobId);
    } catch (e) {
      setError(asAppError(e));
      setStarting(false);
    }
  }

  return (
    <div className="start-import">
      <Problem error={error} />
      <div className="actions">
        <button type="button" disabled={disabled || starting} onClick={start}>
          {starting ? 'Starting…' : 'Import'}
        </button>
        <span className="hint">
          Rows already imported before are recognised and skipped, so importing twice is safe.
        </span>
      </div>
    </div>
  );
}
