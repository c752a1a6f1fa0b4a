// End to end: the core-operation routes of the real daemon — /api/dashboard, /api/servers(/:id),
// PATCH/DELETE /api/servers/:id, /api/detail/:id, /api/chart-data/*, /api/servers/duplicates and
// /api/servers/merge. Spec 02 §1, §3, §4; decisions 1, 2, 9 (and 3, 8 for the lookups).
//
// Contract decisions tested here on top of the spec: unknown ids/names answer 404 with the error
// envelope (GET/PATCH/DELETE /api/servers/:id, /api/detail/:id, the chart endpoints); malformed merge
// bodies answer 400 with the reason and change nothing; PATCH with wrongly typed fields answers 400;
// list views carry no messages_array/warnings_array/errors_array keys; the dashboard statusHistory
// holds the last 10 runs; /api/dashboard sends chartData only with ?includeChartData=true; URL-encoded
// ids and names (spaces, %2F, quotes, non-Latin letters) work everywhere; writes are audited.
//
// Every expected number below was worked out BY HAND from the fixture files (the values per job are
// the same as in test/public-api.e2e.test.ts); the sums are written out in the comments. Only run ids
// (UUIDs made at upload), created_at and the time of the manual overdue check are read at run time.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Client as DbClient } from '@libsql/client';
import { createUserVia, openDaemonDb, signInFirstAdmin, TestClient, type ClientResponse } from './helpers/client.ts';
import { startDaemon, type Daemon } from './helpers/daemon.ts';
import { fixtureBody, postReport } from './helpers/fixtures.ts';
import { startHttpSink, type HttpSink } from './helpers/http-sink.ts';
import { assertErrorEnvelope, assertSecondsSince, CREATED_AT, editedFixture, ISO_MS, stableSummary, UUID } from './helpers/http.ts';

const ADMIN_PASSWORD = 'Core-Api-Adm1n!';
const USER_PASSWORD = 'Core-Api-Us3r!';

// ── servers (Extra.machine-id) ───────────────────────────────────────────────────────────────────
const HOME = '4c8e2f6a9d1b47e3b5a07c3d9e2f1a68'; // homeserver: Photos + Docker volumes
const DESKTOP = 'a71d3e9c0b5f4e28968c4f2d1b7e5a30'; // DESKTOP-7QK2M4P
const DOCKER = 'e0b64c2d8a3f4917b2c5d6e7f8091a2b'; // 9f3c2b7d1e4a
const FILESRV = 'f2a0c4e6b8d1435797a9cbdef0123456'; // FILESRV01
const RASPI = '0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a'; // raspberrypi
const WEBPROD = '5d2a9f7c3e1b4a6d8f0e2c4b6a8d0f13'; // web-prod-03
const MACBOOK = 'c3f18a7e2d9b4c05a6e1f7d2b8c9a4e0'; // Zoë’s MacBook Pro
/** A copy of backup-unicode-names.json under an id with a space, quotes, a slash and CJK letters. */
const ODD = 'Zoë’s "box"/1 日本';
const ODD_NAME = 'Zoë’s Mac mini';
/** The "reinstalled" homeserver: same machine-name, new machine-id (sorts before HOME on ties). */
const TWIN = '1d0c5e2f7a8b4c9d0e1f2a3b4c5d6e7f';

const UNICODE_MACHINE = 'Zoë’s MacBook Pro';
const UNICODE_JOB = 'Fotos & Videos "Urlaub" 2026 – Zoë/日本';
const enc = encodeURIComponent;

// ── values per fixture job (public-api.e2e.test.ts derives each of them) ─────────────────────────
interface JobValues {
  status: string;
  uploadedSize: number;
  seconds: number;
  hms: string;
  /** floor(seconds / 60) */
  minutes: number;
  fileCount: number;
  fileSize: number;
  storageSize: number;
  versions: number;
  warnings: number;
  errors: number;
  messages: number;
  available: string[];
}

const PHOTOS_VERSIONS = [
  '2026-11-23T02:00:04.000Z', '2026-11-22T02:00:03.000Z', '2026-11-21T02:00:03.000Z', '2026-11-20T02:00:02.000Z',
  '2026-11-19T02:00:02.000Z', '2026-11-18T02:00:01.000Z', '2026-11-17T02:00:02.000Z', '2026-11-10T02:00:02.000Z',
  '2026-11-03T02:00:01.000Z', '2026-10-26T02:00:03.000Z', '2026-09-25T02:00:02.000Z', '2026-08-25T02:00:02.000Z',
  '2026-07-25T02:00:01.000Z',
];
const LAPTOP_VERSIONS = [
  '2026-11-23T00:30:06.000Z', '2026-11-22T00:30:05.000Z', '2026-11-21T00:30:05.000Z', '2026-11-20T00:30:04.000Z',
  '2026-11-19T00:30:04.000Z', '2026-11-18T00:30:03.000Z', '2026-11-17T00:30:03.000Z', '2026-11-10T00:30:02.000Z',
  '2026-11-03T00:30:02.000Z', '2026-10-26T00:30:05.000Z', '2026-09-26T00:30:04.000Z', '2026-08-27T00:30:03.000Z',
  '2026-07-28T00:30:02.000Z', '2026-05-29T00:30:02.000Z', '2026-01-29T00:30:01.000Z',
];
const WEBSITE_VERSIONS = [
  '2026-11-23T03:15:04.000Z', '2026-11-22T03:15:04.000Z', '2026-11-21T03:15:03.000Z', '2026-11-20T03:15:03.000Z',
  '2026-11-19T03:15:02.000Z', '2026-11-18T03:15:02.000Z', '2026-11-17T03:15:02.000Z', '2026-11-10T03:15:02.000Z',
  '2026-11-03T03:15:02.000Z', '2026-10-27T03:15:02.000Z', '2026-10-20T03:15:02.000Z', '2026-10-13T03:15:02.000Z',
  '2026-10-06T03:15:01.000Z', '2026-09-29T03:15:01.000Z', '2026-09-22T03:15:01.000Z', '2026-09-15T03:15:01.000Z',
  '2026-09-08T03:15:01.000Z', '2026-09-01T03:15:01.000Z', '2026-08-01T03:15:01.000Z', '2026-07-02T03:15:01.000Z',
  '2026-06-02T03:15:01.000Z', '2026-04-01T03:15:01.000Z', '2026-01-02T03:15:01.000Z', '2025-09-03T03:15:00.000Z',
];

const V: Record<string, JobValues> = {
  photos: { status: 'Success', uploadedSize: 236583750, seconds: 148.7399674, hms: '00:02:28', minutes: 2, fileCount: 48213, fileSize: 187403571264, storageSize: 189214837122, versions: 14, warnings: 0, errors: 0, messages: 41, available: PHOTOS_VERSIONS },
  docker: { status: 'Success', uploadedSize: 33075321, seconds: 60.6248712, hms: '00:01:00', minutes: 1, fileCount: 12904, fileSize: 41873094656, storageSize: 27310554112, versions: 30, warnings: 0, errors: 0, messages: 32, available: [] },
  laptop: { status: 'Warning', uploadedSize: 64146425, seconds: 86.4147147, hms: '00:01:26', minutes: 1, fileCount: 96412, fileSize: 61204873216, storageSize: 203611873018, versions: 16, warnings: 2, errors: 0, messages: 34, available: LAPTOP_VERSIONS },
  nextcloud: { status: 'Fatal', uploadedSize: 0, seconds: 0, hms: '00:00:00', minutes: 0, fileCount: 0, fileSize: 0, storageSize: 143622917120, versions: 57, warnings: 2, errors: 1, messages: 3, available: [] },
  shares: { status: 'Success', uploadedSize: 1500918581295, seconds: 97965.8841023, hms: '27:12:45', minutes: 1632, fileCount: 1284511, fileSize: 1873452118016, storageSize: 1500918581295, versions: 1, warnings: 0, errors: 0, messages: 5606, available: [] },
  raspi: { status: 'Success', uploadedSize: 693687507, seconds: 290.4659755, hms: '00:04:50', minutes: 4, fileCount: 1204, fileSize: 734003219, storageSize: 693687507, versions: 1, warnings: 0, errors: 0, messages: 63, available: [] },
  website: { status: 'Success', uploadedSize: 70401232, seconds: 38.544944, hms: '00:00:38', minutes: 0, fileCount: 28817, fileSize: 9711390214, storageSize: 46918224113, versions: 25, warnings: 0, errors: 0, messages: 34, available: WEBSITE_VERSIONS },
  fotos: { status: 'Success', uploadedSize: 166576145, seconds: 68.4845737, hms: '00:01:08', minutes: 1, fileCount: 20417, fileSize: 88123400221, storageSize: 23870117341, versions: 31, warnings: 0, errors: 0, messages: 34, available: [] },
};

// Photos of homeserver: 10 extra runs before the fixture's own (24 Nov), with these statuses.
const PHOTO_RUNS: [begin: string, date: string, status: string][] = [
  ['2026-11-15T02:00:00.4172913Z', '2026-11-15T02:00:00.417Z', 'Success'],
  ['2026-11-16T02:00:00.4172913Z', '2026-11-16T02:00:00.417Z', 'Error'],
  ['2026-11-17T02:00:00.4172913Z', '2026-11-17T02:00:00.417Z', 'Success'],
  ['2026-11-18T02:00:00.4172913Z', '2026-11-18T02:00:00.417Z', 'Warning'],
  ['2026-11-19T02:00:00.4172913Z', '2026-11-19T02:00:00.417Z', 'Fatal'],
  ['2026-11-20T02:00:00.4172913Z', '2026-11-20T02:00:00.417Z', 'Success'],
  ['2026-11-21T02:00:00.4172913Z', '2026-11-21T02:00:00.417Z', 'Success'],
  ['2026-11-22T02:00:00.4172913Z', '2026-11-22T02:00:00.417Z', 'Warning'],
  ['2026-11-23T02:00:00.4172913Z', '2026-11-23T02:00:00.417Z', 'Success'],
  ['2026-11-23T14:00:00Z', '2026-11-23T14:00:00.000Z', 'Error'],
];
const PHOTOS_LATEST = '2026-11-24T02:00:00.417Z'; // backup-success.json as is
const ODD_BEGIN = '2026-11-23T20:15:00.5Z';
const ODD_DATE = '2026-11-23T20:15:00.500Z';
const TWIN_NEW_DATE = '2026-11-25T02:00:00.417Z';

/** Every stored run before the merge, oldest first: [date, R-label, job values]. 19 runs. */
const ALL_RUNS: [string, string, JobValues][] = [
  ['2026-11-15T02:00:00.417Z', '15/11/2026', V.photos],
  ['2026-11-16T02:00:00.417Z', '16/11/2026', V.photos],
  ['2026-11-17T02:00:00.417Z', '17/11/2026', V.photos],
  ['2026-11-18T02:00:00.417Z', '18/11/2026', V.photos],
  ['2026-11-19T02:00:00.417Z', '19/11/2026', V.photos],
  ['2026-11-20T02:00:00.417Z', '20/11/2026', V.photos],
  ['2026-11-20T23:00:00.220Z', '20/11/2026', V.shares],
  ['2026-11-21T02:00:00.417Z', '21/11/2026', V.photos],
  ['2026-11-22T02:00:00.417Z', '22/11/2026', V.photos],
  ['2026-11-22T21:14:09.552Z', '22/11/2026', V.raspi],
  ['2026-11-23T02:00:00.417Z', '23/11/2026', V.photos],
  ['2026-11-23T14:00:00.000Z', '23/11/2026', V.photos],
  [ODD_DATE, '23/11/2026', V.fotos],
  ['2026-11-24T00:30:00.883Z', '24/11/2026', V.laptop],
  ['2026-11-24T01:30:00.118Z', '24/11/2026', V.nextcloud],
  [PHOTOS_LATEST, '24/11/2026', V.photos],
  ['2026-11-24T03:15:00.662Z', '24/11/2026', V.website],
  ['2026-11-24T03:30:00.221Z', '24/11/2026', V.docker],
  ['2026-11-24T20:15:00.773Z', '24/11/2026', V.fotos],
];
const NEWEST_RUN = '2026-11-24T20:15:00.773Z';

/** Variant R / S point of one run (duration in whole minutes). */
const runPoint = (date: string, label: string, v: JobValues) => ({
  date: label, isoDate: date, uploadedSize: v.uploadedSize, duration: v.minutes, fileCount: v.fileCount,
  fileSize: v.fileSize, storageSize: v.storageSize, backupVersions: v.versions,
});
/** Variant D point of a day holding exactly one Photos run. */
const photosDay = (day: string) => ({
  date: day, isoDate: `${day}T02:00:00.417Z`, uploadedSize: 236583750, duration: 148.7399674, fileCount: 48213,
  fileSize: 187403571264, storageSize: 189214837122, backupVersions: 14,
});

// ── expected due dates (02 §1, decision 8) ───────────────────────────────────────────────────────
// Without Extra.next-scheduled-run (2.1 reports, the 24 h run) the default 1D interval gives the
// newest run + 1 day; with one that lies after the newest run, Duplicati's own time is used.
const DUE = {
  photos: '2026-11-25T02:00:00.417Z', // 24 Nov 02:00:00.417 + 1 day
  docker: '2026-11-25T03:30:00.221Z',
  laptop: '2026-11-25T00:30:00.000Z', // next-scheduled-run 20261125T003000Z
  nextcloud: '2026-11-25T01:30:00.000Z', // 20261125T013000Z
  shares: '2026-11-21T23:00:00.220Z', // next-scheduled-run null → 20 Nov 23:00:00.220 + 1 day
  raspi: '2026-11-23T21:14:09.552Z',
  website: '2026-11-25T03:15:00.000Z', // 20261125T031500Z
  fotos: '2026-11-25T20:15:00.000Z', // 20261125T201500Z (also for the ODD copy of 23 Nov)
};
const TOLERANCE_MS = 2 * 3600_000; // decision 17: 2 h

/** Elapsed text of 02 §1 (the table, written out independently of the implementation). */
function elapsedText(iso: string, nowMs: number): string {
  const d = Math.floor((nowMs - Date.parse(iso)) / 1000);
  const n = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  if (d < 0) return 'in the future';
  if (d < 15) return 'just now';
  if (d < 3600) return n(Math.floor(d / 60), 'minute');
  if (d < 86400) return n(Math.floor(d / 3600), 'hour');
  if (d < 604800) return n(Math.floor(d / 86400), 'day');
  if (d < 2592000) return n(Math.floor(d / 604800), 'week');
  if (d < 31536000) return n(Math.floor(d / 2592000), 'month');
  const y = Math.floor(d / 31536000);
  const m = Math.floor((d % 31536000) / 2592000);
  return m ? `${n(y, 'year')} and ${n(m, 'month')}` : n(y, 'year');
}

/** The clock reading around one request: values that depend on "now" may match either end. */
interface Clock {
  t0: number;
  t1: number;
}

function isOverdue(due: string, w: Clock): boolean {
  const a = w.t0 > Date.parse(due) + TOLERANCE_MS;
  const b = w.t1 > Date.parse(due) + TOLERANCE_MS;
  assert.equal(a, b, `the clock crossed the overdue limit of ${due} during the request; run again`);
  return a;
}

/** Checks `actual` against the elapsed text at either end of the window and returns it. */
function elapsedIn(actual: unknown, due: string, w: Clock, where: string): string {
  const allowed = [elapsedText(due, w.t0), elapsedText(due, w.t1)];
  assert.ok(allowed.includes(actual as string), `${where}: expectedBackupElapsed ${JSON.stringify(actual)} not in ${JSON.stringify(allowed)}`);
  return actual as string;
}

// ── the daemon ───────────────────────────────────────────────────────────────────────────────────
let daemon: Daemon;
let ntfy: HttpSink;
let db: DbClient;
let admin: TestClient;
let user: TestClient;
/** Latest run id per `${serverId}\n${backupName}`, read from /api/lastbackups. */
const latestId = new Map<string, string>();
const idOf = (serverId: string, job: string) => {
  const id = latestId.get(`${serverId}\n${job}`);
  assert.ok(id, `no run id for ${serverId}/${job}`);
  return id;
};
/** The time of the manual overdue check (last_overdue_check), set by the detail tests. */
let checkedAt: string | undefined;

async function upload(body: string, what: string) {
  const res = await postReport(daemon.url, body);
  assert.equal(res.status, 200, `${what}: ${JSON.stringify(res.json)}`);
}

async function timed(client: TestClient, path: string): Promise<ClientResponse & Clock> {
  const t0 = Date.now();
  const res = await client.get(path);
  const t1 = Date.now();
  return { ...res, t0, t1 };
}

async function ok(client: TestClient, path: string): Promise<any> {
  const res = await client.get(path);
  assert.equal(res.status, 200, `GET ${path}: ${res.text}`);
  return res.json;
}

async function summary(): Promise<any> {
  const res = await fetch(`${daemon.url}/api/summary`);
  assert.equal(res.status, 200);
  return res.json();
}

function assertError(res: ClientResponse, status: number, error: string | RegExp) {
  assert.equal(res.status, status, res.text);
  assertErrorEnvelope(res.json, error);
}

function assertNoLogKeys(text: string, where: string) {
  for (const key of ['messages_array', 'warnings_array', 'errors_array']) assert.ok(!text.includes(`"${key}"`), `${where} carries ${key}`);
}

function assertNoCache(res: ClientResponse, where: string) {
  assert.match(res.headers.get('cache-control') ?? '', /no-store/, where);
  assert.match(res.headers.get('cache-control') ?? '', /no-cache/, where);
  assert.match(res.headers.get('cache-control') ?? '', /must-revalidate/, where);
  assert.equal(res.headers.get('pragma'), 'no-cache', where);
  assert.equal(res.headers.get('expires'), '0', where);
}

/** Variant D points: every key exact except the summed seconds, which are floating-point sums. */
function assertDayPoints(actual: any[], expected: any[], where: string) {
  assert.ok(Array.isArray(actual), `${where}: not an array`);
  assert.deepEqual(actual.map((p) => ({ ...p, duration: 0 })), expected.map((p) => ({ ...p, duration: 0 })), where);
  for (const [i, p] of expected.entries()) {
    assert.ok(Math.abs(actual[i].duration - p.duration) < 1e-6, `${where}[${i}].duration ${actual[i].duration} ≠ ${p.duration}`);
  }
}

async function auditOf(action: string): Promise<any[]> {
  const res = await admin.get(`/api/audit-log?action=${action}&limit=100`);
  assert.equal(res.status, 200, res.text);
  return res.json.logs;
}

async function refreshLatestIds() {
  for (const id of [HOME, DESKTOP, DOCKER, FILESRV, RASPI, WEBPROD, MACBOOK, ODD, TWIN]) {
    const res = await admin.get(`/api/lastbackups/${enc(id)}`);
    if (res.status === 404) continue;
    assert.equal(res.status, 200, res.text);
    for (const run of res.json.latest_backups) latestId.set(`${id}\n${run.name}`, run.id);
  }
}

before(async () => {
  ntfy = await startHttpSink();
  daemon = await startDaemon({ env: { TZ: 'UTC' } });
  db = await openDaemonDb(daemon.dataDir);
  admin = await signInFirstAdmin(daemon.url, ADMIN_PASSWORD);
  await createUserVia(admin, 'viewer', USER_PASSWORD);
  user = await TestClient.signedIn(daemon.url, 'viewer', USER_PASSWORD);
  // The overdue check runs only when a test asks for it, and its alerts go to a local sink.
  const stop = await admin.post('/api/cron/stop/overdue-backup-check');
  assert.equal(stop.status, 200, stop.text);
  const conf = await admin.post('/api/configuration/notifications', { json: { ntfy: { url: `${ntfy.url}/`, topic: 'core-api' } } });
  assert.equal(conf.status, 200, conf.text);

  for (const [begin, , status] of PHOTO_RUNS) {
    await upload(editedFixture('backup-success.json', (r) => {
      r.Data.BeginTime = begin;
      r.Data.ParsedResult = status;
    }), `Photos ${begin}`);
  }
  for (const name of ['backup-initial-over-24h.json', 'backup-minimal-fields.json']) await upload(fixtureBody(name), name);
  await upload(editedFixture('backup-unicode-names.json', (r) => {
    r.Extra['machine-id'] = ODD;
    r.Extra['machine-name'] = ODD_NAME;
    r.Data.BeginTime = ODD_BEGIN;
  }), 'odd copy');
  for (const name of ['backup-warning.json', 'backup-error.json', 'backup-success.json', 'backup-other-machine.json', 'backup-second-job-same-machine.json', 'backup-unicode-names.json']) {
    await upload(fixtureBody(name), name);
  }
  // A scheduled tick between start and the stop above would have left its time behind.
  await db.execute(`DELETE FROM configurations WHERE key = 'last_overdue_check'`);
  await refreshLatestIds();
});

after(async () => {
  db?.close();
  await daemon?.dispose();
  await ntfy?.close();
});

// ─────────────────────────────────────────────────────────────────────────────────────────────────
describe('access (decision 9)', () => {
  const READS = () => [
    '/api/dashboard',
    '/api/dashboard?includeChartData=true',
    '/api/servers',
    '/api/servers?includeBackups=true',
    `/api/servers/${HOME}`,
    `/api/servers/${enc(ODD)}?includeBackups=true`,
    `/api/detail/${HOME}`,
    '/api/chart-data/aggregated',
    `/api/chart-data/server/${HOME}`,
    `/api/chart-data/server/${enc(MACBOOK)}/backup/${enc(UNICODE_JOB)}`,
    '/api/servers/duplicates',
  ];

  test('no session → 401 "Invalid or expired session"; an anonymous session → 401 "Authentication required"', async () => {
    const nobody = new TestClient(daemon.url);
    const anonymous = new TestClient(daemon.url);
    await anonymous.csrf(); // a session without a user
    assert.ok(anonymous.sessionId);
    for (const path of READS()) {
      assertError(await nobody.get(path), 401, 'Invalid or expired session');
      assertError(await anonymous.get(path), 401, 'Authentication required');
    }
    // Writes: the same, the CSRF token being valid for the anonymous session.
    assertError(await anonymous.patch(`/api/servers/${HOME}`, { json: { alias: 'x' } }), 401, 'Authentication required');
    assertError(await anonymous.delete(`/api/servers/${HOME}`), 401, 'Authentication required');
    assertError(await anonymous.post('/api/servers/merge', { json: { oldServerIds: [TWIN], targetServerId: HOME } }), 401, 'Authentication required');
    assertError(await nobody.delete(`/api/servers/${HOME}`), 401, 'Invalid or expired session');
    assert.equal((await ok(admin, `/api/servers/${HOME}`)).alias, '');
  });

  test('a signed-in non-admin user reads everything except the duplicates list', async () => {
    for (const path of READS()) {
      const res = await user.get(path);
      if (path === '/api/servers/duplicates') assertError(res, 403, 'Administrator access required');
      else assert.equal(res.status, 200, `${path}: ${res.text}`);
    }
  });
});

// ─────────────────────────────────────────────────────────────────────────────────────────────────
describe('GET /api/servers', () => {
  test('every server, ordered by name (binary: digits, upper case, then lower case)', async () => {
    const blank = (id: string, name: string) => ({ id, name, alias: '', note: '' });
    assert.deepEqual(await ok(admin, '/api/servers'), [
      blank(DOCKER, '9f3c2b7d1e4a'),
      blank(DESKTOP, 'DESKTOP-7QK2M4P'),
      blank(FILESRV, 'FILESRV01'),
      blank(ODD, ODD_NAME), // "Zoë’s Mac " < "Zoë’s MacB" (space before B)
      blank(MACBOOK, UNICODE_MACHINE),
      blank(HOME, 'homeserver'),
      blank(RASPI, 'raspberrypi'),
      blank(WEBPROD, 'web-prod-03'),
    ]);
  });

  test('includeBackups=true: one entry per (server, job), by server name then job name', async () => {
    const entry = (id: string, name: string, backupName: string) => ({ id, name, backupName, server_url: '', alias: '', note: '', hasPassword: false });
    const expected = [
      entry(DOCKER, '9f3c2b7d1e4a', 'Nextcloud data'),
      entry(DESKTOP, 'DESKTOP-7QK2M4P', 'Laptop - User profile'),
      entry(FILESRV, 'FILESRV01', 'Company shares'),
      entry(ODD, ODD_NAME, UNICODE_JOB),
      entry(MACBOOK, UNICODE_MACHINE, UNICODE_JOB),
      entry(HOME, 'homeserver', 'Docker volumes'),
      entry(HOME, 'homeserver', 'Photos'),
      entry(RASPI, 'raspberrypi', 'Duplicati.CommandLine'),
      entry(WEBPROD, 'web-prod-03', 'Website and DB dumps'),
    ];
    assert.deepEqual(await ok(admin, '/api/servers?includeBackups=true'), expected);
    // Only the exact string "true" enables it.
    assert.equal((await ok(admin, '/api/servers?includeBackups=1')).length, 8);
    assert.equal((await ok(admin, '/api/servers?includeBackups=1'))[0].backupName, undefined);
  });
});

// ─────────────────────────────────────────────────────────────────────────────────────────────────
describe('GET /api/servers/:id', () => {
  const photosRun = (id: string, date: string, status: string) => ({
    id, server_id: HOME, name: 'Photos', date, status, warnings: 0, errors: 0, messages: 41, fileCount: 48213,
    fileSize: 187403571264, uploadedSize: 236583750, duration: '00:02:28', duration_seconds: 148.7399674,
    durationInMinutes: 2, knownFileSize: 189214837122, backup_list_count: 14, available_backups: PHOTOS_VERSIONS,
  });

  test('plain: the editable fields only', async () => {
    assert.deepEqual(await ok(admin, `/api/servers/${HOME}`), { id: HOME, name: 'homeserver', alias: '', note: '', server_url: '' });
    // includeBackups must be exactly "true".
    assert.deepEqual(await ok(admin, `/api/servers/${HOME}?includeBackups=yes`), { id: HOME, name: 'homeserver', alias: '', note: '', server_url: '' });
  });

  test('includeBackups=true: every run newest first without log keys, chart points (variant S) oldest first', async () => {
    const res = await admin.get(`/api/servers/${HOME}?includeBackups=true`);
    assert.equal(res.status, 200, res.text);
    assertNoLogKeys(res.text, 'ServerDetail');
    const detail = res.json;
    const ids: string[] = detail.backups.map((b: any) => b.id);
    for (const id of ids) assert.match(id, UUID);
    assert.equal(new Set(ids).size, 12);
    assert.equal(ids[0], idOf(HOME, 'Docker volumes'));
    assert.equal(ids[1], idOf(HOME, 'Photos'));
    // Newest first: Docker (24 Nov 03:30), Photos 24 Nov, then the ten extra Photos runs backwards.
    const photos = [[PHOTOS_LATEST, 'Success'], ...PHOTO_RUNS.map(([, date, status]) => [date, status]).reverse()];
    assert.deepEqual(detail, {
      id: HOME,
      name: 'homeserver',
      alias: '',
      note: '',
      server_url: '',
      hasPassword: false,
      backups: [
        {
          id: ids[0], server_id: HOME, name: 'Docker volumes', date: '2026-11-24T03:30:00.221Z', status: 'Success', warnings: 0,
          errors: 0, messages: 32, fileCount: 12904, fileSize: 41873094656, uploadedSize: 33075321, duration: '00:01:00',
          duration_seconds: 60.6248712, durationInMinutes: 1, knownFileSize: 27310554112, backup_list_count: 30, available_backups: [],
        },
        ...photos.map(([date, status], i) => photosRun(ids[i + 1], date, status)),
      ],
      // TZ=UTC, so the local-day label is the UTC day.
      chartData: [
        ...PHOTO_RUNS.map(([, date]) => runPoint(date, `${date.slice(8, 10)}/11/2026`, V.photos)),
        runPoint(PHOTOS_LATEST, '24/11/2026', V.photos),
        runPoint('2026-11-24T03:30:00.221Z', '24/11/2026', V.docker),
      ],
    });
  });

  test('includeChartData=true alone also gives the full ServerDetail', async () => {
    const both = await ok(admin, `/api/servers/${HOME}?includeBackups=true`);
    assert.deepEqual(await ok(admin, `/api/servers/${HOME}?includeChartData=true`), both);
  });

  test('an id with a space, quotes, a slash (%2F) and CJK letters, URL-encoded', async () => {
    assert.deepEqual(await ok(admin, `/api/servers/${enc(ODD)}`), { id: ODD, name: ODD_NAME, alias: '', note: '', server_url: '' });
    const res = await admin.get(`/api/servers/${enc(ODD)}?includeBackups=true`);
    assert.equal(res.status, 200, res.text);
    assertNoLogKeys(res.text, 'ServerDetail');
    assert.deepEqual(res.json, {
      id: ODD, name: ODD_NAME, alias: '', note: '', server_url: '', hasPassword: false,
      backups: [{
        id: idOf(ODD, UNICODE_JOB), server_id: ODD, name: UNICODE_JOB, date: ODD_DATE, status: 'Success', warnings: 0, errors: 0,
        messages: 34, fileCount: 20417, fileSize: 88123400221, uploadedSize: 166576145, duration: '00:01:08',
        duration_seconds: 68.4845737, durationInMinutes: 1, knownFileSize: 23870117341, backup_list_count: 31, available_backups: [],
      }],
      chartData: [runPoint(ODD_DATE, '23/11/2026', V.fotos)],
    });
  });

  test('unknown ids → 404 with the error envelope (plain and full)', async () => {
    for (const id of ['ghost', HOME.toUpperCase(), 'homeserver', 'Zoë’s "box"/2 日本']) {
      assertError(await admin.get(`/api/servers/${enc(id)}`), 404, 'Server not found');
      assertError(await admin.get(`/api/servers/${enc(id)}?includeBackups=true`), 404, 'Server not found');
    }
  });
});

// ─────────────────────────────────────────────────────────────────────────────────────────────────
describe('GET /api/detail/:serverId', () => {
  const entry = (serverName: string, backupName: string, lastBackupDate: string, due: string, w: Clock, actual: any, sent: string) => ({
    serverName,
    backupName,
    lastBackupDate,
    notificationEvent: 'warnings',
    expectedBackupDate: due,
    expectedBackupElapsed: elapsedIn(actual?.expectedBackupElapsed, due, w, `${serverName}/${backupName}`),
    lastNotificationSent: sent,
  });

  test('before any overdue check: the old fixture runs are all overdue, lastOverdueCheck "N/A"', async () => {
    const res = await timed(admin, `/api/detail/${HOME}`);
    assert.equal(res.status, 200, res.text);
    assertNoCache(res, 'detail');
    assertNoLogKeys(res.text, 'detail');
    // The server object is the same ServerDetail /api/servers/:id?includeBackups=true gives.
    assert.deepEqual(res.json.server, await ok(admin, `/api/servers/${HOME}?includeBackups=true`));
    assert.ok(isOverdue(DUE.docker, res) && isOverdue(DUE.photos, res));
    // Backup-name order; due = newest run + 1 day, overdue 2 h later.
    assert.deepEqual(res.json.overdueBackups, [
      entry('homeserver', 'Docker volumes', '2026-11-24T03:30:00.221Z', DUE.docker, res, res.json.overdueBackups[0], 'N/A'),
      entry('homeserver', 'Photos', PHOTOS_LATEST, DUE.photos, res, res.json.overdueBackups[1], 'N/A'),
    ]);
    assert.equal(res.json.lastOverdueCheck, 'N/A');
    assert.deepEqual(Object.keys(res.json).sort(), ['lastOverdueCheck', 'overdueBackups', 'server']);

    // Duplicati's own next-scheduled-run (decision 8) and the 24 h run without one.
    const laptop = await timed(admin, `/api/detail/${DESKTOP}`);
    assert.deepEqual(laptop.json.overdueBackups, [
      entry('DESKTOP-7QK2M4P', 'Laptop - User profile', '2026-11-24T00:30:00.883Z', DUE.laptop, laptop, laptop.json.overdueBackups[0], 'N/A'),
    ]);
    const shares = await timed(admin, `/api/detail/${FILESRV}`);
    assert.deepEqual(shares.json.overdueBackups, [
      entry('FILESRV01', 'Company shares', '2026-11-20T23:00:00.220Z', DUE.shares, shares, shares.json.overdueBackups[0], 'N/A'),
    ]);
  });

  test('the odd id, URL-encoded; the job name with "/" and quotes comes back whole', async () => {
    const res = await timed(admin, `/api/detail/${enc(ODD)}`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.server.id, ODD);
    assert.deepEqual(res.json.server.backups.map((b: any) => [b.name, b.date]), [[UNICODE_JOB, ODD_DATE]]);
    assert.deepEqual(res.json.overdueBackups, [entry(ODD_NAME, UNICODE_JOB, ODD_DATE, DUE.fotos, res, res.json.overdueBackups[0], 'N/A')]);
  });

  test('after POST /api/notifications/check-overdue: lastOverdueCheck and lastNotificationSent are that check', async () => {
    const t0 = Date.now();
    const check = await admin.post('/api/notifications/check-overdue');
    const t1 = Date.now();
    assert.equal(check.status, 200, check.text);
    assert.equal(check.json.statistics.overdueBackupsFound, 9, check.text); // every job of the 9
    assert.equal(check.json.statistics.notificationsSent, 9, check.text);
    const res = await timed(admin, `/api/detail/${HOME}`);
    checkedAt = res.json.lastOverdueCheck;
    assert.match(checkedAt!, ISO_MS);
    assert.ok(Date.parse(checkedAt!) >= t0 - 1 && Date.parse(checkedAt!) <= t1 + 1, `${checkedAt} not within the check`);
    assert.deepEqual(res.json.overdueBackups, [
      entry('homeserver', 'Docker volumes', '2026-11-24T03:30:00.221Z', DUE.docker, res, res.json.overdueBackups[0], checkedAt!),
      entry('homeserver', 'Photos', PHOTOS_LATEST, DUE.photos, res, res.json.overdueBackups[1], checkedAt!),
    ]);
    // The nine alerts went to the local ntfy sink.
    assert.ok(ntfy.requests.length >= 9, `ntfy sink got ${ntfy.requests.length} requests`);
  });

  test('unknown ids → 404 with the error envelope', async () => {
    for (const id of ['ghost', 'homeserver', 'Zoë’s "box"/2 日本']) {
      const res = await admin.get(`/api/detail/${enc(id)}`);
      assertError(res, 404, 'Server not found');
    }
  });
});

// ─────────────────────────────────────────────────────────────────────────────────────────────────
describe('GET /api/dashboard', () => {
  interface InfoInput {
    name: string;
    v: JobValues;
    serverId: string;
    date: string;
    due: string;
    count?: number;
    history?: string[];
  }

  function info(i: InfoInput, w: Clock, actual: any) {
    return {
      name: i.name,
      lastBackupDate: i.date,
      lastBackupId: idOf(i.serverId, i.name),
      lastBackupStatus: i.v.status,
      lastBackupDuration: i.v.seconds ? i.v.hms : 'N/A',
      lastBackupListCount: i.v.versions || null,
      backupCount: i.count ?? 1,
      statusHistory: i.history ?? [i.v.status],
      fileCount: i.v.fileCount,
      fileSize: i.v.fileSize,
      storageSize: i.v.storageSize,
      uploadedSize: i.v.uploadedSize,
      warnings: i.v.warnings,
      errors: i.v.errors,
      availableBackups: i.v.available,
      isBackupOverdue: isOverdue(i.due, w),
      notificationEvent: 'warnings',
      expectedBackupDate: i.due,
      expectedBackupElapsed: elapsedIn(actual?.expectedBackupElapsed, i.due, w, i.name),
      lastNotificationSent: checkedAt,
    };
  }

  /** A server with one job: its totals are that job's latest run (02 §3.1 table). */
  function solo(id: string, name: string, job: ReturnType<typeof info>, extra: Record<string, string> = {}) {
    return {
      id, name, server_url: '', alias: '', note: '', hasPassword: false, ...extra,
      backupInfo: [job],
      totalBackupCount: job.backupCount,
      totalStorageSize: job.storageSize,
      totalFileCount: job.fileCount,
      totalFileSize: job.fileSize,
      totalUploadedSize: job.uploadedSize,
      haveOverdueBackups: job.isBackupOverdue,
      lastBackupDate: job.lastBackupDate,
      lastBackupStatus: job.lastBackupStatus,
      lastBackupDuration: job.lastBackupDuration,
      lastBackupListCount: job.lastBackupListCount,
      lastBackupName: 'N/A',
      lastBackupId: job.lastBackupId,
      lastOverdueCheck: checkedAt,
      backupNames: [job.name],
    };
  }

  let dash: ClientResponse & Clock;
  before(async () => {
    assert.ok(checkedAt, 'the detail tests run the overdue check first');
    dash = await timed(admin, '/api/dashboard');
  });

  test('headers, shape, no log keys, no chartData unless asked for', async () => {
    assert.equal(dash.status, 200, dash.text);
    assertNoCache(dash, 'dashboard');
    assertNoLogKeys(dash.text, 'dashboard');
    assert.deepEqual(Object.keys(dash.json).sort(), ['overallSummary', 'serversSummary']);
    assert.equal((await ok(admin, '/api/dashboard?includeChartData=1')).chartData, undefined);
  });

  test('overallSummary: totals over the jobs’ latest runs, hand-computed', async () => {
    const { secondsSinceLastBackup, ...rest } = dash.json.overallSummary;
    assert.deepEqual(rest, {
      totalServers: 8,
      totalBackupsRuns: 19, // homeserver 11 Photos + 1 Docker, and 1 run on each of the other 7 servers
      totalBackups: 9, // homeserver 2 jobs + 7
      // 236583750 + 33075321 + 64146425 + 0 + 1500918581295 + 693687507 + 70401232 + 166576145 (MacBook) + 166576145 (odd copy)
      totalUploadedSize: 1502349627820,
      // 189214837122 + 27310554112 + 203611873018 + 143622917120 + 1500918581295 + 693687507 + 46918224113 + 23870117341 × 2
      totalStorageUsed: 2160030908969,
      // 187403571264 + 41873094656 + 61204873216 + 0 + 1873452118016 + 734003219 + 9711390214 + 88123400221 × 2
      totalBackupSize: 2350625851027,
      overdueBackupsCount: 9,
    });
    assertSecondsSince(secondsSinceLastBackup, NEWEST_RUN, dash.t0, dash.t1);
  });

  test('serversSummary: one per server by name; homeserver written out in full', async () => {
    const actual = dash.json.serversSummary;
    assert.deepEqual(actual.map((s: any) => s.name), ['9f3c2b7d1e4a', 'DESKTOP-7QK2M4P', 'FILESRV01', ODD_NAME, UNICODE_MACHINE, 'homeserver', 'raspberrypi', 'web-prod-03']);
    const home = actual[5];
    const docker = {
      name: 'Docker volumes',
      lastBackupDate: '2026-11-24T03:30:00.221Z',
      lastBackupId: idOf(HOME, 'Docker volumes'),
      lastBackupStatus: 'Success',
      lastBackupDuration: '00:01:00',
      lastBackupListCount: 30,
      backupCount: 1,
      statusHistory: ['Success'],
      fileCount: 12904,
      fileSize: 41873094656,
      storageSize: 27310554112,
      uploadedSize: 33075321,
      warnings: 0,
      errors: 0,
      availableBackups: [],
      isBackupOverdue: true,
      notificationEvent: 'warnings',
      expectedBackupDate: '2026-11-25T03:30:00.221Z',
      expectedBackupElapsed: elapsedIn(home.backupInfo[0]?.expectedBackupElapsed, '2026-11-25T03:30:00.221Z', dash, 'Docker volumes'),
      lastNotificationSent: checkedAt,
    };
    const photos = {
      name: 'Photos',
      lastBackupDate: '2026-11-24T02:00:00.417Z',
      lastBackupId: idOf(HOME, 'Photos'),
      lastBackupStatus: 'Success',
      lastBackupDuration: '00:02:28',
      lastBackupListCount: 14,
      backupCount: 11,
      // The last 10 of the 11 runs, oldest first (the Success of 15 Nov is out).
      statusHistory: ['Error', 'Success', 'Warning', 'Fatal', 'Success', 'Success', 'Warning', 'Success', 'Error', 'Success'],
      fileCount: 48213,
      fileSize: 187403571264,
      storageSize: 189214837122,
      uploadedSize: 236583750,
      warnings: 0,
      errors: 0,
      availableBackups: PHOTOS_VERSIONS,
      isBackupOverdue: true,
      notificationEvent: 'warnings',
      expectedBackupDate: '2026-11-25T02:00:00.417Z',
      expectedBackupElapsed: elapsedIn(home.backupInfo[1]?.expectedBackupElapsed, '2026-11-25T02:00:00.417Z', dash, 'Photos'),
      lastNotificationSent: checkedAt,
    };
    assert.ok(isOverdue(DUE.docker, dash) && isOverdue(DUE.photos, dash));
    assert.deepEqual(home, {
      id: HOME,
      name: 'homeserver',
      server_url: '',
      alias: '',
      note: '',
      hasPassword: false,
      backupInfo: [docker, photos],
      totalBackupCount: 12,
      totalStorageSize: 216525391234, // 27310554112 + 189214837122
      totalFileCount: 61117, // 12904 + 48213
      totalFileSize: 229276665920, // 41873094656 + 187403571264
      totalUploadedSize: 269659071, // 33075321 + 236583750
      haveOverdueBackups: true,
      // Docker volumes ran last (03:30 > 02:00).
      lastBackupDate: '2026-11-24T03:30:00.221Z',
      lastBackupStatus: 'Success',
      lastBackupDuration: '00:01:00',
      lastBackupListCount: 30,
      lastBackupName: 'N/A',
      lastBackupId: idOf(HOME, 'Docker volumes'),
      lastOverdueCheck: checkedAt,
      backupNames: ['Docker volumes', 'Photos'],
    });
  });

  test('serversSummary: the seven single-job servers', async () => {
    const actual = dash.json.serversSummary;
    const one = (i: InfoInput, index: number) => info(i, dash, actual[index]?.backupInfo?.[0]);
    const expected = [
      solo(DOCKER, '9f3c2b7d1e4a', one({ name: 'Nextcloud data', v: V.nextcloud, serverId: DOCKER, date: '2026-11-24T01:30:00.118Z', due: DUE.nextcloud }, 0)),
      solo(DESKTOP, 'DESKTOP-7QK2M4P', one({ name: 'Laptop - User profile', v: V.laptop, serverId: DESKTOP, date: '2026-11-24T00:30:00.883Z', due: DUE.laptop }, 1)),
      solo(FILESRV, 'FILESRV01', one({ name: 'Company shares', v: V.shares, serverId: FILESRV, date: '2026-11-20T23:00:00.220Z', due: DUE.shares }, 2)),
      solo(ODD, ODD_NAME, one({ name: UNICODE_JOB, v: V.fotos, serverId: ODD, date: ODD_DATE, due: DUE.fotos }, 3)),
      solo(MACBOOK, UNICODE_MACHINE, one({ name: UNICODE_JOB, v: V.fotos, serverId: MACBOOK, date: NEWEST_RUN, due: DUE.fotos }, 4)),
      solo(RASPI, 'raspberrypi', one({ name: 'Duplicati.CommandLine', v: V.raspi, serverId: RASPI, date: '2026-11-22T21:14:09.552Z', due: DUE.raspi }, 6)),
      solo(WEBPROD, 'web-prod-03', one({ name: 'Website and DB dumps', v: V.website, serverId: WEBPROD, date: '2026-11-24T03:15:00.662Z', due: DUE.website }, 7)),
    ];
    assert.deepEqual([0, 1, 2, 3, 4, 6, 7].map((i) => actual[i]), expected);
    // The Fatal run: duration 0 reads "N/A" on the dashboard.
    assert.equal(actual[0].lastBackupDuration, 'N/A');
    assert.equal(actual[0].lastBackupStatus, 'Fatal');
  });

  test('includeChartData=true adds variant R: every run of every server, oldest first', async () => {
    const res = await admin.get('/api/dashboard?includeChartData=true');
    assert.equal(res.status, 200, res.text);
    assertNoLogKeys(res.text, 'dashboard');
    assert.deepEqual(res.json.chartData, ALL_RUNS.map(([date, label, v]) => runPoint(date, label, v)));
    assert.deepEqual(res.json.serversSummary.map((s: any) => s.id), dash.json.serversSummary.map((s: any) => s.id));
  });

  test('/api/summary agrees on counts; its size totals follow its own rules (02 §2.1)', async () => {
    const s = stableSummary(await summary());
    assert.deepEqual(s, {
      totalServers: 8,
      totalBackupsRuns: 19,
      totalBackups: 9,
      // every run: 11 × 236583750 + 33075321 + 64146425 + 0 + 1500918581295 + 693687507 + 70401232 + 2 × 166576145
      totalUploadedSize: 1504715465320,
      // newest run per server (homeserver: Docker volumes): 27310554112 + 203611873018 + 143622917120
      //   + 1500918581295 + 693687507 + 46918224113 + 2 × 23870117341
      totalStorageUsed: 1970816071847,
      // same rows: 41873094656 + 61204873216 + 0 + 1873452118016 + 734003219 + 9711390214 + 2 × 88123400221
      totalBackupSize: 2163222279763,
      overdueBackupsCount: 9,
    });
  });
});

// ─────────────────────────────────────────────────────────────────────────────────────────────────
describe('chart data', () => {
  test('aggregated without a range: variant R, one point per run (= dashboard chartData)', async () => {
    const res = await admin.get('/api/chart-data/aggregated');
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json, ALL_RUNS.map(([date, label, v]) => runPoint(date, label, v)));
    // A single bound is no range.
    assert.deepEqual(await ok(admin, '/api/chart-data/aggregated?startDate=2026-11-24T00:00:00Z'), res.json);
  });

  test('aggregated with a range: variant D, one point per UTC day, summed; isoDate = the day’s first run', async () => {
    const full = await ok(admin, `/api/chart-data/aggregated?startDate=2026-11-22T00:00:00.000Z&endDate=${enc('2026-11-24T23:59:59.999Z')}`);
    assertDayPoints(full, [
      // Photos 02:00:00.417 + raspberrypi 21:14:09.552
      { date: '2026-11-22', isoDate: '2026-11-22T02:00:00.417Z', uploadedSize: 930271257, duration: 439.2059429, fileCount: 49417, fileSize: 188137574483, storageSize: 189908524629, backupVersions: 15 },
      // Photos 02:00:00.417 + Photos 14:00 + odd copy 20:15:00.500
      { date: '2026-11-23', isoDate: '2026-11-23T02:00:00.417Z', uploadedSize: 639743645, duration: 365.9645085, fileCount: 116843, fileSize: 462930542749, storageSize: 402299791585, backupVersions: 59 },
      // laptop 00:30 + nextcloud 01:30 + Photos 02:00 + website 03:15 + Docker 03:30 + MacBook 20:15
      { date: '2026-11-24', isoDate: '2026-11-24T00:30:00.883Z', uploadedSize: 570782873, duration: 402.809071, fileCount: 206763, fileSize: 388316329571, storageSize: 634548522826, backupVersions: 173 },
    ], 'aggregated 22–24 Nov');

    // Both bounds inclusive, on the instant: 22 Nov from 12:00 (raspberrypi only), 24 Nov up to the Photos run.
    const part = await ok(admin, `/api/chart-data/aggregated?startDate=2026-11-22T12:00:00.000Z&endDate=2026-11-24T02:00:00.417Z`);
    assertDayPoints(part, [
      { date: '2026-11-22', isoDate: '2026-11-22T21:14:09.552Z', uploadedSize: 693687507, duration: 290.4659755, fileCount: 1204, fileSize: 734003219, storageSize: 693687507, backupVersions: 1 },
      { date: '2026-11-23', isoDate: '2026-11-23T02:00:00.417Z', uploadedSize: 639743645, duration: 365.9645085, fileCount: 116843, fileSize: 462930542749, storageSize: 402299791585, backupVersions: 59 },
      // laptop + nextcloud + Photos: 64146425 + 0 + 236583750; 86.4147147 + 0 + 148.7399674; …
      { date: '2026-11-24', isoDate: '2026-11-24T00:30:00.883Z', uploadedSize: 300730175, duration: 235.1546821, fileCount: 144625, fileSize: 248608444480, storageSize: 536449627260, backupVersions: 87 },
    ], 'aggregated 22 Nov 12:00 – 24 Nov 02:00:00.417');

    assert.deepEqual(await ok(admin, '/api/chart-data/aggregated?startDate=2025-01-01T00:00:00Z&endDate=2025-12-31T00:00:00Z'), []);
  });

  test('per server: variant D over all its jobs, with and without a range', async () => {
    assertDayPoints(await ok(admin, `/api/chart-data/server/${HOME}`), [
      ...['15', '16', '17', '18', '19', '20', '21', '22'].map((d) => photosDay(`2026-11-${d}`)),
      // two Photos runs: 2 × 236583750, 2 × 148.7399674, …
      { date: '2026-11-23', isoDate: '2026-11-23T02:00:00.417Z', uploadedSize: 473167500, duration: 297.4799348, fileCount: 96426, fileSize: 374807142528, storageSize: 378429674244, backupVersions: 28 },
      // Photos + Docker volumes
      { date: '2026-11-24', isoDate: '2026-11-24T02:00:00.417Z', uploadedSize: 269659071, duration: 209.3648386, fileCount: 61117, fileSize: 229276665920, storageSize: 216525391234, backupVersions: 44 },
    ], 'homeserver');
    assertDayPoints(
      await ok(admin, `/api/chart-data/server/${HOME}?startDate=2026-11-20T00:00:00Z&endDate=2026-11-21T23:59:59Z`),
      [photosDay('2026-11-20'), photosDay('2026-11-21')],
      'homeserver 20–21 Nov',
    );
    // The URL-encoded odd id.
    assertDayPoints(await ok(admin, `/api/chart-data/server/${enc(ODD)}`), [
      { date: '2026-11-23', isoDate: ODD_DATE, uploadedSize: 166576145, duration: 68.4845737, fileCount: 20417, fileSize: 88123400221, storageSize: 23870117341, backupVersions: 31 },
    ], 'odd id');
    // A known server with nothing in the range is an empty list, not an error.
    assert.deepEqual(await ok(admin, `/api/chart-data/server/${enc(ODD)}?startDate=2026-11-24T00:00:00Z&endDate=2026-11-25T00:00:00Z`), []);
  });

  test('per job: the unicode machine and job names, URL-encoded (%2F for the slash)', async () => {
    const path = `/api/chart-data/server/${enc(MACBOOK)}/backup/${enc(UNICODE_JOB)}`;
    assert.match(path, /%2F/);
    assertDayPoints(await ok(admin, path), [
      { date: '2026-11-24', isoDate: NEWEST_RUN, uploadedSize: 166576145, duration: 68.4845737, fileCount: 20417, fileSize: 88123400221, storageSize: 23870117341, backupVersions: 31 },
    ], 'MacBook job');
    assertDayPoints(await ok(admin, `/api/chart-data/server/${enc(ODD)}/backup/${enc(UNICODE_JOB)}`), [
      { date: '2026-11-23', isoDate: ODD_DATE, uploadedSize: 166576145, duration: 68.4845737, fileCount: 20417, fileSize: 88123400221, storageSize: 23870117341, backupVersions: 31 },
    ], 'odd id job');
    assertDayPoints(await ok(admin, `/api/chart-data/server/${HOME}/backup/Photos?startDate=2026-11-23T00:00:00Z&endDate=2026-11-23T23:59:59Z`), [
      { date: '2026-11-23', isoDate: '2026-11-23T02:00:00.417Z', uploadedSize: 473167500, duration: 297.4799348, fileCount: 96426, fileSize: 374807142528, storageSize: 378429674244, backupVersions: 28 },
    ], 'Photos on 23 Nov');
    assertDayPoints(await ok(admin, `/api/chart-data/server/${HOME}/backup/${enc('Docker volumes')}`), [
      { date: '2026-11-24', isoDate: '2026-11-24T03:30:00.221Z', uploadedSize: 33075321, duration: 60.6248712, fileCount: 12904, fileSize: 41873094656, storageSize: 27310554112, backupVersions: 30 },
    ], 'Docker volumes');
  });

  test('invalid dates → 400 "Invalid date parameters" on all three endpoints', async () => {
    const paths = ['/api/chart-data/aggregated', `/api/chart-data/server/${HOME}`, `/api/chart-data/server/${enc(MACBOOK)}/backup/${enc(UNICODE_JOB)}`];
    for (const path of paths) {
      for (const q of ['startDate=yesterday&endDate=2026-11-24', 'startDate=2026-11-20&endDate=2026-13-45', 'startDate=x&endDate=y']) {
        assertError(await admin.get(`${path}?${q}`), 400, 'Invalid date parameters');
      }
    }
  });

  test('unknown servers and jobs → 404 with the error envelope', async () => {
    for (const path of [
      '/api/chart-data/server/ghost',
      `/api/chart-data/server/${enc('Zoë’s "box"/2 日本')}`,
      '/api/chart-data/server/homeserver', // a name is not an id
      '/api/chart-data/server/ghost/backup/Photos',
      `/api/chart-data/server/${HOME}/backup/Nope`,
      `/api/chart-data/server/${HOME}/backup/photos`, // names are exact
      `/api/chart-data/server/${enc(MACBOOK)}/backup/Photos`, // another server's job
      `/api/chart-data/server/${enc(MACBOOK)}/backup/${enc('Fotos & Videos "Urlaub" 2026 – Zoë')}`,
    ]) {
      const res = await admin.get(path);
      assert.equal(res.status, 404, `${path}: ${res.text}`);
      assertErrorEnvelope(res.json);
    }
  });
});

// ─────────────────────────────────────────────────────────────────────────────────────────────────
describe('PATCH /api/servers/:id', () => {
  const HOME_EDIT = { alias: 'Home NAS', server_url: 'https://nas.lan:8200/' };
  const ODD_EDIT = { alias: 'Zoë’s "mini" / 日本', note: 'Schreibtisch „2“', server_url: 'http://[::1]:8200' };

  test('alias, note and URL are replaced; an omitted field is cleared (02 §3.4)', async () => {
    let res = await admin.patch(`/api/servers/${HOME}`, { json: { ...HOME_EDIT, note: 'rack 2' } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json, { message: 'Server updated successfully', serverId: HOME, server_url: 'https://nas.lan:8200/', alias: 'Home NAS', note: 'rack 2' });
    assert.deepEqual(await ok(admin, `/api/servers/${HOME}`), { id: HOME, name: 'homeserver', alias: 'Home NAS', note: 'rack 2', server_url: 'https://nas.lan:8200/' });

    res = await admin.patch(`/api/servers/${HOME}`, { json: HOME_EDIT });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json, { message: 'Server updated successfully', serverId: HOME, server_url: 'https://nas.lan:8200/', alias: 'Home NAS', note: '' });
    assert.deepEqual(await ok(admin, `/api/servers/${HOME}`), { id: HOME, name: 'homeserver', alias: 'Home NAS', note: '', server_url: 'https://nas.lan:8200/' });
    // The list views show it too.
    const listed = (await ok(admin, '/api/servers')).find((s: any) => s.id === HOME);
    assert.deepEqual(listed, { id: HOME, name: 'homeserver', alias: 'Home NAS', note: '' });
    const card = (await ok(admin, '/api/dashboard')).serversSummary.find((s: any) => s.id === HOME);
    assert.deepEqual([card.alias, card.note, card.server_url, card.name], ['Home NAS', '', 'https://nas.lan:8200/', 'homeserver']);
  });

  test('/api/lastbackup(s)/<alias> finds the server by its new alias', async () => {
    const res = await admin.get(`/api/lastbackup/${enc('Home NAS')}`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.server.id, HOME);
    assert.equal(res.json.server.alias, 'Home NAS');
    assert.equal(res.json.latest_backup.id, idOf(HOME, 'Docker volumes'));
    const all = await admin.get(`/api/lastbackups/${enc('Home NAS')}`);
    assert.equal(all.status, 200, all.text);
    assert.deepEqual(all.json.backup_names, ['Docker volumes', 'Photos']);
  });

  test('the odd id, URL-encoded, with a unicode alias; found by that alias and by the machine name', async () => {
    const res = await admin.patch(`/api/servers/${enc(ODD)}`, { json: ODD_EDIT });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json, { message: 'Server updated successfully', serverId: ODD, ...ODD_EDIT });
    assert.deepEqual(await ok(admin, `/api/servers/${enc(ODD)}`), { id: ODD, name: ODD_NAME, ...ODD_EDIT });
    const byAlias = await admin.get(`/api/lastbackup/${enc(ODD_EDIT.alias)}`);
    assert.equal(byAlias.status, 200, byAlias.text);
    assert.equal(byAlias.json.server.id, ODD);
    assert.equal(byAlias.json.latest_backup.name, UNICODE_JOB);
    const byName = await admin.get(`/api/lastbackup/${enc(UNICODE_MACHINE)}`);
    assert.equal(byName.status, 200, byName.text);
    assert.equal(byName.json.server.id, MACBOOK);
  });

  test('a bad URL is refused as the spec says (404) and changes nothing', async () => {
    const before = await ok(admin, `/api/servers/${HOME}`);
    assertError(await admin.patch(`/api/servers/${HOME}`, { json: { alias: 'X', server_url: 'not a url' } }), 404, 'Invalid URL format');
    assertError(await admin.patch(`/api/servers/${HOME}`, { json: { alias: 'X', server_url: 'ftp://nas.lan:21/' } }), 404, 'URL must use HTTP or HTTPS protocol');
    assert.deepEqual(await ok(admin, `/api/servers/${HOME}`), before);
  });

  test('wrong types → 400 with the reason, nothing changed', async () => {
    const before = await ok(admin, `/api/servers/${HOME}`);
    for (const json of [{ alias: 42 }, { note: ['x'] }, { server_url: true }, { alias: 'ok', note: { text: 'x' } }]) {
      assertError(await admin.patch(`/api/servers/${HOME}`, { json }), 400, 'Invalid field types');
    }
    const typed = await admin.patch(`/api/servers/${HOME}`, { json: { alias: 1, note: 'fine', server_url: {} } });
    assertError(typed, 400, 'Invalid field types');
    assert.match(typed.json.message, /server_url/);
    assert.match(typed.json.message, /alias/);
    for (const body of ['[]', '"alias"', 'null', 'alias=x', '{"alias":']) {
      const res = await admin.patch(`/api/servers/${HOME}`, { body, headers: { 'Content-Type': 'application/json' } });
      assert.equal(res.status, 400, `${body}: ${res.text}`);
      assertErrorEnvelope(res.json);
    }
    assert.deepEqual(await ok(admin, `/api/servers/${HOME}`), before);
  });

  test('unknown ids → 404 with the error envelope, no server created', async () => {
    for (const id of ['ghost', 'homeserver', 'Zoë’s "box"/2 日本']) {
      assertError(await admin.patch(`/api/servers/${enc(id)}`, { json: { alias: 'x' } }), 404, 'Server not found');
    }
    assert.equal((await ok(admin, '/api/servers')).length, 8);
  });

  test('every successful update is audited as server_updated', async () => {
    const logs = await auditOf('server_updated');
    const shaped = logs.map((l) => ({ targetId: l.targetId, details: l.details })).reverse(); // oldest first
    assert.deepEqual(shaped, [
      { targetId: HOME, details: { server_url: 'https://nas.lan:8200/', alias: 'Home NAS', note: 'rack 2' } },
      { targetId: HOME, details: { server_url: 'https://nas.lan:8200/', alias: 'Home NAS', note: '' } },
      { targetId: ODD, details: ODD_EDIT },
    ]);
    for (const l of logs) {
      assert.deepEqual([l.username, l.category, l.targetType, l.status], ['admin', 'server', 'server', 'success']);
    }
  });
});

// ─────────────────────────────────────────────────────────────────────────────────────────────────
describe('admin rights and CSRF on the writes', () => {
  test('a signed-in non-admin gets 403 on PATCH, DELETE, merge and duplicates; nothing changes', async () => {
    const before = stableSummary(await summary());
    const home = await ok(admin, `/api/servers/${HOME}`);
    assertError(await user.patch(`/api/servers/${HOME}`, { json: { alias: 'mine' } }), 403, 'Administrator access required');
    assertError(await user.delete(`/api/servers/${HOME}`), 403, 'Administrator access required');
    assertError(await user.delete(`/api/servers/${enc(ODD)}`), 403, 'Administrator access required');
    assertError(await user.post('/api/servers/merge', { json: { oldServerIds: [DESKTOP], targetServerId: HOME } }), 403, 'Administrator access required');
    assertError(await user.get('/api/servers/duplicates'), 403, 'Administrator access required');
    assert.deepEqual(await ok(admin, `/api/servers/${HOME}`), home);
    assert.deepEqual(stableSummary(await summary()), before);
  });

  test('an admin without (or with a wrong) X-CSRF-Token gets 403; nothing changes', async () => {
    const before = stableSummary(await summary());
    const home = await ok(admin, `/api/servers/${HOME}`);
    for (const csrf of [false, 'f'.repeat(64)] as const) {
      assertError(await admin.patch(`/api/servers/${HOME}`, { json: { alias: 'nope' }, csrf }), 403, 'Invalid CSRF token');
      assertError(await admin.delete(`/api/servers/${HOME}`, { csrf }), 403, 'Invalid CSRF token');
      assertError(await admin.post('/api/servers/merge', { json: { oldServerIds: [DESKTOP], targetServerId: HOME }, csrf }), 403, 'Invalid CSRF token');
    }
    assert.deepEqual(await ok(admin, `/api/servers/${HOME}`), home);
    assert.deepEqual(stableSummary(await summary()), before);
    assert.equal((await auditOf('server_deleted')).length, 0);
    assert.equal((await auditOf('servers_merged')).length, 0);
  });
});

// ─────────────────────────────────────────────────────────────────────────────────────────────────
describe('duplicates and merge', () => {
  // The reinstalled homeserver: new machine-id and job id, same machine-name; the run of 24 Nov is
  // reported again by it (overlap) and it has a new run of 25 Nov.
  const twinRun = (begin: string | null) =>
    editedFixture('backup-success.json', (r) => {
      r.Extra['machine-id'] = TWIN;
      r.Extra['backup-id'] = 'DB-7';
      if (begin) r.Data.BeginTime = begin;
    });
  let beforeMerge: Record<string, unknown>;

  test('no duplicates at first', async () => {
    assert.deepEqual(await ok(admin, '/api/servers/duplicates'), []);
  });

  test('GET /api/servers/duplicates lists the pair sharing a name, newest first', async () => {
    await upload(twinRun(null), 'twin 24 Nov');
    await upload(twinRun('2026-11-25T02:00:00.4172913Z'), 'twin 25 Nov');
    const patched = await admin.patch(`/api/servers/${TWIN}`, { json: { note: 'reinstalled 2026-11-25' } });
    assert.equal(patched.status, 200, patched.text);

    const res = await admin.get('/api/servers/duplicates');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.length, 1, res.text);
    const [group] = res.json;
    assert.equal(group.name, 'homeserver');
    for (const s of group.servers) assert.match(s.created_at, CREATED_AT);
    assert.ok(group.servers[0].created_at >= group.servers[1].created_at);
    assert.deepEqual(group.servers.map(({ created_at: _, ...s }: any) => s), [
      { id: TWIN, alias: '', note: 'reinstalled 2026-11-25', server_url: '' },
      { id: HOME, alias: 'Home NAS', note: '', server_url: 'https://nas.lan:8200/' },
    ]);
    // The name now names two servers.
    assertError(await admin.get('/api/lastbackup/homeserver'), 400, 'Multiple servers found with the same name');

    beforeMerge = stableSummary(await summary());
    assert.equal(beforeMerge.totalServers, 9);
    assert.equal(beforeMerge.totalBackupsRuns, 21); // 19 + the twin's 2
  });

  test('malformed merge bodies → 400 with the reason, nothing changed', async () => {
    const cases: [unknown, string][] = [
      [{ oldServerIds: [], targetServerId: HOME }, 'oldServerIds must be a non-empty array'],
      [{ targetServerId: HOME }, 'oldServerIds must be a non-empty array'],
      [{ oldServerIds: TWIN, targetServerId: HOME }, 'oldServerIds must be a non-empty array'],
      [{ oldServerIds: [TWIN, 7], targetServerId: HOME }, 'oldServerIds must be a non-empty array'],
      [{ oldServerIds: [TWIN] }, 'targetServerId is required'],
      [{ oldServerIds: [TWIN], targetServerId: '' }, 'targetServerId is required'],
      [{ oldServerIds: [TWIN], targetServerId: 42 }, 'targetServerId is required'],
      [{ oldServerIds: [TWIN], targetServerId: [HOME] }, 'targetServerId is required'],
      [{ oldServerIds: [TWIN, HOME], targetServerId: HOME }, 'Target server cannot be in the list of servers to merge'],
      [{ oldServerIds: [TWIN, 'ghost'], targetServerId: HOME }, 'Servers to merge not found'],
      [{ oldServerIds: [TWIN], targetServerId: 'ghost' }, 'Target server ghost not found'],
    ];
    for (const [json, error] of cases) {
      const res = await admin.post('/api/servers/merge', { json });
      assert.equal(res.status, 400, `${JSON.stringify(json)}: ${res.text}`);
      assertErrorEnvelope(res.json, error);
    }
    for (const body of ['[]', 'not json', '']) {
      const res = await admin.post('/api/servers/merge', { body, headers: { 'Content-Type': 'application/json' } });
      assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
      assertErrorEnvelope(res.json);
    }
    assert.deepEqual(stableSummary(await summary()), beforeMerge);
    assert.equal((await ok(admin, '/api/servers/duplicates'))[0].servers.length, 2);
    assert.equal((await ok(admin, `/api/servers/${TWIN}?includeBackups=true`)).backups.length, 2);
    assert.equal((await auditOf('servers_merged')).length, 0);
  });

  test('POST /api/servers/merge keeps every run exactly once under the target', async () => {
    const res = await admin.post('/api/servers/merge', { json: { oldServerIds: [TWIN], targetServerId: HOME } });
    assert.equal(res.status, 200, res.text);
    // The target's Photos runs all carry DB-1; the twin's take the target's id, so nothing to normalize.
    assert.deepEqual(res.json, { success: true, message: 'Successfully merged 1 server(s) into target server', backupIdsNormalized: 0 });

    const after = stableSummary(await summary());
    // The merged Photos job is due 26 Nov 02:00:00.417, overdue 2 h later.
    const photosOverdue = Date.now() > Date.parse('2026-11-26T02:00:00.417Z') + TOLERANCE_MS;
    assert.deepEqual(after, {
      ...beforeMerge,
      totalServers: 8,
      totalBackupsRuns: 20, // 21 − the twin's copy of 24 Nov
      totalBackups: 9, // the twin's Photos job is homeserver's Photos job again
      overdueBackupsCount: photosOverdue ? 9 : 8,
      totalUploadedSize: (beforeMerge.totalUploadedSize as number) - 236583750,
      // homeserver's newest run is now the Photos run of 25 Nov instead of Docker volumes, and the
      // twin (whose newest run was that same run) is gone: − 27310554112 (Docker) in storage,
      // − 41873094656 in examined size.
      totalStorageUsed: (beforeMerge.totalStorageUsed as number) - 27310554112,
      totalBackupSize: (beforeMerge.totalBackupSize as number) - 41873094656,
    });

    const home = await ok(admin, `/api/servers/${HOME}?includeBackups=true`);
    // Metadata: the target's values stay; its empty note takes the twin's.
    assert.deepEqual([home.name, home.alias, home.note, home.server_url], ['homeserver', 'Home NAS', 'reinstalled 2026-11-25', 'https://nas.lan:8200/']);
    assert.deepEqual(home.backups.map((b: any) => [b.name, b.date, b.server_id]), [
      ['Photos', TWIN_NEW_DATE, HOME],
      ['Docker volumes', '2026-11-24T03:30:00.221Z', HOME],
      ['Photos', PHOTOS_LATEST, HOME],
      ...PHOTO_RUNS.map(([, date]) => ['Photos', date, HOME]).reverse(),
    ]);
    assert.equal(new Set(home.backups.map((b: any) => b.id)).size, 13);
    // The target's own copy of 24 Nov is the one kept.
    assert.equal(home.backups[2].id, idOf(HOME, 'Photos'));

    const latest = await admin.get(`/api/lastbackups/${HOME}`);
    assert.equal(latest.status, 200, latest.text);
    assert.deepEqual(latest.json.backup_names, ['Photos', 'Docker volumes']);
    assert.deepEqual(latest.json.latest_backups.map((b: any) => [b.name, b.date]), [['Photos', TWIN_NEW_DATE], ['Docker volumes', '2026-11-24T03:30:00.221Z']]);
    assert.equal(latest.json.backup_jobs_count, 2);
    assert.deepEqual([latest.json.server.backup_name, latest.json.server.backup_id], ['Photos', 'DB-1']);
    // The name is unique again.
    assert.equal((await ok(admin, '/api/lastbackup/homeserver')).server.id, HOME);
    await refreshLatestIds();
  });

  test('the merged job on the dashboard: 12 runs, the last 10 statuses', async () => {
    const dash = await timed(admin, '/api/dashboard');
    const home = dash.json.serversSummary.find((s: any) => s.id === HOME);
    const photos = home.backupInfo.find((i: any) => i.name === 'Photos');
    assert.deepEqual(
      [photos.backupCount, photos.lastBackupDate, photos.lastBackupId, photos.expectedBackupDate],
      [12, TWIN_NEW_DATE, idOf(HOME, 'Photos'), '2026-11-26T02:00:00.417Z'],
    );
    assert.deepEqual(photos.statusHistory, ['Success', 'Warning', 'Fatal', 'Success', 'Success', 'Warning', 'Success', 'Error', 'Success', 'Success']);
    assert.equal(home.totalBackupCount, 13);
    assert.deepEqual(dash.json.serversSummary.map((s: any) => s.id), [DOCKER, DESKTOP, FILESRV, ODD, MACBOOK, HOME, RASPI, WEBPROD]);
    assert.equal(dash.json.overallSummary.totalBackupsRuns, 20);
  });

  test('the source id is gone everywhere: 404', async () => {
    for (const path of [`/api/servers/${TWIN}`, `/api/servers/${TWIN}?includeBackups=true`, `/api/detail/${TWIN}`, `/api/chart-data/server/${TWIN}`, `/api/chart-data/server/${TWIN}/backup/Photos`, `/api/lastbackup/${TWIN}`]) {
      const res = await admin.get(path);
      assert.equal(res.status, 404, `${path}: ${res.text}`);
      assertErrorEnvelope(res.json);
    }
    assertError(await admin.patch(`/api/servers/${TWIN}`, { json: { alias: 'x' } }), 404, 'Server not found');
    assertError(await admin.delete(`/api/servers/${TWIN}`), 404, 'Server not found');
    assert.deepEqual(await ok(admin, '/api/servers/duplicates'), []);
    // Merging it again: it no longer exists.
    assertError(await admin.post('/api/servers/merge', { json: { oldServerIds: [TWIN], targetServerId: HOME } }), 400, 'Servers to merge not found');
  });

  test('the merge is audited as servers_merged', async () => {
    const logs = await auditOf('servers_merged');
    assert.equal(logs.length, 1);
    assert.deepEqual(
      [logs[0].targetId, logs[0].details, logs[0].username, logs[0].category, logs[0].status],
      [HOME, { oldServerIds: [TWIN], backupIdsNormalized: 0 }, 'admin', 'server', 'success'],
    );
  });
});

// ─────────────────────────────────────────────────────────────────────────────────────────────────
describe('DELETE /api/servers/:id', () => {
  /** The dashboard cards without the clock-driven text. */
  const cards = async () =>
    (await ok(admin, '/api/dashboard')).serversSummary.map((s: any) => ({
      ...s,
      backupInfo: s.backupInfo.map(({ expectedBackupElapsed: _, ...i }: any) => i),
    }));

  test('the odd id, URL-encoded: its one run goes, nothing else', async () => {
    const sumBefore = stableSummary(await summary());
    const cardsBefore = await cards();
    const chartBefore = await ok(admin, '/api/chart-data/aggregated');

    const res = await admin.delete(`/api/servers/${enc(ODD)}`);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json, { message: 'Successfully deleted server and 1 backups', status: 200, changes: { backupChanges: 1, serverChanges: 1 } });

    assert.deepEqual(stableSummary(await summary()), {
      ...sumBefore,
      totalServers: (sumBefore.totalServers as number) - 1,
      totalBackupsRuns: (sumBefore.totalBackupsRuns as number) - 1,
      totalBackups: (sumBefore.totalBackups as number) - 1,
      totalUploadedSize: (sumBefore.totalUploadedSize as number) - 166576145,
      totalStorageUsed: (sumBefore.totalStorageUsed as number) - 23870117341,
      totalBackupSize: (sumBefore.totalBackupSize as number) - 88123400221,
      overdueBackupsCount: (sumBefore.overdueBackupsCount as number) - 1, // its job was overdue
    });
    assert.deepEqual(await cards(), cardsBefore.filter((s: any) => s.id !== ODD));
    assert.deepEqual(await ok(admin, '/api/chart-data/aggregated'), chartBefore.filter((p: any) => p.isoDate !== ODD_DATE));
    assert.equal(chartBefore.length - 1, (await ok(admin, '/api/chart-data/aggregated')).length);

    for (const path of [`/api/servers/${enc(ODD)}`, `/api/detail/${enc(ODD)}`, `/api/chart-data/server/${enc(ODD)}`, `/api/chart-data/server/${enc(ODD)}/backup/${enc(UNICODE_JOB)}`]) {
      const gone = await admin.get(path);
      assert.equal(gone.status, 404, `${path}: ${gone.text}`);
      assertErrorEnvelope(gone.json);
    }
    assertError(await admin.get(`/api/lastbackup/${enc('Zoë’s "mini" / 日本')}`), 404, 'Server not found');
    // The other server with the same job name is untouched.
    assert.equal((await ok(admin, `/api/chart-data/server/${enc(MACBOOK)}/backup/${enc(UNICODE_JOB)}`)).length, 1);
  });

  test('homeserver: all 13 runs of both jobs go; the other servers are exactly as before', async () => {
    const sumBefore = stableSummary(await summary());
    const cardsBefore = await cards();
    const homeCard = cardsBefore.find((s: any) => s.id === HOME);
    const overdueJobs = homeCard.backupInfo.filter((i: any) => i.isBackupOverdue).length;
    const chartBefore = await ok(admin, '/api/chart-data/aggregated');
    const homeDates = new Set((await ok(admin, `/api/servers/${HOME}?includeBackups=true`)).backups.map((b: any) => b.date));
    assert.equal(homeDates.size, 13);

    const res = await admin.delete(`/api/servers/${HOME}`);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json, { message: 'Successfully deleted server and 13 backups', status: 200, changes: { backupChanges: 13, serverChanges: 1 } });

    assert.deepEqual(stableSummary(await summary()), {
      ...sumBefore,
      totalServers: (sumBefore.totalServers as number) - 1,
      totalBackupsRuns: (sumBefore.totalBackupsRuns as number) - 13,
      totalBackups: (sumBefore.totalBackups as number) - 2,
      // 12 × 236583750 + 33075321
      totalUploadedSize: (sumBefore.totalUploadedSize as number) - 2872080321,
      // its newest run: Photos of 25 Nov
      totalStorageUsed: (sumBefore.totalStorageUsed as number) - 189214837122,
      totalBackupSize: (sumBefore.totalBackupSize as number) - 187403571264,
      overdueBackupsCount: (sumBefore.overdueBackupsCount as number) - overdueJobs,
    });
    assert.deepEqual(await cards(), cardsBefore.filter((s: any) => s.id !== HOME));
    assert.deepEqual(await ok(admin, '/api/chart-data/aggregated'), chartBefore.filter((p: any) => !homeDates.has(p.isoDate)));
    assert.deepEqual((await ok(admin, '/api/servers')).map((s: any) => s.id), [DOCKER, DESKTOP, FILESRV, MACBOOK, RASPI, WEBPROD]);

    for (const path of [`/api/servers/${HOME}`, `/api/detail/${HOME}`, `/api/chart-data/server/${HOME}`, `/api/chart-data/server/${HOME}/backup/Photos`, '/api/lastbackup/homeserver', `/api/lastbackups/${enc('Home NAS')}`]) {
      const gone = await admin.get(path);
      assert.equal(gone.status, 404, `${path}: ${gone.text}`);
      assertErrorEnvelope(gone.json);
    }
  });

  test('unknown ids → 404 with the error envelope (not the reference’s 500)', async () => {
    for (const id of [HOME, ODD, 'ghost', 'Zoë’s "box"/2 日本']) {
      assertError(await admin.delete(`/api/servers/${enc(id)}`), 404, 'Server not found');
    }
    assert.equal((await ok(admin, '/api/servers')).length, 6);
  });

  test('each deletion is audited as server_deleted', async () => {
    const logs = (await auditOf('server_deleted')).reverse();
    assert.deepEqual(logs.map((l) => [l.targetId, l.details, l.username, l.category, l.targetType, l.status]), [
      [ODD, { serverName: ODD_NAME, backupChanges: 1 }, 'admin', 'server', 'server', 'success'],
      [HOME, { serverName: 'homeserver', backupChanges: 13 }, 'admin', 'server', 'server', 'success'],
    ]);
  });
});
