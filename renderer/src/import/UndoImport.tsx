/**
 * Undoing an import, from the history or right after it ended: asked first, then the import shows as being undone
 * until everything it added is gone (large ones take a while; the app keeps working meanwhile).
 */
import { useState } from 'react';
import type { AppError } from '../../../shared/contract/errors';
import type { ImportJobView } from '../../../shared/contract/imports';
import { client } from '../client';
import { asAppError, ConfirmAction, Problem } from '../components';
import { formatNumber } from '../format';

/** Statuses an import can be undone from (a running one is cancelled first). */
const UNDOABLE: readonly ImportJobView['status'][] = ['completed', 'cancelled', 'failed', 'interrupted'];

export const canUndo = (job: ImportJobView) => UNDOABLE.includes(job.status);

export function UndoImport({ job, onUndone }: { job: ImportJobView; onUndone(): void }) {
  const [error, setError] = useState<AppError>();
  if (!canUndo(job)) return null;
  return (
    <span className="undo-import">
      <ConfirmAction
        label={`Undo this import`}
        question={`Remove what ${job.fileName} added? Its ${formatNumber(job.eventsCreated)} sales and customer details go, customers only it added go, and customers it joined together are separated again. You can import the file again afterwards.`}
        confirmLabel="Yes, undo it"
        busyLabel="Undoing…"
        onConfirm={async () => {
          setError(undefined);
          try {
            await client.call('imports.undo', { jobId: job.id });
            onUndone();
          } catch (e) {
            setError(asAppError(e));
          }
        }}
      />
      <Problem error={error} />
    </span>
  );
}

/** What undoing it did (or has done so far), in words. */
export function RemovalText({ job }: { job: ImportJobView }) {
  const removal = job.removal;
  if (!removal) return null;
  const kept =
    removal.customersKept > 0
      ? ` ${formatNumber(removal.customersKept)} ${removal.customersKept === 1 ? 'customer it had sales or details for stays' : 'customers it had sales or details for stay'} (they were there before, or bought or were sent a message since); their totals were worked out again.`
      : '';
  if (job.status === 'removing')
    return (
      <span className="removal-text" role="status">
        {formatNumber(removal.events)} of its {formatNumber(job.eventsCreated)} sales and customer details removed so
        far.
      </span>
    );
  if (job.status !== 'removed') return null;
  return (
    <span className="removal-text">
      Removed {formatNumber(removal.events)} sales and customer details and {formatNumber(removal.customers)}{' '}
      {removal.customers === 1 ? 'customer' : 'customers'}
      {removal.merges > 0
        ? `, and undid ${formatNumber(removal.merges)} ${removal.merges === 1 ? 'merge' : 'merges'} it had made`
        : ''}
      .{kept}
    </span>
  );
}
