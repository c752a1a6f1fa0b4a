import { test } from 'node:test';
import assert from 'node:assert/strict';
import { elapsedText, formatHms, formatHumanDuration } from './format.ts';

test('formatHms', () => {
  const cases: Array<[number, string]> = [
    [0, '00:00:00'],
    [0.999, '00:00:00'],
    [5, '00:00:05'],
    [59.9999999, '00:00:59'],
    [60, '00:01:00'],
    [2311.6018052, '00:38:31'],
    [3599.9, '00:59:59'],
    [3600, '01:00:00'],
    [86399.9999999, '23:59:59'],
    [86400, '24:00:00'],
    [97965.8841023, '27:12:45'],
    [97965.88, '27:12:45'],
    [360000, '100:00:00'],
    [-1, '00:00:00'],
    [Number.NaN, '00:00:00'],
    [Number.POSITIVE_INFINITY, '00:00:00'],
  ];
  for (const [seconds, expected] of cases) assert.equal(formatHms(seconds), expected, String(seconds));
});

test('formatHumanDuration', () => {
  const cases: Array<[number, string]> = [
    [0, '0s'],
    [5, '5s'],
    [59.99, '59s'],
    [60, '1m 0s'],
    [2311.6018052, '38m 31s'],
    [3600, '1h 0m 0s'],
    [3723, '1h 2m 3s'],
    [97965.8841023, '27h 12m 45s'],
    [-5, '0s'],
    [Number.NaN, '0s'],
  ];
  for (const [seconds, expected] of cases) assert.equal(formatHumanDuration(seconds), expected, String(seconds));
});

test('elapsedText follows the 02 §1 table', () => {
  const now = new Date('2026-11-24T12:00:00.000Z');
  const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000).toISOString();
  const cases: Array<[string | null | undefined, string]> = [
    [null, ''],
    [undefined, ''],
    ['', ''],
    ['N/A', ''],
    ['not a date', ''],
    [ago(-1), 'in the future'],
    [ago(-0.001), 'in the future'], // floor(-0.001) = -1
    [ago(0), 'just now'],
    [ago(14.999), 'just now'],
    [ago(15), '0 minutes'], // the table's own consequence: 15–59 s is "0 minutes"
    [ago(59), '0 minutes'],
    [ago(60), '1 minute'],
    [ago(119), '1 minute'],
    [ago(120), '2 minutes'],
    [ago(3599), '59 minutes'],
    [ago(3600), '1 hour'],
    [ago(7200), '2 hours'],
    [ago(86399), '23 hours'],
    [ago(86400), '1 day'],
    [ago(6 * 86400), '6 days'],
    [ago(604800), '1 week'],
    [ago(29 * 86400), '4 weeks'],
    [ago(30 * 86400), '1 month'],
    [ago(364 * 86400), '12 months'],
    [ago(365 * 86400), '1 year'],
    [ago(365 * 86400 + 29 * 86400), '1 year'],
    [ago(365 * 86400 + 30 * 86400), '1 year and 1 month'],
    [ago(365 * 86400 + 60 * 86400), '1 year and 2 months'],
    [ago(2 * 365 * 86400), '2 years'],
    [ago(2 * 365 * 86400 + 90 * 86400), '2 years and 3 months'],
    ['2026-11-24T11:00:00Z', '1 hour'],
  ];
  for (const [iso, expected] of cases) assert.equal(elapsedText(iso, now), expected, String(iso));
  assert.equal(elapsedText('2026-11-24T11:00:00.000Z', new Date(Number.NaN)), '');
});
