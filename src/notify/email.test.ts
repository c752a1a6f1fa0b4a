import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { closedPort } from '../../test/helpers/http-sink.ts';
import { parseMail, startSmtpSink, type SmtpSink, type SmtpSinkOptions } from '../../test/helpers/smtp-sink.ts';
import { sendEmail, senderAddress, textToHtml, type SmtpSettings } from './email.ts';

const SUBJECT = '⚠️ Error - nightly @ Zoë’s MacBook Pro – 日本';
const TEXT = 'Backup nightly failed.\n.\n..dots survive\nSee **now**: http://127.0.0.1:8200/ngax/index.html';
const CREDENTIALS = { username: 'mailer', password: 'pä55 wörd' };

async function sink(t: TestContext, options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const s = await startSmtpSink(options);
  t.after(() => s.close());
  return s;
}

function settings(s: { port: number }, over: Partial<SmtpSettings> = {}): SmtpSettings {
  return {
    host: '127.0.0.1',
    port: s.port,
    connectionType: 'plain',
    requireAuth: false,
    fromAddress: 'duplistatus@example.com',
    senderName: 'Backup Monitor',
    ...over,
  };
}

const message = { to: ['ops@example.com'], subject: SUBJECT, text: TEXT };

test('plain SMTP: the message arrives with decoded headers and both parts', async (t) => {
  const s = await sink(t);
  await sendEmail(settings(s), { ...message, to: ['ops@example.com', 'more@example.org'] });
  assert.equal(s.messages.length, 1);
  const [got] = s.messages;
  assert.equal(got.from, 'duplistatus@example.com');
  assert.deepEqual(got.to, ['ops@example.com', 'more@example.org']);
  assert.equal(got.secure, false);

  const mail = parseMail(got.raw);
  assert.equal(mail.subject, SUBJECT);
  assert.equal(mail.from, '"Backup Monitor" <duplistatus@example.com>');
  assert.equal(mail.headers['to'], 'ops@example.com, more@example.org');
  assert.ok(Math.abs(Date.parse(mail.headers['date']) - Date.now()) < 60_000, mail.headers['date']);
  assert.match(mail.headers['message-id'], /^<.+@example\.com>$/);
  assert.equal(mail.text, TEXT);
  assert.equal(mail.html, textToHtml(TEXT));
  assert.match(mail.html, /<a href="http:\/\/127\.0\.0\.1:8200\/ngax\/index\.html" target="_blank">/);
});

test('STARTTLS with a self-signed certificate: verified by default, accepted with the opt-out', async (t) => {
  const s = await sink(t, { tls: 'starttls', auth: { ...CREDENTIALS } });
  const config = settings(s, { connectionType: 'starttls', requireAuth: true, ...CREDENTIALS });

  await assert.rejects(sendEmail(config, message), (err: Error) => {
    assert.match(err.message, /^SMTP server certificate of 127\.0\.0\.1:\d+ was rejected: .*self[- ]signed/i);
    return true;
  });
  assert.equal(s.messages.length, 0);

  await sendEmail({ ...config, rejectUnauthorized: false }, message);
  assert.equal(s.messages.length, 1);
  assert.equal(s.messages[0].secure, true);
  assert.equal(s.messages[0].user, 'mailer');
  assert.equal(parseMail(s.messages[0].raw).subject, SUBJECT);
});

test('plain ignores STARTTLS even when the server offers it', async (t) => {
  const s = await sink(t, { tls: 'starttls' });
  await sendEmail(settings(s), message);
  assert.equal(s.messages.length, 1);
  assert.equal(s.messages[0].secure, false);
});

test('STARTTLS is required: a server without it is refused before anything is sent', async (t) => {
  const s = await sink(t);
  await assert.rejects(
    sendEmail(settings(s, { connectionType: 'starttls' }), message),
    /^Error: The SMTP server at 127\.0\.0\.1:\d+ does not support STARTTLS\. Please change the connection type/,
  );
  assert.equal(s.messages.length, 0);
});

test('implicit TLS (ssl) with AUTH', async (t) => {
  const s = await sink(t, { tls: 'implicit', auth: { ...CREDENTIALS } });
  const config = settings(s, { connectionType: 'ssl', requireAuth: true, rejectUnauthorized: false, ...CREDENTIALS });
  await sendEmail(config, message);
  assert.equal(s.messages.length, 1);
  assert.equal(s.messages[0].secure, true);
  assert.equal(parseMail(s.messages[0].raw).text, TEXT);

  await assert.rejects(sendEmail({ ...config, rejectUnauthorized: true }, message), /certificate of 127\.0\.0\.1:\d+ was rejected/);
});

test('ssl against a plain server fails with a clear TLS message', async (t) => {
  const s = await sink(t);
  await assert.rejects(
    sendEmail(settings(s, { connectionType: 'ssl', rejectUnauthorized: false }), message),
    /^Error: SSL\/TLS version mismatch with 127\.0\.0\.1:\d+: .*wrong version number\. .*Try using "STARTTLS"/,
  );
});

for (const method of ['PLAIN', 'LOGIN'] as const) {
  test(`AUTH ${method} is accepted`, async (t) => {
    const s = await sink(t, { tls: 'starttls', auth: { ...CREDENTIALS, methods: [method] } });
    await sendEmail(settings(s, { connectionType: 'starttls', requireAuth: true, rejectUnauthorized: false, ...CREDENTIALS }), message);
    assert.deepEqual(s.auths, [{ method, username: 'mailer', accepted: true }]);
    assert.equal(s.messages.length, 1);
  });
}

test('rejected AUTH gives a clear error with the server reply', async (t) => {
  const s = await sink(t, { auth: { ...CREDENTIALS } });
  const config = settings(s, { requireAuth: true, username: 'mailer', password: 'wrong' });
  await assert.rejects(sendEmail(config, message), (err: Error) => {
    assert.match(err.message, /^SMTP authentication failed: 535 .*Authentication credentials invalid.*Please verify your username and password/);
    return true;
  });
  assert.deepEqual(s.auths, [{ method: 'PLAIN', username: 'mailer', accepted: false }]);
  assert.equal(s.messages.length, 0);
});

test('AUTH needed but the server offers none', async (t) => {
  const s = await sink(t); // no auth configured → the sink offers no AUTH
  const config = settings(s, { requireAuth: true, ...CREDENTIALS });
  await assert.rejects(sendEmail(config, message), /offers no AUTH PLAIN or LOGIN on this connection \(offered: none\)/);
});

test('AUTH without a username is refused before connecting', async () => {
  await assert.rejects(sendEmail(settings({ port: 1 }, { requireAuth: true, username: ' ' }), message), /^Error: SMTP authentication is enabled but no username is set$/);
});

test('connection refused gives host, port and the socket error', async () => {
  const port = await closedPort();
  await assert.rejects(
    sendEmail(settings({ port }), message),
    new RegExp(`^Error: Could not connect to SMTP server 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`),
  );
});

test('a server that never greets times out', async () => {
  const sockets: Socket[] = [];
  const silent = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = silent.address() as AddressInfo;
    await assert.rejects(sendEmail(settings({ port }), message, { timeoutMs: 200 }), /SMTP server 127\.0\.0\.1:\d+ did not answer within 0\.2 s \(connect\)/);
  } finally {
    sockets.forEach((s) => s.destroy());
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  }
});

test('From address rules of §8.2', () => {
  const base: SmtpSettings = { host: 'h', port: 25, connectionType: 'starttls', username: 'user@example.com' };
  assert.equal(senderAddress(base), 'user@example.com');
  assert.equal(senderAddress({ ...base, fromAddress: ' from@example.com ' }), 'from@example.com');
  assert.throws(() => senderAddress({ ...base, connectionType: 'plain' }), /^Error: Invalid email configuration for Plain SMTP connection: From Address is required/);
  assert.throws(() => senderAddress({ ...base, username: 'no-at' }), /^Error: Invalid email configuration: From address is missing or invalid/);
});

test('textToHtml: links, line breaks, bold, italic, and escaped markup', () => {
  assert.equal(
    textToHtml('Hi **there** and *you*\nsee https://example.com/a?b=1&c=2 <now>'),
    'Hi <strong>there</strong> and <em>you</em><br>see <a href="https://example.com/a?b=1&amp;c=2" target="_blank">https://example.com/a?b=1&amp;c=2</a> &lt;now&gt;',
  );
});
