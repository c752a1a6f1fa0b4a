// `duplistatus notify test <ntfy|email|webhook>` and `duplistatus check-overdue`: the same work as
// POST /api/notifications/test and /check-overdue, straight on the database (also while the daemon
// runs). Exit code 1 when a send or the check fails.
import type { Command } from 'commander';
import { audit, SYSTEM } from '../audit/audit.ts';
import { checkOverdue } from '../monitor/check.ts';
import { createNotifier } from '../notify/dispatch.ts';
import { testEmail, testNtfy, testWebhook, type TestContext } from '../notify/test-send.ts';
import { getNtfyConfig } from '../settings/store.ts';
import { databaseOptions, reportFailure, withDatabase } from './database.ts';

const CHANNELS = ['ntfy', 'email', 'webhook'] as const;
const cli = { ...SYSTEM, username: 'cli' };

export function registerNotify(program: Command) {
  const notify = program.command('notify').description('notification channels');

  databaseOptions(
    notify
      .command('test <channel>')
      .description(`send a test message over a configured channel (${CHANNELS.join(', ')})`)
      .option('--to <address>', 'e-mail: send to this address instead of the configured recipient'),
  ).action((channel: string, flags) =>
    withDatabase(flags, async (db, config, secrets) => {
      if (!CHANNELS.includes(channel as (typeof CHANNELS)[number])) {
        return reportFailure(`Unknown channel "${channel}": use one of ${CHANNELS.join(', ')}`);
      }
      const ctx: TestContext = { db, secrets, actor: cli, timeZone: config.timeZone };
      let result;
      let where = '';
      if (channel === 'email') {
        result = await testEmail(ctx, flags.to);
      } else if (channel === 'webhook') {
        result = await testWebhook(ctx);
      } else {
        const ntfy = await getNtfyConfig(db, secrets);
        where = ` (${ntfy.url.replace(/\/$/, '')}/${ntfy.topic})`;
        result = await testNtfy(ctx, ntfy);
      }
      if (!result.ok) return reportFailure(result.error);
      console.log(`${String(result.body.message)}${where}`);
    }),
  );

  databaseOptions(
    program.command('check-overdue').description('check for overdue backups now and send the alerts that are due (as the manual check does)'),
  ).action((flags) =>
    withDatabase(flags, async (db, config, secrets) => {
      // Retries as the daemon does, but short: the user is waiting.
      const notifier = createNotifier(db, secrets, { timeZone: config.timeZone, retry: { attempts: 3, baseDelayMs: config.notifyRetryDelayMs } });
      try {
        const result = await checkOverdue(db, { secrets, send: notifier.sendOverdue }, { force: true });
        await audit(db, cli, { action: 'overdue_check_manual', category: 'system', details: { ...result.statistics } });
        const s = result.statistics;
        console.log(result.message);
        console.log(`Backup configurations: ${s.totalBackupConfigs}`);
        console.log(`Checked backups:       ${s.checkedBackups}`);
        console.log(`Overdue backups found: ${s.overdueBackupsFound}`);
        console.log(`Notifications sent:    ${s.notificationsSent}`);
        const { failed, lastError } = notifier.status();
        if (failed > 0) reportFailure(`${failed} notification(s) could not be delivered; last error: ${lastError}`);
      } catch (err) {
        await audit(db, cli, { action: 'overdue_check_manual', category: 'system', status: 'error', errorMessage: (err as Error).message });
        reportFailure(`Overdue check failed: ${(err as Error).message}`);
      } finally {
        await notifier.close(0);
      }
    }),
  );
}
