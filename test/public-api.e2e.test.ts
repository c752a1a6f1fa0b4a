// End to end: the public read API (/api/summary, /api/lastbackup/:id, /api/lastbackups/:id,
// /api/health) of the real daemon after every shared Duplicati fixture was uploaded.
// Spec 02 §0.2/§0.3/§1/§2, 04 §14.1, decisions 2, 3, 6, 7, 8, 17.
//
// Every expected value below was worked out BY HAND from the fixture files; none is computed by
// the code under test. The only values taken from the fixtures at run time are the ones that are
// copied verbatim by definition (messages_array = LogLines, the Warning/Error log entries picked
// by the indices written here, the Exception text): they are long stack traces not worth retyping.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { signInFirstAdmin } from './helpers/client.ts';
import { startDaemon, type Daemon } from './helpers/daemon.ts';
import { fixture, fixtureBody } from './helpers/fixtures.ts';
import {
  assertErrorEnvelope,
  assertNoStore,
  CREATED_AT,
  editedFixture,
  getJson,
  getSummary,
  ISO_MS,
  upload,
  UUID,
} from './helpers/http.ts';

// ---------------------------------------------------------------------------------------------
// Expected values, by hand.
//
// date       = BeginTime truncated (not rounded) to milliseconds, UTC.
// status     = ParsedResult; a Success with WarningsActualLength > 0 would become Warning (none here).
// duration   = floor of the TimeSpan as HH:MM:SS, hours past 24 allowed (decision 6).
// durationInMinutes = duration_seconds / 60, unrounded.
// available_backups: "Backups to consider" minus "All backups to delete", each wall-clock time read
//   in the offset printed on its own log line (decision 7), newest first.
// ---------------------------------------------------------------------------------------------

const HOMESERVER = '4c8e2f6a9d1b47e3b5a07c3d9e2f1a68';
const DESKTOP = 'a71d3e9c0b5f4e28968c4f2d1b7e5a30';
const DOCKER = 'e0b64c2d8a3f4917b2c5d6e7f8091a2b';
const FILESRV = 'f2a0c4e6b8d1435797a9cbdef0123456';
const RASPI = '0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a';
const WEBPROD = '5d2a9f7c3e1b4a6d8f0e2c4b6a8d0f13';
const MACBOOK = 'c3f18a7e2d9b4c05a6e1f7d2b8c9a4e0';

const UNICODE_MACHINE = 'Zoë’s MacBook Pro';
const UNICODE_JOB = 'Fotos & Videos "Urlaub" 2026 – Zoë/日本';

interface ExpectedRun {
  fixture: string;
  /** Indices into the fixture's LogLines of the Warning-level entries. */
  warningLines: number[];
  /** Indices of the Error-level entries; the top-level Exception text follows them when `exception`. */
  errorLines: number[];
  exception: boolean;
  logLineCount: number;
  backupId: string;
  body: Record<string, unknown>;
}

const RUNS: Record<string, ExpectedRun> = {
  // homeserver / Photos: en-GB dd/MM/yyyy, +00 on the log line, nothing deleted → 13 versions.
  photos: {
    fixture: 'backup-success.json',
    warningLines: [],
    errorLines: [],
    exception: false,
    logLineCount: 41,
    backupId: 'DB-1',
    body: {
      server_id: HOMESERVER,
      name: 'Photos',
      date: '2026-11-24T02:00:00.417Z', // 02:00:00.4172913Z
      status: 'Success',
      warnings: 0,
      errors: 0,
      messages: 41,
      fileCount: 48213,
      fileSize: 187403571264,
      uploadedSize: 236583750,
      duration: '00:02:28', // 00:02:28.7399674
      duration_seconds: 148.7399674,
      durationInMinutes: 2.4789994566666667, // 148.7399674 / 60
      knownFileSize: 189214837122,
      backup_list_count: 14,
      available_backups: [
        '2026-11-23T02:00:04.000Z',
        '2026-11-22T02:00:03.000Z',
        '2026-11-21T02:00:03.000Z',
        '2026-11-20T02:00:02.000Z',
        '2026-11-19T02:00:02.000Z',
        '2026-11-18T02:00:01.000Z',
        '2026-11-17T02:00:02.000Z',
        '2026-11-10T02:00:02.000Z',
        '2026-11-03T02:00:01.000Z',
        '2026-10-26T02:00:03.000Z',
        '2026-09-25T02:00:02.000Z',
        '2026-08-25T02:00:02.000Z',
        '2026-07-25T02:00:01.000Z',
      ],
    },
  },
  // homeserver / Docker volumes: --keep-versions, no "Backups to consider" line → [].
  docker: {
    fixture: 'backup-second-job-same-machine.json',
    warningLines: [],
    errorLines: [],
    exception: false,
    logLineCount: 32,
    backupId: 'DB-3',
    body: {
      server_id: HOMESERVER,
      name: 'Docker volumes',
      date: '2026-11-24T03:30:00.221Z', // 03:30:00.2210554Z
      status: 'Success',
      warnings: 0,
      errors: 0,
      messages: 32,
      fileCount: 12904,
      fileSize: 41873094656,
      uploadedSize: 33075321,
      duration: '00:01:00', // 00:01:00.6248712
      duration_seconds: 60.6248712,
      durationInMinutes: 1.01041452, // 60.6248712 / 60
      knownFileSize: 27310554112,
      backup_list_count: 30,
      available_backups: [],
    },
  },
  // DESKTOP-7QK2M4P: en-US "M/d/yyyy h:mm:ss PM" at -05 → 7:30 PM local is 00:30Z the next day.
  // 16 considered, 11/20/2025 deleted → 15 versions.
  laptop: {
    fixture: 'backup-warning.json',
    warningLines: [4, 5],
    errorLines: [],
    exception: false,
    logLineCount: 36,
    backupId: 'DB-2',
    body: {
      server_id: DESKTOP,
      name: 'Laptop - User profile',
      date: '2026-11-24T00:30:00.883Z', // 00:30:00.8835127Z
      status: 'Warning',
      warnings: 2,
      errors: 0,
      messages: 34,
      fileCount: 96412,
      fileSize: 61204873216,
      uploadedSize: 64146425,
      duration: '00:01:26', // 00:01:26.4147147
      duration_seconds: 86.4147147,
      durationInMinutes: 1.440245245, // 86.4147147 / 60
      knownFileSize: 203611873018,
      backup_list_count: 16,
      available_backups: [
        '2026-11-23T00:30:06.000Z', // 11/22/2026 7:30:06 PM -05
        '2026-11-22T00:30:05.000Z',
        '2026-11-21T00:30:05.000Z',
        '2026-11-20T00:30:04.000Z',
        '2026-11-19T00:30:04.000Z',
        '2026-11-18T00:30:03.000Z',
        '2026-11-17T00:30:03.000Z',
        '2026-11-10T00:30:02.000Z', // 11/9/2026 7:30:02 PM
        '2026-11-03T00:30:02.000Z', // 11/2/2026
        '2026-10-26T00:30:05.000Z', // 10/25/2026
        '2026-09-26T00:30:04.000Z', // 9/25/2026
        '2026-08-27T00:30:03.000Z', // 8/26/2026
        '2026-07-28T00:30:02.000Z', // 7/27/2026
        '2026-05-29T00:30:02.000Z', // 5/28/2026
        '2026-01-29T00:30:01.000Z', // 1/28/2026
      ],
    },
  },
  // 9f3c2b7d1e4a / Nextcloud data: Fatal, stored like any run (decision 4); EndTime unset and
  // Duration 00:00:00; errors_array = the Error line, then the Exception text (decision 2).
  nextcloud: {
    fixture: 'backup-error.json',
    warningLines: [3, 4],
    errorLines: [5],
    exception: true,
    logLineCount: 6,
    backupId: 'DB-4',
    body: {
      server_id: DOCKER,
      name: 'Nextcloud data',
      date: '2026-11-24T01:30:00.118Z', // 01:30:00.1184406Z
      status: 'Fatal',
      warnings: 2,
      errors: 1,
      messages: 3,
      fileCount: 0,
      fileSize: 0,
      uploadedSize: 0,
      duration: '00:00:00',
      duration_seconds: 0,
      durationInMinutes: 0,
      knownFileSize: 143622917120,
      backup_list_count: 57,
      available_backups: [],
    },
  },
  // FILESRV01 / Company shares: 1.03:12:45.8841023 = 1 day + 3 h + 12 min + 45.8841023 s
  // = 86400 + 10800 + 720 + 45.8841023 = 97965.8841023 s → "27:12:45".
  shares: {
    fixture: 'backup-initial-over-24h.json',
    warningLines: [],
    errorLines: [],
    exception: false,
    logLineCount: 101, // 100 lines + "... and 5506 more"
    backupId: 'DB-5',
    body: {
      server_id: FILESRV,
      name: 'Company shares',
      date: '2026-11-20T23:00:00.220Z', // 23:00:00.2208617Z
      status: 'Success',
      warnings: 0,
      errors: 0,
      messages: 5606,
      fileCount: 1284511,
      fileSize: 1873452118016,
      uploadedSize: 1500918581295,
      duration: '27:12:45',
      duration_seconds: 97965.8841023,
      durationInMinutes: 1632.7647350383334, // 97965.8841023 / 60
      knownFileSize: 1500918581295,
      backup_list_count: 1,
      available_backups: [],
    },
  },
  // raspberrypi / Duplicati.CommandLine: LogLines is [] → every array is [].
  raspi: {
    fixture: 'backup-minimal-fields.json',
    warningLines: [],
    errorLines: [],
    exception: false,
    logLineCount: 0,
    backupId: 'DF88ACA56AE6A8E29F60ED739689D80EF3AC4B174AA53FBE36B2A1FF2E3CD731',
    body: {
      server_id: RASPI,
      name: 'Duplicati.CommandLine',
      date: '2026-11-22T21:14:09.552Z', // 21:14:09.5522108Z
      status: 'Success',
      warnings: 0,
      errors: 0,
      messages: 63,
      fileCount: 1204,
      fileSize: 734003219,
      uploadedSize: 693687507,
      duration: '00:04:50', // 00:04:50.4659755
      duration_seconds: 290.4659755,
      durationInMinutes: 4.841099591666667, // 290.4659755 / 60
      knownFileSize: 693687507,
      backup_list_count: 1,
      available_backups: [],
    },
  },
  // web-prod-03: invariant culture MM/dd/yyyy 24 h (second number > 12 → month first) at +01,
  // so 04:15 local is 03:15Z. 26 considered, 11/16/2026 and 11/20/2024 deleted → 24 versions.
  website: {
    fixture: 'backup-other-machine.json',
    warningLines: [],
    errorLines: [],
    exception: false,
    logLineCount: 34,
    backupId: 'DB-1',
    body: {
      server_id: WEBPROD,
      name: 'Website and DB dumps',
      date: '2026-11-24T03:15:00.662Z', // 03:15:00.6620118Z
      status: 'Success',
      warnings: 0,
      errors: 0,
      messages: 34,
      fileCount: 28817,
      fileSize: 9711390214,
      uploadedSize: 70401232,
      duration: '00:00:38', // 00:00:38.5449440
      duration_seconds: 38.544944,
      durationInMinutes: 0.6424157333333333, // 38.544944 / 60
      knownFileSize: 46918224113,
      backup_list_count: 25,
      available_backups: [
        '2026-11-23T03:15:04.000Z',
        '2026-11-22T03:15:04.000Z',
        '2026-11-21T03:15:03.000Z',
        '2026-11-20T03:15:03.000Z',
        '2026-11-19T03:15:02.000Z',
        '2026-11-18T03:15:02.000Z',
        '2026-11-17T03:15:02.000Z',
        // 11/16/2026 04:15:03 is in "All backups to delete"
        '2026-11-10T03:15:02.000Z',
        '2026-11-03T03:15:02.000Z',
        '2026-10-27T03:15:02.000Z',
        '2026-10-20T03:15:02.000Z',
        '2026-10-13T03:15:02.000Z',
        '2026-10-06T03:15:01.000Z',
        '2026-09-29T03:15:01.000Z',
        '2026-09-22T03:15:01.000Z',
        '2026-09-15T03:15:01.000Z',
        '2026-09-08T03:15:01.000Z',
        '2026-09-01T03:15:01.000Z',
        '2026-08-01T03:15:01.000Z',
        '2026-07-02T03:15:01.000Z',
        '2026-06-02T03:15:01.000Z',
        '2026-04-01T03:15:01.000Z',
        '2026-01-02T03:15:01.000Z',
        '2025-09-03T03:15:00.000Z',
        // 11/20/2024 04:15:01 is in "All backups to delete"
      ],
    },
  },
  // Zoë's MacBook: --keep-versions, no retention lines → [].
  fotos: {
    fixture: 'backup-unicode-names.json',
    warningLines: [],
    errorLines: [],
    exception: false,
    logLineCount: 34,
    backupId: 'DB-3',
    body: {
      server_id: MACBOOK,
      name: UNICODE_JOB,
      date: '2026-11-24T20:15:00.773Z', // 20:15:00.7739012Z
      status: 'Success',
      warnings: 0,
      errors: 0,
      messages: 34,
      fileCount: 20417,
      fileSize: 88123400221,
      uploadedSize: 166576145,
      duration: '00:01:08', // 00:01:08.4845737
      duration_seconds: 68.4845737,
      durationInMinutes: 1.1414095616666666, // 68.4845737 / 60
      knownFileSize: 23870117341,
      backup_list_count: 31,
      available_backups: [],
    },
  },
};

/** Servers and their jobs, newest job first (the order of /api/lastbackups). */
const SERVERS: { id: string; name: string; jobs: (keyof typeof RUNS)[] }[] = [
  { id: HOMESERVER, name: 'homeserver', jobs: ['docker', 'photos'] }, // 03:30 after 02:00
  { id: DESKTOP, name: 'DESKTOP-7QK2M4P', jobs: ['laptop'] },
  { id: DOCKER, name: '9f3c2b7d1e4a', jobs: ['nextcloud'] },
  { id: FILESRV, name: 'FILESRV01', jobs: ['shares'] },
  { id: RASPI, name: 'raspberrypi', jobs: ['raspi'] },
  { id: WEBPROD, name: 'web-prod-03', jobs: ['website'] },
  { id: MACBOOK, name: UNICODE_MACHINE, jobs: ['fotos'] },
];

/** The newest BeginTime of all fixtures (Zoë's MacBook, 2026-11-24T20:15:00.7739012Z). */
const NEWEST_RUN = '2026-11-24T20:15:00.773Z';

/**
 * The whole ExternalBackup expected for one run. The message arrays are the fixture's own log
 * entries (decision 2): all LogLines; the Warning-level ones; the Error-level ones then Exception.
 */
function expectedBackup(key: keyof typeof RUNS, id: string) {
  const run = RUNS[key];
  const report = fixture(run.fixture);
  const lines: string[] = report.LogLines;
  assert.equal(lines.length, run.logLineCount, `${run.fixture} has ${run.logLineCount} log lines`);
  const errors = run.errorLines.map((i) => lines[i]);
  if (run.exception) errors.push(report.Exception);
  return {
    id,
    ...run.body,
    messages_array: lines,
    warnings_array: run.warningLines.map((i) => lines[i]),
    errors_array: errors,
  };
}

/** Compares one ExternalBackup, key order aside, with every key present and no extra key. */
function assertBackup(actual: any, key: keyof typeof RUNS) {
  assert.match(actual?.id ?? '', UUID, `${key}: id is a UUID`);
  assert.deepStrictEqual(actual, expectedBackup(key, actual.id), `${key}: ExternalBackup`);
}

function assertServer(actual: any, server: (typeof SERVERS)[number]) {
  const latest = RUNS[server.jobs[0]];
  assert.match(actual.created_at ?? '', CREATED_AT, 'created_at is "YYYY-MM-DD HH:MM:SS"');
  // Created by the uploads of this test run: "now", in UTC.
  const createdMs = Date.parse(actual.created_at.replace(' ', 'T') + 'Z');
  assert.ok(Math.abs(createdMs - Date.now()) < 10 * 60_000, `created_at ${actual.created_at} is not now (UTC)`);
  assert.deepStrictEqual(actual, {
    id: server.id,
    name: server.name,
    alias: '',
    note: '',
    created_at: actual.created_at,
    backup_name: latest.body.name,
    backup_id: latest.backupId,
  });
}

let daemon: Daemon;

before(async () => {
  daemon = await startDaemon();
  for (const run of Object.values(RUNS)) {
    const res = await upload(daemon.url, fixtureBody(run.fixture));
    assert.equal(res.status, 200, `${run.fixture}: ${JSON.stringify(res.json)}`);
  }
});

after(async () => {
  await daemon?.dispose();
});

describe('GET /api/summary', () => {
  test('every field matches the hand-computed totals of the eight fixture runs', async () => {
    const summary = await getSummary(daemon.url, NEWEST_RUN);
    assert.deepStrictEqual(Object.keys(summary).sort(), [
      'overdueBackupsCount',
      'secondsSinceLastBackup',
      'totalBackupSize',
      'totalBackups',
      'totalBackupsRuns',
      'totalServers',
      'totalStorageUsed',
      'totalUploadedSize',
    ]);
    assert.equal(summary.totalServers, 7);
    assert.equal(summary.totalBackupsRuns, 8);
    assert.equal(summary.totalBackups, 8); // eight distinct (machine-id, backup-name) pairs
    // Sum of BytesUploaded over all runs:
    // 236583750 + 33075321 + 64146425 + 0 + 1500918581295 + 693687507 + 70401232 + 166576145
    assert.equal(summary.totalUploadedSize, 1502183051675);
    // Per server, its newest run only (homeserver: Docker volumes at 03:30, not Photos at 02:00).
    // KnownFileSize: 27310554112 + 203611873018 + 143622917120 + 1500918581295 + 693687507
    //              + 46918224113 + 23870117341
    assert.equal(summary.totalStorageUsed, 1946945954506);
    // SizeOfExaminedFiles of the same runs: 41873094656 + 61204873216 + 0 + 1873452118016
    //              + 734003219 + 9711390214 + 88123400221
    assert.equal(summary.totalBackupSize, 2075098879542);
  });

  test('overdueBackupsCount counts every job whose expected run + 2 h tolerance has passed', async () => {
    // Default settings expect the next run 1 day after the newest one (interval 1D) unless the
    // report carried Extra.next-scheduled-run (decision 8), which then is the expected time.
    // Tolerance default: 2 h (decision 17). The fixtures are from 2026-11-20..24, so on
    // 2026-11-26 (the test machine's date) every one of the eight is overdue.
    const expectedRuns = [
      '2026-11-25T02:00:00.417Z', // Photos: latest + 1 day (no next-scheduled-run, 2.1)
      '2026-11-25T03:30:00.221Z', // Docker volumes: latest + 1 day
      '2026-11-25T00:30:00.000Z', // Laptop: next-scheduled-run 20261125T003000Z
      '2026-11-25T01:30:00.000Z', // Nextcloud: next-scheduled-run 20261125T013000Z
      '2026-11-21T23:00:00.220Z', // Company shares: next-scheduled-run null (manual) → latest + 1 day
      '2026-11-23T21:14:09.552Z', // Duplicati.CommandLine: latest + 1 day
      '2026-11-25T03:15:00.000Z', // Website: next-scheduled-run 20261125T031500Z
      '2026-11-25T20:15:00.000Z', // Fotos: next-scheduled-run 20261125T201500Z
    ];
    const now = Date.now();
    const summary = await getSummary(daemon.url, NEWEST_RUN);
    const overdue = expectedRuns.filter((t) => now > Date.parse(t) + 2 * 3600_000).length;
    assert.equal(summary.overdueBackupsCount, overdue);
    if (now >= Date.parse('2026-11-26T00:00:00Z')) assert.equal(summary.overdueBackupsCount, 8);
  });

  test('secondsSinceLastBackup is the age of the newest BeginTime', async () => {
    const summary = await getSummary(daemon.url, NEWEST_RUN); // asserts the range itself
    assert.ok(summary.secondsSinceLastBackup > 0);
  });

  test('is sent with Cache-Control: no-store', async () => {
    const res = await getJson(daemon.url, '/api/summary');
    assertNoStore(res.headers, '/api/summary');
  });
});

describe('GET /api/lastbackup/:serverId', () => {
  for (const server of SERVERS) {
    test(`${server.name}: server object and its newest run, every field`, async () => {
      const res = await getJson(daemon.url, `/api/lastbackup/${server.id}`);
      assert.equal(res.status, 200);
      assertNoStore(res.headers, 'lastbackup');
      assert.deepStrictEqual(Object.keys(res.json).sort(), ['latest_backup', 'server', 'status']);
      assert.equal(res.json.status, 200);
      assertServer(res.json.server, server);
      assertBackup(res.json.latest_backup, server.jobs[0]);
    });
  }

  test('available_backups, dates and message arrays have the documented shapes', async () => {
    for (const server of SERVERS) {
      const { json } = await getJson(daemon.url, `/api/lastbackup/${server.id}`);
      const b = json.latest_backup;
      assert.match(b.date, ISO_MS);
      for (const key of ['messages_array', 'warnings_array', 'errors_array', 'available_backups']) {
        assert.ok(Array.isArray(b[key]), `${server.name}: ${key} is an array (decision 2)`);
      }
      for (const v of b.available_backups) assert.match(v, ISO_MS);
    }
  });

  test('finds a server by its name', async () => {
    const res = await getJson(daemon.url, '/api/lastbackup/homeserver');
    assert.equal(res.status, 200);
    assert.equal(res.json.server.id, HOMESERVER);
    assertBackup(res.json.latest_backup, 'docker');
  });

  test('finds a server by its URL-encoded unicode name', async () => {
    const res = await getJson(daemon.url, `/api/lastbackup/${encodeURIComponent(UNICODE_MACHINE)}`);
    assert.equal(res.status, 200);
    assertServer(res.json.server, SERVERS.find((s) => s.id === MACBOOK)!);
    assertBackup(res.json.latest_backup, 'fotos');
  });

  test('unknown identifier → 404 envelope naming it, with no-store', async () => {
    for (const identifier of ['no-such-server', 'Zoë’s MacBook', 'HOMESERVER']) {
      const res = await getJson(daemon.url, `/api/lastbackup/${encodeURIComponent(identifier)}`);
      assert.equal(res.status, 404, identifier);
      assertNoStore(res.headers, `lastbackup 404 ${identifier}`);
      assertErrorEnvelope(res.json, 'Server not found');
      assert.equal(res.json.message, `No server found with identifier: ${identifier}`);
    }
  });
});

describe('GET /api/lastbackups/:serverId', () => {
  for (const server of SERVERS) {
    test(`${server.name}: newest run of every job, newest job first`, async () => {
      const res = await getJson(daemon.url, `/api/lastbackups/${server.id}`);
      assert.equal(res.status, 200);
      assertNoStore(res.headers, 'lastbackups');
      assert.deepStrictEqual(Object.keys(res.json).sort(), [
        'backup_jobs_count',
        'backup_names',
        'latest_backups',
        'server',
        'status',
      ]);
      assert.equal(res.json.status, 200);
      assertServer(res.json.server, server);
      assert.equal(res.json.backup_jobs_count, server.jobs.length);
      assert.deepStrictEqual(res.json.backup_names, server.jobs.map((j) => RUNS[j].body.name));
      assert.equal(res.json.latest_backups.length, server.jobs.length);
      server.jobs.forEach((job, i) => assertBackup(res.json.latest_backups[i], job));
    });
  }

  test('the run ids agree with /api/lastbackup', async () => {
    const one = await getJson(daemon.url, `/api/lastbackup/${HOMESERVER}`);
    const all = await getJson(daemon.url, `/api/lastbackups/${HOMESERVER}`);
    assert.equal(all.json.latest_backups[0].id, one.json.latest_backup.id);
    assert.notEqual(all.json.latest_backups[1].id, one.json.latest_backup.id);
    assert.deepStrictEqual(all.json.server, one.json.server);
  });

  test('finds a server by name and by URL-encoded unicode name', async () => {
    const byName = await getJson(daemon.url, '/api/lastbackups/homeserver');
    assert.equal(byName.status, 200);
    assert.deepStrictEqual(byName.json.backup_names, ['Docker volumes', 'Photos']);
    const unicode = await getJson(daemon.url, `/api/lastbackups/${encodeURIComponent(UNICODE_MACHINE)}`);
    assert.equal(unicode.status, 200);
    assert.equal(unicode.json.server.id, MACBOOK);
    assert.deepStrictEqual(unicode.json.backup_names, [UNICODE_JOB]);
  });

  test('unknown identifier → 404 envelope naming it, with no-store', async () => {
    const res = await getJson(daemon.url, '/api/lastbackups/nope%20nope');
    assert.equal(res.status, 404);
    assertNoStore(res.headers, 'lastbackups 404');
    assertErrorEnvelope(res.json, 'Server not found');
    assert.equal(res.json.message, 'No server found with identifier: nope nope');
  });
});

describe('two servers with the same machine-name', () => {
  // A reinstall gives Duplicati a new machine-id: same name, second server row (spec 01 §2.7).
  const REINSTALLED = '11111111222233334444555555555555';
  let twin: Daemon;

  before(async () => {
    twin = await startDaemon();
    assert.equal((await upload(twin.url, fixtureBody('backup-minimal-fields.json'))).status, 200);
    const copy = editedFixture('backup-minimal-fields.json', (r) => {
      r.Extra['machine-id'] = REINSTALLED;
    });
    assert.equal((await upload(twin.url, copy)).status, 200);
  });

  after(async () => {
    await twin?.dispose();
  });

  for (const endpoint of ['lastbackup', 'lastbackups']) {
    test(`/api/${endpoint}/<name> → 400 with duplicate_servers, with no-store`, async () => {
      const res = await getJson(twin.url, `/api/${endpoint}/raspberrypi`);
      assert.equal(res.status, 400);
      assertNoStore(res.headers, `${endpoint} 400`);
      assertErrorEnvelope(res.json, 'Multiple servers found with the same name');
      const ids = res.json.duplicate_servers.map((s: { id: string }) => s.id).sort();
      assert.deepStrictEqual(ids, [RASPI, REINSTALLED].sort());
      assert.deepStrictEqual(
        [...res.json.duplicate_servers].sort((a: any, b: any) => a.id.localeCompare(b.id)),
        [
          { id: RASPI, name: 'raspberrypi' },
          { id: REINSTALLED, name: 'raspberrypi' },
        ].sort((a, b) => a.id.localeCompare(b.id)),
      );
      assert.match(res.json.message, /^Multiple servers found with name "raspberrypi"\. Please use the server ID instead of the name\. Available IDs: /);
      for (const id of [RASPI, REINSTALLED]) assert.ok(res.json.message.includes(id), `message lists ${id}`);
    });
  }

  test('each of them is still reachable by its id', async () => {
    for (const id of [RASPI, REINSTALLED]) {
      const res = await getJson(twin.url, `/api/lastbackup/${id}`);
      assert.equal(res.status, 200);
      assert.equal(res.json.server.id, id);
      assert.equal(res.json.server.name, 'raspberrypi');
      assert.equal(res.json.latest_backup.server_id, id);
    }
  });

  test('a server is found by its alias (decision 3), set through PATCH /api/servers/:id', async () => {
    const admin = await signInFirstAdmin(twin.url, 'Alias-Setter-1');
    const patched = await admin.request('PATCH', `/api/servers/${RASPI}`, { json: { alias: 'Garden Pi', note: 'shed', server_url: '' } });
    assert.equal(patched.status, 200, patched.text);
    for (const endpoint of ['lastbackup', 'lastbackups']) {
      const res = await getJson(twin.url, `/api/${endpoint}/${encodeURIComponent('Garden Pi')}`);
      assert.equal(res.status, 200);
      assert.equal(res.json.server.id, RASPI);
      assert.equal(res.json.server.alias, 'Garden Pi');
      assert.equal(res.json.server.note, 'shed');
    }
  });
});

describe('GET /api/health', () => {
  test('healthy database: every field', async () => {
    const before = Date.now();
    const res = await getJson(daemon.url, '/api/health');
    assert.equal(res.status, 200);
    assertNoStore(res.headers, '/api/health');
    const h = res.json;
    assert.deepStrictEqual(Object.keys(h).sort(), [
      'basicConnection',
      'connectionDetails',
      'connectionHealth',
      'database',
      'initializationComplete',
      'initializationStatus',
      'notifications',
      'preparedStatements',
      'scheduler',
      'status',
      'tables',
      'tablesFound',
      'timestamp',
    ]);
    assert.equal(h.status, 'healthy');
    assert.equal(h.database, 'connected');
    assert.equal(h.basicConnection, true);
    assert.equal(h.preparedStatements, true);
    assert.equal(h.initializationStatus, 'complete');
    assert.equal(h.initializationComplete, true);
    assert.equal(h.connectionHealth, true);
    assert.ok(Array.isArray(h.tables));
    assert.equal(h.tablesFound, h.tables.length);
    assert.equal(new Set(h.tables).size, h.tables.length, 'tables are listed once');
    for (const table of ['servers', 'backups', 'configurations']) assert.ok(h.tables.includes(table), `tables has ${table}`);
    assert.match(h.timestamp, ISO_MS);
    assert.ok(Date.parse(h.timestamp) >= before - 1000 && Date.parse(h.timestamp) <= Date.now() + 1000);
    // 04 §14.1 allows walMode/busyTimeout; decision 14: WAL and a busy timeout on local files.
    assert.equal(h.connectionDetails.status, 'ready');
    assert.equal(h.connectionDetails.walMode, 'wal');
    assert.ok(Number.isInteger(h.connectionDetails.busyTimeout) && h.connectionDetails.busyTimeout > 0);
  });
});

describe('unknown API paths', () => {
  for (const [method, path] of [
    ['GET', '/api/nope'],
    ['GET', '/api/lastbackup'],
    ['POST', '/api/summary/extra'],
    ['DELETE', '/api/upload/x'],
  ] as const) {
    test(`${method} ${path} → 404 JSON envelope`, async () => {
      const res = await fetch(`${daemon.url}${path}`, { method });
      assert.equal(res.status, 404);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      assertErrorEnvelope(await res.json());
    });
  }
});
