// End to end: the executable itself. CLI entry points, start on a free port with a temp data dir,
// clean SIGTERM shutdown, and data that survives a restart on the same data dir (decision 14).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BIN, ROOT, startDaemon, tempDir, type Daemon } from './helpers/daemon.ts';
import { fixtureBody, fixtureNames } from './helpers/fixtures.ts';
import { assertErrorEnvelope, getJson, getSummary, stableSummary, upload } from './helpers/http.ts';

const NEWEST_RUN = '2026-11-24T20:15:00.773Z'; // backup-unicode-names.json
const SERVER_IDS = [
  '4c8e2f6a9d1b47e3b5a07c3d9e2f1a68', // homeserver (two jobs)
  'a71d3e9c0b5f4e28968c4f2d1b7e5a30', // DESKTOP-7QK2M4P
  'e0b64c2d8a3f4917b2c5d6e7f8091a2b', // 9f3c2b7d1e4a
  'f2a0c4e6b8d1435797a9cbdef0123456', // FILESRV01
  '0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a', // raspberrypi
  '5d2a9f7c3e1b4a6d8f0e2c4b6a8d0f13', // web-prod-03
  'c3f18a7e2d9b4c05a6e1f7d2b8c9a4e0', // Zoë’s MacBook Pro
];

function cli(...args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 15_000,
    env: { ...process.env, NODE_ENV: 'production' },
  });
}

describe('command line', () => {
  test('`duplistatus --version` prints the package version and exits 0', () => {
    const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const run = cli('--version');
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.trim(), version);
    assert.match(run.stdout.trim(), /^\d+\.\d+\.\d+/);
  });

  test('`duplistatus --help` lists the serve command', () => {
    const run = cli('--help');
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /Usage: duplistatus/);
    assert.match(run.stdout, /\bserve\b/);
  });

  test('`duplistatus serve --help` documents its options and exits 0', () => {
    const run = cli('serve', '--help');
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /Usage: duplistatus serve/);
    for (const option of ['--port', '--host', '--data-dir', '--database-url']) {
      assert.ok(run.stdout.includes(option), `serve --help mentions ${option}`);
    }
  });

  test('`duplistatus serve --port banana` fails with a message and a non-zero exit code', () => {
    const dataDir = tempDir();
    try {
      const run = cli('serve', '--port', 'banana', '--host', '127.0.0.1', '--data-dir', dataDir);
      assert.notEqual(run.status, 0);
      assert.match(run.stderr, /port/i);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('daemon lifecycle', () => {
  test('serve listens on a free port, creates its database in the data dir, SIGTERM exits 0', async () => {
    const daemon = await startDaemon();
    try {
      assert.match(daemon.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.notEqual(new URL(daemon.url).port, '9666', 'asked for port 0, got a free one');
      assert.ok(existsSync(path.join(daemon.dataDir, 'backups.db')), 'DATA_DIR/backups.db exists (decision 14)');
      const health = await getJson(daemon.url, '/api/health');
      assert.equal(health.status, 200);
      assert.equal(health.json.status, 'healthy');
      const started = Date.now();
      assert.equal(await daemon.stop(), 0);
      assert.ok(Date.now() - started < 10_000, 'shut down promptly');
    } finally {
      await daemon.dispose();
    }
  });

  test('SIGTERM right after an upload (keep-alive socket open) still exits 0', async () => {
    const daemon = await startDaemon();
    try {
      const res = await upload(daemon.url, fixtureBody('backup-success.json'));
      assert.equal(res.status, 200);
      assert.equal(await daemon.stop(), 0);
    } finally {
      await daemon.dispose();
    }
  });

  test('SIGINT (Ctrl-C) exits 0 as well', async () => {
    const daemon = await startDaemon();
    try {
      assert.equal((await getJson(daemon.url, '/api/health')).status, 200);
      const exited = new Promise<[number | null, string | null]>((resolve) =>
        daemon.process.once('exit', (code, signal) => resolve([code, signal])),
      );
      daemon.process.kill('SIGINT');
      assert.deepStrictEqual(await exited, [0, null]);
    } finally {
      await daemon.dispose();
    }
  });

  test('SIGTERM sent as soon as the daemon says it is listening is a clean exit 0', async () => {
    // Once "listening on …" is printed the daemon is announced ready, so a supervisor may stop it
    // at once; the signal must then be handled (clean shutdown, exit 0), not kill the process.
    const daemon = await startDaemon();
    try {
      const exited = new Promise<[number | null, string | null]>((resolve) =>
        daemon.process.once('exit', (code, signal) => resolve([code, signal])),
      );
      daemon.process.kill('SIGTERM');
      assert.deepStrictEqual(await exited, [0, null], `output:\n${daemon.output()}`);
    } finally {
      await daemon.dispose();
    }
  });
});

describe('restart on the same data dir', () => {
  const dataDir = tempDir();
  let first: Daemon | undefined;
  let second: Daemon | undefined;
  let summaryBefore: any;
  const readsBefore = new Map<string, unknown>();

  /** Everything the public API says about the stored runs. */
  async function publicReads(url: string): Promise<Map<string, unknown>> {
    const reads = new Map<string, unknown>();
    for (const id of SERVER_IDS) {
      for (const endpoint of ['lastbackup', 'lastbackups']) {
        const res = await getJson(url, `/api/${endpoint}/${id}`);
        assert.equal(res.status, 200, `${endpoint}/${id}`);
        reads.set(`${endpoint}/${id}`, res.json);
      }
    }
    return reads;
  }

  before(async () => {
    first = await startDaemon({ dataDir });
    for (const name of fixtureNames()) {
      const res = await upload(first.url, fixtureBody(name));
      assert.equal(res.status, 200, `${name}: ${JSON.stringify(res.json)}`);
    }
    summaryBefore = await getSummary(first.url, NEWEST_RUN);
    for (const [key, value] of await publicReads(first.url)) readsBefore.set(key, value);
  });

  after(async () => {
    await first?.stop();
    await second?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('the first daemon stored the eight runs and stops with exit code 0', async () => {
    assert.equal(summaryBefore.totalServers, 7);
    assert.equal(summaryBefore.totalBackupsRuns, 8);
    assert.equal(await first!.stop(), 0);
  });

  test('a new daemon on the same data dir serves the same summary', async () => {
    second = await startDaemon({ dataDir });
    assert.notEqual(second.url, undefined);
    const summaryAfter = await getSummary(second.url, NEWEST_RUN);
    assert.deepStrictEqual(stableSummary(summaryAfter), stableSummary(summaryBefore));
    assert.deepStrictEqual(stableSummary(summaryAfter), {
      totalServers: 7,
      totalBackupsRuns: 8,
      totalBackups: 8,
      totalUploadedSize: 1502183051675,
      totalStorageUsed: 1946945954506,
      totalBackupSize: 2075098879542,
      overdueBackupsCount: summaryBefore.overdueBackupsCount,
    });
  });

  test('…and the same lastbackup/lastbackups answers, ids and created_at included', async () => {
    assert.ok(second, 'second daemon started');
    const readsAfter = await publicReads(second.url);
    for (const [key, value] of readsBefore) assert.deepStrictEqual(readsAfter.get(key), value, key);
  });

  test('…and still knows every run: each fixture sent again is a 409', async () => {
    assert.ok(second, 'second daemon started');
    for (const name of fixtureNames().filter((n) => n !== 'restore-operation.json')) {
      const res = await upload(second.url, fixtureBody(name));
      assert.equal(res.status, 409, name);
      assertErrorEnvelope(res.json, 'ignored, duplicated data');
    }
    assert.equal((await getSummary(second.url, NEWEST_RUN)).totalBackupsRuns, 8);
  });

  test('the second daemon stops with exit code 0 too', async () => {
    assert.ok(second, 'second daemon started');
    assert.equal(await second.stop(), 0);
  });
});
