// Server-side sessions and their CSRF tokens (spec 04 §5.2–5.3): 24 h absolute lifetime,
// one synchroniser token per session valid 30 min, reused while more than 5 min remain.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { eq, lt, sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { sessions, type Session } from '../db/schema.ts';

export const SESSION_TTL_MS = 24 * 3600_000;
const CSRF_TTL_MS = 30 * 60_000;
const CSRF_REUSE_MARGIN_MS = 5 * 60_000;
// last_accessed is informational: refresh it at most once a minute instead of writing on every request.
const TOUCH_INTERVAL_MS = 60_000;

const token = () => randomBytes(32).toString('hex');
const iso = (ms: number) => new Date(ms).toISOString();

export interface Client {
  ipAddress?: string | null;
  userAgent?: string | null;
}

export async function createSession(db: Database, now: Date, client: Client = {}, userId: string | null = null): Promise<Session> {
  // New sessions are the only way the table grows, so that is where expired ones are cleared.
  await purgeExpiredSessions(db, now);
  const [row] = await db.orm
    .insert(sessions)
    .values({ id: token(), userId, expiresAt: iso(now.getTime() + SESSION_TTL_MS), ipAddress: client.ipAddress ?? null, userAgent: client.userAgent ?? null })
    .returning();
  return row;
}

/** The session if it exists and has not expired; an expired row is deleted on sight. */
export async function findValidSession(db: Database, id: string | undefined, now: Date): Promise<Session | null> {
  if (!id || !/^[0-9a-f]{64}$/.test(id)) return null;
  const [row] = await db.orm.select().from(sessions).where(eq(sessions.id, id));
  if (!row) return null;
  if (row.expiresAt <= now.toISOString()) {
    await db.orm.delete(sessions).where(eq(sessions.id, id));
    return null;
  }
  const last = Date.parse(`${row.lastAccessed?.replace(' ', 'T')}Z`);
  if (!(now.getTime() - last < TOUCH_INTERVAL_MS)) {
    await db.orm.update(sessions).set({ lastAccessed: sql`CURRENT_TIMESTAMP` }).where(eq(sessions.id, id));
  }
  return row;
}

/** The session's current CSRF token, replaced when it has less than 5 minutes left. */
export async function issueCsrfToken(db: Database, session: Session, now: Date): Promise<string> {
  const expires = session.csrfExpiresAt ? Date.parse(session.csrfExpiresAt) : 0;
  if (session.csrfToken && expires - now.getTime() > CSRF_REUSE_MARGIN_MS) return session.csrfToken;
  const fresh = token();
  await db.orm.update(sessions).set({ csrfToken: fresh, csrfExpiresAt: iso(now.getTime() + CSRF_TTL_MS) }).where(eq(sessions.id, session.id));
  return fresh;
}

export function csrfTokenValid(session: Session, given: string | undefined, now: Date): boolean {
  if (!given || !session.csrfToken || !session.csrfExpiresAt) return false;
  if (session.csrfExpiresAt <= now.toISOString()) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(session.csrfToken);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Sign-in gets a fresh session id (no fixation through a planted cookie); the CSRF token the
 * client already holds moves with it, so its next call still validates.
 */
export async function startUserSession(db: Database, previous: Session | null, userId: string, now: Date, client: Client): Promise<Session> {
  const [row] = await db.orm
    .insert(sessions)
    .values({
      id: token(),
      userId,
      expiresAt: iso(now.getTime() + SESSION_TTL_MS),
      ipAddress: client.ipAddress ?? null,
      userAgent: client.userAgent ?? null,
      csrfToken: previous?.csrfToken ?? null,
      csrfExpiresAt: previous?.csrfExpiresAt ?? null,
    })
    .returning();
  if (previous) await deleteSession(db, previous.id);
  return row;
}

export async function deleteSession(db: Database, id: string): Promise<void> {
  await db.orm.delete(sessions).where(eq(sessions.id, id));
}

export async function purgeExpiredSessions(db: Database, now: Date): Promise<number> {
  const result = await db.orm.delete(sessions).where(lt(sessions.expiresAt, now.toISOString()));
  return result.rowsAffected;
}

export async function deleteAllSessions(db: Database): Promise<number> {
  return (await db.orm.delete(sessions)).rowsAffected;
}
