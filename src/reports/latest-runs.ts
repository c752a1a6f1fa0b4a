// Latest run per job of one server, newest first: served by the backup_jobs table (one row per job).
import { desc, eq, getTableColumns } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { backupJobs, backups, type Backup } from '../db/schema.ts';

export async function latestRunsOfServer(db: Database, serverId: string): Promise<Backup[]> {
  return db.orm
    .select(getTableColumns(backups))
    .from(backupJobs)
    .innerJoin(backups, eq(backups.id, backupJobs.latestBackupId))
    .where(eq(backupJobs.serverId, serverId))
    .orderBy(desc(backupJobs.latestDate), desc(backups.createdAt));
}
