// End to end: GET /metrics on the real daemon (beyond the reference). Off by default (404), on with
// METRICS=true, behind a bearer token with METRICS_TOKEN (401 otherwise). The body must pass a
// strict parser of the Prometheus text format and carry the fixture values, computed by hand.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startDaemon, type Daemon } from './helpers/daemon.ts';
import { fixtureBody, fixtureNames } from './helpers/fixtures.ts';
import { assertErrorEnvelope, editedFixture, upload } from './helpers/http.ts';
import { parseExposition, sampleOf, type ParsedFamily } from './helpers/prometheus.ts';

const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
const TOKEN = 'scrape-s3cret-ü';

interface Job {
  server_id: string;
  server_name: string;
  backup_name: string;
  /** ISO BeginTime, truncated to milliseconds. */
  date: string;
  status: string;
  duration: number;
  uploaded: number;
  examined: number;
  known: number;
  files: number;
  warnings: number;
  errors: number;
  versions: number;
  /** Next expected run: Extra.next-scheduled-run when sent, else the run + 1 day (default interval). */
  due: string;
}

// From the fixture bodies (Extra.machine-id/machine-name/backup-name, Data.BeginTime, ParsedResult,
// Duration, BytesUploaded, SizeOfExaminedFiles, KnownFileSize, ExaminedFiles, *ActualLength, BackupListCount).
const JOBS: Record<string, Job> = {
  'backup-error.json': {
    server_id: 'e0b64c2d8a3f4917b2c5d6e7f8091a2b', server_name: '9f3c2b7d1e4a', backup_name: 'Nextcloud data',
    date: '2026-11-24T01:30:00.118Z', status: 'Fatal', duration: 0, uploaded: 0, examined: 0, known: 143622917120,
    files: 0, warnings: 2, errors: 1, versions: 57, due: '2026-11-25T01:30:00.000Z',
  },
  'backup-initial-over-24h.json': {
    server_id: 'f2a0c4e6b8d1435797a9cbdef0123456', server_name: 'FILESRV01', backup_name: 'Company shares',
    date: '2026-11-20T23:00:00.220Z', status: 'Success', duration: 97965.8841023, uploaded: 1500918581295, examined: 1873452118016,
    known: 1500918581295, files: 1284511, warnings: 0, errors: 0, versions: 1, due: '2026-11-21T23:00:00.220Z',
  },
  'backup-minimal-fields.json': {
    server_id: '0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a', server_name: 'raspberrypi', backup_name: 'Duplicati.CommandLine',
    date: '2026-11-22T21:14:09.552Z', status: 'Success', duration: 290.4659755, uploaded: 693687507, examined: 734003219,
    known: 693687507, files: 1204, warnings: 0, errors: 0, versions: 1, due: '2026-11-23T21:14:09.552Z',
  },
  'backup-other-machine.json': {
    server_id: '5d2a9f7c3e1b4a6d8f0e2c4b6a8d0f13', server_name: 'web-prod-03', backup_name: 'Website and DB dumps',
    date: '2026-11-24T03:15:00.662Z', status: 'Success', duration: 38.544944, uploaded: 70401232, examined: 9711390214,
    known: 46918224113, files: 28817, warnings: 0, errors: 0, versions: 25, due: '2026-11-25T03:15:00.000Z',
  },
  'backup-second-job-same-machine.json': {
    server_id: '4c8e2f6a9d1b47e3b5a07c3d9e2f1a68', server_name: 'homeserver', backup_name: 'Docker volumes',
    date: '2026-11-24T03:30:00.221Z', status: 'Success', duration: 60.6248712, uploaded: 33075321, examined: 41873094656,
    known: 27310554112, files: 12904, warnings: 0, errors: 0, versions: 30, due: '2026-11-25T03:30:00.221Z',
  },
  'backup-success.json': {
    server_id: '4c8e2f6a9d1b47e3b5a07c3d9e2f1a68', server_name: 'homeserver', backup_name: 'Photos',
    date: '2026-11-24T02:00:00.417Z', status: 'Success', duration: 148.7399674, uploaded: 236583750, examined: 187403571264,
    known: 189214837122, files: 48213, warnings: 0, errors: 0, versions: 14, due: '2026-11-25T02:00:00.417Z',
  },
  'backup-unicode-names.json': {
    server_id: 'c3f18a7e2d9b4c05a6e1f7d2b8c9a4e0', server_name: 'Zoë’s MacBook Pro', backup_name: 'Fotos & Videos "Urlaub" 2026 – Zoë/日本',
    date: '2026-11-24T20:15:00.773Z', status: 'Success', duration: 68.4845737, uploaded: 166576145, examined: 88123400221,
    known: 23870117341, files: 20417, warnings: 0, errors: 0, versions: 31, due: '2026-11-25T20:15:00.000Z',
  },
  'backup-warning.json': {
    server_id: 'a71d3e9c0b5f4e28968c4f2d1b7e5a30', server_name: 'DESKTOP-7QK2M4P', backup_name: 'Laptop - User profile',
    date: '2026-11-24T00:30:00.883Z', status: 'Warning', duration: 86.4147147, uploaded: 64146425, examined: 61204873216,
    known: 203611873018, files: 96412, warnings: 2, errors: 0, versions: 16, due: '2026-11-25T00:30:00.000Z',
  },
};

const PER_JOB_FAMILIES = [
  'duplistatus_job_last_run_timestamp_seconds',
  'duplistatus_job_last_status',
  'duplistatus_job_last_duration_seconds',
  'duplistatus_job_last_uploaded_bytes',
  'duplistatus_job_last_examined_bytes',
  'duplistatus_job_last_known_bytes',
  'duplistatus_job_last_examined_files',
  'duplistatus_job_last_warnings',
  'duplistatus_job_last_errors',
  'duplistatus_job_last_versions',
  'duplistatus_job_overdue',
  'duplistatus_job_next_expected_run_timestamp_seconds',
  'duplistatus_job_runs',
  'duplistatus_job_runs_uploaded_bytes',
];

async function getMetrics(d: Daemon, headers: Record<string, string> = {}, query = '') {
  const requestedAt = Date.now();
  const res = await fetch(`${d.url}/metrics${query}`, { headers });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, requestedAt, answeredAt: Date.now() };
}

/** A 200 with the exposition content type, parsed strictly. */
async function scrape(d: Daemon, headers: Record<string, string> = {}) {
  const res = await getMetrics(d, headers);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.headers.get('content-type'), CONTENT_TYPE);
  assert.match(res.headers.get('cache-control') ?? '', /\bno-store\b/);
  return { ...res, families: parseExposition(res.text) };
}

function assertUnauthorized(res: Awaited<ReturnType<typeof getMetrics>>, what: string) {
  assert.equal(res.status, 401, what);
  assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer /, what);
  assert.doesNotMatch(res.text, /duplistatus_/, what);
  assertErrorEnvelope(JSON.parse(res.text), 'Invalid or missing metrics token');
}

const value = (m: Map<string, ParsedFamily>, family: string, labels: Record<string, string> = {}) => sampleOf(m, family, labels).value;

describe('GET /metrics, off by default', () => {
  let plain: Daemon;
  let tokenOnly: Daemon;
  before(async () => {
    [plain, tokenOnly] = await Promise.all([startDaemon(), startDaemon({ env: { METRICS_TOKEN: TOKEN } })]);
  });
  after(async () => {
    await Promise.all([plain?.dispose(), tokenOnly?.dispose()]);
  });

  test('is 404 without METRICS=true, even with a token set or given', async () => {
    for (const [d, headers] of [[plain, {}], [tokenOnly, {}], [tokenOnly, { Authorization: `Bearer ${TOKEN}` }]] as const) {
      const res = await getMetrics(d, headers);
      assert.equal(res.status, 404);
      assert.doesNotMatch(res.text, /duplistatus_/);
      assertErrorEnvelope(JSON.parse(res.text), 'Not found');
    }
  });
});

describe('GET /metrics with METRICS=true', () => {
  let daemon: Daemon;
  before(async () => {
    daemon = await startDaemon({ env: { METRICS: 'true' } });
  });
  after(async () => {
    await daemon?.dispose();
  });

  test('answers without a token, before any upload: families declared, no job series, zero counters', async () => {
    const { families: m } = await scrape(daemon);
    for (const name of PER_JOB_FAMILIES) assert.deepEqual(m.get(name)?.samples, [], name);
    assert.equal(value(m, 'duplistatus_servers'), 0);
    assert.equal(value(m, 'duplistatus_jobs'), 0);
    for (const outcome of ['accepted', 'duplicate', 'ignored', 'invalid']) assert.equal(value(m, 'duplistatus_uploads_total', { outcome }), 0);
  });

  test('after every fixture: one series per job, each value as in the fixture', async () => {
    for (const name of fixtureNames()) {
      const res = await upload(daemon.url, fixtureBody(name));
      assert.equal(res.status, 200, name);
    }
    assert.equal((await upload(daemon.url, fixtureBody('backup-success.json'))).status, 409);
    assert.equal((await upload(daemon.url, '{"Data":')).status, 400);
    assert.equal((await upload(daemon.url, '{"Data":{}}')).status, 400);

    const { families: m, text, requestedAt, answeredAt } = await scrape(daemon);

    // Every family is ours, named with its unit, and declared once with HELP and TYPE.
    for (const [name, f] of m) {
      assert.match(name, /^duplistatus_/);
      assert.ok(f.help.length > 0, name);
      if (f.type === 'counter') assert.match(name, /_total$/);
      else assert.equal(f.type, 'gauge', name);
      if (/(timestamp|duration|uptime|start_time|tolerance)/.test(name)) assert.match(name, /_seconds$/, name);
      if (/(uploaded|examined|known)/.test(name) && !name.endsWith('_files')) assert.match(name, /_bytes$/, name);
    }
    for (const name of PER_JOB_FAMILIES) {
      const f = m.get(name)!;
      assert.equal(f.samples.length, name === 'duplistatus_job_last_status' ? 40 : 8, name);
      for (const s of f.samples) {
        assert.deepEqual(Object.keys(s.labels), ['server_id', 'server_name', 'backup_name', ...(name === 'duplistatus_job_last_status' ? ['status'] : [])]);
      }
    }

    for (const [file, job] of Object.entries(JOBS)) {
      const labels = { server_id: job.server_id, server_name: job.server_name, backup_name: job.backup_name };
      const got = (family: string) => value(m, family, labels);
      assert.equal(got('duplistatus_job_last_run_timestamp_seconds'), Date.parse(job.date) / 1000, file);
      assert.equal(got('duplistatus_job_last_duration_seconds'), job.duration, file);
      assert.equal(got('duplistatus_job_last_uploaded_bytes'), job.uploaded, file);
      assert.equal(got('duplistatus_job_last_examined_bytes'), job.examined, file);
      assert.equal(got('duplistatus_job_last_known_bytes'), job.known, file);
      assert.equal(got('duplistatus_job_last_examined_files'), job.files, file);
      assert.equal(got('duplistatus_job_last_warnings'), job.warnings, file);
      assert.equal(got('duplistatus_job_last_errors'), job.errors, file);
      assert.equal(got('duplistatus_job_last_versions'), job.versions, file);
      assert.equal(got('duplistatus_job_runs'), 1, file);
      assert.equal(got('duplistatus_job_runs_uploaded_bytes'), job.uploaded, file);
      assert.equal(got('duplistatus_job_next_expected_run_timestamp_seconds'), Date.parse(job.due) / 1000, file);
      // Overdue: now > due + 2 h (default tolerance); the clock moves during the request.
      const dueLimit = Date.parse(job.due) + 2 * 3600_000;
      if (dueLimit < requestedAt || dueLimit >= answeredAt) assert.equal(got('duplistatus_job_overdue'), answeredAt > dueLimit ? 1 : 0, file);
      for (const status of ['Success', 'Warning', 'Error', 'Fatal', 'Unknown']) {
        assert.equal(value(m, 'duplistatus_job_last_status', { ...labels, status }), status === job.status ? 1 : 0, `${file} ${status}`);
      }
    }

    // The name with quotes and non-ASCII: escaped quotes, raw UTF-8 (the parser above read it back).
    assert.ok(
      text.includes('duplistatus_job_last_versions{server_id="c3f18a7e2d9b4c05a6e1f7d2b8c9a4e0",server_name="Zoë’s MacBook Pro",' +
        'backup_name="Fotos & Videos \\"Urlaub\\" 2026 – Zoë/日本"} 31\n'),
      'unicode job line',
    );
    assert.ok(text.includes('duplistatus_job_last_examined_bytes{server_id="f2a0c4e6b8d1435797a9cbdef0123456",server_name="FILESRV01",backup_name="Company shares"} 1873452118016\n'));

    // Totals.
    const jobs = Object.values(JOBS);
    assert.equal(value(m, 'duplistatus_servers'), 7);
    assert.equal(value(m, 'duplistatus_jobs'), 8);
    assert.equal(value(m, 'duplistatus_runs'), 8);
    assert.equal(value(m, 'duplistatus_runs_uploaded_bytes'), 1502183051675);
    assert.equal(value(m, 'duplistatus_last_known_bytes'), 2136160791628);
    assert.equal(value(m, 'duplistatus_last_examined_bytes'), 2262502450806);
    assert.equal(value(m, 'duplistatus_last_run_timestamp_seconds'), Date.parse('2026-11-24T20:15:00.773Z') / 1000);
    assert.equal(value(m, 'duplistatus_overdue_tolerance_seconds'), 7200);
    const overdueJobs = m.get('duplistatus_job_overdue')!.samples.filter((s) => s.value === 1).length;
    assert.equal(value(m, 'duplistatus_jobs_overdue'), overdueJobs);
    if (jobs.every((j) => Date.parse(j.due) + 2 * 3600_000 < requestedAt)) assert.equal(overdueJobs, 8);

    // The daemon's own numbers.
    assert.equal(value(m, 'duplistatus_uploads_total', { outcome: 'accepted' }), 8);
    assert.equal(value(m, 'duplistatus_uploads_total', { outcome: 'ignored' }), 1);
    assert.equal(value(m, 'duplistatus_uploads_total', { outcome: 'duplicate' }), 1);
    assert.equal(value(m, 'duplistatus_uploads_total', { outcome: 'invalid' }), 2);
    const uptime = value(m, 'duplistatus_uptime_seconds');
    const started = value(m, 'duplistatus_start_time_seconds');
    assert.ok(uptime > 0 && uptime < 600, `uptime ${uptime}`);
    assert.ok(Math.abs(started + uptime - answeredAt / 1000) < 5, `start ${started} + uptime ${uptime} is not now`);
    for (const outcome of ['sent', 'failed']) {
      const n = value(m, 'duplistatus_notifications_total', { outcome });
      assert.ok(Number.isInteger(n) && n >= 0, `notifications ${outcome}: ${n}`);
    }
  });

  test('counters only grow, and a second run of a job moves its newest-run values', async () => {
    const before = (await scrape(daemon)).families;
    const body = editedFixture('backup-success.json', (r) => {
      r.Data.BeginTime = '2026-11-26T02:00:00.25Z';
      r.Data.ParsedResult = 'Error';
      r.Data.ErrorsActualLength = 3;
    });
    assert.equal((await upload(daemon.url, body)).status, 200);
    const { families: m } = await scrape(daemon);
    const photos = { server_id: JOBS['backup-success.json'].server_id, backup_name: 'Photos' };
    assert.equal(value(m, 'duplistatus_job_runs', photos), 2);
    assert.equal(value(m, 'duplistatus_job_runs_uploaded_bytes', photos), 2 * 236583750);
    assert.equal(value(m, 'duplistatus_job_last_errors', photos), 3);
    assert.equal(value(m, 'duplistatus_job_last_status', { ...photos, status: 'Error' }), 1);
    assert.equal(value(m, 'duplistatus_job_last_status', { ...photos, status: 'Success' }), 0);
    assert.equal(value(m, 'duplistatus_job_last_run_timestamp_seconds', photos), Date.parse('2026-11-26T02:00:00.250Z') / 1000);
    assert.equal(value(m, 'duplistatus_runs'), 9);
    assert.equal(value(m, 'duplistatus_uploads_total', { outcome: 'accepted' }), value(before, 'duplistatus_uploads_total', { outcome: 'accepted' }) + 1);
    assert.ok(value(m, 'duplistatus_uptime_seconds') >= value(before, 'duplistatus_uptime_seconds'));
  });

  test('HEAD answers like GET without a body; other methods are not served', async () => {
    const head = await fetch(`${daemon.url}/metrics`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-type'), CONTENT_TYPE);
    assert.equal(await head.text(), '');
    const post = await fetch(`${daemon.url}/metrics`, { method: 'POST', body: 'x' });
    assert.notEqual(post.status, 200);
  });
});

describe('GET /metrics with METRICS=true and METRICS_TOKEN', () => {
  let daemon: Daemon;
  before(async () => {
    daemon = await startDaemon({ env: { METRICS: 'true', METRICS_TOKEN: TOKEN } });
  });
  after(async () => {
    await daemon?.dispose();
  });

  test('is 401 without the right bearer token', async () => {
    assertUnauthorized(await getMetrics(daemon), 'no Authorization');
    assertUnauthorized(await getMetrics(daemon, { Authorization: 'Bearer wrong' }), 'wrong token');
    assertUnauthorized(await getMetrics(daemon, { Authorization: `Bearer ${TOKEN}x` }), 'longer token');
    assertUnauthorized(await getMetrics(daemon, { Authorization: `Bearer ${TOKEN.slice(0, -1)}` }), 'prefix of the token');
    assertUnauthorized(await getMetrics(daemon, { Authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` }), 'basic auth');
    assertUnauthorized(await getMetrics(daemon, { Authorization: TOKEN }), 'no scheme');
    assertUnauthorized(await getMetrics(daemon, {}, `?token=${encodeURIComponent(TOKEN)}`), 'token in the query');
  });

  test('answers the right token, and escapes backslash and line feed in label values', async () => {
    const name = 'C:\\Data\\"x"\nline 2';
    const body = editedFixture('backup-success.json', (r) => {
      r.Extra['backup-name'] = name;
    });
    assert.equal((await upload(daemon.url, body)).status, 200);
    const { families: m, text } = await scrape(daemon, { Authorization: `Bearer ${TOKEN}` });
    // The scheme is case-insensitive (RFC 7235).
    assert.equal((await getMetrics(daemon, { Authorization: `bearer ${TOKEN}` })).status, 200);
    const sample = sampleOf(m, 'duplistatus_job_last_versions', { backup_name: name });
    assert.equal(sample.value, 14);
    assert.ok(text.includes('backup_name="C:\\\\Data\\\\\\"x\\"\\nline 2"} 14\n'), 'escaped label value');
    assert.equal(value(m, 'duplistatus_uploads_total', { outcome: 'accepted' }), 1);
    // The API is untouched by the metrics token.
    assert.equal((await fetch(`${daemon.url}/api/summary`)).status, 200);
  });
});
