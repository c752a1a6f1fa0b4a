// Sign-in decision with per-account lockout (spec 04 §4.4, §6.1; decision 11).
import { eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { users, type User } from '../db/schema.ts';
import { fail, ok, type Outcome } from '../outcome.ts';
import { burnVerification, verifyPassword } from './passwords.ts';
import { findUserByName, isLocked } from './users.ts';

export const MAX_FAILED_ATTEMPTS = 5;
export const LOCK_MS = 15 * 60_000;

export interface LoginAttempt {
  outcome: Outcome<User>;
  /** The account the attempt was about, when it exists (for the audit row). */
  user?: User;
  auditReason?: string;
  auditDetails?: Record<string, unknown>;
}

const invalid = () => fail(401, 'Invalid username or password', 'Invalid username or password', { errorCode: 'INVALID_CREDENTIALS' });

function locked(until: string, now: Date, text: string) {
  const minutesRemaining = Math.ceil((Date.parse(until) - now.getTime()) / 60_000);
  return fail(403, text, text, { errorCode: 'ACCOUNT_LOCKED', lockedUntil: until, minutesRemaining });
}

export async function attemptLogin(db: Database, username: unknown, password: unknown, now: Date, ip: string | null): Promise<LoginAttempt> {
  if (typeof username !== 'string' || typeof password !== 'string' || !username.trim() || !password) {
    return { outcome: fail(400, 'Username and password are required', 'Username and password are required', { errorCode: 'REQUIRED_CREDENTIALS' }), auditReason: 'Missing credentials' };
  }
  const user = await findUserByName(db, username);
  if (!user) {
    await burnVerification(password);
    return { outcome: invalid(), auditReason: 'Invalid credentials' };
  }
  if (isLocked(user, now)) {
    const outcome = locked(user.lockedUntil!, now, 'Account is locked due to too many failed login attempts');
    return { outcome, user, auditReason: 'Account locked', auditDetails: { minutes_remaining: outcome.extra!.minutesRemaining } };
  }
  // An expired lock starts a fresh count.
  const previousFailures = user.lockedUntil ? 0 : user.failedLoginAttempts;
  if (!(await verifyPassword(password, user.passwordHash))) {
    const failures = previousFailures + 1;
    const lockedUntil = failures >= MAX_FAILED_ATTEMPTS ? new Date(now.getTime() + LOCK_MS).toISOString() : null;
    await db.orm.update(users).set({ failedLoginAttempts: failures, lockedUntil }).where(eq(users.id, user.id));
    if (lockedUntil) {
      return {
        outcome: locked(lockedUntil, now, 'Account locked due to too many failed login attempts'),
        user,
        auditReason: 'Too many failed attempts',
        auditDetails: { failed_attempts: failures, locked_until: lockedUntil },
      };
    }
    return { outcome: invalid(), user, auditReason: 'Invalid password', auditDetails: { failed_attempts: failures } };
  }
  await db.orm
    .update(users)
    .set({ failedLoginAttempts: 0, lockedUntil: null, lastLoginAt: sql`CURRENT_TIMESTAMP`, lastLoginIp: ip })
    .where(eq(users.id, user.id));
  return { outcome: ok(user), user };
}
