// `npm run bench`: seeds databases of several sizes, runs the real daemon on each, and prints upload,
// summary and lastbackups latencies, uploads/s, cold start and RSS as a Markdown table.
// Numbers are printed, never asserted. All traffic goes to 127.0.0.1; every loop is bounded.
//
//   npm run bench                       sizes 0 and 100,000 runs, 1000 servers × ~5 jobs
//   npm run bench -- --quick            smoke run
//   npm run bench -- --runs 1000000     sizes 0 and 1,000,000
//   npm run bench -- --sizes 0,100000,1000000
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  BUNDLE, ROOT, fmt, killAll, machine, median, memoryOf, parseArgs, percentile, startDaemon, timed, uploadFactory,
} from './bench-lib.mjs';

const TARGETS = 'upload p50 ≤ 2 ms and flat from 0 to 1M runs · summary p50 ≤ 5 ms at any size · RSS ≤ 70 MB · cold start ≤ 0.5 s';

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

async function measureSize(runs) {
  const dataDir = path.join(tempRoot, `data-${runs}`);
  const manifestFile = path.join(tempRoot, `layout-${runs}.json`);

  log(`\n== ${runs.toLocaleString('en-US')} runs: seeding (${options.servers} servers, ~${options.jobs} jobs each)`);
  const seeded = await runSeed(dataDir, manifestFile, runs);
  const layout = JSON.parse(readFileSync(manifestFile, 'utf8'));
  log(`seeded ${seeded.runs.toLocaleString('en-US')} runs of ${seeded.jobs} jobs on ${seeded.seededServers} servers in ${fmt(seeded.totalSeconds)} s ` +
    `(insert ${fmt(seeded.insertSeconds)} s = ${fmt(seeded.rowsPerSecond, 0)} rows/s, refreshJobs ${fmt(seeded.refreshSeconds)} s, ` +
    `${fmt(seeded.dbBytes / 2 ** 20, 1)} MiB)`);

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
    const totalRuns = await timed(`${daemon.url}/api/summary`).then((r) => JSON.parse(r.body).totalBackupsRuns);
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
    };
  } finally {
    const code = await daemon.stop();
    if (code !== 0) log(`daemon exit: ${code}\n${daemon.output().slice(-2000)}`);
    if (!options.keep) rmSync(dataDir, { recursive: true, force: true });
  }
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
  lines.push('Details:');
  for (const r of results) {
    lines.push(`- ${r.runs.toLocaleString('en-US')} runs: seed insert ${fmt(r.seeded.insertSeconds, 1)} s + refreshJobs ${fmt(r.seeded.refreshSeconds, 1)} s, ` +
      `DB ${fmt(r.seeded.dbBytes / 2 ** 20, 1)} MiB; cold starts ${r.coldStarts.map((ms) => fmt(ms, 0)).join('/')} ms ` +
      `(listening line after ${fmt(r.listeningMs, 0)} ms); upload p99 ${fmt(r.upload.p99)} ms; ` +
      `concurrent upload latency p50/p95 ${fmt(r.concurrent.p50)}/${fmt(r.concurrent.p95)} ms; ` +
      `lastbackups over ${r.lastBackups.servers} servers; /api/ping p50/p95 ${fmt(r.ping.p50)}/${fmt(r.ping.p95)} ms (HTTP floor); ` +
      `RSS right after start ${fmt(r.idleMemory.rssMiB, 1)} MB, peak RSS ${fmt(r.memory.peakMiB, 1)} MB; ` +
      `${r.runsAfter.toLocaleString('en-US')} runs stored at the end; ${r.failures} failed requests`);
  }
  lines.push('');
  lines.push('RSS = VmRSS of the daemon after the run (MiB); latencies are client-side, send → last byte, keep-alive, 127.0.0.1.');
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
