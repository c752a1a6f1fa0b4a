// Decision 13: when an upload token is configured, /api/upload needs it (?token= or Bearer).
import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { sendError } from '../errors.ts';

export function requireUploadToken(currentToken: () => Promise<string | undefined>): MiddlewareHandler {
  return async (c, next) => {
    const expected = await currentToken();
    if (!expected) return next();
    const bearer = c.req.header('Authorization')?.match(/^Bearer\s+(.+)$/i)?.[1];
    const given = c.req.query('token') ?? bearer ?? '';
    if (!sameSecret(given, expected)) {
      return sendError(c, 401, 'Invalid or missing upload token', 'This server requires an upload token: add ?token=<token> to --send-http-url or send Authorization: Bearer <token>');
    }
    return next();
  };
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
