// End to end: the audit trail on the real daemon (spec 04 §9, decisions 1, 9, 17).
// Every audited action leaves the documented row (sign-ins, failures, lockouts, sign-outs,
// password changes, user changes, uploads), secrets in details are redacted, and the trail can be
// listed, filtered, paged, downloaded (CSV/JSON) and pruned. Rows "in the past" are written
// straight into the daemon's database file, since the clock cannot be moved over HTTP.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Client as DbClient } from '@libsql/client';
import { fixture, fixtureBody } from './helpers/fixtures.ts';
import { assertErrorEnvelope, CREATED_AT, upload } from './helpers/http.ts';
import {
  assertNoSecrets,
  createUserVia,
  DEFAULT_ADMIN,
  DEFAULT_PASSWORD,
  useSignedInDaemon,
  type SignedInDaemon,
  sqliteTimestamp,
  TestClient,
} from './helpers/client.ts';

const ADMIN_PASSWORD = 'Adm1n-Chosen-Pw';
const CSV_HEADER = 'ID,Timestamp,User ID,Username,Action,Category,Target Type,Target ID,Status,IP Address,User Agent,Details,Error Message';
const RECORD_KEYS = ['action', 'category', 'details', 'errorMessage', 'id', 'ipAddress', 'status', 'targetId', 'targetType', 'timestamp', 'userAgent', 'userId', 'username'];
const DAY = 86400_000;

type Env = SignedInDaemon & { adminId: string };

function useDaemon(): Env {
  const env = useSignedInDaemon(ADMIN_PASSWORD) as Env;
  before(async () => {
    env.adminId = (await env.admin.get('/api/auth/me')).json.user.id;
  });
  return env;
}

/** Newest audit records matching the query (through the API). */
async function entries(client: TestClient, query: Record<string, string | number>): Promise<any[]> {
  const res = await client.get(`/api/audit-log?${new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]))}`);
  assert.equal(res.status, 200, res.text);
  for (const log of res.json.logs) assert.deepStrictEqual(Object.keys(log).sort(), RECORD_KEYS);
  return res.json.logs;
}

async function latest(client: TestClient, action: string, extra: Record<string, string> = {}): Promise<any> {
  const [entry] = await entries(client, { action, limit: 1, ...extra });
  assert.ok(entry, `no audit entry for ${action}`);
  assert.match(entry.timestamp, CREATED_AT);
  return entry;
}

/** Inserts an audit row directly (timestamp of our choosing); returns its id. */
async function insertRow(db: DbClient, row: { timestamp: string; username?: string | null; action?: string; category?: string; status?: string; userAgent?: string | null; details?: string | null; errorMessage?: string | null }): Promise<number> {
  const res = await db.execute({
    sql: `INSERT INTO audit_log (timestamp, username, action, category, status, user_agent, details, error_message, ip_address)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    args: [row.timestamp, row.username ?? null, row.action ?? 'login', row.category ?? 'auth', row.status ?? 'success', row.userAgent ?? null, row.details ?? null, row.errorMessage ?? null, '192.0.2.1'],
  });
  return Number(res.lastInsertRowid);
}

/** RFC 4180 reader: quoted fields may hold commas, doubled quotes and newlines. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(field), (field = '');
    else if (ch === '\n') row.push(field), rows.push(row), (row = []), (field = '');
    else field += ch;
  }
  row.push(field);
  rows.push(row);
  return rows;
}

const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe('audited actions', () => {
  const env = useDaemon();

  test('first start: database_initialization by system', async () => {
    const entry = await latest(env.admin, 'database_initialization');
    assert.equal(entry.username, 'system');
    assert.equal(entry.category, 'system');
    assert.equal(entry.status, 'success');
    assert.equal(entry.details.admin_user_created, true);
  });

  test('successful sign-in: who, from where (X-Forwarded-For), with which agent', async () => {
    const c = new TestClient(env.daemon.url, { userAgent: 'audit-e2e/1.0', headers: { 'X-Forwarded-For': '203.0.113.7, 10.0.0.1' } });
    assert.equal((await c.login('ADMIN', ADMIN_PASSWORD)).status, 200);
    const entry = await latest(env.admin, 'login');
    assert.deepStrictEqual(
      { ...entry, id: 0, timestamp: '' },
      {
        id: 0, timestamp: '', userId: env.adminId, username: 'admin', action: 'login', category: 'auth', targetType: null, targetId: null,
        details: { is_admin: true, must_change_password: false }, ipAddress: '203.0.113.7', userAgent: 'audit-e2e/1.0', status: 'success', errorMessage: null,
      },
    );
    const row = (await env.db.execute("SELECT last_login_ip FROM users WHERE username = 'admin'")).rows[0];
    assert.equal(row.last_login_ip, '203.0.113.7');
  });

  test('failed sign-ins: wrong password (counted) and unknown user (no user id)', async () => {
    const c = new TestClient(env.daemon.url, { userAgent: 'audit-e2e/fail' });
    assert.equal((await c.login(DEFAULT_ADMIN, 'Wr0ng-Password')).status, 401);
    const wrong = await latest(env.admin, 'login', { status: 'failure' });
    assert.equal(wrong.userId, env.adminId);
    assert.equal(wrong.username, 'admin');
    assert.equal(wrong.category, 'auth');
    assert.deepStrictEqual(wrong.details, { reason: 'Invalid password', failed_attempts: 1 });
    assert.equal(wrong.userAgent, 'audit-e2e/fail');
    assert.equal(typeof wrong.ipAddress, 'string');

    assert.equal((await c.login('ghost-user', 'Wr0ng-Password')).status, 401);
    const unknown = await latest(env.admin, 'login', { status: 'failure' });
    assert.equal(unknown.userId, null);
    assert.equal(unknown.username, 'ghost-user');
    assert.deepStrictEqual(unknown.details, { reason: 'Invalid credentials' });

    assert.equal((await c.post('/api/auth/login', { json: { username: 'admin' }, csrf: true })).status, 400);
    const missing = await latest(env.admin, 'login', { status: 'failure' });
    assert.deepStrictEqual(missing.details, { reason: 'Missing credentials' });
    assert.equal((await c.login(DEFAULT_ADMIN, ADMIN_PASSWORD)).status, 200); // resets the counter
  });

  test('lockout: the locking attempt and the refused attempts while locked', async () => {
    await createUserVia(env.admin, 'locky', 'L0cky-Password');
    const c = new TestClient(env.daemon.url);
    for (let i = 1; i <= 5; i++) await c.login('locky', `Wr0ng-${i}`);
    const locking = await latest(env.admin, 'login', { username: 'locky' });
    assert.equal(locking.status, 'failure');
    assert.equal(locking.details.reason, 'Too many failed attempts');
    assert.equal(locking.details.failed_attempts, 5);
    assert.ok(Math.abs(Date.parse(locking.details.locked_until) - Date.now() - 15 * 60_000) < 60_000);
    assert.equal((await c.login('locky', 'L0cky-Password')).status, 403);
    const refused = await latest(env.admin, 'login', { username: 'locky' });
    assert.deepStrictEqual(refused.details, { reason: 'Account locked', minutes_remaining: 15 });
    const all = await entries(env.admin, { username: 'locky', action: 'login' });
    assert.deepStrictEqual(all.map((e) => e.details.reason), ['Account locked', 'Too many failed attempts', 'Invalid password', 'Invalid password', 'Invalid password', 'Invalid password']);
  });

  test('sign-out: logout with empty details', async () => {
    const c = await TestClient.signedIn(env.daemon.url, DEFAULT_ADMIN, ADMIN_PASSWORD, { userAgent: 'audit-e2e/logout' });
    assert.equal((await c.logout()).status, 200);
    const entry = await latest(env.admin, 'logout');
    assert.equal(entry.username, 'admin');
    assert.equal(entry.userId, env.adminId);
    assert.equal(entry.category, 'auth');
    assert.equal(entry.status, 'success');
    assert.deepStrictEqual(entry.details, {});
    assert.equal(entry.userAgent, 'audit-e2e/logout');
  });

  test('password changes: forced success, voluntary failures with their reasons', async () => {
    const id = await createUserVia(env.admin, 'penny', 'P3nny-Password');
    await env.admin.patch(`/api/users/${id}`, { json: { requirePasswordChange: true } });
    const penny = await TestClient.signedIn(env.daemon.url, 'penny', 'P3nny-Password');
    assert.equal((await penny.post('/api/auth/change-password', { json: { newPassword: 'P3nny-Chosen-1' } })).status, 200);
    const forced = await latest(env.admin, 'change_password', { username: 'penny' });
    assert.equal(forced.status, 'success');
    assert.equal(forced.category, 'auth');
    assert.equal(forced.userId, id);
    assert.deepStrictEqual(forced.details, { was_forced: true });

    assert.equal((await penny.post('/api/auth/change-password', { json: { currentPassword: 'Not-Hers-123', newPassword: 'P3nny-Chosen-2' } })).status, 401);
    assert.equal((await latest(env.admin, 'change_password', { username: 'penny' })).details.reason, 'Invalid current password');
    assert.equal((await penny.post('/api/auth/change-password', { json: { newPassword: 'short' } })).status, 400);
    const policy = await latest(env.admin, 'change_password', { username: 'penny' });
    assert.equal(policy.status, 'failure');
    assert.equal(policy.details.reason, 'Password policy violation');
    assert.equal((await penny.post('/api/auth/change-password', { json: {} })).status, 400);
    assert.equal((await latest(env.admin, 'change_password', { username: 'penny' })).details.reason, 'Missing new password');
    assert.equal((await penny.post('/api/auth/change-password', { json: { currentPassword: 'P3nny-Chosen-1', newPassword: 'P3nny-Chosen-3' } })).status, 200);
    assert.deepStrictEqual((await latest(env.admin, 'change_password', { username: 'penny' })).details, { was_forced: false });
  });

  test('user_created: target, actor and details, the temporary password flag redacted', async () => {
    const res = await env.admin.post('/api/users', { json: { username: 'Victor' } });
    assert.equal(res.status, 201);
    const entry = await latest(env.admin, 'user_created');
    assert.equal(entry.category, 'user');
    assert.equal(entry.status, 'success');
    assert.equal(entry.username, 'admin');
    assert.equal(entry.userId, env.adminId);
    assert.equal(entry.targetType, 'user');
    assert.equal(entry.targetId, res.json.user.id);
    assert.deepStrictEqual(entry.details, { is_admin: false, must_change_password: true, temp_password: '[REDACTED]', created_by: 'admin', targetUsername: 'victor' });
    const raw = (await env.db.execute({ sql: 'SELECT details FROM audit_log WHERE id = ?', args: [entry.id] })).rows[0].details;
    assert.ok(!String(raw).includes(res.json.temporaryPassword), 'the stored row holds no temporary password');
  });

  test('user_updated: only the fields that changed', async () => {
    const id = await createUserVia(env.admin, 'walter', 'W4lter-Password');
    assert.equal((await env.admin.patch(`/api/users/${id}`, { json: { username: 'Walt', isAdmin: true, requirePasswordChange: false } })).status, 200);
    const entry = await latest(env.admin, 'user_updated');
    assert.equal(entry.category, 'user');
    assert.equal(entry.targetType, 'user');
    assert.equal(entry.targetId, id);
    assert.deepStrictEqual(entry.details, { username: { from: 'walter', to: 'walt' }, is_admin: { from: false, to: true }, targetUsername: 'walter' });
  });

  test('password_reset (and no user_updated for the same call), temporary password redacted', async () => {
    const id = await createUserVia(env.admin, 'xena', 'X3na-Password');
    const updatesBefore = (await entries(env.admin, { action: 'user_updated', limit: 1000 })).length;
    const res = await env.admin.patch(`/api/users/${id}`, { json: { resetPassword: true } });
    assert.equal(res.status, 200);
    const entry = await latest(env.admin, 'password_reset');
    assert.equal(entry.category, 'user');
    assert.equal(entry.targetId, id);
    assert.deepStrictEqual(entry.details, { reset_by: 'admin', temp_password: '[REDACTED]', targetUsername: 'xena' });
    assert.equal((await entries(env.admin, { action: 'user_updated', limit: 1000 })).length, updatesBefore);
    const all = await env.admin.get('/api/audit-log/download?format=json');
    assert.ok(!all.text.includes(res.json.temporaryPassword));
  });

  test('user_deleted: details; the deleted user\'s own rows keep the name but lose the id', async () => {
    const id = await createUserVia(env.admin, 'yuri', 'Yur1-Password');
    await TestClient.signedIn(env.daemon.url, 'yuri', 'Yur1-Password');
    assert.equal((await entries(env.admin, { userId: id })).length, 1, 'yuri\'s sign-in');
    assert.equal((await env.admin.delete(`/api/users/${id}`)).status, 200);
    const entry = await latest(env.admin, 'user_deleted');
    assert.equal(entry.category, 'user');
    assert.equal(entry.targetType, 'user');
    assert.equal(entry.targetId, id);
    assert.equal(entry.username, 'admin');
    assert.deepStrictEqual(entry.details, { deleted_username: 'yuri', was_admin: false, deleted_by: 'admin', targetUsername: 'yuri' });
    const own = await entries(env.admin, { username: 'yuri', action: 'login' });
    assert.equal(own.length, 1);
    assert.equal(own[0].userId, null, 'ON DELETE SET NULL');
  });

  test('backup_upload: written for a stored Duplicati report, without a user', async () => {
    const report = fixture('backup-success.json');
    const res = await upload(env.daemon.url, fixtureBody('backup-success.json'));
    assert.equal(res.status, 200);
    const entry = await latest(env.admin, 'backup_upload');
    assert.equal(entry.category, 'backup');
    assert.equal(entry.status, 'success');
    assert.equal(entry.username, null);
    assert.equal(entry.userId, null);
    assert.equal(entry.targetType, 'backup');
    const stored = (await env.db.execute('SELECT id FROM backups')).rows.map((r) => String(r.id));
    assert.deepStrictEqual(stored, [entry.targetId]);
    assert.deepStrictEqual(Object.keys(entry.details).sort(), [
      'backup_id', 'backup_name', 'date', 'duration_seconds', 'errors', 'examined_files', 'server_id', 'server_name', 'size', 'status', 'uploaded_size', 'warnings',
    ]);
    assert.equal(entry.details.server_id, report.Extra['machine-id']);
    assert.equal(entry.details.server_name, report.Extra['machine-name']);
    assert.equal(entry.details.backup_name, report.Extra['backup-name']);
    assert.equal(entry.details.examined_files, report.Data.ExaminedFiles);
    // a duplicate is refused and not audited again
    assert.equal((await upload(env.daemon.url, fixtureBody('backup-success.json'))).status, 409);
    assert.equal((await entries(env.admin, { action: 'backup_upload' })).length, 1);
  });

  test('the trail holds no password and no hash', async () => {
    const all = await env.admin.get('/api/audit-log/download?format=json');
    assert.equal(all.status, 200);
    const hashes = (await env.db.execute('SELECT password_hash FROM users')).rows.map((r) => String(r.password_hash));
    const passwords = [ADMIN_PASSWORD, DEFAULT_PASSWORD, 'L0cky-Password', 'P3nny-Password', 'P3nny-Chosen-1', 'P3nny-Chosen-3', 'W4lter-Password', 'X3na-Password', 'Yur1-Password', 'Wr0ng-Password', 'Not-Hers-123'];
    assertNoSecrets(all.text, [...hashes, ...passwords], 'the audit trail');
    assertNoSecrets(env.daemon.output(), [...hashes, ...passwords.filter((p) => p !== DEFAULT_PASSWORD)], 'daemon output');
  });
});

describe('listing, filtering and downloading', () => {
  const env = useDaemon();
  const ids: Record<string, number> = {};
  before(async () => {
    ids.ann1 = await insertRow(env.db, { timestamp: '2025-01-10 08:00:00', username: 'fx-ann', action: 'login', category: 'auth', status: 'success', userAgent: 'Plain/1.0', details: '{"is_admin":false}' });
    ids.ann2 = await insertRow(env.db, { timestamp: '2025-01-10 23:59:59', username: 'fx-ann', action: 'login', category: 'auth', status: 'failure', details: '{"reason":"Invalid password"}' });
    ids.bob1 = await insertRow(env.db, { timestamp: '2025-01-11 00:00:00', username: 'fx-bob', action: 'user_created', category: 'user', status: 'success' });
    ids.bob2 = await insertRow(env.db, { timestamp: '2025-01-12 12:00:00', username: 'fx-bob', action: 'logout', category: 'auth', status: 'success', details: '{}' });
    ids.ann3 = await insertRow(env.db, {
      timestamp: '2025-01-13 09:30:00', username: 'fx-ann', action: 'audit_retention_updated', category: 'config', status: 'error',
      userAgent: 'Mozilla/5.0 (X11, "quoted")', details: '{"note":"a,b","q":"say \\"hi\\""}', errorMessage: 'line one\nline two',
    });
  });

  test('the list: newest first, records in the documented shape, pagination block', async () => {
    const res = await env.admin.get('/api/audit-log');
    assert.equal(res.status, 200);
    assert.deepStrictEqual(Object.keys(res.json).sort(), ['logs', 'pagination']);
    const { logs, pagination } = res.json;
    assert.equal(pagination.page, 1);
    assert.equal(pagination.limit, 50);
    assert.equal(pagination.total, logs.length);
    assert.equal(pagination.totalPages, 1);
    const stamps = logs.map((l: any) => l.timestamp);
    assert.deepStrictEqual(stamps, [...stamps].sort().reverse(), 'timestamp DESC');
    const ann3 = logs.find((l: any) => l.id === ids.ann3);
    assert.deepStrictEqual(ann3.details, { note: 'a,b', q: 'say "hi"' }, 'details are parsed JSON');
    assert.equal(logs.find((l: any) => l.id === ids.bob1).details, null);
  });

  test('filters: username, action, category, status (exact match, combined with AND)', async () => {
    const idsOf = async (q: Record<string, string>) => (await entries(env.admin, q)).map((l) => l.id);
    assert.deepStrictEqual(await idsOf({ username: 'fx-ann' }), [ids.ann3, ids.ann2, ids.ann1]);
    assert.deepStrictEqual(await idsOf({ username: 'fx-ann', action: 'login' }), [ids.ann2, ids.ann1]);
    assert.deepStrictEqual(await idsOf({ username: 'fx-bob', category: 'auth' }), [ids.bob2]);
    assert.deepStrictEqual(await idsOf({ username: 'fx-ann', status: 'failure' }), [ids.ann2]);
    assert.deepStrictEqual(await idsOf({ status: 'error' }), [ids.ann3]);
    assert.deepStrictEqual(await idsOf({ username: 'fx' }), [], 'no substring matching');
    assert.deepStrictEqual(await idsOf({ username: "fx-ann' OR '1'='1" }), []);
    assert.deepStrictEqual(await idsOf({ userId: env.adminId, action: 'login' }), (await entries(env.admin, { username: 'admin', action: 'login' })).map((l) => l.id));
    const all = await entries(env.admin, { username: '', action: '' });
    assert.equal(all.length, (await entries(env.admin, {})).length, 'empty filters do not filter');
  });

  test('date range: start inclusive, end date covers its whole day', async () => {
    const idsOf = async (q: Record<string, string>) => (await entries(env.admin, { ...q, limit: 1000 })).map((l) => l.id);
    assert.deepStrictEqual(await idsOf({ startDate: '2025-01-10', endDate: '2025-01-10' }), [ids.ann2, ids.ann1]);
    assert.deepStrictEqual(await idsOf({ startDate: '2025-01-11', endDate: '2025-01-12' }), [ids.bob2, ids.bob1]);
    assert.deepStrictEqual(await idsOf({ startDate: '2025-01-01', endDate: '2025-01-31' }), [ids.ann3, ids.bob2, ids.bob1, ids.ann2, ids.ann1]);
    assert.deepStrictEqual(await idsOf({ endDate: '2025-01-09' }), []);
    const today = utcDay(Date.now());
    const fromToday = await idsOf({ startDate: today });
    assert.ok(fromToday.length > 0 && !fromToday.some((id) => Object.values(ids).includes(id)), 'only today\'s rows');
    assert.deepStrictEqual(await idsOf({ startDate: utcDay(Date.now() + 2 * DAY) }), []);
  });

  test('pagination: page and limit, offset wins over page, totalPages = ceil(total / limit)', async () => {
    const all = await entries(env.admin, { limit: 1000 });
    const total = all.length;
    assert.ok(total >= 7);
    const page2 = await env.admin.get('/api/audit-log?limit=3&page=2');
    assert.deepStrictEqual(page2.json.logs.map((l: any) => l.id), all.slice(3, 6).map((l) => l.id));
    assert.deepStrictEqual(page2.json.pagination, { page: 2, limit: 3, total, totalPages: Math.ceil(total / 3) });
    const offset = await env.admin.get('/api/audit-log?limit=3&page=1&offset=4');
    assert.deepStrictEqual(offset.json.logs.map((l: any) => l.id), all.slice(4, 7).map((l) => l.id));
    assert.equal(offset.json.pagination.page, 2, 'page = floor(offset / limit) + 1');
    const filtered = await env.admin.get('/api/audit-log?username=fx-ann&limit=2&page=2');
    assert.deepStrictEqual(filtered.json.logs.map((l: any) => l.id), [ids.ann1]);
    assert.deepStrictEqual(filtered.json.pagination, { page: 2, limit: 2, total: 3, totalPages: 2 });
  });

  test('/api/audit-log/filters: the distinct actions, categories and statuses, sorted', async () => {
    const res = await env.admin.get('/api/audit-log/filters');
    assert.equal(res.status, 200);
    const { actions, categories, statuses } = res.json;
    for (const list of [actions, categories, statuses]) assert.deepStrictEqual(list, [...new Set(list as string[])].sort());
    for (const a of ['audit_retention_updated', 'change_password', 'database_initialization', 'login', 'logout', 'user_created']) assert.ok(actions.includes(a), a);
    assert.deepStrictEqual(categories, ['auth', 'config', 'system', 'user']);
    assert.deepStrictEqual(statuses, ['error', 'failure', 'success']);
  });

  test('CSV download: exact header, one line per record, quoting, attachment name', async () => {
    const before = Date.now();
    const res = await env.admin.get('/api/audit-log/download?username=fx-ann');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/csv/);
    const disposition = res.headers.get('content-disposition') ?? '';
    assert.ok([utcDay(before), utcDay(Date.now())].some((d) => disposition === `attachment; filename="audit-log-${d}.csv"`), disposition);
    assert.ok(!res.text.endsWith('\n'), 'no trailing newline');
    assert.equal(res.text.split('\n')[0], CSV_HEADER);
    assert.equal(
      res.text.split('\n')[1],
      `${ids.ann3},2025-01-13 09:30:00,,fx-ann,audit_retention_updated,config,,,error,192.0.2.1,"Mozilla/5.0 (X11, ""quoted"")","{""note"":""a,b"",""q"":""say \\""hi\\""""}","line one`,
      'quoted fields, inner quotes doubled',
    );
    const rows = parseCsv(res.text);
    assert.equal(rows.length, 4);
    assert.deepStrictEqual(rows[1], [String(ids.ann3), '2025-01-13 09:30:00', '', 'fx-ann', 'audit_retention_updated', 'config', '', '', 'error', '192.0.2.1', 'Mozilla/5.0 (X11, "quoted")', '{"note":"a,b","q":"say \\"hi\\""}', 'line one\nline two']);
    assert.deepStrictEqual(rows[2], [String(ids.ann2), '2025-01-10 23:59:59', '', 'fx-ann', 'login', 'auth', '', '', 'failure', '192.0.2.1', '', '{"reason":"Invalid password"}', '']);
    assert.deepStrictEqual(rows[3], [String(ids.ann1), '2025-01-10 08:00:00', '', 'fx-ann', 'login', 'auth', '', '', 'success', '192.0.2.1', 'Plain/1.0', '{"is_admin":false}', '']);

    const all = await env.admin.get('/api/audit-log/download');
    const listed = await entries(env.admin, { limit: 1000 });
    assert.equal(parseCsv(all.text).length - 1, listed.length, 'unfiltered: every record');
    const other = await env.admin.get('/api/audit-log/download?format=xml&username=fx-bob');
    assert.match(other.headers.get('content-type') ?? '', /^text\/csv/, 'an unknown format is CSV');
    assert.equal(parseCsv(other.text).length, 3);
  });

  test('CSV download with nothing to export: 400 "No logs to export"', async () => {
    const res = await env.admin.get('/api/audit-log/download?username=nobody-at-all');
    assert.equal(res.status, 400);
    assertErrorEnvelope(res.json, 'No logs to export');
  });

  test('JSON download: the same records as the list, as an attachment; empty is allowed', async () => {
    const res = await env.admin.get('/api/audit-log/download?format=json&startDate=2025-01-01&endDate=2025-01-31');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename="audit-log-\d{4}-\d{2}-\d{2}\.json"$/);
    const listed = await entries(env.admin, { startDate: '2025-01-01', endDate: '2025-01-31' });
    assert.deepStrictEqual(res.json, listed);
    assert.equal(res.json.length, 5);
    const empty = await env.admin.get('/api/audit-log/download?format=json&username=nobody-at-all');
    assert.equal(empty.status, 200);
    assert.deepStrictEqual(empty.json, []);
  });

  test('who may read: any signed-in user; not an anonymous session, not without a session', async () => {
    await createUserVia(env.admin, 'reader', 'R3ader-Password');
    const reader = await TestClient.signedIn(env.daemon.url, 'reader', 'R3ader-Password');
    const anon = new TestClient(env.daemon.url);
    await anon.csrf();
    const nobody = new TestClient(env.daemon.url);
    for (const path of ['/api/audit-log', '/api/audit-log/filters', '/api/audit-log/download?format=json', '/api/audit-log/retention']) {
      assert.equal((await reader.get(path)).status, 200, `reader ${path}`);
      const a = await anon.get(path);
      assert.equal(a.status, 401, `anonymous ${path}`);
      assertErrorEnvelope(a.json, 'Authentication required');
      const n = await nobody.get(path);
      assert.equal(n.status, 401, `no session ${path}`);
      assertErrorEnvelope(n.json, 'Invalid or expired session');
    }
  });
});

describe('retention', () => {
  const env = useDaemon();

  test('GET: 90 days by default', async () => {
    const res = await env.admin.get('/api/audit-log/retention');
    assert.equal(res.status, 200);
    assert.deepStrictEqual(res.json, { retentionDays: 90 });
  });

  test('PATCH: 30 and 365 are accepted and audited', async () => {
    const res = await env.admin.patch('/api/audit-log/retention', { json: { retentionDays: 30 } });
    assert.equal(res.status, 200, res.text);
    assert.deepStrictEqual(res.json, { success: true, retentionDays: 30 });
    assert.deepStrictEqual((await env.admin.get('/api/audit-log/retention')).json, { retentionDays: 30 });
    const entry = await latest(env.admin, 'audit_retention_updated');
    assert.equal(entry.category, 'config');
    assert.equal(entry.targetType, 'configuration');
    assert.equal(entry.targetId, 'audit_retention_days');
    assert.equal(entry.username, 'admin');
    assert.deepStrictEqual(entry.details, { oldValue: '90', newValue: '30' });
    assert.equal((await env.admin.patch('/api/audit-log/retention', { json: { retentionDays: 365 } })).status, 200);
    assert.deepStrictEqual((await latest(env.admin, 'audit_retention_updated')).details, { oldValue: '30', newValue: '365' });
    const stored = (await env.db.execute("SELECT value FROM configurations WHERE key = 'audit_retention_days'")).rows[0];
    assert.equal(stored.value, '365');
  });

  test('PATCH errors: 400 with the documented message, nothing changes', async () => {
    const before = (await env.admin.get('/api/audit-log/retention')).json.retentionDays;
    const audited = (await entries(env.admin, { action: 'audit_retention_updated' })).length;
    const cases: [unknown, string][] = [
      [{ retentionDays: 29 }, 'Retention days must be between 30 and 365'],
      [{ retentionDays: 366 }, 'Retention days must be between 30 and 365'],
      [{ retentionDays: -90 }, 'Retention days must be between 30 and 365'],
      [{ retentionDays: '60' }, 'retentionDays must be a number'],
      [{ retentionDays: 0 }, 'retentionDays must be a number'],
      [{ retentionDays: null }, 'retentionDays must be a number'],
      [{}, 'retentionDays must be a number'],
    ];
    for (const [json, error] of cases) {
      const res = await env.admin.patch('/api/audit-log/retention', { json });
      assert.equal(res.status, 400, JSON.stringify(json));
      assertErrorEnvelope(res.json, error);
    }
    const notJson = await env.admin.patch('/api/audit-log/retention', { body: 'retentionDays=60' });
    assert.equal(notJson.status, 400);
    assertErrorEnvelope(notJson.json);
    assert.equal((await env.admin.get('/api/audit-log/retention')).json.retentionDays, before);
    assert.equal((await entries(env.admin, { action: 'audit_retention_updated' })).length, audited);
  });

  test('PATCH needs an admin and a CSRF token', async () => {
    await createUserVia(env.admin, 'nonadmin', 'N0nadmin-Password');
    const user = await TestClient.signedIn(env.daemon.url, 'nonadmin', 'N0nadmin-Password');
    assert.equal((await user.get('/api/audit-log/retention')).status, 200, 'any signed-in user may read it');
    const res = await user.patch('/api/audit-log/retention', { json: { retentionDays: 60 } });
    assert.equal(res.status, 403);
    assertErrorEnvelope(res.json, 'Administrator access required');
    const noCsrf = await env.admin.patch('/api/audit-log/retention', { json: { retentionDays: 60 }, csrf: false });
    assert.equal(noCsrf.status, 403);
    assertErrorEnvelope(noCsrf.json, 'Invalid CSRF token');
    assert.notEqual((await env.admin.get('/api/audit-log/retention')).json.retentionDays, 60);
  });
});

describe('cleanup', () => {
  const env = useDaemon();
  let old: { id: number; timestamp: string }[];
  before(async () => {
    const now = Date.now();
    old = [];
    for (const t of [new Date('2020-01-01T00:00:00Z').getTime(), now - 400 * DAY, now - 91 * DAY]) {
      const timestamp = sqliteTimestamp(new Date(t));
      old.push({ id: await insertRow(env.db, { timestamp, username: 'fx-old', action: 'login' }), timestamp });
    }
    // kept: just inside the default 90 days
    await insertRow(env.db, { timestamp: sqliteTimestamp(new Date(now - 89 * DAY)), username: 'fx-recent', action: 'login' });
  });
  const count = async () => Number((await env.db.execute('SELECT COUNT(*) AS n FROM audit_log')).rows[0].n);
  const oldest = async (after = '') => (await env.db.execute({ sql: 'SELECT MIN(timestamp) AS t FROM audit_log WHERE timestamp >= ?', args: [after] })).rows[0].t;

  test('dry run: counts what would go, deletes nothing', async () => {
    const before = await count();
    const started = Date.now();
    const res = await env.admin.post('/api/audit-log/cleanup', { json: { dryRun: true } });
    assert.equal(res.status, 200, res.text);
    const cutoff = sqliteTimestamp(new Date(started - 90 * DAY));
    assert.deepStrictEqual(res.json, {
      dryRun: true,
      wouldDeleteCount: 3,
      oldestRemaining: await oldest(cutoff),
      retentionDays: 90,
      cutoffDate: utcDay(started - 90 * DAY),
    });
    assert.equal(await count(), before);

    const wider = await env.admin.post('/api/audit-log/cleanup', { json: { dryRun: true, retentionDays: 365 } });
    assert.equal(wider.status, 200);
    assert.equal(wider.json.wouldDeleteCount, 2, 'the 2020 row and the 400-day-old row');
    assert.equal(wider.json.retentionDays, 365);
    assert.equal(wider.json.oldestRemaining, old[2].timestamp);
    assert.equal(await count(), before);
  });

  test('bad retentionDays: 400, nothing deleted', async () => {
    const before = await count();
    for (const retentionDays of [10, 29, 366, 'abc']) {
      const res = await env.admin.post('/api/audit-log/cleanup', { json: { retentionDays } });
      assert.equal(res.status, 400, String(retentionDays));
      assertErrorEnvelope(res.json, 'Retention days must be between 30 and 365');
    }
    assert.equal(await count(), before);
  });

  test('needs an admin and a CSRF token', async () => {
    const before = await count();
    await createUserVia(env.admin, 'sweeper', 'Sw33per-Password');
    const user = await TestClient.signedIn(env.daemon.url, 'sweeper', 'Sw33per-Password');
    const res = await user.post('/api/audit-log/cleanup', { json: {} });
    assert.equal(res.status, 403);
    assertErrorEnvelope(res.json, 'Administrator access required');
    const noCsrf = await env.admin.post('/api/audit-log/cleanup', { json: {}, csrf: false });
    assert.equal(noCsrf.status, 403);
    assertErrorEnvelope(noCsrf.json, 'Invalid CSRF token');
    const anon = new TestClient(env.daemon.url);
    assert.equal((await anon.post('/api/audit-log/cleanup', { json: {}, csrf: true })).status, 401);
    // the sign-ins above added rows; the old ones are all still there
    assert.ok((await count()) >= before);
    for (const o of old) assert.equal(Number((await env.db.execute({ sql: 'SELECT COUNT(*) AS n FROM audit_log WHERE id = ?', args: [o.id] })).rows[0].n), 1);
  });

  test('real run: deletes the old rows, keeps the rest, records audit_cleanup', async () => {
    const before = await count();
    const res = await env.admin.post('/api/audit-log/cleanup', { json: {} });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.success, true);
    assert.equal(res.json.deletedCount, 3);
    assert.equal(res.json.retentionDays, 90);
    for (const o of old) assert.equal(Number((await env.db.execute({ sql: 'SELECT COUNT(*) AS n FROM audit_log WHERE id = ?', args: [o.id] })).rows[0].n), 0);
    assert.equal(res.json.oldestRemaining, await oldest(), 'the oldest timestamp left in the table');
    assert.equal(await count(), before - 3 + 1, 'three deleted, one audit_cleanup row added');
    const entry = await latest(env.admin, 'audit_cleanup');
    assert.equal(entry.category, 'system');
    assert.equal(entry.username, 'admin');
    assert.equal(entry.status, 'success');
    assert.deepStrictEqual(entry.details, { retentionDays: 90, deletedCount: 3 });
    assert.equal((await entries(env.admin, { username: 'fx-recent' })).length, 1, 'rows inside the window stay');

    const again = await env.admin.post('/api/audit-log/cleanup', { body: 'not json' });
    assert.equal(again.status, 200, 'an unreadable body counts as {} (spec 04 §9.8)');
    assert.equal(again.json.deletedCount, 0);
  });

  test('the configured retention is the default for cleanup', async () => {
    assert.equal((await env.admin.patch('/api/audit-log/retention', { json: { retentionDays: 60 } })).status, 200);
    await insertRow(env.db, { timestamp: sqliteTimestamp(new Date(Date.now() - 70 * DAY)), username: 'fx-70', action: 'login' });
    const dry = await env.admin.post('/api/audit-log/cleanup', { json: { dryRun: true } });
    assert.equal(dry.json.retentionDays, 60);
    assert.equal(dry.json.wouldDeleteCount, 2, 'the 70- and 89-day-old rows are older than 60 days');
    const real = await env.admin.post('/api/audit-log/cleanup');
    assert.equal(real.status, 200);
    assert.equal(real.json.deletedCount, 2);
    assert.deepStrictEqual(await entries(env.admin, { username: 'fx-70' }), []);
  });
});
