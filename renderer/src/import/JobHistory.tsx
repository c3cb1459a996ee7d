/**
 * "Earlier imports": the last 50 jobs, newest first, with a way back to one still running and a way to undo one
 * (followed every second while one is being undone).
 */
import { useEffect } from 'react';
import type { ImportJobView } from '../../../shared/contract/imports';
import { Problem, SectionHead, TableScroll } from '../components';
import { formatDateTime, formatNumber } from '../format';
import type { Loaded } from '../use-command';
import { RejectedLink } from './JobProgress';
import { RemovalText, UndoImport } from './UndoImport';
import { STATUS_LABELS } from './words';

export function JobHistory({
  loaded,
  shownJobId,
  onShow,
  onUndone,
}: {
  loaded: Loaded<ImportJobView[]>;
  /** The job already shown above (no "Show progress" for it). */
  shownJobId: number | undefined;
  onShow(jobId: number): void;
  onUndone(): void;
}) {
  const jobs = loaded.data;
  const removing = jobs?.some((job) => job.status === 'removing') === true;
  const { reload } = loaded;
  useEffect(() => {
    if (!removing) return;
    const timer = setInterval(reload, 1000);
    return () => clearInterval(timer);
  }, [removing, reload]);
  return (
    <section className="panel" aria-labelledby="import-history-heading">
      <SectionHead
        id="import-history-heading"
        title="Earlier imports"
        onRefresh={loaded.reload}
        busy={loaded.loading}
      />
      <Problem error={loaded.error} />
      {jobs ? (
        jobs.length === 0 ? (
          <p className="muted" data-testid="no-imports">
            Nothing imported yet. Your imports will be listed here.
          </p>
        ) : (
          <TableScroll label="Imports so far">
            <table className="data import-history" aria-labelledby="import-history-heading" aria-busy={loaded.loading}>
              <thead>
                <tr>
                  <th scope="col">File</th>
                  <th scope="col">When</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="num">
                    Rows
                  </th>
                  <th scope="col" className="num">
                    Added
                  </th>
                  <th scope="col" className="num">
                    Rejected
                  </th>
                </tr>
              </thead>
              <tbody>
                {jobs.map((job) => (
                  <tr key={job.id}>
                    <td className="file-name">{job.fileName}</td>
                    <td>
                      <time dateTime={job.startedAt}>{formatDateTime(job.startedAt)}</time>
                    </td>
                    <td className={job.status === 'failed' || job.status === 'interrupted' ? 'refused' : undefined}>
                      {STATUS_LABELS[job.status]}
                      {job.status === 'running' && job.id !== shownJobId ? (
                        <>
                          {' '}
                          <button type="button" className="secondary small" onClick={() => onShow(job.id)}>
                            Show progress
                            <span className="sr-only"> of {job.fileName}</span>
                          </button>
                        </>
                      ) : null}
                      {job.removal ? (
                        <>
                          <br />
                          <RemovalText job={job} />
                        </>
                      ) : null}
                      {job.removal && job.status !== 'removing' && job.status !== 'removed' && job.error ? (
                        <>
                          <br />
                          <span className="refused">{job.error}</span>
                        </>
                      ) : null}
                      {job.id !== shownJobId ? (
                        <>
                          {' '}
                          <UndoImport job={job} onUndone={onUndone} />
                        </>
                      ) : null}
                    </td>
                    <td className="num">{formatNumber(job.rowsRead)}</td>
                    <td className="num">{formatNumber(job.eventsCreated)}</td>
                    <td className="num">
                      {formatNumber(job.rejected)}
                      {job.rejectedUrl ? (
                        <>
                          {' '}
                          <RejectedLink job={job}>
                            Download<span className="sr-only"> the rejected rows of {job.fileName}</span>
                          </RejectedLink>
                        </>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )
      ) : loaded.loading ? (
        <p>Loading…</p>
      ) : null}
    </section>
  );
}
