// Shapes shared by the signed-in list views (spec 02 §0.4, §1, §3): a run without its logs, and the
// per-job monitoring fields that the dashboard and the detail page both show.
import { backups, type Backup, type BackupJob } from '../db/schema.ts';
import { elapsedText, formatHms } from '../format.ts';
import { isOverdue } from '../monitor/overdue.ts';

export const NOT_AVAILABLE = 'N/A';

/**
 * The run columns a list view reads: never the logs (decision 2), and no other column either,
 * because the driver's cost grows with every column of every row (5x for a 1,000-run server).
 */
export const detailColumns = {
  id: backups.id,
  serverId: backups.serverId,
  backupName: backups.backupName,
  date: backups.date,
  status: backups.status,
  warnings: backups.warnings,
  errors: backups.errors,
  messagesActualLength: backups.messagesActualLength,
  examinedFiles: backups.examinedFiles,
  size: backups.size,
  uploadedSize: backups.uploadedSize,
  durationSeconds: backups.durationSeconds,
  knownFileSize: backups.knownFileSize,
  backupListCount: backups.backupListCount,
  availableBackups: backups.availableBackups,
};

export type DetailRow = Pick<Backup, keyof typeof detailColumns>;

/** Stored JSON text → its strings; anything unreadable is "nothing known", never an error. */
export function stringArray(text: string | null): string[] {
  if (!text) return [];
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

/**
 * The keys `ExternalBackup` (02 §0.3) and `DetailBackup` (§0.4) share: everything but the log
 * arrays and `durationInMinutes`, which each view adds its own way.
 */
export function runSummary(run: DetailRow) {
  return {
    id: run.id,
    server_id: run.serverId,
    name: run.backupName,
    date: run.date,
    status: run.status,
    warnings: run.warnings,
    errors: run.errors,
    messages: run.messagesActualLength,
    fileCount: run.examinedFiles,
    fileSize: run.size,
    uploadedSize: run.uploadedSize,
    duration: formatHms(run.durationSeconds),
    duration_seconds: run.durationSeconds,
    knownFileSize: run.knownFileSize,
    backup_list_count: run.backupListCount,
    available_backups: stringArray(run.availableBackups),
  };
}

/** `DetailBackup`: whole minutes, and no log keys at all (decision 2). */
export function detailBackup(run: DetailRow) {
  return { ...runSummary(run), durationInMinutes: Math.floor(run.durationSeconds / 60) };
}

export type DetailBackup = ReturnType<typeof detailBackup>;

/** What the monitoring fields need from a job row; `notificationEvent` is read out of its settings. */
export type MonitoredJob = Pick<BackupJob, 'dueAt' | 'overdueNotifiedAt'> & { notificationEvent: string | null };

/**
 * Overdue state of one job (02 §1), always from backup_jobs.due_at, which monitor/overdue.ts#dueAt
 * computed; a job that is not monitored has no expected date.
 */
export function monitoringFields(job: MonitoredJob, toleranceMin: number, now: Date) {
  return {
    isBackupOverdue: isOverdue(job.dueAt, toleranceMin, now),
    ...(job.notificationEvent !== null && { notificationEvent: job.notificationEvent }),
    expectedBackupDate: job.dueAt ?? NOT_AVAILABLE,
    expectedBackupElapsed: job.dueAt === null ? NOT_AVAILABLE : elapsedText(job.dueAt, now),
    lastNotificationSent: job.overdueNotifiedAt ?? NOT_AVAILABLE,
  };
}
