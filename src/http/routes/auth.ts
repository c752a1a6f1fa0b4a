// Authentication endpoints (spec 04 §6 with decisions 11–12).
import { Hono } from 'hono';
import { eq, sql } from 'drizzle-orm';
import { audit } from '../../audit/audit.ts';
import { attemptLogin } from '../../auth/login.ts';
import { hashPassword, passwordProblems, verifyPassword } from '../../auth/passwords.ts';
import { SESSION_TTL_MS, deleteSession, startUserSession } from '../../auth/sessions.ts';
import { findUserById, findUserByName, publicUser } from '../../auth/users.ts';
import { users } from '../../db/schema.ts';
import { jsonObject } from '../body.ts';
import { actorOf, clientInfo } from '../client-info.ts';
import { clearSessionCookie, setSessionCookie } from '../cookies.ts';
import type { AppDeps } from '../deps.ts';
import type { AppEnv } from '../env.ts';
import { sendError, sendFailure } from '../errors.ts';
import { getCookie } from 'hono/cookie';

export function authRoutes({ db, config, now = () => new Date() }: AppDeps) {
  const app = new Hono<AppEnv>();

  app.post('/api/auth/login', async (c) => {
    const body = await jsonObject(c);
    if (!body.ok) return sendFailure(c, body);
    const at = now();
    const client = clientInfo(c);
    const attempt = await attemptLogin(db, body.value.username, body.value.password, at, client.ipAddress);
    const actor = { userId: attempt.user?.id ?? null, username: attempt.user?.username ?? (typeof body.value.username === 'string' ? body.value.username : 'unknown'), ...client };
    if (!attempt.outcome.ok) {
      await audit(db, actor, { action: 'login', category: 'auth', status: 'failure', details: { reason: attempt.auditReason, ...attempt.auditDetails } });
      return sendFailure(c, attempt.outcome);
    }
    const user = attempt.outcome.value;
    const session = await startUserSession(db, c.get('session'), user.id, at, client);
    setSessionCookie(c, 'sessionId', session.id, SESSION_TTL_MS / 1000, config.secureCookies);
    await audit(db, actor, { action: 'login', category: 'auth', details: { is_admin: user.isAdmin === 1, must_change_password: user.mustChangePassword === 1 } });
    return c.json({ success: true, user: publicUser(user), keyChanged: false });
  });

  app.post('/api/auth/logout', async (c) => {
    const id = getCookie(c, 'sessionId');
    if (!id) return sendError(c, 400, 'No active session', 'No sessionId cookie was sent', { errorCode: 'NO_ACTIVE_SESSION' });
    await deleteSession(db, id);
    if (c.get('user')) await audit(db, actorOf(c), { action: 'logout', category: 'auth', details: {} });
    clearSessionCookie(c, 'sessionId');
    return c.json({ success: true, message: 'Logged out successfully', successCode: 'LOGGED_OUT' });
  });

  app.get('/api/auth/me', (c) => {
    const user = c.get('user');
    return c.json(user ? { authenticated: true, user: publicUser(user) } : { authenticated: false, user: null });
  });

  app.post('/api/auth/change-password', async (c) => {
    const body = await jsonObject(c);
    if (!body.ok) return sendFailure(c, body);
    const { currentPassword, newPassword } = body.value;
    const actor = actorOf(c);
    const reject = async (status: 400 | 401 | 404, error: string, errorCode: string, reason: string, extra: Record<string, unknown> = {}) => {
      await audit(db, actor, { action: 'change_password', category: 'auth', status: 'failure', details: { reason, ...extra } });
      return sendError(c, status, error, error, { errorCode, ...extra });
    };
    if (typeof newPassword !== 'string' || newPassword === '') return reject(400, 'New password is required', 'NEW_PASSWORD_REQUIRED', 'Missing new password');
    if (currentPassword !== undefined && typeof currentPassword !== 'string') return reject(400, 'currentPassword must be a string', 'INVALID_REQUEST', 'Invalid current password type');
    const problems = passwordProblems(newPassword, config.passwordPolicy);
    if (problems.length) return reject(400, 'New password does not meet policy requirements', 'POLICY_NOT_MET', 'Password policy violation', { validationErrors: problems });
    const user = await findUserById(db, c.get('user')!.id);
    if (!user) return reject(404, 'User not found', 'USER_NOT_FOUND', 'User not found');
    const forced = user.mustChangePassword === 1;
    if (!forced && typeof currentPassword === 'string') {
      if (!(await verifyPassword(currentPassword, user.passwordHash))) return reject(401, 'Current password is incorrect', 'CURRENT_PASSWORD_INCORRECT', 'Invalid current password');
    }
    if (await verifyPassword(newPassword, user.passwordHash)) {
      return reject(400, 'New password must be different from current password', 'NEW_PASSWORD_SAME_AS_CURRENT', 'New password same as current');
    }
    await db.orm.update(users).set({ passwordHash: await hashPassword(newPassword), mustChangePassword: 0, updatedAt: sql`CURRENT_TIMESTAMP` }).where(eq(users.id, user.id));
    await audit(db, actor, { action: 'change_password', category: 'auth', details: { was_forced: forced } });
    return c.json({ success: true, message: 'Password changed successfully', successCode: 'PASSWORD_CHANGED' });
  });

  app.get('/api/auth/admin-must-change-password', async (c) => {
    const admin = await findUserByName(db, 'admin').catch(() => undefined);
    return c.json({ mustChangePassword: admin?.mustChangePassword === 1 });
  });

  app.get('/api/auth/password-policy', (c) => c.json(config.passwordPolicy));
  return app;
}
