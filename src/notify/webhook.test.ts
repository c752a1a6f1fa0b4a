import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { closedPort, startHttpSink, type HttpSink } from '../../test/helpers/http-sink.ts';
import { sendWebhook } from './webhook.ts';

async function sink(t: TestContext, ...args: Parameters<typeof startHttpSink>): Promise<HttpSink> {
  const s = await startHttpSink(...args);
  t.after(() => s.close());
  return s;
}

const PAYLOAD = { title: '✅ Success - nightly @ Zoë’s MacBook Pro – 日本', message: 'done\nok', priority: 'default', tags: ['duplicati'] };

test('POSTs the payload as JSON with the Bearer token', async (t) => {
  const s = await sink(t);
  await sendWebhook({ url: `${s.url}/hooks/duplistatus?x=1`, token: 'secret-token' }, PAYLOAD);
  assert.equal(s.requests.length, 1);
  const [req] = s.requests;
  assert.equal(req.method, 'POST');
  assert.equal(req.url, '/hooks/duplistatus?x=1');
  assert.equal(req.headers['content-type'], 'application/json; charset=utf-8');
  assert.equal(req.headers['authorization'], 'Bearer secret-token');
  assert.deepEqual(JSON.parse(req.body), PAYLOAD);
});

test('no Authorization header without a token', async (t) => {
  const s = await sink(t, () => ({ status: 204 }));
  await sendWebhook({ url: s.url, token: '' }, PAYLOAD);
  assert.equal(s.requests[0].headers['authorization'], undefined);
});

test('a non-2xx answer is an error naming the server, status and body (never the path)', async (t) => {
  const s = await sink(t, () => ({ status: 500, body: '{"error":"boom"}' }));
  await assert.rejects(
    sendWebhook({ url: `${s.url}/secret-path` }, PAYLOAD),
    new RegExp(`^Error: Webhook ${s.url.replace(/\./g, '\\.')} answered 500 Internal Server Error - \\{"error":"boom"\\}$`),
  );
  s.respond(() => ({ status: 401, body: '' }));
  await assert.rejects(sendWebhook({ url: s.url }, PAYLOAD), /answered 401 Unauthorized$/);
});

test('connection refused and timeout give clear errors', async (t) => {
  const port = await closedPort();
  await assert.rejects(
    sendWebhook({ url: `http://127.0.0.1:${port}/hook` }, PAYLOAD),
    new RegExp(`^Error: Could not reach webhook http://127\\.0\\.0\\.1:${port}: ECONNREFUSED$`),
  );

  const s = await sink(t, () => 'hang');
  await assert.rejects(sendWebhook({ url: s.url }, PAYLOAD, { timeoutMs: 200 }), /^Error: Webhook http:\/\/127\.0\.0\.1:\d+ did not answer within 0\.2 s$/);
});

test('a missing URL is refused before sending', async () => {
  await assert.rejects(sendWebhook({ url: ' ' }, PAYLOAD), /^Error: Webhook URL is required$/);
});
