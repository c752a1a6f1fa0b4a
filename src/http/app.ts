// Builds the Hono app: route groups, the error envelope, JSON 404s under /api, the dashboard.
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppDeps } from './deps.ts';
import { errorBody, HttpError, sendError } from './errors.ts';
import { externalRoutes } from './routes/external.ts';
import { healthRoutes } from './routes/health.ts';
import { uploadRoutes } from './routes/upload.ts';
import { serveWeb } from './static.ts';

export function createApp(deps: AppDeps) {
  const app = new Hono();
  app.route('/', uploadRoutes(deps));
  app.route('/', externalRoutes(deps));
  app.route('/', healthRoutes(deps));

  app.all('/api/*', (c) => sendError(c, 404, 'Not found', `No API endpoint ${c.req.method} ${c.req.path}`));
  app.get('*', serveWeb);

  app.onError((err, c) => {
    if (err instanceof HttpError) return sendError(c, err.status, err.error, err.message, err.extra);
    if (err instanceof HTTPException && err.status < 500) return sendError(c, err.status, err.message || 'Bad request', err.message);
    console.error(`[http] ${c.req.method} ${c.req.path} failed:`, err);
    const stack = deps.config.development ? { stack: (err as Error).stack } : {};
    return c.json(errorBody('Internal server error', 'An unexpected error occurred', stack), 500);
  });
  return app;
}
