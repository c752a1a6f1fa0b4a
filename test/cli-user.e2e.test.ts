// End to end: `duplistatus user …` on the host, against the live database of a running daemon
// (WAL + busy timeout let both write). The recovery story of the issue: whoever cannot sign in
// resets the password from the CLI and then signs in over HTTP. Spec 04 §4.4, §9.2, §15.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Client as DbClient } from '@libsql/client';
import { startDaemon, type Daemon } from './helpers/daemon.ts';
import { assertNoSecrets, DEFAULT_ADMIN, DEFAULT_PASSWORD, openDaemonDb, runCli, signInFirstAdmin, TestClient } from './helpers/client.ts';

const ADMIN_PASSWORD = 'Adm1n-Chosen-Pw';
const SUBCOMMANDS = ['list', 'add', 'reset-password', 'unlock'];

describe('`duplistatus user` help', () => {
  test('`user --help` lists the four subcommands and exits 0', async () => {
    const run = await runCli(['user', '--help']);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /Usage: duplistatus user/);
    for (const sub of SUBCOMMANDS) assert.match(run.stdout, new RegExp(`^\\s+${sub}\\b`, 'm'), sub);
  });

  for (const sub of SUBCOMMANDS) {
    test(`\`user ${sub} --help\` documents its arguments and options`, async () => {
      const run = await runCli(['user', sub, '--help']);
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stdout, new RegExp(`Usage: duplistatus user ${sub} \\[options\\]${sub === 'list' ? '' : ' <name>'}`));
      for (const option of ['--data-dir', '--database-url']) assert.ok(run.stdout.includes(option), `${sub} --help mentions ${option}`);
      if (sub === 'add') assert.ok(run.stdout.includes('--admin'));
      if (sub === 'reset-password') assert.ok(run.stdout.includes('--stdin'));
    });
  }

  test('a missing name is refused with a usage error and exit code 1', async () => {
    for (const sub of ['add', 'reset-password', 'unlock']) {
      const run = await runCli(['user', sub]);
      assert.equal(run.status, 1, sub);
      assert.match(run.stderr, /missing required argument 'name'/);
    }
  });
});

describe('`duplistatus user` on the live database of a running daemon', () => {
  let daemon: Daemon;
  let db: DbClient;
  const cli = (...args: string[]) => runCli(['user', ...args], { dataDir: daemon.dataDir });
  const cliStdin = (input: string, ...args: string[]) => runCli(['user', ...args], { dataDir: daemon.dataDir, input });
  const login = (username: string, password: string) => new TestClient(daemon.url).login(username, password);
  /** Every CLI output, checked for hashes at the end. */
  const outputs: string[] = [];
  const track = <T extends { stdout: string; stderr: string }>(run: T) => (outputs.push(run.stdout, run.stderr), run);
  /** `user add <name>` and the temporary password it printed. */
  const addUser = async (name: string) => {
    const run = track(await cli('add', name));
    assert.equal(run.status, 0, run.stderr);
    return run.stdout.match(/Temporary password: (\S+)/)![1];
  };
  /** Five wrong passwords over HTTP: the account is locked for 15 minutes. */
  const lock = async (name: string) => {
    for (let i = 1; i <= 5; i++) await login(name, `Wr0ng-${i}`);
    const row = (await db.execute({ sql: 'SELECT locked_until FROM users WHERE username = ?', args: [name] })).rows[0];
    assert.ok(row.locked_until, `${name} is locked`);
  };

  before(async () => {
    daemon = await startDaemon();
    db = await openDaemonDb(daemon.dataDir);
  });
  after(async () => {
    db?.close();
    await daemon?.dispose();
  });

  test('`user list` on first start: the admin, flagged must-change-password, never signed in', async () => {
    const run = track(await cli('list'));
    assert.equal(run.status, 0, run.stderr);
    const lines = run.stdout.trim().split('\n');
    assert.equal(lines.length, 1);
    assert.match(lines[0], /^admin \(admin, must-change-password\)\s+last sign-in: never$/);
  });

  test('`user reset-password admin`: prints a temporary password; HTTP sign-in with it must change it', async () => {
    // the admin chose a password and then forgot it
    await signInFirstAdmin(daemon.url, ADMIN_PASSWORD);
    const run = track(await cli('reset-password', 'admin'));
    assert.equal(run.status, 0, run.stderr);
    const temp = run.stdout.match(/Temporary password for admin: (\S+)/)?.[1];
    assert.ok(temp, run.stdout);
    assert.ok(temp.length >= 12);
    assert.match(run.stdout, /must be changed at next sign-in/);

    assert.equal((await login(DEFAULT_ADMIN, ADMIN_PASSWORD)).status, 401, 'the forgotten password no longer works');
    const c = new TestClient(daemon.url);
    const res = await c.login(DEFAULT_ADMIN, temp);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.user.mustChangePassword, true);
    assert.equal(res.json.user.isAdmin, true, 'a reset keeps the role');
    assert.equal((await c.post('/api/auth/change-password', { json: { newPassword: ADMIN_PASSWORD } })).status, 200);
    assert.equal((await login(DEFAULT_ADMIN, ADMIN_PASSWORD)).status, 200);
  });

  test('the CLI reset is audited as admin_password_reset_cli (category system, actor system)', async () => {
    const run = track(await cli('reset-password', 'ADMIN'));
    assert.equal(run.status, 0, run.stderr);
    // first restore the admin's password for the following tests
    const temp = run.stdout.match(/Temporary password for admin: (\S+)/)![1];
    const c = new TestClient(daemon.url);
    assert.equal((await c.login(DEFAULT_ADMIN, temp)).status, 200);
    assert.equal((await c.post('/api/auth/change-password', { json: { newPassword: ADMIN_PASSWORD } })).status, 200);

    const row = (await db.execute("SELECT * FROM audit_log WHERE action = 'admin_password_reset_cli' ORDER BY id DESC LIMIT 1")).rows[0];
    assert.ok(row, 'an audit row was written');
    assert.equal(row.category, 'system');
    assert.equal(row.status, 'success');
    assert.deepStrictEqual(JSON.parse(String(row.details)), { targetUser: 'admin', method: 'cli' });
    assert.ok(!String(row.details).includes(temp), 'no password in the row');
    assert.equal(row.username, 'system', 'spec 04 §9.2 / §15 step 7: system events are by username `system`');
  });

  test('`user reset-password --stdin`: the password read from stdin works at once and is never printed', async () => {
    const chosen = 'Std1n-Chosen-Pw';
    const run = track(await cliStdin(`${chosen}\n`, 'reset-password', 'admin', '--stdin'));
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /Password reset for admin\./);
    assert.ok(!run.stdout.includes(chosen) && !run.stderr.includes(chosen), 'the password is not echoed');
    assert.equal((await login(DEFAULT_ADMIN, ADMIN_PASSWORD)).status, 401);
    const res = await login(DEFAULT_ADMIN, chosen);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.user.mustChangePassword, true, 'as the command says: must be changed at next sign-in');
    const c = new TestClient(daemon.url);
    await c.login(DEFAULT_ADMIN, chosen);
    assert.equal((await c.post('/api/auth/change-password', { json: { newPassword: ADMIN_PASSWORD } })).status, 200);
  });

  test('`--stdin` with a password that breaks the policy: exit 1 with the reasons, nothing changes', async () => {
    const hash = async () => (await db.execute("SELECT password_hash FROM users WHERE username = 'admin'")).rows[0].password_hash;
    const before = await hash();
    const short = track(await cliStdin('short\n', 'reset-password', 'admin', '--stdin'));
    assert.equal(short.status, 1);
    assert.match(short.stderr, /Password must be at least 8 characters long/);
    assert.match(short.stderr, /uppercase letter/);
    const dflt = track(await cliStdin(`${DEFAULT_PASSWORD}\n`, 'reset-password', 'admin', '--stdin'));
    assert.equal(dflt.status, 1);
    assert.match(dflt.stderr, /Cannot use the default password/);
    const empty = track(await cliStdin('', 'reset-password', 'admin', '--stdin'));
    assert.equal(empty.status, 1, 'an empty stdin is not a password');
    assert.equal(await hash(), before);
    assert.equal((await login(DEFAULT_ADMIN, ADMIN_PASSWORD)).status, 200);
  });

  test('`user add`: a temporary password that signs in over HTTP; --admin makes an administrator', async () => {
    const run = track(await cli('add', 'Bob'));
    assert.equal(run.status, 0, run.stderr);
    const temp = run.stdout.match(/Created bob\. Temporary password: (\S+)/)?.[1];
    assert.ok(temp, run.stdout);
    const res = await login('bob', temp);
    assert.equal(res.status, 200, res.text);
    assert.deepStrictEqual({ ...res.json.user, id: null }, { id: null, username: 'bob', isAdmin: false, mustChangePassword: true });

    const adminRun = track(await cli('add', 'carol', '--admin'));
    assert.equal(adminRun.status, 0, adminRun.stderr);
    assert.match(adminRun.stdout, /Created carol \(admin\)\. Temporary password: \S+/);
    const carol = new TestClient(daemon.url);
    const carolLogin = await carol.login('carol', adminRun.stdout.match(/Temporary password: (\S+)/)![1]);
    assert.equal(carolLogin.json.user.isAdmin, true);
    assert.equal((await carol.get('/api/users')).status, 200);

    const admin = await TestClient.signedIn(daemon.url, DEFAULT_ADMIN, ADMIN_PASSWORD);
    const names = (await admin.get('/api/users')).json.users.map((u: any) => u.username);
    assert.ok(names.includes('bob') && names.includes('carol'), 'the daemon sees the CLI\'s accounts at once');
  });

  test('`user add` refusals: duplicate (any case) and bad names exit 1 with a message', async () => {
    assert.equal(track(await cli('add', 'dupe')).status, 0);
    const count = async () => Number((await db.execute('SELECT COUNT(*) AS n FROM users')).rows[0].n);
    const before = await count();
    const dupe = track(await cli('add', 'DUPE'));
    assert.equal(dupe.status, 1);
    assert.match(dupe.stderr, /^Error: .*already exists/);
    assert.equal(dupe.stdout, '');
    const short = track(await cli('add', 'ab'));
    assert.equal(short.status, 1);
    assert.match(short.stderr, /^Error: Username must be between 3 and 50 characters/);
    assert.equal(await count(), before);
  });

  test('`user list` shows roles, the must-change flag, locks and last sign-in', async () => {
    assert.equal(track(await cli('add', 'lister-admin', '--admin')).status, 0);
    assert.equal(track(await cli('add', 'lister-locked')).status, 0);
    await lock('lister-locked');
    const run = track(await cli('list'));
    assert.equal(run.status, 0, run.stderr);
    const lines = run.stdout.trim().split('\n');
    const names = lines.map((l) => l.split(' ')[0]);
    assert.deepStrictEqual(names, [...names].sort(), 'sorted by name');
    const line = (name: string) => lines.find((l) => l.startsWith(`${name} `)) ?? assert.fail(`${name} not listed:\n${run.stdout}`);
    assert.match(line('admin'), /^admin \(admin\)\s+last sign-in: \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    assert.match(line('lister-admin'), /^lister-admin \(admin, must-change-password\)\s+last sign-in: never$/);
    assert.match(line('lister-locked'), /^lister-locked \(must-change-password, locked until \d{4}-\d{2}-\d{2}T[\d:.]+Z\)/);
  });

  test('`user unlock` clears the lockout of an account of the running daemon', async () => {
    const temp = await addUser('unlockme');
    await lock('unlockme');
    assert.equal((await login('unlockme', temp)).status, 403, 'precondition: locked, even for the right password');
    const run = track(await cli('unlock', 'UnlockMe'));
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /Unlocked unlockme\./);
    const row = (await db.execute("SELECT failed_login_attempts, locked_until FROM users WHERE username = 'unlockme'")).rows[0];
    assert.equal(Number(row.failed_login_attempts), 0);
    assert.equal(row.locked_until, null);
    assert.equal((await login('unlockme', 'Wr0ng-again')).status, 401, 'a wrong password is a normal failure again');
    assert.equal((await login('unlockme', temp)).status, 200, 'the password is unchanged');
  });

  test('`user reset-password` also clears a lockout', async () => {
    const original = await addUser('resetme');
    await lock('resetme');
    const run = track(await cli('reset-password', 'resetme'));
    assert.equal(run.status, 0, run.stderr);
    const temp = run.stdout.match(/Temporary password for resetme: (\S+)/)![1];
    assert.equal((await login('resetme', original)).status, 401);
    const res = await login('resetme', temp);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.user.mustChangePassword, true);
  });

  test('unknown user: exit 1 and a clear message, nothing printed on stdout', async () => {
    for (const args of [['reset-password', 'nobody'], ['unlock', 'nobody']]) {
      const run = track(await cli(...args));
      assert.equal(run.status, 1, args.join(' '));
      assert.match(run.stderr, /User 'nobody' not found/);
      assert.equal(run.stdout, '');
    }
    const viaStdin = track(await cliStdin('Val1d-Password\n', 'reset-password', 'nobody', '--stdin'));
    assert.equal(viaStdin.status, 1);
    assert.match(viaStdin.stderr, /User 'nobody' not found/);
  });

  test('no password hash in any CLI output or daemon output', async () => {
    const hashes = (await db.execute('SELECT password_hash FROM users')).rows.map((r) => String(r.password_hash));
    assertNoSecrets(outputs.join('\n'), hashes, 'CLI output');
    assertNoSecrets(daemon.output(), [...hashes, ADMIN_PASSWORD, 'Std1n-Chosen-Pw'], 'daemon output');
  });
});
