import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { buildMessageArrays, splitLogLevels } from './log-lines.ts';

const FIXTURES = new URL('../../../shared/fixtures/duplicati/', import.meta.url);
const load = (file: string) => JSON.parse(readFileSync(new URL(file, FIXTURES), 'utf8'));

const INFO = '2026-11-24 02:00:00 +01 - [Information-Duplicati.Library.Main.Controller-StartingOperation]: The operation Backup has started';
const DRY = '2026-11-24 02:00:01 +01 - [DryRun-Duplicati.Library.Main.Operation.BackupHandler-WouldAddNewFile]: Would add new file';
const WARN = '2026-11-24 02:00:04 +01 - [Warning-Duplicati.Library.Main.Operation.Backup.FileEnumerationProcess-FileAccessError]: Error reported while accessing file: /x';
const WARN_MULTI = '2026-11-24 02:00:05 +01 - [Warning-Duplicati.Library.Main.Operation.Backup.FileBlockProcessor.FileEntry-FileLocked]: Excluding path due to file locked: C:\\a\r\nSystem.IO.IOException: [Error-looking text] in the exception\r\n   at X.Y()';
const ERR = '2026-11-24 02:00:06 +01 - [Error-Duplicati.Library.Main.Controller-FailedOperation]: The operation Backup has failed\nSystem.Exception: boom\n   at A.B()';

test('splitLogLevels keeps whole Warning and Error entries in order', () => {
  const result = splitLogLevels([INFO, WARN, DRY, 42, null, ERR, WARN_MULTI, '... and 12 more', 'Warning-no-bracket', '[Errors-x]: nope']);
  assert.deepEqual(result, { warnings: [WARN, WARN_MULTI], errors: [ERR] });
});

test('splitLogLevels ignores non-arrays', () => {
  for (const input of [undefined, null, 'text', {}, 3]) {
    assert.deepEqual(splitLogLevels(input), { warnings: [], errors: [] }, String(input));
  }
});

test('backup-error.json (Fatal): error line followed by the Exception text', () => {
  const body = load('backup-error.json');
  const { messages, warnings, errors } = buildMessageArrays(body);
  assert.equal(messages.length, 6);
  assert.deepEqual(messages, body.LogLines);
  assert.deepEqual(warnings, [
    '2026-11-24 01:30:03 +00 - [Warning-Duplicati.Library.Main.Operation.FilelistProcessor-MissingFile]: Missing file: duplicati-b647f2bc2625442e669fa731616a0e56e.dblock.zip.aes',
    '2026-11-24 01:30:03 +00 - [Warning-Duplicati.Library.Main.Operation.FilelistProcessor-MissingFile]: Missing file: duplicati-i58bb479e35f227873cfcd3946c19107f.dindex.zip.aes',
  ]);
  assert.equal(errors.length, 2);
  assert.equal(errors[0], body.LogLines[5]);
  assert.ok(errors[0]!.startsWith(
    '2026-11-24 01:30:03 +00 - [Error-Duplicati.Library.Main.Controller-FailedOperation]: The operation Backup has failed\nDuplicati.Library.Interface.RemoteListVerificationException: Found 2 files that are missing from the remote storage, please run repair\n',
  ));
  assert.ok(errors[0]!.endsWith('at Duplicati.Library.Main.Controller.RunAction[T](T result, String[]& paths, IFilter& filter, Func`3 method)'));
  assert.equal(errors[1], body.Exception);
  assert.ok(errors[1]!.startsWith('Duplicati.Library.Interface.RemoteListVerificationException: Found 2 files that are missing'));
});

test('backup-warning.json: the two FileLocked entries, no errors', () => {
  const body = load('backup-warning.json');
  const { messages, warnings, errors } = buildMessageArrays(body);
  assert.equal(messages.length, 36);
  assert.deepEqual(warnings, [body.LogLines[4], body.LogLines[5]]);
  assert.ok(warnings[0]!.startsWith('2026-11-23 19:30:46 -05 - [Warning-Duplicati.Library.Main.Operation.Backup.FileBlockProcessor.FileEntry-FileLocked]: Excluding path due to file locked: C:\\Users\\mreyes\\AppData\\Local\\Microsoft\\Outlook\\mreyes@contoso.com.ost\r\nSystem.IO.IOException:'));
  assert.ok(warnings[1]!.startsWith('2026-11-23 19:30:52 -05 - [Warning-'));
  assert.deepEqual(errors, []);
});

test('other fixtures: messages are LogLines, no warnings or errors', () => {
  const files = [
    'backup-success.json',
    'backup-minimal-fields.json',
    'backup-initial-over-24h.json',
    'backup-other-machine.json',
    'backup-second-job-same-machine.json',
    'backup-unicode-names.json',
  ];
  for (const file of files) {
    const body = load(file);
    const result = buildMessageArrays(body);
    assert.deepEqual(result.messages, body.LogLines, file);
    assert.deepEqual(result.warnings, [], file);
    assert.deepEqual(result.errors, [], file);
  }
  const minimal = buildMessageArrays(load('backup-minimal-fields.json'));
  assert.deepEqual(minimal, { messages: [], warnings: [], errors: [] });
  const over24h = buildMessageArrays(load('backup-initial-over-24h.json'));
  assert.equal(over24h.messages.length, 101);
  assert.equal(over24h.messages[100], '... and 5506 more');
});

test('buildMessageArrays source precedence', () => {
  type Case = [string, Parameters<typeof buildMessageArrays>[0], ReturnType<typeof buildMessageArrays>];
  const cases: Case[] = [
    ['empty report', {}, { messages: [], warnings: [], errors: [] }],
    ['LogLines wins over Data.Messages, even empty',
      { LogLines: [], Data: { Messages: ['m'] } }, { messages: [], warnings: [], errors: [] }],
    ['Data.Messages when LogLines is not an array',
      { LogLines: null, Data: { Messages: ['m1', 7, 'm2'] } }, { messages: ['m1', 'm2'], warnings: [], errors: [] }],
    ['non-string log entries skipped',
      { LogLines: [INFO, 5, { a: 1 }, WARN] }, { messages: [INFO, WARN], warnings: [WARN], errors: [] }],
    ['legacy Data.Warnings / Data.Errors win when non-empty',
      { LogLines: [WARN, ERR], Data: { Warnings: ['w'], Errors: ['e'], Exception: 'x' } },
      { messages: [WARN, ERR], warnings: ['w'], errors: ['e'] }],
    ['empty legacy arrays fall back to the log',
      { LogLines: [WARN, ERR], Data: { Warnings: [], Errors: [] } },
      { messages: [WARN, ERR], warnings: [WARN], errors: [ERR] }],
    ['Data.Exception before top-level Exception',
      { LogLines: [ERR], Data: { Exception: 'data ex' }, Exception: 'top ex' },
      { messages: [ERR], warnings: [], errors: [ERR, 'data ex'] }],
    ['blank Data.Exception falls through to top-level',
      { Data: { Exception: '  ' }, Exception: 'top ex' }, { messages: [], warnings: [], errors: ['top ex'] }],
    ['exception kept untrimmed',
      { Exception: '  boom\n' }, { messages: [], warnings: [], errors: ['  boom\n'] }],
    ['blank exceptions ignored',
      { Data: { Exception: '' }, Exception: ' \n ' }, { messages: [], warnings: [], errors: [] }],
    ['non-string exception converted with String()',
      { Exception: 404 }, { messages: [], warnings: [], errors: ['404'] }],
    ['null exception ignored',
      { LogLines: [ERR], Exception: null }, { messages: [ERR], warnings: [], errors: [ERR] }],
  ];
  for (const [name, report, expected] of cases) assert.deepEqual(buildMessageArrays(report), expected, name);
});
