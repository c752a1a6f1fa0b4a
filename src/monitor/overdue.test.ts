import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addInterval, parseInterval } from './interval.ts';
import {
  type BackupSettings,
  TOLERANCES,
  defaultBackupSettings,
  dueAt,
  isOverdue,
  nextRun,
  overdueThreshold,
  reconcileSettings,
  toleranceMinutes,
} from './overdue.ts';

const MON_FRI = [1, 2, 3, 4, 5];
const MON_WED_FRI = [1, 3, 5];

/** A stored record: defaults plus overrides, frozen so any mutation by the code under test throws. */
function record(over: Partial<BackupSettings>): BackupSettings {
  const r = { ...defaultBackupSettings(), ...over };
  Object.freeze(r.allowedWeekDays);
  return Object.freeze(r);
}

describe('defaultBackupSettings', () => {
  it('matches spec 03 §3.1', () => {
    assert.deepEqual(defaultBackupSettings(), {
      notificationEvent: 'warnings',
      overdueBackupCheckEnabled: true,
      expectedInterval: '1D',
      allowedWeekDays: [0, 1, 2, 3, 4, 5, 6],
      time: '',
      ntfyEnabled: true,
      emailEnabled: true,
    });
  });
  it('returns a fresh object each time', () => {
    const a = defaultBackupSettings();
    a.allowedWeekDays!.pop();
    assert.equal(defaultBackupSettings().allowedWeekDays!.length, 7);
  });
});

describe('tolerances', () => {
  const cases: Array<[string | null | undefined, number]> = [
    ['no_tolerance', 0], ['5min', 5], ['15min', 15], ['30min', 30], ['1h', 60],
    ['2h', 120], ['4h', 240], ['6h', 360], ['12h', 720], ['1d', 1440],
    // unknown or missing → 2 hours (decision 17)
    ['1H', 120], ['1 hour', 120], ['', 120], ['toString', 120], [null, 120], [undefined, 120],
  ];
  for (const [code, minutes] of cases) {
    it(`${String(code)} → ${minutes}`, () => assert.equal(toleranceMinutes(code), minutes));
  }
  it('labels', () => {
    assert.deepEqual(
      Object.entries(TOLERANCES).map(([code, t]) => `${code}=${t.label}`),
      ['no_tolerance=No tolerance', '5min=5 min', '15min=15 min', '30min=30 min', '1h=1 hour',
        '2h=2 hours', '4h=4 hours', '6h=6 hours', '12h=12 hours', '1d=1 day'],
    );
  });
});

describe('nextRun (spec 03 §4.2)', () => {
  const cases: Array<[string, [string, string, string, number[]?], string]> = [
    ['base ≥ last + 1 s is returned unchanged (§4.5)',
      ['2024-01-04T14:03:00Z', '2024-01-04T14:03:01Z', '1D'], '2024-01-04T14:03:01.000Z'],
    ['base 1 ms short of last + 1 s advances',
      ['2024-01-04T14:03:00.000Z', '2024-01-04T14:03:00.999Z', '1D'], '2024-01-05T14:03:00.999Z'],
    ['a qualifying base survives a bad interval',
      ['2024-01-04T14:03:00Z', '2024-01-05T00:00:00Z', 'bogus'], '2024-01-05T00:00:00.000Z'],
    ['steps over several missed intervals',
      ['2024-01-08T20:00:00Z', '2024-01-05T14:00:00Z', '1D'], '2024-01-09T14:00:00.000Z'],
    ['empty weekday list = every day',
      ['2024-01-05T09:10:00Z', '2024-01-05T09:00:00Z', '1D', []], '2024-01-06T09:00:00.000Z'],
    ['future base on a disallowed day slides to the next allowed day (Sat → Mon)',
      ['2024-01-01T00:00:00Z', '2024-01-06T10:00:00Z', '1D', MON_FRI], '2024-01-08T10:00:00.000Z'],
    ['1D, Mon–Fri: Friday run → Monday (example 8)',
      ['2024-01-05T09:10:00Z', '2024-01-05T09:00:00Z', '1D', MON_FRI], '2024-01-08T09:00:00.000Z'],
    ['1W, Wednesdays only: Monday anchor slides day by day to Wednesday',
      ['2024-01-01T14:02:00Z', '2024-01-01T14:00:00Z', '1W', [3]], '2024-01-10T14:00:00.000Z'],
    ['6h, Mon–Fri: keeps adding 6h through the weekend (example 9)',
      ['2024-01-05T18:05:00Z', '2024-01-05T18:00:00Z', '6h', MON_FRI], '2024-01-08T00:00:00.000Z'],
    ['5h, Mon–Fri: sub-day intervals keep their own rhythm, not midnight',
      ['2024-01-05T20:00:30Z', '2024-01-05T20:00:00Z', '5h', MON_FRI], '2024-01-08T03:00:00.000Z'],
    ['1M from the 31st overflows like setUTCMonth',
      ['2024-01-31T10:00:00Z', '2024-01-31T09:00:00Z', '1M'], '2024-03-02T09:00:00.000Z'],
    ['digits-only interval = seconds',
      ['2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z', '900'], '2024-01-01T00:15:00.000Z'],
  ];
  for (const [name, args, expected] of cases) {
    it(name, () => assert.equal(nextRun(...args), expected));
  }

  const failures: Array<[string, [string, string, string, number[]?], RegExp]> = [
    ['invalid last backup', ['nope', '2024-01-01T00:00:00Z', '1D'], /Invalid lastBackup date/],
    ['invalid base', ['2024-01-01T00:00:00Z', '', '1D'], /Invalid base date/],
    ['unparsable interval', ['2024-01-04T14:03:00Z', '2024-01-04T14:00:00Z', 'xyz'], /Invalid interval/],
    ['50 000 step cap', ['2024-01-04T14:03:00Z', '2024-01-01T00:00:00Z', '1s'], /within 50000 steps/],
    ['interval overflowing the date range', ['2024-01-04T14:03:00Z', '2024-01-01T00:00:00Z', '999999999Y'], /within 50000 steps/],
    ['no allowed day within 8 days', ['2024-01-04T14:03:00Z', '2024-01-04T14:00:00Z', '1D', [7]], /No allowed weekday/],
    ['no allowed day for a sub-day interval', ['2024-01-04T14:03:00Z', '2024-01-04T14:00:00Z', '6h', [9]], /No allowed weekday/],
  ];
  for (const [name, args, error] of failures) {
    it(`throws: ${name}`, () => assert.throws(() => nextRun(...args), error));
  }
});

describe('reconcileSettings: spec 03 §4.5 worked examples', () => {
  const PREVIOUS_RUN = '2023-12-31T14:00:00.000Z'; // what lastBackupDate held before the new run arrived
  const cases: Array<[number, BackupSettings | undefined, string, string]> = [
    [1, record({ time: '2024-01-02T14:00:00.000Z' }), '2024-01-02T14:03:00.000Z', '2024-01-03T14:00:00.000Z'],
    [2, record({ time: '2024-01-03T14:00:00.000Z' }), '2024-01-03T22:00:00.000Z', '2024-01-04T14:00:00.000Z'],
    [3, record({ time: '2024-01-04T14:00:00.000Z' }), '2024-01-04T13:59:00.000Z', '2024-01-05T13:59:00.000Z'],
    [4, undefined, '2024-01-01T14:05:00.000Z', '2024-01-02T14:05:00.000Z'],
    [5, record({ time: '2024-01-05T14:00:00.000Z' }), '2024-01-08T20:00:00.000Z', '2024-01-09T14:00:00.000Z'],
    [6, record({ time: '2024-01-01T14:00:00.000Z', expectedInterval: '1W', allowedWeekDays: MON_WED_FRI }),
      '2024-01-01T14:02:00.000Z', '2024-01-08T14:00:00.000Z'],
    [7, record({ time: '2024-01-08T14:00:00.000Z', expectedInterval: '1W', allowedWeekDays: MON_WED_FRI }),
      '2024-01-04T22:00:00.000Z', '2024-01-12T14:00:00.000Z'],
    [8, record({ time: '2024-01-05T09:00:00.000Z', allowedWeekDays: MON_FRI }), '2024-01-05T09:10:00.000Z', '2024-01-08T09:00:00.000Z'],
    [9, record({ time: '2024-01-05T18:00:00.000Z', expectedInterval: '6h', allowedWeekDays: MON_FRI }),
      '2024-01-05T18:05:00.000Z', '2024-01-08T00:00:00.000Z'],
    [10, record({ time: '2024-01-10T14:00:00.000Z' }), '2024-01-04T14:03:00.000Z', '2024-01-05T14:00:00.000Z'],
    [11, record({ time: '' }), '2024-01-04T14:03:00.000Z', '2024-01-05T14:03:00.000Z'],
  ];
  for (const [row, before, latest, expectedTime] of cases) {
    it(`row ${row}`, () => {
      const entry = before && record({ ...before, lastBackupDate: PREVIOUS_RUN });
      const { settings, changed } = reconcileSettings(entry, latest, false);
      assert.equal(changed, true);
      assert.deepEqual(settings, { ...(entry ?? defaultBackupSettings()), lastBackupDate: latest, time: expectedTime });
    });
  }
});

describe('reconcileSettings: other rules', () => {
  const L = '2024-01-04T14:03:00.000Z';
  const cases: Array<[string, BackupSettings | undefined, string | null, boolean, { time?: string; lastBackupDate?: string } | 'unchanged']> = [
    ['up to date and not forced: same object back',
      record({ time: '2024-01-05T14:00:00.000Z', lastBackupDate: L }), L, false, 'unchanged'],
    ['forced but already right: unchanged',
      record({ time: '2024-01-05T14:00:00.000Z', lastBackupDate: L }), L, true, 'unchanged'],
    ['forced: a future anchor is re-based even when lastBackupDate is current',
      record({ time: '2024-01-07T09:00:00.000Z', lastBackupDate: L }), L, true,
      { time: '2024-01-05T09:00:00.000Z', lastBackupDate: L }],
    ['not forced: the same future anchor is left alone',
      record({ time: '2024-01-07T09:00:00.000Z', lastBackupDate: L }), L, false, 'unchanged'],
    ['missing record with force behaves like row 4',
      undefined, L, true, { time: '2024-01-05T14:03:00.000Z', lastBackupDate: L }],
    ['invalid interval keeps the anchor, records the run',
      record({ time: '2024-01-04T14:00:00.000Z', lastBackupDate: '2024-01-03T14:00:00.000Z', expectedInterval: 'bogus' }), L, false,
      { time: '2024-01-04T14:00:00.000Z', lastBackupDate: L }],
    ['unparsable anchor is kept, run recorded',
      record({ time: 'garbage', lastBackupDate: '2024-01-03T14:00:00.000Z' }), L, false, { time: 'garbage', lastBackupDate: L }],
    ['empty anchor with an invalid interval falls back to the run itself',
      record({ time: '', lastBackupDate: '2024-01-03T14:00:00.000Z', expectedInterval: 'bogus' }), L, false, { time: L, lastBackupDate: L }],
    ['empty anchor is filled even when lastBackupDate is current (safety net)',
      record({ time: '', lastBackupDate: L }), L, false, { time: '2024-01-05T14:03:00.000Z', lastBackupDate: L }],
    ['anchor without milliseconds comes back in toISOString form',
      record({ time: '2024-01-04T14:00:00Z', lastBackupDate: '2024-01-03T14:00:00.000Z' }), L, false,
      { time: '2024-01-05T14:00:00.000Z', lastBackupDate: L }],
    ['job without runs: record untouched', record({ time: '2024-01-05T14:00:00.000Z' }), null, true, 'unchanged'],
    ['job without runs and no record: nothing created', undefined, null, true, 'unchanged'],
  ];
  for (const [name, entry, latest, force, expected] of cases) {
    it(name, () => {
      const { settings, changed } = reconcileSettings(entry, latest, force);
      if (expected === 'unchanged') {
        assert.equal(changed, false);
        assert.equal(settings, entry);
      } else {
        assert.equal(changed, true);
        assert.deepEqual(settings, { ...(entry ?? defaultBackupSettings()), ...expected });
      }
    });
  }
});

describe('spec 01 §2.9 examples A and B (default settings)', () => {
  it('first run creates the record, second run moves the anchor one day', () => {
    const a = reconcileSettings(undefined, '2025-04-21T00:00:01.521Z', false);
    assert.equal(a.changed, true);
    assert.deepEqual(a.settings, {
      ...defaultBackupSettings(), lastBackupDate: '2025-04-21T00:00:01.521Z', time: '2025-04-22T00:00:01.521Z',
    });
    const b = reconcileSettings(a.settings, '2025-04-22T00:00:02.100Z', false);
    assert.equal(b.changed, true);
    assert.equal(b.settings?.time, '2025-04-23T00:00:01.521Z');
    assert.equal(b.settings?.lastBackupDate, '2025-04-22T00:00:02.100Z');
  });

  it('spec 02 §1: due at 2025-04-22T00:00:01.521Z, overdue (2h) only after 02:00:01.521', () => {
    const { settings } = reconcileSettings(undefined, '2025-04-21T00:00:01.521Z', false);
    const due = dueAt({ settings, latest: '2025-04-21T00:00:01.521Z' });
    assert.equal(due, '2025-04-22T00:00:01.521Z');
    const tolerance = toleranceMinutes(undefined);
    assert.equal(isOverdue(due, tolerance, new Date('2025-04-22T02:00:01.521Z')), false);
    assert.equal(isOverdue(due, tolerance, new Date('2025-04-22T02:00:01.522Z')), true);
  });
});

describe('dueAt', () => {
  const L = '2024-01-04T14:03:00.000Z';
  const S = record({ time: '2024-01-05T14:00:00.000Z', lastBackupDate: L });
  const cases: Array<[string, Parameters<typeof dueAt>[0], string | null]> = [
    ['interval rule', { settings: S, latest: L }, '2024-01-05T14:00:00.000Z'],
    ['Duplicati schedule after the newest run wins (earlier than the anchor)',
      { settings: S, latest: L, duplicatiNextRun: '2024-01-05T02:00:00Z' }, '2024-01-05T02:00:00.000Z'],
    ['Duplicati schedule after the newest run wins (later than the anchor)',
      { settings: S, latest: L, duplicatiNextRun: '2024-01-06T02:00:00.000Z' }, '2024-01-06T02:00:00.000Z'],
    ['stale Duplicati schedule equal to the newest run → interval rule',
      { settings: S, latest: L, duplicatiNextRun: L }, '2024-01-05T14:00:00.000Z'],
    ['stale Duplicati schedule before the newest run (manual run) → interval rule',
      { settings: S, latest: L, duplicatiNextRun: '2024-01-04T02:00:00.000Z' }, '2024-01-05T14:00:00.000Z'],
    ['null Duplicati schedule → interval rule', { settings: S, latest: L, duplicatiNextRun: null }, '2024-01-05T14:00:00.000Z'],
    ['unparsable Duplicati schedule → interval rule',
      { settings: S, latest: L, duplicatiNextRun: 'soon' }, '2024-01-05T14:00:00.000Z'],
    ['monitoring disabled → null even with a Duplicati schedule',
      { settings: record({ ...S, overdueBackupCheckEnabled: false }), latest: L, duplicatiNextRun: '2024-01-05T02:00:00.000Z' }, null],
    ['no record → null', { settings: undefined, latest: L }, null],
    ['no run → null', { settings: S, latest: null }, null],
    ['"N/A" run → null', { settings: S, latest: 'N/A' }, null],
    ['empty anchor → null', { settings: record({ ...S, time: '' }), latest: L }, null],
    ['"N/A" anchor → null', { settings: record({ ...S, time: 'N/A' }), latest: L }, null],
    ['anchor not yet advanced past the run → next slot',
      { settings: record({ ...S, time: '2024-01-03T14:00:00.000Z' }), latest: L }, '2024-01-05T14:00:00.000Z'],
    ['anchor on a disallowed day → next allowed day',
      { settings: record({ time: '2024-01-06T09:00:00.000Z', allowedWeekDays: MON_FRI }), latest: '2024-01-05T09:10:00.000Z' },
      '2024-01-08T09:00:00.000Z'],
    ['invalid interval → the anchor as stored',
      { settings: record({ ...S, time: '2024-01-04T14:00:00Z', expectedInterval: 'bogus' }), latest: L }, '2024-01-04T14:00:00.000Z'],
    ['unparsable anchor → null', { settings: record({ ...S, time: 'garbage' }), latest: L }, null],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => assert.equal(dueAt(input), expected));
  }
});

describe('isOverdue and overdueThreshold', () => {
  const cases: Array<[string, string | null, number, string, boolean]> = [
    ['§4.5: 1h tolerance, exactly at due + 1h', '2024-01-06T14:00:00.000Z', 60, '2024-01-06T15:00:00.000Z', false],
    ['§4.5: 1h tolerance, 1 ms later', '2024-01-06T14:00:00.000Z', 60, '2024-01-06T15:00:00.001Z', true],
    ['§4.5: two days later', '2024-01-06T14:00:00.000Z', 60, '2024-01-08T16:00:00.000Z', true],
    ['before due', '2024-01-06T14:00:00.000Z', 60, '2024-01-06T13:00:00.000Z', false],
    ['no tolerance, at due', '2024-01-06T14:00:00.000Z', 0, '2024-01-06T14:00:00.000Z', false],
    ['no tolerance, 1 ms after due', '2024-01-06T14:00:00.000Z', 0, '2024-01-06T14:00:00.001Z', true],
    ['1 day tolerance, 1 ms short', '2024-01-06T14:00:00.000Z', 1440, '2024-01-07T13:59:59.999Z', false],
    ['not monitored', null, 60, '2030-01-01T00:00:00.000Z', false],
  ];
  for (const [name, due, tolerance, now, expected] of cases) {
    it(name, () => {
      assert.equal(isOverdue(due, tolerance, new Date(now)), expected);
      if (due !== null) assert.equal(due < overdueThreshold(tolerance, new Date(now)), expected, 'SQL form agrees');
    });
  }

  it('threshold value', () => {
    assert.equal(overdueThreshold(60, new Date('2024-01-06T15:00:00.000Z')), '2024-01-06T14:00:00.000Z');
  });

  it('SQL form agrees with isOverdue at every millisecond around the boundary', () => {
    const now = new Date('2024-01-06T15:00:00.000Z');
    for (const tolerance of [0, 5, 60, 120, 1440]) {
      const boundary = now.getTime() - tolerance * 60_000;
      for (let offset = -3; offset <= 3; offset++) {
        const due = new Date(boundary + offset).toISOString();
        assert.equal(isOverdue(due, tolerance, now), offset < 0, `${due} +${tolerance}min`);
        assert.equal(due < overdueThreshold(tolerance, now), offset < 0, `${due} +${tolerance}min (SQL)`);
      }
    }
  });
});

describe('time zones and DST: all arithmetic is UTC', () => {
  // Each case would come out differently with local-time calendar math in at least one of the zones.
  const cases: Array<[string, () => unknown, unknown]> = [
    ['London spring forward: 1D keeps 12:00Z', () => nextRun('2024-03-30T12:05:00.000Z', '2024-03-30T12:00:00.000Z', '1D'),
      '2024-03-31T12:00:00.000Z'],
    ['London fall back: 1D keeps 23:30Z', () => nextRun('2024-10-26T23:35:00.000Z', '2024-10-26T23:30:00.000Z', '1D'),
      '2024-10-27T23:30:00.000Z'],
    ['New York spring forward: 1D keeps 15:00Z', () => nextRun('2024-03-09T15:05:00.000Z', '2024-03-09T15:00:00.000Z', '1D'),
      '2024-03-10T15:00:00.000Z'],
    ['New York fall back: 1W keeps 15:00Z', () => nextRun('2024-11-02T15:05:00.000Z', '2024-11-02T15:00:00.000Z', '1W'),
      '2024-11-09T15:00:00.000Z'],
    ['1D across a DST change is exactly 24h', () =>
      Date.parse(nextRun('2024-03-09T23:30:00.000Z', '2024-03-09T23:30:00.000Z', '1D')) - Date.parse('2024-03-09T23:30:00.000Z'),
      86_400_000],
    ['6h across London spring forward', () => nextRun('2024-03-31T00:05:00.000Z', '2024-03-31T00:00:00.000Z', '6h'),
      '2024-03-31T06:00:00.000Z'],
    ['1M across the spring change', () => addInterval(new Date('2024-03-01T00:30:00.000Z'), parseInterval('1M')).toISOString(),
      '2024-04-01T00:30:00.000Z'],
    ['1M across the autumn change', () => addInterval(new Date('2024-10-01T23:30:00.000Z'), parseInterval('1M')).toISOString(),
      '2024-11-01T23:30:00.000Z'],
    ['weekdays are UTC weekdays (Fri 01:00Z is Thursday evening in New York)', () =>
      nextRun('2024-03-08T01:30:00.000Z', '2024-03-08T01:00:00.000Z', '1D', MON_FRI), '2024-03-11T01:00:00.000Z'],
    ['re-base uses the UTC day of the newest run', () =>
      reconcileSettings(record({ time: '2024-03-12T02:00:00.000Z' }), '2024-03-10T03:00:00.000Z', false).settings?.time,
      '2024-03-11T02:00:00.000Z'],
    ['reconcile across London fall back', () =>
      reconcileSettings(record({ time: '2024-10-26T23:30:00.000Z', lastBackupDate: '2024-10-25T23:30:00.000Z' }),
        '2024-10-26T23:40:00.000Z', false).settings?.time,
      '2024-10-27T23:30:00.000Z'],
    ['overdue check across New York spring forward', () =>
      [isOverdue('2024-03-10T06:30:00.000Z', 60, new Date('2024-03-10T07:30:00.000Z')),
        isOverdue('2024-03-10T06:30:00.000Z', 60, new Date('2024-03-10T07:30:00.001Z'))],
      [false, true]],
  ];

  // The offset each zone must show in January / July, proving process.env.TZ really took effect.
  const zones: Array<[string, number, number]> = [
    ['UTC', 0, 0],
    ['Europe/London', 0, -60],
    ['America/New_York', 300, 240],
  ];
  for (const [zone, winterOffset, summerOffset] of zones) {
    describe(`TZ=${zone}`, () => {
      for (const [name, compute, expected] of cases) {
        it(name, () => {
          const saved = process.env.TZ;
          process.env.TZ = zone;
          try {
            assert.equal(new Date('2024-01-15T12:00:00Z').getTimezoneOffset(), winterOffset);
            assert.equal(new Date('2024-07-15T12:00:00Z').getTimezoneOffset(), summerOffset);
            assert.deepEqual(compute(), expected);
          } finally {
            if (saved === undefined) delete process.env.TZ;
            else process.env.TZ = saved;
          }
        });
      }
    });
  }
});
