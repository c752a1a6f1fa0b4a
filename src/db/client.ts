// Opens the database named by the URL: a local file (default, WAL) or a remote libSQL server.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createClient, type Client, type InArgs, type InStatement, type ResultSet } from '@libsql/client';
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql';
import * as schema from './schema.ts';
import { migrate } from './migrate.ts';

export type Orm = LibSQLDatabase<typeof schema>;

export interface Database {
  client: Client;
  orm: Orm;
  local: boolean;
  /** Changes after every write this process commits (read caches key on it, with PRAGMA data_version for other processes). */
  writeCount(): number;
  close(): void;
}

const READ_ONLY = /^\s*(SELECT|WITH|PRAGMA|EXPLAIN)\b/i; // our WITH queries only read

/** Counts completed writes: every batch, and every execute that is not a plain read. */
function countWrites(client: Client): () => number {
  let writes = 0;
  const execute = client.execute.bind(client);
  const batch = client.batch.bind(client);
  const counted = <T>(promise: Promise<T>) => promise.finally(() => void writes++);
  client.execute = ((stmt: InStatement | string, args?: InArgs) => {
    const sql = typeof stmt === 'string' ? stmt : stmt.sql;
    const run = (typeof stmt === 'string' ? execute(stmt, args) : execute(stmt)) as Promise<ResultSet>;
    return READ_ONLY.test(sql) ? run : counted(run);
  }) as Client['execute'];
  client.batch = ((stmts, mode) => counted(batch(stmts, mode))) as Client['batch'];
  return () => writes;
}

export const BUSY_TIMEOUT_MS = 5000;

export async function openDatabase(url: string, authToken?: string): Promise<Database> {
  const local = url.startsWith('file:');
  if (local) mkdirSync(path.dirname(url.slice('file:'.length)), { recursive: true });
  // One connection: every call is a short synchronous borrow, so a pool would only split the
  // per-connection pragmas below across connections. We never hold interactive transactions.
  const client = createClient({ url, authToken, concurrency: 1 });
  if (local) {
    await client.execute('PRAGMA journal_mode = WAL');
    await client.execute(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // WAL + NORMAL stays crash-consistent and saves an fsync per commit (upload latency).
    await client.execute('PRAGMA synchronous = NORMAL');
    // 8 MiB of page cache (default 2 MiB) keeps the hot index pages of a large history in memory.
    await client.execute('PRAGMA cache_size = -8000');
  }
  await client.execute('PRAGMA foreign_keys = ON');
  await migrate(client);
  const writeCount = countWrites(client);
  const orm = drizzle(client, { schema });
  return { client, orm, local, writeCount, close: () => client.close() };
}
