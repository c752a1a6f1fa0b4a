// Helpers for scripts/bench.mjs: argument parsing, statistics, the daemon process, HTTP timing,
// upload bodies built from the Duplicati fixtures.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BIN = path.join(ROOT, 'bin/duplistatus');
export const BUNDLE = path.join(ROOT, 'dist/duplistatus.mjs');
export const FIXTURES = path.join(ROOT, '../shared/fixtures/duplicati');

// ---------------------------------------------------------------- arguments

const USAGE = `usage: npm run bench -- [options]

  --runs N          stored runs to seed; sizes become 0,N (default sizes: 0,6000,100000)
  --sizes A,B,...   database sizes in runs, one table row each (default 0,6000,100000;
                    --quick: 0,2000)
  --servers N       servers in the seeded data set (default 1000)
  --jobs N          average backup jobs per server (default 5)
  --quick           smoke run: small sizes and few requests
  --uploads N       sequential uploads per size (default 500)
  --concurrent N    concurrent uploads per size (default 2000)
  --inflight N      uploads in flight during the concurrent phase (default 16)
  --requests N      requests per read endpoint: /api/summary, /api/lastbackups, and the signed-in
                    /api/dashboard and /api/chart-data endpoints (default 500)
  --cold-starts N   daemon starts per size, the median is reported (default 3)
  --build           rebuild dist/duplistatus.mjs first (default: only when missing)
  --keep            keep the temporary data directories
`;

export function parseArgs(argv) {
  const flags = new Map();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') {
      process.stdout.write(USAGE);
      process.exit(0);
    }
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}\n${USAGE}`);
    const [key, inline] = arg.slice(2).split('=', 2);
    if (['quick', 'build', 'keep'].includes(key)) flags.set(key, 'true');
    else flags.set(key, inline ?? argv[++i]);
  }
  const known = ['runs', 'sizes', 'servers', 'jobs', 'quick', 'uploads', 'concurrent', 'inflight', 'requests', 'cold-starts', 'build', 'keep'];
  for (const key of flags.keys()) if (!known.includes(key)) throw new Error(`unknown option --${key}\n${USAGE}`);
  const int = (key, fallback, min = 0) => {
    if (!flags.has(key)) return fallback;
    const value = Number(String(flags.get(key)).replaceAll('_', ''));
    if (!Number.isInteger(value) || value < min) throw new Error(`--${key} must be an integer ≥ ${min}`);
    return value;
  };
  const quick = flags.has('quick');
  const runs = int('runs', quick ? 2000 : 100_000);
  const sizes = flags.has('sizes')
    ? String(flags.get('sizes')).split(',').map((s) => {
        const n = Number(s.trim().replaceAll('_', ''));
        if (!Number.isInteger(n) || n < 0) throw new Error(`--sizes: "${s}" is not a run count`);
        return n;
      })
    : flags.has('runs') || quick
      ? [...new Set([0, runs])]
      : [0, 6000, 100_000];
  return {
    quick,
    sizes,
    servers: int('servers', quick ? 50 : 1000, 1),
    jobs: int('jobs', quick ? 3 : 5, 1),
    uploads: int('uploads', quick ? 100 : 500, 1),
    concurrent: int('concurrent', quick ? 400 : 2000, 1),
    inflight: int('inflight', 16, 1),
    requests: int('requests', quick ? 100 : 500, 1),
    coldStarts: int('cold-starts', quick ? 1 : 3, 1),
    build: flags.has('build'),
    keep: flags.has('keep'),
  };
}

// ---------------------------------------------------------------- statistics

/** Nearest-rank percentile of the samples (ms). */
export function percentile(samples, p) {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const median = (samples) => percentile(samples, 50);

export function fmt(value, digits = 2) {
  if (value === null || value === undefined || Number.isNaN(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

// ---------------------------------------------------------------- machine

export function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model?.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: os.totalmem() / 2 ** 30,
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    load: os.loadavg(),
  };
}

// ---------------------------------------------------------------- daemon

/** VmRSS and VmHWM (peak) of a process, in MiB, from /proc (Linux only). */
export function memoryOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (key) => Number(status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'))?.[1] ?? NaN);
    return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 };
  } catch {
    return { rssMiB: NaN, peakMiB: NaN };
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const running = new Set();

/** Kills every daemon still running (used on errors and signals). */
export function killAll() {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/**
 * Starts `bin/duplistatus serve` on a free port and waits until GET /api/health answers 200.
 * Returns the url, the child process, and timings from spawn: to the "listening" line and to healthy.
 * `nodeArgs` go to node before the script (e.g. --cpu-prof when profiling by hand).
 */
export async function startDaemon(dataDir, { timeoutMs = 30_000, nodeArgs = [] } = {}) {
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, BIN, 'serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production', DATABASE_URL: '', UPLOAD_TOKEN: '', TZ: process.env.TZ ?? 'UTC' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => {
    running.delete(child);
    resolve(code ?? signal);
  }));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const result = await exited;
    clearTimeout(timer);
    return result;
  };

  try {
    const url = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`daemon did not start within ${timeoutMs} ms:\n${output}`)), timeoutMs);
      const onData = () => {
        const match = output.match(/listening on (http:\/\/[\d.]+:\d+)/);
        if (match) {
          clearTimeout(timer);
          child.stdout.off('data', onData);
          resolve(match[1]);
        }
      };
      child.stdout.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`daemon exited with ${code}:\n${output}`));
      });
    });
    const listeningMs = performance.now() - started;
    // Poll fast: the first 200 from /api/health ends the cold start.
    for (;;) {
      if (performance.now() - started > timeoutMs) throw new Error(`daemon not healthy within ${timeoutMs} ms:\n${output}`);
      try {
        const res = await fetch(`${url}/api/health`);
        await res.arrayBuffer();
        if (res.status === 200) break;
      } catch {
        // not accepting yet
      }
      await sleep(1);
    }
    const healthyMs = performance.now() - started;
    return { url, child, pid: child.pid, listeningMs, healthyMs, output: () => output, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

// ---------------------------------------------------------------- HTTP timing

/** One request, timed from send to the last body byte. */
export async function timed(url, init) {
  const t = performance.now();
  const res = await fetch(url, init);
  const body = await res.text();
  return { ms: performance.now() - t, status: res.status, body };
}

// ---------------------------------------------------------------- signing in

export const DEFAULT_ADMIN = 'admin';
export const DEFAULT_PASSWORD = 'Duplistatus09';
/** What the benchmark sets when the first admin must change the default password. */
export const BENCH_PASSWORD = 'Bench-Duplistatus-2026';

/**
 * Signs in like the tests' client: GET /api/csrf (anonymous session cookie + token), POST
 * /api/auth/login with X-CSRF-Token, then POST /api/auth/change-password when the first admin must
 * change the default. Returns the Cookie header (sessionId only: GET calls need nothing else) and
 * how long it took. Throws with the daemon's answer when a step fails.
 */
export async function signIn(url, { username = DEFAULT_ADMIN, password = DEFAULT_PASSWORD, newPassword = BENCH_PASSWORD } = {}) {
  const started = performance.now();
  const jar = new Map();
  const store = (res) => {
    for (const line of res.headers.getSetCookie()) {
      const pair = line.split(';')[0];
      const eq = pair.indexOf('=');
      if (eq < 1) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value) jar.set(name, value);
      else jar.delete(name);
    }
  };
  const cookie = () => [...jar].map(([name, value]) => `${name}=${value}`).join('; ');

  const csrf = await fetch(`${url}/api/csrf`);
  store(csrf);
  const csrfBody = await csrf.text();
  if (csrf.status !== 200) throw new Error(`GET /api/csrf: HTTP ${csrf.status} ${csrfBody.slice(0, 200)}`);
  const token = JSON.parse(csrfBody).token;

  const post = async (urlPath, json) => {
    const res = await fetch(`${url}${urlPath}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': token, cookie: cookie() },
      body: JSON.stringify(json),
    });
    store(res);
    return { status: res.status, body: await res.text() };
  };

  let login = await post('/api/auth/login', { username, password });
  // A data dir kept from an earlier run already has the benchmark's password.
  if (login.status === 401) login = await post('/api/auth/login', { username, password: newPassword });
  if (login.status !== 200) throw new Error(`POST /api/auth/login: HTTP ${login.status} ${login.body.slice(0, 200)}`);
  if (JSON.parse(login.body).user?.mustChangePassword) {
    const changed = await post('/api/auth/change-password', { newPassword });
    if (changed.status !== 200) throw new Error(`POST /api/auth/change-password: HTTP ${changed.status} ${changed.body.slice(0, 200)}`);
  }
  const session = jar.get('sessionId');
  if (!session) throw new Error('signed in, but no sessionId cookie was set');
  return { cookie: `sessionId=${session}`, ms: performance.now() - started };
}

// ---------------------------------------------------------------- upload bodies

const FIXTURE_FILES = ['backup-success.json', 'backup-warning.json', 'backup-other-machine.json'];

const pad = (n) => String(n).padStart(2, '0');
const compactUtc = (t) => {
  const d = new Date(t);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
};

/**
 * Builds upload bodies from the real fixture reports, aimed at a random job of a random server of
 * the seeded layout, each with a fresh BeginTime newer than every seeded run (so none is a duplicate
 * and every one becomes its job's latest run, like a live Duplicati would).
 */
export function uploadFactory(layout, random = Math.random) {
  const templates = FIXTURE_FILES.map((f) => JSON.parse(readFileSync(path.join(FIXTURES, f), 'utf8')));
  // Seeded runs end at least 60 s before "now"; uploads start after that and increase strictly.
  let clock = Date.now() - 50_000;
  let n = 0;
  return () => {
    const server = layout[Math.floor(random() * layout.length)];
    const job = server.jobs[Math.floor(random() * server.jobs.length)];
    const template = templates[n++ % templates.length];
    clock += 5 + Math.floor(random() * 10);
    const begin = clock;
    const duration = 30_000 + Math.floor(random() * 600_000);
    const report = {
      ...template,
      Data: {
        ...template.Data,
        BeginTime: new Date(begin).toISOString(),
        EndTime: new Date(begin + duration).toISOString(),
      },
      Extra: {
        ...template.Extra,
        'machine-id': server.id,
        'machine-name': server.name,
        'backup-name': job,
        'backup-id': `DB-${server.jobs.indexOf(job) + 1}`,
        ...('next-scheduled-run' in template.Extra && { 'next-scheduled-run': compactUtc(begin + 86_400_000) }),
      },
    };
    return { serverId: server.id, body: JSON.stringify(report) };
  };
}
