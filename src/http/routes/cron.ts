// The scheduler API (spec 03 §10.2–10.3): the overdue-check interval (/api/cron-config) and the
// control paths the reference's separate cron process served (/api/cron/*), answered here by the
// in-process scheduler. Other /api/cron/* paths are 404 (the guard: they are not in ACCESS).
import { Hono, type Context } from 'hono';
import { audit } from '../../audit/audit.ts';
import { CRON_INTERVALS, intervalOf, isCronInterval, OVERDUE_TASK, taskForInterval } from '../../settings/cron-interval.ts';
import { getCronConfig, saveCronConfig } from '../../settings/store.ts';
import type { Scheduler } from '../../scheduler.ts';
import { jsonObject } from '../body.ts';
import { actorOf } from '../client-info.ts';
import type { AppDeps } from '../deps.ts';
import type { AppEnv } from '../env.ts';
import { sendError, sendFailure } from '../errors.ts';

const taskOf = (c: Context<AppEnv>) => c.req.param('task') ?? '';
const detail = (error: unknown) => (error instanceof Error ? error.message : String(error));

export function cronRoutes({ db, scheduler }: AppDeps) {
  const app = new Hono<AppEnv>();

  app.get('/api/cron-config', async (c) => {
    try {
      const task = (await getCronConfig(db)).tasks[OVERDUE_TASK];
      return c.json({ cronExpression: task.cronExpression, enabled: task.enabled });
    } catch (error) {
      console.error('[cron] reading cron configuration failed:', error);
      return sendError(c, 500, 'Failed to get cron configuration', detail(error));
    }
  });

  app.post('/api/cron-config', async (c) => {
    const body = await jsonObject(c);
    if (!body.ok) return sendFailure(c, body);
    const { interval } = body.value;
    if (!interval) return sendError(c, 400, 'Interval is required', 'Send {"interval": "<code>"}');
    if (!isCronInterval(interval)) {
      // The reference's only signal for an unknown code is this 500 (spec 03 §10.2).
      const codes = Object.keys(CRON_INTERVALS).join(', ');
      return sendError(c, 500, 'Failed to update cron configuration', `Unknown interval ${JSON.stringify(interval)}; expected one of ${codes}`);
    }
    try {
      const config = await getCronConfig(db);
      const oldInterval = intervalOf(config.tasks[OVERDUE_TASK]);
      const task = taskForInterval(interval);
      await saveCronConfig(db, { ...config, tasks: { ...config.tasks, [OVERDUE_TASK]: task } });
      // Takes effect at once: the old job is stopped, a new one started when enabled.
      scheduler?.setTask(OVERDUE_TASK, task);
      await audit(db, actorOf(c), {
        action: 'overdue_monitoring_interval_updated',
        category: 'config',
        targetType: 'configuration',
        targetId: 'cron_interval',
        details: { oldInterval: CRON_INTERVALS[oldInterval].label, newInterval: CRON_INTERVALS[interval].label },
      });
      return c.json({ success: true });
    } catch (error) {
      console.error('[cron] updating cron configuration failed:', error);
      return sendError(c, 500, 'Failed to update cron configuration', detail(error));
    }
  });

  /** Runs `handle` with the scheduler, or answers 503 when it failed to initialise. */
  const withScheduler = (handle: (c: Context<AppEnv>, s: Scheduler) => Promise<Response> | Response) => (c: Context<AppEnv>) =>
    scheduler ? handle(c, scheduler) : sendError(c, 503, 'Cron service is not running', 'The scheduler of this daemon is not available');

  app.get(
    '/api/cron/health',
    withScheduler((c, s) => c.json(s.health())),
  );

  app.post(
    '/api/cron/trigger/:task',
    withScheduler(async (c, s) => {
      try {
        // 200 also when the task failed: the result says so (`success: false`).
        return c.json(await s.trigger(taskOf(c)));
      } catch (error) {
        return sendError(c, 500, String(error), 'The task could not be run');
      }
    }),
  );

  app.post(
    '/api/cron/stop/:task',
    withScheduler((c, s) => {
      const name = taskOf(c);
      return s.stopTask(name) ? c.json({ message: `Task ${name} stopped` }) : sendError(c, 404, `Task ${name} not found`, 'The task is not scheduled');
    }),
  );

  app.post(
    '/api/cron/start/:task',
    withScheduler((c, s) => {
      const name = taskOf(c);
      let outcome;
      try {
        outcome = s.startTask(name);
      } catch (error) {
        return sendError(c, 500, String(error), 'The task could not be scheduled');
      }
      if (outcome === 'not-found') return sendError(c, 404, `Task ${name} not found in configuration`, 'Only tasks of the cron_service configuration can be started');
      if (outcome === 'invalid') return sendError(c, 500, `Invalid task configuration for ${name}`, 'The configured cron expression is not valid');
      return c.json({ message: `Task ${name} started` });
    }),
  );

  app.post(
    '/api/cron/reload-config',
    withScheduler(async (c, s) => {
      try {
        await s.reload();
        return c.json({ message: 'Configuration reloaded successfully' });
      } catch (error) {
        return sendError(c, 500, String(error), 'The scheduler configuration could not be applied');
      }
    }),
  );

  return app;
}
