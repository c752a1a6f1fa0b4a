// Stores one parsed run: server, run, its job's derived row, its day's totals and the audit row
// commit together or not at all. This is the upload hot path, so it sends plain statements
// (src/db/insert-statement.ts) in one client.batch instead of building drizzle queries per call.
import { auditStatement, type Actor } from '../audit/audit.ts';
import type { Database } from '../db/client.ts';
import { insertStatement } from '../db/insert-statement.ts';
import { backupJobs, backups } from '../db/schema.ts';
import { uuidV7 } from '../db/uuid.ts';
import { withWriteLock } from '../db/write-lock.ts';
import { addRunToDay } from './days.ts';
import type { ParsedRun } from './duplicati-report.ts';
import { nextJobState, type StoredJob } from './jobs.ts';

export type StoreResult = { stored: true; id: string } | { stored: false; reason: 'duplicate' };

const JOB_SQL = `SELECT latest_backup_id AS latestBackupId, latest_date AS latestDate, duplicati_next_run AS duplicatiNextRun,
  settings, latest_known_file_size AS latestKnownFileSize, latest_size AS latestSize, recent_runs AS recentRuns
  FROM backup_jobs WHERE server_id = ? AND backup_name = ?`;

const JOB_UPSERT = `ON CONFLICT (server_id, backup_name) DO UPDATE SET
  latest_backup_id = excluded.latest_backup_id, latest_date = excluded.latest_date, duplicati_next_run = excluded.duplicati_next_run,
  settings = excluded.settings, due_at = excluded.due_at, latest_known_file_size = excluded.latest_known_file_size,
  latest_size = excluded.latest_size, recent_runs = excluded.recent_runs,
  run_count = run_count + 1, uploaded_total = uploaded_total + excluded.uploaded_total`;

/** `actor` is the uploader (IP and user agent; Duplicati signs in as nobody). */
export function storeRun(db: Database, run: ParsedRun, actor: Actor = {}): Promise<StoreResult> {
  return withWriteLock(db, () => insertRun(db, run, actor));
}

async function insertRun(db: Database, run: ParsedRun, actor: Actor): Promise<StoreResult> {
  const { row } = run;
  const id = uuidV7();
  const { rows } = await db.client.execute({ sql: JOB_SQL, args: [row.serverId, row.backupName] });
  const job = rows[0] as unknown as StoredJob | undefined;
  const state = nextJobState(job, {
    id,
    date: row.date,
    nextScheduledRun: run.nextScheduledRun,
    knownFileSize: row.knownFileSize ?? 0,
    size: row.size ?? 0,
    recent: [[row.date, row.status]],
  });
  const statements = [
    { sql: 'INSERT INTO servers (id, name) VALUES (?, ?) ON CONFLICT (id) DO NOTHING', args: [row.serverId, run.machineName] },
    insertStatement(backups, { ...row, id }),
    addRunToDay(row),
    insertStatement(backupJobs, { serverId: row.serverId, backupName: row.backupName, runCount: 1, uploadedTotal: row.uploadedSize ?? 0, ...state }, JOB_UPSERT),
    auditStatement(actor, {
      action: 'backup_upload', category: 'backup', targetType: 'backup', targetId: id,
      details: {
        server_id: row.serverId, server_name: run.machineName, backup_name: row.backupName, backup_id: row.backupId, status: row.status,
        date: row.date, duration_seconds: row.durationSeconds, size: row.size, uploaded_size: row.uploadedSize, examined_files: row.examinedFiles,
        warnings: row.warnings, errors: row.errors,
      },
    }),
  ];
  // Decision 8: the machine's current name wins, but only a newer report may rename it.
  if (state.latestBackupId === id) {
    statements.push({ sql: 'UPDATE servers SET name = ? WHERE id = ? AND name <> ?', args: [run.machineName, row.serverId, run.machineName] });
  }
  try {
    await db.client.batch(statements, 'write');
  } catch (error) {
    if (isDuplicateRun(error)) return { stored: false, reason: 'duplicate' };
    throw error;
  }
  return { stored: true, id };
}

function isDuplicateRun(error: unknown): boolean {
  const text = String((error as { message?: string })?.message ?? error);
  return text.includes('UNIQUE constraint failed: backups.server_id');
}
