// User accounts (spec 04 §3, §4.4–4.5, §8 with decisions 11 and the last-admin rules).
// Shared by the HTTP routes and the `duplistatus user` CLI.
import { randomBytes, randomUUID } from 'node:crypto';
import { and, asc, count, eq, ne, sql } from 'drizzle-orm';
import { audit, auditInsert, SYSTEM, type Actor } from '../audit/audit.ts';
import type { Database } from '../db/client.ts';
import { readSetting, writeSetting } from '../db/settings.ts';
import { users, type User } from '../db/schema.ts';
import { fail, ok, type Outcome } from '../outcome.ts';
import { DEFAULT_PASSWORD, hashPassword, passwordProblems, temporaryPassword, type PasswordPolicy } from './passwords.ts';

export const normalizeUsername = (name: string) => name.trim().toLowerCase();

export function publicUser(u: User) {
  return { id: u.id, username: u.username, isAdmin: u.isAdmin === 1, mustChangePassword: u.mustChangePassword === 1 };
}

export function isLocked(u: Pick<User, 'lockedUntil'>, now: Date): boolean {
  return !!u.lockedUntil && u.lockedUntil > now.toISOString();
}

export function userListItem(u: User, now: Date) {
  return {
    ...publicUser(u),
    createdAt: u.createdAt,
    updatedAt: u.updatedAt,
    lastLoginAt: u.lastLoginAt,
    lastLoginIp: u.lastLoginIp,
    failedLoginAttempts: u.failedLoginAttempts,
    lockedUntil: u.lockedUntil,
    isLocked: isLocked(u, now),
  };
}

export async function findUserByName(db: Database, username: string): Promise<User | undefined> {
  const [u] = await db.orm.select().from(users).where(eq(users.username, normalizeUsername(username)));
  return u;
}

export async function findUserById(db: Database, id: string): Promise<User | undefined> {
  const [u] = await db.orm.select().from(users).where(eq(users.id, id));
  return u;
}

/** First start: the `admin` account with the documented default password, flagged must-change. */
export async function ensureDefaultAdmin(db: Database): Promise<boolean> {
  const [{ n }] = await db.orm.select({ n: count() }).from(users);
  if (n > 0) return false;
  const inserted = await db.orm
    .insert(users)
    .values({ id: `admin-${randomBytes(16).toString('hex')}`, username: 'admin', passwordHash: await hashPassword(DEFAULT_PASSWORD), isAdmin: 1, mustChangePassword: 1 })
    .onConflictDoNothing();
  if (inserted.rowsAffected === 0) return false;
  if ((await readSetting(db, 'audit_retention_days')) === null) await writeSetting(db, 'audit_retention_days', '90');
  await audit(db, SYSTEM, {
    action: 'database_initialization',
    category: 'system',
    details: { admin_user_created: true, default_password: 'admin must change the default password at first sign-in' },
  });
  console.log(`Created the administrator account "admin" with the default password "${DEFAULT_PASSWORD}"; it must be changed at first sign-in.`);
  return true;
}

export interface UserQuery {
  page?: number;
  limit?: number;
  search?: string;
}

export async function listUsers(db: Database, query: UserQuery, now: Date) {
  const page = Math.max(1, Math.floor(query.page ?? 1));
  const limit = Math.min(1000, Math.max(1, Math.floor(query.limit ?? 50)));
  // instr() is a plain substring test: no LIKE wildcards to escape in what the admin typed.
  const where = query.search ? sql`instr(${users.username}, ${query.search.toLowerCase()}) > 0` : undefined;
  const [{ total }] = await db.orm.select({ total: count() }).from(users).where(where);
  const rows = await db.orm.select().from(users).where(where).orderBy(asc(users.username)).limit(limit).offset((page - 1) * limit);
  return { users: rows.map((u) => userListItem(u, now)), pagination: { page, limit, total, totalPages: Math.ceil(total / limit) } };
}

export interface NewUser {
  username?: unknown;
  password?: unknown;
  isAdmin?: unknown;
  requirePasswordChange?: unknown;
}

export async function createUser(db: Database, input: NewUser, policy: PasswordPolicy, actor: Actor) {
  const { username, password } = input;
  if (typeof username !== 'string' || username.trim() === '') return fail(400, 'Username is required');
  if (username.length < 3 || username.length > 50) return fail(400, 'Username must be between 3 and 50 characters');
  if (password !== undefined && password !== null && typeof password !== 'string') return fail(400, 'Password must be a string');
  if (input.isAdmin !== undefined && typeof input.isAdmin !== 'boolean') return fail(400, 'isAdmin must be a boolean');
  if (input.requirePasswordChange !== undefined && typeof input.requirePasswordChange !== 'boolean') return fail(400, 'requirePasswordChange must be a boolean');
  const name = normalizeUsername(username);
  if (await findUserByName(db, name)) return fail(409, 'Username already exists', `A user named "${name}" already exists`);
  const supplied = typeof password === 'string' && password.trim() !== '' ? password : undefined;
  if (supplied) {
    const problems = passwordProblems(supplied, policy);
    if (problems.length) return fail(400, 'Password does not meet policy requirements', problems[0], { validationErrors: problems });
  }
  const temp = supplied ? undefined : temporaryPassword(policy);
  const user: typeof users.$inferInsert = {
    id: randomUUID(),
    username: name,
    passwordHash: await hashPassword(supplied ?? temp!),
    isAdmin: input.isAdmin ? 1 : 0,
    mustChangePassword: input.requirePasswordChange === false ? 0 : 1,
  };
  try {
    await db.orm.batch([
      db.orm.insert(users).values(user),
      auditInsert(db, actor, {
        action: 'user_created', category: 'user', targetType: 'user', targetId: user.id,
        details: { is_admin: !!user.isAdmin, must_change_password: !!user.mustChangePassword, temp_password: !!temp, created_by: actor.username, targetUsername: name },
      }),
    ]);
  } catch (e) {
    if (String((e as Error).message).includes('UNIQUE constraint failed: users.username')) return fail(409, 'Username already exists');
    throw e;
  }
  const created = (await findUserById(db, user.id))!;
  return ok({ user: publicUser(created), ...(temp && { temporaryPassword: temp }) });
}

async function adminCount(db: Database, exceptId?: string): Promise<number> {
  const [{ n }] = await db.orm.select({ n: count() }).from(users).where(and(eq(users.isAdmin, 1), exceptId ? ne(users.id, exceptId) : undefined));
  return n;
}

export interface UserPatch {
  username?: unknown;
  isAdmin?: unknown;
  requirePasswordChange?: unknown;
  resetPassword?: unknown;
}

export async function updateUser(db: Database, id: string, patch: UserPatch, policy: PasswordPolicy, actor: Actor) {
  for (const [key, type] of [['username', 'string'], ['isAdmin', 'boolean'], ['requirePasswordChange', 'boolean'], ['resetPassword', 'boolean']] as const) {
    if (patch[key] !== undefined && typeof patch[key] !== type) return fail(400, `${key} must be a ${type}`);
  }
  const user = await findUserById(db, id);
  if (!user) return fail(404, 'User not found', `No user with id ${id}`);
  const username = typeof patch.username === 'string' && patch.username.trim() !== '' ? normalizeUsername(patch.username) : user.username;
  if (username !== user.username) {
    if (username.length < 3 || username.length > 50) return fail(400, 'Username must be between 3 and 50 characters');
    if (await findUserByName(db, username)) return fail(409, 'Username already exists', `A user named "${username}" already exists`);
  }
  const isAdmin = patch.isAdmin === undefined ? user.isAdmin : patch.isAdmin ? 1 : 0;
  if (user.isAdmin === 1 && isAdmin === 0 && (await adminCount(db, id)) === 0) {
    return fail(400, 'Cannot remove administrator rights from the last admin account');
  }
  const temp = patch.resetPassword === true ? temporaryPassword(policy) : undefined;
  const mustChange = temp ? 1 : patch.requirePasswordChange === undefined ? user.mustChangePassword : patch.requirePasswordChange ? 1 : 0;
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  if (username !== user.username) changes.username = { from: user.username, to: username };
  if (isAdmin !== user.isAdmin) changes.is_admin = { from: user.isAdmin === 1, to: isAdmin === 1 };
  if (mustChange !== user.mustChangePassword) changes.must_change_password = { from: user.mustChangePassword === 1, to: mustChange === 1 };
  const entry = temp
    ? { action: 'password_reset', details: { reset_by: actor.username, temp_password: true, targetUsername: user.username } }
    : { action: 'user_updated', details: { ...changes, targetUsername: user.username } };
  await db.orm.batch([
    db.orm
      .update(users)
      .set({ username, isAdmin, mustChangePassword: mustChange, updatedAt: sql`CURRENT_TIMESTAMP`, ...(temp && { passwordHash: await hashPassword(temp) }) })
      .where(eq(users.id, id)),
    auditInsert(db, actor, { ...entry, category: 'user', targetType: 'user', targetId: id }),
  ]);
  const updated = (await findUserById(db, id))!;
  return ok({ user: publicUser(updated), ...(temp && { temporaryPassword: temp }) });
}

export async function deleteUser(db: Database, id: string, actor: Actor) {
  const user = await findUserById(db, id);
  if (!user) return fail(404, 'User not found', `No user with id ${id}`);
  if (id === actor.userId) return fail(400, 'Cannot delete your own account');
  if (user.isAdmin === 1 && (await adminCount(db, id)) === 0) return fail(400, 'Cannot delete the last admin account');
  await db.orm.batch([
    auditInsert(db, actor, {
      action: 'user_deleted', category: 'user', targetType: 'user', targetId: id,
      details: { deleted_username: user.username, was_admin: user.isAdmin === 1, deleted_by: actor.username, targetUsername: user.username },
    }),
    db.orm.delete(users).where(eq(users.id, id)),
  ]);
  return ok({ success: true, message: 'User deleted successfully' });
}

/** Sets a new password (given, or a generated temporary one) that must be changed at next sign-in. */
export async function resetPassword(db: Database, username: string, policy: PasswordPolicy, actor: Actor, password?: string): Promise<Outcome<{ temporaryPassword?: string }>> {
  const user = await findUserByName(db, username);
  if (!user) return fail(404, 'User not found', `User '${normalizeUsername(username)}' not found`);
  if (password !== undefined) {
    const problems = passwordProblems(password, policy);
    if (problems.length) return fail(400, 'Password does not meet policy requirements', problems.join('; '), { validationErrors: problems });
  }
  const temp = password === undefined ? temporaryPassword(policy) : undefined;
  await db.orm.batch([
    db.orm
      .update(users)
      .set({ passwordHash: await hashPassword(password ?? temp!), mustChangePassword: 1, failedLoginAttempts: 0, lockedUntil: null, updatedAt: sql`CURRENT_TIMESTAMP` })
      .where(eq(users.id, user.id)),
    auditInsert(db, actor, { action: 'admin_password_reset_cli', category: 'system', targetType: 'user', targetId: user.id, details: { targetUser: user.username, method: 'cli' } }),
  ]);
  return ok(temp ? { temporaryPassword: temp } : {});
}

export async function unlockUser(db: Database, username: string, actor: Actor): Promise<Outcome<{ username: string }>> {
  const user = await findUserByName(db, username);
  if (!user) return fail(404, 'User not found', `User '${normalizeUsername(username)}' not found`);
  await db.orm.batch([
    db.orm.update(users).set({ failedLoginAttempts: 0, lockedUntil: null, updatedAt: sql`CURRENT_TIMESTAMP` }).where(eq(users.id, user.id)),
    auditInsert(db, actor, { action: 'user_unlocked', category: 'user', targetType: 'user', targetId: user.id, details: { targetUsername: user.username, method: 'cli' } }),
  ]);
  return ok({ username: user.username });
}
