import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { storeFixture, tempDatabase } from '../../test/helpers/db.ts';
import { writeSetting } from '../db/settings.ts';
import { servers } from '../db/schema.ts';
import { getDetail, getServer, getServerDetail, listServers } from './servers.ts';

type Db = Awaited<ReturnType<typeof tempDatabase>>;

const addRun = storeFixture;

const HOME = '4c8e2f6a9d1b47e3b5a07c3d9e2f1a68';
const DESKTOP = 'a71d3e9c0b5f4e28968c4f2d1b7e5a30';
const ODD_ID = 'Zoë’s "box"/1 日本 %2F';
const ODD_JOB = 'Fotos & Videos "Urlaub" 2026 – Zoë/日本';

describe('server reads', () => {
  let db: Db;
  let photos1: string;
  let photos2: string;
  let photosVersions: string[];
  let docker: string;
  let laptop: string;

  before(async () => {
    db = await tempDatabase();
    photos1 = (await addRun(db, 'backup-success.json', '2026-11-23T02:00:00.417Z')).id;
    const second = await addRun(db, 'backup-success.json', null);
    photos2 = second.id;
    photosVersions = JSON.parse(second.run.row.availableBackups!);
    docker = (await addRun(db, 'backup-second-job-same-machine.json', null)).id;
    laptop = (await addRun(db, 'backup-warning.json', null)).id;
    await addRun(db, 'backup-unicode-names.json', null, (b) => (b.Extra['machine-id'] = ODD_ID));
    await db.orm.insert(servers).values({ id: 'spare', name: 'Zeta box', alias: null, note: null, serverUrl: null, serverPassword: null });
    await db.client.execute(`UPDATE servers SET alias = 'Home', note = 'rack 2', server_url = 'http://nas:8200', server_password = 'enc:xyz' WHERE id = '${HOME}'`);
  });
  after(() => db.dispose());

  it('lists every server by name (binary order), NULLs as empty strings', async () => {
    assert.deepEqual(await listServers(db, { includeBackups: false }), [
      { id: DESKTOP, name: 'DESKTOP-7QK2M4P', alias: '', note: '' },
      { id: 'spare', name: 'Zeta box', alias: '', note: '' },
      { id: ODD_ID, name: 'Zoë’s MacBook Pro', alias: '', note: '' },
      { id: HOME, name: 'homeserver', alias: 'Home', note: 'rack 2' },
    ]);
  });

  it('with includeBackups: one entry per job, servers without runs left out', async () => {
    const entry = (id: string, name: string, backupName: string) => ({ id, name, backupName, server_url: '', alias: '', note: '', hasPassword: false });
    const home = { server_url: 'http://nas:8200', alias: 'Home', note: 'rack 2', hasPassword: true };
    assert.deepEqual(await listServers(db, { includeBackups: true }), [
      entry(DESKTOP, 'DESKTOP-7QK2M4P', 'Laptop - User profile'),
      entry(ODD_ID, 'Zoë’s MacBook Pro', ODD_JOB),
      { ...entry(HOME, 'homeserver', 'Docker volumes'), ...home },
      { ...entry(HOME, 'homeserver', 'Photos'), ...home },
    ]);
  });

  it('getServer: the editable fields; unknown id → null', async () => {
    assert.deepEqual(await getServer(db, HOME), { id: HOME, name: 'homeserver', alias: 'Home', note: 'rack 2', server_url: 'http://nas:8200' });
    assert.deepEqual(await getServer(db, 'spare'), { id: 'spare', name: 'Zeta box', alias: '', note: '', server_url: '' });
    assert.equal(await getServer(db, 'nope'), null);
  });

  const photosRun = (id: string, date: string) => ({
    id,
    server_id: HOME,
    name: 'Photos',
    date,
    status: 'Success',
    warnings: 0,
    errors: 0,
    messages: 41,
    fileCount: 48213,
    fileSize: 187403571264,
    uploadedSize: 236583750,
    duration: '00:02:28',
    duration_seconds: 148.7399674,
    durationInMinutes: 2,
    knownFileSize: 189214837122,
    backup_list_count: 14,
    available_backups: photosVersions,
  });
  const photosPoint = (date: string, isoDate: string) => ({
    date, isoDate, uploadedSize: 236583750, duration: 2, fileCount: 48213, fileSize: 187403571264, storageSize: 189214837122, backupVersions: 14,
  });

  it('getServerDetail: every run newest first without logs, chart points oldest first', async () => {
    assert.equal(photosVersions.length, 13);
    assert.deepEqual(await getServerDetail(db, HOME), {
      id: HOME,
      name: 'homeserver',
      alias: 'Home',
      note: 'rack 2',
      server_url: 'http://nas:8200',
      hasPassword: true,
      backups: [
        {
          id: docker,
          server_id: HOME,
          name: 'Docker volumes',
          date: '2026-11-24T03:30:00.221Z',
          status: 'Success',
          warnings: 0,
          errors: 0,
          messages: 32,
          fileCount: 12904,
          fileSize: 41873094656,
          uploadedSize: 33075321,
          duration: '00:01:00',
          duration_seconds: 60.6248712,
          durationInMinutes: 1,
          knownFileSize: 27310554112,
          backup_list_count: 30,
          available_backups: [],
        },
        photosRun(photos2, '2026-11-24T02:00:00.417Z'),
        photosRun(photos1, '2026-11-23T02:00:00.417Z'),
      ],
      chartData: [
        photosPoint('23/11/2026', '2026-11-23T02:00:00.417Z'),
        photosPoint('24/11/2026', '2026-11-24T02:00:00.417Z'),
        { date: '24/11/2026', isoDate: '2026-11-24T03:30:00.221Z', uploadedSize: 33075321, duration: 1, fileCount: 12904, fileSize: 41873094656, storageSize: 27310554112, backupVersions: 30 },
      ],
    });
    assert.equal(await getServerDetail(db, 'nope'), null);
  });

  it('getServerDetail of a server without runs', async () => {
    assert.deepEqual(await getServerDetail(db, 'spare'), {
      id: 'spare', name: 'Zeta box', alias: '', note: '', server_url: '', hasPassword: false, backups: [], chartData: [],
    });
  });

  it('getDetail: the overdue jobs of that server only, with the last check', async () => {
    const now = new Date('2026-11-25T03:00:00.000Z');
    const detail = await getDetail(db, DESKTOP, now);
    assert.ok(detail);
    assert.deepEqual(detail.server.backups.map((b) => b.id), [laptop]);
    assert.deepEqual(detail.overdueBackups, [
      {
        serverName: 'DESKTOP-7QK2M4P',
        backupName: 'Laptop - User profile',
        lastBackupDate: '2026-11-24T00:30:00.883Z',
        notificationEvent: 'warnings',
        // Duplicati's own next-scheduled-run, 2.5 h before now (2 h tolerance).
        expectedBackupDate: '2026-11-25T00:30:00.000Z',
        expectedBackupElapsed: '2 hours',
        lastNotificationSent: 'N/A',
      },
    ]);
    assert.equal(detail.lastOverdueCheck, 'N/A');
    assert.deepEqual((await getDetail(db, HOME, now))?.overdueBackups, []);
  });

  it('getDetail: several overdue jobs in name order, stored check time and alert time', async () => {
    await writeSetting(db, 'last_overdue_check', '2026-11-25T23:55:00.000Z');
    await db.client.execute(`UPDATE backup_jobs SET overdue_notified_at = '2026-11-25T06:00:00.000Z' WHERE backup_name = 'Photos'`);
    const detail = await getDetail(db, HOME, new Date('2026-11-26T00:00:00.000Z'));
    assert.deepEqual(detail?.overdueBackups, [
      {
        serverName: 'homeserver',
        backupName: 'Docker volumes',
        lastBackupDate: '2026-11-24T03:30:00.221Z',
        notificationEvent: 'warnings',
        expectedBackupDate: '2026-11-25T03:30:00.221Z',
        expectedBackupElapsed: '20 hours',
        lastNotificationSent: 'N/A',
      },
      {
        serverName: 'homeserver',
        backupName: 'Photos',
        lastBackupDate: '2026-11-24T02:00:00.417Z',
        notificationEvent: 'warnings',
        expectedBackupDate: '2026-11-25T02:00:00.417Z',
        expectedBackupElapsed: '21 hours',
        lastNotificationSent: '2026-11-25T06:00:00.000Z',
      },
    ]);
    assert.equal(detail?.lastOverdueCheck, '2026-11-25T23:55:00.000Z');
  });

  it('getDetail: unknown id → null; odd ids work as given', async () => {
    assert.equal(await getDetail(db, 'nope', new Date()), null);
    const odd = await getDetail(db, ODD_ID, new Date('2026-11-24T21:00:00.000Z'));
    assert.deepEqual(odd?.server.backups.map((b) => b.name), [ODD_JOB]);
    assert.deepEqual(odd?.overdueBackups, []);
  });

  it('list views carry no log arrays (decision 2)', async () => {
    const text = JSON.stringify([await getServerDetail(db, HOME), await getDetail(db, DESKTOP, new Date())]);
    for (const key of ['messages_array', 'warnings_array', 'errors_array']) assert.ok(!text.includes(key), key);
  });
});
