// Per-job notification and monitoring settings (spec 03 §2.14, §3). They live on the job's row in
// backup_jobs (so one upload touches one row, not a map of every job); entries for jobs without
// runs and the "<server>:__default__" records live in the `backup_settings_extra` key.
import { and, eq } from 'drizzle-orm';
import { auditInsert, type Actor } from '../audit/audit.ts';
import type { Database } from '../db/client.ts';
import { readSetting } from '../db/settings.ts';
import { backupJobs, configurations } from '../db/schema.ts';
import { withWriteLock } from '../db/write-lock.ts';
import { defaultBackupSettings, dueAt, reconcileSettings, type BackupSettings } from '../monitor/overdue.ts';
import { fail, ok, type Outcome } from '../outcome.ts';

export type SettingsMap = Record<string, BackupSettings>;
const EXTRA_KEY = 'backup_settings_extra';
const ALL_DAYS = [0, 1, 2, 3, 4, 5, 6];

/** "<serverId>:<backupName>", split at the first colon (machine ids never contain one). */
export const jobKey = (serverId: string, backupName: string) => `${serverId}:${backupName}`;

async function readExtras(db: Database): Promise<SettingsMap> {
  try {
    return JSON.parse((await readSetting(db, EXTRA_KEY)) ?? '{}') as SettingsMap;
  } catch {
    return {};
  }
}

export async function getBackupSettingsMap(db: Database): Promise<SettingsMap> {
  const rows = await db.orm.select({ serverId: backupJobs.serverId, backupName: backupJobs.backupName, settings: backupJobs.settings }).from(backupJobs);
  const map: SettingsMap = await readExtras(db);
  for (const r of rows) map[jobKey(r.serverId, r.backupName)] = JSON.parse(r.settings) as BackupSettings;
  return map;
}

/** Spec 03 §3.7: legacy records converted (or dropped), modern ones completed. */
export function normalizeSettingsMap(input: Record<string, unknown>): SettingsMap {
  const out: SettingsMap = {};
  for (const [key, raw] of Object.entries(input)) {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) continue;
    const entry = raw as Record<string, unknown>;
    if ('intervalUnit' in entry) {
      const value = Number(entry.expectedInterval);
      const unit = entry.intervalUnit === 'hour' ? 'h' : entry.intervalUnit === 'day' ? 'D' : null;
      if (!unit || !(value > 0)) continue;
      out[key] = {
        ...defaultBackupSettings(),
        notificationEvent: (entry.notificationEvent as BackupSettings['notificationEvent']) ?? 'warnings',
        overdueBackupCheckEnabled: entry.overdueBackupCheckEnabled !== false,
        expectedInterval: `${value}${unit}`,
      };
      continue;
    }
    const time = typeof entry.time === 'string' && !Number.isNaN(Date.parse(entry.time)) ? entry.time : '';
    out[key] = {
      ...(entry as unknown as BackupSettings),
      allowedWeekDays: Array.isArray(entry.allowedWeekDays) ? (entry.allowedWeekDays as number[]) : ALL_DAYS,
      time,
      ntfyEnabled: entry.ntfyEnabled === undefined ? true : (entry.ntfyEnabled as boolean),
      emailEnabled: entry.emailEnabled === undefined ? true : (entry.emailEnabled as boolean),
    };
  }
  return out;
}

function describeChanges(before: BackupSettings | undefined, after: BackupSettings): Record<string, { from: unknown; to: unknown }> {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const field of new Set([...Object.keys(before ?? {}), ...Object.keys(after)])) {
    if (field === 'time' || field === 'lastBackupDate') continue;
    const from = (before as Record<string, unknown> | undefined)?.[field];
    const to = (after as unknown as Record<string, unknown>)[field];
    if (JSON.stringify(from) !== JSON.stringify(to)) changes[field] = { from, to };
  }
  return changes;
}

/** POST /api/configuration/backup-settings: the posted map replaces every record (spec 03 §2.14). */
export function replaceBackupSettings(db: Database, posted: unknown, actor: Actor): Promise<Outcome<{ message: string }>> {
  if (!posted || typeof posted !== 'object' || Array.isArray(posted)) return Promise.resolve(fail(400, 'backupSettings is required', 'backupSettings must be an object keyed by "<serverId>:<backupName>"'));
  return withWriteLock(db, async () => {
    const map = normalizeSettingsMap(posted as Record<string, unknown>);
    const jobs = await db.orm.select().from(backupJobs);
    const statements = [];
    const changed: Record<string, unknown> = {};
    for (const job of jobs) {
      const key = jobKey(job.serverId, job.backupName);
      const before = JSON.parse(job.settings) as BackupSettings;
      const settings = reconcileSettings(map[key], job.latestDate, false).settings!;
      const rescheduled =
        !settings.overdueBackupCheckEnabled ||
        settings.expectedInterval !== before.expectedInterval ||
        JSON.stringify(settings.allowedWeekDays) !== JSON.stringify(before.allowedWeekDays);
      const changes = describeChanges(before, settings);
      if (Object.keys(changes).length && Object.keys(changed).length < 20) changed[key] = changes;
      statements.push(
        db.orm
          .update(backupJobs)
          .set({
            settings: JSON.stringify(settings),
            dueAt: dueAt({ settings, latest: job.latestDate, duplicatiNextRun: job.duplicatiNextRun }),
            // A changed schedule (or no monitoring) starts a new overdue episode.
            ...(rescheduled && { overdueNotifiedAt: null }),
          })
          .where(and(eq(backupJobs.serverId, job.serverId), eq(backupJobs.backupName, job.backupName))),
      );
      delete map[key];
    }
    const extras = JSON.stringify(map);
    await db.orm.batch([
      db.orm.insert(configurations).values({ key: EXTRA_KEY, value: extras }).onConflictDoUpdate({ target: configurations.key, set: { value: extras } }),
      ...statements,
      auditInsert(db, actor, { action: 'backup_notification_updated', category: 'config', targetType: 'configuration', targetId: 'backup_settings', details: { changes: changed } }),
    ]);
    return ok({ message: 'Backup settings updated successfully' });
  });
}

export interface EffectiveSettings extends BackupSettings {
  additionalNotificationEvent: BackupSettings['notificationEvent'];
}

/** A job's record with the additional-destination fallbacks of spec 03 §3.6 applied; null when none. */
export async function effectiveSettings(db: Database, serverId: string, backupName: string): Promise<EffectiveSettings | null> {
  const [job] = await db.orm.select({ settings: backupJobs.settings }).from(backupJobs).where(and(eq(backupJobs.serverId, serverId), eq(backupJobs.backupName, backupName)));
  if (!job) return null;
  const own = JSON.parse(job.settings) as BackupSettings;
  const server = (await readExtras(db))[jobKey(serverId, '__default__')] as Partial<BackupSettings> | undefined;
  const pick = <K extends 'additionalEmails' | 'additionalNtfyTopic'>(field: K) => (own[field] !== undefined ? own[field] : server?.[field]);
  return {
    ...own,
    additionalNotificationEvent: own.additionalNotificationEvent ?? server?.additionalNotificationEvent ?? own.notificationEvent,
    additionalEmails: pick('additionalEmails'),
    additionalNtfyTopic: pick('additionalNtfyTopic'),
  };
}
