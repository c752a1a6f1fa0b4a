// GET /api/health and /api/ping: public liveness for containers and uptime checkers.
import { Hono } from 'hono';
import { checkHealth } from '../../reports/health.ts';
import type { AppDeps } from '../deps.ts';
import type { AppEnv } from '../env.ts';
import { noStore } from '../no-store.ts';

export function healthRoutes({ db, now = () => new Date() }: AppDeps) {
  const app = new Hono<AppEnv>();
  app.get('/api/health', noStore, async (c) => {
    const { healthy, body } = await checkHealth(db, now());
    return c.json(body, healthy ? 200 : 503);
  });
  app.get('/api/ping', noStore, (c) => c.json({ ok: true }));
  return app;
}
