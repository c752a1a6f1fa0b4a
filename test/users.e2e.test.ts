// End to end: user management on the real daemon (spec 04 §8, decisions 1, 9, 11).
// Create (temporary password shown once), list with search and pages, PATCH (rename, admin flag,
// password reset, last-admin guard), DELETE (self, sessions die with the user), and the access
// rules: only a signed-in administrator with a CSRF token may call /api/users.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, test } from 'node:test';
import type { Client as DbClient } from '@libsql/client';
import { assertNoSecrets, createUserVia, DEFAULT_ADMIN, TestClient, useSignedInDaemon } from './helpers/client.ts';
import { assertErrorEnvelope, CREATED_AT, UUID } from './helpers/http.ts';

const ADMIN_PASSWORD = 'Adm1n-Chosen-Pw';
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const LIST_KEYS = ['createdAt', 'failedLoginAttempts', 'id', 'isAdmin', 'isLocked', 'lastLoginAt', 'lastLoginIp', 'lockedUntil', 'mustChangePassword', 'updatedAt', 'username'];

const useDaemon = () => useSignedInDaemon(ADMIN_PASSWORD);

const userCount = async (db: DbClient) => Number((await db.execute('SELECT COUNT(*) AS n FROM users')).rows[0].n);
const userRow = async (db: DbClient, username: string) => (await db.execute({ sql: 'SELECT * FROM users WHERE username = ?', args: [username] })).rows[0];

function assertTemporaryPassword(password: unknown) {
  assert.equal(typeof password, 'string');
  const p = password as string;
  assert.equal(p.length, 12, 'max(12, PWD_MIN_LEN) characters');
  assert.match(p, /[A-Z]/);
  assert.match(p, /[a-z]/);
  assert.match(p, /[0-9]/);
  assert.match(p, /^[A-Za-z0-9!@#$%^&*]+$/);
}

describe('creating users', () => {
  const env = useDaemon();

  test('without a password: 201 with a temporary password shown once; it must be changed at first sign-in', async () => {
    const res = await env.admin.post('/api/users', { json: { username: '  Alice.Smith  ' } });
    assert.equal(res.status, 201, res.text);
    assert.deepStrictEqual(Object.keys(res.json).sort(), ['temporaryPassword', 'user']);
    const { user, temporaryPassword } = res.json;
    assert.match(user.id, UUID_V4);
    assert.deepStrictEqual(user, { id: user.id, username: 'alice.smith', isAdmin: false, mustChangePassword: true });
    assertTemporaryPassword(temporaryPassword);

    const alice = new TestClient(env.daemon.url);
    const login = await alice.login('alice.smith', temporaryPassword);
    assert.equal(login.status, 200, login.text);
    assert.equal(login.json.user.mustChangePassword, true);
    const change = await alice.post('/api/auth/change-password', { json: { newPassword: 'Al1ce-Own-Pass' } });
    assert.equal(change.status, 200, change.text);
    assert.equal((await alice.get('/api/auth/me')).json.user.mustChangePassword, false);

    // shown once: not in the list, not in the audit trail, not in the row
    const list = await env.admin.get('/api/users');
    const audit = await env.admin.get('/api/audit-log/download?format=json');
    for (const text of [list.text, audit.text]) assert.ok(!text.includes(temporaryPassword), 'the temporary password is not shown again');
    assert.ok(!String((await userRow(env.db, 'alice.smith')).password_hash).includes(temporaryPassword));
  });

  test('with a password: no temporaryPassword; isAdmin and requirePasswordChange are honoured', async () => {
    const res = await env.admin.post('/api/users', { json: { username: 'opsadmin', password: 'Ops-Adm1n-Pw', isAdmin: true, requirePasswordChange: false } });
    assert.equal(res.status, 201, res.text);
    assert.deepStrictEqual(Object.keys(res.json), ['user']);
    assert.deepStrictEqual({ ...res.json.user, id: null }, { id: null, username: 'opsadmin', isAdmin: true, mustChangePassword: false });
    const ops = await TestClient.signedIn(env.daemon.url, 'opsadmin', 'Ops-Adm1n-Pw');
    assert.equal((await ops.get('/api/users')).status, 200, 'the new admin can manage users');

    const defaulted = await env.admin.post('/api/users', { json: { username: 'flagged', password: 'Flagg3d-Pass' } });
    assert.equal(defaulted.status, 201);
    assert.equal(defaulted.json.user.mustChangePassword, true, 'requirePasswordChange defaults to true');
    assert.equal(defaulted.json.user.isAdmin, false, 'isAdmin defaults to false');
  });

  test('a duplicate name (any case, any spacing): 409 "Username already exists", nothing created', async () => {
    await createUserVia(env.admin, 'dupe', 'Dup3-Password');
    const before = await userCount(env.db);
    for (const username of ['dupe', 'DUPE', '  Dupe ', 'Admin']) {
      const res = await env.admin.post('/api/users', { json: { username, password: 'Oth3r-Password' } });
      assert.equal(res.status, 409, username);
      assertErrorEnvelope(res.json, 'Username already exists');
    }
    assert.equal(await userCount(env.db), before);
  });

  test('bad names: 400 with the documented message, nothing created', async () => {
    const before = await userCount(env.db);
    const cases: [unknown, string][] = [
      [undefined, 'Username is required'],
      ['', 'Username is required'],
      ['    ', 'Username is required'],
      [42, 'Username is required'],
      [null, 'Username is required'],
      [['admin2'], 'Username is required'],
      ['ab', 'Username must be between 3 and 50 characters'],
      ['x'.repeat(51), 'Username must be between 3 and 50 characters'],
    ];
    for (const [username, error] of cases) {
      const res = await env.admin.post('/api/users', { json: { username, password: 'Val1d-Password' } });
      assert.equal(res.status, 400, JSON.stringify(username));
      assertErrorEnvelope(res.json, error);
    }
    const fifty = await env.admin.post('/api/users', { json: { username: 'y'.repeat(50), password: 'Val1d-Password' } });
    assert.equal(fifty.status, 201, '50 characters is allowed');
    assert.equal(await userCount(env.db), before + 1);
  });

  test('a password that breaks the policy: 400 with every reason in validationErrors, nothing created', async () => {
    const before = await userCount(env.db);
    const weak = await env.admin.post('/api/users', { json: { username: 'weakling', password: 'abc' } });
    assert.equal(weak.status, 400);
    assertErrorEnvelope(weak.json, 'Password does not meet policy requirements');
    assert.deepStrictEqual(weak.json.validationErrors, [
      'Password must be at least 8 characters long',
      'Password must contain at least one uppercase letter (A-Z)',
      'Password must contain at least one number (0-9)',
    ]);
    const dflt = await env.admin.post('/api/users', { json: { username: 'weakling', password: 'Duplistatus09' } });
    assert.equal(dflt.status, 400);
    assert.deepStrictEqual(dflt.json.validationErrors, ['Cannot use the default password. Please choose a different password']);
    assert.equal(await userCount(env.db), before);
    assert.ok(!weak.text.includes('"abc"') && !dflt.text.includes('Duplistatus09'), 'the password is not echoed');
  });

  test('wrong types, non-JSON and oversized bodies: 400 / 413, nothing created', async () => {
    const before = await userCount(env.db);
    const typed = await env.admin.post('/api/users', { json: { username: 'typed', password: 'Typ3d-Password', isAdmin: 'yes' } });
    assert.equal(typed.status, 400);
    assertErrorEnvelope(typed.json);
    const notJson = await env.admin.post('/api/users', { body: 'username=formuser', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    assert.equal(notJson.status, 400);
    assertErrorEnvelope(notJson.json, 'Invalid JSON');
    const array = await env.admin.post('/api/users', { json: [{ username: 'arrayuser' }] });
    assert.equal(array.status, 400);
    assertErrorEnvelope(array.json, 'Invalid request body');
    const big = await env.admin.post('/api/users', { json: { username: 'biguser', note: 'x'.repeat(1024 * 1024) }, headers: { Connection: 'close' } });
    assert.equal(big.status, 413);
    assertErrorEnvelope(big.json, 'Request body too large');
    assert.equal(await userCount(env.db), before);
  });

  test('an SQL-looking username is stored literally and the table is intact', async () => {
    const before = await userCount(env.db);
    const name = "robert'); drop table users;--";
    const res = await env.admin.post('/api/users', { json: { username: name, password: 'B0bby-Tables-1' } });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.json.user.username, name);
    assert.equal(await userCount(env.db), before + 1);
    assert.equal((await userRow(env.db, name)).username, name);
    const bobby = new TestClient(env.daemon.url);
    assert.equal((await bobby.login(name, 'B0bby-Tables-1')).status, 200);
    const found = await env.admin.get(`/api/users?search=${encodeURIComponent("'); drop")}`);
    assert.deepStrictEqual(found.json.users.map((u: any) => u.username), [name]);
  });

  test('no password hash in any admin response', async () => {
    const hashes = (await env.db.execute('SELECT password_hash FROM users')).rows.map((r) => String(r.password_hash));
    assertNoSecrets(env.admin.bodies.join('\n'), hashes, 'admin responses');
    assertNoSecrets(env.daemon.output(), [...hashes, ADMIN_PASSWORD, 'Al1ce-Own-Pass', 'Ops-Adm1n-Pw', 'B0bby-Tables-1'], 'daemon output');
  });
});

describe('listing users', () => {
  const env = useDaemon();
  before(async () => {
    for (const name of ['svc-gamma', 'zed', 'svc-alpha', 'svc-beta']) await createUserVia(env.admin, name, 'Svc-Passw0rd');
  });

  test('all users sorted by name, with the documented fields and no hash', async () => {
    const res = await env.admin.get('/api/users');
    assert.equal(res.status, 200);
    assert.deepStrictEqual(res.json.pagination, { page: 1, limit: 50, total: 5, totalPages: 1 });
    assert.deepStrictEqual(res.json.users.map((u: any) => u.username), ['admin', 'svc-alpha', 'svc-beta', 'svc-gamma', 'zed']);
    for (const u of res.json.users) {
      assert.deepStrictEqual(Object.keys(u).sort(), LIST_KEYS);
      assert.match(u.createdAt, CREATED_AT);
      assert.match(u.updatedAt, CREATED_AT);
      assert.equal(u.isLocked, false);
      assert.equal(u.lockedUntil, null);
      assert.equal(u.failedLoginAttempts, 0);
    }
    const admin = res.json.users[0];
    assert.match(admin.id, /^admin-[0-9a-f]{32}$/);
    assert.equal(admin.isAdmin, true);
    assert.match(admin.lastLoginAt, CREATED_AT, 'set at sign-in');
    assert.equal(typeof admin.lastLoginIp, 'string');
    assert.equal(res.json.users[1].lastLoginAt, null, 'never signed in');
    for (const u of res.json.users.slice(1)) assert.match(u.id, UUID);
    assert.doesNotMatch(res.text, /scrypt|password_?hash|Svc-Passw0rd/i);
  });

  test('search is a case-insensitive substring match, without SQL wildcards', async () => {
    const names = async (q: string) => (await env.admin.get(`/api/users?search=${encodeURIComponent(q)}`)).json.users.map((u: any) => u.username);
    assert.deepStrictEqual(await names('SVC'), ['svc-alpha', 'svc-beta', 'svc-gamma']);
    assert.deepStrictEqual(await names('beta'), ['svc-beta']);
    assert.deepStrictEqual(await names('%'), []);
    assert.deepStrictEqual(await names('_'), []);
    assert.deepStrictEqual(await names("' OR 1=1 --"), []);
    const res = await env.admin.get('/api/users?search=svc');
    assert.equal(res.json.pagination.total, 3);
  });

  test('pagination is applied after the search', async () => {
    const page2 = await env.admin.get('/api/users?search=svc&limit=2&page=2');
    assert.equal(page2.status, 200);
    assert.deepStrictEqual(page2.json.users.map((u: any) => u.username), ['svc-gamma']);
    assert.deepStrictEqual(page2.json.pagination, { page: 2, limit: 2, total: 3, totalPages: 2 });
    const page1 = await env.admin.get('/api/users?limit=2');
    assert.deepStrictEqual(page1.json.users.map((u: any) => u.username), ['admin', 'svc-alpha']);
    assert.deepStrictEqual(page1.json.pagination, { page: 1, limit: 2, total: 5, totalPages: 3 });
    const beyond = await env.admin.get('/api/users?limit=2&page=9');
    assert.deepStrictEqual(beyond.json.users, []);
    assert.equal(beyond.json.pagination.total, 5);
  });
});

describe('updating users', () => {
  const env = useDaemon();

  test('rename: trimmed and lower-cased; the old name stops working, the password stays', async () => {
    const id = await createUserVia(env.admin, 'bob', 'B0b-Password');
    const res = await env.admin.patch(`/api/users/${id}`, { json: { username: '  Bob.New ' } });
    assert.equal(res.status, 200, res.text);
    assert.deepStrictEqual(res.json, { user: { id, username: 'bob.new', isAdmin: false, mustChangePassword: false } });
    assert.equal((await new TestClient(env.daemon.url).login('bob', 'B0b-Password')).status, 401);
    assert.equal((await new TestClient(env.daemon.url).login('bob.new', 'B0b-Password')).status, 200);
    const empty = await env.admin.patch(`/api/users/${id}`, { json: { username: '' } });
    assert.equal(empty.status, 200);
    assert.equal(empty.json.user.username, 'bob.new', 'an empty name keeps the old one');
  });

  test('rename onto another user (any case): 409, nothing changes; unknown id: 404', async () => {
    const id = await createUserVia(env.admin, 'carl', 'C4rl-Password');
    const res = await env.admin.patch(`/api/users/${id}`, { json: { username: 'ADMIN' } });
    assert.equal(res.status, 409);
    assertErrorEnvelope(res.json, 'Username already exists');
    assert.equal((await userRow(env.db, 'carl')).id, id);
    const unknown = await env.admin.patch(`/api/users/${randomUUID()}`, { json: { isAdmin: true } });
    assert.equal(unknown.status, 404);
    assertErrorEnvelope(unknown.json, 'User not found');
  });

  test('admin toggle: takes effect on the user\'s existing session', async () => {
    const id = await createUserVia(env.admin, 'dora', 'D0ra-Password');
    const dora = await TestClient.signedIn(env.daemon.url, 'dora', 'D0ra-Password');
    assert.equal((await dora.get('/api/users')).status, 403);
    const up = await env.admin.patch(`/api/users/${id}`, { json: { isAdmin: true } });
    assert.equal(up.status, 200);
    assert.equal(up.json.user.isAdmin, true);
    assert.equal((await dora.get('/api/users')).status, 200);
    const down = await env.admin.patch(`/api/users/${id}`, { json: { isAdmin: false } });
    assert.equal(down.json.user.isAdmin, false);
    const refused = await dora.get('/api/users');
    assert.equal(refused.status, 403);
    assertErrorEnvelope(refused.json, 'Administrator access required');
  });

  test('requirePasswordChange sets the flag the user sees at /api/auth/me', async () => {
    const id = await createUserVia(env.admin, 'emil', 'Em1l-Password');
    const emil = await TestClient.signedIn(env.daemon.url, 'emil', 'Em1l-Password');
    const res = await env.admin.patch(`/api/users/${id}`, { json: { requirePasswordChange: true } });
    assert.equal(res.json.user.mustChangePassword, true);
    assert.equal((await emil.get('/api/auth/me')).json.user.mustChangePassword, true);
  });

  test('resetPassword: a temporary password that must be changed; the old one stops working', async () => {
    const id = await createUserVia(env.admin, 'fred', 'Fr3d-Password');
    const res = await env.admin.patch(`/api/users/${id}`, { json: { resetPassword: true, requirePasswordChange: false } });
    assert.equal(res.status, 200, res.text);
    assert.deepStrictEqual(Object.keys(res.json).sort(), ['temporaryPassword', 'user']);
    assert.equal(res.json.user.mustChangePassword, true, 'a reset always forces a change');
    assertTemporaryPassword(res.json.temporaryPassword);
    assert.equal((await new TestClient(env.daemon.url).login('fred', 'Fr3d-Password')).status, 401);
    const fred = new TestClient(env.daemon.url);
    const login = await fred.login('fred', res.json.temporaryPassword);
    assert.equal(login.status, 200);
    assert.equal(login.json.user.mustChangePassword, true);
    const change = await fred.post('/api/auth/change-password', { json: { newPassword: 'Fr3d-Chosen-Pw' } });
    assert.equal(change.status, 200, change.text);
    assert.equal((await fred.get('/api/auth/me')).json.user.mustChangePassword, false);
    assert.equal((await new TestClient(env.daemon.url).login('fred', 'Fr3d-Chosen-Pw')).status, 200);
  });

  test('demoting the last admin: 400, the account stays admin', async () => {
    const me = (await env.admin.get('/api/auth/me')).json.user;
    const admins = Number((await env.db.execute('SELECT COUNT(*) AS n FROM users WHERE is_admin = 1')).rows[0].n);
    assert.equal(admins, 1, 'precondition: admin is the only administrator');
    const res = await env.admin.patch(`/api/users/${me.id}`, { json: { isAdmin: false } });
    assert.equal(res.status, 400);
    assertErrorEnvelope(res.json, /last admin/i);
    assert.equal(Number((await userRow(env.db, 'admin')).is_admin), 1);
    assert.equal((await env.admin.get('/api/users')).status, 200);
  });

  test('wrong types and non-JSON bodies: 400, nothing changes', async () => {
    const id = await createUserVia(env.admin, 'gina', 'G1na-Password');
    const before = { ...(await userRow(env.db, 'gina')) };
    for (const json of [{ isAdmin: 'true' }, { username: 12 }, { resetPassword: 1 }, { requirePasswordChange: 'no' }]) {
      const res = await env.admin.patch(`/api/users/${id}`, { json });
      assert.equal(res.status, 400, JSON.stringify(json));
      assertErrorEnvelope(res.json);
    }
    const notJson = await env.admin.patch(`/api/users/${id}`, { body: 'isAdmin=true' });
    assert.equal(notJson.status, 400);
    assert.deepStrictEqual({ ...(await userRow(env.db, 'gina')) }, before);
  });
});

describe('deleting users', () => {
  const env = useDaemon();

  test('deleting yourself: 400 "Cannot delete your own account" (so the last admin cannot go)', async () => {
    const me = (await env.admin.get('/api/auth/me')).json.user;
    const res = await env.admin.delete(`/api/users/${me.id}`);
    assert.equal(res.status, 400);
    assertErrorEnvelope(res.json, 'Cannot delete your own account');
    assert.equal(await userCount(env.db), 1);
  });

  test('unknown id: 404', async () => {
    const res = await env.admin.delete(`/api/users/${randomUUID()}`);
    assert.equal(res.status, 404);
    assertErrorEnvelope(res.json, 'User not found');
  });

  test('deleting a user: 200, its sessions stop working and it cannot sign in', async () => {
    const id = await createUserVia(env.admin, 'hank', 'H4nk-Password');
    const hank = await TestClient.signedIn(env.daemon.url, 'hank', 'H4nk-Password');
    const res = await env.admin.delete(`/api/users/${id}`);
    assert.equal(res.status, 200);
    assert.deepStrictEqual(res.json, { success: true, message: 'User deleted successfully' });
    const me = await hank.get('/api/auth/me');
    assert.equal(me.status, 401, 'the session went with the user');
    assertErrorEnvelope(me.json, 'Invalid or expired session');
    assert.equal(Number((await env.db.execute({ sql: 'SELECT COUNT(*) AS n FROM sessions WHERE user_id = ?', args: [id] })).rows[0].n), 0);
    assert.equal((await new TestClient(env.daemon.url).login('hank', 'H4nk-Password')).status, 401);
    assert.equal((await env.admin.delete(`/api/users/${id}`)).status, 404);
  });

  test('the default admin can be deleted once another admin exists', async () => {
    await createUserVia(env.admin, 'chief', 'Ch1ef-Password', true);
    const chief = await TestClient.signedIn(env.daemon.url, 'chief', 'Ch1ef-Password');
    const adminId = (await env.admin.get('/api/auth/me')).json.user.id;
    const res = await chief.delete(`/api/users/${adminId}`);
    assert.equal(res.status, 200, res.text);
    assert.equal((await env.admin.get('/api/auth/me')).status, 401);
    assert.deepStrictEqual((await chief.get('/api/auth/admin-must-change-password')).json, { mustChangePassword: false });
    const self = await chief.delete(`/api/users/${(await chief.get('/api/auth/me')).json.user.id}`);
    assert.equal(self.status, 400, 'the remaining admin cannot remove itself');
  });
});

describe('who may call /api/users', () => {
  const env = useDaemon();
  let userId: string;
  let plain: TestClient;
  before(async () => {
    userId = await createUserVia(env.admin, 'plain', 'Pl4in-Password');
    plain = await TestClient.signedIn(env.daemon.url, 'plain', 'Pl4in-Password');
  });

  const calls = (id: () => string): [string, string, unknown][] => [
    ['GET', '/api/users', undefined],
    ['GET', '/api/users?search=a&page=1&limit=5', undefined],
    ['POST', '/api/users', { username: 'intruder', password: 'Intrud3r-Pass', isAdmin: true }],
    ['PATCH', `/api/users/${id()}`, { isAdmin: true }],
    ['DELETE', `/api/users/${id()}`, undefined],
  ];

  test('a signed-in non-admin: 403 "Administrator access required" on every call, nothing changes', async () => {
    const adminId = (await env.admin.get('/api/auth/me')).json.user.id;
    const before = (await env.db.execute('SELECT id, username, is_admin FROM users ORDER BY id')).rows.map((r) => ({ ...r }));
    for (const [method, path, json] of [...calls(() => userId), ...calls(() => adminId)]) {
      const res = await plain.request(method, path, { json, csrf: true });
      assert.equal(res.status, 403, `${method} ${path}`);
      assertErrorEnvelope(res.json, 'Administrator access required');
    }
    const noCsrf = await plain.post('/api/users', { json: { username: 'intruder' }, csrf: false });
    assert.equal(noCsrf.status, 403);
    assertErrorEnvelope(noCsrf.json, 'Invalid CSRF token');
    const afterRows = (await env.db.execute('SELECT id, username, is_admin FROM users ORDER BY id')).rows.map((r) => ({ ...r }));
    assert.deepStrictEqual(afterRows, before);
  });

  test('an anonymous session: 401 "Authentication required" (403 first when the CSRF token is missing)', async () => {
    const anon = new TestClient(env.daemon.url);
    await anon.csrf();
    for (const [method, path, json] of calls(() => userId)) {
      const res = await anon.request(method, path, { json, csrf: true });
      assert.equal(res.status, 401, `${method} ${path}`);
      assertErrorEnvelope(res.json, 'Authentication required');
    }
    const noCsrf = await anon.post('/api/users', { json: { username: 'intruder' }, csrf: false });
    assert.equal(noCsrf.status, 403);
    assertErrorEnvelope(noCsrf.json, 'Invalid CSRF token');
  });

  test('no session at all: 401 "Invalid or expired session"', async () => {
    const nobody = new TestClient(env.daemon.url);
    for (const [method, path, json] of calls(() => userId)) {
      const res = await nobody.request(method, path, { json, csrf: false });
      assert.equal(res.status, 401, `${method} ${path}`);
      assertErrorEnvelope(res.json, 'Invalid or expired session');
    }
  });

  test('an admin without the CSRF token: 403 on every change, nothing changes', async () => {
    const before = await userCount(env.db);
    for (const [method, path, json] of calls(() => userId).filter(([m]) => m !== 'GET')) {
      for (const csrf of [false, 'f'.repeat(64)]) {
        const res = await env.admin.request(method, path, { json, csrf });
        assert.equal(res.status, 403, `${method} ${path} csrf=${csrf}`);
        assertErrorEnvelope(res.json, 'Invalid CSRF token');
      }
    }
    assert.equal(await userCount(env.db), before);
    assert.equal(Number((await userRow(env.db, 'plain')).is_admin), 0);
    assert.equal((await env.admin.get('/api/auth/me')).json.user.username, DEFAULT_ADMIN);
  });
});
