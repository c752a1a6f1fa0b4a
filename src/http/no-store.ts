// Integrations poll these endpoints; a proxy or browser must never answer from a cache (spec 02 §2.2).
import type { MiddlewareHandler } from 'hono';

export const noStore: MiddlewareHandler = async (c, next) => {
  await next();
  c.header('Cache-Control', 'no-store, no-cache, must-revalidate');
  c.header('Pragma', 'no-cache');
  c.header('X-Content-Type-Options', 'nosniff');
};
