// Builds the Hono app: route groups, the error envelope, JSON 404s under /api, the dashboard.
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import type { AppDeps } from './deps.ts';
import type { AppEnv } from './env.ts';
import { errorBody, sendError } from './errors.ts';
import { guard } from './middleware/guard.ts';
import { auditLogRoutes } from './routes/audit-log.ts';
import { configurationRoutes } from './routes/configuration.ts';
import { dashboardRoutes } from './routes/dashboard.ts';
import { serverRoutes } from './routes/servers.ts';
import { authRoutes } from './routes/auth.ts';
import { cronRoutes } from './routes/cron.ts';
import { externalRoutes } from './routes/external.ts';
import { healthRoutes } from './routes/health.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { notificationRoutes } from './routes/notifications.ts';
import { sessionRoutes } from './routes/session.ts';
import { uploadRoutes } from './routes/upload.ts';
import { userRoutes } from './routes/users.ts';
import { serveWeb } from './static.ts';
import { createUploadCounters } from './upload-counters.ts';

// Settings and admin calls are small; only uploads get the 10 MB allowance (their own limit).
const API_BODY_LIMIT = 1024 * 1024;

export function createApp(deps: AppDeps) {
  // One set of upload counters shared by the upload route (counts) and GET /metrics (reads).
  deps = { ...deps, uploadCounters: deps.uploadCounters ?? createUploadCounters() };
  const app = new Hono<AppEnv>();
  app.use('*', guard(deps.db, deps.now ?? (() => new Date())));
  app.use('/api/*', async (c, next) => {
    if (c.req.path === '/api/upload') return next();
    return bodyLimit({
      maxSize: API_BODY_LIMIT,
      onError: (ctx) => {
        ctx.header('Connection', 'close');
        return sendError(ctx, 413, 'Request body too large', `API request bodies are limited to ${API_BODY_LIMIT} bytes`);
      },
    })(c, next);
  });
  const groups = [
    uploadRoutes,
    externalRoutes,
    healthRoutes,
    metricsRoutes,
    sessionRoutes,
    authRoutes,
    userRoutes,
    auditLogRoutes,
    notificationRoutes,
    cronRoutes,
    configurationRoutes,
    serverRoutes,
    dashboardRoutes,
  ];
  for (const routes of groups) {
    app.route('/', routes(deps));
  }

  app.all('/api/*', (c) => sendError(c, 404, 'Not found', `No API endpoint ${c.req.method} ${c.req.path}`));
  app.get('*', serveWeb);

  app.onError((err, c) => {
    if (err instanceof HTTPException && err.status < 500) return sendError(c, err.status, err.message || 'Bad request', err.message);
    console.error(`[http] ${c.req.method} ${c.req.path} failed:`, err);
    const stack = deps.config.development ? { stack: (err as Error).stack } : {};
    return c.json(errorBody('Internal server error', 'An unexpected error occurred', stack), 500);
  });
  return app;
}
