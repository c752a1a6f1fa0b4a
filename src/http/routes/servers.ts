// Servers (spec 02 §3.2–3.5, §3.7–3.8): list, read, edit, delete, find and merge duplicates.
// Unknown ids are 404 (the issue overrides the reference's 500s); writes are audited.
import { Hono } from 'hono';
import { audit } from '../../audit/audit.ts';
import { getServer, getServerDetail, listServers } from '../../reports/servers.ts';
import { deleteServer } from '../../servers/delete.ts';
import { findDuplicateServers } from '../../servers/duplicates.ts';
import { mergeServers } from '../../servers/merge.ts';
import { updateServer } from '../../servers/update.ts';
import { jsonObject } from '../body.ts';
import { actorOf } from '../client-info.ts';
import type { AppDeps } from '../deps.ts';
import type { AppEnv } from '../env.ts';
import { sendError, sendFailure } from '../errors.ts';

export function serverRoutes({ db }: AppDeps) {
  const app = new Hono<AppEnv>();
  const serverAudit = (c: Parameters<typeof actorOf>[0], action: string, id: string, details: Record<string, unknown>) =>
    audit(db, actorOf(c), { action, category: 'server', targetType: 'server', targetId: id, details });

  app.get('/api/servers', async (c) => c.json(await listServers(db, { includeBackups: c.req.query('includeBackups') === 'true' })));

  app.get('/api/servers/duplicates', async (c) => c.json(await findDuplicateServers(db)));

  app.post('/api/servers/merge', async (c) => {
    const body = await jsonObject(c);
    if (!body.ok) return sendFailure(c, body);
    const request = { targetId: body.value.targetServerId, sourceIds: body.value.oldServerIds };
    const result = await mergeServers(db, request);
    if (!result.ok) return sendFailure(c, result);
    await serverAudit(c, 'servers_merged', String(request.targetId), { oldServerIds: request.sourceIds, backupIdsNormalized: result.value.backupIdsNormalized });
    return c.json(result.value);
  });

  app.get('/api/servers/:id', async (c) => {
    const id = c.req.param('id');
    const full = c.req.query('includeBackups') === 'true' || c.req.query('includeChartData') === 'true';
    const server = full ? await getServerDetail(db, id) : await getServer(db, id);
    return server ? c.json(server) : sendError(c, 404, 'Server not found', `No server found with id: ${id}`);
  });

  app.patch('/api/servers/:id', async (c) => {
    const body = await jsonObject(c);
    if (!body.ok) return sendFailure(c, body);
    const id = c.req.param('id');
    const result = await updateServer(db, id, body.value);
    if (!result.ok) return sendFailure(c, result);
    const { server_url, alias, note } = result.value;
    await serverAudit(c, 'server_updated', id, { server_url, alias, note });
    return c.json(result.value);
  });

  app.delete('/api/servers/:id', async (c) => {
    const id = c.req.param('id');
    const result = await deleteServer(db, id);
    if (!result.ok) return sendFailure(c, result);
    await serverAudit(c, 'server_deleted', id, { serverName: result.serverName, backupChanges: result.value.changes.backupChanges });
    return c.json(result.value);
  });
  return app;
}
