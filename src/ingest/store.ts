// Stores one parsed run: server, run and its job's derived state commit together or not at all.
import { and, eq, ne, sql } from 'drizzle-orm';
import { auditInsert, type Actor } from '../audit/audit.ts';
import type { Database } from '../db/client.ts';
import { backupJobs, backups, servers } from '../db/schema.ts';
import { withWriteLock } from '../db/write-lock.ts';
import type { ParsedRun } from './duplicati-report.ts';
import { uuidV7 } from '../db/uuid.ts';
import { addRunToDay } from './days.ts';
import { nextJobState } from './jobs.ts';

export type StoreResult = { stored: true; id: string } | { stored: false; reason: 'duplicate' };

/** `actor` is the uploader (IP and user agent; Duplicati signs in as nobody). */
export function storeRun(db: Database, run: ParsedRun, actor: Actor = {}): Promise<StoreResult> {
  return withWriteLock(db, () => insertRun(db, run, actor));
}

async function insertRun(db: Database, run: ParsedRun, actor: Actor): Promise<StoreResult> {
  const { orm } = db;
  const { row } = run;
  const id = uuidV7();
  const [job] = await orm
    .select()
    .from(backupJobs)
    .where(and(eq(backupJobs.serverId, row.serverId), eq(backupJobs.backupName, row.backupName)));
  const state = nextJobState(job, {
    id,
    date: row.date,
    nextScheduledRun: run.nextScheduledRun,
    knownFileSize: row.knownFileSize ?? 0,
    size: row.size ?? 0,
    recent: [[row.date, row.status]],
  });
  const statements = [
    orm.insert(servers).values({ id: row.serverId, name: run.machineName }).onConflictDoNothing(),
    orm.insert(backups).values({ ...row, id }),
    addRunToDay(orm, row),
    orm
      .insert(backupJobs)
      .values({ serverId: row.serverId, backupName: row.backupName, runCount: 1, uploadedTotal: row.uploadedSize ?? 0, ...state })
      .onConflictDoUpdate({
        target: [backupJobs.serverId, backupJobs.backupName],
        set: {
          ...state,
          runCount: sql`${backupJobs.runCount} + 1`,
          uploadedTotal: sql`${backupJobs.uploadedTotal} + ${row.uploadedSize ?? 0}`,
        },
      }),
    auditInsert(db, actor, {
      action: 'backup_upload', category: 'backup', targetType: 'backup', targetId: id,
      details: {
        server_id: row.serverId, server_name: run.machineName, backup_name: row.backupName, backup_id: row.backupId, status: row.status,
        date: row.date, duration_seconds: row.durationSeconds, size: row.size, uploaded_size: row.uploadedSize, examined_files: row.examinedFiles,
        warnings: row.warnings, errors: row.errors,
      },
    }),
  ] as const;
  // Decision 8: the machine's current name wins, but only a newer report may rename it.
  const rename = orm
    .update(servers)
    .set({ name: run.machineName })
    .where(and(eq(servers.id, row.serverId), ne(servers.name, run.machineName)));
  try {
    if (state.latestBackupId === id) await orm.batch([...statements, rename]);
    else await orm.batch(statements);
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
