/**
 * Follows a background job (an import, a retrain): asks for it every `pollMs`
 * while it runs, more slowly after a failed ask (ConstIntel busy or
 * restarting), stops when it is gone, and calls `onEnded` once it is no longer
 * running. Until the job's first answer nothing is shown, so a previous job is
 * never shown as if it were this one.
 */
import { useEffect, useRef, useState } from 'react';
import type { AppError } from '../../shared/contract/errors';
import type { CommandInput, CommandOutput } from '../../shared/contract/index';
import { client } from './client';
import { asAppError } from './components';

type JobCommand = 'imports.job' | 'models.job';
const RETRY_MS = 2_000;

export function usePolledJob<N extends JobCommand>(
  command: N,
  jobId: number | undefined,
  onEnded: (job: CommandOutput<N>) => void,
  pollMs: number,
): { job: CommandOutput<N> | undefined; error: AppError | undefined } {
  const [job, setJob] = useState<CommandOutput<N>>();
  const [error, setError] = useState<AppError>();
  const ended = useRef(onEnded);
  ended.current = onEnded;

  useEffect(() => {
    setJob(undefined);
    setError(undefined);
    if (jobId === undefined) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ask = async () => {
      let next = pollMs;
      try {
        const current = await client.call(command, { jobId } as CommandInput<N>);
        if (!live) return;
        setJob(current);
        setError(undefined);
        if (current.status !== 'running') {
          ended.current(current);
          return;
        }
      } catch (e) {
        if (!live) return;
        const problem = asAppError(e);
        setError(problem);
        if (problem.kind === 'not_found') return;
        next = RETRY_MS;
      }
      timer = setTimeout(ask, next);
    };
    void ask();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [command, jobId, pollMs]);

  return { job: job?.id === jobId ? job : undefined, error };
}
