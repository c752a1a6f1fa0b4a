// Read-compute-write sequences (an upload's job state, a merge, a refresh of derived rows) run one
// at a time per database, so none computes from state another is about to replace. Unique
// indexes still guard against writers in other processes (e.g. the CLI).
import type { Database } from './client.ts';

const queues = new WeakMap<Database, Promise<unknown>>();

export function withWriteLock<T>(db: Database, work: () => Promise<T>): Promise<T> {
  const previous = queues.get(db) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(work);
  queues.set(db, next);
  return next;
}
