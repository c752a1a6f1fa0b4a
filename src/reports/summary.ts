// GET /api/summary (spec 02 §2.1): reads the per-job table, never the run history.
import type { Database } from '../db/client.ts';
import { readSetting } from '../db/settings.ts';
import { overdueThreshold, toleranceMinutes } from '../monitor/overdue.ts';
import { readCache } from './read-cache.ts';

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
// Storage and size: per server, its job(s) at that server's newest date (spec: per server, not per job).
const TOTALS_SQL = `
WITH newest AS (SELECT server_id, max(latest_date) AS latest FROM backup_jobs GROUP BY server_id)
SELECT
  (SELECT count(*) FROM servers) AS totalServers,
  (SELECT total(run_count) FROM backup_jobs) AS totalBackupsRuns,
  (SELECT count(*) FROM backup_jobs) AS totalBackups,
  (SELECT total(uploaded_total) FROM backup_jobs) AS totalUploadedSize,
  (SELECT max(latest) FROM newest) AS lastDate,
  total(j.latest_known_file_size) AS totalStorageUsed,
  total(j.latest_size) AS totalBackupSize
FROM newest JOIN backup_jobs j ON j.server_id = newest.server_id AND j.latest_date = newest.latest`;

type Totals = Omit<Summary, 'overdueBackupsCount' | 'secondsSinceLastBackup'> & { lastDate: string | null };

async function totals(db: Database): Promise<Totals> {
  const r = (await db.client.execute(TOTALS_SQL)).rows[0];
  return {
    totalServers: Number(r.totalServers),
    totalBackupsRuns: Number(r.totalBackupsRuns),
    totalBackups: Number(r.totalBackups),
    totalUploadedSize: Number(r.totalUploadedSize),
    totalStorageUsed: Number(r.totalStorageUsed),
    totalBackupSize: Number(r.totalBackupSize),
    lastDate: (r.lastDate as string | null) ?? null,
  };
}

// Integrations poll the summary; its totals only change with writes, so they are reused until the
// next one (readCache). The time-dependent parts are computed on every call.
const caches = new WeakMap<Database, ReturnType<typeof readCache<Totals>>>();

export async function getSummary(db: Database, now: Date): Promise<Summary> {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = readCache<Totals>(5000)));
  const { lastDate, ...sums } = await cache(db, now, () => totals(db));
  const tolerance = toleranceMinutes(await readSetting(db, 'overdue_tolerance'));
  const overdue = await db.client.execute({ sql: 'SELECT count(*) AS n FROM backup_jobs WHERE due_at < ?', args: [overdueThreshold(tolerance, now)] });
  return {
    ...sums,
    overdueBackupsCount: Number(overdue.rows[0].n),
    secondsSinceLastBackup: lastDate ? Math.floor((now.getTime() - Date.parse(lastDate)) / 1000) : null,
  };
}
