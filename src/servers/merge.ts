// POST /api/servers/merge (spec 02 §3.8): folds servers that are one machine (a reinstalled Duplicati
// gets a new machine-id) into a target. Runs, job settings and overdue state all move in one batch;
// a run both sides have (same backup name and date) is kept once, the target's copy.
import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { backupJobs, servers, type BackupJob } from '../db/schema.ts';
import { withWriteLock } from '../db/write-lock.ts';
import { daysOfServers, refreshDays } from '../ingest/days.ts';
import { nextJobState, type RecentRun } from '../ingest/jobs.ts';
import { fail, type Failure, type Outcome } from '../outcome.ts';

/** The body fields as received (`targetServerId`, `oldServerIds`); validated here. */
export interface MergeRequest {
  targetId: unknown;
  sourceIds: unknown;
}

export interface MergedServers {
  success: true;
  message: string;
  backupIdsNormalized: number;
}

function parseRequest({ targetId, sourceIds }: MergeRequest): { targetId: string; sourceIds: string[] } | Failure {
  if (!Array.isArray(sourceIds) || sourceIds.length === 0 || !sourceIds.every((id) => typeof id === 'string' && id !== '')) {
    return fail(400, 'oldServerIds must be a non-empty array', 'oldServerIds must list the ids of the servers to merge');
  }
  if (typeof targetId !== 'string' || targetId === '') {
    return fail(400, 'targetServerId is required', 'targetServerId must be the id of the server to keep');
  }
  if (sourceIds.includes(targetId)) {
    return fail(400, 'Target server cannot be in the list of servers to merge', `${targetId} is both target and source`);
  }
  return { targetId, sourceIds: [...new Set(sourceIds as string[])] };
}

// The canonical backup_id of a target job: the one its newest run carries (dates are unique per job).
const canonicalId = (target: string) =>
  sql`(SELECT c.backup_id FROM backups c WHERE c.server_id = ${target} AND c.backup_name = backups.backup_name ORDER BY c.date DESC LIMIT 1)`;

/** §3.8 steps 1 and 3: one backup_id per target job; returns the names it changed. */
function normalizeIds(db: Database, target: string) {
  return db.orm.all<{ backup_name: string }>(sql`
    UPDATE backups SET backup_id = ${canonicalId(target)}
    WHERE server_id = ${target} AND backup_id IS NOT ${canonicalId(target)}
    RETURNING backup_name`);
}

type MergedColumn = 'server_password' | 'alias' | 'note' | 'server_url';

// Target value (trimmed) when it has one, else the source's (§3.8 2c). Read from the row as it is at
// this step, so values an earlier source brought in are kept.
const keepTarget = (column: MergedColumn, source: string) =>
  sql`CASE WHEN trim(coalesce(${sql.raw(column)}, '')) <> '' THEN trim(${sql.raw(column)})
      ELSE (SELECT coalesce(o.${sql.raw(column)}, '') FROM servers o WHERE o.id = ${source}) END`;

/** §3.8 step 2 for one source, in order: job ids, duplicate runs, re-pointing, metadata, removal. */
function absorb(db: Database, target: string, source: string) {
  const targetHas = (extra: SQL) =>
    sql`EXISTS (SELECT 1 FROM backups t WHERE t.server_id = ${target} AND t.backup_name = backups.backup_name ${extra})`;
  return [
    db.orm.run(sql`UPDATE backups SET backup_id = ${canonicalId(target)} WHERE server_id = ${source} AND ${targetHas(sql``)}`),
    // Otherwise the unique (server_id, backup_name, date) index would refuse the move.
    db.orm.run(sql`DELETE FROM backups WHERE server_id = ${source} AND ${targetHas(sql`AND t.date = backups.date`)}`),
    db.orm.run(sql`UPDATE backups SET server_id = ${target} WHERE server_id = ${source}`),
    db.orm.run(sql`UPDATE servers SET server_password = ${keepTarget('server_password', source)}, alias = ${keepTarget('alias', source)},
      note = ${keepTarget('note', source)}, server_url = ${keepTarget('server_url', source)} WHERE id = ${target}`),
    db.orm.delete(backupJobs).where(eq(backupJobs.serverId, source)),
    db.orm.delete(servers).where(eq(servers.id, source)),
  ] as const;
}

const later = (a: string | null, b: string | null) => (a === null || (b !== null && b > a) ? b : a);

/**
 * The target's job rows after the merge, for every job a source has. The target's row (else the
 * first source's, in request order) takes in the others' newest runs as nextJobState does for an
 * upload: its settings win and its overdue state moves on; a job only one side has keeps its row.
 */
function mergedJobs(jobs: BackupJob[], target: string, sources: string[]): BackupJob[] {
  const byName = new Map<string, BackupJob[]>();
  for (const serverId of [target, ...sources]) {
    for (const job of jobs.filter((j) => j.serverId === serverId)) byName.set(job.backupName, [...(byName.get(job.backupName) ?? []), job]);
  }
  return [...byName.values()]
    .filter((sides) => sides.some((j) => j.serverId !== target))
    .map(([first, ...others]) =>
      others.reduce<BackupJob>(
        (job, o) => ({
          ...job,
          ...nextJobState(job, {
            id: o.latestBackupId,
            date: o.latestDate,
            nextScheduledRun: o.duplicatiNextRun,
            knownFileSize: o.latestKnownFileSize,
            size: o.latestSize,
            recent: JSON.parse(o.recentRuns) as RecentRun[],
          }),
          // The newest alert either side sent still counts, so the merge does not repeat it.
          overdueNotifiedAt: later(job.overdueNotifiedAt, o.overdueNotifiedAt),
        }),
        { ...first, serverId: target },
      ),
    );
}

/** Replaces the target's rows of those jobs; counts and upload totals are recounted from the merged runs. */
function writeJobs(db: Database, target: string, merged: BackupJob[]) {
  const ofJob = (job: BackupJob) => sql`FROM backups WHERE server_id = ${target} AND backup_name = ${job.backupName}`;
  return [
    db.orm.delete(backupJobs).where(and(eq(backupJobs.serverId, target), inArray(backupJobs.backupName, merged.map((j) => j.backupName)))),
    ...merged.map((job) =>
      db.orm.insert(backupJobs).values({
        ...job,
        runCount: sql`(SELECT count(*) ${ofJob(job)})`,
        uploadedTotal: sql`(SELECT total(uploaded_size) ${ofJob(job)})`,
      }),
    ),
  ];
}

export async function mergeServers(db: Database, request: MergeRequest): Promise<Outcome<MergedServers>> {
  const parsed = parseRequest(request);
  if ('ok' in parsed) return parsed;
  const { targetId, sourceIds } = parsed;
  return withWriteLock(db, async () => {
    const involved = [targetId, ...sourceIds];
    const known = new Set((await db.orm.select({ id: servers.id }).from(servers).where(inArray(servers.id, involved))).map((s) => s.id));
    if (!known.has(targetId)) return fail(400, `Target server ${targetId} not found`, `No server found with id: ${targetId}`);
    const missing = sourceIds.filter((id) => !known.has(id));
    if (missing.length) return fail(400, 'Servers to merge not found', `No server found with id(s): ${missing.join(', ')}`);

    const jobs = await db.orm.select().from(backupJobs).where(inArray(backupJobs.serverId, involved));
    const merged = mergedJobs(jobs, targetId, sourceIds);
    const absorbed = sourceIds.flatMap((source) => absorb(db, targetId, source));
    // Runs both sides had are dropped once: the day totals of the sources' days change.
    const days = await daysOfServers(db.orm, sourceIds);
    const results = await db.orm.batch([
      normalizeIds(db, targetId),
      ...absorbed,
      normalizeIds(db, targetId),
      ...(merged.length ? writeJobs(db, targetId, merged) : []),
      ...refreshDays(db.orm, days),
    ]);
    const changedNames = (i: number) => new Set((results[i] as { backup_name: string }[]).map((r) => r.backup_name)).size;
    // The count is of the ids as sent, as in the reference.
    const message = `Successfully merged ${(request.sourceIds as string[]).length} server(s) into target server`;
    return { ok: true, value: { success: true, message, backupIdsNormalized: changedNames(0) + changedNames(1 + absorbed.length) } };
  });
}
