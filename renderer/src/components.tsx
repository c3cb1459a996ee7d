/**
 * Small pieces every page uses: page header, problem banner, section heading with Refresh, "not built yet" notice,
 * a wide table's own scroll box, inline confirm, copy field.
 */
import { type ReactNode, useState } from 'react';
import { AppError } from '../../shared/contract/errors';
import { confidence } from './format';

export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <header className="page-header">
      <h1>{title}</h1>
      {children ? <p className="lead">{children}</p> : null}
    </header>
  );
}

export function Problem({ error }: { error: AppError | undefined }) {
  if (!error) return null;
  const hint =
    error.kind === 'auth'
      ? ' Open ConstIntel with the link it printed when it started (it contains your access key).'
      : error.kind === 'unavailable'
        ? ' Check that ConstIntel is still running, then reload this page.'
        : '';
  return (
    <div className="problem" role="alert">
      {error.message}
      {hint}
    </div>
  );
}

/** A panel's heading with a Refresh button for the list it shows. */
export function SectionHead({
  id,
  title,
  onRefresh,
  busy,
}: {
  id: string;
  title: string;
  onRefresh(): void;
  busy: boolean;
}) {
  return (
    <div className="section-head">
      <h2 id={id}>{title}</h2>
      <button type="button" className="secondary" onClick={onRefresh} disabled={busy}>
        Refresh
      </button>
    </div>
  );
}

/** For a page whose feature is not built yet: say so plainly, and what it will do. */
export function NotBuiltYet({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section>
      <PageHeader title={title} />
      <div className="notice" data-testid="not-built">
        <strong>This page is not built yet.</strong> {children}
      </div>
    </section>
  );
}

/**
 * A table that may be wider than the page's column scrolls sideways inside this box, never the whole page. The box
 * is a named region a keyboard can focus, so the arrow keys scroll it too (axe-core's scrollable-region-focusable).
 */
export function TableScroll({
  label,
  labelledBy,
  className,
  children,
}: {
  label?: string;
  labelledBy?: string;
  className?: string;
  children: ReactNode;
}) {
  return (
    <section
      className={className ? `table-scroll ${className}` : 'table-scroll'}
      aria-label={label}
      aria-labelledby={labelledBy}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a named region that scrolls needs a Tab stop to scroll it by keyboard.
      tabIndex={0}
    >
      {children}
    </section>
  );
}

/** A bar from 0 to 100 that screen readers announce with `label` and `valueText`. */
export function ProgressBar({ label, percent, valueText }: { label: string; percent: number; valueText: string }) {
  return (
    <div
      className="progress"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent}
      aria-valuetext={valueText}
    >
      <div className="progress-fill" style={{ width: `${percent}%` }} />
    </div>
  );
}

/** Any thrown value as an AppError, so one banner can show it. */
export function asAppError(e: unknown): AppError {
  return e instanceof AppError ? e : new AppError('internal', String(e));
}

/**
 * A button that asks "Are you sure?" in place before acting (no pop-up
 * dialog): the first press shows the question and two buttons.
 */
export function ConfirmAction({
  label,
  question,
  confirmLabel,
  busyLabel = 'Working…',
  disabled = false,
  onConfirm,
}: {
  label: string;
  question: string;
  confirmLabel: string;
  busyLabel?: string;
  disabled?: boolean;
  onConfirm(): Promise<void>;
}) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  if (busy) {
    return (
      <button type="button" disabled>
        {busyLabel}
      </button>
    );
  }
  if (!asking) {
    return (
      <button type="button" className="secondary" disabled={disabled} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <span className="confirm">
      <span>{question}</span>
      <button
        type="button"
        className="danger"
        onClick={async () => {
          setBusy(true);
          try {
            await onConfirm();
          } finally {
            setBusy(false);
            setAsking(false);
          }
        }}
      >
        {confirmLabel}
      </button>
      <button type="button" className="secondary" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}

/** "Match confidence: high", with the underlying number on hover. */
export function Confidence({ strength }: { strength: number }) {
  const { word, title } = confidence(strength);
  return (
    <span className={`confidence confidence-${word}`} title={title}>
      Match confidence: {word}
    </span>
  );
}

/**
 * A value to paste somewhere else (an address, a key): read-only, selected on
 * focus, copied with one press. When the clipboard refuses, says so in place.
 */
export function CopyField({ id, label, value }: { id: string; label: string; value: string }) {
  const [copied, setCopied] = useState<'yes' | 'failed'>();
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
  }
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <div className="inline">
        <input id={id} type="text" readOnly className="mono" value={value} onFocus={(e) => e.target.select()} />
        <button type="button" className="secondary" onClick={copy}>
          {copied === 'yes' ? 'Copied' : 'Copy'}
          <span className="sr-only"> {label}</span>
        </button>
      </div>
      {copied === 'failed' ? (
        <span className="field-error" role="alert">
          Could not copy: select the text and copy it by hand.
        </span>
      ) : null}
    </>
  );
}
