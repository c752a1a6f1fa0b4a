// The daemon: open the database, serve HTTP, shut down cleanly on SIGTERM/SIGINT.
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from './config.ts';
import { openDatabase, type Database } from './db/client.ts';
import { audit, SYSTEM } from './audit/audit.ts';
import { loadOrCreateKey, secretBox } from './auth/secrets.ts';
import { deleteAllSessions } from './auth/sessions.ts';
import { ensureDefaultAdmin } from './auth/users.ts';
import { createApp } from './http/app.ts';
import { createNotifier } from './notify/dispatch.ts';
import { checkOverdue } from './monitor/check.ts';
import { createScheduler } from './scheduler.ts';
import { auditLogCleanupTask, overdueCheckTask } from './scheduler-tasks.ts';
import { getCronConfig } from './settings/store.ts';

export interface RunningServer {
  port: number;
  db: Database;
  stop(): Promise<void>;
}

export async function startServer(config: Config): Promise<RunningServer> {
  const db = await openDatabase(config.databaseUrl, config.databaseAuthToken);
  await ensureDefaultAdmin(db);
  await clearSessionsOnStartup(db, config);
  const secrets = secretBox(loadOrCreateKey(config.dataDir));
  const notifier = createNotifier(db, secrets, { timeZone: config.timeZone, retry: { baseDelayMs: config.notifyRetryDelayMs } });
  // The in-process scheduler (spec 03 §10); started once the server listens.
  const scheduler = createScheduler({
    loadConfig: () => getCronConfig(db),
    tasks: {
      'overdue-backup-check': () => overdueCheckTask(() => checkOverdue(db, { secrets, send: (alert) => notifier.sendOverdue(alert) }, { force: false, now: new Date() })),
      'audit-log-cleanup': () => auditLogCleanupTask(db, new Date()),
    },
  });
  const app = createApp({ db, config, secrets, notifier, scheduler });
  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(s));
    s.once('error', reject);
  });
  await scheduler.start();
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= new Promise<void>((resolve) => {
      scheduler.stop(); // no new runs; one in progress gets up to 5 s before the database closes
      // Stop accepting, let in-flight requests finish, then drop idle keep-alive sockets.
      server.close(async () => {
        await notifier.close(2000); // pending retries give up; never more than 2 s
        await Promise.race([scheduler.idle(), sleep(5000, undefined, { ref: false })]);
        db.close();
        resolve();
      });
      if ('closeIdleConnections' in server) server.closeIdleConnections();
      setTimeout(() => 'closeAllConnections' in server && server.closeAllConnections(), 5000).unref();
    }));
  return { port: (server.address() as AddressInfo).port, db, stop };
}

// Everybody signs in again after a restart (spec 04 §5.2); kept in development for convenience.
async function clearSessionsOnStartup(db: Database, config: Config) {
  if (config.development) return;
  const cleared = await deleteAllSessions(db);
  await audit(db, SYSTEM, { action: 'sessions_cleared_on_startup', category: 'system', details: { reason: 'Server startup', cleared, timestamp: new Date().toISOString(), pid: process.pid } });
}
