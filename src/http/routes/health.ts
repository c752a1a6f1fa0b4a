// GET /api/health and /api/ping: public liveness for containers and uptime checkers.
import { Hono } from 'hono';
import { checkHealth } from '../../reports/health.ts';
import type { AppDeps } from '../deps.ts';
import type { AppEnv } from '../env.ts';
import { noStore } from '../no-store.ts';

export function healthRoutes({ db, now = () => new Date(), scheduler, notifier }: AppDeps) {
  const app = new Hono<AppEnv>();
  app.get('/api/health', noStore, async (c) => {
    const { healthy, body } = await checkHealth(db, now());
    // Scheduler state and notification counters ride along (informational: never a 503). The
    // endpoint is public, so the notifier's last error text stays out.
    const extra = {
      ...(scheduler && { scheduler: scheduler.health() }),
      ...(notifier && { notifications: (({ queued, sent, failed }) => ({ queued, sent, failed }))(notifier.status()) }),
    };
    return c.json({ ...body, ...extra }, healthy ? 200 : 503);
  });
  app.get('/api/ping', noStore, (c) => c.json({ ok: true }));
  return app;
}
