import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseNextScheduledRun, toIsoUtc, utcFromParts } from './timestamps.ts';

const FIXTURES = new URL('../../../shared/fixtures/duplicati/', import.meta.url);
const load = (file: string) => JSON.parse(readFileSync(new URL(file, FIXTURES), 'utf8'));

test('toIsoUtc converts Duplicati dates to toISOString() form', () => {
  const cases: Array<[string, string]> = [
    ['2025-04-21T23:45:46.9712217Z', '2025-04-21T23:45:46.971Z'],
    ['2025-04-21T23:45:46.9999999Z', '2025-04-21T23:45:46.999Z'], // truncated, not rounded up
    ['2025-04-21T23:45:46.971Z', '2025-04-21T23:45:46.971Z'],
    ['2025-04-21T23:45:46.97Z', '2025-04-21T23:45:46.970Z'],
    ['2025-04-21T23:45:46.9Z', '2025-04-21T23:45:46.900Z'],
    ['2025-04-21T23:45:46Z', '2025-04-21T23:45:46.000Z'],
    ['2025-04-21T23:45:46z', '2025-04-21T23:45:46.000Z'],
    ['2025-04-22T00:45:46+01:00', '2025-04-21T23:45:46.000Z'],
    ['2026-11-23T19:30:01-05:00', '2026-11-24T00:30:01.000Z'],
    ['2026-11-23T19:30:01-0500', '2026-11-24T00:30:01.000Z'],
    ['2026-11-24T05:30:01+05:30', '2026-11-24T00:00:01.000Z'],
    ['2026-11-24T02:00:00+00:00', '2026-11-24T02:00:00.000Z'],
    ['2026-01-01T00:30:00.1234567+01:00', '2025-12-31T23:30:00.123Z'],
    ['2024-02-29T12:00:00Z', '2024-02-29T12:00:00.000Z'],
    // No zone: read as UTC (Duplicati never sends a real date without Z or offset).
    ['2025-04-21T23:45:46', '2025-04-21T23:45:46.000Z'],
    ['2025-04-21 23:45:46.5', '2025-04-21T23:45:46.500Z'],
    ['2025-04-21T23:45', '2025-04-21T23:45:00.000Z'],
    ['  2025-04-21T23:45:46Z ', '2025-04-21T23:45:46.000Z'],
  ];
  for (const [input, expected] of cases) {
    assert.equal(toIsoUtc(input), expected, input);
  }
});

test('toIsoUtc returns null for missing, unset and unparsable values', () => {
  const bad: unknown[] = [
    undefined, null, '', '   ', 0, 1745279146971, new Date(0), {},
    '0001-01-01T00:00:00', '0001-01-01T00:00:00Z', '1899-12-31T23:59:59Z',
    'not a date', '2025-04-21', '21/04/2025 23:45:46', '2025-02-29T00:00:00Z', '2025-04-31T00:00:00Z',
    '2025-13-01T00:00:00Z', '2025-04-21T24:00:00Z', '2025-04-21T23:60:00Z', '2025-04-21T23:45:60Z',
    '2025-04-21T23:45:46+25:00', '2025-04-21T23:45:46.Z', '2025-4-21T23:45:46Z', 'Mon, 21 Apr 2025 23:45:46 GMT',
    '9999-12-31T23:00:00-05:00',
  ];
  for (const input of bad) {
    assert.equal(toIsoUtc(input), null, String(input));
  }
});

test('toIsoUtc on every fixture date', () => {
  const expected: Record<string, [string, string | null, string]> = {
    // file: [BeginTime, EndTime, BackendStatistics.LastBackupDate]
    'backup-success.json': ['2026-11-24T02:00:00.417Z', '2026-11-24T02:02:29.157Z', '2026-11-24T02:00:00.000Z'],
    'backup-second-job-same-machine.json': ['2026-11-24T03:30:00.221Z', '2026-11-24T03:31:00.845Z', '2026-11-24T03:30:00.000Z'],
    'backup-warning.json': ['2026-11-24T00:30:00.883Z', '2026-11-24T00:31:27.298Z', '2026-11-24T00:30:01.000Z'],
    'backup-error.json': ['2026-11-24T01:30:00.118Z', null, '2026-11-23T01:30:00.000Z'],
    'backup-other-machine.json': ['2026-11-24T03:15:00.662Z', '2026-11-24T03:15:39.206Z', '2026-11-24T03:15:00.000Z'],
    'backup-minimal-fields.json': ['2026-11-22T21:14:09.552Z', '2026-11-22T21:19:00.018Z', '2026-11-22T21:14:10.000Z'],
    'backup-unicode-names.json': ['2026-11-24T20:15:00.773Z', '2026-11-24T20:16:09.258Z', '2026-11-24T20:15:01.000Z'],
    'backup-initial-over-24h.json': ['2026-11-20T23:00:00.220Z', '2026-11-22T02:12:46.104Z', '2026-11-20T23:00:01.000Z'],
  };
  for (const [file, [begin, end, last]] of Object.entries(expected)) {
    const { Data } = load(file);
    assert.equal(toIsoUtc(Data.BeginTime), begin, `${file} BeginTime`);
    assert.equal(toIsoUtc(Data.EndTime), end, `${file} EndTime`);
    assert.equal(toIsoUtc(Data.BackendStatistics.LastBackupDate), last, `${file} LastBackupDate`);
    // BackendStatistics.EndTime is never filled in by Duplicati: always the unset date.
    assert.equal(toIsoUtc(Data.BackendStatistics.EndTime), null, `${file} BackendStatistics.EndTime`);
  }
});

test('parseNextScheduledRun reads yyyyMMddTHHmmssZ', () => {
  const cases: Array<[unknown, string | null]> = [
    ['20261125T020000Z', '2026-11-25T02:00:00.000Z'],
    ['20240229T235959Z', '2024-02-29T23:59:59.000Z'],
    ['20250229T000000Z', null],
    ['20261125T240000Z', null],
    ['20261325T020000Z', null],
    ['20261125T020000', null],
    ['2026-11-25T02:00:00Z', null],
    ['00010101T000000Z', null],
    ['', null],
    [null, null],
    [undefined, null],
    [20261125, null],
  ];
  for (const [input, expected] of cases) {
    assert.equal(parseNextScheduledRun(input), expected, String(input));
  }
});

test('parseNextScheduledRun on fixtures', () => {
  const expected: Record<string, string | null> = {
    'backup-warning.json': '2026-11-25T00:30:00.000Z',
    'backup-error.json': '2026-11-25T01:30:00.000Z',
    'backup-other-machine.json': '2026-11-25T03:15:00.000Z',
    'backup-unicode-names.json': '2026-11-25T20:15:00.000Z',
    'backup-initial-over-24h.json': null, // run by hand: null in Extra
    'backup-success.json': null, // 2.1.x: key absent
  };
  for (const [file, iso] of Object.entries(expected)) {
    assert.equal(parseNextScheduledRun(load(file).Extra['next-scheduled-run']), iso, file);
  }
});

test('utcFromParts validates the calendar', () => {
  assert.equal(utcFromParts(2026, 11, 23, 2, 0, 4), Date.UTC(2026, 10, 23, 2, 0, 4));
  assert.equal(utcFromParts(2024, 2, 29, 0, 0, 0), Date.UTC(2024, 1, 29));
  assert.equal(utcFromParts(2025, 2, 29, 0, 0, 0), null);
  assert.equal(utcFromParts(2026, 2, 31, 0, 0, 0), null);
  assert.equal(utcFromParts(2026, 13, 1, 0, 0, 0), null);
  assert.equal(utcFromParts(2026, 0, 1, 0, 0, 0), null);
  assert.equal(utcFromParts(2026, 1, 0, 0, 0, 0), null);
  assert.equal(utcFromParts(2026, 1, 1, 24, 0, 0), null);
  assert.equal(utcFromParts(1, 1, 1, 0, 0, 0), null);
});
