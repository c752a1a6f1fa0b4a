// GET /metrics (beyond the reference): per-job state, totals and the daemon's own counters in the
// Prometheus text exposition format 0.0.4. Read from backup_jobs plus each job's latest run in one
// SQL statement returning JSON (like the dashboard), so a scrape never walks the run history.
import type { Database } from '../db/client.ts';
import { isOverdue, toleranceMinutes } from '../monitor/overdue.ts';
import { getTolerance } from '../settings/store.ts';

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type MetricType = 'gauge' | 'counter';

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  name: string;
  type: MetricType;
  help: string;
  samples: Sample[];
}

/** What the process knows about itself (nothing of it is stored). */
export interface DaemonStats {
  /** Unix seconds when the process started. */
  startTimeSeconds: number;
  uptimeSeconds: number;
  /** Upload answers since start, by outcome (accepted, duplicate, ignored, invalid). */
  uploads: Record<string, number>;
  /** Notification deliveries since start, when a notifier runs. */
  notifications?: { sent: number; failed: number };
}

/** The values of the status label; anything else Duplicati might send counts as Unknown. */
export const STATUSES = ['Success', 'Warning', 'Error', 'Fatal', 'Unknown'] as const;

interface JobRow {
  serverId: string;
  serverName: string;
  backupName: string;
  latestDate: string;
  runCount: number;
  uploadedTotal: number;
  dueAt: string | null;
  status: string;
  durationSeconds: number;
  uploadedSize: number;
  size: number;
  knownFileSize: number;
  examinedFiles: number;
  warnings: number;
  errors: number;
  backupListCount: number;
}

export const METRICS_SQL = `
SELECT
  (SELECT count(*) FROM servers) AS servers,
  (SELECT json_group_array(json_object(
     'serverId', j.server_id, 'serverName', s.name, 'backupName', j.backup_name, 'latestDate', j.latest_date,
     'runCount', j.run_count, 'uploadedTotal', j.uploaded_total, 'dueAt', j.due_at,
     'status', b.status, 'durationSeconds', b.duration_seconds, 'uploadedSize', b.uploaded_size, 'size', b.size,
     'knownFileSize', b.known_file_size, 'examinedFiles', b.examined_files, 'warnings', b.warnings,
     'errors', b.errors, 'backupListCount', b.backup_list_count)
   ORDER BY j.server_id, j.backup_name)
   FROM backup_jobs j
   JOIN backups b ON b.id = j.latest_backup_id
   JOIN servers s ON s.id = j.server_id) AS jobs`;

const seconds = (iso: string) => Date.parse(iso) / 1000;
const sum = (rows: JobRow[], pick: (r: JobRow) => number) => rows.reduce((total, r) => total + pick(r), 0);

/** All metric families, in output order; a family may have no samples (e.g. no jobs yet). */
export async function collectMetrics(db: Database, now: Date, daemon: DaemonStats): Promise<MetricFamily[]> {
  const toleranceMin = toleranceMinutes(await getTolerance(db));
  const { rows } = await db.client.execute(METRICS_SQL);
  const serverCount = Number(rows[0].servers);
  const jobs = JSON.parse(String(rows[0].jobs)) as JobRow[];
  const overdue = new Map(jobs.map((j) => [j, isOverdue(j.dueAt, toleranceMin, now)]));

  const jobLabels = (j: JobRow) => ({ server_id: j.serverId, server_name: j.serverName, backup_name: j.backupName });
  const perJob = (name: string, help: string, pick: (j: JobRow) => number | null): MetricFamily => ({
    name,
    type: 'gauge',
    help,
    samples: jobs.flatMap((j) => {
      const value = pick(j);
      return value === null ? [] : [{ labels: jobLabels(j), value }];
    }),
  });
  const total = (name: string, help: string, value: number | null): MetricFamily => ({
    name,
    type: 'gauge',
    help,
    samples: value === null ? [] : [{ labels: {}, value }],
  });
  const newest = jobs.reduce<string | null>((max, j) => (max === null || j.latestDate > max ? j.latestDate : max), null);

  return [
    perJob('duplistatus_job_last_run_timestamp_seconds', 'Start time of the newest stored run of the backup job, in Unix seconds.', (j) => seconds(j.latestDate)),
    {
      name: 'duplistatus_job_last_status',
      type: 'gauge',
      help: `1 for the status of the newest run of the backup job, 0 for the other statuses (${STATUSES.join(', ')}).`,
      samples: jobs.flatMap((j) => {
        const current = (STATUSES as readonly string[]).includes(j.status) ? j.status : 'Unknown';
        return STATUSES.map((status) => ({ labels: { ...jobLabels(j), status }, value: status === current ? 1 : 0 }));
      }),
    },
    perJob('duplistatus_job_last_duration_seconds', 'Duration of the newest run of the backup job.', (j) => j.durationSeconds),
    perJob('duplistatus_job_last_uploaded_bytes', 'Bytes uploaded by the newest run of the backup job (BytesUploaded).', (j) => j.uploadedSize),
    perJob('duplistatus_job_last_examined_bytes', 'Size of the source files examined by the newest run of the backup job (SizeOfExaminedFiles).', (j) => j.size),
    perJob('duplistatus_job_last_known_bytes', 'Size of the backup files at the destination after the newest run of the backup job (KnownFileSize).', (j) => j.knownFileSize),
    perJob('duplistatus_job_last_examined_files', 'Files examined by the newest run of the backup job (ExaminedFiles).', (j) => j.examinedFiles),
    perJob('duplistatus_job_last_warnings', 'Warnings reported by the newest run of the backup job.', (j) => j.warnings),
    perJob('duplistatus_job_last_errors', 'Errors reported by the newest run of the backup job.', (j) => j.errors),
    perJob('duplistatus_job_last_versions', 'Backup versions kept at the destination after the newest run of the backup job (BackupListCount).', (j) => j.backupListCount),
    perJob('duplistatus_job_overdue', '1 when the backup job is overdue (next expected run plus the overdue tolerance has passed), else 0.', (j) => (overdue.get(j) ? 1 : 0)),
    perJob(
      'duplistatus_job_next_expected_run_timestamp_seconds',
      'Next expected run of the backup job, in Unix seconds; absent when the job is not monitored for overdue runs.',
      (j) => (j.dueAt === null ? null : seconds(j.dueAt)),
    ),
    perJob('duplistatus_job_runs', 'Stored runs of the backup job.', (j) => j.runCount),
    perJob('duplistatus_job_runs_uploaded_bytes', 'Bytes uploaded by all stored runs of the backup job.', (j) => j.uploadedTotal),

    total('duplistatus_servers', 'Servers (Duplicati machines) known.', serverCount),
    total('duplistatus_jobs', 'Backup jobs with at least one stored run.', jobs.length),
    total('duplistatus_jobs_overdue', 'Backup jobs that are overdue.', [...overdue.values()].filter(Boolean).length),
    total('duplistatus_runs', 'Stored runs of all backup jobs.', sum(jobs, (j) => j.runCount)),
    total('duplistatus_runs_uploaded_bytes', 'Bytes uploaded by all stored runs of all backup jobs.', sum(jobs, (j) => j.uploadedTotal)),
    total('duplistatus_last_known_bytes', 'Size of the backup files at the destinations, summed over the newest run of every backup job.', sum(jobs, (j) => j.knownFileSize)),
    total('duplistatus_last_examined_bytes', 'Size of the source files examined, summed over the newest run of every backup job.', sum(jobs, (j) => j.size)),
    total('duplistatus_last_run_timestamp_seconds', 'Start time of the newest stored run of any backup job, in Unix seconds; absent when no run is stored.', newest === null ? null : seconds(newest)),
    total('duplistatus_overdue_tolerance_seconds', 'The overdue tolerance setting.', toleranceMin * 60),

    total('duplistatus_start_time_seconds', 'Start time of the duplistatus process, in Unix seconds.', daemon.startTimeSeconds),
    total('duplistatus_uptime_seconds', 'Seconds since the duplistatus process started.', daemon.uptimeSeconds),
    {
      name: 'duplistatus_uploads_total',
      type: 'counter',
      help: 'Backup reports received on POST /api/upload since the process started, by outcome (accepted, duplicate, ignored, invalid).',
      samples: Object.entries(daemon.uploads).map(([outcome, value]) => ({ labels: { outcome }, value })),
    },
    ...(daemon.notifications
      ? [
          {
            name: 'duplistatus_notifications_total',
            type: 'counter' as const,
            help: 'Notification deliveries since the process started, by outcome (sent, failed after retries).',
            samples: [
              { labels: { outcome: 'sent' }, value: daemon.notifications.sent },
              { labels: { outcome: 'failed' }, value: daemon.notifications.failed },
            ],
          },
        ]
      : []),
  ];
}

// ── text exposition format 0.0.4 ──────────────────────────────────────────────
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export const escapeLabelValue = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const escapeHelp = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

/** A sample value as Go's strconv.ParseFloat reads it. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function formatLabels(labels: Record<string, string>): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  return `{${entries.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}`;
}

/** Each family as HELP, TYPE, then its samples; names are checked so a typo fails loudly, not in Prometheus. */
export function renderExposition(families: MetricFamily[]): string {
  const lines: string[] = [];
  for (const f of families) {
    if (!METRIC_NAME.test(f.name)) throw new Error(`Invalid metric name "${f.name}"`);
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) {
      for (const k of Object.keys(s.labels)) if (!LABEL_NAME.test(k) || k.startsWith('__')) throw new Error(`Invalid label name "${k}" in ${f.name}`);
      lines.push(`${f.name}${formatLabels(s.labels)} ${formatValue(s.value)}`);
    }
  }
  return lines.join('\n') + '\n';
}
