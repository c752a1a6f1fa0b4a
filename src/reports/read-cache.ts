// A one-entry cache for expensive reads (the dashboard): reused while nothing was written —
// by this process (Database.writeCount) or another one (SQLite's data_version) — and for at most
// `ttlMs`, because time-dependent fields (overdue, "N minutes") move on without writes.
import type { Database } from '../db/client.ts';

async function dataVersion(db: Database): Promise<string> {
  if (!db.local) return '';
  const { rows } = await db.client.execute('PRAGMA data_version');
  return String(rows[0]?.[0]);
}

export function readCache<T>(ttlMs: number) {
  let entry: { key: string; at: number; value: T } | undefined;
  return async (db: Database, now: Date, compute: () => Promise<T>): Promise<T> => {
    const key = `${db.writeCount()}:${await dataVersion(db)}`;
    if (entry && entry.key === key && now.getTime() - entry.at < ttlMs && now.getTime() >= entry.at) return entry.value;
    const value = await compute();
    entry = { key, at: now.getTime(), value };
    return value;
  };
}
