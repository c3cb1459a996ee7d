/** Loads a command's result for a page, with loading and error states. */
import { useCallback, useEffect, useState } from 'react';
import type { AppError } from '../../shared/contract/errors';
import type { CommandInput, CommandName, CommandOutput } from '../../shared/contract/index';
import { client } from './client';

export interface Loaded<T> {
  data: T | undefined;
  error: AppError | undefined;
  loading: boolean;
  reload(): void;
}

export function useCommand<N extends CommandName>(name: N, input: CommandInput<N>): Loaded<CommandOutput<N>> {
  const [data, setData] = useState<CommandOutput<N>>();
  const [error, setError] = useState<AppError>();
  const [loading, setLoading] = useState(true);
  const [version, setVersion] = useState(0);
  const key = JSON.stringify(input);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for `input`; `version` forces a reload.
  useEffect(() => {
    let live = true;
    setLoading(true);
    client.call(name, JSON.parse(key) as CommandInput<N>).then(
      (result) => {
        if (!live) return;
        setData(result);
        setError(undefined);
        setLoading(false);
      },
      (err: AppError) => {
        if (!live) return;
        setError(err);
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
  }, [name, key, version]);

  const reload = useCallback(() => setVersion((v) => v + 1), []);
  return { data, error, loading, reload };
}
