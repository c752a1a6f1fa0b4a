// Audit trail API (spec 04 §9.4–9.8): list, filter values, download, retention, cleanup.
import { Hono, type Context } from 'hono';
import { auditCsv, auditFilterValues, exportAudit, listAudit, type AuditFilter } from '../../audit/query.ts';
import { cleanupAudit, retentionDays, setRetentionDays } from '../../audit/retention.ts';
import { jsonObject } from '../body.ts';
import { actorOf } from '../client-info.ts';
import type { AppDeps } from '../deps.ts';
import type { AppEnv } from '../env.ts';
import { sendError, sendFailure } from '../errors.ts';

function filterOf(c: Context): AuditFilter {
  const q = c.req.query();
  return { startDate: q.startDate, endDate: q.endDate, userId: q.userId, username: q.username, action: q.action, category: q.category, status: q.status };
}

export function auditLogRoutes({ db, now = () => new Date() }: AppDeps) {
  const app = new Hono<AppEnv>();

  app.get('/api/audit-log', async (c) => {
    const q = c.req.query();
    const limit = Math.min(1000, Math.max(1, Number.parseInt(q.limit ?? '', 10) || 50));
    const offsetParam = Number.parseInt(q.offset ?? '', 10);
    const offset = Number.isInteger(offsetParam) && offsetParam >= 0 ? offsetParam : (Math.max(1, Number.parseInt(q.page ?? '', 10) || 1) - 1) * limit;
    const { logs, total } = await listAudit(db, filterOf(c), { limit, offset });
    return c.json({ logs, pagination: { page: Math.floor(offset / limit) + 1, limit, total, totalPages: Math.ceil(total / limit) } });
  });

  app.get('/api/audit-log/filters', async (c) => c.json(await auditFilterValues(db)));

  app.get('/api/audit-log/download', async (c) => {
    const records = await exportAudit(db, filterOf(c));
    const day = now().toISOString().slice(0, 10);
    if (c.req.query('format') === 'json') {
      c.header('Content-Disposition', `attachment; filename="audit-log-${day}.json"`);
      return c.json(records);
    }
    if (records.length === 0) return sendError(c, 400, 'No logs to export', 'No audit entries match these filters');
    c.header('Content-Type', 'text/csv; charset=utf-8');
    c.header('Content-Disposition', `attachment; filename="audit-log-${day}.csv"`);
    return c.body(auditCsv(records));
  });

  app.get('/api/audit-log/retention', async (c) => c.json({ retentionDays: await retentionDays(db) }));

  app.patch('/api/audit-log/retention', async (c) => {
    const body = await jsonObject(c);
    if (!body.ok) return sendFailure(c, body);
    const result = await setRetentionDays(db, body.value.retentionDays, actorOf(c));
    return result.ok ? c.json({ success: true, retentionDays: result.value }) : sendFailure(c, result);
  });

  app.post('/api/audit-log/cleanup', async (c) => {
    const body = await jsonObject(c, { optional: true });
    const options = body.ok ? body.value : {};
    const result = await cleanupAudit(db, { retentionDays: options.retentionDays, dryRun: options.dryRun === true }, actorOf(c), now());
    return result.ok ? c.json(result.value) : sendFailure(c, result);
  });
  return app;
}
