// End to end: notifications from the real daemon (spec 03 §5–§8, decisions 8, 15, 17). Real
// listeners stand in for the outside world: an HTTP sink for ntfy and the webhook, an SMTP server
// for e-mail. The channels are configured straight in the daemon's database file (with the key
// from its data dir), as the configuration API is not what is under test here.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadOrCreateKey, secretBox, type SecretBox } from '../src/auth/secrets.ts';
import { openDatabase, type Database } from '../src/db/client.ts';
import { saveNtfyConfig, saveSmtpConfig, saveWebhookConfig, type SmtpConfig } from '../src/settings/store.ts';
import { createUserVia, runCli, signInFirstAdmin, TestClient } from './helpers/client.ts';
import { startDaemon, type Daemon } from './helpers/daemon.ts';
import { fixture, fixtureBody, fixtureNames } from './helpers/fixtures.ts';
import { assertErrorEnvelope, getJson, upload } from './helpers/http.ts';
import { closedPort, startHttpSink, type HttpSink, type RecordedRequest } from './helpers/http-sink.ts';
import { parseMail, startSmtpSink, type SmtpSink } from './helpers/smtp-sink.ts';

let daemon: Daemon;
let db: Database;
let secrets: SecretBox;
let ntfy: HttpSink;
let hook: HttpSink;
let smtp: SmtpSink;
let authSmtp: SmtpSink;
let admin: TestClient;
let user: TestClient;

const TOPIC = 'duplistatus-e2e';
const smtpConfig = (sink: SmtpSink, over: Partial<SmtpConfig> = {}): SmtpConfig => ({
  host: '127.0.0.1',
  port: sink.port,
  connectionType: 'plain',
  requireAuth: false,
  fromAddress: 'monitor@example.com',
  senderName: 'duplistatus e2e',
  mailto: 'ops@example.com',
  ...over,
});
const configureNtfy = (url: string) => saveNtfyConfig(db, secrets, { url, topic: TOPIC, accessToken: 'ntfy-secret' });

/** Polls until `probe` returns something truthy (within `ms`), else fails with `what`. */
async function until<T>(what: string, probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const titled = (sink: HttpSink, pattern: RegExp) => sink.requests.filter((r) => pattern.test(r.query.get('title') ?? ''));
const payloads = (sink: HttpSink) => sink.requests.map((r) => JSON.parse(r.body));
const subjects = () => smtp.messages.map((m) => parseMail(m.raw).subject);

async function auditEntries(action: string): Promise<any[]> {
  const res = await user.get(`/api/audit-log?action=${action}&limit=200`);
  assert.equal(res.status, 200, res.text);
  return res.json.logs;
}

before(async () => {
  [ntfy, hook, smtp, authSmtp] = await Promise.all([
    startHttpSink(),
    startHttpSink(),
    startSmtpSink(),
    startSmtpSink({ auth: { username: 'mailer', password: 'right-password' } }),
  ]);
  daemon = await startDaemon({ env: { NOTIFY_RETRY_DELAY_MS: '50' } });
  db = await openDatabase(`file:${path.join(daemon.dataDir, 'backups.db')}`);
  secrets = secretBox(loadOrCreateKey(daemon.dataDir));
  await configureNtfy(`${ntfy.url}/`);
  await saveSmtpConfig(db, secrets, smtpConfig(smtp));
  await saveWebhookConfig(db, secrets, { url: `${hook.url}/hooks/duplistatus`, token: 'hook-secret', enabled: true });
  admin = await signInFirstAdmin(daemon.url, 'Adm1n-Chosen-Pw');
  await createUserVia(admin, 'operator', 'Operat0r-Pw!');
  user = await TestClient.signedIn(daemon.url, 'operator', 'Operat0r-Pw!');
});

after(async () => {
  db?.close();
  await daemon?.dispose();
  await Promise.all([ntfy?.close(), hook?.close(), smtp?.close(), authSmtp?.close()]);
});

describe('notifications after an upload (§7.1, decision 15)', () => {
  test('a Warning run reaches ntfy, e-mail and the webhook within seconds', async () => {
    const report = fixture('backup-warning.json');
    const res = await upload(daemon.url, fixtureBody('backup-warning.json'));
    assert.equal(res.status, 200);
    const name = report.Extra['backup-name'];
    const machine = report.Extra['machine-name'];
    const title = `⚠️ Warning - ${name} @ ${machine}`;

    const [n] = await until('ntfy message', () => titled(ntfy, /^⚠️ Warning/).length > 0 && titled(ntfy, /^⚠️ Warning/));
    assert.equal(n!.method, 'POST');
    assert.equal(n!.path, `/${TOPIC}`);
    assert.equal(n!.query.get('title'), title);
    assert.equal(n!.query.get('priority'), 'high');
    assert.equal(n!.headers.authorization, 'Bearer ntfy-secret');
    assert.match(n!.headers['content-type'] ?? '', /^text\/plain; charset=utf-8/);
    assert.match(n!.body, new RegExp(`Backup ${name} on ${machine} completed with status 'Warning'`));

    await until('e-mail', () => subjects().includes(title));
    const mail = smtp.messages.find((m) => parseMail(m.raw).subject === title)!;
    assert.deepEqual(mail.to, ['ops@example.com']);
    assert.equal(parseMail(mail.raw).from, '"duplistatus e2e" <monitor@example.com>');

    const payload = await until('webhook payload', () => payloads(hook).find((p) => p.event === 'backup' && p.status === 'Warning'));
    assert.equal(payload.title, title);
    assert.equal(payload.server, machine);
    assert.equal(payload.backup, name);
    assert.equal(payload.serverId, report.Extra['machine-id']);
    assert.equal(payload.message, n!.body);
    assert.equal(hook.requests.at(-1)!.headers.authorization, 'Bearer hook-secret');
    assert.equal(hook.requests.at(-1)!.path, '/hooks/duplistatus');

    const sent = await until('audit rows', async () => {
      const rows = [...(await auditEntries('notification_sent')), ...(await auditEntries('email_sent'))];
      return rows.length >= 3 && rows;
    });
    assert.deepEqual(sent.map((r) => r.details.channel).sort(), ['Email', 'NTFY', 'Webhook']);
    for (const row of sent) {
      assert.equal(row.username, 'system');
      assert.equal(row.status, 'success');
      assert.equal(row.details.type, 'backup');
    }
  });

  test('a Success run with the default settings ("warnings") notifies nobody', async () => {
    const before = { n: ntfy.requests.length, h: hook.requests.length, m: smtp.messages.length };
    assert.equal((await upload(daemon.url, fixtureBody('backup-success.json'))).status, 200);
    // A Fatal run right after is the marker: once it arrived, the Success run was long processed.
    assert.equal((await upload(daemon.url, fixtureBody('backup-error.json'))).status, 200);
    await until('the Fatal run on every channel', () => titled(ntfy, /^⚠️ Fatal/).length === 1 && subjects().some((s) => s.startsWith('⚠️ Fatal')) && payloads(hook).some((p) => p.status === 'Fatal'));
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(ntfy.requests.length - before.n, 1);
    assert.equal(hook.requests.length - before.h, 1);
    assert.equal(smtp.messages.length - before.m, 1);
    assert.equal(titled(ntfy, /Success/).length, 0);
  });

  test('an unreachable ntfy never delays or fails the upload; the failure is logged and audited, the other channels still deliver', async () => {
    await configureNtfy(`http://127.0.0.1:${await closedPort()}/`);
    try {
      const body = JSON.stringify({ ...fixture('backup-warning.json'), Data: { ...fixture('backup-warning.json').Data, BeginTime: '2026-11-25T00:30:00.1234567Z' } });
      const started = Date.now();
      const res = await upload(daemon.url, body);
      const elapsed = Date.now() - started;
      assert.equal(res.status, 200);
      assert.deepEqual(res.json, { success: true });
      assert.ok(elapsed < 1000, `upload took ${elapsed} ms`);

      const failed = await until('notification_failed audit row', async () => (await auditEntries('notification_failed')).find((r) => r.details.channel === 'NTFY'), 10_000);
      assert.equal(failed.status, 'error');
      assert.equal(failed.username, 'system');
      assert.equal(failed.details.type, 'backup');
      assert.equal(failed.details.attempts, 5, 'network errors are retried (5 attempts)');
      assert.match(failed.errorMessage, /Cannot connect to NTFY server/);
      assert.match(daemon.output(), /\[notify\] backup notification via NTFY .* failed after 5 attempt\(s\): Cannot connect to NTFY server/);
      // ntfy failing does not stop e-mail and webhook (sent in parallel)
      await until('webhook for the second Warning run', () => payloads(hook).filter((p) => p.status === 'Warning').length === 2);
      // Visible in the health answer too (counters only: the endpoint is public), and still healthy.
      const health = await getJson(daemon.url, '/api/health');
      assert.equal(health.status, 200);
      assert.ok(health.json.notifications.failed >= 1, JSON.stringify(health.json.notifications));
    } finally {
      await configureNtfy(`${ntfy.url}/`);
    }
  });
});

describe('overdue alerts (§5, §6.1, §6.2)', () => {
  const backupFixtures = () => fixtureNames().filter((f) => f.startsWith('backup-'));

  test('every fixture job is overdue (all runs are in the past); the manual check alerts each once, then not again (every_day), and again after clearing', async () => {
    for (const name of backupFixtures()) {
      const res = await upload(daemon.url, fixtureBody(name));
      assert.ok(res.status === 200 || res.status === 409, `${name}: ${res.status}`);
    }
    const jobs = new Set(backupFixtures().map((f) => `${fixture(f).Extra['machine-id']}:${fixture(f).Extra['backup-name']}`)).size;
    await new Promise((r) => setTimeout(r, 300)); // let the upload notifications settle
    const overdueBefore = titled(ntfy, /^🕑 Overdue/).length;

    const first = await user.post('/api/notifications/check-overdue');
    assert.equal(first.status, 200, first.text);
    assert.deepEqual(first.json, {
      message: 'Overdue backup check completed with next run times recalculated',
      statistics: { totalBackupConfigs: jobs, checkedBackups: jobs, overdueBackupsFound: jobs, notificationsSent: jobs },
    });
    // The alerts went out before the answer.
    assert.equal(titled(ntfy, /^🕑 Overdue/).length - overdueBefore, jobs);
    const alerted = titled(ntfy, /^🕑 Overdue/).slice(-jobs);
    const unicode = fixture('backup-unicode-names.json').Extra;
    assert.ok(alerted.some((r) => r.query.get('title') === `🕑 Overdue - ${unicode['backup-name']} @ ${unicode['machine-name']}`));
    const sample = alerted.find((r) => r.query.get('title')!.includes('Photos'))!;
    assert.match(sample.body, /The backup Photos is overdue on homeserver\./);
    assert.match(sample.body, /Expected interval: 1D \/ Tolerance: 2 hours/);
    await until('overdue e-mails and webhooks', () => subjects().filter((s) => s.startsWith('🕑 Overdue')).length === jobs && payloads(hook).filter((p) => p.event === 'overdue').length === jobs);

    const second = await user.post('/api/notifications/check-overdue');
    assert.equal(second.status, 200);
    assert.equal(second.json.statistics.overdueBackupsFound, jobs);
    assert.equal(second.json.statistics.notificationsSent, 0, 'every_day: nothing again within 24 h');
    assert.equal(titled(ntfy, /^🕑 Overdue/).length - overdueBefore, jobs);

    const cleared = await user.post('/api/notifications/clear-overdue-timestamps');
    assert.equal(cleared.status, 200);
    assert.deepEqual(cleared.json, { message: 'Overdue backup notification timestamps cleared successfully' });

    const third = await user.post('/api/notifications/check-overdue');
    assert.equal(third.json.statistics.notificationsSent, jobs);
    assert.equal(titled(ntfy, /^🕑 Overdue/).length - overdueBefore, 2 * jobs);

    const checks = await auditEntries('overdue_check_manual');
    assert.equal(checks.length, 3);
    assert.equal(checks[0].username, 'operator');
    assert.equal(checks[0].details.notificationsSent, jobs);
    const resets = await auditEntries('overdue_notifications_reset');
    assert.equal(resets.length, 1);
    const overdueSent = (await auditEntries('notification_sent')).filter((r) => r.details.type === 'overdue');
    assert.equal(overdueSent.length, 4 * jobs, 'ntfy and webhook, twice');
  });

  test('the notification endpoints need a signed-in user and the CSRF token', async () => {
    const anonymous = new TestClient(daemon.url);
    await anonymous.csrf();
    for (const p of ['check-overdue', 'clear-overdue-timestamps', 'test']) {
      const res = await anonymous.post(`/api/notifications/${p}`, { json: {} });
      assert.equal(res.status, 401, p);
      assertErrorEnvelope(res.json, 'Authentication required');
      const noCsrf = await user.post(`/api/notifications/${p}`, { json: {}, csrf: false });
      assert.equal(noCsrf.status, 403, p);
    }
  });
});

describe('POST /api/notifications/test (§6.3)', () => {
  const sinkConfig = () => ({ url: ntfy.url, topic: 'test-topic' });

  test('simple: one fixed message to the posted ntfy config', async () => {
    const res = await user.post('/api/notifications/test', { json: { type: 'simple', ntfyConfig: sinkConfig() } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json, { message: 'Test notification sent successfully' });
    const got = ntfy.requests.at(-1)!;
    assert.equal(got.path, '/test-topic');
    assert.equal(got.query.get('title'), 'Test Notification');
    assert.equal(got.query.get('tags'), 'test');
    assert.equal(got.query.get('priority'), 'default');
    assert.match(got.body, /^This is a test notification from duplistatus\.\n\(test sent at .+\)$/);
    // Same URL as stored, no token posted: the stored token is used (the UI never gets it back).
    assert.equal(got.headers.authorization, 'Bearer ntfy-secret');
  });

  test('template: test substitution, to ntfy and e-mail', async () => {
    const template = { title: 'T {status} {backup_name} {last_elapsed}', message: 'M {server_name}\n{log_text}', priority: 'low', tags: 'a,b' };
    const res = await user.post('/api/notifications/test', { json: { type: 'template', ntfyConfig: sinkConfig(), template } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.success, true);
    assert.deepEqual([...res.json.channels].sort(), ['Email', 'NTFY']);
    assert.equal(res.json.message, `Test notifications sent successfully via ${res.json.channels.join(' and ')}`);
    const got = ntfy.requests.at(-1)!;
    assert.equal(got.query.get('title'), 'T status backup_name {last_elapsed}');
    assert.equal(got.query.get('priority'), 'low');
    assert.equal(got.query.get('tags'), 'a,b');
    assert.match(got.body, /^M server_name\nSample warning 1\nSample error 1\nSample message 1\n\(test sent at .+\)$/);
    assert.ok(subjects().includes('T status backup_name {last_elapsed}'));
  });

  test('email: to the stored recipient or toEmail', async () => {
    const res = await user.post('/api/notifications/test', { json: { type: 'email' } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json, { message: 'Test email sent successfully' });
    const mail = smtp.messages.at(-1)!;
    assert.deepEqual(mail.to, ['ops@example.com']);
    const parsed = parseMail(mail.raw);
    assert.equal(parsed.subject, 'Test Email from duplistatus');
    assert.match(parsed.text, /Connection Type: Plain SMTP \(no encryption\)/);
    assert.match(parsed.text, /Ignore TLS: Yes/);
    assert.match(parsed.text, /SMTP Authentication: Not required/);
    assert.match(parsed.text, /Recipient: ops@example\.com/);

    const other = await user.post('/api/notifications/test', { json: { type: 'email', toEmail: 'someone@example.org' } });
    assert.equal(other.status, 200);
    assert.deepEqual(smtp.messages.at(-1)!.to, ['someone@example.org']);
    const audits = await auditEntries('test_email_sent');
    assert.equal(audits[0].status, 'success');
    assert.equal(audits[0].username, 'operator');
  });

  test('webhook: a test payload to the stored config, or to a posted one', async () => {
    const res = await user.post('/api/notifications/test', { json: { type: 'webhook' } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json, { success: true, message: 'Test webhook sent successfully' });
    const got = hook.requests.at(-1)!;
    assert.equal(got.path, '/hooks/duplistatus');
    assert.equal(got.headers.authorization, 'Bearer hook-secret');
    assert.match(got.headers['content-type'] ?? '', /^application\/json/);
    const payload = JSON.parse(got.body);
    assert.equal(payload.event, 'test');
    assert.equal(payload.title, 'Test Notification');

    const posted = await user.post('/api/notifications/test', { json: { type: 'webhook', webhookConfig: { url: `${hook.url}/other`, token: 'given' } } });
    assert.equal(posted.status, 200, posted.text);
    assert.equal(hook.requests.at(-1)!.path, '/other');
    assert.equal(hook.requests.at(-1)!.headers.authorization, 'Bearer given');
  });

  test('bad input: clear 400s', async () => {
    const cases: Array<[unknown, string]> = [
      [{ type: 'simple' }, 'NTFY configuration is required'],
      [{}, 'NTFY configuration is required'],
      [{ type: 'simple', ntfyConfig: { url: ntfy.url, topic: ' ' } }, 'NTFY URL and topic are required'],
      [{ type: 'template', ntfyConfig: sinkConfig() }, 'Template is required for template type'],
      [{ type: 'webhook', webhookConfig: { url: '' } }, 'Webhook URL is required'],
    ];
    for (const [body, error] of cases) {
      const res = await user.post('/api/notifications/test', { json: body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assertErrorEnvelope(res.json, error);
    }
    const notJson = await user.post('/api/notifications/test', { body: '{nope', headers: { 'Content-Type': 'application/json' } });
    assert.equal(notJson.status, 400);
  });

  test('failing channels: a clear 500 message each, audited, and the daemon stays up', async () => {
    const port = await closedPort();
    const refused = await user.post('/api/notifications/test', { json: { type: 'simple', ntfyConfig: { url: `http://127.0.0.1:${port}`, topic: 'x' } } });
    assert.equal(refused.status, 500);
    assertErrorEnvelope(refused.json);
    assert.match(refused.json.error, /^Failed to send test notification: Cannot connect to NTFY server\. Please verify the server is running and accessible\./);

    ntfy.respond(() => ({ status: 503, body: '{"error":"maintenance"}' }));
    try {
      const down = await user.post('/api/notifications/test', { json: { type: 'simple', ntfyConfig: sinkConfig() } });
      assert.equal(down.status, 500);
      assert.match(down.json.error, /^Failed to send test notification: Notification service error: maintenance/);
      ntfy.respond(() => ({ status: 502, body: 'Bad gateway' }));
      const tpl = await user.post('/api/notifications/test', { json: { type: 'template', ntfyConfig: sinkConfig(), template: { title: 'x', message: 'y' } } });
      assert.equal(tpl.status, 500);
      assert.match(tpl.json.error, /^Failed to send test notification: NTFY test failed: Failed to send notification to NTFY: 502/);
    } finally {
      ntfy.respond(() => ({ status: 200, body: '{}' }));
    }

    const hookDown = await user.post('/api/notifications/test', { json: { type: 'webhook', webhookConfig: { url: `http://127.0.0.1:${port}/hook` } } });
    assert.equal(hookDown.status, 500);
    assert.match(hookDown.json.error, /^Failed to send test notification: Could not reach webhook http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);

    await saveSmtpConfig(db, secrets, smtpConfig(authSmtp, { requireAuth: true, username: 'mailer', password: 'wrong-password' }));
    const authFailed = await user.post('/api/notifications/test', { json: { type: 'email' } });
    assert.equal(authFailed.status, 500);
    assert.match(authFailed.json.error, /^Failed to send test notification: SMTP authentication failed: 535 .*Please verify your username and password are correct\./);
    assert.deepEqual(authSmtp.auths.map((a) => [a.username, a.accepted]), [['mailer', false]]);
    assert.ok(!authFailed.text.includes('wrong-password'));

    await saveSmtpConfig(db, secrets, smtpConfig(authSmtp, { requireAuth: true, username: 'mailer', password: 'right-password' }));
    const authOk = await user.post('/api/notifications/test', { json: { type: 'email' } });
    assert.equal(authOk.status, 200, authOk.text);
    assert.equal(authSmtp.messages.length, 1);

    await db.client.execute("DELETE FROM configurations WHERE key = 'smtp_config'");
    const none = await user.post('/api/notifications/test', { json: { type: 'email' } });
    assert.equal(none.status, 400);
    assertErrorEnvelope(none.json, 'Email is not configured. Please configure SMTP settings.');
    await saveSmtpConfig(db, secrets, smtpConfig(smtp));

    const failures = (await auditEntries('test_notification_sent')).filter((r) => r.status === 'error');
    assert.ok(failures.length >= 4, `${failures.length} failed test sends audited`);
    assert.ok((await auditEntries('test_email_sent')).some((r) => r.status === 'error' && /authentication failed/.test(r.errorMessage)));
    assert.equal((await getJson(daemon.url, '/api/health')).status, 200);
    assert.equal(daemon.process.exitCode, null);
  });
});

describe('CLI: notify test and check-overdue', () => {
  test('notify test <ntfy|email|webhook> use the stored settings; exit 1 with a clear message on failure', async () => {
    const ntfyRun = await runCli(['notify', 'test', 'ntfy'], { dataDir: daemon.dataDir });
    assert.equal(ntfyRun.status, 0, ntfyRun.stderr);
    assert.match(ntfyRun.stdout, new RegExp(`^Test notification sent successfully \\(${ntfy.url.replace(/[.]/g, '\\.')}/${TOPIC}\\)`));
    const last: RecordedRequest = ntfy.requests.at(-1)!;
    assert.equal(last.path, `/${TOPIC}`);
    assert.equal(last.query.get('title'), 'Test Notification');

    const emailRun = await runCli(['notify', 'test', 'email', '--to', 'cli@example.org'], { dataDir: daemon.dataDir });
    assert.equal(emailRun.status, 0, emailRun.stderr);
    assert.match(emailRun.stdout, /Test email sent successfully/);
    assert.deepEqual(smtp.messages.at(-1)!.to, ['cli@example.org']);

    const hookRun = await runCli(['notify', 'test', 'webhook'], { dataDir: daemon.dataDir });
    assert.equal(hookRun.status, 0, hookRun.stderr);
    assert.equal(JSON.parse(hook.requests.at(-1)!.body).event, 'test');

    await configureNtfy(`http://127.0.0.1:${await closedPort()}`);
    try {
      const failed = await runCli(['notify', 'test', 'ntfy'], { dataDir: daemon.dataDir });
      assert.equal(failed.status, 1);
      assert.match(failed.stderr, /^Error: Failed to send test notification: Cannot connect to NTFY server/);
    } finally {
      await configureNtfy(`${ntfy.url}/`);
    }
    const bogus = await runCli(['notify', 'test', 'pigeon'], { dataDir: daemon.dataDir });
    assert.equal(bogus.status, 1);
    assert.match(bogus.stderr, /Unknown channel "pigeon": use one of ntfy, email, webhook/);
    const cliAudit = (await auditEntries('test_notification_sent')).find((r) => r.username === 'cli');
    assert.ok(cliAudit, 'CLI test sends are audited as "cli"');
  });

  test('check-overdue: same check as the route; alerts what is due and prints the statistics', async () => {
    const quiet = await runCli(['check-overdue'], { dataDir: daemon.dataDir });
    assert.equal(quiet.status, 0, quiet.stderr);
    assert.match(quiet.stdout, /^Overdue backup check completed with next run times recalculated$/m);
    assert.match(quiet.stdout, /Notifications sent:\s+0$/m, 'already alerted today');

    const before = titled(ntfy, /^🕑 Overdue/).length;
    assert.equal((await user.post('/api/notifications/clear-overdue-timestamps')).status, 200);
    const loud = await runCli(['check-overdue'], { dataDir: daemon.dataDir });
    assert.equal(loud.status, 0, loud.stderr);
    const found = Number(/Overdue backups found:\s+(\d+)/.exec(loud.stdout)?.[1]);
    assert.ok(found > 0);
    assert.match(loud.stdout, new RegExp(`Notifications sent:\\s+${found}$`, 'm'));
    assert.equal(titled(ntfy, /^🕑 Overdue/).length - before, found);

    await configureNtfy(`http://127.0.0.1:${await closedPort()}`);
    try {
      assert.equal((await user.post('/api/notifications/clear-overdue-timestamps')).status, 200);
      const failing = await runCli(['check-overdue'], { dataDir: daemon.dataDir, env: { NOTIFY_RETRY_DELAY_MS: '10' } });
      assert.equal(failing.status, 1);
      assert.match(failing.stdout, /Notifications sent:\s+0$/m);
      assert.match(failing.stderr, /notification\(s\) could not be delivered; last error: NTFY: Cannot connect to NTFY server/);
    } finally {
      await configureNtfy(`${ntfy.url}/`);
    }
  });
});
