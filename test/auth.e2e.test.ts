// End to end: signing in against the real daemon. First start (the default admin), the full
// sign-in → change password → CSRF → sign-out flow with a cookie jar, CSRF and session attacks,
// lockout and its CLI unlock, the password policy from the environment, and bad bodies.
// Spec 04 §3–§7, decisions 1, 9, 11, 12. Every refused request must also change nothing, and no
// hash or password may appear in a response body or in the daemon's output.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Client as DbClient } from '@libsql/client';
import { startDaemon, type Daemon } from './helpers/daemon.ts';
import {
  assertNoSecrets,
  cookieAttributes,
  createUserVia,
  DEFAULT_ADMIN,
  DEFAULT_PASSWORD,
  openDaemonDb,
  runCli,
  signInFirstAdmin,
  TestClient,
  type ClientOptions,
} from './helpers/client.ts';
import { assertErrorEnvelope, ISO_MS } from './helpers/http.ts';

const ADMIN_PASSWORD = 'Adm1n-Chosen-Pw';
const DEFAULT_POLICY = { minLength: 8, requireUppercase: true, requireLowercase: true, requireNumbers: true, requireSpecialChars: false };
const POLICY_MESSAGES = {
  default: 'Cannot use the default password. Please choose a different password',
  length: (n: number) => `Password must be at least ${n} characters long`,
  upper: 'Password must contain at least one uppercase letter (A-Z)',
  lower: 'Password must contain at least one lowercase letter (a-z)',
  digit: 'Password must contain at least one number (0-9)',
};

/** A daemon plus every client made for it, so the last test can scan all bodies for secrets. */
class Scene {
  daemon!: Daemon;
  db!: DbClient;
  clients: TestClient[] = [];
  passwords = new Set<string>();

  async start(env?: Record<string, string>) {
    this.daemon = await startDaemon({ env });
    this.db = await openDaemonDb(this.daemon.dataDir);
  }
  client(options?: ClientOptions): TestClient {
    const c = new TestClient(this.daemon.url, options);
    this.clients.push(c);
    return c;
  }
  async signedIn(username: string, password: string): Promise<TestClient> {
    const c = this.client();
    const res = await c.login(username, password);
    assert.equal(res.status, 200, `sign-in of ${username}: ${res.text}`);
    return c;
  }
  async firstAdmin(password = ADMIN_PASSWORD): Promise<TestClient> {
    this.passwords.add(password);
    const c = await signInFirstAdmin(this.daemon.url, password);
    this.clients.push(c);
    return c;
  }
  async user(admin: TestClient, username: string, password: string, isAdmin = false): Promise<string> {
    this.passwords.add(password);
    return createUserVia(admin, username, password, isAdmin);
  }
  async row(sql: string, args: (string | number | null)[] = []): Promise<any> {
    return (await this.db.execute({ sql, args })).rows[0];
  }
  /** Hashes from the database plus every password set in this scene (not the documented default). */
  async secrets(): Promise<string[]> {
    const hashes = (await this.db.execute('SELECT password_hash FROM users')).rows.map((r) => String(r.password_hash));
    return [...hashes, ...this.passwords];
  }
  /** No hash or chosen password in any response body seen, nor in the daemon's stdout/stderr. */
  async assertNothingLeaked() {
    const secrets = await this.secrets();
    for (const [i, c] of this.clients.entries()) assertNoSecrets(c.bodies.join('\n'), secrets, `responses of client #${i}`);
    for (const c of this.clients) assert.ok(!c.bodies.join('\n').includes(DEFAULT_PASSWORD), 'a response echoes the default password');
    assertNoSecrets(this.daemon.output(), secrets, 'daemon output');
  }
  async dispose() {
    this.db?.close();
    await this.daemon?.dispose();
  }
}

const hex64 = () => randomBytes(32).toString('hex');

function assertLoginFailed(res: { status: number; json: any }) {
  assert.equal(res.status, 401);
  assertErrorEnvelope(res.json, 'Invalid username or password');
  assert.equal(res.json.errorCode, 'INVALID_CREDENTIALS');
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

describe('first start and the full sign-in flow', () => {
  const scene = new Scene();
  before(() => scene.start());
  after(() => scene.dispose());

  test('first start: one admin account with the default password, flagged must-change-password', async () => {
    const anon = scene.client();
    const flag = await anon.get('/api/auth/admin-must-change-password');
    assert.equal(flag.status, 200);
    assert.deepStrictEqual(flag.json, { mustChangePassword: true });
    assert.equal(anon.cookies.size, 0, 'public endpoint sets no cookie');

    const policy = await anon.get('/api/auth/password-policy');
    assert.equal(policy.status, 200);
    assert.deepStrictEqual(policy.json, DEFAULT_POLICY);

    const users = await scene.db.execute('SELECT id, username, is_admin, must_change_password, password_hash FROM users');
    assert.equal(users.rows.length, 1, 'exactly one account');
    const [admin] = users.rows;
    assert.equal(admin.username, 'admin');
    assert.match(String(admin.id), /^admin-[0-9a-f]{32}$/);
    assert.equal(Number(admin.is_admin), 1);
    assert.equal(Number(admin.must_change_password), 1);
    assert.match(String(admin.password_hash), /^(scrypt\$32768\$8\$1\$|\$2[aby]\$12\$)/, 'scrypt N=2^15 r=8 p=1 or bcrypt cost 12 (decision 11)');

    const init = await scene.row("SELECT username, category, status, details FROM audit_log WHERE action = 'database_initialization'");
    assert.equal(init.username, 'system');
    assert.equal(init.category, 'system');
    assert.equal(init.status, 'success');
    assert.equal(JSON.parse(String(init.details)).admin_user_created, true);

    assert.match(scene.daemon.output(), /admin/);
    assert.match(scene.daemon.output(), /must be changed|must change/i, 'the log says the default password must be changed');

    const me = await scene.client().get('/api/auth/me');
    assert.equal(me.status, 401, 'no session at all');
    assertErrorEnvelope(me.json, 'Invalid or expired session');
  });

  test('full flow: sign in with the default password → forced change → CSRF-protected calls → sign out', async () => {
    const browser = scene.client({ userAgent: 'e2e-browser/1.0' });
    // 1. anonymous session and token
    const token = await browser.csrf();
    const anonymousId = browser.sessionId;
    assert.match(anonymousId ?? '', /^[0-9a-f]{64}$/);
    const anonMe = await browser.get('/api/auth/me');
    assert.equal(anonMe.status, 200);
    assert.deepStrictEqual(anonMe.json, { authenticated: false, user: null });

    // 2. sign in: 200, user flagged, cookie re-issued with the decision-12 attributes
    const login = await browser.login(DEFAULT_ADMIN, DEFAULT_PASSWORD);
    assert.equal(login.status, 200, login.text);
    assert.deepStrictEqual(Object.keys(login.json).sort(), ['keyChanged', 'success', 'user']);
    assert.equal(login.json.success, true);
    assert.equal(login.json.keyChanged, false);
    assert.deepStrictEqual({ ...login.json.user, id: 'x' }, { id: 'x', username: 'admin', isAdmin: true, mustChangePassword: true });
    const cookie = login.setCookies.map(cookieAttributes).find((c) => c.name === 'sessionId');
    assert.ok(cookie, 'login sets the sessionId cookie');
    assert.equal(cookie.attributes['max-age'], '86400');
    assert.equal(cookie.attributes.path, '/');
    assert.equal(cookie.attributes.samesite?.toLowerCase(), 'lax');
    assert.ok('httponly' in cookie.attributes, 'HttpOnly');
    assert.ok(!('secure' in cookie.attributes), 'not Secure unless SECURE_COOKIES=true');
    assert.notEqual(browser.sessionId, anonymousId, 'the session id is rotated at sign-in');

    const me = await browser.get('/api/auth/me');
    assert.equal(me.status, 200);
    assert.equal(me.json.authenticated, true);
    assert.equal(me.json.user.mustChangePassword, true);

    // 3. the policy is enforced: the default password and a weak one are refused, with all reasons
    const again = await browser.post('/api/auth/change-password', { json: { newPassword: DEFAULT_PASSWORD } });
    assert.equal(again.status, 400);
    assertErrorEnvelope(again.json, 'New password does not meet policy requirements');
    assert.equal(again.json.errorCode, 'POLICY_NOT_MET');
    assert.deepStrictEqual(again.json.validationErrors, [POLICY_MESSAGES.default]);
    const weak = await browser.post('/api/auth/change-password', { json: { newPassword: '!!!' } });
    assert.equal(weak.status, 400);
    assert.deepStrictEqual(weak.json.validationErrors, [POLICY_MESSAGES.length(8), POLICY_MESSAGES.upper, POLICY_MESSAGES.lower, POLICY_MESSAGES.digit]);
    assert.equal((await browser.get('/api/auth/admin-must-change-password')).json.mustChangePassword, true, 'refusals change nothing');

    // 4. without the CSRF token the change is refused (403), with it it succeeds
    const noCsrf = await browser.post('/api/auth/change-password', { json: { newPassword: ADMIN_PASSWORD }, csrf: false });
    assert.equal(noCsrf.status, 403);
    assertErrorEnvelope(noCsrf.json, 'Invalid CSRF token');
    scene.passwords.add(ADMIN_PASSWORD);
    const changed = await browser.post('/api/auth/change-password', { json: { newPassword: ADMIN_PASSWORD }, csrf: token });
    assert.equal(changed.status, 200, changed.text);
    assert.deepStrictEqual(changed.json, { success: true, message: 'Password changed successfully', successCode: 'PASSWORD_CHANGED' });
    assert.deepStrictEqual((await browser.get('/api/auth/admin-must-change-password')).json, { mustChangePassword: false });
    assert.equal((await browser.get('/api/auth/me')).json.user.mustChangePassword, false);
    // an admin-only GET works with the cookie alone; the session is still the same one
    assert.equal((await browser.get('/api/users')).status, 200);

    // 5. the old password is gone, the new one works
    assertLoginFailed(await scene.client().login(DEFAULT_ADMIN, DEFAULT_PASSWORD));
    assert.equal((await scene.client().login(DEFAULT_ADMIN, ADMIN_PASSWORD)).status, 200);

    // 6. sign out: needs the token; afterwards the cookie is cleared and the id is dead
    const signedInId = browser.sessionId!;
    const logoutNoCsrf = await browser.post('/api/auth/logout', { csrf: false });
    assert.equal(logoutNoCsrf.status, 403);
    assertErrorEnvelope(logoutNoCsrf.json, 'Invalid CSRF token');
    const logout = await browser.logout();
    assert.equal(logout.status, 200);
    assert.deepStrictEqual(logout.json, { success: true, message: 'Logged out successfully', successCode: 'LOGGED_OUT' });
    assert.equal(browser.sessionId, undefined, 'the sessionId cookie is deleted');
    assert.equal((await browser.get('/api/auth/me')).status, 401);
    const replay = new TestClient(scene.daemon.url);
    replay.cookies.set('sessionId', signedInId);
    const replayed = await replay.get('/api/auth/me');
    assert.equal(replayed.status, 401, 'a signed-out session id is not accepted');
    assertErrorEnvelope(replayed.json, 'Invalid or expired session');
    const row = await scene.row('SELECT COUNT(*) AS n FROM sessions WHERE id = ?', [signedInId]);
    assert.equal(Number(row.n), 0, 'logout deletes the session row');
  });

  test('no hash or password in any response body or in the daemon output', () => scene.assertNothingLeaked());
});

describe('sign-in: bad credentials, CSRF and session attacks', () => {
  const scene = new Scene();
  let admin: TestClient;
  const CAROL = 'Car0l-Secret-Pw';
  before(async () => {
    await scene.start();
    admin = await scene.firstAdmin();
    await scene.user(admin, 'carol', CAROL);
  });
  after(() => scene.dispose());

  test('wrong password: 401 INVALID_CREDENTIALS and the session stays anonymous', async () => {
    const c = scene.client();
    await c.csrf();
    const before = c.sessionId;
    const res = await c.login('carol', 'Wr0ng-Password');
    assertLoginFailed(res);
    assert.deepStrictEqual(Object.keys(res.json).sort(), ['error', 'errorCode', 'message', 'timestamp']);
    assert.equal(c.sessionId, before, 'the cookie is not touched');
    assert.deepStrictEqual((await c.get('/api/auth/me')).json, { authenticated: false, user: null });
    const row = await scene.row("SELECT failed_login_attempts, last_login_at FROM users WHERE username = 'carol'");
    assert.equal(Number(row.failed_login_attempts), 1);
    assert.equal(row.last_login_at, null);
    // a successful sign-in resets the counter
    assert.equal((await c.login('carol', CAROL)).status, 200);
    assert.equal(Number((await scene.row("SELECT failed_login_attempts FROM users WHERE username = 'carol'")).failed_login_attempts), 0);
  });

  test('unknown user: the same status and body as a wrong password', async () => {
    const wrong = await scene.client().login('carol', 'Wr0ng-Password');
    const unknown = await scene.client().login('nobody-here', 'Wr0ng-Password');
    assertLoginFailed(unknown);
    const strip = (j: any) => ({ ...j, timestamp: undefined });
    assert.deepStrictEqual(strip(unknown.json), strip(wrong.json));
    assert.equal(unknown.text.includes('nobody-here'), false, 'the answer does not echo the name');
    assert.equal((await scene.client().login('carol', CAROL)).status, 200); // reset carol's counter
  });

  test('unknown user costs a password verification too (no fast path that reveals the name)', async () => {
    await scene.client().login('warm-up-unknown', 'x'); // first unknown call may build the decoy hash
    const wrong: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 4; i++) {
      let t = performance.now();
      assertLoginFailed(await scene.client().login('carol', `Wr0ng-${i}`));
      wrong.push(performance.now() - t);
      t = performance.now();
      assertLoginFailed(await scene.client().login(`ghost-${i}`, `Wr0ng-${i}`));
      unknown.push(performance.now() - t);
    }
    assert.equal((await scene.client().login('carol', CAROL)).status, 200); // 4 failures < 5: no lock; reset
    const reference = median(wrong);
    assert.ok(
      median(unknown) >= reference / 3,
      `unknown user answered in ${median(unknown).toFixed(1)} ms (median), wrong password in ${reference.toFixed(1)} ms`,
    );
  });

  test('missing or non-string credentials: 400 REQUIRED_CREDENTIALS', async () => {
    for (const body of [{}, { username: 'carol' }, { username: 'carol', password: '' }, { username: '', password: CAROL }, { username: 42, password: CAROL }]) {
      const res = await scene.client().post('/api/auth/login', { json: body, csrf: true });
      assert.equal(res.status, 400, JSON.stringify(body));
      assertErrorEnvelope(res.json, 'Username and password are required');
      assert.equal(res.json.errorCode, 'REQUIRED_CREDENTIALS');
    }
  });

  test('usernames are case-insensitive at sign-in (decision 11)', async () => {
    for (const name of ['ADMIN', 'Admin', '  admin  ']) {
      const res = await scene.client().login(name, ADMIN_PASSWORD);
      assert.equal(res.status, 200, `${JSON.stringify(name)}: ${res.text}`);
      assert.equal(res.json.user.username, 'admin');
    }
    assertLoginFailed(await scene.client().login('CAROL', 'car0l-secret-pw')); // passwords are not
    assert.equal((await scene.client().login('carol', CAROL)).status, 200); // reset carol's counter
  });

  test('SQL-looking usernames and passwords are just wrong credentials; the users table is intact', async () => {
    const before = await scene.db.execute('SELECT id, username, password_hash FROM users ORDER BY id');
    for (const [username, password] of [
      ["admin' OR '1'='1", 'x'],
      ["admin'--", 'x'],
      ['admin"; DROP TABLE users; --', 'x'],
      ['admin', "' OR '1'='1"],
      ["' UNION SELECT * FROM users --", "x' OR 1=1 --"],
    ]) {
      assertLoginFailed(await scene.client().login(username, password));
    }
    const afterRows = await scene.db.execute('SELECT id, username, password_hash FROM users ORDER BY id');
    assert.deepStrictEqual(afterRows.rows.map((r) => ({ ...r })), before.rows.map((r) => ({ ...r })));
    assert.equal((await scene.client().login(DEFAULT_ADMIN, ADMIN_PASSWORD)).status, 200, 'admin still signs in');
    // reset the admin counter the "' OR '1'='1" password raised
    assert.equal(Number((await scene.row("SELECT failed_login_attempts FROM users WHERE username = 'admin'")).failed_login_attempts), 0);
  });

  test('login without X-CSRF-Token: 403 "CSRF token required", nobody is signed in', async () => {
    const c = scene.client();
    await c.csrf();
    const anonymousId = c.sessionId;
    const res = await c.post('/api/auth/login', { json: { username: 'carol', password: CAROL }, csrf: false });
    assert.equal(res.status, 403);
    assertErrorEnvelope(res.json, 'CSRF token required');
    assert.equal(res.json.errorCode, undefined, 'guard errors carry no errorCode');
    assert.equal(c.sessionId, anonymousId);
    assert.deepStrictEqual((await c.get('/api/auth/me')).json, { authenticated: false, user: null });
    // and without any session either
    const bare = await scene.client().post('/api/auth/login', { json: { username: 'carol', password: CAROL }, csrf: false });
    assert.equal(bare.status, 403);
    assertErrorEnvelope(bare.json, 'CSRF token required');
    assert.equal(bare.setCookies.length, 0);
  });

  test('login with a forged X-CSRF-Token on a valid session: 403 "Invalid CSRF token"', async () => {
    const c = scene.client();
    await c.csrf();
    const res = await c.post('/api/auth/login', { json: { username: 'carol', password: CAROL }, csrf: hex64() });
    assert.equal(res.status, 403);
    assertErrorEnvelope(res.json, 'Invalid CSRF token');
    assert.deepStrictEqual((await c.get('/api/auth/me')).json, { authenticated: false, user: null });
    const row = await scene.row("SELECT last_login_at FROM users WHERE username = 'carol'");
    const lastBefore = row.last_login_at;
    assert.equal((await c.post('/api/auth/login', { json: { username: 'carol', password: CAROL }, csrf: 'garbage' })).status, 403);
    assert.equal((await scene.row("SELECT last_login_at FROM users WHERE username = 'carol'")).last_login_at, lastBefore, 'no sign-in recorded');
  });

  test('login with a token header but no session: allowed, a new session is created', async () => {
    const c = scene.client();
    const res = await c.post('/api/auth/login', { json: { username: 'carol', password: CAROL }, csrf: hex64() });
    assert.equal(res.status, 200, res.text);
    assert.match(c.sessionId ?? '', /^[0-9a-f]{64}$/);
    assert.equal((await c.get('/api/auth/me')).json.user.username, 'carol');
  });

  test('session id rotation: the cookie changes at sign-in, the old id is dead, the CSRF token carries over', async () => {
    const c = scene.client();
    const token = await c.csrf();
    const oldId = c.sessionId!;
    assert.equal((await c.login('carol', CAROL)).status, 200);
    assert.notEqual(c.sessionId, oldId);
    const stale = new TestClient(scene.daemon.url);
    stale.cookies.set('sessionId', oldId);
    const res = await stale.get('/api/auth/me');
    assert.equal(res.status, 401, 'the pre-login id no longer works');
    assertErrorEnvelope(res.json, 'Invalid or expired session');
    // a planted (fixated) id does not become a signed-in session
    assert.equal(Number((await scene.row('SELECT COUNT(*) AS n FROM sessions WHERE id = ?', [oldId])).n), 0);
    // the token fetched before sign-in still protects the new session
    const post = await c.post('/api/auth/logout', { csrf: token });
    assert.equal(post.status, 200);
  });

  test('forged session cookies: 401 "Invalid or expired session"; /api/csrf replaces them', async () => {
    for (const forged of [hex64(), 'not-a-session', "' OR 1=1 --", admin.sessionId!.replace(/.$/, (ch) => (ch === '0' ? '1' : '0'))]) {
      const c = scene.client();
      c.cookies.set('sessionId', forged);
      const me = await c.get('/api/auth/me');
      assert.equal(me.status, 401, `forged cookie ${forged}`);
      assertErrorEnvelope(me.json, 'Invalid or expired session');
      const users = await c.get('/api/users');
      assert.equal(users.status, 401);
      assertErrorEnvelope(users.json, 'Invalid or expired session');
      const change = await c.post('/api/auth/change-password', { json: { newPassword: 'Hack3d-Password' }, csrf: hex64() });
      assert.equal(change.status, 401);
      await c.csrf();
      assert.notEqual(c.sessionId, forged, 'GET /api/csrf issues a fresh session for an unknown cookie');
      assert.deepStrictEqual((await c.get('/api/auth/me')).json, { authenticated: false, user: null });
    }
    assert.equal((await admin.get('/api/auth/me')).json.user.username, 'admin', 'the real session is unaffected');
  });

  test('the legacy `session` cookie never signs anyone in', async () => {
    const carol = await scene.signedIn('carol', CAROL);
    const legacy = scene.client();
    legacy.cookies.set('session', carol.sessionId!);
    const me = await legacy.get('/api/auth/me');
    assert.equal(me.status, 200);
    assert.deepStrictEqual(me.json, { authenticated: false, user: null });
  });

  test('/api/auth/me: 401 without a session, anonymous, signed in', async () => {
    const c = scene.client();
    assert.equal((await c.get('/api/auth/me')).status, 401);
    await c.csrf();
    assert.deepStrictEqual((await c.get('/api/auth/me')).json, { authenticated: false, user: null });
    assert.equal((await c.login('carol', CAROL)).status, 200);
    const me = await c.get('/api/auth/me');
    assert.equal(me.json.authenticated, true);
    assert.deepStrictEqual({ ...me.json.user, id: undefined }, { id: undefined, username: 'carol', isAdmin: false, mustChangePassword: false });
    assert.match(me.json.user.id, /^[0-9a-f-]{36}$/);
  });

  test('change password (voluntary): required field, wrong current password, same password, CSRF, anonymous', async () => {
    const dave = 'Dav3-Original-Pw';
    await scene.user(admin, 'dave', dave);
    const c = await scene.signedIn('dave', dave);
    const hash = async () => (await scene.row("SELECT password_hash FROM users WHERE username = 'dave'")).password_hash;
    const original = await hash();

    const missing = await c.post('/api/auth/change-password', { json: { currentPassword: dave } });
    assert.equal(missing.status, 400);
    assertErrorEnvelope(missing.json, 'New password is required');
    assert.equal(missing.json.errorCode, 'NEW_PASSWORD_REQUIRED');

    const wrong = await c.post('/api/auth/change-password', { json: { currentPassword: 'Not-His-Pw1', newPassword: 'Dav3-New-Passw' } });
    assert.equal(wrong.status, 401);
    assertErrorEnvelope(wrong.json, 'Current password is incorrect');
    assert.equal(wrong.json.errorCode, 'CURRENT_PASSWORD_INCORRECT');

    const same = await c.post('/api/auth/change-password', { json: { currentPassword: dave, newPassword: dave } });
    assert.equal(same.status, 400);
    assertErrorEnvelope(same.json, 'New password must be different from current password');
    assert.equal(same.json.errorCode, 'NEW_PASSWORD_SAME_AS_CURRENT');

    const forged = await c.post('/api/auth/change-password', { json: { currentPassword: dave, newPassword: 'Dav3-New-Passw' }, csrf: hex64() });
    assert.equal(forged.status, 403);
    assertErrorEnvelope(forged.json, 'Invalid CSRF token');

    const anon = scene.client();
    const anonNoCsrf = await anon.post('/api/auth/change-password', { json: { newPassword: 'Dav3-New-Passw' }, csrf: false });
    assert.equal(anonNoCsrf.status, 401, 'no session at all: 401 before CSRF');
    await anon.csrf();
    const anonNoToken = await anon.post('/api/auth/change-password', { json: { newPassword: 'Dav3-New-Passw' }, csrf: false });
    assert.equal(anonNoToken.status, 403, 'anonymous session without token: CSRF first (spec 04 §5.4)');
    const anonymous = await anon.post('/api/auth/change-password', { json: { newPassword: 'Dav3-New-Passw' } });
    assert.equal(anonymous.status, 401);
    assertErrorEnvelope(anonymous.json, 'Authentication required');

    assert.equal(await hash(), original, 'none of the refused calls changed the password');
    scene.passwords.add('Dav3-New-Passw');
    const ok = await c.post('/api/auth/change-password', { json: { currentPassword: dave, newPassword: 'Dav3-New-Passw' } });
    assert.equal(ok.status, 200);
    assertLoginFailed(await scene.client().login('dave', dave));
    assert.equal((await scene.client().login('dave', 'Dav3-New-Passw')).status, 200);
  });

  test('logout of an anonymous session: 200, no audit row', async () => {
    const c = scene.client();
    await c.csrf();
    const countBefore = Number((await scene.row("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'logout'")).n);
    const res = await c.logout();
    assert.equal(res.status, 200);
    assert.equal(res.json.successCode, 'LOGGED_OUT');
    assert.equal(Number((await scene.row("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'logout'")).n), countBefore);
    const again = await c.post('/api/auth/logout', { csrf: c.csrfToken });
    assert.equal(again.status, 401, 'the session is gone');
  });

  test('non-JSON and oversized bodies: 400 / 413, nothing changes', async () => {
    const c = scene.client();
    await c.csrf();
    for (const [body, error] of [
      ['username=carol&password=x', 'Invalid JSON'],
      ['{"username": "carol", ', 'Invalid JSON'],
      ['["carol", "x"]', 'Invalid request body'],
      ['null', 'Invalid request body'],
    ] as const) {
      const res = await c.post('/api/auth/login', { body, headers: { 'Content-Type': 'application/json' } });
      assert.equal(res.status, 400, body);
      assertErrorEnvelope(res.json, error);
    }
    const huge = JSON.stringify({ username: 'carol', password: 'x'.repeat(1024 * 1024 + 10) });
    // Connection: close — the daemon answers 413 before reading the body; a kept-alive socket
    // would be dropped under the next request (see the report), which is not what is tested here.
    const big = await c.post('/api/auth/login', { body: huge, headers: { 'Content-Type': 'application/json', Connection: 'close' } });
    assert.equal(big.status, 413);
    assertErrorEnvelope(big.json, 'Request body too large');
    assert.deepStrictEqual((await c.get('/api/auth/me')).json, { authenticated: false, user: null });

    const hashBefore = (await scene.row("SELECT password_hash FROM users WHERE username = 'admin'")).password_hash;
    const notJson = await admin.post('/api/auth/change-password', { body: 'newPassword=Abcdefg12345', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    assert.equal(notJson.status, 400);
    assertErrorEnvelope(notJson.json, 'Invalid JSON');
    const tooBig = await admin.post('/api/auth/change-password', { json: { newPassword: `Aa1${'x'.repeat(1024 * 1024)}` }, headers: { Connection: 'close' } });
    assert.equal(tooBig.status, 413);
    assertErrorEnvelope(tooBig.json, 'Request body too large');
    assert.equal((await scene.row("SELECT password_hash FROM users WHERE username = 'admin'")).password_hash, hashBefore);
    assert.equal(Number((await scene.row("SELECT failed_login_attempts FROM users WHERE username = 'carol'")).failed_login_attempts), 0);
  });

  test('a malformed body is not echoed back: the password in it stays out of the 400 answer', async () => {
    const c = scene.client();
    await c.csrf();
    const secret = 'Hunter2-Secret-Pw';
    const bodies = [
      `password=${secret}`, // a form post
      `{"username":"carol","password":${secret}}`, // unquoted value
      `{"password": ${secret}, "username": "carol"}`,
    ];
    for (const body of bodies) {
      const res = await c.post('/api/auth/login', { body, headers: { 'Content-Type': 'application/json' } });
      assert.equal(res.status, 400, body);
      assertErrorEnvelope(res.json, 'Invalid JSON');
      assert.ok(!res.text.includes(secret.slice(0, 6)), `the answer echoes part of the password: ${res.json.message}`);
    }
    const change = await admin.post('/api/auth/change-password', { body: `{"newPassword":${secret}}`, headers: { 'Content-Type': 'application/json' } });
    assert.equal(change.status, 400);
    assert.ok(!change.text.includes(secret.slice(0, 6)), `change-password echoes part of the password: ${change.json.message}`);
    assert.ok(!scene.daemon.output().includes(secret.slice(0, 6)), 'nor is it logged');
  });

  test('no hash or password in any response body or in the daemon output', () => scene.assertNothingLeaked());
});

describe('expired CSRF tokens and sessions (clock moved in the database)', () => {
  const scene = new Scene();
  let admin: TestClient;
  before(async () => {
    await scene.start();
    admin = await scene.firstAdmin();
  });
  after(() => scene.dispose());

  test('an expired CSRF token: 403 "Invalid CSRF token"; GET /api/csrf hands out a new one that works', async () => {
    const c = await scene.signedIn(DEFAULT_ADMIN, ADMIN_PASSWORD);
    const old = c.csrfToken!;
    await scene.db.execute({ sql: 'UPDATE sessions SET csrf_expires_at = ? WHERE id = ?', args: [new Date(Date.now() - 60_000).toISOString(), c.sessionId!] });
    const res = await c.post('/api/users', { json: { username: 'should-not-exist' } });
    assert.equal(res.status, 403);
    assertErrorEnvelope(res.json, 'Invalid CSRF token');
    assert.equal(Number((await scene.row("SELECT COUNT(*) AS n FROM users WHERE username = 'should-not-exist'")).n), 0);
    const fresh = await c.csrf();
    assert.notEqual(fresh, old);
    const retry = await c.post('/api/auth/logout');
    assert.equal(retry.status, 200);
  });

  test('sign-in with an expired CSRF token on a valid session: 403 "Invalid CSRF token"', async () => {
    const c = scene.client();
    const token = await c.csrf();
    await scene.db.execute({ sql: 'UPDATE sessions SET csrf_expires_at = ? WHERE id = ?', args: [new Date(Date.now() - 1000).toISOString(), c.sessionId!] });
    const res = await c.post('/api/auth/login', { json: { username: DEFAULT_ADMIN, password: ADMIN_PASSWORD }, csrf: token });
    assert.equal(res.status, 403);
    assertErrorEnvelope(res.json, 'Invalid CSRF token');
    assert.deepStrictEqual((await c.get('/api/auth/me')).json, { authenticated: false, user: null });
    assert.notEqual(await c.csrf(), token, 'an expired token is replaced');
    assert.equal((await c.login(DEFAULT_ADMIN, ADMIN_PASSWORD)).status, 200);
  });

  test('a token with 5 minutes or less left is replaced, and the old one stops working', async () => {
    const c = await scene.signedIn(DEFAULT_ADMIN, ADMIN_PASSWORD);
    const first = c.csrfToken!;
    assert.equal(await c.csrf(), first, 'more than 5 minutes left: the same token');
    await scene.db.execute({ sql: 'UPDATE sessions SET csrf_expires_at = ? WHERE id = ?', args: [new Date(Date.now() + 4 * 60_000).toISOString(), c.sessionId!] });
    const second = await c.csrf();
    assert.notEqual(second, first);
    const stale = await c.post('/api/auth/logout', { csrf: first });
    assert.equal(stale.status, 403);
    assertErrorEnvelope(stale.json, 'Invalid CSRF token');
    assert.equal((await c.post('/api/auth/logout', { csrf: second })).status, 200);
  });

  test('an expired session: 401 "Invalid or expired session" and the row is deleted', async () => {
    const c = await scene.signedIn(DEFAULT_ADMIN, ADMIN_PASSWORD);
    const id = c.sessionId!;
    await scene.db.execute({ sql: 'UPDATE sessions SET expires_at = ? WHERE id = ?', args: [new Date(Date.now() - 1000).toISOString(), id] });
    const me = await c.get('/api/auth/me');
    assert.equal(me.status, 401);
    assertErrorEnvelope(me.json, 'Invalid or expired session');
    const post = await c.post('/api/auth/change-password', { json: { newPassword: 'Whatever-123' } });
    assert.equal(post.status, 401);
    assert.equal(Number((await scene.row('SELECT COUNT(*) AS n FROM sessions WHERE id = ?', [id])).n), 0);
    assert.equal((await admin.get('/api/auth/me')).json.authenticated, true, 'other sessions are unaffected');
  });

  test('sessions expire 24 h after creation (stored as ISO)', async () => {
    const c = await scene.signedIn(DEFAULT_ADMIN, ADMIN_PASSWORD);
    const row = await scene.row('SELECT expires_at, csrf_expires_at, user_id FROM sessions WHERE id = ?', [c.sessionId!]);
    assert.match(String(row.expires_at), ISO_MS);
    const inMs = Date.parse(String(row.expires_at)) - Date.now();
    assert.ok(Math.abs(inMs - 24 * 3600_000) < 120_000, `expires in ${inMs} ms`);
    const csrfIn = Date.parse(String(row.csrf_expires_at)) - Date.now();
    assert.ok(csrfIn > 24 * 60_000 && csrfIn <= 30 * 60_000 + 1000, `CSRF token valid 30 min (${csrfIn} ms left)`);
  });

  test('no hash or password in any response body or in the daemon output', () => scene.assertNothingLeaked());
});

describe('lockout after 5 failures, and `duplistatus user unlock`', () => {
  const scene = new Scene();
  let boss: TestClient;
  before(async () => {
    await scene.start();
    const admin = await scene.firstAdmin();
    await scene.user(admin, 'boss', 'B0ss-Password', true);
    boss = await scene.signedIn('boss', 'B0ss-Password');
  });
  after(() => scene.dispose());

  const adminRow = () => scene.row("SELECT failed_login_attempts, locked_until FROM users WHERE username = 'admin'");

  test('5 wrong passwords lock the account for 15 minutes; the right one is refused while locked', async () => {
    const signedIn = await scene.signedIn(DEFAULT_ADMIN, ADMIN_PASSWORD); // an existing session of the victim
    const attacker = scene.client();
    for (let i = 1; i <= 4; i++) {
      assertLoginFailed(await attacker.login(DEFAULT_ADMIN, `Wr0ng-${i}`));
      assert.equal(Number((await adminRow()).failed_login_attempts), i);
    }
    const started = Date.now();
    const fifth = await attacker.login(DEFAULT_ADMIN, 'Wr0ng-5');
    assert.equal(fifth.status, 403);
    assertErrorEnvelope(fifth.json, 'Account locked due to too many failed login attempts');
    assert.equal(fifth.json.errorCode, 'ACCOUNT_LOCKED');
    assert.equal(fifth.json.minutesRemaining, 15);
    assert.match(fifth.json.lockedUntil, ISO_MS);
    const lockMs = Date.parse(fifth.json.lockedUntil) - started;
    assert.ok(lockMs > 14.9 * 60_000 && lockMs < 15.1 * 60_000, `locked for ${lockMs} ms`);

    const right = await scene.client().login(DEFAULT_ADMIN, ADMIN_PASSWORD);
    assert.equal(right.status, 403, 'a correct password does not help while locked');
    assertErrorEnvelope(right.json, 'Account is locked due to too many failed login attempts');
    assert.equal(right.json.errorCode, 'ACCOUNT_LOCKED');
    assert.equal(right.json.lockedUntil, fifth.json.lockedUntil);
    assert.ok(right.json.minutesRemaining === 15 || right.json.minutesRemaining === 14);
    assert.equal(Number((await adminRow()).failed_login_attempts), 5, 'no counting while locked');
    assert.equal(right.setCookies.length, 0, 'no session for a locked account');

    // the lock logs the user out everywhere
    assert.deepStrictEqual((await signedIn.get('/api/auth/me')).json, { authenticated: false, user: null });
    const users = await signedIn.get('/api/users');
    assert.equal(users.status, 401);
    assertErrorEnvelope(users.json, 'Authentication required');

    const listed = (await boss.get('/api/users?search=admin')).json.users.find((u: any) => u.username === 'admin');
    assert.equal(listed.isLocked, true);
    assert.equal(listed.failedLoginAttempts, 5);
    assert.equal(listed.lockedUntil, fifth.json.lockedUntil);
  });

  test('`duplistatus user unlock admin` on the live database clears the lock; sign-in works again', async () => {
    if (!(await adminRow()).locked_until) {
      for (let i = 1; i <= 5; i++) await scene.client().login(DEFAULT_ADMIN, `Wr0ng-${i}`);
    }
    assert.equal((await scene.client().login(DEFAULT_ADMIN, ADMIN_PASSWORD)).status, 403);
    const run = await runCli(['user', 'unlock', 'admin'], { dataDir: scene.daemon.dataDir });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /Unlocked admin/);
    const row = await adminRow();
    assert.equal(Number(row.failed_login_attempts), 0);
    assert.equal(row.locked_until, null);
    const res = await scene.client().login(DEFAULT_ADMIN, ADMIN_PASSWORD);
    assert.equal(res.status, 200, res.text);
  });

  test('an expired lock: the next attempt starts a fresh count', async () => {
    const past = new Date(Date.now() - 60_000).toISOString();
    await scene.db.execute({ sql: "UPDATE users SET failed_login_attempts = 5, locked_until = ? WHERE username = 'admin'", args: [past] });
    const wrong = await scene.client().login(DEFAULT_ADMIN, 'Wr0ng-again');
    assertLoginFailed(wrong); // 401, not another lock
    const row = await adminRow();
    assert.equal(Number(row.failed_login_attempts), 1);
    assert.equal(row.locked_until, null);
    assert.equal((await scene.client().login(DEFAULT_ADMIN, ADMIN_PASSWORD)).status, 200);
    assert.equal(Number((await adminRow()).failed_login_attempts), 0);
  });

  test('unknown usernames are not counted anywhere', async () => {
    for (let i = 0; i < 6; i++) assertLoginFailed(await scene.client().login('mallory', `x${i}`));
    assert.equal(Number((await scene.row("SELECT COUNT(*) AS n FROM users WHERE username = 'mallory'")).n), 0);
    assert.equal((await scene.client().login(DEFAULT_ADMIN, ADMIN_PASSWORD)).status, 200);
  });

  test('no hash or password in any response body or in the daemon output', () => scene.assertNothingLeaked());
});

describe('password policy and cookies from the environment (PWD_MIN_LEN=12, PWD_ENFORCE=false, SECURE_COOKIES=true)', () => {
  const scene = new Scene();
  before(() => scene.start({ PWD_MIN_LEN: '12', PWD_ENFORCE: 'false', SECURE_COOKIES: 'true' }));
  after(() => scene.dispose());

  test('GET /api/auth/password-policy reflects the environment', async () => {
    const res = await scene.client().get('/api/auth/password-policy');
    assert.equal(res.status, 200);
    assert.deepStrictEqual(res.json, { minLength: 12, requireUppercase: false, requireLowercase: false, requireNumbers: false, requireSpecialChars: false });
  });

  test('the forced change follows that policy; the default password is refused regardless', async () => {
    const c = scene.client();
    const login = await c.login(DEFAULT_ADMIN, DEFAULT_PASSWORD);
    assert.equal(login.status, 200);
    const cookie = cookieAttributes(login.setCookies.find((l) => l.startsWith('sessionId=')) ?? '');
    assert.ok('secure' in cookie.attributes, 'Secure with SECURE_COOKIES=true');
    assert.ok('httponly' in cookie.attributes);

    const short = await c.post('/api/auth/change-password', { json: { newPassword: 'abcdefghijk' } });
    assert.equal(short.status, 400);
    assert.deepStrictEqual(short.json.validationErrors, [POLICY_MESSAGES.length(12)]);
    const dflt = await c.post('/api/auth/change-password', { json: { newPassword: DEFAULT_PASSWORD } });
    assert.equal(dflt.status, 400);
    assert.deepStrictEqual(dflt.json.validationErrors, [POLICY_MESSAGES.default]);
    assert.deepStrictEqual((await c.get('/api/auth/admin-must-change-password')).json, { mustChangePassword: true });

    scene.passwords.add('all lower case only');
    const ok = await c.post('/api/auth/change-password', { json: { newPassword: 'all lower case only' } });
    assert.equal(ok.status, 200, ok.text);
    assert.deepStrictEqual((await c.get('/api/auth/admin-must-change-password')).json, { mustChangePassword: false });
    assert.equal((await scene.client().login(DEFAULT_ADMIN, 'all lower case only')).status, 200);
  });

  test('no hash or password in any response body or in the daemon output', () => scene.assertNothingLeaked());
});

describe('restart', () => {
  test('sessions do not survive a daemon restart (production)', async () => {
    const first = await startDaemon();
    let second: Daemon | undefined;
    try {
      const c = new TestClient(first.url);
      assert.equal((await c.login(DEFAULT_ADMIN, DEFAULT_PASSWORD)).status, 200);
      assert.equal(await first.stop(), 0);
      second = await startDaemon({ dataDir: first.dataDir });
      const again = new TestClient(second.url);
      again.cookies.set('sessionId', c.sessionId!);
      const me = await again.get('/api/auth/me');
      assert.equal(me.status, 401);
      assertErrorEnvelope(me.json, 'Invalid or expired session');
      const db = await openDaemonDb(first.dataDir);
      try {
        const row = (await db.execute("SELECT username, category, details FROM audit_log WHERE action = 'sessions_cleared_on_startup' ORDER BY id DESC LIMIT 1")).rows[0];
        assert.equal(row.username, 'system');
        assert.equal(row.category, 'system');
        assert.equal(JSON.parse(String(row.details)).reason, 'Server startup');
      } finally {
        db.close();
      }
    } finally {
      await second?.stop();
      await first.dispose();
    }
  });
});
