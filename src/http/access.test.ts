// Walks THE route table: every registered API route has a level, and every level is enforced
// for each kind of caller (no session, anonymous session, user, admin).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { tempDatabase } from '../../test/helpers/db.ts';
import { randomBytes } from 'node:crypto';
import { passwordPolicy } from '../auth/passwords.ts';
import { secretBox } from '../auth/secrets.ts';
import { createSession, issueCsrfToken, startUserSession } from '../auth/sessions.ts';
import { createUser } from '../auth/users.ts';
import { loadConfig } from '../config.ts';
import { ACCESS, accessFor, type Level } from './access.ts';
import { createApp } from './app.ts';

let db: Awaited<ReturnType<typeof tempDatabase>>;
let app: ReturnType<typeof createApp>;
type Caller = 'nobody' | 'anonymous' | 'user' | 'admin';
const callers: Record<Caller, { cookie?: string; csrf?: string }> = { nobody: {}, anonymous: {}, user: {}, admin: {} };

before(async () => {
  db = await tempDatabase();
  app = createApp({ db, config: loadConfig({}, {}), secrets: secretBox(randomBytes(32)) });
  const now = new Date();
  const anon = await createSession(db, now);
  callers.anonymous = { cookie: `sessionId=${anon.id}`, csrf: await issueCsrfToken(db, anon, now) };
  for (const role of ['user', 'admin'] as const) {
    const made = await createUser(db, { username: `a-${role}`, password: 'Passw0rd!x', isAdmin: role === 'admin', requirePasswordChange: false }, passwordPolicy({}), {});
    assert.ok(made.ok);
    const session = await startUserSession(db, null, made.value.user.id, now, {});
    callers[role] = { cookie: `sessionId=${session.id}`, csrf: await issueCsrfToken(db, session, now) };
  }
});
after(() => db.dispose());

const GUARD_ERRORS = ['Invalid or expired session', 'Authentication required', 'Administrator access required', 'Invalid CSRF token', 'CSRF token required'];

/** Which guard error (if any) a caller must meet at a level; null = let through. */
function expected(level: Level, caller: Caller): [number, string] | null {
  if (level === 'public') return null;
  if (level === 'login') return caller === 'nobody' ? [403, 'CSRF token required'] : null;
  if (caller === 'nobody') return [401, 'Invalid or expired session'];
  if (level === 'session') return null;
  if (caller === 'anonymous') return [401, 'Authentication required'];
  if (level === 'admin' && caller === 'user') return [403, 'Administrator access required'];
  return null;
}

async function call(method: string, path: string, caller: Caller, csrf = true) {
  const { cookie, csrf: token } = callers[caller];
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (cookie) headers.Cookie = cookie;
  if (csrf && token) headers['X-CSRF-Token'] = token;
  const res = await app.request(path, { method, headers, body: method === 'GET' ? undefined : '{}' });
  const body = await res.json().catch(() => ({}));
  return { status: res.status, error: (body as { error?: string }).error };
}

const concrete = (pattern: string) => pattern.replace(/:[A-Za-z]+/g, 'no-such-id');

test('every registered API route has exactly one entry in the access table', () => {
  const registered = app.routes.filter((r) => r.method !== 'ALL' && r.path.startsWith('/api/'));
  assert.ok(registered.length >= ACCESS.length);
  for (const r of registered) {
    const entries = ACCESS.filter(([m, p]) => m === r.method && p === r.path);
    assert.equal(entries.length, 1, `${r.method} ${r.path} needs one level in src/http/access.ts`);
  }
  for (const [method, path] of ACCESS) {
    assert.ok(registered.some((r) => r.method === method && r.path === path), `${method} ${path} is listed but not served`);
  }
});

test('each level is enforced for each kind of caller', async () => {
  for (const [method, pattern, level] of ACCESS) {
    // Skip calls whose side effects would change the callers themselves.
    if (pattern === '/api/auth/logout' || pattern === '/api/session') continue;
    for (const caller of Object.keys(callers) as Caller[]) {
      const res = await call(method, concrete(pattern), caller);
      const want = expected(level, caller);
      const where = `${method} ${pattern} as ${caller}`;
      if (want) assert.deepEqual([res.status, res.error], want, where);
      else assert.ok(!GUARD_ERRORS.includes(res.error ?? ''), `${where} was refused: ${res.status} ${res.error}`);
    }
  }
});

test('state-changing calls need the CSRF token (403), after the session check (401)', async () => {
  for (const [method, pattern, level] of ACCESS) {
    if (method === 'GET' || level === 'public' || level === 'login') continue;
    const res = await call(method, concrete(pattern), 'admin', false);
    assert.deepEqual([res.status, res.error], [403, 'Invalid CSRF token'], `${method} ${pattern}`);
    const nobody = await call(method, concrete(pattern), 'nobody', false);
    assert.equal(nobody.status, 401, `${method} ${pattern}`);
  }
});

test('unknown API paths are 404 and known paths with another method 405, both as JSON envelopes', async () => {
  const missing = await app.request('/api/nope');
  assert.equal(missing.status, 404);
  assert.match((await missing.json()).timestamp, /^\d{4}-\d\d-\d\dT/);
  const wrong = await app.request('/api/summary', { method: 'DELETE' });
  assert.equal(wrong.status, 405);
  assert.equal(wrong.headers.get('Allow'), 'GET');
  assert.deepEqual(accessFor('PATCH', '/api/users/abc'), { kind: 'level', level: 'admin' });
  assert.deepEqual(accessFor('GET', '/api/users/abc'), { kind: 'wrong-method', allowed: ['PATCH', 'DELETE'] });
});
