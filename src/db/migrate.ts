// Applies the embedded drizzle migrations, keeping drizzle's own bookkeeping table so that
// drizzle-kit and this migrator agree on what has run.
import type { Client } from '@libsql/client';
import { migrations } from './migrations.gen.ts';

const TABLE = '__drizzle_migrations';

export async function migrate(client: Client): Promise<number> {
  await client.execute(`CREATE TABLE IF NOT EXISTS ${TABLE} (id INTEGER PRIMARY KEY, hash text NOT NULL, created_at numeric)`);
  const last = await client.execute(`SELECT created_at FROM ${TABLE} ORDER BY created_at DESC LIMIT 1`);
  const appliedUntil = last.rows.length ? Number(last.rows[0].created_at) : -1;
  const pending = migrations.filter((m) => m.folderMillis > appliedUntil);
  if (pending.length === 0) return 0;
  await client.migrate(
    pending.flatMap((m) => [
      ...m.statements,
      { sql: `INSERT INTO ${TABLE} (hash, created_at) VALUES (?, ?)`, args: [m.hash, m.folderMillis] },
    ]),
  );
  return pending.length;
}
