import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { tempDatabase } from '../../test/helpers/db.ts';
import { fixture } from '../../test/helpers/fixtures.ts';
import { parseDuplicatiReport, type ParsedRun } from './duplicati-report.ts';
import { refreshJobs } from './jobs.ts';
import { storeRun } from './store.ts';

let db: Awaited<ReturnType<typeof tempDatabase>>;
before(async () => (db = await tempDatabase()));
after(() => db.dispose());

function runFrom(body: unknown): ParsedRun {
  const outcome = parseDuplicatiReport(body, 'UTC');
  assert.equal(outcome.kind, 'run');
  return (outcome as { run: ParsedRun }).run;
}

function withBegin(name: string, begin: string, patch: (b: any) => void = () => {}) {
  const body = fixture(name);
  body.Data.BeginTime = begin;
  patch(body);
  return runFrom(body);
}

async function job(serverId: string, backupName: string) {
  const r = await db.client.execute({ sql: 'SELECT * FROM backup_jobs WHERE server_id = ? AND backup_name = ?', args: [serverId, backupName] });
  return r.rows[0];
}

test('20 concurrent identical runs store exactly one row', async () => {
  const run = runFrom(fixture('backup-success.json'));
  const results = await Promise.all(Array.from({ length: 20 }, () => storeRun(db, run)));
  assert.equal(results.filter((r) => r.stored).length, 1);
  assert.equal(results.filter((r) => !r.stored).length, 19);
  const count = await db.client.execute({ sql: 'SELECT count(*) AS n FROM backups WHERE server_id = ?', args: [run.row.serverId] });
  assert.equal(count.rows[0].n, 1);
  const j = await job(run.row.serverId, run.row.backupName);
  assert.equal(j.run_count, 1);
});

test('a late (older) run is counted but does not become the latest', async () => {
  const newer = withBegin('backup-second-job-same-machine.json', '2026-03-02T10:00:00Z');
  const older = withBegin('backup-second-job-same-machine.json', '2026-03-01T10:00:00Z');
  const first = await storeRun(db, newer);
  await storeRun(db, older);
  const j = await job(newer.row.serverId, newer.row.backupName);
  assert.equal(j.latest_date, '2026-03-02T10:00:00.000Z');
  assert.equal(j.latest_backup_id, first.stored && first.id);
  assert.equal(j.run_count, 2);
  assert.equal(j.uploaded_total, 2 * Number(newer.row.uploadedSize));
  // Default settings: next expected = latest + 1 day.
  assert.equal(j.due_at, '2026-03-03T10:00:00.000Z');
});

test("Duplicati's next-scheduled-run drives due_at and survives a manual run without one", async () => {
  const scheduled = withBegin('backup-warning.json', '2026-05-01T00:30:00Z', (b) => (b.Extra['next-scheduled-run'] = '20260502T003000Z'));
  await storeRun(db, scheduled);
  let j = await job(scheduled.row.serverId, scheduled.row.backupName);
  assert.equal(j.duplicati_next_run, '2026-05-02T00:30:00.000Z');
  assert.equal(j.due_at, '2026-05-02T00:30:00.000Z');

  const manual = withBegin('backup-warning.json', '2026-05-01T12:00:00Z', (b) => (b.Extra['next-scheduled-run'] = null));
  await storeRun(db, manual);
  j = await job(scheduled.row.serverId, scheduled.row.backupName);
  assert.equal(j.duplicati_next_run, '2026-05-02T00:30:00.000Z');
  assert.equal(j.due_at, '2026-05-02T00:30:00.000Z');
});

test('a newer report with a new machine-name renames the server; an older one does not', async () => {
  const base = fixture('backup-other-machine.json');
  const id = base.Extra['machine-id'];
  await storeRun(db, withBegin('backup-other-machine.json', '2026-06-01T00:00:00Z'));
  await storeRun(db, withBegin('backup-other-machine.json', '2026-06-02T00:00:00Z', (b) => (b.Extra['machine-name'] = 'web-prod-03-renamed')));
  await storeRun(db, withBegin('backup-other-machine.json', '2026-05-30T00:00:00Z', (b) => (b.Extra['machine-name'] = 'old-name')));
  const r = await db.client.execute({ sql: 'SELECT name FROM servers WHERE id = ?', args: [id] });
  assert.equal(r.rows[0].name, 'web-prod-03-renamed');
});

test('refreshJobs rebuilds exactly the state that incremental stores maintained', async () => {
  const before = await db.client.execute('SELECT * FROM backup_jobs ORDER BY server_id, backup_name');
  await db.client.execute("UPDATE backup_jobs SET run_count = 999, uploaded_total = 0, latest_backup_id = 'x'");
  await refreshJobs(db);
  const afterRefresh = await db.client.execute('SELECT * FROM backup_jobs ORDER BY server_id, backup_name');
  assert.deepEqual(afterRefresh.rows, before.rows);
  // A job whose runs are gone loses its row.
  const [first] = before.rows;
  await db.client.execute({ sql: 'DELETE FROM backups WHERE server_id = ? AND backup_name = ?', args: [first.server_id, first.backup_name] });
  await refreshJobs(db, [String(first.server_id)]);
  const remaining = await db.client.execute('SELECT count(*) AS n FROM backup_jobs');
  assert.equal(remaining.rows[0].n, before.rows.length - 1);
});
