// End to end: the configuration API (spec 03 §1.3, §2.1–§2.14, §3, §12) on the real daemon, with
// the overrides of 00-decisions (1: error envelope, 9: every non-public endpoint needs a signed-in
// user, 10: secrets encrypted at rest and never returned, 17: defaults) and the deliberate
// differences of this implementation: invalid input is a 400 with a clear message and nothing is
// half-saved; per-job backup settings live on the job rows (the map is still keyed
// "<serverId>:<backupName>").
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Client as DbClient } from '@libsql/client';
import { fixture, fixtureBody, postReport } from './helpers/fixtures.ts';
import { assertErrorEnvelope, editedFixture } from './helpers/http.ts';
import { createUserVia, TestClient, useSignedInDaemon, type ClientResponse } from './helpers/client.ts';

const ADMIN_PASSWORD = 'Adm1n-Chosen-Pw';
const TOPIC = /^duplistatus-[A-Za-z0-9]{12}$/;
const ALL_DAYS = [0, 1, 2, 3, 4, 5, 6];
const DAY = 86_400_000;

// Spec 03 §9.2, the en-GB defaults, character for character.
const EN_GB = {
  success: {
    title: '✅ {status} - {backup_name} @ {server_alias}',
    message:
      "Backup {backup_name} on {server_alias} completed with status '{status}' at {backup_date} in {duration}.\n\n" +
      '🔍 Note: {server_note}\n☁️ Uploaded: {uploaded_size}\n💾 Store usage: {storage_size}\n🔃 Available versions: {available_versions}\n',
    priority: 'default',
    tags: 'duplicati, duplistatus, success',
  },
  warning: {
    title: '⚠️ {status} - {backup_name} @ {server_alias}',
    message:
      "Backup {backup_name} on {server_alias} completed with status '{status}' at {backup_date}.\n\n" +
      '🔍 Note: {server_note}\n⏰ Duration: {duration}\n☁️ Uploaded: {uploaded_size}\n\n' +
      '🚨 {warnings_count} warnings\n🛑 {errors_count} errors.\n\n📄 Log Messages:\n{log_text}\n\n' +
      '⚠️ Check the duplicati server immediately {server_url}\n',
    priority: 'high',
    tags: 'duplicati, duplistatus, warning, error',
  },
  overdueBackup: {
    title: '🕑 Overdue - {backup_name} @ {server_alias}',
    message:
      'The backup {backup_name} is overdue on {server_alias}.\n\n🔍 Note: {server_note}\n' +
      '🚨 Last backup received: {last_backup_date} ({last_elapsed})\n⏰ Expected backup time: {expected_date} ({expected_elapsed})\n\n' +
      'Expected interval: {backup_interval} / Tolerance: {overdue_tolerance}\n\n⚠️ Check the duplicati server immediately {server_url}\n',
    priority: 'default',
    tags: 'duplicati, duplistatus, overdue',
  },
};
const TOLERANCE_CODES = ['no_tolerance', '5min', '15min', '30min', '1h', '2h', '4h', '6h', '12h', '1d'];

const useDaemon = () => useSignedInDaemon(ADMIN_PASSWORD);

/** The raw stored value of a `configurations` key (null when absent). */
async function stored(db: DbClient, key: string): Promise<string | null> {
  const { rows } = await db.execute({ sql: 'SELECT value FROM configurations WHERE key = ?', args: [key] });
  return rows.length ? (rows[0].value as string | null) : null;
}

/** Audit records for one action, newest first, and the total count. */
async function auditOf(client: TestClient, action: string): Promise<{ logs: any[]; total: number }> {
  const res = await client.get(`/api/audit-log?action=${encodeURIComponent(action)}&limit=100`);
  assert.equal(res.status, 200, res.text);
  return { logs: res.json.logs, total: res.json.pagination.total };
}

function expectOk(res: ClientResponse, what: string): any {
  assert.equal(res.status, 200, `${what}: ${res.status} ${res.text}`);
  return res.json;
}

function expectError(res: ClientResponse, status: number, error?: string | RegExp): any {
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${res.text}`);
  assertErrorEnvelope(res.json, error);
  return res.json;
}

async function unified(client: TestClient): Promise<any> {
  return expectOk(await client.get('/api/configuration/unified'), 'GET /api/configuration/unified');
}

/** ISO form (milliseconds) of a Duplicati BeginTime with up to 7 fraction digits. */
const isoMs = (begin: string) => new Date(begin.replace(/(\.\d{3})\d+/, '$1')).toISOString();
const plusDay = (iso: string) => new Date(Date.parse(iso) + DAY).toISOString();

// ──────────────────────────────────────────────────────────────────────────────────────────────
describe('fresh database: defaults (spec 03 §1.3, §12, decision 17)', () => {
  const env = useDaemon();

  test('unified view: tolerance 2h, every_day, */5 enabled, ntfy.sh with a generated topic, en-GB templates, nothing else', async () => {
    const res = await env.admin.get('/api/configuration/unified');
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers.get('cache-control') ?? '', /no-store/);
    assert.match(res.headers.get('cache-control') ?? '', /no-cache/);
    assert.match(res.headers.get('cache-control') ?? '', /must-revalidate/);
    assert.equal(res.headers.get('pragma'), 'no-cache');
    assert.equal(res.headers.get('expires'), '0');
    const u = res.json;
    assert.equal(u.overdue_tolerance, '2h');
    assert.equal(u.notificationFrequency, 'every_day');
    assert.deepStrictEqual(u.cronConfig, { cronExpression: '*/5 * * * *', enabled: true });
    assert.equal(u.ntfy.url, 'https://ntfy.sh/');
    assert.match(u.ntfy.topic, TOPIC);
    assert.equal(u.templates.language, 'en-GB');
    assert.deepStrictEqual({ success: u.templates.success, warning: u.templates.warning, overdueBackup: u.templates.overdueBackup }, EN_GB);
    assert.ok(!('email' in u), 'email is omitted while SMTP is not configured');
    assert.deepStrictEqual(u.backup_settings, {});
    assert.deepStrictEqual(u.serverAddresses, []);
    assert.deepStrictEqual(u.serversWithBackups, []);
  });

  test('the generated ntfy topic is persisted: every later read returns the same one', async () => {
    const first = (await unified(env.admin)).ntfy.topic;
    const second = (await unified(env.admin)).ntfy.topic;
    assert.equal(second, first);
    const ntfy = expectOk(await env.admin.get('/api/configuration/ntfy'), 'GET ntfy');
    assert.equal(ntfy.ntfy.topic, first);
    assert.equal(ntfy.ntfy.url, 'https://ntfy.sh/');
    const row = JSON.parse((await stored(env.db, 'ntfy_config'))!);
    assert.equal(row.topic, first);
  });

  test('the single-value endpoints agree with the unified view', async () => {
    assert.deepStrictEqual(expectOk(await env.admin.get('/api/configuration/overdue-tolerance'), 'tolerance'), { overdue_tolerance: '2h' });
    assert.deepStrictEqual(expectOk(await env.admin.get('/api/configuration/notifications'), 'frequency'), { value: 'every_day' });
    assert.deepStrictEqual(expectOk(await env.admin.get('/api/cron-config'), 'cron-config'), { cronExpression: '*/5 * * * *', enabled: true });
    assert.deepStrictEqual(expectOk(await env.admin.get('/api/configuration/email'), 'email'), {
      configured: false,
      config: null,
      message: 'Email is not configured. Please configure SMTP settings.',
    });
  });
});

// ──────────────────────────────────────────────────────────────────────────────────────────────
describe('unified view after uploads (spec 03 §2.1, §3.1, §4.3)', () => {
  const env = useDaemon();
  // Uploaded in an order different from the expected listing order.
  const FILES = ['backup-other-machine.json', 'backup-success.json', 'backup-second-job-same-machine.json'];

  before(async () => {
    for (const f of FILES) assert.equal((await postReport(env.daemon.url, fixtureBody(f))).status, 200, f);
  });

  test('serverAddresses: every server once, with id, name, server_url, alias, note, hasPassword', async () => {
    const u = await unified(env.admin);
    const byId = new Map(u.serverAddresses.map((s: any) => [s.id, s]));
    assert.equal(u.serverAddresses.length, 2);
    for (const f of FILES) {
      const extra = fixture(f).Extra;
      assert.deepStrictEqual(byId.get(extra['machine-id']), {
        id: extra['machine-id'], name: extra['machine-name'], server_url: '', alias: '', note: '', hasPassword: false,
      });
    }
  });

  test('serversWithBackups: one item per job, ordered by server name then backup name, dates from the job record', async () => {
    const u = await unified(env.admin);
    const expected = [...FILES]
      .map((f) => fixture(f))
      .sort((a, b) => a.Extra['machine-name'].localeCompare(b.Extra['machine-name']) || a.Extra['backup-name'].localeCompare(b.Extra['backup-name']))
      .map((r) => ({
        id: r.Extra['machine-id'],
        name: r.Extra['machine-name'],
        server_url: '',
        alias: '',
        note: '',
        hasPassword: false,
        backupName: r.Extra['backup-name'],
        expectedBackupDate: plusDay(isoMs(r.Data.BeginTime)),
        lastBackupDate: isoMs(r.Data.BeginTime),
      }));
    assert.deepStrictEqual(
      expected.map((e) => `${e.name}/${e.backupName}`),
      ['homeserver/Docker volumes', 'homeserver/Photos', 'web-prod-03/Website and DB dumps'],
    );
    assert.deepStrictEqual(u.serversWithBackups, expected);
  });

  test('backup_settings: a default record per "<serverId>:<backupName>", time = report date + 1 day', async () => {
    const u = await unified(env.admin);
    const expected: Record<string, unknown> = {};
    for (const f of FILES) {
      const r = fixture(f);
      const last = isoMs(r.Data.BeginTime);
      expected[`${r.Extra['machine-id']}:${r.Extra['backup-name']}`] = {
        notificationEvent: 'warnings',
        overdueBackupCheckEnabled: true,
        expectedInterval: '1D',
        allowedWeekDays: ALL_DAYS,
        time: plusDay(last),
        lastBackupDate: last,
        ntfyEnabled: true,
        emailEnabled: true,
      };
    }
    assert.deepStrictEqual(u.backup_settings, expected);
  });
});

// ──────────────────────────────────────────────────────────────────────────────────────────────
describe('e-mail settings (spec 03 §2.2–§2.6, decision 10)', () => {
  const env = useDaemon();
  const PASSWORD = 'Smtp-Pa55word-X9!';
  const USERNAME = 'smtp-login-7731';
  const VALID = {
    host: ' smtp.example.com ',
    port: '587',
    connectionType: 'starttls',
    username: ` ${USERNAME} `,
    password: PASSWORD,
    mailto: ' ops@example.com ',
    senderName: ' duplistatus ',
    fromAddress: ' noreply@example.com ',
  };
  const postEmail = (body: unknown, client = env.admin) => client.post('/api/configuration/email', { json: body });
  const getEmail = async () => expectOk(await env.admin.get('/api/configuration/email'), 'GET email');

  test('validation runs in the order of §2.3; nothing is saved while it fails', async () => {
    const cases: [unknown, RegExp | string][] = [
      // 1. required fields first, even when everything else is wrong too
      [{}, 'Missing required fields: host, port, mailto'],
      [{ host: 'h', port: 0, username: 'u' }, 'Missing required fields: host, port, mailto'],
      [{ host: 'h', mailto: 'nope', fromAddress: 'bad' }, 'Missing required fields: host, port, mailto'],
      // 2. username (auth is on unless requireAuth === false) before the port
      [{ host: 'h', port: 0, mailto: 'nope' }, 'Missing required field: username (required when authentication is enabled)'],
      [{ host: 'h', port: 70000, mailto: 'nope', requireAuth: true }, 'Missing required field: username (required when authentication is enabled)'],
      // 3. port before the recipient
      [{ host: 'h', port: 0, mailto: 'nope', username: 'u' }, 'Port must be a valid number between 1 and 65535'],
      [{ host: 'h', port: 70000, mailto: 'nope', username: 'u' }, 'Port must be a valid number between 1 and 65535'],
      [{ host: 'h', port: 'abc', mailto: 'nope', username: 'u' }, 'Port must be a valid number between 1 and 65535'],
      [{ host: 'h', port: '70000', mailto: 'ops@example.com', username: 'u' }, 'Port must be a valid number between 1 and 65535'],
      [{ host: 'h', port: -25, mailto: 'ops@example.com', requireAuth: false }, 'Port must be a valid number between 1 and 65535'],
      // 4. recipient before the from address
      [{ host: 'h', port: 587, mailto: 'nope', username: 'u', fromAddress: 'bad' }, 'Recipient email must contain "@" symbol'],
      [{ host: 'h', port: 587, mailto: '   ', username: 'u' }, 'Recipient email must contain "@" symbol'],
      // decision: an "@" alone does not make an address
      [{ host: 'h', port: 587, mailto: 'ops@', username: 'u' }, /recipient/i],
      [{ host: 'h', port: 587, mailto: 'a b@example.com', username: 'u' }, /recipient/i],
      // 5. from address
      [{ host: 'h', port: 587, mailto: 'ops@example.com', username: 'u', fromAddress: 'bad' }, 'From address must contain "@" symbol'],
      [{ host: 'h', port: 587, mailto: 'ops@example.com', username: 'u', fromAddress: 'noreply@' }, /from address/i],
    ];
    for (const [body, error] of cases) {
      const json = expectError(await postEmail(body), 400, error);
      assert.ok(json.message.length > 0, `a clear message for ${JSON.stringify(body)}`);
    }
    assert.equal((await getEmail()).configured, false);
    assert.equal(await stored(env.db, 'smtp_config'), null);
    assert.equal((await auditOf(env.admin, 'email_config_updated')).total, 0);
  });

  test('save: trimmed values, numeric port, GET shows hasPassword but never the password', async () => {
    assert.deepStrictEqual(expectOk(await postEmail(VALID), 'POST email'), { success: true, message: 'SMTP configuration saved successfully' });
    const got = await getEmail();
    assert.equal(got.configured, true);
    assert.equal(got.message, 'Email is configured and ready to use.');
    const { config } = got;
    assert.equal(config.host, 'smtp.example.com');
    assert.equal(config.port, 587);
    assert.equal(config.connectionType, 'starttls');
    assert.equal(config.username, USERNAME);
    assert.equal(config.mailto, 'ops@example.com');
    assert.equal(config.senderName, 'duplistatus');
    assert.equal(config.fromAddress, 'noreply@example.com');
    assert.equal(config.requireAuth, true);
    assert.equal(config.hasPassword, true);
    assert.ok(!('password' in config), 'no password key');
    const u = await unified(env.admin);
    assert.equal(u.email.enabled, true);
    assert.equal(u.email.hasPassword, true);
    assert.equal(u.email.host, 'smtp.example.com');
    assert.ok(!('password' in u.email));
    for (const body of env.admin.bodies) assert.ok(!body.includes(PASSWORD), 'no response ever carries the SMTP password');
  });

  test('stored smtp_config holds neither the plaintext password nor the username (decision 10)', async () => {
    const row = (await stored(env.db, 'smtp_config'))!;
    assert.ok(row, 'smtp_config is stored');
    assert.ok(!row.includes(PASSWORD), 'password is encrypted at rest');
    assert.ok(!row.includes(USERNAME), 'username is encrypted at rest');
    assert.ok(row.includes('smtp.example.com'), 'the rest is plain JSON');
    assert.match((await stored(env.db, 'master_key_fingerprint')) ?? '', /^[0-9a-f]{64}$/);
  });

  test('audit: email_config_updated with the changed fields, never the password; an unchanged save is not audited', async () => {
    const { logs, total } = await auditOf(env.admin, 'email_config_updated');
    assert.equal(total, 1);
    const [entry] = logs;
    assert.equal(entry.username, 'admin');
    assert.equal(entry.category, 'config');
    assert.equal(entry.status, 'success');
    const details = JSON.stringify(entry.details);
    assert.ok(details.includes('smtp.example.com'), details);
    assert.ok(!details.includes(PASSWORD), 'password not in the audit details');

    expectOk(await postEmail(VALID), 'same POST again');
    assert.equal((await auditOf(env.admin, 'email_config_updated')).total, 1, 'nothing changed, nothing audited');
  });

  test('a failing POST leaves the stored settings exactly as they were', async () => {
    const before = await getEmail();
    const rowBefore = await stored(env.db, 'smtp_config');
    const auditBefore = (await auditOf(env.admin, 'email_config_updated')).total;
    const changed = { ...VALID, host: 'evil.example.com', senderName: 'Other', password: 'Changed-Pw-1' };
    for (const [body, error] of [
      [{ ...changed, port: 0 }, 'Port must be a valid number between 1 and 65535'],
      [{ ...changed, port: 70000 }, 'Port must be a valid number between 1 and 65535'],
      [{ ...changed, port: 'abc' }, 'Port must be a valid number between 1 and 65535'],
      [{ ...changed, mailto: 'no-at-sign' }, 'Recipient email must contain "@" symbol'],
      [{ ...changed, fromAddress: 'bad' }, 'From address must contain "@" symbol'],
      [{ ...changed, username: undefined }, 'Missing required field: username (required when authentication is enabled)'],
    ] as const) {
      expectError(await postEmail(body), 400, error);
    }
    assert.deepStrictEqual(await getEmail(), before);
    assert.equal(await stored(env.db, 'smtp_config'), rowBefore);
    assert.equal((await auditOf(env.admin, 'email_config_updated')).total, auditBefore);
  });

  test('password: kept when omitted, cleared by ""; an omitted senderName/fromAddress is not stored', async () => {
    const { password: _p, senderName: _s, fromAddress: _f, ...rest } = VALID;
    expectOk(await postEmail(rest), 'POST without password/senderName/fromAddress');
    let { config } = await getEmail();
    assert.equal(config.hasPassword, true, 'password kept');
    assert.ok(!('senderName' in config), 'omitted senderName clears it');
    assert.ok(!('fromAddress' in config), 'omitted fromAddress clears it');

    expectOk(await postEmail({ ...VALID, password: '' }), 'POST with empty password');
    ({ config } = await getEmail());
    assert.strictEqual(config.hasPassword, false, 'hasPassword is the JSON boolean false');
    assert.equal((await unified(env.admin)).email.hasPassword, false);
  });

  test('connection type: explicit value, else legacy `secure`, else starttls', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ connectionType: 'plain' }, 'plain'],
      [{ connectionType: 'ssl' }, 'ssl'],
      [{ connectionType: undefined, secure: 'TRUE' }, 'ssl'],
      [{ connectionType: undefined, secure: true }, 'ssl'],
      [{ connectionType: 'bogus', secure: 'true' }, 'ssl'],
      [{ connectionType: undefined, secure: false }, 'starttls'],
      [{ connectionType: undefined, secure: 'yes' }, 'starttls'],
      [{ connectionType: undefined }, 'starttls'],
    ];
    for (const [extra, expected] of cases) {
      expectOk(await postEmail({ ...VALID, ...extra }), JSON.stringify(extra));
      assert.equal((await getEmail()).config.connectionType, expected, JSON.stringify(extra));
    }
  });

  test('requireAuth false: no username needed, the stored username is kept', async () => {
    const { username: _u, password: _p, ...rest } = VALID;
    expectOk(await postEmail({ ...rest, requireAuth: false }), 'POST requireAuth false');
    const { config } = await getEmail();
    assert.equal(config.requireAuth, false);
    assert.equal(config.username, USERNAME);
    expectOk(await postEmail(VALID), 'restore');
    assert.equal((await getEmail()).config.requireAuth, true);
  });

  test('GET email/password hands out a CSRF token that works for the next write', async () => {
    const res = expectOk(await env.admin.get('/api/configuration/email/password'), 'GET email/password');
    assert.deepStrictEqual(Object.keys(res), ['csrfToken']);
    assert.match(res.csrfToken, /^[0-9a-f]{64}$/);
    env.admin.csrfToken = res.csrfToken;
    expectOk(await env.admin.get('/api/configuration/email'), 'still signed in');
    expectOk(await postEmail(VALID), 'POST with the token from email/password');
  });

  test('PATCH email/password: type check, replaces the password (encrypted), takes senderName/fromAddress/requireAuth only', async () => {
    expectError(await env.admin.patch('/api/configuration/email/password', { json: { password: 123 } }), 400, 'Password must be a string');
    expectError(await env.admin.patch('/api/configuration/email/password', { json: {} }), 400, 'Password must be a string');
    const auditBefore = (await auditOf(env.admin, 'email_password_updated')).total;
    const NEW = 'Brand-New-Smtp-Pw-42';
    const res = await env.admin.patch('/api/configuration/email/password', {
      json: { password: NEW, config: { host: 'ignored.example.com', port: 25, senderName: 'Ops Team', fromAddress: 'alerts@example.com' } },
    });
    assert.deepStrictEqual(expectOk(res, 'PATCH'), { message: 'Email password updated successfully' });
    const { config } = await getEmail();
    assert.equal(config.hasPassword, true);
    assert.equal(config.host, 'smtp.example.com', 'host is not taken from config when one is stored');
    assert.equal(config.port, 587);
    assert.equal(config.senderName, 'Ops Team');
    assert.equal(config.fromAddress, 'alerts@example.com');
    const row = (await stored(env.db, 'smtp_config'))!;
    assert.ok(!row.includes(NEW) && !row.includes(USERNAME));
    const { logs, total } = await auditOf(env.admin, 'email_password_updated');
    assert.equal(total, auditBefore + 1);
    assert.ok(!JSON.stringify(logs[0]).includes(NEW));

    expectOk(await env.admin.patch('/api/configuration/email/password', { json: { password: '' } }), 'PATCH ""');
    assert.strictEqual((await getEmail()).config.hasPassword, false);
    for (const body of env.admin.bodies) assert.ok(!body.includes(NEW));
  });

  test('DELETE: removes the settings (audited); a second DELETE is 404', async () => {
    assert.deepStrictEqual(expectOk(await env.admin.delete('/api/configuration/email'), 'DELETE'), {
      success: true,
      message: 'SMTP configuration deleted successfully',
    });
    assert.equal((await getEmail()).configured, false);
    assert.ok(!('email' in (await unified(env.admin))));
    assert.equal(await stored(env.db, 'smtp_config'), null);
    assert.equal((await auditOf(env.admin, 'email_config_deleted')).total, 1);
    expectError(await env.admin.delete('/api/configuration/email'), 404, 'No SMTP configuration found to delete');
    assert.equal((await auditOf(env.admin, 'email_config_deleted')).total, 1);
  });

  test('PATCH email/password without stored settings needs host, port, username and mailto in config', async () => {
    const message = 'SMTP configuration not found. Please save the basic SMTP settings first (host, port, username, mailto).';
    expectError(await env.admin.patch('/api/configuration/email/password', { json: { password: 'x' } }), 400, message);
    expectError(await env.admin.patch('/api/configuration/email/password', { json: { password: 'x', config: { host: 'h', port: 587, mailto: 'a@example.com' } } }), 400, message);
    assert.equal(await stored(env.db, 'smtp_config'), null);

    const PW = 'Patch-Created-Pw-7';
    const res = await env.admin.patch('/api/configuration/email/password', {
      json: { password: PW, config: { host: 'mail.example.org', port: 465, username: 'patcher', mailto: 'ops@example.org' } },
    });
    expectOk(res, 'PATCH creating the settings');
    const { configured, config } = await getEmail();
    assert.equal(configured, true);
    assert.equal(config.host, 'mail.example.org');
    assert.equal(config.port, 465);
    assert.equal(config.connectionType, 'starttls');
    assert.equal(config.username, 'patcher');
    assert.equal(config.requireAuth, true);
    assert.equal(config.hasPassword, true);
    const row = (await stored(env.db, 'smtp_config'))!;
    assert.ok(!row.includes(PW) && !row.includes('patcher'));
  });
});

// ──────────────────────────────────────────────────────────────────────────────────────────────
describe('notification frequency and ntfy settings (spec 03 §2.7–§2.9)', () => {
  const env = useDaemon();
  const post = (json: unknown) => env.admin.post('/api/configuration/notifications', { json });
  const frequency = async () => expectOk(await env.admin.get('/api/configuration/notifications'), 'GET notifications').value;
  const ntfy = async () => expectOk(await env.admin.get('/api/configuration/ntfy'), 'GET ntfy').ntfy;

  test('frequency mode: every code is accepted, read back and audited', async () => {
    let previous = 'every_day';
    for (const value of ['every_week', 'every_month', 'onetime', 'every_day', 'every_week']) {
      assert.deepStrictEqual(expectOk(await post({ value }), value), { value });
      assert.equal(await frequency(), value);
      assert.equal((await unified(env.admin)).notificationFrequency, value);
      const [entry] = (await auditOf(env.admin, 'notification_frequency_updated')).logs;
      assert.equal(entry.details.oldValue, previous);
      assert.equal(entry.details.newValue, value);
      previous = value;
    }
  });

  test('an unknown frequency is a 400 "Invalid value" and changes nothing', async () => {
    for (const value of ['hourly', '', null, 7, 'EVERY_DAY']) expectError(await post({ value }), 400, 'Invalid value');
    assert.equal(await frequency(), 'every_week');
  });

  test('`value` wins over `ntfy` when both are sent', async () => {
    const before = await ntfy();
    assert.deepStrictEqual(expectOk(await post({ value: 'onetime', ntfy: { url: 'https://other.example.com/', topic: 'zzz' } }), 'both'), { value: 'onetime' });
    assert.equal(await frequency(), 'onetime');
    assert.deepStrictEqual(await ntfy(), before);
  });

  test('ntfy mode: missing config is a 400; url and topic are stored and audited', async () => {
    expectError(await post({}), 400, 'ntfy config is required');
    expectError(await post({ ntfy: null }), 400, 'ntfy config is required');
    const res = expectOk(await post({ ntfy: { url: 'https://ntfy.example.com/', topic: 'my-alerts_1' } }), 'POST ntfy');
    assert.equal(res.message, 'NTFY config updated successfully');
    assert.equal(res.ntfy.url, 'https://ntfy.example.com/');
    assert.equal(res.ntfy.topic, 'my-alerts_1');
    const got = await ntfy();
    assert.equal(got.url, 'https://ntfy.example.com/');
    assert.equal(got.topic, 'my-alerts_1');
    assert.equal((await unified(env.admin)).ntfy.topic, 'my-alerts_1');
    assert.ok((await auditOf(env.admin, 'ntfy_config_updated')).total >= 1);
  });

  test('a missing or blank topic is generated and persisted', async () => {
    for (const topic of [undefined, '', '   ']) {
      const res = expectOk(await post({ ntfy: { url: 'https://ntfy.example.com/', topic } }), `topic ${JSON.stringify(topic)}`);
      assert.match(res.ntfy.topic, TOPIC);
      assert.equal((await ntfy()).topic, res.ntfy.topic);
      assert.equal((await ntfy()).topic, res.ntfy.topic);
    }
  });

  test('an invalid ntfy url is a 400 with a clear message; the stored settings stay', async () => {
    expectOk(await post({ ntfy: { url: 'https://ntfy.example.com/', topic: 'keep-me' } }), 'baseline');
    const before = await ntfy();
    for (const url of ['ftp://x', 'not a url', '', undefined, 42]) {
      const json = expectError(await post({ ntfy: { url, topic: 'changed-topic' } }), 400);
      assert.match(`${json.error} ${json.message}`, /url/i, `message names the url for ${JSON.stringify(url)}`);
    }
    assert.deepStrictEqual(await ntfy(), before);
  });

  test('decision 10: the ntfy access token is encrypted at rest and never returned', async () => {
    const TOKEN = 'tk_NtfySecretToken_4417';
    const res = await post({ ntfy: { url: 'https://ntfy.example.com/', topic: 'keep-me', accessToken: TOKEN } });
    expectOk(res, 'POST ntfy with token');
    assert.ok(!res.text.includes(TOKEN), 'POST response echoes the access token');
    const got = await env.admin.get('/api/configuration/ntfy');
    assert.ok(!got.text.includes(TOKEN), 'GET /api/configuration/ntfy returns the access token');
    const all = await env.admin.get('/api/configuration/unified');
    assert.ok(!all.text.includes(TOKEN), 'GET /api/configuration/unified returns the access token');
    const row = (await stored(env.db, 'ntfy_config'))!;
    assert.ok(!row.includes(TOKEN), 'ntfy_config stores the access token in plain text');
  });
});

// ──────────────────────────────────────────────────────────────────────────────────────────────
describe('overdue tolerance (spec 03 §2.10–§2.11, §3.5)', () => {
  const env = useDaemon();
  const post = (json: unknown) => env.admin.post('/api/configuration/overdue-tolerance', { json });
  const tolerance = async () => expectOk(await env.admin.get('/api/configuration/overdue-tolerance'), 'GET tolerance').overdue_tolerance;

  test('every tolerance code is stored, read back and audited with old and new value', async () => {
    let previous = '2h';
    for (const code of [...TOLERANCE_CODES, '1h']) {
      assert.deepStrictEqual(expectOk(await post({ overdue_tolerance: code }), code), { message: 'Overdue tolerance updated successfully' });
      assert.equal(await tolerance(), code);
      assert.equal((await unified(env.admin)).overdue_tolerance, code);
      const [entry] = (await auditOf(env.admin, 'overdue_tolerance_updated')).logs;
      assert.deepStrictEqual(entry.details, { oldValue: previous, newValue: code });
      previous = code;
    }
  });

  test('missing value: 400 "overdue_tolerance is required"', async () => {
    expectError(await post({}), 400, 'overdue_tolerance is required');
  });

  test('unknown codes are a 400 naming the allowed codes; nothing is stored', async () => {
    const auditBefore = (await auditOf(env.admin, 'overdue_tolerance_updated')).total;
    for (const value of ['3h', '1H', '', 'toString', 60, null]) {
      const json = expectError(await post({ overdue_tolerance: value }), 400);
      assert.match(`${json.error} ${json.message}`, /tolerance/i);
    }
    assert.equal(await tolerance(), '1h');
    assert.equal(await stored(env.db, 'overdue_tolerance'), '1h');
    assert.equal((await auditOf(env.admin, 'overdue_tolerance_updated')).total, auditBefore);
  });
});

// ──────────────────────────────────────────────────────────────────────────────────────────────
describe('notification templates (spec 03 §2.12–§2.13, §9)', () => {
  const env = useDaemon();
  const post = (json: unknown) => env.admin.post('/api/configuration/templates', { json });
  const templates = async () => (await unified(env.admin)).templates;

  test('defaults endpoint is public: English set without a language key', async () => {
    for (const query of ['', '?language=en-GB']) {
      const res = await fetch(`${env.daemon.url}/api/configuration/templates/defaults${query}`);
      assert.equal(res.status, 200, query);
      assert.deepStrictEqual(await res.json(), EN_GB, query);
    }
  });

  test('defaults endpoint: every UI locale is accepted; hi-Latn and zh-Hans fall back to English', async () => {
    for (const language of ['de', 'fr', 'es', 'pt-BR', 'hi-Latn', 'zh-Hans']) {
      const res = await fetch(`${env.daemon.url}/api/configuration/templates/defaults?language=${language}`);
      assert.equal(res.status, 200, language);
      const body = await res.json();
      assert.deepStrictEqual(Object.keys(body).sort(), ['overdueBackup', 'success', 'warning'], language);
      for (const kind of ['success', 'warning', 'overdueBackup'] as const) {
        assert.equal(body[kind].priority, EN_GB[kind].priority, `${language} ${kind} priority`);
        assert.equal(body[kind].tags, EN_GB[kind].tags, `${language} ${kind} tags`);
      }
      if (language === 'hi-Latn' || language === 'zh-Hans') assert.deepStrictEqual(body, EN_GB, language);
    }
  });

  test('defaults endpoint: de, fr, es and pt-BR have their own translated set with the same variables (§9.3)', async () => {
    const vars = (text: string) => [...new Set(text.match(/\{[0-9A-Za-z_]+\}/g) ?? [])].sort();
    for (const language of ['de', 'fr', 'es', 'pt-BR']) {
      const body = await (await fetch(`${env.daemon.url}/api/configuration/templates/defaults?language=${language}`)).json();
      for (const kind of ['success', 'warning', 'overdueBackup'] as const) {
        assert.notEqual(body[kind].message, EN_GB[kind].message, `${language} ${kind} message is not translated`);
        assert.deepStrictEqual(vars(body[kind].message), vars(EN_GB[kind].message), `${language} ${kind} keeps the variables`);
      }
    }
  });

  test('defaults endpoint: an unsupported language is a 400 "Invalid language"', async () => {
    for (const language of ['xx', 'en', 'de-DE', '']) {
      const res = await fetch(`${env.daemon.url}/api/configuration/templates/defaults?language=${encodeURIComponent(language)}`);
      assert.equal(res.status, 400, language);
      assertErrorEnvelope(await res.json(), 'Invalid language');
    }
  });

  test('POST without templates is a 400', async () => {
    expectError(await post({}), 400, 'templates are required');
    expectError(await post({ templates: null }), 400, 'templates are required');
  });

  test('merge: a posted template replaces the stored one, the others are kept; audited', async () => {
    const success = { title: 'OK {backup_name} @ {server_name}', message: 'Done: {status} in {duration}, literal {{not_a_variable}}', priority: 'low', tags: 'ok' };
    assert.deepStrictEqual(expectOk(await post({ templates: { success } }), 'POST success'), { message: 'Notification templates updated successfully' });
    let t = await templates();
    assert.deepStrictEqual(t.success, success);
    assert.deepStrictEqual(t.warning, EN_GB.warning);
    assert.deepStrictEqual(t.overdueBackup, EN_GB.overdueBackup);
    assert.equal(t.language, 'en-GB');

    const overdueBackup = {
      title: 'Late: {backup_name}',
      message: '{server_alias} {last_backup_date} {last_elapsed} {expected_date} {expected_elapsed} {backup_interval} {overdue_tolerance} {server_url} {server_note} {server_id}',
      priority: 'urgent',
      tags: 'late',
    };
    expectOk(await post({ templates: { overdueBackup } }), 'POST overdueBackup');
    t = await templates();
    assert.deepStrictEqual(t.success, success, 'earlier change kept');
    assert.deepStrictEqual(t.overdueBackup, overdueBackup);
    const { logs } = await auditOf(env.admin, 'notification_template_updated');
    assert.ok(logs.length >= 2);
    assert.equal(logs[0].details.languageChanged, false);
  });

  test('language: a supported locale is stored without rewriting the templates', async () => {
    const before = await templates();
    expectOk(await post({ templates: { language: 'de' } }), 'POST language de');
    const after = await templates();
    assert.equal(after.language, 'de');
    assert.deepStrictEqual({ ...after, language: 'x' }, { ...before, language: 'x' });
    assert.equal((await auditOf(env.admin, 'notification_template_updated')).logs[0].details.languageChanged, true);
  });

  test('an unsupported language is a 400; nothing is saved', async () => {
    const before = await templates();
    for (const language of ['xx', 'en', 5]) {
      expectError(await post({ templates: { language, success: EN_GB.success } }), 400, 'Invalid language');
    }
    assert.deepStrictEqual(await templates(), before);
  });

  test('variables that do not exist for their template kind: 400 with unknownVariables, nothing saved', async () => {
    const before = await templates();
    const json = expectError(
      await post({
        templates: {
          success: { ...EN_GB.success, message: 'Last seen {last_elapsed}, status {status}' },
          warning: { ...EN_GB.warning, title: 'Changed title, valid' },
          overdueBackup: { ...EN_GB.overdueBackup, title: '{status} late', message: '{bogus_var} {expected_date}' },
        },
      }),
      400,
    );
    assert.ok(Array.isArray(json.unknownVariables), 'unknownVariables is an array');
    const flat = new Set<string>();
    for (const entry of json.unknownVariables) for (const v of entry.variables) flat.add(`${entry.template}:${v}`);
    assert.deepStrictEqual([...flat].sort(), ['overdueBackup:bogus_var', 'overdueBackup:status', 'success:last_elapsed']);
    assert.match(json.message, /last_elapsed/);
    assert.deepStrictEqual(await templates(), before, 'the valid warning change is not half-saved');
  });
});

// ──────────────────────────────────────────────────────────────────────────────────────────────
describe('per-backup settings (spec 03 §2.14, §3, §3.7)', () => {
  const env = useDaemon();
  const report = (name: string) => fixture(name);
  const serverId = report('backup-success.json').Extra['machine-id'];
  const PHOTOS = `${serverId}:Photos`;
  const DOCKER = `${serverId}:Docker volumes`;
  const SERVER_DEFAULT = `${serverId}:__default__`;
  const GHOST = 'ghost-server-id:Old job';
  // Three days old, so both jobs are overdue now whatever the calendar says.
  const photosAt = new Date(Date.now() - 3 * DAY - 3_600_000).toISOString();
  const dockerAt = new Date(Date.now() - 3 * DAY).toISOString();

  const post = (backupSettings: unknown) => env.admin.post('/api/configuration/backup-settings', { json: { backupSettings } });
  const settings = async () => (await unified(env.admin)).backup_settings;
  const overdueCount = async () => {
    const res = await fetch(`${env.daemon.url}/api/summary`);
    assert.equal(res.status, 200);
    return (await res.json()).overdueBackupsCount;
  };
  const defaultsFor = (at: string) => ({
    notificationEvent: 'warnings',
    overdueBackupCheckEnabled: true,
    expectedInterval: '1D',
    allowedWeekDays: ALL_DAYS,
    time: plusDay(at),
    lastBackupDate: at,
    ntfyEnabled: true,
    emailEnabled: true,
  });

  before(async () => {
    for (const [name, at] of [['backup-success.json', photosAt], ['backup-second-job-same-machine.json', dockerAt]] as const) {
      const body = editedFixture(name, (r) => (r.Data.BeginTime = at));
      assert.equal((await postReport(env.daemon.url, body)).status, 200, name);
    }
  });

  test('both jobs start with default records and are overdue', async () => {
    assert.deepStrictEqual(await settings(), { [PHOTOS]: defaultsFor(photosAt), [DOCKER]: defaultsFor(dockerAt) });
    assert.equal(await overdueCount(), 2);
  });

  test('backupSettings missing or not an object: 400, nothing changes', async () => {
    const before = await settings();
    expectError(await env.admin.post('/api/configuration/backup-settings', { json: {} }), 400, 'backupSettings is required');
    expectError(await post(null), 400, 'backupSettings is required');
    expectError(await post('nope'), 400);
    assert.deepStrictEqual(await settings(), before);
  });

  test('disabling the overdue check removes the job from the summary overdue count', async () => {
    const current = await settings();
    const res = await post({ ...current, [PHOTOS]: { ...current[PHOTOS], overdueBackupCheckEnabled: false, notificationEvent: 'all' } });
    assert.deepStrictEqual(expectOk(res, 'POST'), { message: 'Backup settings updated successfully' });
    const after = await settings();
    assert.equal(after[PHOTOS].overdueBackupCheckEnabled, false);
    assert.equal(after[PHOTOS].notificationEvent, 'all');
    assert.deepStrictEqual(after[DOCKER], current[DOCKER]);
    assert.equal(await overdueCount(), 1);
    const [entry] = (await auditOf(env.admin, 'backup_notification_updated')).logs;
    assert.ok(entry, 'backup_notification_updated is audited');
    assert.equal(entry.username, 'admin');
  });

  test('the posted map replaces every record: jobs with runs get defaults again, __default__ and unknown keys are kept as given', async () => {
    const res = await post({
      [PHOTOS]: { notificationEvent: 'errors', overdueBackupCheckEnabled: true, expectedInterval: '12h', allowedWeekDays: [1, 2, 3, 4, 5], ntfyEnabled: false },
      [SERVER_DEFAULT]: { additionalEmails: 'extra@example.com', additionalNtfyTopic: 'extra-topic', additionalNotificationEvent: 'all' },
      [GHOST]: { notificationEvent: 'off', overdueBackupCheckEnabled: true, expectedInterval: '2D', time: 'not a date', allowedWeekDays: [0] },
    });
    expectOk(res, 'POST replace');
    const after = await settings();
    assert.deepStrictEqual(Object.keys(after).sort(), [DOCKER, PHOTOS, SERVER_DEFAULT, GHOST].sort());
    assert.deepStrictEqual(after[DOCKER], defaultsFor(dockerAt), 'a job left out of the map is back to defaults');
    const photos = after[PHOTOS];
    assert.equal(photos.notificationEvent, 'errors');
    assert.equal(photos.expectedInterval, '12h');
    assert.deepStrictEqual(photos.allowedWeekDays, [1, 2, 3, 4, 5]);
    assert.equal(photos.ntfyEnabled, false);
    assert.equal(photos.emailEnabled, true, 'emailEnabled defaults to true');
    assert.equal(photos.lastBackupDate, photosAt, 're-anchored on the newest run');
    assert.ok(Date.parse(photos.time) > Date.parse(photosAt), `time ${photos.time} is after the last backup`);
    assert.ok([1, 2, 3, 4, 5].includes(new Date(photos.time).getUTCDay()), 'time falls on an allowed weekday');
    assert.deepStrictEqual(after[SERVER_DEFAULT], {
      additionalEmails: 'extra@example.com',
      additionalNtfyTopic: 'extra-topic',
      additionalNotificationEvent: 'all',
      allowedWeekDays: ALL_DAYS,
      time: '',
      ntfyEnabled: true,
      emailEnabled: true,
    });
    assert.deepStrictEqual(after[GHOST], {
      notificationEvent: 'off',
      overdueBackupCheckEnabled: true,
      expectedInterval: '2D',
      allowedWeekDays: [0],
      time: '',
      ntfyEnabled: true,
      emailEnabled: true,
    });
    assert.equal(await overdueCount(), 2);

    // Replace again: the extra keys disappear when not sent.
    expectOk(await post({ [DOCKER]: after[DOCKER] }), 'POST only Docker');
    assert.deepStrictEqual(await settings(), { [PHOTOS]: defaultsFor(photosAt), [DOCKER]: defaultsFor(dockerAt) });
  });

  test('legacy records (intervalUnit): hour/day converted, anything else dropped', async () => {
    expectOk(
      await post({
        [PHOTOS]: { expectedInterval: 12, intervalUnit: 'hour', notificationEvent: 'errors', overdueBackupCheckEnabled: false, ntfyEnabled: false, additionalEmails: 'x@example.com' },
        [DOCKER]: { expectedInterval: 24, intervalUnit: 'hours', notificationEvent: 'off', overdueBackupCheckEnabled: false },
        [GHOST]: { expectedInterval: 2, intervalUnit: 'day', notificationEvent: 'all', overdueBackupCheckEnabled: true },
        'ghost-server-id:Zero': { expectedInterval: 0, intervalUnit: 'day', notificationEvent: 'all', overdueBackupCheckEnabled: true },
      }),
      'POST legacy',
    );
    const after = await settings();
    assert.deepStrictEqual(Object.keys(after).sort(), [DOCKER, PHOTOS, GHOST].sort(), 'the zero-interval legacy entry is dropped');
    const { time, lastBackupDate, ...photos } = after[PHOTOS];
    assert.deepStrictEqual(photos, {
      notificationEvent: 'errors',
      overdueBackupCheckEnabled: false,
      expectedInterval: '12h',
      allowedWeekDays: ALL_DAYS,
      ntfyEnabled: true,
      emailEnabled: true,
    });
    assert.equal(lastBackupDate, photosAt);
    assert.ok(Date.parse(time) > Date.parse(photosAt));
    assert.deepStrictEqual(after[DOCKER], defaultsFor(dockerAt), '"hours" is not a legacy unit: the entry is dropped, defaults return');
    assert.deepStrictEqual(after[GHOST], {
      notificationEvent: 'all',
      overdueBackupCheckEnabled: true,
      expectedInterval: '2D',
      allowedWeekDays: ALL_DAYS,
      time: '',
      ntfyEnabled: true,
      emailEnabled: true,
    });
    assert.equal(await overdueCount(), 1, 'Photos is no longer monitored');
  });

  test('the records live on the jobs: the job rows carry them, not a backup_settings key', async () => {
    const { rows } = await env.db.execute({ sql: 'SELECT backup_name, settings FROM backup_jobs WHERE server_id = ? ORDER BY backup_name', args: [serverId] });
    assert.deepStrictEqual(rows.map((r) => r.backup_name), ['Docker volumes', 'Photos']);
    assert.equal(JSON.parse(rows[1].settings as string).expectedInterval, '12h');
    assert.equal(await stored(env.db, 'backup_settings'), null);
  });
});

// ──────────────────────────────────────────────────────────────────────────────────────────────
describe('webhook settings (encrypted token, decision 10)', () => {
  const env = useDaemon();
  const TOKEN = 'whk_Secret_Token_998877';
  const URL_OK = 'https://hooks.example.com/duplistatus';
  const post = (json: unknown) => env.admin.post('/api/configuration/webhook', { json });
  const get = async () => expectOk(await env.admin.get('/api/configuration/webhook'), 'GET webhook');

  test('not configured at first', async () => {
    assert.deepStrictEqual(await get(), { configured: false, config: null });
    assert.ok(!('webhook' in (await unified(env.admin))));
  });

  test('invalid input is a 400 and stores nothing', async () => {
    for (const body of [{}, { url: 'ftp://hooks.example.com' }, { url: 'not a url' }, { url: '' }, { url: URL_OK, token: 5 }, { url: URL_OK, enabled: 'yes' }]) {
      const json = expectError(await post(body), 400);
      assert.ok(json.message.length > 0);
    }
    assert.deepStrictEqual(await get(), { configured: false, config: null });
    assert.equal(await stored(env.db, 'webhook_config'), null);
  });

  test('save: the token is encrypted at rest and only reported as hasToken', async () => {
    assert.deepStrictEqual(expectOk(await post({ url: URL_OK, token: TOKEN }), 'POST webhook'), {
      success: true,
      message: 'Webhook configuration saved successfully',
    });
    assert.deepStrictEqual(await get(), { configured: true, config: { url: URL_OK, enabled: true, hasToken: true } });
    assert.deepStrictEqual((await unified(env.admin)).webhook, { url: URL_OK, enabled: true, hasToken: true });
    const row = (await stored(env.db, 'webhook_config'))!;
    assert.ok(row.includes('hooks.example.com'));
    assert.ok(!row.includes(TOKEN), 'token encrypted at rest');
    assert.ok((await auditOf(env.admin, 'webhook_config_updated')).total >= 1);
  });

  test('an omitted token is kept; enabled can be switched off; invalid updates change nothing', async () => {
    expectOk(await post({ url: `${URL_OK}/v2`, enabled: false }), 'POST without token');
    const current = await get();
    assert.deepStrictEqual(current, { configured: true, config: { url: `${URL_OK}/v2`, enabled: false, hasToken: true } });
    expectError(await post({ url: 'ftp://elsewhere', token: 'other' }), 400);
    expectError(await post({ url: 'not a url', enabled: true }), 400);
    assert.deepStrictEqual(await get(), current);
    for (const body of env.admin.bodies) assert.ok(!body.includes(TOKEN), 'no response carries the webhook token');
  });

  test('DELETE removes it; a second DELETE is 404', async () => {
    assert.deepStrictEqual(expectOk(await env.admin.delete('/api/configuration/webhook'), 'DELETE'), {
      success: true,
      message: 'Webhook configuration deleted successfully',
    });
    assert.deepStrictEqual(await get(), { configured: false, config: null });
    expectError(await env.admin.delete('/api/configuration/webhook'), 404, 'No webhook configuration found to delete');
  });
});

// ──────────────────────────────────────────────────────────────────────────────────────────────
describe('access levels (spec 03 §1.1, decision 9)', () => {
  const env = useDaemon();
  const READS = [
    '/api/configuration/unified',
    '/api/configuration/email',
    '/api/configuration/email/password',
    '/api/configuration/notifications',
    '/api/configuration/ntfy',
    '/api/configuration/overdue-tolerance',
    '/api/configuration/webhook',
  ];
  // Valid bodies: only the caller's role may make them fail.
  const WRITES: [string, string, unknown][] = [
    ['POST', '/api/configuration/email', { host: 'smtp.example.com', port: 587, username: 'u', password: 'p', mailto: 'ops@example.com' }],
    ['DELETE', '/api/configuration/email', undefined],
    ['PATCH', '/api/configuration/email/password', { password: 'x', config: { host: 'smtp.example.com', port: 587, username: 'u', mailto: 'ops@example.com' } }],
    ['POST', '/api/configuration/notifications', { value: 'onetime' }],
    ['POST', '/api/configuration/notifications', { ntfy: { url: 'https://ntfy.example.com/', topic: 'viewer-topic' } }],
    ['POST', '/api/configuration/overdue-tolerance', { overdue_tolerance: '1d' }],
    ['POST', '/api/configuration/templates', { templates: { language: 'fr' } }],
    ['POST', '/api/configuration/backup-settings', { backupSettings: {} }],
    ['POST', '/api/configuration/webhook', { url: 'https://hooks.example.com/' }],
    ['DELETE', '/api/configuration/webhook', undefined],
  ];
  let viewer: TestClient;
  let snapshot: any;

  before(async () => {
    await createUserVia(env.admin, 'viewer', 'V1ewer-Password', false);
    viewer = await TestClient.signedIn(env.daemon.url, 'viewer', 'V1ewer-Password');
    assert.equal((await postReport(env.daemon.url, fixtureBody('backup-success.json'))).status, 200);
    snapshot = await unified(env.admin);
  });

  test('a signed-in non-admin user can read every configuration endpoint', async () => {
    for (const path of READS) expectOk(await viewer.get(path), `viewer GET ${path}`);
  });

  test('a non-admin user gets 403 "Administrator access required" on every write, and nothing changes', async () => {
    for (const [method, path, json] of WRITES) {
      const res = await viewer.request(method, path, { json });
      expectError(res, 403, 'Administrator access required');
    }
    // The role check comes before body validation.
    expectError(await viewer.post('/api/configuration/overdue-tolerance', { json: { overdue_tolerance: 'bogus' } }), 403, 'Administrator access required');
    assert.deepStrictEqual(await unified(env.admin), snapshot);
    assert.deepStrictEqual(expectOk(await env.admin.get('/api/configuration/webhook'), 'webhook'), { configured: false, config: null });
  });

  test('an anonymous session (CSRF token, nobody signed in) gets 401 "Authentication required" on reads and writes', async () => {
    const anonymous = new TestClient(env.daemon.url);
    await anonymous.csrf();
    for (const path of READS) expectError(await anonymous.get(path), 401, 'Authentication required');
    for (const [method, path, json] of WRITES) expectError(await anonymous.request(method, path, { json }), 401, 'Authentication required');
    assert.deepStrictEqual(await unified(env.admin), snapshot);
  });

  test('no session at all: 401', async () => {
    const stranger = new TestClient(env.daemon.url);
    for (const path of READS) expectError(await stranger.get(path), 401);
  });

  test('signed out: the same session can no longer read', async () => {
    const leaving = await TestClient.signedIn(env.daemon.url, 'viewer', 'V1ewer-Password');
    expectOk(await leaving.get('/api/configuration/unified'), 'before sign-out');
    assert.equal((await leaving.logout()).status, 200);
    if (!leaving.sessionId) await leaving.csrf();
    expectError(await leaving.get('/api/configuration/unified'), 401);
  });

  test('admin writes without a valid CSRF token: 403 "Invalid CSRF token"', async () => {
    expectError(await env.admin.post('/api/configuration/overdue-tolerance', { json: { overdue_tolerance: '1d' }, csrf: false }), 403, 'Invalid CSRF token');
    expectError(await env.admin.post('/api/configuration/overdue-tolerance', { json: { overdue_tolerance: '1d' }, csrf: 'f'.repeat(64) }), 403, 'Invalid CSRF token');
    assert.equal((await unified(env.admin)).overdue_tolerance, '2h');
  });

  test('templates/defaults is public: no cookie needed', async () => {
    const res = await fetch(`${env.daemon.url}/api/configuration/templates/defaults`);
    assert.equal(res.status, 200);
    assert.deepStrictEqual(await res.json(), EN_GB);
  });
});
