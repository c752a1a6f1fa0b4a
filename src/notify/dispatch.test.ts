// Notification dispatch against real listeners: an HTTP sink for ntfy and the webhook, an SMTP sink
// for e-mail (spec 03 §7, §8, decision 15).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test, type TestContext } from 'node:test';
import { secretBox } from '../auth/secrets.ts';
import { writeSetting } from '../db/settings.ts';
import { parseDuplicatiReport, type ParsedRun } from '../ingest/duplicati-report.ts';
import { storeRun } from '../ingest/store.ts';
import type { BackupSettings } from '../monitor/overdue.ts';
import { getNtfyConfig, saveNtfyConfig, saveSmtpConfig, saveWebhookConfig } from '../settings/store.ts';
import { tempDatabase } from '../../test/helpers/db.ts';
import { fixture } from '../../test/helpers/fixtures.ts';
import { closedPort, startHttpSink, type HttpSink } from '../../test/helpers/http-sink.ts';
import { parseMail, startSmtpSink, type SmtpSink } from '../../test/helpers/smtp-sink.ts';
import {
  additionalAddresses,
  cachingSecretBox,
  createNotifier,
  isNetworkError,
  notifyBackup,
  passesEvent,
  sendOverdueAlert,
  withRetry,
  type OverdueAlert,
} from './dispatch.ts';

const FAST = { retry: { attempts: 3, baseDelayMs: 10 } };
type Db = Awaited<ReturnType<typeof tempDatabase>>;

interface Env {
  db: Db;
  secrets: ReturnType<typeof secretBox>;
  ntfy: HttpSink;
  hook: HttpSink;
  smtp: SmtpSink;
  errors: string[];
}

async function setup(t: TestContext, options: { smtp?: boolean; webhook?: boolean } = {}): Promise<Env> {
  const db = await tempDatabase();
  const secrets = secretBox(randomBytes(32));
  const [ntfy, hook, smtp] = await Promise.all([startHttpSink(), startHttpSink(), startSmtpSink()]);
  t.after(async () => {
    await Promise.all([ntfy.close(), hook.close(), smtp.close()]);
    db.dispose();
  });
  await saveNtfyConfig(db, secrets, { url: `${ntfy.url}/`, topic: 'main-topic', accessToken: 'ntfy-token' });
  if (options.smtp !== false) {
    await saveSmtpConfig(db, secrets, {
      host: '127.0.0.1', port: smtp.port, connectionType: 'plain', requireAuth: false,
      fromAddress: 'duplistatus@example.com', mailto: 'ops@example.com',
    });
  }
  if (options.webhook !== false) await saveWebhookConfig(db, secrets, { url: `${hook.url}/hook`, token: 'hook-token', enabled: true });
  const errors: string[] = [];
  t.mock.method(console, 'error', (...args: unknown[]) => void errors.push(args.map(String).join(' ')));
  return { db, secrets, ntfy, hook, smtp, errors };
}

function runFrom(name: string, patch: (b: any) => void = () => {}): ParsedRun {
  const body = fixture(name);
  patch(body);
  const outcome = parseDuplicatiReport(body, 'UTC');
  assert.equal(outcome.kind, 'run');
  return (outcome as { run: ParsedRun }).run;
}

async function stored(db: Db, name: string, patch?: (b: any) => void): Promise<{ id: string; run: ParsedRun }> {
  const run = runFrom(name, patch);
  const result = await storeRun(db, run);
  assert.ok(result.stored);
  return { id: result.id, run };
}

async function setSettings(db: Db, run: ParsedRun, patch: Partial<BackupSettings>): Promise<void> {
  const where = [run.row.serverId, run.row.backupName];
  const { rows } = await db.client.execute({ sql: 'SELECT settings FROM backup_jobs WHERE server_id = ? AND backup_name = ?', args: where });
  const settings = { ...JSON.parse(String(rows[0]!.settings)), ...patch };
  await db.client.execute({ sql: 'UPDATE backup_jobs SET settings = ? WHERE server_id = ? AND backup_name = ?', args: [JSON.stringify(settings), ...where] });
}

async function auditRows(db: Db): Promise<Array<{ action: string; status: string; username: string; details: any; error: string | null }>> {
  const { rows } = await db.client.execute("SELECT action, status, username, details, error_message FROM audit_log WHERE action != 'backup_upload' ORDER BY id");
  return rows.map((r) => ({ action: String(r.action), status: String(r.status), username: String(r.username), details: JSON.parse(String(r.details)), error: r.error_message as string | null }));
}

describe('event filters and addresses', () => {
  test('§3.2 filters', () => {
    const cases: Array<[string | undefined, string, number, boolean]> = [
      ['all', 'Success', 0, true],
      ['warnings', 'Success', 0, false],
      ['warnings', 'Warning', 0, true],
      ['warnings', 'Unknown', 0, true],
      ['errors', 'Warning', 0, false],
      ['errors', 'Warning', 2, true],
      ['errors', 'Fatal', 0, true],
      ['errors', 'Error', 0, true],
      ['off', 'Fatal', 5, false],
      ['something-else', 'Success', 0, true],
      [undefined, 'Success', 0, true],
    ];
    for (const [event, status, errors, want] of cases) assert.equal(passesEvent(event, { status, errors }), want, `${event} / ${status} / ${errors}`);
  });

  test('additional addresses: split on commas, trimmed, only with an @', () => {
    assert.deepEqual(additionalAddresses(' a@x.org, ,b@y.org,nope ,'), ['a@x.org', 'b@y.org']);
    assert.deepEqual(additionalAddresses(undefined), []);
  });
});

describe('retries', () => {
  const refused = () => Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNREFUSED' } });

  test('network errors are recognised; HTTP and SMTP refusals are not', () => {
    assert.equal(isNetworkError(refused()), true);
    assert.equal(isNetworkError(new Error('Cannot connect to NTFY server. Please verify…')), true);
    assert.equal(isNetworkError(new Error('x', { cause: Object.assign(new Error('y'), { code: 'ETIMEDOUT' }) })), true);
    assert.equal(isNetworkError(new Error('Failed to send notification to NTFY: 504 Gateway Timeout')), false);
    assert.equal(isNetworkError(new Error('SMTP authentication failed: 535 invalid')), false);
  });

  test('exponential backoff until success', async () => {
    const at: number[] = [];
    const attempts = await withRetry(async () => {
      at.push(Date.now());
      if (at.length < 3) throw refused();
    }, { attempts: 5, baseDelayMs: 40 });
    assert.equal(attempts, 3);
    const gaps = [at[1]! - at[0]!, at[2]! - at[1]!];
    assert.ok(gaps[0]! >= 35 && gaps[1]! >= 75, `gaps ${gaps}`);
  });

  test('bounded: gives up after the last attempt; other errors are not retried', async () => {
    let calls = 0;
    await assert.rejects(withRetry(async () => void (calls++, (() => { throw refused(); })()), { attempts: 3, baseDelayMs: 1 }), (e: any) => e.attempts === 3);
    assert.equal(calls, 3);
    calls = 0;
    await assert.rejects(withRetry(async () => void (calls++, (() => { throw new Error('HTTP 400'); })()), { attempts: 3, baseDelayMs: 1 }), /HTTP 400/);
    assert.equal(calls, 1);
  });

  test('an abort cuts the wait short', async () => {
    const stop = new AbortController();
    const started = Date.now();
    setTimeout(() => stop.abort(), 30);
    await assert.rejects(withRetry(async () => { throw refused(); }, { attempts: 5, baseDelayMs: 10_000 }, stop.signal), /fetch failed/);
    assert.ok(Date.now() - started < 2000);
  });
});

describe('backup reports (§7.1)', () => {
  test('a Warning run goes to ntfy, e-mail and the webhook with the warning template; each delivery is audited', async (t) => {
    const env = await setup(t);
    const { id, run } = await stored(env.db, 'backup-warning.json');
    await notifyBackup(env.db, env.secrets, id, FAST);

    assert.equal(env.ntfy.requests.length, 1);
    const [n] = env.ntfy.requests;
    assert.equal(n!.path, '/main-topic');
    assert.equal(n!.query.get('title'), `⚠️ Warning - ${run.row.backupName} @ ${run.machineName}`);
    assert.equal(n!.query.get('priority'), 'high');
    assert.equal(n!.headers.authorization, 'Bearer ntfy-token');
    assert.match(n!.body, /completed with status 'Warning'/);

    assert.equal(env.smtp.messages.length, 1);
    assert.deepEqual(env.smtp.messages[0]!.to, ['ops@example.com']);
    const mail = parseMail(env.smtp.messages[0]!.raw);
    assert.equal(mail.subject, n!.query.get('title'));
    assert.equal(mail.text, n!.body.replace(/\r\n/g, '\n')); // line ends as the mail reader normalises them

    assert.equal(env.hook.requests.length, 1);
    const hook = env.hook.requests[0]!;
    assert.equal(hook.path, '/hook');
    assert.equal(hook.headers.authorization, 'Bearer hook-token');
    const payload = JSON.parse(hook.body);
    assert.equal(payload.event, 'backup');
    assert.equal(payload.title, n!.query.get('title'));
    assert.equal(payload.message, n!.body);
    assert.equal(payload.server, run.machineName);
    assert.equal(payload.backup, run.row.backupName);
    assert.equal(payload.status, 'Warning');
    assert.equal(payload.date, run.row.date);
    assert.equal(payload.backupId, id);

    const rows = await auditRows(env.db);
    assert.deepEqual(rows.map((r) => [r.action, r.details.channel, r.status, r.username]).sort(), [
      ['email_sent', 'Email', 'success', 'system'],
      ['notification_sent', 'NTFY', 'success', 'system'],
      ['notification_sent', 'Webhook', 'success', 'system'],
    ]);
    for (const r of rows) {
      assert.equal(r.details.type, 'backup');
      assert.equal(r.details.backupName, run.row.backupName);
    }
  });

  test('Success with the default "warnings" filter: nobody; with "all": the success template', async (t) => {
    const env = await setup(t);
    const first = await stored(env.db, 'backup-success.json');
    await notifyBackup(env.db, env.secrets, first.id, FAST);
    assert.equal(env.ntfy.requests.length + env.hook.requests.length + env.smtp.messages.length, 0);

    await setSettings(env.db, first.run, { notificationEvent: 'all' });
    const second = await stored(env.db, 'backup-success.json', (b) => (b.Data.BeginTime = '2026-11-25T02:00:00Z'));
    await notifyBackup(env.db, env.secrets, second.id, FAST);
    assert.equal(env.ntfy.requests.length, 1);
    assert.match(env.ntfy.requests[0]!.query.get('title')!, /^✅ Success - Photos @ homeserver$/);
    assert.equal(env.ntfy.requests[0]!.query.get('priority'), 'default');
    assert.equal(env.hook.requests.length, 1);
    assert.equal(env.smtp.messages.length, 1);
  });

  test('a fresh install sends nothing anywhere: ntfy stays off until its settings are saved', async (t) => {
    const env = await setup(t, { smtp: false, webhook: false });
    await env.db.client.execute("DELETE FROM configurations WHERE key = 'ntfy_config'");
    const { id } = await stored(env.db, 'backup-error.json');
    await notifyBackup(env.db, env.secrets, id, FAST);
    const sent = await env.db.client.execute("SELECT count(*) AS n FROM audit_log WHERE action LIKE 'notification_%'");
    assert.equal(sent.rows[0].n, 0);
    assert.equal((await getNtfyConfig(env.db, env.secrets)).enabled, false, 'the generated default is off');
    assert.equal(env.ntfy.requests.length, 0);
  });

  test('ntfyEnabled/emailEnabled switch their channel off; e-mail needs SMTP configured; a disabled webhook is skipped', async (t) => {
    const env = await setup(t, { smtp: false });
    await saveWebhookConfig(env.db, env.secrets, { url: `${env.hook.url}/hook`, enabled: false });
    const { id, run } = await stored(env.db, 'backup-error.json');
    await setSettings(env.db, run, { ntfyEnabled: false });
    await notifyBackup(env.db, env.secrets, id, FAST);
    assert.equal(env.ntfy.requests.length + env.hook.requests.length + env.smtp.messages.length, 0);
  });

  test('additional destinations: own filter, one e-mail per address, extra topic on the global server with the global token', async (t) => {
    const env = await setup(t);
    const { id, run } = await stored(env.db, 'backup-success.json');
    // Main channels off by filter; additional ones on by their own filter (server default + override).
    await writeSetting(env.db, 'backup_settings_extra', JSON.stringify({ [`${run.row.serverId}:__default__`]: { additionalNotificationEvent: 'all', additionalEmails: 'default@example.com' } }));
    await setSettings(env.db, run, { notificationEvent: 'off', additionalEmails: 'a@example.com, b@example.org, junk', additionalNtfyTopic: ' extra ' });
    await notifyBackup(env.db, env.secrets, id, FAST);
    assert.deepEqual(env.smtp.messages.map((m) => m.to).sort(), [['a@example.com'], ['b@example.org']]);
    assert.equal(env.ntfy.requests.length, 1);
    assert.equal(env.ntfy.requests[0]!.path, '/extra');
    assert.equal(env.ntfy.requests[0]!.headers.authorization, 'Bearer ntfy-token');
    assert.equal(env.hook.requests.length, 0, 'the webhook follows the main filter');
    const channels = (await auditRows(env.db)).map((r) => r.details.channel).sort();
    assert.deepEqual(channels, ['Additional Email', 'Additional Email', 'Additional NTFY']);
  });

  test('ntfy answering 503: not retried, audited, logged, and the additional destinations are skipped', async (t) => {
    const env = await setup(t);
    env.ntfy.respond(() => ({ status: 503, body: 'upstream down' }));
    const { id, run } = await stored(env.db, 'backup-warning.json');
    await setSettings(env.db, run, { additionalEmails: 'extra@example.com' });
    await assert.rejects(notifyBackup(env.db, env.secrets, id, FAST), /Failed to send notification to NTFY: 503/);
    assert.equal(env.ntfy.requests.length, 1, 'an HTTP answer is not retried');
    assert.deepEqual(env.smtp.messages.map((m) => m.to), [['ops@example.com']], 'main e-mail went out in parallel, the additional one not');
    const failed = (await auditRows(env.db)).find((r) => r.action === 'notification_failed');
    assert.ok(failed);
    assert.equal(failed.status, 'error');
    assert.equal(failed.details.channel, 'NTFY');
    assert.match(failed.error!, /503/);
    assert.ok(env.errors.some((e) => /NTFY/.test(e) && /503/.test(e)), env.errors.join('\n'));
  });
});

describe('the notifier queue', () => {
  test('backupStored returns at once, never throws; idle() waits; status() counts; refused connections are retried then given up', async (t) => {
    const env = await setup(t, { smtp: false });
    const port = await closedPort();
    await saveNtfyConfig(env.db, env.secrets, { url: `http://127.0.0.1:${port}`, topic: 'down', accessToken: '' });
    const { id } = await stored(env.db, 'backup-error.json');
    const notifier = createNotifier(env.db, env.secrets, { retry: { attempts: 3, baseDelayMs: 20 } });

    const started = Date.now();
    notifier.backupStored(id);
    notifier.backupStored('no-such-backup');
    assert.ok(Date.now() - started < 20, 'enqueueing does not wait');
    assert.equal(notifier.status().queued, 2);
    await notifier.idle();

    const status = notifier.status();
    assert.equal(status.queued, 0);
    assert.equal(status.sent, 1, 'the webhook still went out');
    assert.equal(status.failed, 1);
    assert.match(status.lastError!, /^NTFY: Cannot connect to NTFY server/);
    const failed = (await auditRows(env.db)).find((r) => r.action === 'notification_failed')!;
    assert.equal(failed.details.attempts, 3);
    assert.equal(env.hook.requests.length, 1);
    await notifier.close();
  });

  test('close() does not wait for retries longer than the grace period', async (t) => {
    const env = await setup(t, { smtp: false, webhook: false });
    await saveNtfyConfig(env.db, env.secrets, { url: `http://127.0.0.1:${await closedPort()}`, topic: 'down' });
    const { id } = await stored(env.db, 'backup-error.json');
    const notifier = createNotifier(env.db, env.secrets, { retry: { attempts: 10, baseDelayMs: 60_000 } });
    notifier.backupStored(id);
    await new Promise((r) => setTimeout(r, 300)); // first attempt made, now waiting a minute
    const started = Date.now();
    await notifier.close(1000);
    assert.ok(Date.now() - started < 1000, `close took ${Date.now() - started} ms`);
    notifier.backupStored(id); // ignored once closed
    assert.equal(notifier.status().queued, 0);
  });
});

describe('overdue alerts (§7.2)', () => {
  async function alertFor(env: Env, name: string): Promise<{ alert: OverdueAlert; run: ParsedRun }> {
    const { run } = await stored(env.db, name);
    return {
      run,
      alert: {
        server: { id: run.row.serverId, name: run.machineName, alias: 'Laptop', note: 'desk', serverUrl: 'http://laptop:8200' },
        job: { backupName: run.row.backupName, lastBackupDate: run.row.date, expectedDate: '2026-11-25T00:30:00.000Z', expectedInterval: '1D', tolerance: '1h' },
      },
    };
  }

  test('the overdue template goes to every main channel regardless of notificationEvent; webhook event "overdue"', async (t) => {
    const env = await setup(t);
    const { alert, run } = await alertFor(env, 'backup-warning.json');
    // Overdue alerts ignore notificationEvent; the additional filter only matters when it is "off".
    await setSettings(env.db, run, { notificationEvent: 'off', additionalNotificationEvent: 'errors', additionalNtfyTopic: 'extra' });
    await sendOverdueAlert(env.db, env.secrets, alert, { ...FAST, now: () => new Date('2026-11-26T12:00:00Z') });
    const main = env.ntfy.requests.find((r) => r.path === '/main-topic')!;
    assert.equal(main.query.get('title'), `🕑 Overdue - ${run.row.backupName} @ Laptop (${run.machineName})`);
    assert.match(main.body, /Expected interval: 1D \/ Tolerance: 1 hour/);
    assert.match(main.body, /http:\/\/laptop:8200/);
    assert.ok(env.ntfy.requests.some((r) => r.path === '/extra'), 'additional topic, no status filtering');
    assert.equal(env.smtp.messages.length, 1);
    const payload = JSON.parse(env.hook.requests[0]!.body);
    assert.equal(payload.event, 'overdue');
    assert.equal(payload.status, 'Overdue');
    assert.equal(payload.expectedDate, '2026-11-25T00:30:00.000Z');
    const rows = await auditRows(env.db);
    assert.ok(rows.every((r) => r.details.type === 'overdue'));
  });

  test('a failing main channel rejects and the additional destinations are not attempted', async (t) => {
    const env = await setup(t, { smtp: false });
    env.hook.respond(() => ({ status: 500, body: 'boom' }));
    const { alert, run } = await alertFor(env, 'backup-warning.json');
    await setSettings(env.db, run, { additionalNotificationEvent: 'all', additionalNtfyTopic: 'extra' });
    await assert.rejects(sendOverdueAlert(env.db, env.secrets, alert, FAST), /answered 500/);
    assert.deepEqual(env.ntfy.requests.map((r) => r.path), ['/main-topic']);
  });

  test('additionalNotificationEvent "off" (here inherited from notificationEvent) skips the additional destinations', async (t) => {
    const env = await setup(t, { smtp: false, webhook: false });
    const { alert, run } = await alertFor(env, 'backup-warning.json');
    await setSettings(env.db, run, { notificationEvent: 'off', additionalNtfyTopic: 'extra' });
    await sendOverdueAlert(env.db, env.secrets, alert, FAST);
    assert.deepEqual(env.ntfy.requests.map((r) => r.path), ['/main-topic']);
  });
});

test('cachingSecretBox decrypts each stored value once', () => {
  const box = secretBox(randomBytes(32));
  let calls = 0;
  const counting = { ...box, decrypt: (s: string) => (calls++, box.decrypt(s)) };
  const cached = cachingSecretBox(counting, 2);
  const [a, b, c] = ['one', 'two', 'three'].map((v) => box.encrypt(v));
  assert.equal(cached.decrypt(a!), 'one');
  assert.equal(cached.decrypt(a!), 'one');
  assert.equal(calls, 1);
  cached.decrypt(b!);
  cached.decrypt(c!); // evicts a
  cached.decrypt(a!);
  assert.equal(calls, 4);
  assert.equal(cached.fingerprint, box.fingerprint);
});
