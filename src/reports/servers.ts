// Server reads for signed-in users (spec 02 §3.2, §3.3, §3.6). Ids are exact (no name lookup), and
// an unknown id gives null so the route can answer 404.
import { asc, desc, eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { backupJobs, backups, servers, type Server } from '../db/schema.ts';
import { readSetting } from '../db/settings.ts';
import { toleranceMinutes } from '../monitor/overdue.ts';
import { getServerRunPoints } from './charts.ts';
import { detailBackup, detailColumns, monitoringFields, NOT_AVAILABLE } from './detail-backup.ts';

const blank = (value: string | null) => value ?? '';
// 01 §1.1: a password is set when the column is neither NULL nor empty; the secret itself never leaves.
const hasPassword = (s: Server) => Boolean(s.serverPassword);
const notificationEvent = sql<string | null>`${backupJobs.settings} ->> '$.notificationEvent'`;

/**
 * §3.2: without `includeBackups`, every server; with it, one entry per (server, job) for servers
 * that have runs, from backup_jobs (primary key order within a server).
 */
export async function listServers(db: Database, opts: { includeBackups: boolean }) {
  if (!opts.includeBackups) {
    const rows = await db.orm.select().from(servers).orderBy(asc(servers.name), asc(servers.id));
    return rows.map((s) => ({ id: s.id, name: s.name, alias: blank(s.alias), note: blank(s.note) }));
  }
  const rows = await db.orm
    .select({ server: servers, backupName: backupJobs.backupName })
    .from(backupJobs)
    .innerJoin(servers, eq(servers.id, backupJobs.serverId))
    .orderBy(asc(servers.name), asc(servers.id), asc(backupJobs.backupName));
  return rows.map(({ server: s, backupName }) => ({
    id: s.id,
    name: s.name,
    backupName,
    server_url: blank(s.serverUrl),
    alias: blank(s.alias),
    note: blank(s.note),
    hasPassword: hasPassword(s),
  }));
}

async function serverRow(db: Database, id: string): Promise<Server | undefined> {
  const [row] = await db.orm.select().from(servers).where(eq(servers.id, id));
  return row;
}

const editableFields = (s: Server) => ({ id: s.id, name: s.name, alias: blank(s.alias), note: blank(s.note), server_url: blank(s.serverUrl) });

/** §3.3 without flags: the server's editable fields. */
export async function getServer(db: Database, id: string) {
  const server = await serverRow(db, id);
  return server ? editableFields(server) : null;
}

/** `ServerDetail` (§0.5): the server, every run newest first without logs, and its chart points (variant S). */
export async function getServerDetail(db: Database, id: string) {
  const server = await serverRow(db, id);
  if (!server) return null;
  const runs = await db.orm
    .select(detailColumns)
    .from(backups)
    .where(eq(backups.serverId, id))
    .orderBy(desc(backups.date), desc(backups.createdAt));
  return {
    ...editableFields(server),
    hasPassword: hasPassword(server),
    backups: runs.map(detailBackup),
    chartData: await getServerRunPoints(db, id),
  };
}

export type ServerDetail = NonNullable<Awaited<ReturnType<typeof getServerDetail>>>;

/** §3.6: the server detail plus its overdue jobs (backup-name order) and the last overdue check. */
export async function getDetail(db: Database, serverId: string, now: Date) {
  const server = await getServerDetail(db, serverId);
  if (!server) return null;
  const toleranceMin = toleranceMinutes(await readSetting(db, 'overdue_tolerance'));
  const jobs = await db.orm
    .select({
      backupName: backupJobs.backupName,
      latestDate: backupJobs.latestDate,
      dueAt: backupJobs.dueAt,
      overdueNotifiedAt: backupJobs.overdueNotifiedAt,
      notificationEvent,
    })
    .from(backupJobs)
    .where(eq(backupJobs.serverId, serverId))
    .orderBy(asc(backupJobs.backupName));
  const overdueBackups = jobs.flatMap((job) => {
    const { isBackupOverdue, ...monitoring } = monitoringFields(job, toleranceMin, now);
    if (!isBackupOverdue) return [];
    return [{ serverName: server.name, backupName: job.backupName, lastBackupDate: job.latestDate, ...monitoring }];
  });
  return {
    server,
    overdueBackups,
    lastOverdueCheck: (await readSetting(db, 'last_overdue_check')) ?? NOT_AVAILABLE,
  };
}

export type Detail = NonNullable<Awaited<ReturnType<typeof getDetail>>>;
