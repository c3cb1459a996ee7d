/**
 * Import: a customer list or sales export dropped on the window (or picked),
 * checked in a preview where nothing is saved yet, imported with progress and
 * Cancel, summed up in words; earlier imports below.
 */
import { useState } from 'react';
import type { AppError } from '../../../shared/contract/errors';
import type { ImportFileRef } from '../../../shared/contract/imports';
import { asAppError, PageHeader, Problem } from '../components';
import { FilePicker } from '../import/FilePicker';
import { JobHistory } from '../import/JobHistory';
import { JobProgress } from '../import/JobProgress';
import { PreviewPanel } from '../import/Preview';
import { isDesktop, registerFile } from '../import/register-file';
import { formatBytes } from '../import/words';
import { usePendingCount } from '../pending';
import { useCommand } from '../use-command';

interface Job {
  id: number;
  running: boolean;
}

export function ImportPage() {
  const history = useCommand('imports.jobs', {});
  const pending = usePendingCount();
  const [file, setFile] = useState<ImportFileRef>();
  const [sending, setSending] = useState<{ name: string; bytes: number }>();
  const [fileError, setFileError] = useState<AppError>();
  const [job, setJob] = useState<Job>();
  /** An import being undone: a file imported meanwhile could lose rows to the undo, so none is taken until it ends. */
  const undoing = history.data?.find((j) => j.status === 'removing');
  const busy = sending !== undefined || job?.running === true || undoing !== undefined;

  async function choose(chosen: File) {
    setSending({ name: chosen.name, bytes: chosen.size });
    setFileError(undefined);
    try {
      const ref = await registerFile(chosen);
      setFile(ref);
      setJob(undefined);
    } catch (e) {
      setFileError(asAppError(e));
    } finally {
      setSending(undefined);
    }
  }

  const showJob = (id: number) => {
    setJob({ id, running: true });
    history.reload();
  };

  return (
    <section>
      <PageHeader title="Import">
        Bring in customers and sales from your till or online shop. You see what each row becomes before anything is
        saved.
      </PageHeader>
      <FilePicker
        busy={busy}
        busyReason={
          sending
            ? 'Wait until this file is read'
            : undoing && job?.running !== true
              ? `Wait until the import of ${undoing.fileName} is undone`
              : 'Wait until this import has finished'
        }
        onFile={choose}
      >
        {sending ? (
          <span role="status">
            {isDesktop() ? 'Opening' : 'Sending'} {sending.name} ({formatBytes(sending.bytes)})…
          </span>
        ) : file ? (
          <span data-testid="chosen-file">
            <strong>{file.name}</strong> <span className="muted">({formatBytes(file.bytes)})</span>
          </span>
        ) : null}
      </FilePicker>
      <Problem error={fileError} />
      {job ? (
        <JobProgress
          key={job.id}
          jobId={job.id}
          onEnded={() => {
            setJob((current) => (current?.id === job.id ? { id: job.id, running: false } : current));
            history.reload();
            pending.refresh();
          }}
          onAnother={() => {
            setJob(undefined);
            setFile(undefined);
          }}
          onUndone={() => {
            setJob(undefined);
            setFile(undefined);
            history.reload();
            pending.refresh();
          }}
        />
      ) : file ? (
        <PreviewPanel key={file.fileId} file={file} onStarted={showJob} />
      ) : null}
      <JobHistory
        loaded={history}
        shownJobId={job?.id}
        onShow={showJob}
        onUndone={() => {
          if (job && !job.running) setJob(undefined);
          history.reload();
          pending.refresh();
        }}
      />
    </section>
  );
}
