// Chart data (spec 02 §4): runs or UTC days turned into chart points by SQLite itself, which hands
// back one JSON text (far cheaper than the driver's per-row objects for long series).
import { and, eq } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { dayEnd } from '../ingest/days.ts';
import { backupJobs, servers } from '../db/schema.ts';

/** One chart point; the variants differ only in the `date` label and the `duration` unit (§4.1). */
export interface ChartPoint {
  date: string;
  isoDate: string;
  uploadedSize: number;
  /** Variants R and S: whole minutes. Variant D: the day's seconds. */
  duration: number;
  fileCount: number;
  fileSize: number;
  storageSize: number;
  backupVersions: number;
}

/** Inclusive bounds on the stored ISO text. */
export interface ChartRange {
  start: string;
  end: string;
}

export type RangeQuery = { startDate?: string | null; endDate?: string | null };

/** §4: a range applies only when both ends are given; then both must be dates. */
export function parseChartRange(query: RangeQuery): { range: ChartRange | null } | { error: string; message: string } {
  const { startDate, endDate } = query;
  if (!startDate || !endDate) return { range: null };
  const start = new Date(startDate);
  const end = new Date(endDate);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) {
    return { error: 'Invalid date parameters', message: `startDate and endDate must be dates, got "${startDate}" and "${endDate}"` };
  }
  return { range: { start: start.toISOString(), end: end.toISOString() } };
}

type Scope = { serverId?: string; backupName?: string };

// Each scope is served by an index: backups_date_idx (all), backups_server_date_idx (server),
// backups_run_unique (job); the range narrows the same index on `date`.
function where(scope: Scope, range: ChartRange | null): string {
  const conditions = [
    scope.serverId !== undefined && 'server_id = :serverId',
    scope.backupName !== undefined && 'backup_name = :backupName',
    range && 'date >= :start AND date <= :end',
  ].filter(Boolean);
  return conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
}

const pointJson = (date: string, isoDate: string, values: string) => `json_object('date', ${date}, 'isoDate', ${isoDate}, ${values})`;

// Variant R: one point per run, labelled DD/MM/YYYY of its UTC day, duration in whole minutes.
const RUN_POINT = pointJson(
  `substr(date, 9, 2) || '/' || substr(date, 6, 2) || '/' || substr(date, 1, 4)`,
  'date',
  `'uploadedSize', uploaded_size, 'duration', floor(duration_seconds / 60), 'fileCount', examined_files,
   'fileSize', size, 'storageSize', known_file_size, 'backupVersions', backup_list_count`,
);

// Variant D: one point per UTC day, sums, duration in seconds; isoDate = the day's earliest run.
const DAY_POINT = pointJson(
  'day',
  'isoDate',
  `'uploadedSize', uploadedSize, 'duration', duration, 'fileCount', fileCount,
   'fileSize', fileSize, 'storageSize', storageSize, 'backupVersions', backupVersions`,
);

async function points(db: Database, sql: string, scope: Scope, range: ChartRange | null): Promise<ChartPoint[]> {
  const { rows } = await db.client.execute({ sql, args: { ...scope, ...range } });
  return JSON.parse(String(rows[0].points)) as ChartPoint[];
}

// Every run of the scope: the spec never asks for a range here.
function runPoints(db: Database, scope: Scope): Promise<ChartPoint[]> {
  const sql = `SELECT json_group_array(${RUN_POINT} ORDER BY date, id) AS points FROM backups ${where(scope, null)}`;
  return points(db, sql, scope, null);
}

function dayPoints(db: Database, scope: Scope, range: ChartRange | null): Promise<ChartPoint[]> {
  const sql = `
    SELECT json_group_array(${DAY_POINT} ORDER BY day) AS points
    FROM (SELECT substr(date, 1, 10) AS day, min(date) AS isoDate, sum(uploaded_size) AS uploadedSize,
                 total(duration_seconds) AS duration, sum(examined_files) AS fileCount, sum(size) AS fileSize,
                 sum(known_file_size) AS storageSize, sum(backup_list_count) AS backupVersions
          FROM backups ${where(scope, range)} GROUP BY day)`;
  return points(db, sql, scope, range);
}

// All servers over a range: whole days inside it come from backup_days; the two edge days, which
// the range may cover only in part, are summed from their runs. Same points as dayPoints({}, range).
const DAY_SUMS = `substr(date, 1, 10) AS day, min(date) AS isoDate, total(uploaded_size) AS uploadedSize,
  total(duration_seconds) AS duration, total(examined_files) AS fileCount, total(size) AS fileSize,
  total(known_file_size) AS storageSize, total(backup_list_count) AS backupVersions`;
const ALL_SERVERS_DAYS = `
SELECT json_group_array(${DAY_POINT} ORDER BY day) AS points FROM (
  SELECT day, first_date AS isoDate, uploaded AS uploadedSize, duration, file_count AS fileCount, size AS fileSize,
         storage AS storageSize, versions AS backupVersions
  FROM backup_days WHERE day > :startDay AND day < :endDay
  UNION ALL SELECT ${DAY_SUMS} FROM backups WHERE date >= :start AND date <= :firstEdgeEnd GROUP BY 1
  UNION ALL SELECT ${DAY_SUMS} FROM backups WHERE date >= :lastEdgeStart AND date <= :end AND :startDay < :endDay GROUP BY 1)`;

async function allServersDays(db: Database, range: ChartRange): Promise<ChartPoint[]> {
  const startDay = range.start.slice(0, 10);
  const endDay = range.end.slice(0, 10);
  const args = { ...range, startDay, endDay, firstEdgeEnd: range.end < dayEnd(startDay) ? range.end : dayEnd(startDay), lastEdgeStart: endDay };
  const { rows } = await db.client.execute({ sql: ALL_SERVERS_DAYS, args });
  return JSON.parse(String(rows[0].points)) as ChartPoint[];
}

/** §4.2: every run (variant R) without a range, else the range's UTC days over all servers (variant D). */
export function getAggregatedChartData(db: Database, range: ChartRange | null): Promise<ChartPoint[]> {
  return range ? allServersDays(db, range) : runPoints(db, {});
}

// Unknown ids and names are told apart from "no runs in range" so the route can answer 404.
async function serverExists(db: Database, serverId: string): Promise<boolean> {
  return (await db.orm.select({ id: servers.id }).from(servers).where(eq(servers.id, serverId))).length > 0;
}

async function jobExists(db: Database, serverId: string, backupName: string): Promise<boolean> {
  const where = and(eq(backupJobs.serverId, serverId), eq(backupJobs.backupName, backupName));
  return (await db.orm.select({ name: backupJobs.backupName }).from(backupJobs).where(where)).length > 0;
}

/** §4.3: the server's UTC days (variant D), all jobs together; null for an unknown server. */
export async function getServerChartData(db: Database, serverId: string, range: ChartRange | null): Promise<ChartPoint[] | null> {
  return (await serverExists(db, serverId)) ? dayPoints(db, { serverId }, range) : null;
}

/** §4.4: one job's UTC days (variant D); null when the server has no job of that name. */
export async function getJobChartData(
  db: Database,
  serverId: string,
  backupName: string,
  range: ChartRange | null,
): Promise<ChartPoint[] | null> {
  return (await jobExists(db, serverId, backupName)) ? dayPoints(db, { serverId, backupName }, range) : null;
}

// en-GB gives DD/MM/YYYY; no timeZone option, so the label follows the process TZ as §4.1 asks.
const localDay = new Intl.DateTimeFormat('en-GB', { day: '2-digit', month: '2-digit', year: 'numeric' });

/** Variant S (the `chartData` of ServerDetail, §0.5): every run of the server, local-day label. */
export async function getServerRunPoints(db: Database, serverId: string): Promise<ChartPoint[]> {
  const runs = await runPoints(db, { serverId });
  return runs.map((p) => ({ ...p, date: localDay.format(new Date(p.isoDate)) }));
}
