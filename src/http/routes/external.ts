// Public read API for integrations: /api/summary, /api/lastbackup/:id, /api/lastbackups/:id (spec 02 §2).
import { Hono, type Context } from 'hono';
import type { Server } from '../../db/schema.ts';
import { externalBackup, externalServer } from '../../reports/external-backup.ts';
import { latestRunsOfServer } from '../../reports/latest-runs.ts';
import { findServer } from '../../reports/server-lookup.ts';
import { getSummary } from '../../reports/summary.ts';
import type { AppDeps } from '../deps.ts';
import type { AppEnv } from '../env.ts';
import { sendError } from '../errors.ts';
import { noStore } from '../no-store.ts';

export function externalRoutes({ db, now = () => new Date() }: AppDeps) {
  const app = new Hono<AppEnv>();

  app.get('/api/summary', noStore, async (c) => c.json(await getSummary(db, now())));

  // Resolves the :serverId segment or answers the spec's 404/400; hands the server to `respond`.
  const withServer = (respond: (c: Context<AppEnv>, server: Server) => Promise<Response>) => async (c: Context<AppEnv>) => {
    const identifier = c.req.param('serverId') ?? '';
    const lookup = await findServer(db, identifier);
    if (lookup.kind === 'missing') {
      return sendError(c, 404, 'Server not found', `No server found with identifier: ${identifier}`, { status: 404 });
    }
    if (lookup.kind === 'ambiguous') {
      const ids = lookup.matches.map((m) => m.id).join(', ');
      return sendError(c, 400, 'Multiple servers found with the same name',
        `Multiple servers found with name "${identifier}". Please use the server ID instead of the name. Available IDs: ${ids}`,
        { status: 400, duplicate_servers: lookup.matches });
    }
    return respond(c, lookup.server);
  };

  app.get('/api/lastbackup/:serverId', noStore, withServer(async (c, server) => {
    const [latest] = await latestRunsOfServer(db, server.id);
    return c.json({
      server: externalServer(server, latest),
      latest_backup: latest ? externalBackup(latest) : null,
      status: 200,
    });
  }));

  app.get('/api/lastbackups/:serverId', noStore, withServer(async (c, server) => {
    const runs = await latestRunsOfServer(db, server.id);
    return c.json({
      server: externalServer(server, runs[0]),
      latest_backups: runs.map(externalBackup),
      backup_jobs_count: runs.length,
      backup_names: runs.map((r) => r.backupName),
      status: 200,
    });
  }));

  return app;
}
