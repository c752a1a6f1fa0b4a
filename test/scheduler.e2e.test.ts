// End to end: the in-process scheduler on the real daemon (spec 03 §10–§11, spec 04 §9.9 and
// §14.1, decisions 9 and 17). The overdue-check interval API, the /api/cron/* control paths, the
// scheduler's state in /api/health, and — with a seconds-level expression written into the
// daemon's database and applied by reload-config — real ticks observed through /api/cron/health.
// Failure handling of a task (recorded, schedule continues) is covered by src/scheduler.test.ts.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import type { Client as DbClient } from '@libsql/client';
import { createUserVia, openDaemonDb, signInFirstAdmin, sqliteTimestamp, TestClient } from './helpers/client.ts';
import { startDaemon, type Daemon } from './helpers/daemon.ts';

const ADMIN_PASSWORD = 'Adm1n-Sched-Pw';
const USER_PASSWORD = 'Us3r-Sched-Pw!';
const OVERDUE = 'overdue-backup-check';
const CLEANUP = 'audit-log-cleanup';
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

// §10.2: code → stored task and the audit label.
const INTERVALS: [string, string, boolean, string][] = [
  ['disabled', '0 0 1 1 0', false, 'Disabled'],
  ['1min', '*/1 * * * *', true, '1 minute'],
  ['5min', '*/5 * * * *', true, '5 minutes'],
  ['10min', '*/10 * * * *', true, '10 minutes'],
  ['15min', '*/15 * * * *', true, '15 minutes'],
  ['20min', '*/20 * * * *', true, '20 minutes'],
  ['30min', '*/30 * * * *', true, '30 minutes'],
  ['1hour', '0 * * * *', true, '1 hour'],
  ['2hours', '0 */2 * * *', true, '2 hours'],
];

let daemon: Daemon;
let db: DbClient;
let admin: TestClient;
let user: TestClient;

before(async () => {
  daemon = await startDaemon();
  db = await openDaemonDb(daemon.dataDir);
  admin = await signInFirstAdmin(daemon.url, ADMIN_PASSWORD);
  await createUserVia(admin, 'operator', USER_PASSWORD);
  user = await TestClient.signedIn(daemon.url, 'operator', USER_PASSWORD);
});
after(async () => {
  db?.close();
  await daemon?.dispose();
});

function assertError(res: { status: number; json: any; text: string }, status: number, error: string) {
  assert.equal(res.status, status, res.text);
  assert.equal(res.json?.error, error, res.text);
  assert.match(res.json.timestamp, ISO);
}

async function cronHealth(client = admin) {
  const res = await client.get('/api/cron/health');
  assert.equal(res.status, 200, res.text);
  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  return res.json as { isRunning: boolean; activeTasks: string[]; lastRunTimes: Record<string, string>; errors: Record<string, string> };
}

async function writeCronService(tasks: Record<string, { cronExpression: string; enabled: boolean }>) {
  await db.execute({
    sql: `INSERT INTO configurations (key, value) VALUES ('cron_service', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
    args: [JSON.stringify({ port: 9667, tasks })],
  });
}

/** Polls `probe` every 100 ms until it returns a truthy value, for at most `ms`. */
async function poll<T>(probe: () => Promise<T>, ms: number, what: string): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > end) assert.fail(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(100);
  }
}

describe('defaults and access', () => {
  test('fresh database: overdue check every 5 minutes, both tasks scheduled, nothing run yet', async () => {
    const config = await admin.get('/api/cron-config');
    assert.equal(config.status, 200, config.text);
    assert.deepEqual(config.json, { cronExpression: '*/5 * * * *', enabled: true });
    const health = await cronHealth();
    assert.deepEqual({ ...health, activeTasks: [...health.activeTasks].sort() }, { isRunning: true, activeTasks: [CLEANUP, OVERDUE], lastRunTimes: {}, errors: {} });
  });

  test('/api/health carries the scheduler state, other fields unchanged', async () => {
    const res = await fetch(`${daemon.url}/api/health`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as any;
    assert.equal(body.status, 'healthy');
    assert.equal(body.database, 'connected');
    assert.equal(body.basicConnection, true);
    assert.equal(body.initializationStatus, 'complete');
    assert.ok(Array.isArray(body.tables));
    assert.deepEqual(Object.keys(body.scheduler).sort(), ['activeTasks', 'errors', 'isRunning', 'lastRunTimes']);
    assert.equal(body.scheduler.isRunning, true);
    assert.deepEqual([...body.scheduler.activeTasks].sort(), [CLEANUP, OVERDUE]);
  });

  test('every scheduler endpoint needs a signed-in user (decision 9); CSRF on POST', async () => {
    const anonymous = new TestClient(daemon.url);
    await anonymous.csrf();
    const calls: [string, string][] = [
      ['GET', '/api/cron-config'],
      ['POST', '/api/cron-config'],
      ['GET', '/api/cron/health'],
      ['POST', `/api/cron/trigger/${CLEANUP}`],
      ['POST', `/api/cron/stop/${CLEANUP}`],
      ['POST', `/api/cron/start/${CLEANUP}`],
      ['POST', '/api/cron/reload-config'],
    ];
    for (const [method, path] of calls) {
      assertError(await new TestClient(daemon.url).request(method, path, { json: method === 'POST' ? { interval: '5min' } : undefined }), 401, 'Invalid or expired session');
      assertError(await anonymous.request(method, path, { json: method === 'POST' ? { interval: '5min' } : undefined }), 401, 'Authentication required');
      if (method === 'POST') assertError(await user.request(method, path, { json: { interval: '5min' }, csrf: false }), 403, 'Invalid CSRF token');
    }
    // A plain (non-admin) user may use all of them (spec 03 §10.2–10.3: levels S and L).
    assert.equal((await user.get('/api/cron/health')).status, 200);
    assert.deepEqual((await user.post('/api/cron-config', { json: { interval: '5min' } })).json, { success: true });
  });
});

describe('POST /api/cron-config', () => {
  test('each interval code is stored, applied at once and audited with old/new labels', async () => {
    let previousLabel = '5 minutes';
    for (const [code, cronExpression, enabled, label] of [...INTERVALS.slice(1), INTERVALS[0], INTERVALS[2]]) {
      const res = await admin.post('/api/cron-config', { json: { interval: code } });
      assert.equal(res.status, 200, `${code}: ${res.text}`);
      assert.deepEqual(res.json, { success: true });
      assert.deepEqual((await admin.get('/api/cron-config')).json, { cronExpression, enabled }, code);
      const stored = await db.execute("SELECT value FROM configurations WHERE key = 'cron_service'");
      const config = JSON.parse(String(stored.rows[0]!.value));
      assert.deepEqual(config.tasks[OVERDUE], { cronExpression, enabled }, code);
      assert.deepEqual(config.tasks[CLEANUP], { cronExpression: '0 2 * * *', enabled: true }, 'other tasks are kept');
      assert.equal(config.port, 9667);
      assert.equal((await cronHealth()).activeTasks.includes(OVERDUE), enabled, `${code} rescheduled the task`);

      const log = await admin.get(`/api/audit-log?action=overdue_monitoring_interval_updated&limit=1`);
      const [entry] = log.json.logs;
      assert.equal(entry.username, 'admin');
      assert.equal(entry.category, 'config');
      assert.equal(entry.status, 'success');
      assert.deepEqual(entry.details, { oldInterval: previousLabel, newInterval: label }, code);
      previousLabel = label;
    }
  });

  test('a missing interval is 400, an unknown one the reference 500, a broken body 400', async () => {
    for (const body of [{}, { interval: '' }, { interval: null }]) {
      assertError(await admin.post('/api/cron-config', { json: body }), 400, 'Interval is required');
    }
    for (const interval of ['weekly', '5MIN', 5, ['5min']]) {
      assertError(await admin.post('/api/cron-config', { json: { interval } }), 500, 'Failed to update cron configuration');
    }
    assertError(await admin.post('/api/cron-config', { body: '{nope', headers: { 'Content-Type': 'application/json' } }), 400, 'Invalid JSON');
    assert.deepEqual((await admin.get('/api/cron-config')).json, { cronExpression: '*/5 * * * *', enabled: true }, 'nothing changed');
  });
});

describe('/api/cron/* control paths', () => {
  test('trigger audit-log-cleanup: deletes rows past the retention, §10.1 result, system audit entry', async () => {
    await db.execute({
      sql: `INSERT INTO audit_log (timestamp, username, action, category, status) VALUES (?, 'admin', 'login', 'auth', 'success')`,
      args: [sqliteTimestamp(new Date(Date.now() - 200 * 86400_000))],
    });
    const res = await admin.post(`/api/cron/trigger/${CLEANUP}`);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json, { taskName: CLEANUP, success: true, message: 'Cleaned up 1 audit log entries older than 90 days' });
    const health = await cronHealth();
    assert.match(health.lastRunTimes[CLEANUP]!, ISO);
    assert.deepEqual(health.errors, {});
    const [entry] = (await admin.get('/api/audit-log?action=audit_cleanup&limit=1')).json.logs;
    assert.equal(entry.username, 'system');
    assert.equal(entry.category, 'system');
    assert.deepEqual(entry.details, { retentionDays: 90, deletedCount: 1 });
  });

  test('trigger audit-log-cleanup with an out-of-range retention deletes nothing and logs an error event', async () => {
    await db.execute("INSERT INTO configurations (key, value) VALUES ('audit_retention_days', '10') ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    try {
      const res = await admin.post(`/api/cron/trigger/${CLEANUP}`);
      assert.deepEqual(res.json, { taskName: CLEANUP, success: true, message: 'Cleaned up 0 audit log entries older than 10 days' });
      const [entry] = (await admin.get('/api/audit-log?action=audit_cleanup&limit=1')).json.logs;
      assert.equal(entry.status, 'error');
      assert.equal(entry.username, 'system');
    } finally {
      await db.execute("DELETE FROM configurations WHERE key = 'audit_retention_days'");
    }
  });

  test('trigger overdue-backup-check and an unknown task', async () => {
    const res = await admin.post(`/api/cron/trigger/${OVERDUE}`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.taskName, OVERDUE);
    assert.equal(res.json.success, true);
    assert.equal(res.json.message, 'Task executed successfully');
    assert.deepEqual(Object.keys(res.json.statistics).sort(), ['checkedBackups', 'notificationsSent', 'overdueBackupsFound', 'totalBackupConfigs']);
    assert.match((await cronHealth()).lastRunTimes[OVERDUE]!, ISO);

    const unknown = await admin.post('/api/cron/trigger/no-such-task');
    assert.equal(unknown.status, 200, 'the reference answers 200 with success: false');
    assert.deepEqual(unknown.json, { taskName: 'no-such-task', success: false, error: 'Error: Unknown task: no-such-task' });
    assert.deepEqual((await cronHealth()).errors, {}, 'unknown names are not recorded');
  });

  test('stop / start / reload-config, runtime only', async () => {
    const stopped = await admin.post(`/api/cron/stop/${CLEANUP}`);
    assert.equal(stopped.status, 200, stopped.text);
    assert.deepEqual(stopped.json, { message: `Task ${CLEANUP} stopped` });
    assert.ok(!(await cronHealth()).activeTasks.includes(CLEANUP));
    assertError(await admin.post(`/api/cron/stop/${CLEANUP}`), 404, `Task ${CLEANUP} not found`);
    assertError(await admin.post('/api/cron/stop/no-such-task'), 404, 'Task no-such-task not found');

    // A stopped task can still be triggered.
    assert.equal((await admin.post(`/api/cron/trigger/${CLEANUP}`)).json.success, true);

    const started = await admin.post(`/api/cron/start/${CLEANUP}`);
    assert.equal(started.status, 200, started.text);
    assert.deepEqual(started.json, { message: `Task ${CLEANUP} started` });
    assert.deepEqual((await admin.post(`/api/cron/start/${CLEANUP}`)).json, { message: `Task ${CLEANUP} started` }, 'restart replaces the job');
    assert.equal((await cronHealth()).activeTasks.filter((t) => t === CLEANUP).length, 1);
    assertError(await admin.post('/api/cron/start/no-such-task'), 404, 'Task no-such-task not found in configuration');

    // Disabled in the configuration: reload leaves it out, start schedules it anyway.
    await admin.post('/api/cron-config', { json: { interval: 'disabled' } });
    assert.ok(!(await cronHealth()).activeTasks.includes(OVERDUE));
    assert.deepEqual((await admin.post(`/api/cron/start/${OVERDUE}`)).json, { message: `Task ${OVERDUE} started` });
    assert.ok((await cronHealth()).activeTasks.includes(OVERDUE));

    // reload-config re-applies the stored configuration (undoing runtime changes).
    await admin.post(`/api/cron/stop/${CLEANUP}`);
    const reloaded = await admin.post('/api/cron/reload-config');
    assert.equal(reloaded.status, 200, reloaded.text);
    assert.deepEqual(reloaded.json, { message: 'Configuration reloaded successfully' });
    assert.deepEqual((await cronHealth()).activeTasks, [CLEANUP]);

    // An invalid stored expression: reload answers 500 (valid tasks still scheduled), start 500.
    await writeCronService({ [OVERDUE]: { cronExpression: '*/5 * * * *', enabled: true }, [CLEANUP]: { cronExpression: 'at two', enabled: true } });
    const bad = await admin.post('/api/cron/reload-config');
    assertError(bad, 500, `Error: Invalid task configuration for ${CLEANUP}`);
    assert.deepEqual((await cronHealth()).activeTasks, [OVERDUE]);
    assertError(await admin.post(`/api/cron/start/${CLEANUP}`), 500, `Invalid task configuration for ${CLEANUP}`);

    await writeCronService({ [OVERDUE]: { cronExpression: '*/5 * * * *', enabled: true }, [CLEANUP]: { cronExpression: '0 2 * * *', enabled: true } });
    assert.equal((await admin.post('/api/cron/reload-config')).status, 200);
    assert.deepEqual([...(await cronHealth()).activeTasks].sort(), [CLEANUP, OVERDUE]);
  });

  test('other /api/cron paths are 404 (wrong method 405)', async () => {
    for (const [method, path] of [
      ['POST', '/api/cron/foo'],
      ['GET', '/api/cron'],
      ['POST', '/api/cron/trigger'],
      ['POST', '/api/cron/trigger/'],
      ['POST', '/api/cron/trigger/a/b'],
      ['GET', '/api/cron/status'],
    ] as const) {
      assertError(await admin.request(method, path), 404, 'Not found');
    }
    assert.equal((await admin.get(`/api/cron/trigger/${CLEANUP}`)).status, 405);
    assert.equal((await admin.post('/api/cron/health')).status, 405);
  });
});

describe('real ticks', () => {
  test('a seconds-level expression applied by reload-config runs the overdue check every second', async () => {
    await writeCronService({ [OVERDUE]: { cronExpression: '* * * * * *', enabled: true }, [CLEANUP]: { cronExpression: '0 2 * * *', enabled: true } });
    const before = (await cronHealth()).lastRunTimes[OVERDUE];
    assert.equal((await admin.post('/api/cron/reload-config')).status, 200);
    const first = await poll(async () => {
      const t = (await cronHealth()).lastRunTimes[OVERDUE];
      return t && t !== before ? t : undefined;
    }, 4000, 'a first scheduled run');
    const second = await poll(async () => {
      const t = (await cronHealth()).lastRunTimes[OVERDUE];
      return t && t > first ? t : undefined;
    }, 4000, 'the next scheduled run');
    assert.ok(Date.parse(second) - Date.parse(first) >= 500, `runs follow the 1 s schedule (${first} → ${second})`);
    const health = await cronHealth();
    assert.deepEqual(health.errors, {});
    // The scheduled check is the real one: it records its completion.
    const last = await db.execute("SELECT value FROM configurations WHERE key = 'last_overdue_check'");
    assert.match(String(last.rows[0]?.value), ISO);
    // /api/health shows the same state.
    const pub = (await (await fetch(`${daemon.url}/api/health`)).json()) as any;
    assert.ok(pub.scheduler.lastRunTimes[OVERDUE] >= first);
  });

  test('disabling through /api/cron-config stops the ticks at once', async () => {
    assert.equal((await admin.post('/api/cron-config', { json: { interval: 'disabled' } })).status, 200);
    const health = await cronHealth();
    assert.ok(!health.activeTasks.includes(OVERDUE));
    await sleep(300); // a run that had already started may still finish
    const settled = (await cronHealth()).lastRunTimes[OVERDUE];
    await sleep(1300);
    assert.equal((await cronHealth()).lastRunTimes[OVERDUE], settled, 'no tick after the change');
  });

  test('the daemon shuts down cleanly with a seconds-level job scheduled', async () => {
    await writeCronService({ [OVERDUE]: { cronExpression: '* * * * * *', enabled: true }, [CLEANUP]: { cronExpression: '0 2 * * *', enabled: true } });
    assert.equal((await admin.post('/api/cron/reload-config')).status, 200);
    await sleep(1200);
    assert.equal(await daemon.stop(), 0);
    assert.doesNotMatch(daemon.output(), /\[scheduler\] task (overdue-backup-check|audit-log-cleanup) failed/);
    assert.doesNotMatch(daemon.output(), /unhandled rejection/i);
  });
});
