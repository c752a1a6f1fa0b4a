// Notification System endpoints (spec 03 §6): the manual overdue check, clearing the overdue alert
// timestamps, and test sends. All need a signed-in user (decision 9).
import { Hono } from 'hono';
import { audit } from '../../audit/audit.ts';
import { checkOverdue, clearOverdueTimestamps } from '../../monitor/check.ts';
import { sendTestNotification } from '../../notify/test-send.ts';
import { jsonObject } from '../body.ts';
import { actorOf } from '../client-info.ts';
import type { AppDeps } from '../deps.ts';
import type { AppEnv } from '../env.ts';
import { sendError, sendFailure } from '../errors.ts';

const reasonOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

export function notificationRoutes({ db, secrets, config, notifier, now = () => new Date() }: AppDeps) {
  const app = new Hono<AppEnv>();

  app.post('/api/notifications/check-overdue', async (c) => {
    const actor = actorOf(c);
    try {
      const send = notifier ? notifier.sendOverdue : undefined;
      const result = await checkOverdue(db, { secrets, send, dispatch: { timeZone: config.timeZone } }, { force: true, now: now() });
      await audit(db, actor, { action: 'overdue_check_manual', category: 'system', details: { ...result.statistics } });
      return c.json(result);
    } catch (err) {
      console.error('[notifications] manual overdue check failed:', err);
      await audit(db, actor, { action: 'overdue_check_manual', category: 'system', status: 'error', errorMessage: reasonOf(err) });
      return sendError(c, 500, 'Failed to check for overdue backups', reasonOf(err));
    }
  });

  app.post('/api/notifications/clear-overdue-timestamps', async (c) => {
    const actor = actorOf(c);
    try {
      const cleared = await clearOverdueTimestamps(db);
      await audit(db, actor, { action: 'overdue_notifications_reset', category: 'system', details: { cleared } });
      return c.json({ message: 'Overdue backup notification timestamps cleared successfully' });
    } catch (err) {
      console.error('[notifications] clearing overdue timestamps failed:', err);
      await audit(db, actor, { action: 'overdue_notifications_reset', category: 'system', status: 'error', errorMessage: reasonOf(err) });
      return sendError(c, 500, 'Failed to clear overdue backup timestamps', reasonOf(err));
    }
  });

  app.post('/api/notifications/test', async (c) => {
    const body = await jsonObject(c, { optional: true });
    if (!body.ok) return sendFailure(c, body);
    try {
      const result = await sendTestNotification({ db, secrets, actor: actorOf(c), now: now(), timeZone: config.timeZone }, body.value);
      return result.ok ? c.json(result.body) : sendError(c, result.status, result.error, result.message);
    } catch (err) {
      console.error('[notifications] test send failed:', err);
      return sendError(c, 500, `Failed to send test notification: ${reasonOf(err)}`, reasonOf(err));
    }
  });
  return app;
}
