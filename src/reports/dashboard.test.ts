import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { storeFixture, tempDatabase } from '../../test/helpers/db.ts';
import { writeSetting } from '../db/settings.ts';
import { servers } from '../db/schema.ts';
import { getDashboard } from './dashboard.ts';

type Db = Awaited<ReturnType<typeof tempDatabase>>;

const addRun = storeFixture;

const HOME = '4c8e2f6a9d1b47e3b5a07c3d9e2f1a68';
const DESKTOP = 'a71d3e9c0b5f4e28968c4f2d1b7e5a30';
const NOW = new Date('2026-11-25T03:00:00.000Z');
const PHOTO_STATUSES = ['Success', 'Success', 'Error', 'Success', 'Warning', 'Fatal', 'Success', 'Strange', 'Success', 'Success', 'Warning', 'Success'];

describe('getDashboard', () => {
  let db: Db;
  let photosLatest: string;
  let photosVersions: string[];
  let docker: string;
  let laptop: string;
  let laptopVersions: string[];

  before(async () => {
    db = await tempDatabase();
    // Photos: 12 daily runs, 2026-11-13 … 2026-11-24 at 02:00:00.417Z.
    for (const [i, status] of PHOTO_STATUSES.entries()) {
      const day = String(13 + i).padStart(2, '0');
      const { id, run } = await addRun(db, 'backup-success.json', `2026-11-${day}T02:00:00.417Z`, (b) => (b.Data.ParsedResult = status));
      photosLatest = id;
      photosVersions = JSON.parse(run.row.availableBackups!);
    }
    docker = (await addRun(db, 'backup-second-job-same-machine.json', null)).id;
    const warning = await addRun(db, 'backup-warning.json', null);
    laptop = warning.id;
    laptopVersions = JSON.parse(warning.run.row.availableBackups!);
    await db.orm.insert(servers).values({ id: 'spare', name: 'Zeta box', alias: null, note: null, serverUrl: null, serverPassword: null });
    await db.client.batch([
      `UPDATE servers SET alias = 'Home', note = 'rack 2', server_url = 'http://nas:8200', server_password = 'enc:xyz' WHERE id = '${HOME}'`,
      `UPDATE backup_jobs SET settings = json_set(settings, '$.notificationEvent', 'errors') WHERE backup_name = 'Docker volumes'`,
      `UPDATE backup_jobs SET overdue_notified_at = '2026-11-25T02:35:00.000Z' WHERE server_id = '${DESKTOP}'`,
    ]);
    await writeSetting(db, 'last_overdue_check', '2026-11-25T02:55:00.000Z');
  });
  after(() => db.dispose());

  it('returns every server, job and total as hand-computed', async () => {
    const dockerInfo = {
      name: 'Docker volumes',
      lastBackupDate: '2026-11-24T03:30:00.221Z',
      lastBackupId: docker,
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
      isBackupOverdue: false,
      notificationEvent: 'errors',
      expectedBackupDate: '2026-11-25T03:30:00.221Z',
      expectedBackupElapsed: 'in the future',
      lastNotificationSent: 'N/A',
    };
    const photosInfo = {
      name: 'Photos',
      lastBackupDate: '2026-11-24T02:00:00.417Z',
      lastBackupId: photosLatest,
      lastBackupStatus: 'Success',
      lastBackupDuration: '00:02:28',
      lastBackupListCount: 14,
      backupCount: 12,
      // The last 10 of 12, oldest first; a status outside the five known ones reads "Unknown".
      statusHistory: ['Error', 'Success', 'Warning', 'Fatal', 'Success', 'Unknown', 'Success', 'Success', 'Warning', 'Success'],
      fileCount: 48213,
      fileSize: 187403571264,
      storageSize: 189214837122,
      uploadedSize: 236583750,
      warnings: 0,
      errors: 0,
      availableBackups: photosVersions,
      isBackupOverdue: false,
      notificationEvent: 'warnings',
      // Default settings: the next day at the same time; 3599.583 s before now.
      expectedBackupDate: '2026-11-25T02:00:00.417Z',
      expectedBackupElapsed: '59 minutes',
      lastNotificationSent: 'N/A',
    };
    const laptopInfo = {
      name: 'Laptop - User profile',
      lastBackupDate: '2026-11-24T00:30:00.883Z',
      lastBackupId: laptop,
      lastBackupStatus: 'Warning',
      lastBackupDuration: '00:01:26',
      lastBackupListCount: 16,
      backupCount: 1,
      statusHistory: ['Warning'],
      fileCount: 96412,
      fileSize: 61204873216,
      storageSize: 203611873018,
      uploadedSize: 64146425,
      warnings: 2,
      errors: 0,
      availableBackups: laptopVersions,
      // Duplicati's next-scheduled-run 00:30; 2 h tolerance ends 02:30 < 03:00.
      isBackupOverdue: true,
      notificationEvent: 'warnings',
      expectedBackupDate: '2026-11-25T00:30:00.000Z',
      expectedBackupElapsed: '2 hours',
      lastNotificationSent: '2026-11-25T02:35:00.000Z',
    };
    const lastOverdueCheck = '2026-11-25T02:55:00.000Z';

    const dashboard = await getDashboard(db, NOW);

    assert.equal(photosVersions.length, 13);
    assert.equal(laptopVersions.length, 15);
    assert.deepEqual(dashboard, {
      // Binary name order: upper case before lower case.
      serversSummary: [
        {
          id: DESKTOP,
          name: 'DESKTOP-7QK2M4P',
          server_url: '',
          alias: '',
          note: '',
          hasPassword: false,
          backupInfo: [laptopInfo],
          totalBackupCount: 1,
          totalStorageSize: 203611873018,
          totalFileCount: 96412,
          totalFileSize: 61204873216,
          totalUploadedSize: 64146425,
          haveOverdueBackups: true,
          lastBackupDate: '2026-11-24T00:30:00.883Z',
          lastBackupStatus: 'Warning',
          lastBackupDuration: '00:01:26',
          lastBackupListCount: 16,
          lastBackupName: 'N/A',
          lastBackupId: laptop,
          lastOverdueCheck,
          backupNames: ['Laptop - User profile'],
        },
        {
          id: 'spare',
          name: 'Zeta box',
          server_url: '',
          alias: '',
          note: '',
          hasPassword: false,
          backupInfo: [],
          totalBackupCount: 0,
          totalStorageSize: 0,
          totalFileCount: 0,
          totalFileSize: 0,
          totalUploadedSize: 0,
          haveOverdueBackups: false,
          lastBackupDate: 'N/A',
          lastBackupStatus: 'N/A',
          lastBackupDuration: 'N/A',
          lastBackupListCount: 0,
          lastBackupName: 'N/A',
          lastBackupId: 'N/A',
          lastOverdueCheck,
          backupNames: [],
        },
        {
          id: HOME,
          name: 'homeserver',
          server_url: 'http://nas:8200',
          alias: 'Home',
          note: 'rack 2',
          hasPassword: true,
          backupInfo: [dockerInfo, photosInfo],
          totalBackupCount: 13,
          totalStorageSize: 216525391234,
          totalFileCount: 61117,
          totalFileSize: 229276665920,
          totalUploadedSize: 269659071,
          haveOverdueBackups: false,
          // Docker volumes ran last (03:30 > 02:00).
          lastBackupDate: '2026-11-24T03:30:00.221Z',
          lastBackupStatus: 'Success',
          lastBackupDuration: '00:01:00',
          lastBackupListCount: 30,
          lastBackupName: 'N/A',
          lastBackupId: docker,
          lastOverdueCheck,
          backupNames: ['Docker volumes', 'Photos'],
        },
      ],
      overallSummary: {
        totalServers: 3,
        totalBackupsRuns: 14,
        totalBackups: 3,
        totalUploadedSize: 333805496,
        totalStorageUsed: 420137264252,
        totalBackupSize: 290481539136,
        overdueBackupsCount: 1,
        // 2026-11-25T03:00:00.000Z − 2026-11-24T03:30:00.221Z = 84,599.779 s
        secondsSinceLastBackup: 84599,
      },
    });
  });

  it('carries no log arrays and no per-run chart series (decision 2; bounded by jobs)', async () => {
    const text = JSON.stringify(await getDashboard(db, NOW));
    for (const key of ['messages_array', 'warnings_array', 'errors_array', 'chartData']) assert.ok(!text.includes(key), key);
  });

  it('applies the stored tolerance', async () => {
    await writeSetting(db, 'overdue_tolerance', '1d');
    try {
      const { serversSummary, overallSummary } = await getDashboard(db, NOW);
      assert.equal(overallSummary.overdueBackupsCount, 0);
      assert.equal(serversSummary[0].haveOverdueBackups, false);
      assert.equal(serversSummary[0].backupInfo[0].isBackupOverdue, false);
    } finally {
      await writeSetting(db, 'overdue_tolerance', '2h');
    }
  });

  it('a job whose check is off has no expected date and is never overdue', async () => {
    await db.client.execute(`UPDATE backup_jobs SET settings = json_set(settings, '$.overdueBackupCheckEnabled', json('false')), due_at = NULL WHERE server_id = '${DESKTOP}'`);
    const info = (await getDashboard(db, NOW)).serversSummary[0].backupInfo[0];
    assert.deepEqual(
      [info.isBackupOverdue, info.expectedBackupDate, info.expectedBackupElapsed],
      [false, 'N/A', 'N/A'],
    );
  });
});

describe('getDashboard edge cases', () => {
  let db: Db;
  before(async () => (db = await tempDatabase()));
  after(() => db.dispose());

  it('an empty database gives no servers and zero totals', async () => {
    assert.deepEqual(await getDashboard(db, NOW), {
      serversSummary: [],
      overallSummary: {
        totalServers: 0,
        totalBackupsRuns: 0,
        totalBackups: 0,
        totalUploadedSize: 0,
        totalStorageUsed: 0,
        totalBackupSize: 0,
        overdueBackupsCount: 0,
        secondsSinceLastBackup: null,
      },
    });
  });

  it('on a tie for the newest run the first job by name wins; zero duration and versions show as N/A and null', async () => {
    const at = '2026-11-24T05:00:00.000Z';
    await addRun(db, 'backup-success.json', at);
    const first = await addRun(db, 'backup-second-job-same-machine.json', at, (b) => {
      b.Data.Duration = '00:00:00';
      b.Data.BackendStatistics.BackupListCount = 0;
    });
    const [server] = (await getDashboard(db, NOW)).serversSummary;
    assert.deepEqual(server.backupNames, ['Docker volumes', 'Photos']);
    assert.equal(server.lastBackupId, first.id);
    assert.equal(server.lastBackupDuration, 'N/A');
    assert.equal(server.lastBackupListCount, null);
    assert.equal(server.backupInfo[0].lastBackupListCount, null);
  });
});
