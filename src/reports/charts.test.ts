import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { tempDatabase } from '../../test/helpers/db.ts';
import { fixture } from '../../test/helpers/fixtures.ts';
import { parseDuplicatiReport, type ParsedRun } from '../ingest/duplicati-report.ts';
import { storeRun } from '../ingest/store.ts';
import {
  getAggregatedChartData,
  getJobChartData,
  getServerChartData,
  getServerRunPoints,
  parseChartRange,
} from './charts.ts';

type Db = Awaited<ReturnType<typeof tempDatabase>>;

interface Numbers {
  duration: string;
  uploaded: number;
  files: number;
  size: number;
  known: number;
  versions: number;
}

/** Stores a fixture run at `begin` with the chart-relevant numbers replaced. */
async function addRun(db: Db, name: string, begin: string, n: Numbers, patch: (body: any) => void = () => {}) {
  const body = fixture(name);
  Object.assign(body.Data, { BeginTime: begin, Duration: n.duration, ExaminedFiles: n.files, SizeOfExaminedFiles: n.size });
  Object.assign(body.Data.BackendStatistics, { BytesUploaded: n.uploaded, KnownFileSize: n.known, BackupListCount: n.versions });
  patch(body);
  const outcome = parseDuplicatiReport(body, 'UTC');
  assert.equal(outcome.kind, 'run');
  assert.ok((await storeRun(db, (outcome as { run: ParsedRun }).run)).stored);
}

const HOME = '4c8e2f6a9d1b47e3b5a07c3d9e2f1a68';
const ODD_ID = 'Zoë’s "box"/1 日本 %2F';
const ODD_JOB = 'Fotos & Videos "Urlaub" 2026 – Zoë/日本';

describe('parseChartRange', () => {
  it('filters only when both ends are given and non-empty', () => {
    assert.deepEqual(parseChartRange({}), { range: null });
    assert.deepEqual(parseChartRange({ startDate: '2026-03-01' }), { range: null });
    assert.deepEqual(parseChartRange({ startDate: '', endDate: 'garbage' }), { range: null });
    assert.deepEqual(parseChartRange({ startDate: null, endDate: '2026-03-01' }), { range: null });
  });
  it('normalises both ends to the stored ISO form', () => {
    assert.deepEqual(parseChartRange({ startDate: '2026-03-01', endDate: '2026-03-02T12:00:00+02:00' }), {
      range: { start: '2026-03-01T00:00:00.000Z', end: '2026-03-02T10:00:00.000Z' },
    });
  });
  it('refuses an end that is not a date', () => {
    assert.deepEqual(parseChartRange({ startDate: '2026-03-01', endDate: 'yesterday' }), {
      error: 'Invalid date parameters',
      message: 'startDate and endDate must be dates, got "2026-03-01" and "yesterday"',
    });
    assert.ok('error' in parseChartRange({ startDate: '2026-02-30T99:00', endDate: '2026-03-01' }));
  });
});

describe('chart data', () => {
  let db: Db;
  before(async () => {
    db = await tempDatabase();
    // Photos (homeserver): two runs on 1 March, one on 2 March.
    await addRun(db, 'backup-success.json', '2026-03-01T10:00:00Z', { duration: '00:10:30.5', uploaded: 1000, files: 10, size: 100, known: 5000, versions: 3 });
    await addRun(db, 'backup-success.json', '2026-03-01T22:00:00Z', { duration: '00:00:59', uploaded: 2000, files: 20, size: 200, known: 6000, versions: 4 });
    await addRun(db, 'backup-success.json', '2026-03-02T00:00:00Z', { duration: '01:00:00', uploaded: 4000, files: 40, size: 400, known: 7000, versions: 5 });
    // Docker volumes (homeserver): the earliest run of 1 March.
    await addRun(db, 'backup-second-job-same-machine.json', '2026-03-01T05:00:00Z', { duration: '00:02:00.25', uploaded: 8000, files: 80, size: 800, known: 9000, versions: 6 });
    // Another machine, a 24 h run on 2 March.
    await addRun(db, 'backup-warning.json', '2026-03-02T12:00:00Z', { duration: '1.00:00:01', uploaded: 16000, files: 160, size: 1600, known: 10000, versions: 7 });
    // Names with quotes, slashes, spaces and non-Latin letters as server id and job name.
    await addRun(db, 'backup-unicode-names.json', '2026-03-03T08:00:00Z', { duration: '00:00:30', uploaded: 1, files: 2, size: 3, known: 4, versions: 5 }, (b) => {
      b.Extra['machine-id'] = ODD_ID;
    });
  });
  after(() => db.dispose());

  const day1Photos = { date: '2026-03-01', isoDate: '2026-03-01T10:00:00.000Z', uploadedSize: 3000, duration: 689.5, fileCount: 30, fileSize: 300, storageSize: 11000, backupVersions: 7 };
  const day2Photos = { date: '2026-03-02', isoDate: '2026-03-02T00:00:00.000Z', uploadedSize: 4000, duration: 3600, fileCount: 40, fileSize: 400, storageSize: 7000, backupVersions: 5 };

  it('job: one point per UTC day, sums, duration in seconds (variant D)', async () => {
    assert.deepEqual(await getJobChartData(db, HOME, 'Photos', null), [day1Photos, day2Photos]);
  });

  it('server: all jobs per day; isoDate is the earliest run of the day', async () => {
    assert.deepEqual(await getServerChartData(db, HOME, null), [
      { date: '2026-03-01', isoDate: '2026-03-01T05:00:00.000Z', uploadedSize: 11000, duration: 809.75, fileCount: 110, fileSize: 1100, storageSize: 20000, backupVersions: 13 },
      day2Photos,
    ]);
  });

  it('the range is inclusive at both ends', async () => {
    const range = { start: '2026-03-01T10:00:00.000Z', end: '2026-03-01T22:00:00.000Z' };
    assert.deepEqual(await getServerChartData(db, HOME, range), [day1Photos]);
    assert.deepEqual(await getJobChartData(db, HOME, 'Photos', { start: '2026-03-01T10:00:00.001Z', end: '2026-03-01T21:59:59.999Z' }), []);
  });

  it('aggregated with a range: UTC days over all servers (variant D)', async () => {
    const range = { start: '2026-03-01T00:00:00.000Z', end: '2026-03-02T23:59:59.999Z' };
    assert.deepEqual(await getAggregatedChartData(db, range), [
      { date: '2026-03-01', isoDate: '2026-03-01T05:00:00.000Z', uploadedSize: 11000, duration: 809.75, fileCount: 110, fileSize: 1100, storageSize: 20000, backupVersions: 13 },
      { date: '2026-03-02', isoDate: '2026-03-02T00:00:00.000Z', uploadedSize: 20000, duration: 90001, fileCount: 200, fileSize: 2000, storageSize: 17000, backupVersions: 12 },
    ]);
  });

  const r4 = { date: '01/03/2026', isoDate: '2026-03-01T05:00:00.000Z', uploadedSize: 8000, duration: 2, fileCount: 80, fileSize: 800, storageSize: 9000, backupVersions: 6 };
  const r1 = { date: '01/03/2026', isoDate: '2026-03-01T10:00:00.000Z', uploadedSize: 1000, duration: 10, fileCount: 10, fileSize: 100, storageSize: 5000, backupVersions: 3 };
  const r2 = { date: '01/03/2026', isoDate: '2026-03-01T22:00:00.000Z', uploadedSize: 2000, duration: 0, fileCount: 20, fileSize: 200, storageSize: 6000, backupVersions: 4 };
  const r3 = { date: '02/03/2026', isoDate: '2026-03-02T00:00:00.000Z', uploadedSize: 4000, duration: 60, fileCount: 40, fileSize: 400, storageSize: 7000, backupVersions: 5 };

  it('aggregated without a range: every run, oldest first, whole minutes (variant R)', async () => {
    assert.deepEqual(await getAggregatedChartData(db, null), [
      r4, r1, r2, r3,
      { date: '02/03/2026', isoDate: '2026-03-02T12:00:00.000Z', uploadedSize: 16000, duration: 1440, fileCount: 160, fileSize: 1600, storageSize: 10000, backupVersions: 7 },
      { date: '03/03/2026', isoDate: '2026-03-03T08:00:00.000Z', uploadedSize: 1, duration: 0, fileCount: 2, fileSize: 3, storageSize: 4, backupVersions: 5 },
    ]);
  });

  it('server detail points: every run of the server, day label in the process time zone (variant S)', async () => {
    assert.equal(process.env.TZ, 'UTC');
    assert.deepEqual(await getServerRunPoints(db, HOME), [r4, r1, r2, r3]);
  });

  it('odd ids and names work as given (the route decodes them once)', async () => {
    const point = { isoDate: '2026-03-03T08:00:00.000Z', uploadedSize: 1, fileCount: 2, fileSize: 3, storageSize: 4, backupVersions: 5 };
    assert.deepEqual(await getJobChartData(db, ODD_ID, ODD_JOB, null), [{ ...point, date: '2026-03-03', duration: 30 }]);
    assert.deepEqual(await getServerRunPoints(db, ODD_ID), [{ ...point, date: '03/03/2026', duration: 0 }]);
  });

  it('unknown servers and jobs give null (a 404), known ones with nothing in range an empty series', async () => {
    assert.equal(await getServerChartData(db, 'nope', null), null);
    assert.equal(await getJobChartData(db, HOME, 'nope', null), null);
    assert.equal(await getJobChartData(db, 'nope', 'Photos', null), null);
    const empty = { start: '2027-01-01T00:00:00.000Z', end: '2027-12-31T00:00:00.000Z' };
    assert.deepEqual(await getServerChartData(db, HOME, empty), []);
    assert.deepEqual(await getJobChartData(db, HOME, 'Photos', empty), []);
    assert.deepEqual(await getAggregatedChartData(db, empty), []);
  });
});

describe('all-servers day totals (backup_days) stay equal to summing the runs', () => {
  let db: Db;
  before(async () => {
    db = await tempDatabase();
    const n = (i: number): Numbers => ({ duration: `00:0${i % 10}:1${i % 10}.5`, uploaded: 1000 + i, files: 10 * i, size: 7 * i, known: 3 * i, versions: i });
    for (let d = 1; d <= 6; d++) {
      for (const [i, name] of ['backup-success.json', 'backup-warning.json', 'backup-other-machine.json'].entries()) {
        await addRun(db, name, `2026-03-0${d}T${String(2 + i * 7).padStart(2, "0")}:15:00Z`, n(d * 3 + i));
      }
    }
  });
  after(() => db.dispose());

  /** The reference computation: group the stored runs by UTC day within the range. */
  async function fromRuns(start: string, end: string) {
    const { rows } = await db.client.execute({
      sql: `SELECT substr(date, 1, 10) AS day, min(date) AS isoDate, sum(uploaded_size) AS uploadedSize, total(duration_seconds) AS duration,
              sum(examined_files) AS fileCount, sum(size) AS fileSize, sum(known_file_size) AS storageSize, sum(backup_list_count) AS backupVersions
            FROM backups WHERE date >= ? AND date <= ? GROUP BY 1 ORDER BY 1`,
      args: [start, end],
    });
    return rows.map((r) => ({ date: r.day, isoDate: r.isoDate, uploadedSize: r.uploadedSize, duration: r.duration, fileCount: r.fileCount, fileSize: r.fileSize, storageSize: r.storageSize, backupVersions: r.backupVersions }));
  }

  const ranges: [string, string][] = [
    ['2026-03-01T00:00:00.000Z', '2026-03-06T23:59:59.999Z'], // whole days
    ['2026-03-02T05:00:00.000Z', '2026-03-05T10:00:00.000Z'], // both edges cut through a day
    ['2026-03-03T05:00:00.000Z', '2026-03-03T12:00:00.000Z'], // inside one day
    ['2026-03-04T09:15:00.000Z', '2026-03-04T09:15:00.000Z'], // one instant, inclusive
    ['2026-03-05T00:00:00.000Z', '2026-03-02T00:00:00.000Z'], // reversed: nothing
  ];

  it('for every kind of range', async () => {
    for (const [start, end] of ranges) {
      assert.deepEqual(await getAggregatedChartData(db, { start, end }), await fromRuns(start, end), `${start} – ${end}`);
    }
  });

  it('after a server is deleted and after servers are merged', async () => {
    const { deleteServer } = await import('../servers/delete.ts');
    const { mergeServers } = await import('../servers/merge.ts');
    const warning = fixture('backup-warning.json').Extra['machine-id'];
    assert.ok((await deleteServer(db, warning)).ok);
    const [start, end] = ranges[0];
    assert.deepEqual(await getAggregatedChartData(db, { start, end }), await fromRuns(start, end));
    const home = fixture('backup-success.json').Extra['machine-id'];
    const other = fixture('backup-other-machine.json').Extra['machine-id'];
    assert.ok((await mergeServers(db, { targetId: home, sourceIds: [other] })).ok);
    assert.deepEqual(await getAggregatedChartData(db, { start, end }), await fromRuns(start, end));
  });
});
