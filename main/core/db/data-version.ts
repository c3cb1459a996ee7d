/**
 * Noticing what another process wrote. A `constintel import` or `retrain` in a terminal commits to the same data
 * file as the running app, whose caches (Customer 360 pages, the phone-number settings) would otherwise show the
 * old figures for minutes. SQLite's `PRAGMA data_version` changes on a connection exactly when another connection
 * has committed since it last asked; asking costs microseconds, so it is asked every CHECK_MS.
 */
import type { Database } from './open';

export const CHECK_MS = 1000;

export function watchDataVersion(db: Database, onChange: () => void, everyMs = CHECK_MS): () => void {
  const read = () => db.sqlite.pragma('data_version', { simple: true }) as number;
  let last = read();
  const timer = setInterval(() => {
    if (!db.sqlite.open) return;
    try {
      const now = read();
      if (now !== last) {
        last = now;
        onChange();
      }
    } catch {
      // The file is busy or failing: the next check tries again, and whatever failed says so itself.
    }
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
