import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseAvailableBackups } from './versions.ts';

const FIXTURES = new URL('../../../shared/fixtures/duplicati/', import.meta.url);
const load = (file: string) => JSON.parse(readFileSync(new URL(file, FIXTURES), 'utf8'));

const TAG = '[Information-Duplicati.Library.Main.Operation.DeleteHandler:RetentionPolicy';
/** A retention log pair as Duplicati writes it; `zz` null leaves the offset out of the header. */
function retention(zz: string | null, consider: string, toDelete = ''): string[] {
  const head = zz === null ? '2026-11-24 02:02:16 - ' : `2026-11-24 02:02:16 ${zz} - `;
  return [
    `${head}${TAG}-StartCheck]: Start checking if backups can be removed`,
    `${head}${TAG}-BackupList]: Backups to consider: ${consider}`,
    `${head}${TAG}-BackupsToDelete]: Backups outside of all time frames and thus getting deleted: `,
    `${head}${TAG}-AllBackupsToDelete]: All backups to delete: ${toDelete}`,
  ];
}

test('backup-success.json: en-GB dd/MM/yyyy, +00, nothing deleted', () => {
  const body = load('backup-success.json');
  assert.deepEqual(parseAvailableBackups(body.LogLines, { beginTime: body.Data.BeginTime, timeZone: 'UTC' }), [
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
  ]);
});

// en-US M/d/yyyy h:mm:ss tt on a -05 machine: 7:30 PM local is 00:30 UTC the next day.
const WARNING_EXPECTED = [
  '2026-11-23T00:30:06.000Z',
  '2026-11-22T00:30:05.000Z',
  '2026-11-21T00:30:05.000Z',
  '2026-11-20T00:30:04.000Z',
  '2026-11-19T00:30:04.000Z',
  '2026-11-18T00:30:03.000Z',
  '2026-11-17T00:30:03.000Z',
  '2026-11-10T00:30:02.000Z',
  '2026-11-03T00:30:02.000Z',
  '2026-10-26T00:30:05.000Z',
  '2026-09-26T00:30:04.000Z',
  '2026-08-27T00:30:03.000Z',
  '2026-07-28T00:30:02.000Z',
  '2026-05-29T00:30:02.000Z',
  '2026-01-29T00:30:01.000Z',
  // 11/20/2025 7:30:04 PM is in "All backups to delete".
];

test('backup-warning.json: en-US with AM/PM, -05 offset, one deleted', () => {
  const body = load('backup-warning.json');
  // The offset on the line wins over timeZone.
  const opts = { beginTime: body.Data.BeginTime, timeZone: 'Asia/Tokyo' };
  assert.deepEqual(parseAvailableBackups(body.LogLines, opts), WARNING_EXPECTED);
});

test('backup-warning.json with U+202F / U+00A0 before PM (Linux ICU >= 72)', () => {
  const body = load('backup-warning.json');
  for (const space of ['\u202f', '\u00a0']) {
    const lines = (body.LogLines as string[]).map((l) => l.replace(/ PM/g, `${space}PM`));
    assert.ok(lines.some((l) => l.includes(`7:30:06${space}PM`)));
    assert.deepEqual(parseAvailableBackups(lines, { beginTime: body.Data.BeginTime }), WARNING_EXPECTED);
  }
});

test('backup-other-machine.json: invariant MM/dd/yyyy 24 h, +01, two deleted', () => {
  const body = load('backup-other-machine.json');
  assert.deepEqual(parseAvailableBackups(body.LogLines, { beginTime: body.Data.BeginTime }), [
    '2026-11-23T03:15:04.000Z',
    '2026-11-22T03:15:04.000Z',
    '2026-11-21T03:15:03.000Z',
    '2026-11-20T03:15:03.000Z',
    '2026-11-19T03:15:02.000Z',
    '2026-11-18T03:15:02.000Z',
    '2026-11-17T03:15:02.000Z',
    // 11/16/2026 04:15:03 deleted
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
    // 11/20/2024 04:15:01 deleted
  ]);
});

test('fixtures without a "Backups to consider" line give []', () => {
  for (const file of [
    'backup-error.json',
    'backup-initial-over-24h.json',
    'backup-minimal-fields.json',
    'backup-second-job-same-machine.json',
    'backup-unicode-names.json',
    'restore-operation.json',
  ]) {
    const body = load(file);
    assert.deepEqual(parseAvailableBackups(body.LogLines, { beginTime: body.Data.BeginTime }), [], file);
  }
});

const SPEC_EXAMPLE = [
  '2025-04-21 00:38:30 +00 - [Information-Duplicati.Library.Main.Operation.DeleteHandler:RetentionPolicy-BackupList]: Backups to consider: 21/04/2025 00:00:01, 20/04/2025 00:00:02, 19/04/2025 00:00:01, 12/04/2025 00:00:03',
  '2025-04-21 00:38:30 +00 - [Information-Duplicati.Library.Main.Operation.DeleteHandler:RetentionPolicy-AllBackupsToDelete]: All backups to delete: 19/04/2025 00:00:01',
];

test('spec 01 §2.6.5 example', () => {
  const expected = ['2025-04-21T00:00:01.000Z', '2025-04-20T00:00:02.000Z', '2025-04-12T00:00:03.000Z'];
  assert.deepEqual(parseAvailableBackups(SPEC_EXAMPLE, { beginTime: null, timeZone: 'UTC' }), expected);
  // "+00" on the line: the server's zone does not matter.
  assert.deepEqual(parseAvailableBackups(SPEC_EXAMPLE, { beginTime: null, timeZone: 'Europe/London' }), expected);
});

test('no offset on the line: Europe/London in summer is one hour earlier in UTC', () => {
  const lines = SPEC_EXAMPLE.map((l) => l.replace(' +00 - ', ' - '));
  assert.deepEqual(parseAvailableBackups(lines, { beginTime: null, timeZone: 'Europe/London' }), [
    '2025-04-20T23:00:01.000Z',
    '2025-04-19T23:00:02.000Z',
    '2025-04-11T23:00:03.000Z',
  ]);
  assert.deepEqual(parseAvailableBackups(lines, { beginTime: null, timeZone: 'UTC' }), [
    '2025-04-21T00:00:01.000Z',
    '2025-04-20T00:00:02.000Z',
    '2025-04-12T00:00:03.000Z',
  ]);
});

test('no offset, no timeZone: the process zone (TZ) is used', () => {
  const lines = SPEC_EXAMPLE.map((l) => l.replace(' +00 - ', ' - '));
  const saved = process.env.TZ;
  try {
    process.env.TZ = 'Europe/London';
    assert.deepEqual(parseAvailableBackups(lines, { beginTime: null }), [
      '2025-04-20T23:00:01.000Z',
      '2025-04-19T23:00:02.000Z',
      '2025-04-11T23:00:03.000Z',
    ]);
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
});

test('DST boundaries in Europe/London (read like new Date(y, m, d, ...))', () => {
  const lines = retention(
    null,
    '25/10/2026 02:30:00, 25/10/2026 01:30:00, 25/10/2026 00:30:00, 29/03/2026 02:30:00, 29/03/2026 01:30:00, 29/03/2026 00:30:00',
  );
  assert.deepEqual(parseAvailableBackups(lines, { beginTime: null, timeZone: 'Europe/London' }), [
    '2026-10-25T02:30:00.000Z', // GMT again
    '2026-10-25T00:30:00.000Z', // 01:30 happens twice: the first (BST) one
    '2026-10-24T23:30:00.000Z', // BST
    '2026-03-29T01:30:00.000Z', // 02:30 BST
    '2026-03-29T01:30:00.000Z', // 01:30 does not exist: read with the GMT offset from before the change
    '2026-03-29T00:30:00.000Z', // GMT
  ]);
});

test('no offset, America/New_York: summer (EDT) and winter (EST) versions', () => {
  const lines = retention(null, '11/22/2026 7:30:06 PM, 7/27/2026 7:30:02 PM, 3/8/2026 2:30:00 AM, 3/8/2026 1:59:59 AM');
  assert.deepEqual(parseAvailableBackups(lines, { beginTime: '2026-11-24T00:30:00.8835127Z', timeZone: 'America/New_York' }), [
    '2026-11-23T00:30:06.000Z',
    '2026-07-27T23:30:02.000Z',
    '2026-03-08T07:30:00.000Z', // 2:30 AM skipped on 8 March: read as EST
    '2026-03-08T06:59:59.000Z',
  ]);
});

test('ambiguous day/month order is resolved with BeginTime', () => {
  const lines = retention('+00', '05/11/2026 02:00:04, 04/11/2026 02:00:03, 03/11/2026 02:00:02', '03/11/2026 02:00:02');
  // BeginTime 6 Nov: "05/11" is 5 November (day first); 11 May would be half a year before.
  assert.deepEqual(parseAvailableBackups(lines, { beginTime: '2026-11-06T02:00:00.1234567Z' }), [
    '2026-11-05T02:00:04.000Z',
    '2026-11-04T02:00:03.000Z',
  ]);
  // BeginTime 12 May: 5 November would be in the future, so month first.
  assert.deepEqual(parseAvailableBackups(lines, { beginTime: '2026-05-12T02:00:00Z' }), [
    '2026-05-11T02:00:04.000Z',
    '2026-04-11T02:00:03.000Z',
  ]);
  // Both orders before BeginTime: the closer one wins (12 Dec → 5 Nov is closer than 11 May).
  assert.deepEqual(parseAvailableBackups(lines, { beginTime: '2026-12-12T00:00:00Z' }), [
    '2026-11-05T02:00:04.000Z',
    '2026-11-04T02:00:03.000Z',
  ]);
  // One day of slack for a machine zone ahead of UTC: newest 5 Nov 02:00 vs BeginTime 4 Nov 23:00.
  assert.deepEqual(parseAvailableBackups(lines, { beginTime: '2026-11-04T23:00:00Z' }), [
    '2026-11-05T02:00:04.000Z',
    '2026-11-04T02:00:03.000Z',
  ]);
});

test('ambiguous and undecidable: 24 h with "/" is day first, AM/PM is month first', () => {
  const h24 = retention('+00', '05/11/2026 02:00:04, 04/11/2026 02:00:03');
  const expectedDayFirst = ['2026-11-05T02:00:04.000Z', '2026-11-04T02:00:03.000Z'];
  assert.deepEqual(parseAvailableBackups(h24, { beginTime: null }), expectedDayFirst);
  assert.deepEqual(parseAvailableBackups(h24, { beginTime: 'garbage' }), expectedDayFirst);
  // Both orders after BeginTime: no evidence either way.
  assert.deepEqual(parseAvailableBackups(h24, { beginTime: '2026-01-01T00:00:00Z' }), expectedDayFirst);

  const ampm = retention('+00', '5/11/2026 2:00:04 AM, 4/11/2026 2:00:03 AM');
  assert.deepEqual(parseAvailableBackups(ampm, { beginTime: null }), [
    '2026-05-11T02:00:04.000Z',
    '2026-04-11T02:00:03.000Z',
  ]);
  // Same newest date in both orders (11/11) is a tie, so the AM/PM preference decides the rest.
  const tie = retention('+00', '11/11/2026 7:00:00 PM, 10/3/2026 7:00:00 PM');
  assert.deepEqual(parseAvailableBackups(tie, { beginTime: '2026-11-12T19:00:00Z' }), [
    '2026-11-11T19:00:00.000Z',
    '2026-10-03T19:00:00.000Z',
  ]);
});

test('a value above 12 decides the order for the whole list', () => {
  // First part 23 → day first, so 01/02 is 1 February.
  assert.deepEqual(parseAvailableBackups(retention('+00', '23/02/2026 10:00:00, 01/02/2026 10:00:00'), { beginTime: '2026-03-01T00:00:00Z' }), [
    '2026-02-23T10:00:00.000Z',
    '2026-02-01T10:00:00.000Z',
  ]);
  // Second part 23 → month first, so 01/02 is 2 January, even though BeginTime alone would say otherwise.
  assert.deepEqual(parseAvailableBackups(retention('+00', '01/23/2026 10:00:00, 01/02/2026 10:00:00'), { beginTime: '2026-02-02T00:00:00Z' }), [
    '2026-01-23T10:00:00.000Z',
    '2026-01-02T10:00:00.000Z',
  ]);
});

test('culture shapes', () => {
  type Case = [string, string, string[]];
  const cases: Case[] = [
    ['de-DE dd.MM.yyyy', '23.11.2026 03:00:05, 22.11.2026 03:00:04, 1.2.2026 03:00:01',
      ['2026-11-23T02:00:05.000Z', '2026-11-22T02:00:04.000Z', '2026-02-01T02:00:01.000Z']],
    ['fi-FI dots in the time', '23.11.2026 3.00.05, 22.11.2026 3.00.04',
      ['2026-11-23T02:00:05.000Z', '2026-11-22T02:00:04.000Z']],
    ['nl-NL d-M-yyyy', '23-11-2026 3:00:05, 2-11-2026 3:00:04',
      ['2026-11-23T02:00:05.000Z', '2026-11-02T02:00:04.000Z']],
    ['yyyy-MM-dd', '2026-11-23 03:00:05, 2026-01-02 03:00:04',
      ['2026-11-23T02:00:05.000Z', '2026-01-02T02:00:04.000Z']],
    ['ja-JP yyyy/MM/dd', '2026/11/23 3:00:05, 2026/01/02 3:00:04',
      ['2026-11-23T02:00:05.000Z', '2026-01-02T02:00:04.000Z']],
    ['year first with dots', '2026.11.23 03:00:05, 2026.01.02 03:00:04',
      ['2026-11-23T02:00:05.000Z', '2026-01-02T02:00:04.000Z']],
    ['hu-HU "yyyy. MM. dd."', '2026. 11. 23. 3:00:05',
      ['2026-11-23T02:00:05.000Z']],
    ['year first, AM/PM before the time', '2026.11.23 PM 7:30:06, 2026.11.22 AM 12:30:06',
      ['2026-11-23T18:30:06.000Z', '2026-11-21T23:30:06.000Z']],
    ['year first, AM/PM after the time', '2026/11/23 7:30:06 PM',
      ['2026-11-23T18:30:06.000Z']],
    ['12 AM / 12 PM, lower case, a.m./p.m.', '11/23/2026 12:00:00 am, 11/22/2026 12:00:00 PM, 11/21/2026 1:05:00 p.m.',
      ['2026-11-22T23:00:00.000Z', '2026-11-22T11:00:00.000Z', '2026-11-21T12:05:00.000Z']],
    ['extra spaces and NBSP', ' 23/11/2026\u00a0 03:00:05 ,, 22/11/2026   03:00:04 ',
      ['2026-11-23T02:00:05.000Z', '2026-11-22T02:00:04.000Z']],
  ];
  for (const [name, list, expected] of cases) {
    assert.deepEqual(parseAvailableBackups(retention('+01', list), { beginTime: '2026-11-24T02:00:00Z' }), expected, name);
  }
});

test('invalid items are dropped', () => {
  const list = [
    '23/11/2026 02:00:04',
    '31/02/2026 02:00:00', // no 31 February
    '29/02/2026 02:00:00', // 2026 is no leap year
    '15/13/2026 02:00:00', // month 13
    '00/11/2026 02:00:00',
    '22/11/2026 24:00:00',
    '22/11/2026 02:60:00',
    '22/11/2026 13:00:00 PM', // 13 o'clock with PM
    '22/11/2026 0:00:00 AM',
    '22/11/1899 02:00:00',
    '22/11/26 02:00:00', // two-digit year
    '22/11-2026 02:00:00', // mixed separators
    '22/11/2026', // no time
    '22/11/2026 02:00', // no seconds
    'yesterday',
    '21/11/2026 02:00:03',
  ].join(', ');
  assert.deepEqual(parseAvailableBackups(retention('+00', list), { beginTime: null }), [
    '2026-11-23T02:00:04.000Z',
    '2026-11-21T02:00:03.000Z',
  ]);
});

test('consider/delete lines: last one wins, exact match, order of lines', () => {
  const first = retention('+00', '20/11/2026 02:00:00, 19/11/2026 02:00:00', '19/11/2026 02:00:00');
  const second = retention('+00', '23/11/2026 02:00:00, 22/11/2026 02:00:00, 21/11/2026 02:00:00', '22/11/2026 02:00:00, 01/01/2020 00:00:00');
  assert.deepEqual(parseAvailableBackups([...first, ...second], { beginTime: null }), [
    '2026-11-23T02:00:00.000Z',
    '2026-11-21T02:00:00.000Z',
  ]);
  // Output is sorted newest first whatever the input order; duplicates are kept.
  assert.deepEqual(parseAvailableBackups(retention('+00', '01/11/2026 02:00:00, 23/11/2026 02:00:00, 01/11/2026 02:00:00'), { beginTime: null }), [
    '2026-11-23T02:00:00.000Z',
    '2026-11-01T02:00:00.000Z',
    '2026-11-01T02:00:00.000Z',
  ]);
  // Delete list only: nothing to consider.
  assert.deepEqual(parseAvailableBackups([second[3]!], { beginTime: null }), []);
  // Everything deleted, or an empty consider list.
  assert.deepEqual(parseAvailableBackups(retention('+00', '23/11/2026 02:00:00', '23/11/2026 02:00:00'), { beginTime: null }), []);
  assert.deepEqual(parseAvailableBackups(retention('+00', ''), { beginTime: null }), []);
  assert.deepEqual(parseAvailableBackups([], { beginTime: null }), []);
  // Non-string entries (untyped JSON input) are skipped.
  const mixed = [42, null, ...retention('+00', '23/11/2026 02:00:00')] as unknown as string[];
  assert.deepEqual(parseAvailableBackups(mixed, { beginTime: null }), ['2026-11-23T02:00:00.000Z']);
});

test('offsets on the line: -05, +05 (India prints +05:30 as +05), -00', () => {
  const list = '23/11/2026 02:00:04';
  const at = (zz: string) => parseAvailableBackups(retention(zz, list), { beginTime: null, timeZone: 'UTC' });
  assert.deepEqual(at('-05'), ['2026-11-23T07:00:04.000Z']);
  assert.deepEqual(at('+05'), ['2026-11-22T21:00:04.000Z']);
  assert.deepEqual(at('+05:30'), ['2026-11-22T20:30:04.000Z']);
  assert.deepEqual(at('-00'), ['2026-11-23T02:00:04.000Z']);
  assert.deepEqual(at('+14'), ['2026-11-22T12:00:04.000Z']);
});
