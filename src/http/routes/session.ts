// Session endpoints (spec 04 §7): anonymous sessions and CSRF tokens. Public, no CSRF.
import { Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import { createSession, deleteSession, findValidSession, issueCsrfToken } from '../../auth/sessions.ts';
import type { AppDeps } from '../deps.ts';
import type { AppEnv } from '../env.ts';
import { clientInfo } from '../client-info.ts';
import { clearSessionCookie, setSessionCookie } from '../cookies.ts';
import { sessionIdOf } from '../middleware/guard.ts';

const DAY = 86400;

export function sessionRoutes({ db, config, now = () => new Date() }: AppDeps) {
  const app = new Hono<AppEnv>();

  app.post('/api/session', async (c) => {
    const session = await createSession(db, now());
    setSessionCookie(c, 'session', session.id, DAY, config.secureCookies);
    return c.json({ sessionId: session.id, message: 'Session created successfully' });
  });

  app.get('/api/session', async (c) => {
    if (!c.req.header('Cookie')) return c.json({ valid: false, error: 'No session cookie' }, 401);
    const id = sessionIdOf(getCookie(c));
    if (!id) return c.json({ valid: false, error: 'No session ID' }, 401);
    const session = await findValidSession(db, id, now());
    return c.json(session ? { valid: true, sessionId: session.id } : { valid: false, sessionId: null });
  });

  app.delete('/api/session', async (c) => {
    if (!c.req.header('Cookie')) return c.json({ message: 'No session to delete' });
    const id = sessionIdOf(getCookie(c));
    if (id) await deleteSession(db, id);
    clearSessionCookie(c, 'session');
    return c.json({ message: 'Session deleted successfully' });
  });

  app.get('/api/csrf', async (c) => {
    const at = now();
    const session = (await findValidSession(db, sessionIdOf(getCookie(c)), at)) ?? (await createSession(db, at, clientInfo(c)));
    const token = await issueCsrfToken(db, session, at);
    const remaining = Math.max(1, Math.floor((Date.parse(session.expiresAt) - at.getTime()) / 1000));
    setSessionCookie(c, 'sessionId', session.id, remaining, config.secureCookies);
    return c.json({ token, csrfToken: token, message: 'CSRF token generated successfully' });
  });
  return app;
}
