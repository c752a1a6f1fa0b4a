import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addInterval, intervalLengthDays, parseInterval, validateInterval } from './interval.ts';

describe('parseInterval (tolerant, for scheduling)', () => {
  const cases: Array<[string, ReturnType<typeof parseInterval>]> = [
    ['1D', [{ value: 1, unit: 'D' }]],
    ['12h', [{ value: 12, unit: 'h' }]],
    ['1D2h30m', [{ value: 1, unit: 'D' }, { value: 2, unit: 'h' }, { value: 30, unit: 'm' }]],
    ['2W', [{ value: 2, unit: 'W' }]],
    ['1Y6M', [{ value: 1, unit: 'Y' }, { value: 6, unit: 'M' }]],
    ['45s', [{ value: 45, unit: 's' }]],
    ['3600', [{ value: 3600, unit: 's' }]], // digits only = seconds
    ['  1D  ', [{ value: 1, unit: 'D' }]],
    ['1D x 2h', [{ value: 1, unit: 'D' }, { value: 2, unit: 'h' }]], // stray characters skipped
    ['1d2h', [{ value: 2, unit: 'h' }]], // units are case-sensitive: "1d" is not a token
  ];
  for (const [text, expected] of cases) {
    it(JSON.stringify(text), () => assert.deepEqual(parseInterval(text), expected));
  }

  const unusable = ['', '   ', 'abc', 'D', '1d', '0', '0D', '1D0h'];
  for (const text of unusable) {
    it(`throws on ${JSON.stringify(text)}`, () => assert.throws(() => parseInterval(text), /Invalid interval/));
  }
});

describe('validateInterval (strict)', () => {
  const valid = ['1D', '12h', '1D2h30m', '2W', '1M', '1Y', '90s', '3600', ' 1D '];
  for (const text of valid) {
    it(`accepts ${JSON.stringify(text)}`, () => assert.deepEqual(validateInterval(text), { valid: true }));
  }

  const invalid: Array<[string, string]> = [
    ['', 'Interval cannot be empty'],
    ['   ', 'Interval cannot be empty'],
    ['1d', "Invalid character 'd'. Only digits and units (s, m, h, D, W, M, Y) are allowed."],
    ['1D 2h', "Invalid character ' '. Only digits and units (s, m, h, D, W, M, Y) are allowed."],
    ['1.5D', "Invalid character '.'. Only digits and units (s, m, h, D, W, M, Y) are allowed."],
    ['1Dx2hy', "Invalid character 'x'. Only digits and units (s, m, h, D, W, M, Y) are allowed."],
    ['0', 'Interval must be greater than 0'],
    ['0D', "Value must be greater than 0 in '0D'"],
    ['1D0h', "Value must be greater than 0 in '0h'"],
    ['D1', "Unit 'D' at position 1 must follow a number"],
    ['1DD', "Unit 'D' at position 3 must follow a number"],
    ['1D2', "Number '2' at the end has no unit"],
  ];
  for (const [text, error] of invalid) {
    it(`rejects ${JSON.stringify(text)}`, () => assert.deepEqual(validateInterval(text), { valid: false, error }));
  }
});

describe('addInterval (UTC calendar math)', () => {
  const cases: Array<[string, string, string]> = [
    ['2024-01-01T00:00:00.000Z', '1D2h30m', '2024-01-02T02:30:00.000Z'],
    ['2024-01-01T00:00:00.000Z', '90', '2024-01-01T00:01:30.000Z'],
    ['2024-01-01T10:00:00.000Z', '2W', '2024-01-15T10:00:00.000Z'],
    ['2024-01-31T00:00:00.000Z', '1M', '2024-03-02T00:00:00.000Z'], // setUTCMonth overflow (leap year)
    ['2023-01-31T00:00:00.000Z', '1M', '2023-03-03T00:00:00.000Z'],
    ['2024-03-31T08:00:00.000Z', '1M', '2024-05-01T08:00:00.000Z'],
    ['2024-02-29T12:00:00.000Z', '1Y', '2025-03-01T12:00:00.000Z'],
    ['2024-12-31T23:30:00.000Z', '1h', '2025-01-01T00:30:00.000Z'],
    // tokens apply in the order written
    ['2024-01-31T00:00:00.000Z', '1M1D', '2024-03-03T00:00:00.000Z'],
    ['2024-01-31T00:00:00.000Z', '1D1M', '2024-03-01T00:00:00.000Z'],
  ];
  for (const [from, interval, expected] of cases) {
    it(`${from} + ${interval}`, () => {
      const start = new Date(from);
      assert.equal(addInterval(start, parseInterval(interval)).toISOString(), expected);
      assert.equal(start.toISOString(), from, 'input date is not mutated');
    });
  }
});

describe('intervalLengthDays', () => {
  const cases: Array<[string, number]> = [
    ['1D', 1],
    ['12h', 0.5],
    ['86400', 1],
    ['1D12h', 1.5],
    ['30m', 30 / 1440],
    ['2W', 14],
    ['1M', 30],
    ['1Y', 365],
  ];
  for (const [interval, days] of cases) {
    it(interval, () => assert.equal(intervalLengthDays(parseInterval(interval)), days));
  }
});
