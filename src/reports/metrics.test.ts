import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { tempDatabase } from '../../test/helpers/db.ts';
import { fixture, fixtureNames } from '../../test/helpers/fixtures.ts';
import { parseExposition, sampleOf, type ParsedFamily } from '../../test/helpers/prometheus.ts';
import { writeSetting } from '../db/settings.ts';
import { parseDuplicatiReport, type ParsedRun } from '../ingest/duplicati-report.ts';
import { storeRun } from '../ingest/store.ts';
import { collectMetrics, formatValue, METRICS_SQL, renderExposition, type DaemonStats, type MetricFamily } from './metrics.ts';

type Db = Awaited<ReturnType<typeof tempDatabase>>;

const NOW = new Date('2026-11-25T03:00:00.000Z');
const DAEMON: DaemonStats = { startTimeSeconds: 1795000000.5, uptimeSeconds: 12.25, uploads: { accepted: 8, duplicate: 1, ignored: 1, invalid: 2 } };

const HOME = '4c8e2f6a9d1b47e3b5a07c3d9e2f1a68';
const ZOE = 'c3f18a7e2d9b4c05a6e1f7d2b8c9a4e0';
const UNICODE_JOB = 'Fotos & Videos "Urlaub" 2026 – Zoë/日本';

async function store(db: Db, body: any) {
  const outcome = parseDuplicatiReport(body, 'UTC');
  assert.equal(outcome.kind, 'run');
  assert.ok((await storeRun(db, (outcome as { run: ParsedRun }).run)).stored);
}

async function scrape(db: Db, now = NOW, daemon = DAEMON): Promise<Map<string, ParsedFamily>> {
  return parseExposition(renderExposition(await collectMetrics(db, now, daemon)));
}

const job = (serverId: string, backupName: string) => ({ server_id: serverId, backup_name: backupName });
const value = (m: Map<string, ParsedFamily>, family: string, labels: Record<string, string> = {}) => sampleOf(m, family, labels).value;

describe('collectMetrics', () => {
  let db: Db;

  before(async () => {
    db = await tempDatabase();
    for (const name of fixtureNames().filter((n) => n !== 'restore-operation.json')) await store(db, fixture(name));
  });
  after(() => db.dispose());

  it('reads the job rows by key, never scanning the run history', async () => {
    const { rows } = await db.client.execute(`EXPLAIN QUERY PLAN ${METRICS_SQL}`);
    const plan = rows.map((r) => String(r.detail));
    assert.ok(plan.some((d) => /SEARCH b USING INDEX sqlite_autoindex_backups_1 \(id=\?\)/.test(d)), plan.join('\n'));
    assert.ok(!plan.some((d) => /^SCAN b\b/.test(d)), plan.join('\n'));
  });

  it('gives every job its newest run, as hand-computed from the fixtures', async () => {
    const m = await scrape(db);
    const photos = job(HOME, 'Photos');
    assert.equal(value(m, 'duplistatus_job_last_run_timestamp_seconds', photos), Date.parse('2026-11-24T02:00:00.417Z') / 1000);
    assert.equal(value(m, 'duplistatus_job_last_duration_seconds', photos), 148.7399674);
    assert.equal(value(m, 'duplistatus_job_last_uploaded_bytes', photos), 236583750);
    assert.equal(value(m, 'duplistatus_job_last_examined_bytes', photos), 187403571264);
    assert.equal(value(m, 'duplistatus_job_last_known_bytes', photos), 189214837122);
    assert.equal(value(m, 'duplistatus_job_last_examined_files', photos), 48213);
    assert.equal(value(m, 'duplistatus_job_last_versions', photos), 14);
    assert.equal(value(m, 'duplistatus_job_runs', photos), 1);
    assert.equal(value(m, 'duplistatus_job_runs_uploaded_bytes', photos), 236583750);
    assert.equal(sampleOf(m, 'duplistatus_job_last_run_timestamp_seconds', photos).labels.server_name, 'homeserver');

    const fatal = job('e0b64c2d8a3f4917b2c5d6e7f8091a2b', 'Nextcloud data');
    assert.equal(value(m, 'duplistatus_job_last_warnings', fatal), 2);
    assert.equal(value(m, 'duplistatus_job_last_errors', fatal), 1);
    assert.equal(value(m, 'duplistatus_job_last_duration_seconds', fatal), 0);
    assert.equal(value(m, 'duplistatus_job_last_known_bytes', fatal), 143622917120);
    assert.deepEqual(
      m.get('duplistatus_job_last_status')!.samples.filter((s) => s.labels.backup_name === 'Nextcloud data').map((s) => [s.labels.status, s.value]),
      [['Success', 0], ['Warning', 0], ['Error', 0], ['Fatal', 1], ['Unknown', 0]],
    );
    assert.equal(value(m, 'duplistatus_job_last_duration_seconds', job('f2a0c4e6b8d1435797a9cbdef0123456', 'Company shares')), 97965.8841023);

    const zoe = sampleOf(m, 'duplistatus_job_last_examined_bytes', job(ZOE, UNICODE_JOB));
    assert.equal(zoe.labels.server_name, 'Zoë’s MacBook Pro');
    assert.equal(zoe.value, 88123400221);
  });

  it('has one series per job and status, and the totals', async () => {
    const m = await scrape(db);
    assert.equal(m.get('duplistatus_job_overdue')!.samples.length, 8);
    assert.equal(m.get('duplistatus_job_last_status')!.samples.length, 40);
    assert.equal(value(m, 'duplistatus_servers'), 7);
    assert.equal(value(m, 'duplistatus_jobs'), 8);
    assert.equal(value(m, 'duplistatus_runs'), 8);
    // 0 + 1500918581295 + 693687507 + 70401232 + 33075321 + 236583750 + 166576145 + 64146425
    assert.equal(value(m, 'duplistatus_runs_uploaded_bytes'), 1502183051675);
    // 143622917120 + 1500918581295 + 693687507 + 46918224113 + 27310554112 + 189214837122 + 23870117341 + 203611873018
    assert.equal(value(m, 'duplistatus_last_known_bytes'), 2136160791628);
    // 0 + 1873452118016 + 734003219 + 9711390214 + 41873094656 + 187403571264 + 88123400221 + 61204873216
    assert.equal(value(m, 'duplistatus_last_examined_bytes'), 2262502450806);
    assert.equal(value(m, 'duplistatus_last_run_timestamp_seconds'), Date.parse('2026-11-24T20:15:00.773Z') / 1000);
    assert.equal(value(m, 'duplistatus_overdue_tolerance_seconds'), 7200);
    assert.equal(value(m, 'duplistatus_start_time_seconds'), 1795000000.5);
    assert.equal(value(m, 'duplistatus_uptime_seconds'), 12.25);
    assert.deepEqual(m.get('duplistatus_uploads_total')!.samples.map((s) => [s.labels.outcome, s.value]), [['accepted', 8], ['duplicate', 1], ['ignored', 1], ['invalid', 2]]);
    assert.equal(m.get('duplistatus_uploads_total')!.type, 'counter');
    assert.equal(m.has('duplistatus_notifications_total'), false);
    const withNotifier = await scrape(db, NOW, { ...DAEMON, notifications: { sent: 3, failed: 1 } });
    assert.equal(value(withNotifier, 'duplistatus_notifications_total', { outcome: 'sent' }), 3);
    assert.equal(value(withNotifier, 'duplistatus_notifications_total', { outcome: 'failed' }), 1);
  });

  it('marks overdue jobs with the tolerance setting, and gives their next expected run', async () => {
    // Due: Duplicati's next-scheduled-run where the report has one, else the newest run + 1 day.
    const due: Record<string, string> = {
      'Nextcloud data': '2026-11-25T01:30:00.000Z',
      'Company shares': '2026-11-21T23:00:00.220Z',
      'Duplicati.CommandLine': '2026-11-23T21:14:09.552Z',
      'Website and DB dumps': '2026-11-25T03:15:00.000Z',
      'Docker volumes': '2026-11-25T03:30:00.221Z',
      Photos: '2026-11-25T02:00:00.417Z',
      [UNICODE_JOB]: '2026-11-25T20:15:00.000Z',
      'Laptop - User profile': '2026-11-25T00:30:00.000Z',
    };
    const m = await scrape(db);
    for (const [name, iso] of Object.entries(due)) {
      assert.equal(value(m, 'duplistatus_job_next_expected_run_timestamp_seconds', { backup_name: name }), Date.parse(iso) / 1000, name);
    }
    // 2 h tolerance at 03:00 on the 25th: due before 01:00 on the 25th.
    const overdue = (map: Map<string, ParsedFamily>) =>
      map.get('duplistatus_job_overdue')!.samples.filter((s) => s.value === 1).map((s) => s.labels.backup_name).sort();
    assert.deepEqual(overdue(m), ['Company shares', 'Duplicati.CommandLine', 'Laptop - User profile']);
    assert.equal(value(m, 'duplistatus_jobs_overdue'), 3);

    await writeSetting(db, 'overdue_tolerance', '1d');
    const lenient = await scrape(db);
    assert.deepEqual(overdue(lenient), ['Company shares', 'Duplicati.CommandLine']);
    assert.equal(value(lenient, 'duplistatus_overdue_tolerance_seconds'), 86400);
    await writeSetting(db, 'overdue_tolerance', '2h');
  });

  it('leaves out the next expected run of a job that is not monitored, which is never overdue', async () => {
    await db.client.execute({ sql: `UPDATE backup_jobs SET due_at = NULL WHERE backup_name = 'Company shares'` });
    const m = await scrape(db);
    assert.throws(() => sampleOf(m, 'duplistatus_job_next_expected_run_timestamp_seconds', { backup_name: 'Company shares' }), /0 samples/);
    assert.equal(m.get('duplistatus_job_next_expected_run_timestamp_seconds')!.samples.length, 7);
    assert.equal(value(m, 'duplistatus_job_overdue', { backup_name: 'Company shares' }), 0);
    assert.equal(value(m, 'duplistatus_jobs_overdue'), 2);
  });

  it('follows the newest run of a job and counts every run; an unknown status reads as Unknown', async () => {
    const body = fixture('backup-success.json');
    body.Data.BeginTime = '2026-11-25T02:00:00.5Z';
    body.Data.ParsedResult = 'Strange';
    body.Data.BackendStatistics.BytesUploaded = 1000;
    await store(db, body);
    const m = await scrape(db);
    const photos = job(HOME, 'Photos');
    assert.equal(value(m, 'duplistatus_job_runs', photos), 2);
    assert.equal(value(m, 'duplistatus_job_runs_uploaded_bytes', photos), 236584750);
    assert.equal(value(m, 'duplistatus_job_last_uploaded_bytes', photos), 1000);
    assert.equal(value(m, 'duplistatus_job_last_run_timestamp_seconds', photos), Date.parse('2026-11-25T02:00:00.500Z') / 1000);
    assert.equal(value(m, 'duplistatus_job_last_status', { ...photos, status: 'Unknown' }), 1);
    assert.equal(value(m, 'duplistatus_job_last_status', { ...photos, status: 'Success' }), 0);
    assert.equal(value(m, 'duplistatus_runs'), 9);
  });
});

describe('collectMetrics on an empty database', () => {
  it('declares every family, with zero totals and no job series', async () => {
    const db = await tempDatabase();
    try {
      const m = await scrape(db);
      assert.equal(m.get('duplistatus_job_overdue')!.samples.length, 0);
      assert.equal(value(m, 'duplistatus_servers'), 0);
      assert.equal(value(m, 'duplistatus_jobs'), 0);
      assert.equal(value(m, 'duplistatus_last_known_bytes'), 0);
      assert.equal(m.get('duplistatus_last_run_timestamp_seconds')!.samples.length, 0);
    } finally {
      db.dispose();
    }
  });
});

describe('renderExposition', () => {
  const family = (samples: MetricFamily['samples'], extra: Partial<MetricFamily> = {}): MetricFamily => ({
    name: 'duplistatus_test',
    type: 'gauge',
    help: 'A test.',
    samples,
    ...extra,
  });

  it('escapes backslash, double quote and line feed in label values, and backslash and line feed in HELP', () => {
    const name = 'C:\\Backups\\"daily"\nsecond line – ü/日本';
    const text = renderExposition([family([{ labels: { backup_name: name }, value: 1 }], { help: 'Path C:\\x\nmore "quoted"' })]);
    assert.equal(
      text,
      '# HELP duplistatus_test Path C:\\\\x\\nmore "quoted"\n' +
        '# TYPE duplistatus_test gauge\n' +
        'duplistatus_test{backup_name="C:\\\\Backups\\\\\\"daily\\"\\nsecond line – ü/日本"} 1\n',
    );
    const parsed = parseExposition(text).get('duplistatus_test')!;
    assert.equal(parsed.samples[0].labels.backup_name, name);
    assert.equal(parsed.help, 'Path C:\\x\nmore "quoted"');
  });

  it('writes values Go can parse, including the special ones', () => {
    assert.deepEqual(
      [0, -0, 1.5, 1e21, 5e-7, 1873452118016, NaN, Infinity, -Infinity].map(formatValue),
      ['0', '0', '1.5', '1e+21', '5e-7', '1873452118016', 'NaN', '+Inf', '-Inf'],
    );
    const text = renderExposition([family([{ labels: { a: 'x' }, value: NaN }, { labels: { a: 'y' }, value: Infinity }, { labels: { a: 'z' }, value: 1e21 }])]);
    const samples = parseExposition(text).get('duplistatus_test')!.samples;
    assert.ok(Number.isNaN(samples[0].value));
    assert.equal(samples[1].value, Infinity);
    assert.equal(samples[2].value, 1e21);
  });

  it('refuses invalid metric and label names', () => {
    assert.throws(() => renderExposition([family([], { name: 'duplistatus-test' })]), /Invalid metric name/);
    assert.throws(() => renderExposition([family([{ labels: { 'backup-name': 'x' }, value: 1 }])]), /Invalid label name/);
    assert.throws(() => renderExposition([family([{ labels: { __name__: 'x' }, value: 1 }])]), /Invalid label name/);
  });
});

describe('the strict test parser', () => {
  const ok = '# HELP a_b A.\n# TYPE a_b gauge\na_b{x="1"} 2\n';
  it('accepts well-formed text and rejects each kind of fault', () => {
    assert.equal(parseExposition(ok).get('a_b')!.samples[0].value, 2);
    const bad: [string, RegExp][] = [
      ['a_b 1\n', /before its HELP and TYPE/],
      ['# TYPE a_b gauge\na_b 1\n', /before its HELP and TYPE/],
      [ok + 'a_b{x="1"} 3\n', /duplicate series/],
      [ok + '# HELP c C.\n# TYPE c gauge\nc 1\na_b{x="2"} 1\n', /not one group/],
      ['# HELP a_b A.\n# TYPE a_b gauge\na_b{x="\\t"} 1\n', /invalid escape/],
      ['# HELP a_b A.\n# TYPE a_b gauge\na_b{x="1"} 0x10\n', /not a Go float/],
      ['# HELP a_b A.\n# TYPE a_b gauge\na_b{x="1"}  1\n', /not a Go float/],
      ['# HELP 1ab A.\n', /invalid metric name/],
      ['# HELP a_b A.\n# TYPE a_b gauge\na_b{x="1",x="2"} 1\n', /given twice/],
      ['# HELP a_b A.\n# TYPE a_b gauge\n\na_b 1\n', /empty line/],
      ['# HELP a_b A.\n# TYPE a_b gauge\na_b 1', /line feed/],
      ['# HELP a_b A.\n# TYPE a_b gauge\na_b 1\n# TYPE a_b gauge\n', /after samples|second TYPE/],
      ['# just a comment\n', /neither/],
    ];
    for (const [text, why] of bad) assert.throws(() => parseExposition(text), why, JSON.stringify(text));
  });
});
