// The one access guard (spec 04 §5.4 with decisions 1 and 9): session, CSRF, identity, role —
// in that order — for the level the ACCESS table gives the route. Unlisted API routes are 404.
import { getCookie } from 'hono/cookie';
import type { MiddlewareHandler } from 'hono';
import { findValidSession, csrfTokenValid } from '../../auth/sessions.ts';
import { findUserById, isLocked } from '../../auth/users.ts';
import type { Database } from '../../db/client.ts';
import { accessFor } from '../access.ts';
import type { AppEnv } from '../env.ts';
import { sendError } from '../errors.ts';

export function sessionIdOf(cookies: Record<string, string>): string | undefined {
  return cookies.sessionId || cookies.session || undefined;
}

export function guard(db: Database, now: () => Date): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set('session', null);
    c.set('user', null);
    if (!c.req.path.startsWith('/api/')) return next();
    const access = accessFor(c.req.method, c.req.path);
    if (access.kind === 'unknown') return sendError(c, 404, 'Not found', `No API endpoint ${c.req.method} ${c.req.path}`);
    if (access.kind === 'wrong-method') {
      c.header('Allow', access.allowed.join(', '));
      return sendError(c, 405, 'Method not allowed', `${c.req.path} accepts ${access.allowed.join(', ')}`);
    }
    const { level } = access;
    if (level === 'public') return next();

    const at = now();
    const session = await findValidSession(db, sessionIdOf(getCookie(c)), at);
    const csrf = c.req.header('X-CSRF-Token');
    const reading = c.req.method === 'GET' || c.req.method === 'HEAD';
    if (level === 'login') {
      if (!csrf) return sendError(c, 403, 'CSRF token required', 'Send the token from GET /api/csrf in the X-CSRF-Token header');
      if (session && !csrfTokenValid(session, csrf, at)) return sendError(c, 403, 'Invalid CSRF token', 'The X-CSRF-Token header does not match this session');
      c.set('session', session);
      return next();
    }
    if (!session) return sendError(c, 401, 'Invalid or expired session', 'Sign in again');
    if (!reading && !csrfTokenValid(session, csrf, at)) {
      return sendError(c, 403, 'Invalid CSRF token', 'Missing, expired or wrong X-CSRF-Token header: fetch a fresh one from GET /api/csrf');
    }
    c.set('session', session);
    // Only the sessionId cookie identifies a user (the legacy `session` cookie never signs anyone in).
    const owner = session.userId && getCookie(c, 'sessionId') === session.id ? await findUserById(db, session.userId) : undefined;
    const user = owner && !isLocked(owner, at) ? owner : null;
    c.set('user', user);
    if (level === 'session') return next();
    if (!user) return sendError(c, 401, 'Authentication required', 'Sign in to use this endpoint');
    if (level === 'admin' && user.isAdmin !== 1) return sendError(c, 403, 'Administrator access required', 'This endpoint is for administrators');
    return next();
  };
}
