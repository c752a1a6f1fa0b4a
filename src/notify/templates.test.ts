import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  TEMPLATE_LANGUAGES,
  TEMPLATE_VARIABLES,
  backupVariables,
  defaultTemplates,
  findUnknownVariables,
  formatDateTime,
  formatInteger,
  formatSize,
  overdueVariables,
  parseStoredDate,
  relativeTime,
  renderNotification,
  renderTemplate,
  renderTestTemplate,
  renderTestText,
  unknownVariables,
  type BackupRun,
  type ServerInfo,
} from './templates.ts';

const SERVER: ServerInfo = {
  id: 'machine-123',
  name: 'Zoë’s MacBook Pro – 日本',
  alias: 'Laptop',
  note: 'Office',
  serverUrl: 'http://127.0.0.1:8200',
};

const RUN: BackupRun = {
  backupName: 'nightly',
  status: 'Warning',
  date: '2024-01-04T14:00:00.000Z',
  durationSeconds: 2311.6018052,
  uploadedSize: 1536,
  knownFileSize: 27203688543,
  backupListCount: 3,
  examinedFiles: 249426,
  sizeOfExaminedFiles: 113395849938,
  messagesActualLength: 27,
  warnings: 2,
  errors: 1,
  warningsArray: JSON.stringify(['2024-01-04 14:01:00 +00 - [Warning-Duplicati] file locked', '', null]),
  errorsArray: JSON.stringify(['2024-01-04 14:02:00 +00 - [Error-Duplicati] disk full']),
  messagesArray: JSON.stringify(['message 1']),
};

const UTC = { language: 'en-GB', timeZone: 'UTC' };

test('the English defaults are §9.2, text for text', () => {
  const t = defaultTemplates();
  assert.deepEqual(t.success, {
    title: '✅ {status} - {backup_name} @ {server_alias}',
    priority: 'default',
    tags: 'duplicati, duplistatus, success',
    message:
      "Backup {backup_name} on {server_alias} completed with status '{status}' at {backup_date} in {duration}.\n" +
      '\n' +
      '🔍 Note: {server_note}\n' +
      '☁️ Uploaded: {uploaded_size}\n' +
      '💾 Store usage: {storage_size}\n' +
      '🔃 Available versions: {available_versions}\n',
  });
  assert.deepEqual(t.warning, {
    title: '⚠️ {status} - {backup_name} @ {server_alias}',
    priority: 'high',
    tags: 'duplicati, duplistatus, warning, error',
    message:
      "Backup {backup_name} on {server_alias} completed with status '{status}' at {backup_date}.\n" +
      '\n' +
      '🔍 Note: {server_note}\n' +
      '⏰ Duration: {duration}\n' +
      '☁️ Uploaded: {uploaded_size}\n' +
      '\n' +
      '🚨 {warnings_count} warnings\n' +
      '🛑 {errors_count} errors.\n' +
      '\n' +
      '📄 Log Messages:\n' +
      '{log_text}\n' +
      '\n' +
      '⚠️ Check the duplicati server immediately {server_url}\n',
  });
  assert.deepEqual(t.overdueBackup, {
    title: '🕑 Overdue - {backup_name} @ {server_alias}',
    priority: 'default',
    tags: 'duplicati, duplistatus, overdue',
    message:
      'The backup {backup_name} is overdue on {server_alias}.\n' +
      '\n' +
      '🔍 Note: {server_note}\n' +
      '🚨 Last backup received: {last_backup_date} ({last_elapsed})\n' +
      '⏰ Expected backup time: {expected_date} ({expected_elapsed})\n' +
      '\n' +
      'Expected interval: {backup_interval} / Tolerance: {overdue_tolerance}\n' +
      '\n' +
      '⚠️ Check the duplicati server immediately {server_url}\n',
  });
});

test('every language has a default set; copies are independent', () => {
  for (const language of TEMPLATE_LANGUAGES) assert.ok(defaultTemplates(language).success.title, language);
  const copy = defaultTemplates();
  copy.success.title = 'changed';
  assert.notEqual(defaultTemplates().success.title, 'changed');
});

test('default templates only use the variables their kind offers', () => {
  for (const [kind, t] of Object.entries(defaultTemplates())) {
    assert.deepEqual(unknownVariables(kind as 'success', t.title + t.message), [], kind);
  }
});

test('renderTemplate substitutes per §9.5', () => {
  const vars = { a: 'A', n: 12, nul: null, under_score9: 'U' };
  assert.equal(renderTemplate('{a}-{n}-{nul}-{missing}-{under_score9}', vars), 'A-12---U');
  assert.equal(renderTemplate('{{a}} stays literal, {a} does not', vars), '{a} stays literal, A does not');
  assert.equal(renderTemplate('{not a var} {a-b} {} { a }', vars), '{not a var} {a-b} {} { a }');
  assert.equal(renderTemplate('{toString}{constructor}{__proto__}', vars), '', 'no prototype lookups');
  assert.equal(renderTemplate('{a}{a}', { a: '{n}' }), '{n}{n}', 'values are not substituted again');
});

test('backupVariables: every §9.4 variable of a report, formatted', () => {
  const vars = backupVariables(RUN, SERVER, UTC);
  assert.deepEqual(Object.keys(vars).sort(), [...TEMPLATE_VARIABLES.success].sort());
  assert.deepEqual(vars, {
    server_name: 'Zoë’s MacBook Pro – 日本',
    server_id: 'machine-123',
    server_alias: 'Laptop (Zoë’s MacBook Pro – 日本)',
    server_note: 'Office',
    server_url: 'http://127.0.0.1:8200',
    backup_name: 'nightly',
    backup_interval_value: '',
    backup_interval_type: '',
    status: 'Warning',
    backup_date: '04/01/2024, 14:00',
    duration: '38m 31s',
    uploaded_size: '1.50 KB',
    storage_size: '25.34 GB',
    available_versions: '3',
    file_count: '249,426',
    file_size: '105.61 GB',
    messages_count: '27',
    warnings_count: '2',
    errors_count: '1',
    log_text: '2024-01-04 14:01:00 +00 - [Warning-Duplicati] file locked\n2024-01-04 14:02:00 +00 - [Error-Duplicati] disk full',
  });
});

test('backupVariables: alias, note and URL fallbacks; log_text falls back to messages, then to ""', () => {
  const bare = backupVariables(
    { ...RUN, warningsArray: '[]', errorsArray: '[]' },
    { ...SERVER, alias: '', note: null, serverUrl: null },
    UTC,
  );
  assert.equal(bare.server_alias, SERVER.name);
  assert.equal(bare.server_note, '');
  assert.equal(bare.server_url, '');
  assert.equal(bare.log_text, 'message 1');
  assert.equal(backupVariables({ ...RUN, warningsArray: '[]', errorsArray: 'not json', messagesArray: '[]' }, SERVER, UTC).log_text, '');
  assert.equal(backupVariables({ ...RUN, warningsArray: '[]' }, SERVER, UTC).log_text, '2024-01-04 14:02:00 +00 - [Error-Duplicati] disk full');
});

test('the success default renders to the expected text', () => {
  const rendered = renderNotification(defaultTemplates().success, backupVariables({ ...RUN, status: 'Success' }, SERVER, UTC));
  assert.deepEqual(rendered, {
    title: '✅ Success - nightly @ Laptop (Zoë’s MacBook Pro – 日本)',
    priority: 'default',
    tags: 'duplicati, duplistatus, success',
    message:
      "Backup nightly on Laptop (Zoë’s MacBook Pro – 日本) completed with status 'Success' at 04/01/2024, 14:00 in 38m 31s.\n" +
      '\n🔍 Note: Office\n☁️ Uploaded: 1.50 KB\n💾 Store usage: 25.34 GB\n🔃 Available versions: 3\n',
  });
});

test('overdueVariables: every §9.4 variable of an overdue alert', () => {
  const now = new Date('2024-01-06T16:00:00Z');
  const job = {
    backupName: 'nightly',
    lastBackupDate: '2024-01-04T14:00:00.000Z',
    expectedDate: '2024-01-05T14:00:00.000Z',
    expectedInterval: '1D2h30m',
    tolerance: '1h',
  };
  const vars = overdueVariables(job, SERVER, { ...UTC, now });
  assert.deepEqual(Object.keys(vars).sort(), [...TEMPLATE_VARIABLES.overdueBackup].sort());
  assert.deepEqual(vars, {
    server_name: SERVER.name,
    server_id: 'machine-123',
    server_alias: `Laptop (${SERVER.name})`,
    server_note: 'Office',
    server_url: 'http://127.0.0.1:8200',
    backup_name: 'nightly',
    backup_interval_value: '1D2h30m',
    backup_interval_type: '',
    last_backup_date: '04/01/2024, 14:00',
    last_elapsed: '2 days ago',
    expected_date: '05/01/2024, 14:00',
    expected_elapsed: '1 day ago',
    backup_interval: '1D2h30m',
    overdue_tolerance: '1 hour',
  });
  const unknown = overdueVariables({ ...job, expectedDate: null, tolerance: 'bogus' }, SERVER, { ...UTC, now });
  assert.equal(unknown.expected_date, '');
  assert.equal(unknown.expected_elapsed, 'N/A');
  assert.equal(unknown.overdue_tolerance, '2 hours');
  assert.equal(overdueVariables({ ...job, tolerance: 'toString' }, SERVER, UTC).overdue_tolerance, '2 hours');
});

test('formatting follows the template language', () => {
  assert.equal(formatSize(1536, 'de'), '1,50 KB');
  assert.equal(formatInteger(12345, 'de'), '12.345');
  assert.equal(formatInteger(12345, 'en-GB'), '12,345');
  assert.equal(formatDateTime('2024-01-04T14:00:00Z', 'de', 'UTC'), '04.01.24, 14:00');
  assert.equal(formatDateTime('2024-01-04T14:00:00Z', 'en-GB', 'Europe/Berlin'), '04/01/2024, 15:00');
  // An unknown language formats as en-GB.
  assert.equal(backupVariables(RUN, SERVER, { language: 'xx', timeZone: 'UTC' }).file_count, '249,426');
});

test('formatSize: base 1024, two decimals, 0 Bytes for nothing', () => {
  const cases: Array<[number, string]> = [
    [0, '0 Bytes'],
    [-5, '0 Bytes'],
    [Number.NaN, '0 Bytes'],
    [500, '500.00 Bytes'],
    [1023, '1,023.00 Bytes'],
    [1024, '1.00 KB'],
    [1536, '1.50 KB'],
    [1024 ** 2, '1.00 MB'],
    [1024 ** 3 * 2.5, '2.50 GB'],
    [1024 ** 8, '1.00 YB'],
    [1024 ** 9, '1,024.00 YB'],
  ];
  for (const [bytes, expected] of cases) assert.equal(formatSize(bytes, 'en-GB'), expected, String(bytes));
});

test('dates: ISO and SQLite UTC text parse; N/A, empty and garbage do not', () => {
  assert.equal(parseStoredDate('2024-01-04 14:00:00')?.toISOString(), '2024-01-04T14:00:00.000Z');
  assert.equal(formatDateTime('2024-01-04 14:00:00', 'en-GB', 'UTC'), '04/01/2024, 14:00');
  for (const bad of [null, undefined, '', 'N/A', 'yesterday']) {
    assert.equal(parseStoredDate(bad), null);
    assert.equal(formatDateTime(bad, 'en-GB', 'UTC'), '');
    assert.equal(relativeTime(bad, new Date()), '');
  }
});

test('relativeTime: just now, seconds, units up to years, past and future', () => {
  const now = new Date('2026-11-24T12:00:00.000Z');
  const at = (seconds: number) => new Date(now.getTime() - seconds * 1000).toISOString();
  const cases: Array<[number, string]> = [
    [0, 'just now'],
    [14.9, 'just now'],
    [-14, 'just now'],
    [15, '15 seconds ago'],
    [59, '59 seconds ago'],
    [60, '1 minute ago'],
    [150, '2 minutes ago'],
    [3600, '1 hour ago'],
    [86400 * 2, '2 days ago'],
    [86400 * 7, '1 week ago'],
    [86400 * 30, '1 month ago'],
    [86400 * 365, '1 year ago'],
    [86400 * 400, '1 year and 1 month ago'],
    [-45, 'in 45 seconds'],
    [-3 * 3600, 'in 3 hours'],
    [-86400, 'in 1 day'],
  ];
  for (const [seconds, expected] of cases) assert.equal(relativeTime(at(seconds), now), expected, String(seconds));
});

test('unknown variables are reported per template, once each; escaped braces are not variables', () => {
  assert.deepEqual(unknownVariables('success', '{status} {last_elapsed} {nope} {nope} {{literal}}'), ['last_elapsed', 'nope']);
  assert.deepEqual(unknownVariables('overdueBackup', '{status} {expected_date} {server_id}'), ['status']);
  assert.deepEqual(
    findUnknownVariables({
      success: { title: '{status}', message: '{typo}' },
      warning: defaultTemplates().warning,
      overdueBackup: { title: '{log_text}', message: '{log_text} {duration}' },
    }),
    [
      { template: 'success', variables: ['typo'] },
      { template: 'overdueBackup', variables: ['log_text', 'duration'] },
    ],
  );
  assert.deepEqual(findUnknownVariables({}), []);
});

test('§9.6 test substitution shows names, sample log lines, and leaves the rest', () => {
  assert.equal(renderTestText('{status} on {server_alias}: {file_size}'), 'status on server_alias: file_size');
  assert.equal(renderTestText('{log_text}'), 'Sample warning 1\nSample error 1\nSample message 1');
  assert.equal(
    renderTestText('{server_id} {last_elapsed} {expected_date} {overdue_tolerance} {unknown} {{status}}'),
    '{server_id} {last_elapsed} {expected_date} {overdue_tolerance} {unknown} {status}',
  );
  assert.deepEqual(renderTestTemplate({ title: '', message: '  ' }), { title: 'Test Notification', message: 'Test message' });
  const overdue = renderTestTemplate(defaultTemplates().overdueBackup);
  assert.equal(overdue.title, '🕑 Overdue - backup_name @ server_alias');
  assert.equal(
    overdue.message.split('\n').slice(0, 5).join('\n'),
    'The backup backup_name is overdue on server_alias.\n\n🔍 Note: server_note\n' +
      '🚨 Last backup received: {last_backup_date} ({last_elapsed})\n' +
      '⏰ Expected backup time: {expected_date} ({expected_elapsed})',
  );
});

// ---- Translated defaults (§9.3) ---------------------------------------------------------------

const TRANSLATED = ['de', 'fr', 'es', 'pt-BR'] as const;
const KINDS = ['success', 'warning', 'overdueBackup'] as const;
const placeholders = (text: string) => (text.match(/\{[0-9A-Za-z_]+\}/g) ?? []).sort();
const emoji = (text: string) => text.match(/\p{Extended_Pictographic}\uFE0F?/gu) ?? [];

test('§9.3: de, fr, es and pt-BR have translated defaults that differ from English', () => {
  const en = defaultTemplates('en-GB');
  for (const language of TRANSLATED) {
    const t = defaultTemplates(language);
    assert.notDeepEqual(t, en, language);
    for (const kind of KINDS) assert.notEqual(t[kind].message, en[kind].message, `${language} ${kind} message`);
    assert.notEqual(t.overdueBackup.title, en.overdueBackup.title, `${language} overdue title`);
  }
  assert.notDeepEqual(defaultTemplates('de'), defaultTemplates('fr'));
  assert.notDeepEqual(defaultTemplates('es'), defaultTemplates('pt-BR'));
});

test('§9.3: translated defaults keep the placeholders, line structure, emoji, priority and tags of English', () => {
  const en = defaultTemplates('en-GB');
  for (const language of TRANSLATED) {
    const t = defaultTemplates(language);
    assert.deepEqual(Object.keys(t).sort(), [...KINDS].sort(), language);
    for (const kind of KINDS) {
      const where = `${language} ${kind}`;
      assert.deepEqual(placeholders(t[kind].title), placeholders(en[kind].title), `${where} title placeholders`);
      assert.deepEqual(placeholders(t[kind].message), placeholders(en[kind].message), `${where} message placeholders`);
      assert.equal(t[kind].priority, en[kind].priority, `${where} priority`);
      assert.equal(t[kind].tags, en[kind].tags, `${where} tags`);
      assert.deepEqual(emoji(t[kind].title), emoji(en[kind].title), `${where} title emoji`);
      assert.deepEqual(emoji(t[kind].message), emoji(en[kind].message), `${where} message emoji`);
      const lines = t[kind].message.split('\n');
      const enLines = en[kind].message.split('\n');
      assert.equal(lines.length, enLines.length, `${where} line count`);
      lines.forEach((line, i) => assert.equal(line === '', enLines[i] === '', `${where} blank line ${i}`));
      assert.ok(t[kind].message.endsWith('\n'), `${where} ends with a newline`);
      assert.deepEqual(unknownVariables(kind, t[kind].title + t[kind].message), [], where);
    }
  }
});

test('§9.3: translated defaults render {status} as reported and are fresh copies', () => {
  const rendered = renderNotification(defaultTemplates('de').success, backupVariables({ ...RUN, status: 'Success' }, SERVER, { language: 'de', timeZone: 'UTC' }));
  assert.equal(rendered.title, '✅ Success - nightly @ Laptop (Zoë’s MacBook Pro – 日本)');
  assert.match(rendered.message, /'Success'/);
  assert.match(rendered.message, /04\.01\.24, 14:00/);
  const copy = defaultTemplates('fr');
  copy.warning.message = 'changed';
  assert.notEqual(defaultTemplates('fr').warning.message, 'changed');
});

test('§9.3: hi-Latn, zh-Hans and unknown languages fall back to the English set', () => {
  const en = defaultTemplates();
  assert.deepEqual(defaultTemplates('en-GB'), en);
  for (const language of ['hi-Latn', 'zh-Hans', 'zh-CN', 'xx', '', 'de-DE', 'toString']) {
    assert.deepEqual(defaultTemplates(language), en, language);
  }
});
