/**
 * An answer too wide for the automations list's column (a dry run, "Did it help?"), shown in a modal dialog that opens
 * as soon as it is mounted: a heading that names it, a Close button first, Escape closes it too.
 */
import { type ReactNode, useEffect, useId, useRef } from 'react';

export function ResultDialog({
  title,
  className,
  onClose,
  children,
}: {
  title: string;
  className?: string;
  onClose(): void;
  children: ReactNode;
}) {
  const headingId = useId();
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    if (dialog.current && !dialog.current.open) dialog.current.showModal();
  }, []);
  return (
    <dialog
      ref={dialog}
      aria-labelledby={headingId}
      className={className}
      onClose={onClose}
      style={{
        width: 'min(52rem, calc(100vw - 4rem))',
        maxHeight: 'calc(100vh - 4rem)',
        padding: '1.5rem',
        margin: 'auto',
      }}
    >
      <form method="dialog" style={{ float: 'right' }}>
        <button type="submit" className="secondary small">
          Close
        </button>
      </form>
      <h2 id={headingId}>{title}</h2>
      {children}
    </dialog>
  );
}
