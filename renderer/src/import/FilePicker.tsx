/**
 * Where a file comes in: dropped anywhere on the window while the Import page
 * is open (an overlay says so while a file is dragged over it), or picked
 * with "Choose a file…".
 */
import { type ReactNode, useEffect, useRef, useState } from 'react';

const ACCEPT = '.csv,.txt,.tsv,.xlsx,.xlsm';

const carriesFiles = (event: DragEvent) => event.dataTransfer?.types.includes('Files') === true;

/** Window-level drag and drop; `busy` still swallows the drop (else the browser would open the file) but ignores it. */
function useWindowDrop(busy: boolean, onFile: (file: File) => void): boolean {
  const [dragging, setDragging] = useState(false);
  const latest = useRef({ busy, onFile });
  latest.current = { busy, onFile };

  useEffect(() => {
    // dragenter/dragleave fire for every element crossed: count them to know when the drag left the window.
    let depth = 0;
    const enter = (event: DragEvent) => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      depth += 1;
      setDragging(true);
    };
    const over = (event: DragEvent) => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = latest.current.busy ? 'none' : 'copy';
    };
    const leave = (event: DragEvent) => {
      if (!carriesFiles(event)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(false);
    };
    const drop = (event: DragEvent) => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      depth = 0;
      setDragging(false);
      const file = event.dataTransfer?.files[0];
      if (file && !latest.current.busy) latest.current.onFile(file);
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragover', over);
      window.removeEventListener('drop', drop);
      window.removeEventListener('dragleave', leave);
    };
  }, []);

  return dragging;
}

export function FilePicker({
  busy,
  busyReason,
  onFile,
  children,
}: {
  busy: boolean;
  /** Shown on the overlay when a file is dragged in while `busy`. */
  busyReason: string;
  onFile(file: File): void;
  /** What sits beside the button: the chosen file, its upload, a problem. */
  children?: ReactNode;
}) {
  const dragging = useWindowDrop(busy, onFile);
  const input = useRef<HTMLInputElement>(null);

  return (
    <div className="drop-zone">
      <p className="drop-intro">
        <strong>Drop a file anywhere on this window</strong>, or choose one. A customer list or a sales export from your
        till, Shopify, Square, Loyverse or Lightspeed, saved as CSV or Excel (.xlsx).
      </p>
      <div className="actions">
        <button type="button" className="secondary" disabled={busy} onClick={() => input.current?.click()}>
          Choose a file…
        </button>
        <input
          ref={input}
          type="file"
          accept={ACCEPT}
          hidden
          data-testid="import-file-input"
          aria-label="Choose a file to import"
          onChange={(event) => {
            const file = event.target.files?.[0];
            // Cleared so that choosing the same file again is seen as a new choice.
            event.target.value = '';
            if (file) onFile(file);
          }}
        />
        {children}
      </div>
      {dragging ? (
        <div className="drop-overlay" aria-hidden="true">
          <p className="drop-overlay-text">{busy ? busyReason : 'Drop the file to import it'}</p>
        </div>
      ) : null}
    </div>
  );
}
