// End to end: POST /api/upload on the real daemon, fed the shared Duplicati bodies byte for byte
// (Content-Type: application/json, raw body) and broken variants of them.
// Spec 01 §2, decisions 1, 4, 5, 13. Field-by-field values of the stored runs are checked in
// public-api.e2e.test.ts; here: status codes, bodies, and that nothing else changes the database.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { startDaemon, type Daemon } from './helpers/daemon.ts';
import { fixtureBody, fixtureNames } from './helpers/fixtures.ts';
import {
  assertErrorEnvelope,
  editedFixture,
  getJson,
  getSummary,
  stableSummary,
  upload,
  type JsonResponse,
} from './helpers/http.ts';

const RESTORE = 'restore-operation.json';
const BACKUPS = fixtureNames().filter((name) => name !== RESTORE);

/** Newest BeginTime over all backup fixtures (backup-unicode-names.json, 20:15:00.7739012Z). */
const NEWEST_RUN = '2026-11-24T20:15:00.773Z';

let daemon: Daemon;

before(async () => {
  daemon = await startDaemon();
});

after(async () => {
  await daemon?.dispose();
});

/** Summary of the daemon; `newest` = newest stored run (null: none yet). */
const summaryOf = (d: Daemon, newest: string | null = NEWEST_RUN) => getSummary(d.url, newest);

describe('Duplicati reports', () => {
  test('the fixture folder holds the eight backup bodies and the restore body', () => {
    assert.deepStrictEqual(fixtureNames(), [
      'backup-error.json',
      'backup-initial-over-24h.json',
      'backup-minimal-fields.json',
      'backup-other-machine.json',
      'backup-second-job-same-machine.json',
      'backup-success.json',
      'backup-unicode-names.json',
      'backup-warning.json',
      'restore-operation.json',
    ]);
  });

  test('a Restore report is answered 200 {success, ignored, reason} and stores nothing', async () => {
    const res = await upload(daemon.url, fixtureBody(RESTORE));
    assert.equal(res.status, 200);
    assert.deepStrictEqual(Object.keys(res.json).sort(), ['ignored', 'reason', 'success']);
    assert.equal(res.json.success, true);
    assert.equal(res.json.ignored, true);
    assert.equal(typeof res.json.reason, 'string');
    assert.ok(res.json.reason.length > 0);
    // Nothing at all: not even the server row of the laptop that sent it.
    assert.deepStrictEqual(await summaryOf(daemon, null), {
      totalServers: 0,
      totalBackupsRuns: 0,
      totalBackups: 0,
      totalUploadedSize: 0,
      totalStorageUsed: 0,
      totalBackupSize: 0,
      overdueBackupsCount: 0,
      secondsSinceLastBackup: null,
    });
    const lookup = await getJson(daemon.url, '/api/lastbackup/a71d3e9c0b5f4e28968c4f2d1b7e5a30');
    assert.equal(lookup.status, 404);
  });

  // Servers/runs after each upload, in fixtureNames() order (homeserver's second job adds no server).
  const counts: Record<string, { servers: number; runs: number }> = {
    'backup-error.json': { servers: 1, runs: 1 },
    'backup-initial-over-24h.json': { servers: 2, runs: 2 },
    'backup-minimal-fields.json': { servers: 3, runs: 3 },
    'backup-other-machine.json': { servers: 4, runs: 4 },
    'backup-second-job-same-machine.json': { servers: 5, runs: 5 },
    'backup-success.json': { servers: 5, runs: 6 },
    'backup-unicode-names.json': { servers: 6, runs: 7 },
    'backup-warning.json': { servers: 7, runs: 8 },
  };

  for (const name of BACKUPS) {
    test(`${name} is accepted: 200 {"success":true}, one run stored`, async () => {
      const res = await upload(daemon.url, fixtureBody(name));
      assert.equal(res.status, 200, JSON.stringify(res.json));
      assert.deepStrictEqual(res.json, { success: true });
      const { json } = await getJson(daemon.url, '/api/summary');
      assert.equal(json.totalServers, counts[name].servers);
      assert.equal(json.totalBackupsRuns, counts[name].runs);
    });
  }

  test('all eight runs are stored: 7 servers, 8 runs, 8 jobs', async () => {
    const summary = await summaryOf(daemon);
    assert.equal(summary.totalServers, 7);
    assert.equal(summary.totalBackupsRuns, 8);
    assert.equal(summary.totalBackups, 8);
  });

  for (const name of BACKUPS) {
    test(`${name} sent again → 409 error envelope, nothing stored`, async () => {
      const before = await summaryOf(daemon);
      const res = await upload(daemon.url, fixtureBody(name));
      assert.equal(res.status, 409);
      assertErrorEnvelope(res.json, 'ignored, duplicated data');
      assert.deepStrictEqual(stableSummary(await summaryOf(daemon)), stableSummary(before));
    });
  }

  test('the Restore report sent after the backups still stores nothing', async () => {
    const before = await summaryOf(daemon);
    const laptopBefore = await getJson(daemon.url, '/api/lastbackups/a71d3e9c0b5f4e28968c4f2d1b7e5a30');
    const res = await upload(daemon.url, fixtureBody(RESTORE));
    assert.equal(res.status, 200);
    assert.equal(res.json.ignored, true);
    assert.deepStrictEqual(stableSummary(await summaryOf(daemon)), stableSummary(before));
    const laptopAfter = await getJson(daemon.url, '/api/lastbackups/a71d3e9c0b5f4e28968c4f2d1b7e5a30');
    assert.deepStrictEqual(laptopAfter.json, laptopBefore.json);
    assert.deepStrictEqual(laptopAfter.json.backup_names, ['Laptop - User profile']);
    assert.equal(laptopAfter.json.latest_backups[0].status, 'Warning');
  });

  test('the body is read as JSON whatever the Content-Type says', async () => {
    const body = editedFixture('backup-success.json', (r) => {
      r.Extra['machine-id'] = '0123456789abcdef0123456789abcdef';
      r.Extra['machine-name'] = 'plain-text-sender';
    });
    const res = await upload(daemon.url, body, { headers: { 'Content-Type': 'text/plain' } });
    assert.equal(res.status, 200);
    assert.deepStrictEqual(res.json, { success: true });
    const stored = await getJson(daemon.url, '/api/lastbackup/plain-text-sender');
    assert.equal(stored.status, 200);
    assert.equal(stored.json.latest_backup.date, '2026-11-24T02:00:00.417Z');
  });

  test('a report with only the identity and BeginTime is stored; missing numbers are 0 (decision 4)', async () => {
    const body = JSON.stringify({
      Data: { MainOperation: 'Backup', BeginTime: '2026-11-23T10:00:00Z' },
      Extra: { 'machine-id': 'feedfacefeedfacefeedfacefeedface', 'machine-name': 'bare', 'backup-name': 'Bare job' },
    });
    const res = await upload(daemon.url, body);
    assert.equal(res.status, 200, JSON.stringify(res.json));
    const { json } = await getJson(daemon.url, '/api/lastbackup/feedfacefeedfacefeedfacefeedface');
    const b = json.latest_backup;
    assert.equal(b.name, 'Bare job');
    assert.equal(b.date, '2026-11-23T10:00:00.000Z');
    for (const key of ['warnings', 'errors', 'messages', 'fileCount', 'fileSize', 'uploadedSize', 'knownFileSize', 'backup_list_count']) {
      assert.equal(b[key], 0, key);
    }
    for (const key of ['messages_array', 'warnings_array', 'errors_array', 'available_backups']) {
      assert.deepStrictEqual(b[key], [], key);
    }
  });
});

describe('malformed bodies', () => {
  // Built on backup-success.json with a machine-id nobody else uses: if a broken body were stored,
  // /api/lastbackup/<BAD_ID> would find it.
  const BAD_ID = 'bad0bad0bad0bad0bad0bad0bad0bad0';
  const broken = (edit: (r: any) => void) =>
    editedFixture('backup-success.json', (r) => {
      r.Extra['machine-id'] = BAD_ID;
      r.Extra['machine-name'] = 'bad-host';
      edit(r);
    });
  const valid = broken(() => {});

  interface Case {
    name: string;
    body: string;
    status: number;
    missingFields?: string[];
    /** Each must be named by (a prefix of) one invalidFields entry. */
    invalidFields?: string[];
    error?: string | RegExp;
  }

  const cases: Case[] = [
    { name: 'invalid JSON', body: '{"Data": {"MainOperation": "Backup",', status: 400 },
    { name: 'a fixture cut in half', body: valid.slice(0, Math.floor(valid.length / 2)), status: 400 },
    { name: 'an empty body', body: '', status: 400 },
    { name: 'plain text', body: 'hello', status: 400 },
    { name: 'a JSON array', body: '[]', status: 400 },
    { name: 'a JSON array holding a valid report', body: `[${valid}]`, status: 400 },
    { name: 'a JSON string', body: '"hello"', status: 400 },
    { name: 'JSON null', body: 'null', status: 400 },
    { name: 'a JSON number', body: '42', status: 400 },
    { name: 'JSON true', body: 'true', status: 400 },
    { name: 'Data a string', body: broken((r) => (r.Data = 'Backup')), status: 400 },
    { name: 'Data an array', body: broken((r) => (r.Data = [r.Data])), status: 400 },
    { name: 'Data a number', body: broken((r) => (r.Data = 1)), status: 400 },
    { name: 'Extra a string', body: broken((r) => (r.Extra = `machine-id=${BAD_ID}`)), status: 400 },
    { name: 'Extra an array', body: broken((r) => (r.Extra = [r.Extra])), status: 400 },
    {
      name: 'no machine-id',
      body: broken((r) => delete r.Extra['machine-id']),
      status: 400,
      missingFields: ['machine-id'],
      error: 'Missing required fields in Extra section: machine-id',
    },
    {
      name: 'no machine-name',
      body: broken((r) => delete r.Extra['machine-name']),
      status: 400,
      missingFields: ['machine-name'],
      error: 'Missing required fields in Extra section: machine-name',
    },
    {
      name: 'no backup-name',
      body: broken((r) => delete r.Extra['backup-name']),
      status: 400,
      missingFields: ['backup-name'],
      error: 'Missing required fields in Extra section: backup-name',
    },
    {
      name: 'empty machine-id and null backup-name',
      body: broken((r) => {
        r.Extra['machine-id'] = '';
        r.Extra['backup-name'] = null;
      }),
      status: 400,
      missingFields: ['machine-id', 'backup-name'],
      error: 'Missing required fields in Extra section: machine-id, backup-name',
    },
    {
      name: 'no Extra section',
      body: broken((r) => delete r.Extra),
      status: 400,
      missingFields: ['machine-id', 'machine-name', 'backup-name'],
    },
    {
      name: 'no BeginTime',
      body: broken((r) => delete r.Data.BeginTime),
      status: 400,
      missingFields: ['BeginTime'],
      error: 'Missing required fields in Data section: BeginTime',
    },
    { name: 'BeginTime null', body: broken((r) => (r.Data.BeginTime = null)), status: 400, missingFields: ['BeginTime'] },
    { name: 'BeginTime empty', body: broken((r) => (r.Data.BeginTime = '')), status: 400, missingFields: ['BeginTime'] },
    { name: 'no Data section', body: broken((r) => delete r.Data), status: 400, missingFields: ['BeginTime'] },
    { name: 'BeginTime "not a date"', body: broken((r) => (r.Data.BeginTime = 'not a date')), status: 400 },
    { name: 'BeginTime month 13', body: broken((r) => (r.Data.BeginTime = '2026-13-24T02:00:00Z')), status: 400 },
    { name: 'BeginTime 31 February', body: broken((r) => (r.Data.BeginTime = '2026-02-31T02:00:00Z')), status: 400 },
    { name: 'BeginTime a number', body: broken((r) => (r.Data.BeginTime = 1764000000000)), status: 400 },
    {
      name: 'ExaminedFiles "abc"',
      body: broken((r) => (r.Data.ExaminedFiles = 'abc')),
      status: 400,
      invalidFields: ['Data.ExaminedFiles'],
    },
    {
      name: 'Duration "banana"',
      body: broken((r) => (r.Data.Duration = 'banana')),
      status: 400,
      invalidFields: ['Data.Duration'],
    },
    {
      name: 'BytesUploaded "lots" and SizeOfExaminedFiles an object',
      body: broken((r) => {
        r.Data.BackendStatistics.BytesUploaded = 'lots';
        r.Data.SizeOfExaminedFiles = { bytes: 1 };
      }),
      status: 400,
      invalidFields: ['Data.BackendStatistics.BytesUploaded', 'Data.SizeOfExaminedFiles'],
    },
    {
      name: 'ExaminedFiles "abc" and Duration "banana" together',
      body: broken((r) => {
        r.Data.ExaminedFiles = 'abc';
        r.Data.Duration = 'banana';
      }),
      status: 400,
      invalidFields: ['Data.ExaminedFiles', 'Data.Duration'],
    },
    {
      name: 'a body over 10 MB (valid JSON)',
      // 10 MiB is the limit; 10.5 MiB of log text in an otherwise valid report.
      body: broken((r) => r.LogLines.push('x'.repeat(10.5 * 1024 * 1024))),
      status: 413,
    },
  ];

  for (const c of cases) {
    test(`${c.name} → ${c.status}, database unchanged`, async () => {
      const summaryBefore = await summaryOf(daemon);
      const res: JsonResponse = await upload(daemon.url, c.body);
      assert.equal(res.status, c.status, JSON.stringify(res.json).slice(0, 500));
      assertErrorEnvelope(res.json, c.error);
      if (c.missingFields) assert.deepStrictEqual(res.json.missingFields, c.missingFields);
      if (c.invalidFields) {
        assert.ok(Array.isArray(res.json.invalidFields), 'invalidFields is an array');
        assert.equal(res.json.invalidFields.length, c.invalidFields.length, JSON.stringify(res.json.invalidFields));
        for (const field of c.invalidFields) {
          assert.ok(
            res.json.invalidFields.some((f: string) => f === field || f.startsWith(`${field} `)),
            `invalidFields ${JSON.stringify(res.json.invalidFields)} names ${field}`,
          );
        }
      }
      assert.deepStrictEqual(stableSummary(await summaryOf(daemon)), stableSummary(summaryBefore));
      const lookup = await getJson(daemon.url, `/api/lastbackup/${BAD_ID}`);
      assert.equal(lookup.status, 404, 'no server row was created');
    });
  }

  test('a chunked body over 10 MB (no Content-Length) → 413, database unchanged', async () => {
    const summaryBefore = await summaryOf(daemon);
    const bytes = Buffer.from(broken((r) => r.LogLines.push('y'.repeat(11 * 1024 * 1024))));
    // node:http on its own socket (agent: false): the server may close it after refusing the body.
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(`${daemon.url}/api/upload`, {
        method: 'POST',
        agent: false,
        headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
      });
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      // Refusing early may cut the upload short; only the answer matters.
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
      });
      for (let i = 0; i < bytes.length; i += 64 * 1024) req.write(bytes.subarray(i, i + 64 * 1024));
      req.end();
    });
    assert.equal(status, 413);
    assertErrorEnvelope(JSON.parse(body));
    assert.deepStrictEqual(stableSummary(await summaryOf(daemon)), stableSummary(summaryBefore));
    assert.equal((await getJson(daemon.url, `/api/lastbackup/${BAD_ID}`)).status, 404);
  });

  test('the same body without the fault is accepted (the cases above fail for their fault only)', async () => {
    const res = await upload(daemon.url, valid);
    assert.equal(res.status, 200);
    const lookup = await getJson(daemon.url, `/api/lastbackup/${BAD_ID}`);
    assert.equal(lookup.status, 200);
    assert.equal(lookup.json.server.name, 'bad-host');
  });
});

describe('concurrent retries', () => {
  test('20 identical uploads at once store exactly one run: one 200, nineteen 409', async () => {
    const ID = 'c0ffee00c0ffee00c0ffee00c0ffee00';
    const body = editedFixture('backup-warning.json', (r) => {
      r.Extra['machine-id'] = ID;
      r.Extra['machine-name'] = 'stampede';
    });
    const before = await summaryOf(daemon);
    const answers = await Promise.all(Array.from({ length: 20 }, () => upload(daemon.url, body)));
    const statuses = answers.map((a) => a.status).sort();
    assert.deepStrictEqual(statuses, [200, ...Array(19).fill(409)]);
    for (const a of answers) {
      if (a.status === 200) assert.deepStrictEqual(a.json, { success: true });
      else assertErrorEnvelope(a.json, 'ignored, duplicated data');
    }
    const after = await summaryOf(daemon);
    assert.equal(after.totalServers, before.totalServers + 1);
    assert.equal(after.totalBackupsRuns, before.totalBackupsRuns + 1);
    assert.equal(after.totalBackups, before.totalBackups + 1);
    assert.equal(after.totalUploadedSize, before.totalUploadedSize + 64146425); // one BytesUploaded, not twenty
    const jobs = await getJson(daemon.url, `/api/lastbackups/${ID}`);
    assert.equal(jobs.json.backup_jobs_count, 1);
    assert.equal(jobs.json.latest_backups[0].date, '2026-11-24T00:30:00.883Z');
  });
});

describe('server identity (decision 8)', () => {
  test('a newer report with a new machine-name renames the server, keeping its id and runs', async () => {
    const ID = '5e1f5e1f5e1f5e1f5e1f5e1f5e1f5e1f';
    const first = editedFixture('backup-second-job-same-machine.json', (r) => {
      r.Extra['machine-id'] = ID;
      r.Extra['machine-name'] = 'old-hostname';
    });
    const renamed = editedFixture('backup-second-job-same-machine.json', (r) => {
      r.Extra['machine-id'] = ID;
      r.Extra['machine-name'] = 'new-hostname';
      r.Data.BeginTime = '2026-11-24T04:30:00.5000000Z'; // one hour after the first run
    });
    assert.equal((await upload(daemon.url, first)).status, 200);
    assert.equal((await upload(daemon.url, renamed)).status, 200);
    const res = await getJson(daemon.url, `/api/lastbackups/${ID}`);
    assert.equal(res.json.server.name, 'new-hostname');
    assert.equal(res.json.backup_jobs_count, 1);
    assert.equal(res.json.latest_backups[0].date, '2026-11-24T04:30:00.500Z');
    assert.equal((await getJson(daemon.url, '/api/lastbackup/new-hostname')).json.server.id, ID);
    assert.equal((await getJson(daemon.url, '/api/lastbackup/old-hostname')).status, 404);
  });
});

describe('upload token (decision 13)', () => {
  const TOKEN = 's3cret';
  let guarded: Daemon;

  before(async () => {
    guarded = await startDaemon({ env: { UPLOAD_TOKEN: TOKEN } });
  });

  after(async () => {
    await guarded?.dispose();
  });

  const rejected: [string, { query?: string; headers?: Record<string, string> }][] = [
    ['no token', {}],
    ['a wrong ?token=', { query: '?token=wrong' }],
    ['an empty ?token=', { query: '?token=' }],
    ['the token with a different case', { query: '?token=S3CRET' }],
    ['a wrong Bearer token', { headers: { Authorization: 'Bearer wrong' } }],
    ['the token as Basic credentials', { headers: { Authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` } }],
  ];

  for (const [name, options] of rejected) {
    test(`upload with ${name} → 401, nothing stored`, async () => {
      const res = await upload(guarded.url, fixtureBody('backup-success.json'), options);
      assert.equal(res.status, 401);
      assertErrorEnvelope(res.json);
      const summary = await summaryOf(guarded, null);
      assert.equal(summary.totalBackupsRuns, 0);
      assert.equal(summary.totalServers, 0);
    });
  }

  test('upload with ?token=s3cret → 200', async () => {
    const res = await upload(guarded.url, fixtureBody('backup-success.json'), { query: `?token=${TOKEN}` });
    assert.equal(res.status, 200);
    assert.deepStrictEqual(res.json, { success: true });
  });

  test('upload with Authorization: Bearer s3cret → 200', async () => {
    const res = await upload(guarded.url, fixtureBody('backup-second-job-same-machine.json'), {
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(res.status, 200);
    assert.deepStrictEqual(res.json, { success: true });
  });

  test('both accepted uploads are stored; the read API needs no token', async () => {
    const summary = await summaryOf(guarded, '2026-11-24T03:30:00.221Z');
    assert.equal(summary.totalServers, 1);
    assert.equal(summary.totalBackupsRuns, 2);
    const jobs = await getJson(guarded.url, '/api/lastbackups/homeserver');
    assert.deepStrictEqual(jobs.json.backup_names, ['Docker volumes', 'Photos']);
  });

  test('a duplicate with the right token is still a 409', async () => {
    const res = await upload(guarded.url, fixtureBody('backup-success.json'), { query: `?token=${TOKEN}` });
    assert.equal(res.status, 409);
    assertErrorEnvelope(res.json, 'ignored, duplicated data');
  });
});
