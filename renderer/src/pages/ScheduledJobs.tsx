/**
 * Settings → Scheduled work: what ConstIntel does by itself (the nightly
 * retrain, the checkout sweep), when each last ran and how it went, and when
 * it runs next, in the shop's time zone.
 */
import { useEffect } from 'react';
import type { ScheduledJobView } from '../../../shared/contract/jobs';
import { Problem, TableScroll } from '../components';
import { useCommand } from '../use-command';

/** Refreshed this often while the page is open, so "running now" and the last result follow. */
const REFRESH_MS = 15_000;

/** A time in the shop's zone: "Tue 3 Mar, 03:00". */
function formatInZone(iso: string, timeZone: string): string {
  const options: Intl.DateTimeFormatOptions = {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
  };
  try {
    return new Intl.DateTimeFormat(undefined, { ...options, timeZone }).format(new Date(iso));
  } catch {
    return new Intl.DateTimeFormat(undefined, options).format(new Date(iso));
  }
}

function lastRun(job: ScheduledJobView, timeZone: string): string {
  if (job.running)
    return job.lastRunAt ? `Running now (since ${formatInZone(job.lastRunAt, timeZone)})` : 'Running now';
  if (!job.lastRunAt) return 'Not run yet';
  const when = formatInZone(job.lastRunAt, timeZone);
  const message = job.lastMessage ? ` ${job.lastMessage}` : '';
  switch (job.lastResult) {
    case 'ok':
      return `${when}: done.${message}`;
    case 'failed':
      return `${when}: did not finish.${message}`;
    case 'stopped':
      return `${when}: stopped when ConstIntel was closed.`;
    default:
      // Claimed, never released, and the claim has expired: the process running it was stopped (killed, PC off).
      return `${when}: did not finish; ConstIntel stopped while it ran.`;
  }
}

function nextRun(job: ScheduledJobView, timeZone: string): string {
  if (!job.enabled) return 'Off';
  return job.nextRunAt ? formatInZone(job.nextRunAt, timeZone) : '—';
}

export function ScheduledJobs({ version }: { version: number }) {
  const jobs = useCommand('jobs.list', {});
  const { reload } = jobs;
  useEffect(() => {
    const timer = setInterval(reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);
  // Saved settings (a new time zone) move the next runs: read them again.
  useEffect(() => {
    if (version > 0) reload();
  }, [reload, version]);
  const timeZone = jobs.data?.timeZone;

  return (
    <div className="settings scheduled-jobs">
      <fieldset>
        <legend>Scheduled work</legend>
        <Problem error={jobs.error} />
        <p className="hint">
          What ConstIntel does by itself while it is open, by the shop's clock
          {timeZone ? ` (${timeZone})` : ''}. If the PC was asleep at the time, it runs once when the PC wakes; it never
          runs twice at the same time, also not beside the same work started from a terminal.
        </p>
        {jobs.data && timeZone ? (
          <TableScroll label="Scheduled work, one per row">
            <table className="data" data-testid="scheduled-jobs">
              <thead>
                <tr>
                  <th>What</th>
                  <th>Last run</th>
                  <th>Next run</th>
                </tr>
              </thead>
              <tbody>
                {jobs.data.jobs.map((job) => (
                  <tr key={job.name} data-job={job.name}>
                    <td>{job.description}</td>
                    <td>{lastRun(job, timeZone)}</td>
                    <td className="nowrap">{nextRun(job, timeZone)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        ) : jobs.loading ? (
          <p>Loading…</p>
        ) : null}
      </fieldset>
    </div>
  );
}
