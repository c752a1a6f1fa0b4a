import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { closedPort, startHttpSink, type HttpSink } from '../../test/helpers/http-sink.ts';
import { ntfyPublishUrl, sendNtfy, type NtfyMessage } from './ntfy.ts';

async function sink(t: TestContext, ...args: Parameters<typeof startHttpSink>): Promise<HttpSink> {
  const s = await startHttpSink(...args);
  t.after(() => s.close());
  return s;
}

const MSG: NtfyMessage = {
  title: '⚠️ Error - nightly @ Zoë’s MacBook Pro – 日本',
  message: 'Backup nightly failed.\n🚨 2 errors',
  priority: 'high',
  tags: 'duplicati, duplistatus, warning, error',
};

test('publishes to <url>/<topic> with title, priority and tags as query parameters and a UTF-8 body', async (t) => {
  const s = await sink(t);
  await sendNtfy({ url: `${s.url}/`, topic: 'duplistatus-AbC123xyz789', accessToken: 'tk_secret' }, MSG);
  assert.equal(s.requests.length, 1);
  const [req] = s.requests;
  assert.equal(req.method, 'POST');
  assert.equal(req.path, '/duplistatus-AbC123xyz789');
  assert.equal(req.query.get('title'), MSG.title);
  assert.equal(req.query.get('priority'), 'high');
  assert.equal(req.query.get('tags'), 'duplicati, duplistatus, warning, error');
  assert.equal(req.query.has('click'), false);
  assert.equal(req.body, MSG.message);
  assert.equal(req.headers['content-type'], 'text/plain; charset=utf-8');
  assert.equal(req.headers['authorization'], 'Bearer tk_secret');
  for (const header of ['x-click', 'x-actions', 'x-attach', 'x-markdown', 'x-title']) assert.equal(req.headers[header], undefined, header);
});

test('no Authorization without a token, blank parameters left out, click only when given', async (t) => {
  const s = await sink(t);
  await sendNtfy({ url: s.url, topic: 'alerts', accessToken: '  ' }, { ...MSG, priority: '', tags: ' ', click: 'http://127.0.0.1:8200/' });
  const [req] = s.requests;
  assert.equal(req.headers['authorization'], undefined);
  assert.deepEqual([...req.query.keys()], ['title', 'click']);
  assert.equal(req.query.get('click'), 'http://127.0.0.1:8200/');
});

test('ntfyPublishUrl drops exactly one trailing slash and encodes the topic', () => {
  const msg = { title: '', message: 'x', priority: '', tags: '' };
  assert.equal(ntfyPublishUrl({ url: 'https://ntfy.sh/', topic: 'abc' }, msg), 'https://ntfy.sh/abc');
  assert.equal(ntfyPublishUrl({ url: 'https://ntfy.example.com/base', topic: 'a/b' }, msg), 'https://ntfy.example.com/base/a%2Fb');
});

test('empty url or topic is refused', async () => {
  await assert.rejects(sendNtfy({ url: '', topic: 't' }, MSG), /^Error: NTFY URL and topic are required$/);
  await assert.rejects(sendNtfy({ url: 'http://127.0.0.1:1', topic: ' ' }, MSG), /^Error: NTFY URL and topic are required$/);
});

test('a 5xx answer fails at once with status and body, without retrying', async (t) => {
  const s = await sink(t, () => ({ status: 503, body: 'upstream down', headers: { 'Content-Type': 'text/plain' } }));
  await assert.rejects(
    sendNtfy({ url: s.url, topic: 't' }, MSG, { retryDelayMs: 1 }),
    /^Error: Failed to send notification to NTFY: 503 Service Unavailable - upstream down$/,
  );
  assert.equal(s.requests.length, 1);
});

test('ntfy JSON errors: rate limit and explained errors', async (t) => {
  const s = await sink(t, () => ({ status: 429, body: JSON.stringify({ code: 42901, http: 429, error: 'limit reached' }) }));
  await assert.rejects(sendNtfy({ url: s.url, topic: 't' }, MSG), /^Error: Notification service is temporarily unavailable due to rate limiting/);
  s.respond(() => ({ status: 403, body: JSON.stringify({ code: 40301, http: 403, error: 'forbidden' }) }));
  await assert.rejects(sendNtfy({ url: s.url, topic: 't' }, MSG), /^Error: Notification service error: forbidden \(HTTP 403\)$/);
});

test('connection refused: the spec message plus where and why, after the configured attempts', async () => {
  const port = await closedPort();
  const started = Date.now();
  await assert.rejects(
    sendNtfy({ url: `http://127.0.0.1:${port}`, topic: 't' }, MSG, { attempts: 3, retryDelayMs: 50 }),
    new RegExp(`^Error: Cannot connect to NTFY server\\. Please verify the server is running and accessible\\. \\(http://127\\.0\\.0\\.1:${port}: ECONNREFUSED\\)$`),
  );
  assert.ok(Date.now() - started >= 100, 'two pauses between three attempts');
});

test('network failures are retried until the server is up', async () => {
  const port = await closedPort();
  const received: string[] = [];
  const late = createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received.push(req.url ?? '');
      res.end('{}');
    });
  });
  const sending = sendNtfy({ url: `http://127.0.0.1:${port}`, topic: 't' }, MSG, { attempts: 20, retryDelayMs: 50 });
  setTimeout(() => late.listen(port, '127.0.0.1'), 150);
  try {
    await sending;
    assert.equal(received.length, 1);
  } finally {
    await new Promise<void>((resolve) => late.close(() => resolve()));
  }
});

test('a server that never answers times out with the spec message', async (t) => {
  const s = await sink(t, () => 'hang');
  await assert.rejects(
    sendNtfy({ url: s.url, topic: 't' }, MSG, { attempts: 1, timeoutMs: 200 }),
    /^Error: Connection to NTFY server timed out\. .* \(http:\/\/127\.0\.0\.1:\d+: timeout\)$/,
  );
});
