import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseDotNetDuration } from './duration.ts';

const FIXTURES = new URL('../../../shared/fixtures/duplicati/', import.meta.url);

test('parses TimeSpan text to seconds with exact fraction', () => {
  const cases: Array<[string, number]> = [
    ['00:38:31.6018052', 2311.6018052],
    ['00:00:51.3856057', 51.3856057],
    ['1.03:12:45.8841023', 97965.8841023],
    ['1.02:03:04.5', 93784.5],
    ['00:00:00', 0],
    ['00:00:00.0000001', 0.0000001],
    ['23:59:59.9999999', 86399.9999999],
    ['10.00:00:00', 864000],
    ['00:02:28.7399674', 148.7399674],
    ['-00:01:30', -90],
    ['-1.00:00:00.5', -86400.5],
    ['-00:00:00', 0],
    [' 00:00:05 ', 5],
    // Without a day part the hours are not bounded (older generators send plain hours).
    ['27:12:45', 97965],
  ];
  for (const [input, expected] of cases) {
    assert.equal(parseDotNetDuration(input), expected, input);
  }
  assert.ok(Object.is(parseDotNetDuration('-00:00:00'), 0), 'no negative zero');
});

test('rejects anything that is not a TimeSpan', () => {
  const bad: unknown[] = [
    null, undefined, 42, {}, [], '', 'abc', '00:00', '00:60:00', '00:00:60', '1.24:00:00',
    '1.2.03:04:05', '00:00:00.', '00:00:00.x', '-', '+00:00:01', '00:00:01.5e3', '1d 02:00:00',
    '00:000:00',
  ];
  for (const input of bad) {
    assert.equal(parseDotNetDuration(input), null, JSON.stringify(input));
  }
});

test('every fixture Duration parses', () => {
  const expected: Record<string, number> = {
    'backup-success.json': 148.7399674,
    'backup-second-job-same-machine.json': 60.6248712,
    'backup-warning.json': 86.4147147,
    'backup-error.json': 0,
    'backup-other-machine.json': 38.544944,
    'restore-operation.json': 20.9703854,
    'backup-minimal-fields.json': 290.4659755,
    'backup-unicode-names.json': 68.4845737,
    'backup-initial-over-24h.json': 97965.8841023,
  };
  for (const [file, seconds] of Object.entries(expected)) {
    const body = JSON.parse(readFileSync(new URL(file, FIXTURES), 'utf8'));
    assert.equal(parseDotNetDuration(body.Data.Duration), seconds, file);
  }
});
