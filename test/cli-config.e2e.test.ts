// End to end: `duplistatus config get [key]` and `config set <key> <value>` on the host (the real
// executable), alone and against the live database of a running daemon (same --data-dir). The CLI
// runs the same validated, audited operations as the configuration API (spec 03 §2, §3.5, §5.3,
// decision 17), so what it sets the API reads at once, and what it refuses exits 1 with a message.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { startDaemon, tempDir, type Daemon } from './helpers/daemon.ts';
import { runCli, signInFirstAdmin, type CliResult, type TestClient } from './helpers/client.ts';

const ADMIN_PASSWORD = 'Adm1n-Chosen-Pw';
const TOPIC = /^duplistatus-[A-Za-z0-9]{12}$/;
const KEYS = ['overdue_tolerance', 'notification_frequency', 'ntfy.url', 'ntfy.topic', 'ntfy.accessToken', 'webhook.url', 'audit_retention_days', 'upload_token', 'email', 'cron'];

function succeeded(run: CliResult, what: string): string {
  assert.equal(run.status, 0, `${what} exited ${run.status}: ${run.stderr}`);
  return run.stdout;
}

/** Exit code 1, an "Error: …" line on stderr matching `message`, nothing on stdout. */
function refused(run: CliResult, message: RegExp, what: string): void {
  assert.equal(run.status, 1, `${what} exited ${run.status}; stdout: ${run.stdout}`);
  assert.match(run.stderr, message, what);
  assert.equal(run.stdout, '', `${what} prints nothing on stdout`);
}

async function apiGet(client: TestClient, path: string): Promise<any> {
  const res = await client.get(path);
  assert.equal(res.status, 200, `${path}: ${res.text}`);
  return res.json;
}

// ──────────────────────────────────────────────────────────────────────────────────────────────
describe('`config get` on a fresh data directory (no daemon)', () => {
  let dataDir: string;
  before(() => {
    dataDir = tempDir('duplistatus-cli-config-');
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  test('`config get` lists every key with the defaults of decision 17', async () => {
    const out = succeeded(await runCli(['config', 'get'], { dataDir }), 'config get');
    for (const key of KEYS) assert.match(out, new RegExp(`^${key.replace('.', '\\.')} = `, 'm'), `lists ${key}`);
    assert.match(out, /^overdue_tolerance = 2h$/m);
    assert.match(out, /^notification_frequency = every_day$/m);
    assert.match(out, /^ntfy\.url = https:\/\/ntfy\.sh\/$/m);
    assert.match(out, /^ntfy\.topic = duplistatus-[A-Za-z0-9]{12}$/m);
    assert.match(out, /^ntfy\.accessToken = \(unset\)$/m);
    assert.match(out, /^webhook\.url = \(unset\)$/m);
    assert.match(out, /^audit_retention_days = 90$/m);
    assert.match(out, /^email = \(not configured\)$/m);
    assert.ok(out.includes('"cronExpression": "*/5 * * * *"'), 'cron shows the */5 overdue check');
  });

  test('`config get <key>` prints just the value', async () => {
    assert.equal(succeeded(await runCli(['config', 'get', 'overdue_tolerance'], { dataDir }), 'get tolerance'), '2h\n');
    assert.equal(succeeded(await runCli(['config', 'get', 'notification_frequency'], { dataDir }), 'get frequency'), 'every_day\n');
  });

  test('the generated ntfy topic is persisted: the same one on every read', async () => {
    const first = succeeded(await runCli(['config', 'get', 'ntfy.topic'], { dataDir }), 'get topic').trim();
    assert.match(first, TOPIC);
    const second = succeeded(await runCli(['config', 'get', 'ntfy.topic'], { dataDir }), 'get topic again').trim();
    assert.equal(second, first);
  });

  test('an unknown key exits 1 and names the known keys', async () => {
    const run = await runCli(['config', 'get', 'no_such_key'], { dataDir });
    refused(run, /unknown key "no_such_key"/, 'get unknown');
    assert.match(run.stderr, /overdue_tolerance/);
  });
});

// ──────────────────────────────────────────────────────────────────────────────────────────────
describe('`config set` against a running daemon (same --data-dir)', () => {
  let daemon: Daemon;
  let admin: TestClient;
  let dataDir: string;
  const cli = (...args: string[]) => runCli(['config', ...args], { dataDir });

  before(async () => {
    dataDir = tempDir('duplistatus-cli-config-live-');
    daemon = await startDaemon({ dataDir });
    admin = await signInFirstAdmin(daemon.url, ADMIN_PASSWORD);
  });
  after(async () => {
    await daemon?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('CLI and API see the same settings', async () => {
    const topic = succeeded(await cli('get', 'ntfy.topic'), 'get topic').trim();
    assert.match(topic, TOPIC);
    assert.equal((await apiGet(admin, '/api/configuration/ntfy')).ntfy.topic, topic);
    assert.equal(succeeded(await cli('get', 'overdue_tolerance'), 'get tolerance'), '2h\n');
  });

  test('`config set overdue_tolerance 1h`: the API reads 1h at once; audited as the CLI', async () => {
    assert.equal(succeeded(await cli('set', 'overdue_tolerance', '1h'), 'set tolerance'), 'overdue_tolerance = 1h\n');
    assert.deepStrictEqual(await apiGet(admin, '/api/configuration/overdue-tolerance'), { overdue_tolerance: '1h' });
    assert.equal((await apiGet(admin, '/api/configuration/unified')).overdue_tolerance, '1h');
    assert.equal(succeeded(await cli('get', 'overdue_tolerance'), 'get tolerance'), '1h\n');
    const [entry] = (await apiGet(admin, '/api/audit-log?action=overdue_tolerance_updated&limit=1')).logs;
    assert.equal(entry.username, 'cli');
    assert.deepStrictEqual(entry.details, { oldValue: '2h', newValue: '1h' });
  });

  test('an invalid tolerance exits 1 with a clear message; nothing changes', async () => {
    for (const value of ['3h', '1H', '', 'toString']) {
      const run = await cli('set', 'overdue_tolerance', value);
      refused(run, /^Error: .*tolerance/im, `set tolerance ${JSON.stringify(value)}`);
      assert.match(run.stderr, /no_tolerance/, 'the allowed codes are named');
    }
    assert.deepStrictEqual(await apiGet(admin, '/api/configuration/overdue-tolerance'), { overdue_tolerance: '1h' });
  });

  test('notification_frequency: valid codes reach the API, others exit 1', async () => {
    assert.equal(succeeded(await cli('set', 'notification_frequency', 'every_week'), 'set frequency'), 'notification_frequency = every_week\n');
    assert.deepStrictEqual(await apiGet(admin, '/api/configuration/notifications'), { value: 'every_week' });
    refused(await cli('set', 'notification_frequency', 'hourly'), /^Error: Invalid value/m, 'set frequency hourly');
    assert.deepStrictEqual(await apiGet(admin, '/api/configuration/notifications'), { value: 'every_week' });
  });

  test('ntfy.url: an http(s) URL is stored (topic kept), anything else exits 1', async () => {
    const topic = (await apiGet(admin, '/api/configuration/ntfy')).ntfy.topic;
    succeeded(await cli('set', 'ntfy.url', 'https://ntfy.example.org/'), 'set ntfy.url');
    const { ntfy } = await apiGet(admin, '/api/configuration/ntfy');
    assert.equal(ntfy.url, 'https://ntfy.example.org/');
    assert.equal(ntfy.topic, topic);
    for (const url of ['ftp://x', 'not a url']) refused(await cli('set', 'ntfy.url', url), /^Error: .*url/im, `set ntfy.url ${url}`);
    assert.equal((await apiGet(admin, '/api/configuration/ntfy')).ntfy.url, 'https://ntfy.example.org/');
  });

  test('webhook.url and audit_retention_days are validated like the API', async () => {
    refused(await cli('set', 'webhook.url', 'not a url'), /^Error: .*url/im, 'set webhook.url invalid');
    assert.deepStrictEqual(await apiGet(admin, '/api/configuration/webhook'), { configured: false, config: null });
    succeeded(await cli('set', 'webhook.url', 'https://hooks.example.com/x'), 'set webhook.url');
    assert.equal((await apiGet(admin, '/api/configuration/webhook')).config.url, 'https://hooks.example.com/x');

    for (const days of ['10', '400', 'abc']) refused(await cli('set', 'audit_retention_days', days), /^Error: .*30 and 365/m, `retention ${days}`);
    succeeded(await cli('set', 'audit_retention_days', '120'), 'set retention');
    assert.deepStrictEqual(await apiGet(admin, '/api/audit-log/retention'), { retentionDays: 120 });
  });

  test('`config get email` decrypts what the API saved (same key), without the password', async () => {
    const PASSWORD = 'Cli-Visible-Never-55';
    const res = await admin.post('/api/configuration/email', {
      json: { host: 'smtp.example.com', port: 587, username: 'cli-check-user', password: PASSWORD, mailto: 'ops@example.com' },
    });
    assert.equal(res.status, 200, res.text);
    const out = succeeded(await cli('get', 'email'), 'get email');
    const shown = JSON.parse(out);
    assert.equal(shown.host, 'smtp.example.com');
    assert.equal(shown.username, 'cli-check-user');
    assert.equal(shown.hasPassword, true);
    assert.ok(!out.includes(PASSWORD), 'the password is never printed');
  });

  test('unknown or read-only keys exit 1', async () => {
    refused(await cli('set', 'no_such_key', 'x'), /"no_such_key" cannot be set here/, 'set unknown');
    refused(await cli('set', 'email', 'x'), /"email" cannot be set here/, 'set read-only');
    refused(await cli('get', 'no_such_key'), /unknown key "no_such_key"/, 'get unknown');
    const missing = await cli('set', 'overdue_tolerance');
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /missing required argument 'value'/);
    assert.deepStrictEqual(await apiGet(admin, '/api/configuration/overdue-tolerance'), { overdue_tolerance: '1h' });
  });
});
