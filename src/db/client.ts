// Opens the database named by the URL: a local file (default, WAL) or a remote libSQL server.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createClient, type Client } from '@libsql/client';
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql';
import * as schema from './schema.ts';
import { migrate } from './migrate.ts';

export type Orm = LibSQLDatabase<typeof schema>;

export interface Database {
  client: Client;
  orm: Orm;
  local: boolean;
  close(): void;
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
  const orm = drizzle(client, { schema });
  return { client, orm, local, close: () => client.close() };
}
