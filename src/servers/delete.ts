// DELETE /api/servers/:id (spec 02 §3.5): the server with all its runs and job rows (settings and
// overdue state included), in one transaction; nothing of any other server is touched.
import { eq } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { backupJobs, backups, servers } from '../db/schema.ts';
import { withWriteLock } from '../db/write-lock.ts';
import { daysOfServers, refreshDays } from '../ingest/days.ts';
import { fail, type Failure } from '../outcome.ts';
import { serverNotFound } from './update.ts';

export interface DeletedServer {
  message: string;
  status: 200;
  changes: { backupChanges: number; serverChanges: number };
}

/** `value` is the response body; `serverName` is for the audit row. */
export async function deleteServer(db: Database, id: string): Promise<{ ok: true; value: DeletedServer; serverName: string } | Failure> {
  if (id === '') return fail(400, 'Server ID is required', 'The path names no server');
  return withWriteLock(db, async () => {
    const [server] = await db.orm.select({ name: servers.name }).from(servers).where(eq(servers.id, id));
    if (!server) return serverNotFound(id);
    const days = await daysOfServers(db.orm, [id]);
    // Children first: both tables reference servers.
    const [runs, , gone] = await db.orm.batch([
      db.orm.delete(backups).where(eq(backups.serverId, id)),
      db.orm.delete(backupJobs).where(eq(backupJobs.serverId, id)),
      db.orm.delete(servers).where(eq(servers.id, id)),
      ...refreshDays(db.orm, days),
    ]);
    const value: DeletedServer = {
      message: `Successfully deleted server and ${runs.rowsAffected} backups`,
      status: 200,
      changes: { backupChanges: runs.rowsAffected, serverChanges: gone.rowsAffected },
    };
    return { ok: true, value, serverName: server.name };
  });
}
