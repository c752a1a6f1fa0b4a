// The overdue check run (spec 03 §5, decisions 8 and 17). Each job's effective next expected run
// is kept in backup_jobs.due_at (monitor/overdue.ts#dueAt, Duplicati's own schedule first), so the
// jobs that may need an alert are found with one indexed range query; the time of the last alert is
// backup_jobs.overdue_notified_at (the reference's overdue_notifications map).
import { and, eq, isNotNull, lt, sql } from 'drizzle-orm';
import type { SecretBox } from '../auth/secrets.ts';
import type { Database } from '../db/client.ts';
import { readSetting, writeSetting } from '../db/settings.ts';
import { backupJobs, servers } from '../db/schema.ts';
import { withWriteLock } from '../db/write-lock.ts';
import { sendOverdueAlert, type DispatchOptions, type OverdueAlert } from '../notify/dispatch.ts';
import { getFrequency, getTolerance, type Frequency } from '../settings/store.ts';
import { validateInterval } from './interval.ts';
import { dueAt, isOverdue, overdueThreshold, reconcileSettings, toleranceMinutes, type BackupSettings } from './overdue.ts';

export interface OverdueStatistics {
  /** Per-job records plus the extra records (jobs without runs, `<server>:__default__`). */
  totalBackupConfigs: number;
  /** Jobs with overdue monitoring switched on. */
  checkedBackups: number;
  overdueBackupsFound: number;
  notificationsSent: number;
}

export interface OverdueCheckResult {
  message: string;
  statistics: OverdueStatistics;
}

export interface CheckDeps {
  secrets: SecretBox;
  /** Sends one alert; rejects when it could not be delivered. Default: sendOverdueAlert. */
  send?: (alert: OverdueAlert) => Promise<void>;
  /** Options for the default sender (retries, time zone). */
  dispatch?: DispatchOptions;
}

export interface CheckOptions {
  /** true for the manual check (also recalculates every job's next run), false for the scheduler. */
  force: boolean;
  now?: Date;
}

const HOUR = 3_600_000;
const RESEND_AFTER: Record<Exclude<Frequency, 'onetime'>, number> = { every_day: 24 * HOUR, every_week: 7 * 24 * HOUR, every_month: 30 * 24 * HOUR };

/** §5.2: should a job that is overdue now be announced (again)? */
export function shouldNotify(lastNotified: string | null, lastBackup: string, frequency: Frequency, now: Date): boolean {
  const sent = lastNotified ? Date.parse(lastNotified) : NaN;
  if (Number.isNaN(sent)) return true;
  if (Date.parse(lastBackup) > sent) return true; // a newer run arrived since, and it is overdue again
  if (frequency === 'onetime') return false;
  return sent + RESEND_AFTER[frequency] <= now.getTime();
}

/** §4.3 with force: recompute every job's anchor and due time; only changed rows are written. */
async function recalculateAll(db: Database): Promise<void> {
  await withWriteLock(db, async () => {
    const jobs = await db.orm
      .select({
        serverId: backupJobs.serverId,
        backupName: backupJobs.backupName,
        latestDate: backupJobs.latestDate,
        settings: backupJobs.settings,
        duplicatiNextRun: backupJobs.duplicatiNextRun,
        dueAt: backupJobs.dueAt,
      })
      .from(backupJobs);
    const updates = [];
    for (const job of jobs) {
      let stored: BackupSettings;
      try {
        stored = JSON.parse(job.settings) as BackupSettings;
      } catch {
        continue;
      }
      const settings = reconcileSettings(stored, job.latestDate, true).settings!;
      const due = dueAt({ settings, latest: job.latestDate, duplicatiNextRun: job.duplicatiNextRun });
      const text = JSON.stringify(settings);
      if (text === job.settings && due === job.dueAt) continue;
      updates.push(
        db.orm
          .update(backupJobs)
          .set({ settings: text, dueAt: due })
          .where(and(eq(backupJobs.serverId, job.serverId), eq(backupJobs.backupName, job.backupName))),
      );
    }
    for (let i = 0; i < updates.length; i += 500) {
      const chunk = updates.slice(i, i + 500);
      await db.orm.batch(chunk as [(typeof chunk)[0], ...typeof chunk]);
    }
  });
}

async function extraRecordCount(db: Database): Promise<number> {
  try {
    const value: unknown = JSON.parse((await readSetting(db, 'backup_settings_extra')) ?? '{}');
    return value && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value).length : 0;
  } catch {
    return 0;
  }
}

// One check at a time per database: a scheduled and a manual run must not both alert a job.
const running = new WeakMap<Database, Promise<unknown>>();

/** Runs `work` with up to `limit` items in flight. */
async function eachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** §5.1. Never throws for a failed alert (logged, and the job is tried again next time). */
export function checkOverdue(db: Database, deps: CheckDeps, options: CheckOptions): Promise<OverdueCheckResult> {
  const previous = running.get(db) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(() => runCheck(db, deps, options));
  running.set(db, run);
  return run;
}

async function runCheck(db: Database, deps: CheckDeps, { force, now = new Date() }: CheckOptions): Promise<OverdueCheckResult> {
  if (force) await recalculateAll(db);
  const [frequency, tolerance] = await Promise.all([getFrequency(db), getTolerance(db)]);
  const toleranceMin = toleranceMinutes(tolerance);

  const [counts] = await db.orm
    .select({
      total: sql<number>`count(*)`,
      checked: sql<number>`coalesce(sum(json_extract(${backupJobs.settings}, '$.overdueBackupCheckEnabled') = 1), 0)`,
    })
    .from(backupJobs);
  // Only jobs whose due time lies before now − tolerance can be overdue (index on due_at).
  const candidates = await db.orm
    .select({
      serverId: backupJobs.serverId,
      backupName: backupJobs.backupName,
      latestDate: backupJobs.latestDate,
      settings: backupJobs.settings,
      dueAt: backupJobs.dueAt,
      duplicatiNextRun: backupJobs.duplicatiNextRun,
      overdueNotifiedAt: backupJobs.overdueNotifiedAt,
      name: servers.name,
      alias: servers.alias,
      note: servers.note,
      serverUrl: servers.serverUrl,
    })
    .from(backupJobs)
    .innerJoin(servers, eq(servers.id, backupJobs.serverId))
    .where(and(isNotNull(backupJobs.dueAt), lt(backupJobs.dueAt, overdueThreshold(toleranceMin, now))));

  const send = deps.send ?? ((alert: OverdueAlert) => sendOverdueAlert(db, deps.secrets, alert, deps.dispatch));
  let overdueBackupsFound = 0;
  let notificationsSent = 0;
  const toAlert: Array<{ alert: OverdueAlert; latestDate: string }> = [];
  for (const job of candidates) {
    let settings: BackupSettings;
    try {
      settings = JSON.parse(job.settings) as BackupSettings;
    } catch {
      continue;
    }
    if (!settings.overdueBackupCheckEnabled || !job.latestDate) continue;
    if (!isOverdue(job.dueAt, toleranceMin, now)) continue;
    overdueBackupsFound += 1;
    if (!shouldNotify(job.overdueNotifiedAt, job.latestDate, frequency, now)) continue;
    // §5.1 step 6: skipped silently (no alert, no timestamp) when something needed is missing. A job
    // that follows Duplicati's own schedule (decision 8) needs no valid manual interval.
    const followsDuplicati = !!job.duplicatiNextRun && Date.parse(job.duplicatiNextRun) > Date.parse(job.latestDate);
    const interval = typeof settings.expectedInterval === 'string' ? settings.expectedInterval.trim() : '';
    if (!job.name || !job.backupName || (!followsDuplicati && (!interval || !validateInterval(interval).valid))) continue;
    toAlert.push({
      latestDate: job.latestDate,
      alert: {
        server: { id: job.serverId, name: job.name, alias: job.alias, note: job.note, serverUrl: job.serverUrl },
        job: { backupName: job.backupName, lastBackupDate: job.latestDate, expectedDate: job.dueAt, expectedInterval: interval, tolerance },
      },
    });
  }

  const sentAt = now.toISOString();
  await eachLimited(toAlert, 4, async ({ alert, latestDate }) => {
    try {
      await send(alert);
    } catch (err) {
      console.error(`[overdue] alert for ${alert.server.name}/${alert.job.backupName} failed: ${(err as Error)?.message ?? err}`);
      return;
    }
    notificationsSent += 1;
    // Only while the job is still in the state we alerted about (no newer run arrived meanwhile).
    await db.orm
      .update(backupJobs)
      .set({ overdueNotifiedAt: sentAt })
      .where(and(eq(backupJobs.serverId, alert.server.id), eq(backupJobs.backupName, alert.job.backupName), eq(backupJobs.latestDate, latestDate)));
  });

  await writeSetting(db, 'last_overdue_check', sentAt);
  return {
    message: force ? 'Overdue backup check completed with next run times recalculated' : 'Overdue backup check completed',
    statistics: {
      totalBackupConfigs: Number(counts?.total ?? 0) + (await extraRecordCount(db)),
      checkedBackups: Number(counts?.checked ?? 0),
      overdueBackupsFound,
      notificationsSent,
    },
  };
}

/** §6.2: every job alerts again at the next check. Returns how many jobs had a timestamp. */
export async function clearOverdueTimestamps(db: Database): Promise<number> {
  const result = await db.client.execute('UPDATE backup_jobs SET overdue_notified_at = NULL WHERE overdue_notified_at IS NOT NULL');
  return result.rowsAffected;
}
