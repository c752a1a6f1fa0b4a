// GET /api/dashboard (spec 02 §3.1): one record per server with its jobs' latest runs and overdue
// state, and the overall totals. Built from backup_jobs plus each job's latest run and its last
// recent statuses, so its cost follows the number of jobs, never the stored history.
import type { Database } from '../db/client.ts';
import type { Backup, BackupJob, Server } from '../db/schema.ts';
import { readSetting } from '../db/settings.ts';
import { formatHms } from '../format.ts';
import { toleranceMinutes } from '../monitor/overdue.ts';
import { monitoringFields, NOT_AVAILABLE, type MonitoredJob } from './detail-backup.ts';


const KNOWN_STATUSES = new Set(['Success', 'Unknown', 'Warning', 'Error', 'Fatal']);

type ServerRow = Pick<Server, 'id' | 'name' | 'serverUrl' | 'alias' | 'note'> & { hasPassword: 0 | 1 };

type JobRow = Pick<BackupJob, 'serverId' | 'backupName' | 'latestDate' | 'runCount'> &
  MonitoredJob &
  Pick<Backup, 'status' | 'durationSeconds' | 'examinedFiles' | 'size' | 'knownFileSize' | 'uploadedSize' | 'warnings' | 'errors' | 'backupListCount'> & {
    latestBackupId: string;
    availableBackups: string[];
    /** Newest run's status last. */
    statusHistory: string[];
  };

// The rows leave SQLite as one JSON text: parsing it once is several times faster than the
// driver's per-row objects, which dominate at thousands of jobs.
const SERVERS_SQL = `
SELECT json_group_array(json_object('id', id, 'name', name, 'serverUrl', server_url, 'alias', alias, 'note', note,
         'hasPassword', coalesce(server_password, '') <> '') ORDER BY name, id) AS rows
FROM servers`;

// Latest run by primary key; the status history is kept on the job row (backup_jobs.recent_runs).
const JOBS_SQL = `
SELECT json_group_array(json_object(
         'serverId', j.server_id, 'backupName', j.backup_name, 'latestDate', j.latest_date, 'runCount', j.run_count,
         'dueAt', j.due_at, 'overdueNotifiedAt', j.overdue_notified_at, 'notificationEvent', j.settings ->> '$.notificationEvent',
         'latestBackupId', b.id, 'status', b.status, 'durationSeconds', b.duration_seconds,
         'examinedFiles', b.examined_files, 'size', b.size, 'knownFileSize', b.known_file_size,
         'uploadedSize', b.uploaded_size, 'warnings', b.warnings, 'errors', b.errors, 'backupListCount', b.backup_list_count,
         'availableBackups', json(CASE WHEN json_valid(b.available_backups) THEN b.available_backups ELSE '[]' END),
         'statusHistory', (SELECT json_group_array(r.value ->> 1) FROM json_each(j.recent_runs) r))
       ORDER BY j.server_id, j.backup_name) AS rows
FROM backup_jobs j JOIN backups b ON b.id = j.latest_backup_id`;

async function jsonRows<T>(db: Database, sql: string): Promise<T[]> {
  const { rows } = await db.client.execute(sql);
  return JSON.parse(String(rows[0].rows)) as T[];
}

function backupInfo(job: JobRow, toleranceMin: number, now: Date) {
  return {
    name: job.backupName,
    lastBackupDate: job.latestDate,
    lastBackupId: job.latestBackupId,
    lastBackupStatus: job.status,
    lastBackupDuration: job.durationSeconds ? formatHms(job.durationSeconds) : NOT_AVAILABLE,
    lastBackupListCount: job.backupListCount || null,
    backupCount: job.runCount,
    statusHistory: job.statusHistory.map((s) => (KNOWN_STATUSES.has(s) ? s : 'Unknown')),
    fileCount: job.examinedFiles,
    fileSize: job.size,
    storageSize: job.knownFileSize,
    uploadedSize: job.uploadedSize,
    warnings: job.warnings,
    errors: job.errors,
    availableBackups: job.availableBackups,
    ...monitoringFields(job, toleranceMin, now),
  };
}

export type BackupInfo = ReturnType<typeof backupInfo>;

const sum = (infos: BackupInfo[], pick: (i: BackupInfo) => number) => infos.reduce((total, i) => total + pick(i), 0);

function serverSummary(server: ServerRow, infos: BackupInfo[], lastOverdueCheck: string) {
  // Jobs come in backup-name order, so a strict ">" lets the first job win a tie.
  const newest = infos.reduce<BackupInfo | undefined>((best, i) => (!best || i.lastBackupDate > best.lastBackupDate ? i : best), undefined);
  return {
    id: server.id,
    name: server.name,
    server_url: server.serverUrl ?? '',
    alias: server.alias ?? '',
    note: server.note ?? '',
    hasPassword: Boolean(server.hasPassword),
    backupInfo: infos,
    totalBackupCount: sum(infos, (i) => i.backupCount),
    totalStorageSize: sum(infos, (i) => i.storageSize),
    totalFileCount: sum(infos, (i) => i.fileCount),
    totalFileSize: sum(infos, (i) => i.fileSize),
    totalUploadedSize: sum(infos, (i) => i.uploadedSize),
    haveOverdueBackups: infos.some((i) => i.isBackupOverdue),
    lastBackupDate: newest?.lastBackupDate ?? NOT_AVAILABLE,
    lastBackupStatus: newest?.lastBackupStatus ?? NOT_AVAILABLE,
    lastBackupDuration: newest?.lastBackupDuration ?? NOT_AVAILABLE,
    lastBackupListCount: newest ? newest.lastBackupListCount : 0,
    // The reference never fills it; kept for the shape.
    lastBackupName: NOT_AVAILABLE,
    lastBackupId: newest?.lastBackupId ?? NOT_AVAILABLE,
    lastOverdueCheck,
    backupNames: infos.map((i) => i.name),
  };
}

export type ServerSummary = ReturnType<typeof serverSummary>;

/** Derived from the server records, as the reference does (its three size totals differ from /api/summary). */
function overallSummary(summaries: ServerSummary[], now: Date) {
  const infos = summaries.flatMap((s) => s.backupInfo);
  const lastDate = infos.reduce<string | null>((max, i) => (max === null || i.lastBackupDate > max ? i.lastBackupDate : max), null);
  return {
    totalServers: summaries.length,
    totalBackupsRuns: sum(infos, (i) => i.backupCount),
    totalBackups: infos.length,
    totalUploadedSize: sum(infos, (i) => i.uploadedSize),
    totalStorageUsed: sum(infos, (i) => i.storageSize),
    totalBackupSize: sum(infos, (i) => i.fileSize),
    overdueBackupsCount: infos.filter((i) => i.isBackupOverdue).length,
    secondsSinceLastBackup: lastDate === null ? null : Math.floor((now.getTime() - Date.parse(lastDate)) / 1000),
  };
}

/**
 * The /api/dashboard body without `chartData`: every run as a chart point grows with history, and
 * the charts fetch /api/chart-data with the window they show (spec 05 §6).
 */
export async function getDashboard(db: Database, now: Date) {
  const toleranceMin = toleranceMinutes(await readSetting(db, 'overdue_tolerance'));
  const lastOverdueCheck = (await readSetting(db, 'last_overdue_check')) ?? NOT_AVAILABLE;
  const servers = await jsonRows<ServerRow>(db, SERVERS_SQL);
  const jobs = await jsonRows<JobRow>(db, JOBS_SQL);

  const infosByServer = new Map<string, BackupInfo[]>();
  for (const job of jobs) {
    const infos = infosByServer.get(job.serverId) ?? [];
    infos.push(backupInfo(job, toleranceMin, now));
    infosByServer.set(job.serverId, infos);
  }
  const serversSummary = servers.map((s) => serverSummary(s, infosByServer.get(s.id) ?? [], lastOverdueCheck));
  return { serversSummary, overallSummary: overallSummary(serversSummary, now) };
}

export type Dashboard = Awaited<ReturnType<typeof getDashboard>>;
