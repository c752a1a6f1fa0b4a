// Benchmark seeding: N stored runs across many servers and jobs, written with batched multi-row
// INSERTs straight into a fresh database (drizzle's per-row overhead would dominate at 1M rows),
// then backup_jobs and backup_days derived with refreshJobs(). The database is opened through
// openDatabase() so the real migrations create the schema. Afterwards checkSeeded() recomputes the
// derived rows and the /api/summary totals straight from the runs, so the benchmark can print
// whether the derived tables and the daemon agree with the data (numbers only, nothing asserted).
//
//   node --import tsx scripts/seed.ts --data-dir DIR [--runs 100000] [--servers 1000] [--jobs 5] [--manifest FILE]
//
// Prints one JSON line (timings, counts). The manifest (servers, their ids, names and job names)
// lets the benchmark send uploads to the same jobs and query the same servers.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { InValue } from '@libsql/client';
import Libsql from 'libsql';
import { openDatabase } from '../src/db/client.ts';
import { RECENT_RUNS, refreshJobs } from '../src/ingest/jobs.ts';

export interface SeedOptions {
  dataDir: string;
  runs: number;
  servers: number;
  /** Average jobs per server (each server gets 1 .. 2·jobs−1). */
  jobs: number;
  now?: Date;
  log?: (line: string) => void;
}

export interface LayoutServer {
  id: string;
  name: string;
  jobs: string[];
  /** Whether the seeded database holds at least one run of this server. */
  seeded: boolean;
}

export interface SeedResult {
  runs: number;
  servers: number;
  seededServers: number;
  jobs: number;
  insertSeconds: number;
  refreshSeconds: number;
  totalSeconds: number;
  rowsPerSecond: number;
  dbBytes: number;
  /** Seconds spent in checkSeeded() (not part of totalSeconds). */
  checkSeconds: number;
  check: SeedCheck;
  layout: LayoutServer[];
}

/** The derived tables compared with the runs, and the /api/summary totals computed from the runs alone. */
export interface SeedCheck {
  runs: number;
  /** Distinct (server, backup name) pairs among the runs. */
  jobs: number;
  /** Distinct UTC days among the runs. */
  days: number;
  backupJobsRows: number;
  backupJobsRunCount: number;
  /** backup_jobs rows whose latest id/date/sizes or run count disagree with their runs. */
  staleJobs: number;
  /** backup_jobs rows whose recent_runs is not the job's newest RECENT_RUNS [date, status] pairs. */
  badRecentRuns: number;
  backupDaysRows: number;
  backupDaysRuns: number;
  /** Days whose backup_days row is missing or differs from the sums of its runs (plus rows of days without runs). */
  badDays: number;
  /** What GET /api/summary should answer right after seeding (overdue and age left out). */
  expectedSummary: {
    totalServers: number;
    totalBackupsRuns: number;
    totalBackups: number;
    totalUploadedSize: number;
    totalStorageUsed: number;
    totalBackupSize: number;
  };
}

const DAY_MS = 86_400_000;
const ROWS_PER_STATEMENT = 500;
const STATEMENTS_PER_TRANSACTION = 20;

const JOB_NAMES = ['Photos', 'Documents', 'Docker volumes', 'Mail', 'Databases', 'Home', 'Projects', 'VM images', 'Music', 'Configs'];
const HOST_PREFIXES = ['homeserver', 'nas', 'web-prod', 'DESKTOP', 'laptop', 'db', 'fileserver', 'WIN-SRV', 'build', 'mac-mini'];
const VERSIONS = ['2.1.0.5 (2.1.0.5_stable_2025-03-04)', '2.2.0.3 (2.2.0.3_stable_2026-01-06)', '2.3.0.4 (2.3.0.4_stable_2026-07-09)'];

// Column order of the multi-row INSERT; everything not listed keeps its schema default.
const COLUMNS = [
  'id', 'server_id', 'backup_name', 'backup_id', 'date', 'status', 'duration_seconds', 'size', 'uploaded_size',
  'examined_files', 'warnings', 'errors', 'created_at', 'deleted_files', 'deleted_folders', 'modified_files',
  'opened_files', 'added_files', 'added_folders', 'modified_folders', 'size_of_modified_files', 'size_of_added_files',
  'size_of_examined_files', 'size_of_opened_files', 'files_with_error', 'warnings_actual_length',
  'errors_actual_length', 'messages_actual_length', 'main_operation', 'parsed_result', 'version', 'begin_time',
  'end_time', 'bytes_downloaded', 'known_file_size', 'last_backup_date', 'backup_list_count',
  'backend_main_operation', 'backend_parsed_result', 'backend_version', 'backend_begin_time', 'backend_duration',
  'available_backups', 'messages_array', 'warnings_array', 'errors_array',
] as const;

/** Small deterministic PRNG (mulberry32): the same options give the same data set. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Job {
  serverId: string;
  serverName: string;
  name: string;
  backupId: string;
  version: string;
  /** Time of day of the schedule, ms after UTC midnight. */
  timeOfDay: number;
  baseBytes: number;
  baseFiles: number;
  runs: number;
}

/** Servers and jobs: deterministic ids (32 hex chars like Duplicati's machine-id), 1..2·jobs−1 jobs each. */
export function buildLayout(servers: number, jobsPerServer: number): { id: string; name: string; jobs: string[] }[] {
  const random = rng(42);
  const counts: number[] = [];
  for (let i = 0; i < servers; i++) {
    // Even servers draw 1 .. 2·jobs−1, odd ones take the complement: each pair has exactly 2·jobs.
    counts.push(i % 2 === 0 ? 1 + Math.floor(random() * (2 * jobsPerServer - 1)) : 2 * jobsPerServer - counts[i - 1]);
  }
  return counts.map((count, i) => ({
    id: createHash('md5').update(`duplistatus-bench-server-${i}`).digest('hex'),
    name: `${HOST_PREFIXES[i % HOST_PREFIXES.length]}-${String(i).padStart(4, '0')}`,
    jobs: Array.from({ length: count }, (_, j) =>
      j < JOB_NAMES.length ? JOB_NAMES[j] : `${JOB_NAMES[j % JOB_NAMES.length]} ${Math.floor(j / JOB_NAMES.length) + 1}`),
  }));
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const sqliteTimestamp = (t: number) => new Date(t).toISOString().slice(0, 19).replace('T', ' ');
const logStamp = (t: number) => {
  const d = new Date(t);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +00`;
};

/** One run's column values, in COLUMNS order. `day` 0 is the job's newest run. */
function runRow(job: Job, day: number, begin: number, random: () => number): InValue[] {
  const roll = random();
  const status = roll < 0.9 ? 'Success' : roll < 0.97 ? 'Warning' : 'Error';
  const warnings = status === 'Warning' ? 1 + Math.floor(random() * 3) : 0;
  const errors = status === 'Error' ? 1 : 0;
  // The job grows a little each day: older runs are slightly smaller.
  const growth = 1 - day * 0.0005;
  const size = Math.max(1_000_000, Math.round(job.baseBytes * growth * (0.995 + random() * 0.01)));
  const files = Math.max(10, Math.round(job.baseFiles * growth));
  const modified = Math.floor(files * random() * 0.01);
  const added = Math.floor(files * random() * 0.002);
  const deleted = Math.floor(files * random() * 0.001);
  const sizeModified = Math.round((size / files) * modified * (0.5 + random()));
  const sizeAdded = Math.round((size / files) * added * (0.5 + random()));
  const uploaded = status === 'Error' ? Math.round((sizeModified + sizeAdded) * random() * 0.3) : Math.round((sizeModified + sizeAdded) * (0.4 + random() * 0.3));
  const duration = 20 + random() * (size / 2e9) * 60;
  const end = begin + Math.round(duration * 1000);
  const beginIso = new Date(begin).toISOString();
  const versionsKept = Math.min(job.runs - day - 1, 7);
  const available = Array.from({ length: versionsKept }, (_, k) => new Date(begin - (k + 1) * DAY_MS).toISOString());
  const messages = [
    `${logStamp(begin)} - [Information-Duplicati.Library.Main.Controller-StartingOperation]: The operation Backup has started`,
    `${logStamp(begin + 1000)} - [Information-Duplicati.Library.Main.BasicResults-BackendEvent]: Backend event: List - Started:  ()`,
    `${logStamp(begin + 2000)} - [Information-Duplicati.Library.Main.BasicResults-BackendEvent]: Backend event: List - Completed:  (${(versionsKept * 0.9 + 1).toFixed(2)} KB)`,
    `${logStamp(end - 1000)} - [Information-Duplicati.Library.Main.BasicResults-BackendEvent]: Backend event: Put - Completed: duplicati-${new Date(begin).toISOString().replace(/[-:]|\.\d+/g, '')}.dlist.zip.aes (${(files / 15000).toFixed(2)} MB)`,
  ];
  const warningLines = Array.from({ length: warnings }, (_, k) =>
    `${logStamp(begin + 5000 + k)} - [Warning-Duplicati.Library.Main.Operation.Backup.FileEnumerationProcess-FileAccessError]: Error reported while accessing file: /home/user/${job.name.toLowerCase()}/locked-${k}.db`);
  const errorLines = errors
    ? [`${logStamp(end - 500)} - [Error-Duplicati.Library.Main.Operation.BackupHandler-FatalError]: Fatal error\nDuplicati.Library.Interface.QuotaExceededException: The remote storage is full`]
    : [];
  const allMessages = [...messages, ...warningLines, ...errorLines];
  const known = Math.round(size * (1.02 + random() * 0.05));
  return [
    randomUUID(), job.serverId, job.name, job.backupId, beginIso, status, duration, size, uploaded,
    files, warnings, errors, sqliteTimestamp(end + 200), deleted, Math.floor(deleted / 20), modified,
    modified + added, added, Math.floor(added / 15), Math.floor(modified / 30), sizeModified, sizeAdded,
    size, sizeModified + sizeAdded, errors ? Math.floor(random() * 5) : 0, warnings,
    errors, allMessages.length, 'Backup', status, job.version, beginIso,
    new Date(end).toISOString(), status === 'Success' ? Math.round(random() * 3e7) : 0, known,
    versionsKept > 0 ? available[0] : null, versionsKept + 1,
    'Backup', status, job.version, beginIso, '00:00:00',
    JSON.stringify(available), JSON.stringify(allMessages), JSON.stringify(warningLines), JSON.stringify(errorLines),
  ];
}

function insertSql(rows: number): string {
  const tuple = `(${COLUMNS.map(() => '?').join(',')})`;
  return `INSERT INTO backups (${COLUMNS.join(',')}) VALUES ${Array(rows).fill(tuple).join(',')}`;
}

export async function seed(options: SeedOptions): Promise<SeedResult> {
  const { dataDir, runs, servers, jobs: jobsPerServer } = options;
  const log = options.log ?? (() => undefined);
  const now = options.now ?? new Date();
  const started = performance.now();
  const file = path.join(dataDir, 'backups.db');
  if (existsSync(file)) throw new Error(`${file} already exists: seed needs a fresh data dir`);

  const layout = buildLayout(servers, jobsPerServer);
  const random = rng(7);
  const jobs: Job[] = [];
  for (const s of layout) {
    const serverVersion = VERSIONS[Math.floor(random() * VERSIONS.length)];
    s.jobs.forEach((name, j) => {
      // Sizes log-uniform from 1 GB to 2 TB; ~4 MB per file on average.
      const baseBytes = Math.round(10 ** (9 + random() * 3.3));
      jobs.push({
        serverId: s.id, serverName: s.name, name, backupId: `DB-${j + 1}`, version: serverVersion,
        timeOfDay: Math.floor(random() * DAY_MS), baseBytes, baseFiles: Math.max(100, Math.round(baseBytes / (1 + random() * 8e6))), runs: 0,
      });
    });
  }
  // Run r belongs to job r % J and is that job's (r / J)-th newest: every job has runs on consecutive days.
  const totalJobs = jobs.length;
  jobs.forEach((job, j) => (job.runs = Math.floor(runs / totalJobs) + (j < runs % totalJobs ? 1 : 0)));
  const seededServers = new Set(jobs.filter((j) => j.runs > 0).map((j) => j.serverId));
  const manifest: LayoutServer[] = layout.map((s) => ({ ...s, seeded: seededServers.has(s.id) }));

  // The real migrations create the schema; then the bulk load goes through a raw libSQL connection
  // with ONE prepared multi-row INSERT reused for every chunk. (@libsql/client prepares each
  // statement of a batch anew, and preparing a 500-row, 23,000-parameter INSERT costs about as much
  // as executing it: measured ~3x slower than reusing the statement.)
  (await openDatabase(`file:${file}`)).close();

  const insertStarted = performance.now();
  const raw = new Libsql(file);
  let inserted = 0;
  try {
    raw.exec('PRAGMA journal_mode = WAL');
    // Seeding-only connection settings: a big page cache, no fsync (a crash just means re-seeding).
    raw.exec('PRAGMA synchronous = OFF');
    raw.exec('PRAGMA cache_size = -262144');

    const serverRows = manifest.filter((s) => s.seeded);
    const insertServer = raw.prepare('INSERT INTO servers (id, name, alias, note) VALUES (?, ?, ?, ?)');
    raw.exec('BEGIN');
    serverRows.forEach((s, i) => insertServer.run([s.id, s.name, i % 10 === 0 ? `alias-${s.name}` : '', '']));
    raw.exec('COMMIT');

    // Secondary indexes are dropped for the load and rebuilt from their own migration SQL afterwards:
    // one sort per index instead of a B-tree insert per row and index.
    const indexes = raw
      .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'backups' AND sql IS NOT NULL")
      .all() as { name: string; sql: string }[];
    for (const index of indexes) raw.exec(`DROP INDEX "${index.name}"`);

    const chunkInsert = raw.prepare(insertSql(ROWS_PER_STATEMENT));
    let pending: InValue[] = [];
    let pendingRows = 0;
    let lastLog = performance.now();
    raw.exec('BEGIN');
    // Oldest day first, like a real history grows; within a day, every job that has a run that day.
    const maxRuns = Math.max(0, ...jobs.map((j) => j.runs));
    const midnight = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
    const lastOccurrence = (tod: number) => (midnight + tod < now.getTime() - 60_000 ? midnight + tod : midnight + tod - DAY_MS);
    for (let day = maxRuns - 1; day >= 0; day--) {
      for (const job of jobs) {
        if (day >= job.runs) continue;
        const begin = lastOccurrence(job.timeOfDay) - day * DAY_MS + Math.floor(random() * 5000);
        for (const value of runRow(job, day, begin, random)) pending.push(value);
        pendingRows++;
        inserted++;
        if (pendingRows === ROWS_PER_STATEMENT) {
          chunkInsert.run(pending);
          pending = [];
          pendingRows = 0;
          if (inserted % (ROWS_PER_STATEMENT * STATEMENTS_PER_TRANSACTION) === 0) {
            raw.exec('COMMIT');
            raw.exec('BEGIN');
          }
          if (performance.now() - lastLog > 10_000) {
            lastLog = performance.now();
            log(`seed: ${inserted.toLocaleString('en-US')} / ${runs.toLocaleString('en-US')} runs`);
          }
        }
      }
    }
    if (pendingRows) raw.prepare(insertSql(pendingRows)).run(pending);
    raw.exec('COMMIT');
    for (const index of indexes) raw.exec(index.sql);
    raw.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  } finally {
    raw.close();
  }
  const insertSeconds = (performance.now() - insertStarted) / 1000;

  const refreshStarted = performance.now();
  const db = await openDatabase(`file:${file}`);
  try {
    await refreshJobs(db);
    // Leave a checkpointed file behind, so the daemon's cold start does not replay a WAL.
    await db.client.execute('PRAGMA wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  const refreshSeconds = (performance.now() - refreshStarted) / 1000;
  const totalSeconds = (performance.now() - started) / 1000;

  const checkStarted = performance.now();
  const check = checkSeeded(file);
  const checkSeconds = (performance.now() - checkStarted) / 1000;

  return {
    runs: inserted,
    servers: layout.length,
    seededServers: seededServers.size,
    jobs: totalJobs,
    insertSeconds,
    refreshSeconds,
    totalSeconds,
    rowsPerSecond: inserted / Math.max(insertSeconds, 1e-9),
    dbBytes: statSync(file).size,
    checkSeconds,
    check,
    layout: manifest,
  };
}

// Each derived value recomputed from the runs with SQL independent of src/ingest (except the
// recent-runs shape, which has to be the same JSON text to compare).
const CHECK_SQL = {
  runs: `SELECT count(*) AS runs, count(DISTINCT substr(date, 1, 10)) AS days, total(uploaded_size) AS uploaded FROM backups`,
  jobs: `SELECT count(*) AS jobs FROM (SELECT 1 FROM backups GROUP BY server_id, backup_name)`,
  backupJobs: `SELECT count(*) AS n, total(run_count) AS runs FROM backup_jobs`,
  staleJobs: `
    SELECT count(*) AS n FROM backup_jobs j
    LEFT JOIN (SELECT server_id, backup_name, max(date) AS latest, count(*) AS runs, total(uploaded_size) AS uploaded
               FROM backups GROUP BY server_id, backup_name) a ON a.server_id = j.server_id AND a.backup_name = j.backup_name
    LEFT JOIN backups b ON b.id = j.latest_backup_id
    WHERE a.server_id IS NULL OR b.id IS NULL OR b.server_id <> j.server_id OR b.backup_name <> j.backup_name
       OR j.latest_date <> a.latest OR b.date <> a.latest OR j.run_count <> a.runs OR j.uploaded_total <> a.uploaded
       OR j.latest_size <> b.size OR j.latest_known_file_size <> b.known_file_size`,
  badRecentRuns: `
    SELECT count(*) AS n FROM backup_jobs j
    WHERE j.recent_runs IS NOT (
      SELECT json_group_array(json_array(r.date, r.status) ORDER BY r.date) FROM (
        SELECT date, status FROM backups WHERE server_id = j.server_id AND backup_name = j.backup_name
        ORDER BY date DESC LIMIT ${RECENT_RUNS}) r)`,
  backupDays: `SELECT count(*) AS n, total(runs) AS runs FROM backup_days`,
  badDays: `
    SELECT (SELECT count(*) FROM (
              SELECT substr(date, 1, 10) AS day, min(date) AS first, count(*) AS runs, total(uploaded_size) AS uploaded,
                     total(duration_seconds) AS duration, total(examined_files) AS files, total(size) AS size,
                     total(known_file_size) AS storage, total(backup_list_count) AS versions
              FROM backups GROUP BY 1) r
            LEFT JOIN backup_days d ON d.day = r.day
            WHERE d.day IS NULL OR d.first_date <> r.first OR d.runs <> r.runs OR d.uploaded <> r.uploaded
               OR abs(d.duration - r.duration) > 1e-9 * r.duration OR d.file_count <> r.files OR d.size <> r.size
               OR d.storage <> r.storage OR d.versions <> r.versions)
         + (SELECT count(*) FROM backup_days d
            WHERE NOT EXISTS (SELECT 1 FROM backups WHERE date >= d.day AND date < d.day || 'U')) AS n`,
  // Per server, the run(s) at that server's newest date: the summary's storage and size rule.
  newest: `
    SELECT (SELECT count(*) FROM servers) AS servers, total(b.known_file_size) AS storage, total(b.size) AS size
    FROM (SELECT server_id, max(date) AS latest FROM backups GROUP BY server_id) s
    JOIN backups b ON b.server_id = s.server_id AND b.date = s.latest`,
};

/** Recomputes the derived rows from the runs and counts disagreements (read-only). */
export function checkSeeded(file: string): SeedCheck {
  const raw = new Libsql(file, { readonly: true });
  try {
    const row = (sql: string) => raw.prepare(sql).get() as Record<string, number>;
    const runs = row(CHECK_SQL.runs);
    const backupJobs = row(CHECK_SQL.backupJobs);
    const backupDays = row(CHECK_SQL.backupDays);
    const newest = row(CHECK_SQL.newest);
    const jobs = row(CHECK_SQL.jobs).jobs;
    return {
      runs: runs.runs,
      jobs,
      days: runs.days,
      backupJobsRows: backupJobs.n,
      backupJobsRunCount: backupJobs.runs,
      staleJobs: row(CHECK_SQL.staleJobs).n,
      badRecentRuns: row(CHECK_SQL.badRecentRuns).n,
      backupDaysRows: backupDays.n,
      backupDaysRuns: backupDays.runs,
      badDays: row(CHECK_SQL.badDays).n,
      expectedSummary: {
        totalServers: newest.servers,
        totalBackupsRuns: runs.runs,
        totalBackups: jobs,
        totalUploadedSize: runs.uploaded,
        totalStorageUsed: newest.storage,
        totalBackupSize: newest.size,
      },
    };
  } finally {
    raw.close();
  }
}

function parseArgs(argv: string[]): SeedOptions & { manifest?: string } {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}`);
    const [key, inline] = arg.slice(2).split('=', 2);
    flags.set(key, inline ?? argv[++i] ?? '');
  }
  const int = (key: string, fallback: number) => {
    const value = Number(flags.get(key) ?? fallback);
    if (!Number.isInteger(value) || value < 0) throw new Error(`--${key} must be a non-negative integer`);
    return value;
  };
  const dataDir = flags.get('data-dir');
  if (!dataDir) throw new Error('--data-dir is required');
  return {
    dataDir: path.resolve(dataDir),
    runs: int('runs', 100_000),
    servers: Math.max(1, int('servers', 1000)),
    jobs: Math.max(1, int('jobs', 5)),
    manifest: flags.get('manifest'),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const { manifest, ...options } = parseArgs(process.argv.slice(2));
  const result = await seed({ ...options, log: (line) => console.error(line) });
  const { layout, ...summary } = result;
  if (manifest) writeFileSync(manifest, JSON.stringify(layout));
  console.log(JSON.stringify(summary));
}
