/**
 * Prepared statements, compiled once per connection and cached on the handle: ingestion runs the same few
 * statements for every event, and preparing them each time costs more than running them.
 */
import type { Statement } from 'better-sqlite3';
import type { Database } from './open';

const cache = new WeakMap<Database, Map<string, Statement>>();

/** A prepared statement, compiled once per connection. */
export function stmt(db: Database, sql: string): Statement {
  let map = cache.get(db);
  if (!map) {
    map = new Map();
    cache.set(db, map);
  }
  let statement = map.get(sql);
  if (!statement) {
    statement = db.sqlite.prepare(sql);
    map.set(sql, statement);
  }
  return statement;
}
