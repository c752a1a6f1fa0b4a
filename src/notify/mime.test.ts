import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeQuotedPrintable, decodeWords, parseMail } from '../../test/helpers/smtp-sink.ts';
import { buildMessage, encodeHeaderText, encodeQuotedPrintable, encodeWords, formatDate, formatMailbox } from './mime.ts';

const NON_ASCII = 'Zoë’s MacBook Pro – 日本';

test('encodeHeaderText keeps short ASCII and encodes everything else as RFC 2047 words', () => {
  assert.equal(encodeHeaderText('Backup ok'), 'Backup ok');
  const encoded = encodeHeaderText(`✅ Success - ${NON_ASCII}`);
  assert.match(encoded, /^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=$/);
  assert.equal(decodeWords(encoded), `✅ Success - ${NON_ASCII}`);
  // "=?" in plain text would be read as an encoded word, so it is encoded too.
  assert.equal(decodeWords(encodeHeaderText('a =?b?= c')), 'a =?b?= c');
  // A header value is one line.
  assert.equal(encodeHeaderText('one\r\ntwo'), 'one two');
});

test('encodeWords splits long text into words ≤ 75 chars without cutting a character', () => {
  const text = `${NON_ASCII} 🚨 `.repeat(8);
  const encoded = encodeWords(text);
  const words = encoded.split('\r\n ');
  assert.ok(words.length > 1);
  for (const w of words) {
    assert.ok(w.length <= 75, w);
    // Each word decodes on its own, so no UTF-8 sequence was split.
    assert.doesNotMatch(decodeWords(w), /\uFFFD/);
  }
  assert.equal(decodeWords(encoded), text);
});

test('formatMailbox quotes ASCII names and encodes non-ASCII ones outside quotes', () => {
  assert.equal(formatMailbox({ name: 'duplistatus', address: 'me@example.com' }), '"duplistatus" <me@example.com>');
  assert.equal(formatMailbox({ name: 'a "b" \\ c', address: 'me@example.com' }), '"a \\"b\\" \\\\ c" <me@example.com>');
  assert.equal(formatMailbox({ address: 'me@example.com' }), '<me@example.com>');
  const encoded = formatMailbox({ name: NON_ASCII, address: 'me@example.com' });
  assert.match(encoded, /^=\?UTF-8\?B\?.*\?= <me@example\.com>$/);
  assert.equal(decodeWords(encoded), `${NON_ASCII} <me@example.com>`);
  for (const bad of ['', 'no-at-sign', 'a@b\r\nBcc: x@y', 'a b@c.d', 'ü@example.com', '<a@b.c>']) {
    assert.throws(() => formatMailbox({ address: bad }), /Invalid e-mail address/, bad);
  }
});

test('formatDate is RFC 5322 in UTC', () => {
  assert.equal(formatDate(new Date('2024-01-04T14:05:09.123Z')), 'Thu, 04 Jan 2024 14:05:09 +0000');
});

test('quoted-printable: UTF-8, CRLF lines, ≤ 76 chars, trailing space and leading dots encoded', () => {
  const text = `${NON_ASCII}\n.hidden line\n..two dots\ntrailing space \n${'x'.repeat(200)}\n= sign`;
  const qp = encodeQuotedPrintable(text);
  const lines = qp.split('\r\n');
  for (const line of lines) {
    assert.ok(line.length <= 76, line);
    assert.ok(!line.startsWith('.'), `line starts with a dot: ${line}`);
    assert.ok(!/[ \t]$/.test(line), `trailing whitespace: ${JSON.stringify(line)}`);
    assert.match(line, /^[\x21-\x7e ]*$/);
  }
  assert.ok(qp.includes('=2Ehidden line'));
  assert.equal(decodeQuotedPrintable(qp).replace(/\r\n/g, '\n'), text);
  // A dot that lands at the start of a soft-wrapped line is encoded too.
  const wrapped = encodeQuotedPrintable(`${'a'.repeat(75)}.b`);
  assert.equal(wrapped, `${'a'.repeat(75)}=\r\n=2Eb`);
});

test('buildMessage: headers, multipart/alternative with text and HTML, no line starting with a dot', () => {
  const raw = buildMessage({
    from: { name: 'duplistatus', address: 'me@example.com' },
    to: ['ops@example.com', 'second@example.org'],
    subject: `⚠️ Error - nightly @ ${NON_ASCII}`,
    text: 'Line 1\n.\nLine 3 🚨',
    html: '<p>Line 1</p><br>',
    date: new Date('2024-01-04T14:00:00Z'),
  });
  assert.ok(raw.endsWith('\r\n'));
  assert.doesNotMatch(raw, /(^|\r\n)\./, 'a line starts with "."');
  assert.doesNotMatch(raw.replace(/\r\n/g, ''), /[\r\n]/, 'bare CR or LF');
  assert.match(raw, /^[\x00-\x7f]*$/, 'message source is 7-bit');

  const mail = parseMail(raw);
  assert.equal(mail.from, '"duplistatus" <me@example.com>');
  assert.equal(mail.headers['to'], 'ops@example.com, second@example.org');
  assert.equal(mail.subject, `⚠️ Error - nightly @ ${NON_ASCII}`);
  assert.equal(mail.headers['date'], 'Thu, 04 Jan 2024 14:00:00 +0000');
  assert.match(mail.headers['message-id'], /^<[0-9a-f-]{36}@example\.com>$/);
  assert.equal(mail.headers['mime-version'], '1.0');
  assert.match(mail.headers['content-type'], /^multipart\/alternative; boundary="=_duplistatus_[0-9a-f]{24}"$/);
  assert.equal(mail.text, 'Line 1\n.\nLine 3 🚨');
  assert.equal(mail.html, '<p>Line 1</p><br>');
});

test('buildMessage rejects a missing or invalid recipient', () => {
  const base = { from: { address: 'me@example.com' }, subject: 's', text: 't', html: 'h' };
  assert.throws(() => buildMessage({ ...base, to: [] }), /at least one recipient/);
  assert.throws(() => buildMessage({ ...base, to: ['x@y.z\r\nBcc: evil@example.com'] }), /Invalid e-mail address/);
});
