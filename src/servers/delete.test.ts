import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { storeFixture, tempDatabase } from '../../test/helpers/db.ts';
import { writeSetting } from '../db/settings.ts';
import { deleteServer } from './delete.ts';

type Db = Awaited<ReturnType<typeof tempDatabase>>;

const addRun = storeFixture;

const HOME = '4c8e2f6a9d1b47e3b5a07c3d9e2f1a68';
const ODD_ID = 'Zoë’s "box"/1 日本 %2F';
const TABLES = ['servers', 'backups', 'backup_jobs', 'configurations'];

/** Every row of the tables this module touches, in a stable order. */
async function dump(db: Db) {
  const tables: Record<string, unknown[]> = {};
  for (const t of TABLES) tables[t] = (await db.client.execute(`SELECT * FROM ${t} ORDER BY rowid`)).rows.map((r) => ({ ...r }));
  return tables;
}

const ofServer = (id: string) => (row: any) => row.server_id !== id && row.id !== id;

describe('deleteServer', () => {
  let db: Db;
  before(async () => {
    db = await tempDatabase();
    // homeserver: 3 Photos runs and 1 Docker volumes run; two other machines with a run each.
    for (const day of ['22', '23', '24']) await addRun(db, 'backup-success.json', `2026-11-${day}T02:00:00.417Z`);
    await addRun(db, 'backup-second-job-same-machine.json', null);
    await addRun(db, 'backup-warning.json', null);
    // Same job name on another machine: must survive.
    await addRun(db, 'backup-other-machine.json', null, (b) => (b.Extra['backup-name'] = 'Photos'));
    await addRun(db, 'backup-unicode-names.json', null, (b) => (b.Extra['machine-id'] = ODD_ID));
    await db.client.execute(`UPDATE backup_jobs SET settings = json_set(settings, '$.expectedInterval', '2D'), overdue_notified_at = '2026-11-25T00:00:00.000Z'`);
    await writeSetting(db, 'overdue_tolerance', '1h');
  });
  after(() => db.dispose());

  it('removes the server, its runs and its job rows, and nothing else, in one go', async () => {
    const before = await dump(db);
    const result = await deleteServer(db, HOME);
    assert.deepEqual(result, {
      ok: true,
      value: { message: 'Successfully deleted server and 4 backups', status: 200, changes: { backupChanges: 4, serverChanges: 1 } },
      serverName: 'homeserver',
    });
    const after = await dump(db);
    for (const t of TABLES) assert.deepEqual(after[t], before[t].filter(ofServer(HOME)), t);
    assert.equal(before.backups.length - after.backups.length, 4);
    assert.equal(before.backup_jobs.length - after.backup_jobs.length, 2);
  });

  it('works for ids with quotes, slashes, spaces and non-Latin letters', async () => {
    const before = await dump(db);
    const result = await deleteServer(db, ODD_ID);
    assert.ok(result.ok);
    assert.equal(result.value.changes.backupChanges, 1);
    const after = await dump(db);
    for (const t of TABLES) assert.deepEqual(after[t], before[t].filter(ofServer(ODD_ID)), t);
  });

  it('unknown or empty id: refused, nothing changed', async () => {
    const before = await dump(db);
    assert.deepEqual(await deleteServer(db, HOME), { ok: false, status: 404, error: 'Server not found', message: `No server found with id: ${HOME}` });
    const empty = await deleteServer(db, '');
    assert.deepEqual(!empty.ok && [empty.status, empty.error], [400, 'Server ID is required']);
    assert.deepEqual(await dump(db), before);
  });
});
