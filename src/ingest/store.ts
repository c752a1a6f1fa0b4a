// Stores one parsed run: server, run and its job's derived state commit together or not at all.
import { randomUUID } from 'node:crypto';
import { and, eq, ne, sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { backupJobs, backups, servers, type BackupJob } from '../db/schema.ts';
import { dueAt, reconcileSettings, type BackupSettings } from '../monitor/overdue.ts';
import type { ParsedRun } from './duplicati-report.ts';

export type StoreResult = { stored: true; id: string } | { stored: false; reason: 'duplicate' };

// Writes are serialised per database so each run's job state is computed from the state the
// previous run left; the unique index still guards against writers in other processes.
const writeQueues = new WeakMap<Database, Promise<unknown>>();

export function storeRun(db: Database, run: ParsedRun): Promise<StoreResult> {
  const previous = writeQueues.get(db) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(() => insertRun(db, run));
  writeQueues.set(db, next);
  return next;
}

async function insertRun(db: Database, run: ParsedRun): Promise<StoreResult> {
  const { orm } = db;
  const { row } = run;
  const id = randomUUID();
  const [job] = await orm
    .select()
    .from(backupJobs)
    .where(and(eq(backupJobs.serverId, row.serverId), eq(backupJobs.backupName, row.backupName)));
  const state = nextJobState(job, { id, date: row.date, nextScheduledRun: run.nextScheduledRun });
  const statements = [
    orm.insert(servers).values({ id: row.serverId, name: run.machineName }).onConflictDoNothing(),
    orm.insert(backups).values({ ...row, id }),
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

interface IncomingRun {
  id: string;
  date: string;
  nextScheduledRun: string | null;
}

type JobState = Pick<BackupJob, 'latestBackupId' | 'latestDate' | 'duplicatiNextRun' | 'settings' | 'dueAt'>;

/** The job's derived columns after `run` is added; an older run (a late or replayed report) changes no "latest". */
export function nextJobState(job: BackupJob | undefined, run: IncomingRun): JobState {
  const newest = !job || run.date > job.latestDate;
  const latestDate = newest ? run.date : job.latestDate;
  // A manual run sends no next-scheduled-run; the schedule Duplicati announced earlier still holds.
  const duplicatiNextRun = (newest ? run.nextScheduledRun : null) ?? job?.duplicatiNextRun ?? null;
  const stored = job ? (JSON.parse(job.settings) as BackupSettings) : undefined;
  const settings = reconcileSettings(stored, latestDate, false).settings!;
  return {
    latestBackupId: newest ? run.id : job.latestBackupId,
    latestDate,
    duplicatiNextRun,
    settings: JSON.stringify(settings),
    dueAt: dueAt({ settings, latest: latestDate, duplicatiNextRun }),
  };
}

function isDuplicateRun(error: unknown): boolean {
  const text = String((error as { message?: string })?.message ?? error);
  return text.includes('UNIQUE constraint failed: backups.server_id');
}
