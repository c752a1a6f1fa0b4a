// GET /api/configuration/unified (spec 03 §2.1): everything the settings page needs in one read.
import { asc, eq } from 'drizzle-orm';
import type { SecretBox } from '../auth/secrets.ts';
import type { Database } from '../db/client.ts';
import { backupJobs, servers } from '../db/schema.ts';
import type { BackupSettings } from '../monitor/overdue.ts';
import { getBackupSettingsMap } from './backup-settings.ts';
import { publicSmtp } from './config-ops.ts';
import { getCronConfig, getFrequency, getNtfyConfig, publicNtfy, getSmtpConfig, getTemplates, getTolerance, getWebhookConfig } from './store.ts';

const hasPassword = (p: string | null) => !!p;

export async function unifiedConfiguration(db: Database, secrets: SecretBox) {
  const smtp = await getSmtpConfig(db, secrets).catch(() => null);
  const webhook = await getWebhookConfig(db, secrets).catch(() => null);
  const cron = await getCronConfig(db);
  const serverRows = await db.orm.select().from(servers).orderBy(asc(servers.name));
  const jobs = await db.orm
    .select({ server: servers, backupName: backupJobs.backupName, settings: backupJobs.settings })
    .from(backupJobs)
    .innerJoin(servers, eq(servers.id, backupJobs.serverId))
    .orderBy(asc(servers.name), asc(backupJobs.backupName));
  const address = (s: typeof servers.$inferSelect) => ({
    id: s.id, name: s.name, server_url: s.serverUrl ?? '', alias: s.alias ?? '', note: s.note ?? '', hasPassword: hasPassword(s.serverPassword),
  });
  return {
    ntfy: publicNtfy(await getNtfyConfig(db, secrets)),
    templates: await getTemplates(db),
    ...(smtp && { email: { ...publicSmtp(smtp), enabled: true } }),
    ...(webhook && { webhook: { url: webhook.url, enabled: webhook.enabled, hasToken: !!webhook.token } }),
    overdue_tolerance: await getTolerance(db),
    backup_settings: await getBackupSettingsMap(db),
    serverAddresses: serverRows.map(address),
    cronConfig: cron.tasks['overdue-backup-check'],
    notificationFrequency: await getFrequency(db),
    serversWithBackups: jobs.map((j) => {
      const settings = JSON.parse(j.settings) as BackupSettings;
      return { ...address(j.server), backupName: j.backupName, expectedBackupDate: settings.time, lastBackupDate: settings.lastBackupDate };
    }),
  };
}
