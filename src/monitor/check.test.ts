// The overdue check (spec 03 §5) with a frozen clock and a recording sender.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { secretBox } from '../auth/secrets.ts';
import type { Database } from '../db/client.ts';
import { readSetting, writeSetting } from '../db/settings.ts';
import { parseDuplicatiReport, type ParsedRun } from '../ingest/duplicati-report.ts';
import { storeRun } from '../ingest/store.ts';
import type { OverdueAlert } from '../notify/dispatch.ts';
import { getBackupSettingsMap, jobKey, replaceBackupSettings } from '../settings/backup-settings.ts';
import { tempDatabase } from '../../test/helpers/db.ts';
import { fixture } from '../../test/helpers/fixtures.ts';
import { checkOverdue, clearOverdueTimestamps, shouldNotify } from './check.ts';
import type { BackupSettings } from './overdue.ts';

const secrets = secretBox(randomBytes(32));
const SUCCESS = 'backup-success.json'; // homeserver / Photos
const WARNING = 'backup-warning.json'; // DESKTOP-7QK2M4P / Laptop - User profile

function run(name: string, begin: string, nextScheduled?: string): ParsedRun {
  const body = fixture(name);
  body.Data.BeginTime = begin;
  if (nextScheduled !== undefined) body.Extra['next-scheduled-run'] = nextScheduled;
  else delete body.Extra['next-scheduled-run'];
  const outcome = parseDuplicatiReport(body, 'UTC');
  assert.equal(outcome.kind, 'run');
  return (outcome as { run: ParsedRun }).run;
}

async function upload(db: Database, name: string, begin: string, nextScheduled?: string): Promise<ParsedRun> {
  const r = run(name, begin, nextScheduled);
  assert.ok((await storeRun(db, r)).stored);
  return r;
}

/** Changes one job's settings the way the settings endpoint does (due_at recomputed). */
async function changeSettings(db: Database, r: ParsedRun, patch: Partial<BackupSettings>): Promise<void> {
  const map = await getBackupSettingsMap(db);
  const key = jobKey(r.row.serverId, r.row.backupName);
  map[key] = { ...map[key]!, ...patch };
  const result = await replaceBackupSettings(db, map, { username: 'test' });
  assert.ok(result.ok);
}

interface Recorder {
  alerts: OverdueAlert[];
  fail: boolean;
  send: (alert: OverdueAlert) => Promise<void>;
}

function recorder(): Recorder {
  const r: Recorder = {
    alerts: [],
    fail: false,
    send: async (alert) => {
      if (r.fail) throw new Error('channel down');
      r.alerts.push(alert);
    },
  };
  return r;
}

type Step =
  | { at: string; sent: number; found?: number; force?: boolean }
  | { upload: string; file?: string }
  | { clear: true }
  | { failing: boolean }
  | { settings: Partial<BackupSettings> };

interface Case {
  name: string;
  frequency?: string;
  tolerance?: string;
  /** The job's first run (backup-success.json unless `file`). */
  first: string;
  file?: string;
  nextScheduled?: string;
  steps: Step[];
}

// backup-success.json with its first run at 2026-01-01 10:00 Z: default 1D ⇒ due 01-02 10:00, and
// with the default 2 h tolerance overdue strictly after 01-02 12:00.
const CASES: Case[] = [
  {
    name: 'first alert: overdue strictly after due + tolerance',
    first: '2026-01-01T10:00:00Z',
    steps: [
      { at: '2026-01-02T11:59:00.000Z', sent: 0, found: 0 },
      { at: '2026-01-02T12:00:00.000Z', sent: 0, found: 0 },
      { at: '2026-01-02T12:00:00.001Z', sent: 1, found: 1 },
    ],
  },
  {
    name: 'every_day: no resend within 24 h, resend after 24 h',
    first: '2026-01-01T10:00:00Z',
    steps: [
      { at: '2026-01-02T13:00:00.000Z', sent: 1 },
      { at: '2026-01-02T14:00:00.000Z', sent: 0, found: 1 },
      { at: '2026-01-03T12:59:59.999Z', sent: 0, found: 1 },
      { at: '2026-01-03T13:00:00.000Z', sent: 1, found: 1 },
      { at: '2026-01-03T13:05:00.000Z', sent: 0, found: 1 },
    ],
  },
  {
    name: 'every_week: resend after 7 days',
    frequency: 'every_week',
    first: '2026-01-01T10:00:00Z',
    steps: [
      { at: '2026-01-02T13:00:00.000Z', sent: 1 },
      { at: '2026-01-08T13:00:00.000Z', sent: 0 },
      { at: '2026-01-09T13:00:00.000Z', sent: 1 },
    ],
  },
  {
    name: 'onetime: one alert until a newer backup arrives (and is overdue again)',
    frequency: 'onetime',
    first: '2026-01-01T10:00:00Z',
    steps: [
      { at: '2026-01-02T13:00:00.000Z', sent: 1 },
      { at: '2026-01-03T13:00:00.000Z', sent: 0, found: 1 },
      { at: '2026-02-02T13:00:00.000Z', sent: 0, found: 1 },
      { upload: '2026-02-05T10:00:00Z' },
      { at: '2026-02-06T11:00:00.000Z', sent: 0, found: 0 },
      { at: '2026-02-06T12:30:00.000Z', sent: 1, found: 1 },
      { at: '2026-03-06T12:30:00.000Z', sent: 0, found: 1 },
    ],
  },
  {
    name: 'clear-overdue-timestamps: the next check alerts again',
    first: '2026-01-01T10:00:00Z',
    steps: [
      { at: '2026-01-02T13:00:00.000Z', sent: 1 },
      { at: '2026-01-02T14:00:00.000Z', sent: 0 },
      { clear: true },
      { at: '2026-01-02T15:00:00.000Z', sent: 1 },
      { at: '2026-01-02T16:00:00.000Z', sent: 0 },
    ],
  },
  {
    name: 'disabled monitoring never alerts (and is not counted)',
    first: '2026-01-01T10:00:00Z',
    steps: [
      { settings: { overdueBackupCheckEnabled: false } },
      { at: '2026-01-05T13:00:00.000Z', sent: 0, found: 0 },
      { at: '2026-03-05T13:00:00.000Z', sent: 0, found: 0, force: false },
    ],
  },
  {
    name: "Duplicati's next-scheduled-run wins over the interval: overdue only after it + tolerance",
    file: WARNING,
    first: '2026-01-01T00:30:00Z',
    nextScheduled: '20260103T003000Z', // two days later; the default 1D would say 01-02 00:30
    steps: [
      { at: '2026-01-02T03:00:00.000Z', sent: 0, found: 0 },
      { at: '2026-01-03T02:30:00.000Z', sent: 0, found: 0 },
      { at: '2026-01-03T02:30:00.001Z', sent: 1, found: 1, force: false },
    ],
  },
  {
    name: 'a Duplicati schedule needs no valid manual interval',
    file: WARNING,
    first: '2026-01-01T00:30:00Z',
    nextScheduled: '20260101T063000Z',
    steps: [
      { settings: { expectedInterval: 'every day' } },
      { at: '2026-01-01T08:30:00.001Z', sent: 1, found: 1 },
    ],
  },
  {
    name: 'an invalid interval without a Duplicati schedule is skipped silently (counted as overdue, not sent)',
    first: '2026-01-01T10:00:00Z',
    steps: [
      { settings: { expectedInterval: '1X' } },
      { at: '2026-01-05T13:00:00.000Z', sent: 0, found: 1 },
    ],
  },
  {
    name: 'tolerance no_tolerance: overdue right after the due time',
    tolerance: 'no_tolerance',
    first: '2026-01-01T10:00:00Z',
    steps: [
      { at: '2026-01-02T10:00:00.000Z', sent: 0, found: 0 },
      { at: '2026-01-02T10:00:00.001Z', sent: 1, found: 1 },
    ],
  },
  {
    name: 'a failed send leaves no timestamp: the next check tries again',
    first: '2026-01-01T10:00:00Z',
    steps: [
      { failing: true },
      { at: '2026-01-02T13:00:00.000Z', sent: 0, found: 1 },
      { failing: false },
      { at: '2026-01-02T13:05:00.000Z', sent: 1, found: 1 },
      { at: '2026-01-02T13:10:00.000Z', sent: 0, found: 1 },
    ],
  },
  {
    name: 'a newer run that is on time ends the episode',
    first: '2026-01-01T10:00:00Z',
    steps: [
      { at: '2026-01-02T13:00:00.000Z', sent: 1 },
      { upload: '2026-01-02T13:30:00Z' },
      { at: '2026-01-02T14:00:00.000Z', sent: 0, found: 0 },
    ],
  },
];

describe('checkOverdue: alert and re-alert rules (frozen clock)', () => {
  for (const c of CASES) {
    test(c.name, async (t) => {
      const db = await tempDatabase();
      t.after(() => db.dispose());
      if (c.frequency) await writeSetting(db, 'notification_frequency', c.frequency);
      if (c.tolerance) await writeSetting(db, 'overdue_tolerance', c.tolerance);
      const first = await upload(db, c.file ?? SUCCESS, c.first, c.nextScheduled);
      const rec = recorder();
      for (const [i, step] of c.steps.entries()) {
        if ('upload' in step) await upload(db, step.file ?? c.file ?? SUCCESS, step.upload);
        else if ('clear' in step) await clearOverdueTimestamps(db);
        else if ('failing' in step) rec.fail = step.failing;
        else if ('settings' in step) await changeSettings(db, first, step.settings);
        else {
          const before = rec.alerts.length;
          const result = await checkOverdue(db, { secrets, send: rec.send }, { force: step.force ?? true, now: new Date(step.at) });
          const where = `step ${i} at ${step.at}`;
          assert.equal(rec.alerts.length - before, step.sent, `${where}: alerts sent`);
          assert.equal(result.statistics.notificationsSent, step.sent, `${where}: notificationsSent`);
          if (step.found !== undefined) assert.equal(result.statistics.overdueBackupsFound, step.found, `${where}: overdueBackupsFound`);
          assert.equal(await readSetting(db, 'last_overdue_check'), step.at, `${where}: last_overdue_check`);
        }
      }
    });
  }
});

describe('checkOverdue: result and alert contents', () => {
  test('statistics, messages, the alert handed to the sender, and overdue_notified_at', async (t) => {
    const db = await tempDatabase();
    t.after(() => db.dispose());
    const photos = await upload(db, SUCCESS, '2026-01-01T10:00:00Z');
    await upload(db, WARNING, '2026-01-05T00:30:00Z'); // due 01-06 00:30: not overdue at 01-03
    const disabled = await upload(db, 'backup-other-machine.json', '2026-01-01T03:15:00Z');
    await changeSettings(db, disabled, { overdueBackupCheckEnabled: false });
    // Extra records (server defaults, jobs without runs) count as configurations (§5.1 step 5).
    await writeSetting(db, 'backup_settings_extra', JSON.stringify({ [`${photos.row.serverId}:__default__`]: { additionalEmails: 'x@example.com' } }));
    await db.client.execute({ sql: "UPDATE servers SET alias = 'Home', note = 'basement', server_url = 'http://home:8200' WHERE id = ?", args: [photos.row.serverId] });
    await writeSetting(db, 'overdue_tolerance', '1h');

    const rec = recorder();
    const manual = await checkOverdue(db, { secrets, send: rec.send }, { force: true, now: new Date('2026-01-03T00:00:00Z') });
    assert.deepEqual(manual, {
      message: 'Overdue backup check completed with next run times recalculated',
      statistics: { totalBackupConfigs: 4, checkedBackups: 2, overdueBackupsFound: 1, notificationsSent: 1 },
    });
    assert.deepEqual(rec.alerts, [
      {
        server: { id: photos.row.serverId, name: 'homeserver', alias: 'Home', note: 'basement', serverUrl: 'http://home:8200' },
        job: { backupName: 'Photos', lastBackupDate: '2026-01-01T10:00:00.000Z', expectedDate: '2026-01-02T10:00:00.000Z', expectedInterval: '1D', tolerance: '1h' },
      },
    ]);
    const { rows } = await db.client.execute('SELECT backup_name, overdue_notified_at FROM backup_jobs ORDER BY backup_name');
    assert.deepEqual(
      rows.map((r) => [r.backup_name, r.overdue_notified_at]),
      [['Laptop - User profile', null], ['Photos', '2026-01-03T00:00:00.000Z'], ['Website and DB dumps', null]],
    );

    const scheduled = await checkOverdue(db, { secrets, send: rec.send }, { force: false, now: new Date('2026-01-03T00:05:00Z') });
    assert.equal(scheduled.message, 'Overdue backup check completed');
    assert.deepEqual(scheduled.statistics, { totalBackupConfigs: 4, checkedBackups: 2, overdueBackupsFound: 1, notificationsSent: 0 });
    assert.equal(await clearOverdueTimestamps(db), 1);
    assert.equal(await clearOverdueTimestamps(db), 0);
  });

  test('an empty database', async (t) => {
    const db = await tempDatabase();
    t.after(() => db.dispose());
    const result = await checkOverdue(db, { secrets, send: recorder().send }, { force: true, now: new Date('2026-01-03T00:00:00Z') });
    assert.deepEqual(result.statistics, { totalBackupConfigs: 0, checkedBackups: 0, overdueBackupsFound: 0, notificationsSent: 0 });
  });

  test('two checks at once never alert a job twice', async (t) => {
    const db = await tempDatabase();
    t.after(() => db.dispose());
    await upload(db, SUCCESS, '2026-01-01T10:00:00Z');
    const rec = recorder();
    const slow = async (a: OverdueAlert) => {
      await new Promise((r) => setTimeout(r, 50));
      await rec.send(a);
    };
    const now = new Date('2026-01-03T00:00:00Z');
    await Promise.all([checkOverdue(db, { secrets, send: slow }, { force: false, now }), checkOverdue(db, { secrets, send: slow }, { force: true, now })]);
    assert.equal(rec.alerts.length, 1);
  });
});

describe('shouldNotify (§5.2)', () => {
  const now = new Date('2026-01-10T12:00:00Z');
  const cases: Array<[string | null, string, string, boolean]> = [
    [null, '2026-01-01T00:00:00Z', 'onetime', true],
    ['', '2026-01-01T00:00:00Z', 'onetime', true],
    ['garbage', '2026-01-01T00:00:00Z', 'onetime', true],
    ['2026-01-05T00:00:00Z', '2026-01-06T00:00:00Z', 'onetime', true],
    ['2026-01-05T00:00:00Z', '2026-01-01T00:00:00Z', 'onetime', false],
    ['2026-01-09T12:00:00Z', '2026-01-01T00:00:00Z', 'every_day', true],
    ['2026-01-09T12:00:00.001Z', '2026-01-01T00:00:00Z', 'every_day', false],
    ['2026-01-03T12:00:00Z', '2026-01-01T00:00:00Z', 'every_week', true],
    ['2026-01-04T12:00:00Z', '2026-01-01T00:00:00Z', 'every_week', false],
    ['2025-12-11T12:00:00Z', '2025-12-01T00:00:00Z', 'every_month', true],
    ['2025-12-12T12:00:00Z', '2025-12-01T00:00:00Z', 'every_month', false],
  ];
  for (const [sent, last, frequency, want] of cases) {
    test(`${frequency}: sent ${sent} / last ${last} → ${want}`, () => {
      assert.equal(shouldNotify(sent, last, frequency as 'onetime', now), want);
    });
  }
});
