/**
 * How many merges wait for the shop owner's decision, for the badge on the
 * "Merge review" link. Refreshed on every page change, every 15 seconds, and
 * whenever a page says it changed the queue (approve, reject).
 */
import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from 'react';
import { useLocation } from 'react-router';
import { client } from './client';

const REFRESH_MS = 15_000;

interface Pending {
  count: number;
  refresh(): void;
}

const PendingContext = createContext<Pending>({ count: 0, refresh: () => {} });

export function PendingCountProvider({ children }: { children: ReactNode }) {
  const [count, setCount] = useState(0);
  const [version, setVersion] = useState(0);
  const { pathname } = useLocation();
  const refresh = useCallback(() => setVersion((v) => v + 1), []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `pathname` and `version` are the reasons to ask again.
  useEffect(() => {
    let live = true;
    const ask = () =>
      client.call('merges.pendingCount', {}).then(
        (result) => {
          if (live) setCount(result.count);
        },
        // The page itself shows why the backend is not answering; the badge just stays as it was.
        () => {},
      );
    void ask();
    const timer = setInterval(ask, REFRESH_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [pathname, version]);

  return <PendingContext.Provider value={{ count, refresh }}>{children}</PendingContext.Provider>;
}

export function usePendingCount(): Pending {
  return useContext(PendingContext);
}
