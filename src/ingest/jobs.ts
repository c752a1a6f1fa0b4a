// The backup_jobs table: one row per (server, backup name) derived from the runs, so reads of
// "latest run per job", totals and overdue never scan history. Two ways to keep it true:
// nextJobState() for one incoming run, refreshJobs() to recompute after bulk changes.
import type { InStatement } from '@libsql/client';
import type { Database } from '../db/client.ts';
import type { BackupJob } from '../db/schema.ts';
import { withWriteLock } from '../db/write-lock.ts';
import { refreshAllDays } from './days.ts';
import { dueAt, reconcileSettings, type BackupSettings } from '../monitor/overdue.ts';

/** How many runs the dashboard's status bar shows (spec 05 §5.3). */
export const RECENT_RUNS = 10;
export type RecentRun = [date: string, status: string];

export interface IncomingRun {
  id: string;
  date: string;
  nextScheduledRun: string | null;
  knownFileSize: number;
  size: number;
  /** The run's own [date, status], or (when merging jobs) the other job's recent runs. */
  recent: RecentRun[];
}

type JobState = Pick<
  BackupJob,
  'latestBackupId' | 'latestDate' | 'duplicatiNextRun' | 'settings' | 'dueAt' | 'latestKnownFileSize' | 'latestSize' | 'recentRuns'
>;

/** The newest RECENT_RUNS of both lists, oldest first; a date both carry is one run. */
export function mergeRecent(a: RecentRun[], b: RecentRun[]): RecentRun[] {
  const byDate = new Map([...a, ...b].map((r) => [r[0], r] as const));
  return [...byDate.values()].sort((x, y) => (x[0] < y[0] ? -1 : 1)).slice(-RECENT_RUNS);
}

/** What nextJobState reads of the job as stored. */
export type StoredJob = Pick<BackupJob, 'latestBackupId' | 'latestDate' | 'duplicatiNextRun' | 'settings' | 'latestKnownFileSize' | 'latestSize' | 'recentRuns'>;

/** The job's derived columns after `run` is added; an older run (a late or replayed report) changes no "latest". */
export function nextJobState(job: StoredJob | undefined, run: IncomingRun): JobState {
  const newest = !job || run.date > job.latestDate;
  const latestDate = newest ? run.date : job.latestDate;
  // A manual run sends no next-scheduled-run; the schedule Duplicati announced earlier still holds.
  const duplicatiNextRun = (newest ? run.nextScheduledRun : null) ?? job?.duplicatiNextRun ?? null;
  return {
    latestBackupId: newest ? run.id : job.latestBackupId,
    latestDate,
    duplicatiNextRun,
    latestKnownFileSize: newest ? run.knownFileSize : job.latestKnownFileSize,
    latestSize: newest ? run.size : job.latestSize,
    recentRuns: JSON.stringify(mergeRecent(job ? (JSON.parse(job.recentRuns) as RecentRun[]) : [], run.recent)),
    ...settledSettings(job?.settings, latestDate, duplicatiNextRun),
  };
}

function settledSettings(stored: string | undefined, latest: string, duplicatiNextRun: string | null) {
  const previous = stored ? (JSON.parse(stored) as BackupSettings) : undefined;
  const settings = reconcileSettings(previous, latest, false).settings!;
  return { settings: JSON.stringify(settings), dueAt: dueAt({ settings, latest, duplicatiNextRun }) };
}

const AGGREGATE_SQL = `
SELECT a.server_id, a.backup_name, a.runs, a.uploaded, a.latest, b.id AS latest_id,
       b.known_file_size, b.size, j.settings, j.duplicati_next_run,
       (SELECT json_group_array(json_array(r.date, r.status) ORDER BY r.date) FROM (
          SELECT h.date, h.status FROM backups h WHERE h.server_id = a.server_id AND h.backup_name = a.backup_name
          ORDER BY h.date DESC LIMIT ${RECENT_RUNS}) r) AS recent
FROM (SELECT server_id, backup_name, count(*) AS runs, total(uploaded_size) AS uploaded, max(date) AS latest
      FROM backups WHERE :all OR server_id IN (SELECT value FROM json_each(:ids))
      GROUP BY server_id, backup_name) a
JOIN backups b ON b.server_id = a.server_id AND b.backup_name = a.backup_name AND b.date = a.latest
LEFT JOIN backup_jobs j ON j.server_id = a.server_id AND j.backup_name = a.backup_name`;

const UPSERT_SQL = `
INSERT INTO backup_jobs (server_id, backup_name, latest_backup_id, latest_date, run_count, uploaded_total, duplicati_next_run, settings, due_at,
  latest_known_file_size, latest_size, recent_runs)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (server_id, backup_name) DO UPDATE SET
  latest_backup_id = excluded.latest_backup_id, latest_date = excluded.latest_date, run_count = excluded.run_count,
  uploaded_total = excluded.uploaded_total, settings = excluded.settings, due_at = excluded.due_at,
  latest_known_file_size = excluded.latest_known_file_size, latest_size = excluded.latest_size, recent_runs = excluded.recent_runs`;

/**
 * Recomputes the job rows of the given servers (all when omitted) from their runs, keeping each
 * job's settings and Duplicati schedule; removes rows of jobs that no longer have runs.
 * Returns the statements so callers can commit them together with the change that caused them
 * (call it inside withWriteLock).
 */
export async function refreshJobStatements(db: Database, serverIds?: string[]): Promise<InStatement[]> {
  const scope = { all: serverIds ? 0 : 1, ids: JSON.stringify(serverIds ?? []) };
  const { rows } = await db.client.execute({ sql: AGGREGATE_SQL, args: scope });
  const upserts: InStatement[] = rows.map((r) => {
    const latest = String(r.latest);
    const nextRun = (r.duplicati_next_run as string | null) ?? null;
    const { settings, dueAt: due } = settledSettings((r.settings as string | null) ?? undefined, latest, nextRun);
    return {
      sql: UPSERT_SQL,
      args: [r.server_id, r.backup_name, r.latest_id, latest, r.runs, r.uploaded, nextRun, settings, due, r.known_file_size, r.size, r.recent],
    };
  });
  const prune: InStatement = {
    sql: `DELETE FROM backup_jobs WHERE (:all OR server_id IN (SELECT value FROM json_each(:ids)))
          AND NOT EXISTS (SELECT 1 FROM backups b WHERE b.server_id = backup_jobs.server_id AND b.backup_name = backup_jobs.backup_name)`,
    args: scope,
  };
  // A full rebuild (bulk import, seeding) also rebuilds the day totals.
  return [...upserts, prune, ...(serverIds ? [] : refreshAllDays())];
}

export function refreshJobs(db: Database, serverIds?: string[]): Promise<void> {
  return withWriteLock(db, async () => {
    await db.client.batch(await refreshJobStatements(db, serverIds), 'write');
  });
}
