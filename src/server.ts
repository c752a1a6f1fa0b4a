// The daemon: open the database, serve HTTP, shut down cleanly on SIGTERM/SIGINT.
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { Config } from './config.ts';
import { openDatabase, type Database } from './db/client.ts';
import { audit, SYSTEM } from './audit/audit.ts';
import { loadOrCreateKey, secretBox } from './auth/secrets.ts';
import { deleteAllSessions } from './auth/sessions.ts';
import { ensureDefaultAdmin } from './auth/users.ts';
import { createApp } from './http/app.ts';

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
  const app = createApp({ db, config, secrets });
  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(s));
    s.once('error', reject);
  });
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= new Promise<void>((resolve) => {
      // Stop accepting, let in-flight requests finish, then drop idle keep-alive sockets.
      server.close(() => {
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
