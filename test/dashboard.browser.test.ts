// The embedded dashboard loads in a real browser and reads the API.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser } from './helpers/browser.ts';
import { startDaemon, type Daemon } from './helpers/daemon.ts';
import { fixtureBody, postReport } from './helpers/fixtures.ts';

let daemon: Daemon;
let browser: Browser;

before(async () => {
  daemon = await startDaemon();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await daemon?.dispose();
});

test('the page is served from the executable and shows the summary', async () => {
  assert.equal((await postReport(daemon.url, fixtureBody('backup-success.json'))).status, 200);
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(daemon.url);
  const summary = page.getByTestId('summary');
  await summary.waitFor();
  assert.match(await summary.innerText(), /Servers: 1/);
  assert.match(await summary.innerText(), /Runs: 1/);
  assert.equal(await page.locator('.uplot').count(), 1, 'uPlot chart rendered');
  assert.deepEqual(errors, []);
});

test('deep links fall back to the app shell', async () => {
  const res = await fetch(`${daemon.url}/detail/some-server`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/html/);
  const js = await fetch(`${daemon.url}/assets/main.js`);
  assert.match(js.headers.get('cache-control') ?? '', /immutable/);
});
