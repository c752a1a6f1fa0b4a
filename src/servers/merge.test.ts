import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { tempDatabase } from '../../test/helpers/db.ts';
import { fixture } from '../../test/helpers/fixtures.ts';
import { parseDuplicatiReport, type ParsedRun } from '../ingest/duplicati-report.ts';
import { refreshJobs } from '../ingest/jobs.ts';
import { storeRun } from '../ingest/store.ts';
import { mergeServers } from './merge.ts';

type Db = Awaited<ReturnType<typeof tempDatabase>>;

const PHOTOS = 'backup-success.json';
const DOCKER = 'backup-second-job-same-machine.json';
const PHOTOS_UPLOAD = 236583750;
const DOCKER_UPLOAD = 33075321;

/** Stores a fixture run for `machine` at `begin`, with the given Duplicati job id; returns the run id. */
async function addRun(db: Db, name: string, machine: string, begin: string, backupId: string) {
  const body = fixture(name);
  body.Data.BeginTime = begin;
  body.Extra['machine-id'] = machine;
  body.Extra['backup-id'] = backupId;
  const outcome = parseDuplicatiReport(body, 'UTC');
  assert.equal(outcome.kind, 'run');
  const stored = await storeRun(db, (outcome as { run: ParsedRun }).run);
  assert.ok(stored.stored);
  return stored.id;
}

const day = (d: number, time = '02:00:00.417') => `2026-11-0${d}T${time}Z`;

async function rows(db: Db, sql: string, args: unknown[] = []): Promise<any[]> {
  return (await db.client.execute({ sql, args: args as any })).rows.map((r) => ({ ...r }));
}

async function dump(db: Db) {
  return {
    servers: await rows(db, 'SELECT * FROM servers ORDER BY id'),
    backups: await rows(db, 'SELECT * FROM backups ORDER BY id'),
    jobs: await rows(db, 'SELECT * FROM backup_jobs ORDER BY server_id, backup_name'),
  };
}

const job = async (db: Db, serverId: string, name: string) =>
  (await rows(db, 'SELECT * FROM backup_jobs WHERE server_id = ? AND backup_name = ?', [serverId, name]))[0];

const setSettings = (db: Db, serverId: string, name: string, patch: string, notified: string | null = null) =>
  db.client.execute({
    sql: `UPDATE backup_jobs SET settings = json_patch(settings, ?), overdue_notified_at = ? WHERE server_id = ? AND backup_name = ?`,
    args: [patch, notified, serverId, name],
  });

/** The job rows the merge wrote are exactly what a full rebuild from the runs gives. */
async function assertJobsConsistent(db: Db) {
  const written = await rows(db, 'SELECT * FROM backup_jobs ORDER BY server_id, backup_name');
  await refreshJobs(db);
  assert.deepEqual(await rows(db, 'SELECT * FROM backup_jobs ORDER BY server_id, backup_name'), written);
}

describe('mergeServers', () => {
  let db: Db;
  beforeEach(async () => (db = await tempDatabase()));
  afterEach(() => db.dispose());

  it('a reinstalled machine: overlapping jobs keep every run exactly once, target settings win, source-only jobs move whole', async () => {
    // Old install: Photos 1–5 Nov (DB-1), Docker volumes 1–2 Nov (DB-3, then DB-4).
    const old: Record<string, string> = {};
    for (const d of [1, 2, 3, 4, 5]) old[`p${d}`] = await addRun(db, PHOTOS, 'old', day(d), 'DB-1');
    old.d1 = await addRun(db, DOCKER, 'old', day(1, '03:30:00.000'), 'DB-3');
    old.d2 = await addRun(db, DOCKER, 'old', day(2, '03:30:00.000'), 'DB-4');
    // New install: Photos 5–8 Nov (5 Nov is the same run the old id reported), DB-6 then DB-7.
    const neu: Record<string, string> = {};
    neu.p5 = await addRun(db, PHOTOS, 'new', day(5), 'DB-6');
    for (const d of [6, 7, 8]) neu[`p${d}`] = await addRun(db, PHOTOS, 'new', day(d), 'DB-7');
    // A third machine that must not change.
    await addRun(db, 'backup-warning.json', 'desk', day(3), 'DB-2');
    await db.client.batch([
      `UPDATE servers SET alias = 'Old alias', note = 'old note', server_url = 'http://old:8200', server_password = 'enc:old' WHERE id = 'old'`,
      `UPDATE servers SET alias = '  ', note = ' new note ', server_url = '', server_password = '' WHERE id = 'new'`,
    ]);
    await setSettings(db, 'old', 'Photos', '{"notificationEvent":"off","expectedInterval":"2D"}', '2026-11-07T08:00:00.000Z');
    await setSettings(db, 'new', 'Photos', '{"notificationEvent":"all"}', '2026-11-06T08:00:00.000Z');
    await setSettings(db, 'old', 'Docker volumes', '{"notificationEvent":"errors","expectedInterval":"1W"}', '2026-11-09T00:00:00.000Z');
    const before = await dump(db);
    const newPhotos = await job(db, 'new', 'Photos');
    const oldDocker = await job(db, 'old', 'Docker volumes');

    const result = await mergeServers(db, { targetId: 'new', sourceIds: ['old'] });

    // Target Photos had DB-6 and DB-7 (step 1); moved Docker volumes had DB-3 and DB-4 (step 3).
    assert.deepEqual(result, {
      ok: true,
      value: { success: true, message: 'Successfully merged 1 server(s) into target server', backupIdsNormalized: 2 },
    });
    const after = await dump(db);
    // Every run once: all of the target's, all of the source's except its copy of 5 Nov.
    const expectedIds = before.backups.map((b) => b.id).filter((id) => id !== old.p5).sort();
    assert.deepEqual(after.backups.map((b) => b.id), expectedIds);
    assert.deepEqual(
      await rows(db, `SELECT backup_name, date, backup_id, server_id FROM backups WHERE server_id = 'new' ORDER BY backup_name, date`),
      [
        ...[1, 2].map((d) => ({ backup_name: 'Docker volumes', date: day(d, '03:30:00.000'), backup_id: 'DB-4', server_id: 'new' })),
        ...[1, 2, 3, 4, 5, 6, 7, 8].map((d) => ({ backup_name: 'Photos', date: day(d), backup_id: 'DB-7', server_id: 'new' })),
      ],
    );
    assert.equal((await rows(db, 'SELECT id FROM backups WHERE date = ? AND backup_name = ?', [day(5), 'Photos']))[0].id, neu.p5);
    // Metadata: the target's trimmed value when it has one, else the source's.
    assert.deepEqual(after.servers.map(({ id, name, alias, note, server_url, server_password }) => ({ id, name, alias, note, server_url, server_password })), [
      { id: 'desk', name: 'DESKTOP-7QK2M4P', alias: '', note: '', server_url: '', server_password: '' },
      { id: 'new', name: 'homeserver', alias: 'Old alias', note: 'new note', server_url: 'http://old:8200', server_password: 'enc:old' },
    ]);
    // Photos: the target's row, recounted; the newest alert of either side is kept.
    assert.deepEqual(await job(db, 'new', 'Photos'), {
      ...newPhotos,
      run_count: 8,
      uploaded_total: 8 * PHOTOS_UPLOAD,
      overdue_notified_at: '2026-11-07T08:00:00.000Z',
      recent_runs: JSON.stringify([1, 2, 3, 4, 5, 6, 7, 8].map((d) => [day(d), 'Success'])),
    });
    assert.equal(JSON.parse(newPhotos.settings).notificationEvent, 'all');
    // Docker volumes: the source's row as it was (settings, due date, alert), under the target.
    assert.deepEqual(await job(db, 'new', 'Docker volumes'), { ...oldDocker, server_id: 'new' });
    assert.equal(oldDocker.uploaded_total, 2 * DOCKER_UPLOAD);
    // Nothing of the other machine changed; nothing of the old id is left.
    assert.deepEqual(after.backups.filter((b) => b.server_id === 'desk'), before.backups.filter((b) => b.server_id === 'desk'));
    assert.deepEqual(after.jobs.filter((j) => j.server_id === 'desk'), before.jobs.filter((j) => j.server_id === 'desk'));
    assert.deepEqual(after.jobs.map((j) => `${j.server_id}/${j.backup_name}`), ['desk/Laptop - User profile', 'new/Docker volumes', 'new/Photos']);
    await assertJobsConsistent(db);
  });

  it('a newer run from the source becomes the job’s latest; the target’s settings move their anchor on', async () => {
    await addRun(db, PHOTOS, 'target', day(1), 'DB-1');
    await addRun(db, PHOTOS, 'source', day(1), 'DB-9');
    const newest = await addRun(db, PHOTOS, 'source', day(3), 'DB-9');
    await setSettings(db, 'target', 'Photos', '{"notificationEvent":"all"}');
    await setSettings(db, 'source', 'Photos', '{"notificationEvent":"off","expectedInterval":"1W"}');
    const targetSettings = JSON.parse((await job(db, 'target', 'Photos')).settings);

    const result = await mergeServers(db, { targetId: 'target', sourceIds: ['source'] });

    assert.deepEqual(result.ok && result.value.backupIdsNormalized, 0);
    const merged = await job(db, 'target', 'Photos');
    assert.deepEqual({ ...merged, settings: JSON.parse(merged.settings) }, {
      server_id: 'target',
      backup_name: 'Photos',
      latest_backup_id: newest,
      latest_date: day(3),
      run_count: 2,
      uploaded_total: 2 * PHOTOS_UPLOAD,
      duplicati_next_run: null,
      // Daily at 02:00:00.417 from the target's anchor: next after 3 Nov is 4 Nov.
      settings: { ...targetSettings, lastBackupDate: day(3), time: day(4, '02:00:00.417') },
      due_at: day(4),
      overdue_notified_at: null,
      latest_known_file_size: merged.latest_known_file_size,
      latest_size: merged.latest_size,
      recent_runs: JSON.stringify([[day(1), 'Success'], [day(3), 'Success']]),
    });
    // The target's own id wins for a job both sides have.
    assert.deepEqual(await rows(db, 'SELECT DISTINCT backup_id FROM backups'), [{ backup_id: 'DB-1' }]);
    await assertJobsConsistent(db);
  });

  it('several sources: earlier merged metadata is kept; a run two sources share is kept once', async () => {
    await addRun(db, DOCKER, 'target', day(1), 'DB-3');
    const first = await addRun(db, PHOTOS, 's1', day(2), 'DB-1');
    await addRun(db, PHOTOS, 's2', day(2), 'DB-1');
    await db.client.batch([
      `UPDATE servers SET alias = '', note = '', server_url = '', server_password = '' WHERE id = 'target'`,
      `UPDATE servers SET alias = 'A1', note = '', server_url = 'http://s1:8200', server_password = '' WHERE id = 's1'`,
      `UPDATE servers SET alias = 'A2', note = 'N2', server_url = 'http://s2:8200', server_password = 'enc:2' WHERE id = 's2'`,
    ]);
    await setSettings(db, 's1', 'Photos', '{"notificationEvent":"errors"}');
    const s1Photos = await job(db, 's1', 'Photos');

    const result = await mergeServers(db, { targetId: 'target', sourceIds: ['s1', 's2', 's1'] });

    assert.deepEqual(result.ok && result.value.message, 'Successfully merged 3 server(s) into target server');
    assert.deepEqual(await rows(db, 'SELECT id, alias, note, server_url, server_password FROM servers'), [
      { id: 'target', alias: 'A1', note: 'N2', server_url: 'http://s1:8200', server_password: 'enc:2' },
    ]);
    assert.deepEqual(await rows(db, `SELECT id FROM backups WHERE backup_name = 'Photos'`), [{ id: first }]);
    assert.deepEqual(await job(db, 'target', 'Photos'), { ...s1Photos, server_id: 'target' });
    await assertJobsConsistent(db);
  });

  it('ids with quotes, slashes, spaces and non-Latin letters', async () => {
    const odd = 'Zoë’s "box"/1 日本 %2F';
    await addRun(db, PHOTOS, odd, day(1), 'DB-1');
    await addRun(db, PHOTOS, 'plain', day(2), 'DB-1');
    assert.ok((await mergeServers(db, { targetId: odd, sourceIds: ['plain'] })).ok);
    assert.deepEqual(await rows(db, 'SELECT DISTINCT server_id FROM backups'), [{ server_id: odd }]);
    assert.equal((await job(db, odd, 'Photos')).run_count, 2);
  });

  it('refuses malformed requests with the reason, changing nothing', async () => {
    await addRun(db, PHOTOS, 'a', day(1), 'DB-1');
    await addRun(db, PHOTOS, 'b', day(2), 'DB-1');
    const before = await dump(db);
    const cases: Array<[unknown, unknown, string]> = [
      ['a', [], 'oldServerIds must be a non-empty array'],
      ['a', 'b', 'oldServerIds must be a non-empty array'],
      ['a', undefined, 'oldServerIds must be a non-empty array'],
      ['a', ['b', 7], 'oldServerIds must be a non-empty array'],
      ['a', ['b', ''], 'oldServerIds must be a non-empty array'],
      [undefined, ['b'], 'targetServerId is required'],
      ['', ['b'], 'targetServerId is required'],
      [['a'], ['b'], 'targetServerId is required'],
      ['a', ['b', 'a'], 'Target server cannot be in the list of servers to merge'],
      ['nope', ['b'], 'Target server nope not found'],
      ['a', ['b', 'ghost'], 'Servers to merge not found'],
    ];
    for (const [targetId, sourceIds, error] of cases) {
      const result = await mergeServers(db, { targetId, sourceIds });
      assert.ok(!result.ok);
      assert.deepEqual([result.status, result.error], [400, error], JSON.stringify({ targetId, sourceIds }));
    }
    const unknown = await mergeServers(db, { targetId: 'a', sourceIds: ['b', 'ghost'] });
    assert.equal(!unknown.ok && unknown.message, 'No server found with id(s): ghost');
    assert.deepEqual(await dump(db), before);
  });

  it('runs after uploads that were already queued, never in between', async () => {
    await addRun(db, PHOTOS, 'target', day(1), 'DB-1');
    await addRun(db, PHOTOS, 'source', day(2), 'DB-1');
    const late = fixture(PHOTOS);
    late.Data.BeginTime = day(3);
    late.Extra['machine-id'] = 'source';
    const outcome = parseDuplicatiReport(late, 'UTC') as { run: ParsedRun };
    const [stored, merged] = await Promise.all([storeRun(db, outcome.run), mergeServers(db, { targetId: 'target', sourceIds: ['source'] })]);
    assert.ok(stored.stored && merged.ok);
    assert.equal((await job(db, 'target', 'Photos')).run_count, 3);
    assert.deepEqual(await rows(db, 'SELECT id FROM servers'), [{ id: 'target' }]);
    await assertJobsConsistent(db);
  });
});
