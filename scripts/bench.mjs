// `npm run bench`: seeds databases of several sizes, runs the real daemon on each, and prints upload,
// summary and lastbackups latencies, uploads/s, cold start and RSS as a Markdown table, then a second
// table for the signed-in reads (dashboard, chart data) with the dashboard's response size.
// Also printed: whether the seeded derived tables (backup_jobs, backup_days) agree with the runs and
// whether the daemon's /api/summary matches totals computed from the runs.
// Numbers are printed, never asserted. All traffic goes to 127.0.0.1; every loop is bounded.
//
//   npm run bench                       sizes 0, 6,000 and 100,000 runs, 1000 servers × ~5 jobs
//   npm run bench -- --quick            smoke run
//   npm run bench -- --runs 1000000     sizes 0 and 1,000,000
//   npm run bench -- --sizes 0,6000,100000,1000000
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  BUNDLE, ROOT, fmt, killAll, machine, median, memoryOf, parseArgs, percentile, signIn, startDaemon, timed, uploadFactory,
} from './bench-lib.mjs';

const TARGETS = 'upload p50 ≤ 2 ms and flat from 0 to 1M runs · summary p50 ≤ 5 ms at any size · RSS ≤ 70 MB · cold start ≤ 0.5 s · ' +
  '/api/dashboard p50 ≤ 15 ms at 6,000 runs and ≤ 50 ms at 1,000,000 runs (1,000 servers × 5 jobs) · ' +
  'chart endpoints ≤ 100 ms (a year of daily runs for 1,000 jobs)';
const DAY_MS = 86_400_000;

const options = parseArgs(process.argv.slice(2));
const tempRoot = mkdtempSync(path.join(os.tmpdir(), 'duplistatus-bench-'));
let cleaned = false;

function cleanup() {
  if (cleaned) return;
  cleaned = true;
  killAll();
  if (options.keep) console.error(`kept ${tempRoot}`);
  else rmSync(tempRoot, { recursive: true, force: true });
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping`);
    cleanup();
    process.exit(130);
  });
}

const log = (line) => console.error(line);

/** Seeds through tsx in a child process: the seeding code imports the TypeScript sources. */
function runSeed(dataDir, manifest, runs) {
  const args = ['--import', 'tsx', path.join(ROOT, 'scripts/seed.ts'), '--data-dir', dataDir, '--manifest', manifest,
    '--runs', String(runs), '--servers', String(options.servers), '--jobs', String(options.jobs)];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`seed exited with ${code}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()));
      } catch (error) {
        reject(new Error(`seed printed no result: ${out}`, { cause: error }));
      }
    });
  });
}

function expectStatus(result, expected, what, failures) {
  if (result.status !== expected) {
    failures.push(`${what}: HTTP ${result.status} ${result.body.slice(0, 200)}`);
  }
}

const SUMMARY_FIELDS = ['totalServers', 'totalBackupsRuns', 'totalBackups', 'totalUploadedSize', 'totalStorageUsed', 'totalBackupSize'];

/** The fields of the daemon's /api/summary that differ from the seed's own totals (byte sums: relative 1e-12, float totals). */
function summaryDifferences(actual, expected) {
  return SUMMARY_FIELDS.filter((key) => {
    const a = Number(actual?.[key]);
    const e = Number(expected[key]);
    return !(Math.abs(a - e) <= Math.abs(e) * 1e-12);
  }).map((key) => `${key} daemon ${actual?.[key]} vs seed ${expected[key]}`);
}

const kb = (bytes) => bytes / 1024;

async function measureSize(runs) {
  const dataDir = path.join(tempRoot, `data-${runs}`);
  const manifestFile = path.join(tempRoot, `layout-${runs}.json`);

  const loadBeforeSeed = os.loadavg();
  log(`\n== ${runs.toLocaleString('en-US')} runs: seeding (${options.servers} servers, ~${options.jobs} jobs each); ` +
    `load average ${loadBeforeSeed.map((l) => fmt(l)).join(' / ')}`);
  const seeded = await runSeed(dataDir, manifestFile, runs);
  const layout = JSON.parse(readFileSync(manifestFile, 'utf8'));
  log(`seeded ${seeded.runs.toLocaleString('en-US')} runs of ${seeded.jobs} jobs on ${seeded.seededServers} servers in ${fmt(seeded.totalSeconds)} s ` +
    `(insert ${fmt(seeded.insertSeconds)} s = ${fmt(seeded.rowsPerSecond, 0)} rows/s, refreshJobs ${fmt(seeded.refreshSeconds)} s, ` +
    `${fmt(seeded.dbBytes / 2 ** 20, 1)} MiB)`);
  const check = seeded.check;
  log(`seed check (${fmt(seeded.checkSeconds)} s): ${checkLine(check)}`);
  const loadBeforeMeasuring = os.loadavg();

  // Cold starts: spawn → first 200 from /api/health. All but the last daemon are stopped at once.
  const coldStarts = [];
  const listening = [];
  let daemon;
  for (let i = 0; i < options.coldStarts; i++) {
    if (daemon) await daemon.stop();
    daemon = await startDaemon(dataDir);
    coldStarts.push(daemon.healthyMs);
    listening.push(daemon.listeningMs);
  }
  const idleMemory = memoryOf(daemon.pid);
  log(`cold start to healthy: ${coldStarts.map((ms) => fmt(ms, 0)).join(', ')} ms (listening after ${listening.map((ms) => fmt(ms, 0)).join(', ')} ms)`);

  // Before anything is uploaded: the daemon's totals against the ones the seed computed from its runs.
  const startSummary = await timed(`${daemon.url}/api/summary`);
  const summaryMismatches = startSummary.status === 200
    ? summaryDifferences(JSON.parse(startSummary.body), check.expectedSummary)
    : [`HTTP ${startSummary.status}`];
  log(`/api/summary vs seeded runs: ${summaryMismatches.length ? summaryMismatches.join('; ') : 'match'}`);

  const failures = [];
  const nextUpload = uploadFactory(layout);
  const withRuns = new Set(layout.filter((s) => s.seeded).map((s) => s.id));
  const uploadUrl = `${daemon.url}/api/upload`;
  const upload = async () => {
    const { serverId, body } = nextUpload();
    const result = await timed(uploadUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expectStatus(result, 200, 'upload', failures);
    if (result.status === 200) withRuns.add(serverId);
    return result.ms;
  };
  const summary = async () => {
    const result = await timed(`${daemon.url}/api/summary`);
    expectStatus(result, 200, 'summary', failures);
    return result.ms;
  };
  const ids = () => [...withRuns];
  const lastBackups = async (pool) => {
    const id = pool[Math.floor(Math.random() * pool.length)];
    const result = await timed(`${daemon.url}/api/lastbackups/${encodeURIComponent(id)}`);
    expectStatus(result, 200, 'lastbackups', failures);
    return result.ms;
  };

  try {
    // Warm-up: JIT, connection pool, SQLite page cache. Not measured.
    for (let i = 0; i < 20; i++) await upload();
    for (let i = 0; i < 20; i++) await summary();
    for (let i = 0; i < 20; i++) await lastBackups(ids());

    // The HTTP floor on this machine right now: a route that touches no database.
    const pingMs = [];
    for (let i = 0; i < 200; i++) pingMs.push((await timed(`${daemon.url}/api/ping`)).ms);

    log(`sequential uploads: ${options.uploads}`);
    const uploadMs = [];
    for (let i = 0; i < options.uploads; i++) uploadMs.push(await upload());

    log(`concurrent uploads: ${options.concurrent}, ${options.inflight} in flight`);
    const concurrentMs = [];
    let issued = 0;
    const concurrentStarted = performance.now();
    await Promise.all(Array.from({ length: options.inflight }, async () => {
      while (issued < options.concurrent) {
        issued++;
        concurrentMs.push(await upload());
      }
    }));
    const concurrentSeconds = (performance.now() - concurrentStarted) / 1000;

    log(`/api/summary: ${options.requests}`);
    const summaryMs = [];
    for (let i = 0; i < options.requests; i++) summaryMs.push(await summary());

    log(`/api/lastbackups/:id: ${options.requests}`);
    const pool = ids();
    const lastBackupsMs = [];
    for (let i = 0; i < options.requests; i++) lastBackupsMs.push(await lastBackups(pool));

    const memory = memoryOf(daemon.pid);

    const reads = await measureSignedIn(daemon, failures);
    const memoryAfterReads = memoryOf(daemon.pid);

    const finalSummary = await timed(`${daemon.url}/api/summary`).then((r) => JSON.parse(r.body));
    const totalRuns = finalSummary.totalBackupsRuns;
    if (failures.length) log(`${failures.length} failed requests, first: ${failures[0]}`);
    return {
      runs,
      seeded,
      coldStartMs: median(coldStarts),
      coldStarts,
      listeningMs: median(listening),
      upload: { p50: percentile(uploadMs, 50), p95: percentile(uploadMs, 95), p99: percentile(uploadMs, 99) },
      concurrent: {
        perSecond: options.concurrent / concurrentSeconds,
        p50: percentile(concurrentMs, 50),
        p95: percentile(concurrentMs, 95),
      },
      summary: { p50: percentile(summaryMs, 50), p95: percentile(summaryMs, 95) },
      lastBackups: { p50: percentile(lastBackupsMs, 50), p95: percentile(lastBackupsMs, 95), servers: pool.length },
      memory,
      idleMemory,
      ping: { p50: percentile(pingMs, 50), p95: percentile(pingMs, 95) },
      runsAfter: totalRuns,
      failures: failures.length,
      loadBeforeSeed,
      loadBeforeMeasuring,
      loadAfter: os.loadavg(),
      check,
      summaryMismatches,
      reads,
      memoryAfterReads,
      finalSummary,
    };
  } finally {
    const code = await daemon.stop();
    if (code !== 0) log(`daemon exit: ${code}\n${daemon.output().slice(-2000)}`);
    if (!options.keep) rmSync(dataDir, { recursive: true, force: true });
  }
}

function checkLine(check) {
  return `${check.runs.toLocaleString('en-US')} runs, ${check.jobs} jobs, ${check.days} UTC days; ` +
    `backup_jobs ${check.backupJobsRows} rows, Σrun_count ${check.backupJobsRunCount.toLocaleString('en-US')}, ` +
    `${check.staleJobs} stale, ${check.badRecentRuns} wrong recent_runs; ` +
    `backup_days ${check.backupDaysRows} rows, Σruns ${check.backupDaysRuns.toLocaleString('en-US')}, ${check.badDays} wrong days`;
}

/**
 * The signed-in reads of the dashboard: sign in once on this daemon, then /api/dashboard, the
 * all-servers chart over the last 365 days, and the server and job charts (whole history) of random
 * servers and jobs taken from the dashboard. Returns latencies, response sizes and two cross-checks.
 */
async function measureSignedIn(daemon, failures) {
  let auth;
  try {
    auth = await signIn(daemon.url);
  } catch (error) {
    failures.push(`sign-in: ${error.message}`);
    log(`sign-in failed, no signed-in reads: ${error.message}`);
    return null;
  }
  const init = { headers: { cookie: auth.cookie } };
  const get = async (what, urlPath) => {
    const result = await timed(`${daemon.url}${urlPath}`, init);
    expectStatus(result, 200, what, failures);
    return result;
  };
  const yearRange = () => {
    const now = Date.now();
    return `startDate=${encodeURIComponent(new Date(now - 365 * DAY_MS).toISOString())}&endDate=${encodeURIComponent(new Date(now).toISOString())}`;
  };

  const first = await get('dashboard', '/api/dashboard');
  const dashboard = first.status === 200 ? JSON.parse(first.body) : { serversSummary: [] };
  const serverPool = dashboard.serversSummary.filter((s) => s.backupNames.length > 0).map((s) => s.id);
  const jobPool = dashboard.serversSummary.flatMap((s) => s.backupNames.map((name) => [s.id, name]));
  const pick = (pool) => pool[Math.floor(Math.random() * pool.length)];

  const endpoints = {
    dashboard: () => get('dashboard', '/api/dashboard'),
    aggregated: () => get('chart-data aggregated', `/api/chart-data/aggregated?${yearRange()}`),
    serverChart: () => get('chart-data server', `/api/chart-data/server/${encodeURIComponent(pick(serverPool))}`),
    jobChart: () => {
      const [id, name] = pick(jobPool);
      return get('chart-data job', `/api/chart-data/server/${encodeURIComponent(id)}/backup/${encodeURIComponent(name)}`);
    },
  };
  if (!serverPool.length) {
    delete endpoints.serverChart;
    delete endpoints.jobChart;
  }

  const out = { signInMs: auth.ms, servers: serverPool.length, jobs: jobPool.length };
  for (const [name, call] of Object.entries(endpoints)) {
    for (let i = 0; i < 20; i++) await call(); // warm-up, not measured
    log(`${name}: ${options.requests}`);
    const ms = [];
    const bytes = [];
    const points = [];
    for (let i = 0; i < options.requests; i++) {
      const result = await call();
      ms.push(result.ms);
      bytes.push(Buffer.byteLength(result.body));
      if (name !== 'dashboard' && result.status === 200) points.push(JSON.parse(result.body).length);
    }
    out[name] = {
      p50: percentile(ms, 50), p95: percentile(ms, 95), p99: percentile(ms, 99),
      kb50: kb(median(bytes)), kbMax: kb(Math.max(...bytes)), points50: median(points),
    };
  }

  // Cross-checks, printed only: the year chart's upload sum vs the summary's total (equal while every
  // stored run is inside the year), and the dashboard's run total vs the summary's.
  const summary = JSON.parse((await timed(`${daemon.url}/api/summary`)).body);
  const year = await get('chart-data aggregated', `/api/chart-data/aggregated?${yearRange()}`);
  const yearPoints = year.status === 200 ? JSON.parse(year.body) : [];
  const dash = JSON.parse((await get('dashboard', '/api/dashboard')).body);
  out.crossCheck = {
    summaryUploaded: summary.totalUploadedSize,
    yearUploaded: yearPoints.reduce((t, p) => t + p.uploadedSize, 0),
    yearDays: yearPoints.length,
    oldestDay: yearPoints[0]?.date ?? 'none',
    summaryRuns: summary.totalBackupsRuns,
    dashboardRuns: dash.overallSummary?.totalBackupsRuns,
    dashboardJobs: dash.overallSummary?.totalBackups,
    summaryJobs: summary.totalBackups,
  };
  return out;
}

function report(results, host) {
  const lines = [];
  lines.push(`## duplistatus benchmark`);
  lines.push('');
  lines.push(`Machine: ${host.cpu}, ${host.cores} cores, ${fmt(host.memoryGiB, 1)} GiB RAM, Node ${host.node}, ${host.platform}; ` +
    `load average at start ${host.load.map((l) => fmt(l)).join(' / ')}`);
  lines.push(`Data set: ${options.servers} servers × ~${options.jobs} jobs; ${options.uploads} sequential uploads, ` +
    `${options.concurrent} concurrent uploads (${options.inflight} in flight), ${options.requests} requests per read endpoint, ` +
    `cold start = median of ${options.coldStarts}`);
  lines.push(`Targets: ${TARGETS}`);
  const busiest = Math.max(host.load[0], os.loadavg()[0]);
  if (busiest > host.cores * 0.75) {
    lines.push(`Note: load average reached ${fmt(busiest)} on ${host.cores} cores during the run: other processes competed for the CPU, ` +
      'so absolute latencies are inflated; compare them with the /api/ping floor in the details.');
  }
  lines.push('');
  lines.push('| runs | seed s | seed rows/s | cold start ms | upload p50 ms | upload p95 ms | uploads/s | summary p50 ms | summary p95 ms | lastbackups p50 ms | lastbackups p95 ms | RSS MB |');
  lines.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    lines.push(`| ${r.runs.toLocaleString('en-US')} | ${fmt(r.seeded.totalSeconds, 1)} | ${r.runs ? fmt(r.seeded.rowsPerSecond, 0) : '–'} | ` +
      `${fmt(r.coldStartMs, 0)} | ${fmt(r.upload.p50)} | ${fmt(r.upload.p95)} | ${fmt(r.concurrent.perSecond, 0)} | ` +
      `${fmt(r.summary.p50)} | ${fmt(r.summary.p95)} | ${fmt(r.lastBackups.p50)} | ${fmt(r.lastBackups.p95)} | ${fmt(r.memory.rssMiB, 1)} |`);
  }
  lines.push('');
  lines.push('Signed-in reads (one sign-in per daemon; charts of random servers/jobs over their whole history, aggregated over the last 365 days):');
  lines.push('');
  lines.push('| runs | dashboard p50 ms | dashboard p95 ms | dashboard KB | aggregated 365 d p50 ms | aggregated 365 d p95 ms | ' +
    'server chart p50 ms | server chart p95 ms | job chart p50 ms | job chart p95 ms | RSS after reads MB |');
  lines.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    const x = r.reads ?? {};
    const pair = (m) => `${fmt(m?.p50)} | ${fmt(m?.p95)}`;
    lines.push(`| ${r.runs.toLocaleString('en-US')} | ${pair(x.dashboard)} | ${fmt(x.dashboard?.kb50, 1)} | ${pair(x.aggregated)} | ` +
      `${pair(x.serverChart)} | ${pair(x.jobChart)} | ${fmt(r.memoryAfterReads.rssMiB, 1)} |`);
  }
  lines.push('');
  lines.push('Details:');
  for (const r of results) {
    lines.push(`- ${r.runs.toLocaleString('en-US')} runs: seed insert ${fmt(r.seeded.insertSeconds, 1)} s + refreshJobs ${fmt(r.seeded.refreshSeconds, 1)} s, ` +
      `DB ${fmt(r.seeded.dbBytes / 2 ** 20, 1)} MiB; cold starts ${r.coldStarts.map((ms) => fmt(ms, 0)).join('/')} ms ` +
      `(listening line after ${fmt(r.listeningMs, 0)} ms); upload p99 ${fmt(r.upload.p99)} ms; ` +
      `concurrent upload latency p50/p95 ${fmt(r.concurrent.p50)}/${fmt(r.concurrent.p95)} ms; ` +
      `lastbackups over ${r.lastBackups.servers} servers; /api/ping p50/p95 ${fmt(r.ping.p50)}/${fmt(r.ping.p95)} ms (HTTP floor); ` +
      `RSS right after start ${fmt(r.idleMemory.rssMiB, 1)} MB, peak RSS ${fmt(r.memory.peakMiB, 1)} MB; ` +
      `${r.runsAfter.toLocaleString('en-US')} runs stored at the end; ${r.failures} failed requests`);
    lines.push(`  - load average before seeding ${r.loadBeforeSeed.map((l) => fmt(l)).join(' / ')}, before measuring ` +
      `${r.loadBeforeMeasuring.map((l) => fmt(l)).join(' / ')}, at the end ${r.loadAfter.map((l) => fmt(l)).join(' / ')}`);
    lines.push(`  - seed check (${fmt(r.seeded.checkSeconds, 1)} s): ${checkLine(r.check)}; ` +
      `/api/summary right after start vs totals from the seeded runs: ${r.summaryMismatches.length ? `MISMATCH ${r.summaryMismatches.join('; ')}` : 'match'}`);
    const x = r.reads;
    if (x) {
      const c = x.crossCheck;
      lines.push(`  - signed-in: sign-in ${fmt(x.signInMs, 0)} ms; dashboard p99 ${fmt(x.dashboard.p99)} ms, ${x.servers} servers with jobs, ${x.jobs} jobs; ` +
        `aggregated p99 ${fmt(x.aggregated.p99)} ms, ${fmt(x.aggregated.points50, 0)} points, ${fmt(x.aggregated.kb50, 1)} KB; ` +
        (x.serverChart ? `server chart p99 ${fmt(x.serverChart.p99)} ms, median ${fmt(x.serverChart.points50, 0)} points / ${fmt(x.serverChart.kb50, 1)} KB; ` +
          `job chart p99 ${fmt(x.jobChart.p99)} ms, median ${fmt(x.jobChart.points50, 0)} points / ${fmt(x.jobChart.kb50, 1)} KB; ` : '') +
        `year chart Σ uploadedSize ${c.yearUploaded.toLocaleString('en-US')} over ${c.yearDays} days from ${c.oldestDay} vs /api/summary totalUploadedSize ${c.summaryUploaded.toLocaleString('en-US')}; ` +
        `dashboard totalBackupsRuns ${c.dashboardRuns?.toLocaleString('en-US')} / totalBackups ${c.dashboardJobs} vs /api/summary ${c.summaryRuns.toLocaleString('en-US')} / ${c.summaryJobs}`);
    } else {
      lines.push('  - signed-in reads: not measured (sign-in failed)');
    }
  }
  lines.push('');
  lines.push('RSS = VmRSS of the daemon after the public reads, before the signed-in ones (MiB); "RSS after reads" = after the signed-in reads; ' +
    'KB = median response body size (uncompressed JSON, 1 KB = 1,024 bytes); latencies are client-side, send → last byte, keep-alive, 127.0.0.1.');
  return lines.join('\n');
}

try {
  if (options.build || !existsSync(BUNDLE)) {
    log(options.build ? 'building dist/duplistatus.mjs' : 'dist/duplistatus.mjs is missing: building it');
    const { build } = await import('../esbuild.config.mjs');
    await build();
  }
  const host = machine();
  const results = [];
  for (const runs of options.sizes) results.push(await measureSize(runs));
  console.log(`\n${report(results, host)}`);
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  cleanup();
}
