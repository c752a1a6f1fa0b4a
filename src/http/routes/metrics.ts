// GET /metrics (beyond the reference): Prometheus text format, off unless METRICS=true. Not under
// /api/, so the access guard lets it through; with METRICS_TOKEN set it wants that bearer token.
import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { collectMetrics, METRICS_CONTENT_TYPE, renderExposition } from '../../reports/metrics.ts';
import type { AppDeps } from '../deps.ts';
import type { AppEnv } from '../env.ts';
import { sendError } from '../errors.ts';
import { noStore } from '../no-store.ts';
import { UPLOAD_OUTCOMES } from '../upload-counters.ts';

// Digests have one length, so the comparison takes the same time whatever was sent.
const digest = (text: string) => createHash('sha256').update(text).digest();
const sameSecret = (given: string, expected: string) => timingSafeEqual(digest(given), digest(expected));

export function metricsRoutes({ db, config, now = () => new Date(), uploadCounters, notifier }: AppDeps) {
  const app = new Hono<AppEnv>();
  app.get('/metrics', noStore, async (c) => {
    const { enabled, token } = config.metrics;
    if (!enabled) return sendError(c, 404, 'Not found', 'Metrics are disabled; set METRICS=true to serve GET /metrics');
    if (token) {
      const given = c.req.header('Authorization')?.match(/^Bearer[ \t]+(\S+)[ \t]*$/i)?.[1] ?? '';
      if (!sameSecret(given, token)) {
        c.header('WWW-Authenticate', 'Bearer realm="duplistatus metrics"');
        return sendError(c, 401, 'Invalid or missing metrics token', 'Send Authorization: Bearer <METRICS_TOKEN>');
      }
    }
    const uploads = uploadCounters?.snapshot() ?? Object.fromEntries(UPLOAD_OUTCOMES.map((o) => [o, 0]));
    const families = await collectMetrics(db, now(), {
      startTimeSeconds: performance.timeOrigin / 1000,
      uptimeSeconds: process.uptime(),
      uploads,
      ...(notifier && { notifications: (({ sent, failed }) => ({ sent, failed }))(notifier.status()) }),
    });
    return c.body(renderExposition(families), 200, { 'Content-Type': METRICS_CONTENT_TYPE });
  });
  return app;
}
