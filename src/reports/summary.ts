// GET /api/summary (spec 02 §2.1): reads the per-job table, never the run history.
import type { Database } from '../db/client.ts';
import { readSetting } from '../db/settings.ts';
import { overdueThreshold, toleranceMinutes } from '../monitor/overdue.ts';

export interface Summary {
  totalServers: number;
  totalBackupsRuns: number;
  totalBackups: number;
  totalUploadedSize: number;
  totalStorageUsed: number;
  totalBackupSize: number;
  overdueBackupsCount: number;
  secondsSinceLastBackup: number | null;
}

// total() instead of sum(): it always returns a float, so byte totals past 2^53 cannot overflow the driver.
const SUMMARY_SQL = `
SELECT
  (SELECT count(*) FROM servers) AS totalServers,
  (SELECT total(run_count) FROM backup_jobs) AS totalBackupsRuns,
  (SELECT count(*) FROM backup_jobs) AS totalBackups,
  (SELECT total(uploaded_total) FROM backup_jobs) AS totalUploadedSize,
  (SELECT count(*) FROM backup_jobs WHERE due_at < :threshold) AS overdueBackupsCount,
  (SELECT max(latest_date) FROM backup_jobs) AS lastDate,
  (SELECT total(b.known_file_size) FROM latest JOIN backups b ON b.id = latest.latest_backup_id) AS totalStorageUsed,
  (SELECT total(b.size_of_examined_files) FROM latest JOIN backups b ON b.id = latest.latest_backup_id) AS totalBackupSize`;

// Per server, the run(s) at that server's newest date (spec: per server, not per job).
const LATEST_PER_SERVER = `
WITH latest AS (
  SELECT j.latest_backup_id FROM backup_jobs j
  JOIN (SELECT server_id, max(latest_date) AS newest FROM backup_jobs GROUP BY server_id) s
    ON s.server_id = j.server_id AND j.latest_date = s.newest
)`;

export async function getSummary(db: Database, now: Date): Promise<Summary> {
  const tolerance = toleranceMinutes(await readSetting(db, 'overdue_tolerance'));
  const result = await db.client.execute({
    sql: LATEST_PER_SERVER + SUMMARY_SQL,
    args: { threshold: overdueThreshold(tolerance, now) },
  });
  const r = result.rows[0];
  const lastDate = r.lastDate as string | null;
  return {
    totalServers: Number(r.totalServers),
    totalBackupsRuns: Number(r.totalBackupsRuns),
    totalBackups: Number(r.totalBackups),
    totalUploadedSize: Number(r.totalUploadedSize),
    totalStorageUsed: Number(r.totalStorageUsed),
    totalBackupSize: Number(r.totalBackupSize),
    overdueBackupsCount: Number(r.overdueBackupsCount),
    secondsSinceLastBackup: lastDate ? Math.floor((now.getTime() - Date.parse(lastDate)) / 1000) : null,
  };
}
