/**
 * A running import: how far it got, Cancel, and once it ends, what it did in
 * words (with the rejected rows to download, and what to do after a failure).
 */
import { type MouseEvent, type ReactNode, useState } from 'react';
import { Link } from 'react-router';
import type { AppError } from '../../../shared/contract/errors';
import type { ImportJobView } from '../../../shared/contract/imports';
import { client, downloadWithAccess } from '../client';
import { asAppError, Problem, ProgressBar } from '../components';
import { formatNumber } from '../format';
import { usePolledJob } from '../use-polled-job';
import { isDesktop } from './register-file';
import { RemovalText, UndoImport } from './UndoImport';
import { percentRead } from './words';

const POLL_MS = 300;
const AGAIN = 'Import the same file again: rows already imported are skipped, so nothing is counted twice.';

export function JobProgress({
  jobId,
  onEnded,
  onAnother,
  onUndone,
}: {
  jobId: number;
  onEnded(job: ImportJobView): void;
  /** Leave the finished job for a new file. */
  onAnother(): void;
  /** The shop undid the job just shown (it goes on being undone in the history). */
  onUndone(): void;
}) {
  const { job, error } = usePolledJob('imports.job', jobId, onEnded, POLL_MS);
  return (
    <section className="panel import-job" aria-labelledby="job-heading">
      {job ? (
        job.status === 'running' ? (
          <Running job={job} />
        ) : (
          <Ended job={job} onAnother={onAnother} onUndone={onUndone} />
        )
      ) : (
        <h2 id="job-heading">Starting the import…</h2>
      )}
      <Problem error={error} />
    </section>
  );
}

function FileProgress({ job }: { job: ImportJobView }) {
  const percent = percentRead(job);
  return <ProgressBar label="Share of the file imported" percent={percent} valueText={`${percent}%`} />;
}

function Running({ job }: { job: ImportJobView }) {
  const [cancelling, setCancelling] = useState(false);
  const [error, setError] = useState<AppError>();

  async function cancel() {
    setCancelling(true);
    setError(undefined);
    try {
      await client.call('imports.cancel', { jobId: job.id });
    } catch (e) {
      setError(asAppError(e));
      setCancelling(false);
    }
  }

  return (
    <>
      <h2 id="job-heading">Importing {job.fileName}…</h2>
      <FileProgress job={job} />
      <p className="actions">
        <span role="status" data-testid="rows-so-far">
          {percentRead(job)}% of the file, {formatNumber(job.rowsRead)} rows read so far.
        </span>
        <button type="button" className="secondary" disabled={cancelling} onClick={cancel}>
          {cancelling ? 'Stopping…' : 'Cancel'}
        </button>
      </p>
      <p className="hint">
        You can leave this page: the import goes on. Cancel keeps the rows already imported; import the file again later
        to finish it.
      </p>
      <Problem error={error} />
    </>
  );
}

const ENDED_HEADINGS: Record<Exclude<ImportJobView['status'], 'running'>, string> = {
  completed: 'Import finished',
  cancelled: 'Import stopped',
  failed: 'The import failed',
  interrupted: 'The import was cut short',
  removing: 'This import is being undone',
  removed: 'This import was undone',
};

/** Green when done, plain when the shop stopped it, red when something went wrong. */
const ENDED_CLASSES: Record<keyof typeof ENDED_HEADINGS, string | undefined> = {
  completed: 'saved',
  cancelled: undefined,
  failed: 'refused',
  interrupted: 'refused',
  removing: undefined,
  removed: undefined,
};

function Ended({ job, onAnother, onUndone }: { job: ImportJobView; onAnother(): void; onUndone(): void }) {
  const status = job.status as keyof typeof ENDED_HEADINGS;
  return (
    <>
      <h2 id="job-heading">{ENDED_HEADINGS[status]}</h2>
      <FileProgress job={job} />
      <div role="status" className={ENDED_CLASSES[status]}>
        <EndedText job={job} />
      </div>
      <Summary job={job} />
      <RejectedRows job={job} />
      <p className="actions">
        <button type="button" className="secondary" onClick={onAnother}>
          Import another file
        </button>{' '}
        <UndoImport job={job} onUndone={onUndone} />
      </p>
    </>
  );
}

function EndedText({ job }: { job: ImportJobView }) {
  const rows = formatNumber(job.rowsRead);
  switch (job.status) {
    case 'completed':
      return (
        <p className="ended-text">
          All {rows} rows of {job.fileName} were read.
        </p>
      );
    case 'cancelled':
      return (
        <p className="ended-text">
          You stopped it after {rows} rows; those are kept. {AGAIN}
        </p>
      );
    case 'failed':
      return (
        <p className="ended-text">
          It stopped after {rows} rows{job.error ? `: ${job.error.replace(/\.?$/, '.')}` : '.'} {AGAIN}
        </p>
      );
    case 'removing':
    case 'removed':
      return (
        <p className="ended-text">
          <RemovalText job={job} />
        </p>
      );
    default:
      return (
        <p className="ended-text">
          ConstIntel was closed while it ran, after {rows} rows; those are kept. {AGAIN}
        </p>
      );
  }
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="fact">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function Summary({ job }: { job: ImportJobView }) {
  return (
    <dl className="facts plain compact import-summary" aria-label="What the import did">
      <Fact label="Rows read">{formatNumber(job.rowsRead)}</Fact>
      <Fact label="Sales, refunds and customer details added">{formatNumber(job.eventsCreated)}</Fact>
      <Fact label="New customers">{formatNumber(job.profilesCreated)}</Fact>
      <Fact label="Merged automatically with customers you had">{formatNumber(job.autoMerged)}</Fact>
      <Fact label="Waiting for you in Merge review">
        {formatNumber(job.queuedForReview)}
        {job.queuedForReview > 0 ? (
          <>
            {' '}
            — <Link to="/merge-review">open Merge review</Link>
          </>
        ) : null}
      </Fact>
      <Fact label="Already known (skipped)">{formatNumber(job.duplicates)}</Fact>
      <Fact label="Sales without a customer">{formatNumber(job.anonymousSales)}</Fact>
      <Fact label="Rows rejected">{formatNumber(job.rejected)}</Fact>
      {job.phonesUnreadable > 0 ? (
        <Fact label="Phone numbers not read">
          {formatNumber(job.phonesUnreadable)} (not stored: check the country for phone numbers written without one)
        </Fact>
      ) : null}
    </dl>
  );
}

function RejectedRows({ job }: { job: ImportJobView }) {
  if (job.rejected === 0 || !job.rejectedUrl) return null;
  return (
    <p className="rejected-rows">
      {formatNumber(job.rejected)} {job.rejected === 1 ? 'row was' : 'rows were'} not imported.{' '}
      <RejectedLink job={job}>Download the rejected rows (CSV)</RejectedLink>: each has the reason in its last column.
      Fix them in a spreadsheet and import that file.
    </p>
  );
}

/**
 * The link to a job's rejected rows (served at the same address in a browser and in the desktop window). In a
 * browser the server wants the access key as a header, which a plain link cannot send: the click fetches the file.
 */
export function RejectedLink({ job, children }: { job: ImportJobView; children: ReactNode }) {
  const [problem, setProblem] = useState<AppError>();
  const url = job.rejectedUrl;
  if (!url) return null;
  const fetchIt = (event: MouseEvent<HTMLAnchorElement>) => {
    event.preventDefault();
    setProblem(undefined);
    downloadWithAccess(url, `import-${job.id}-rejected-rows.csv`).catch((error: unknown) =>
      setProblem(asAppError(error)),
    );
  };
  return (
    <>
      <a href={url} download onClick={isDesktop() ? undefined : fetchIt}>
        {children}
      </a>
      {problem ? (
        <span className="problem" role="alert">
          {' '}
          {problem.message}
        </span>
      ) : null}
    </>
  );
}
