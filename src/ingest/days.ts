// The backup_days table: per-UTC-day totals over all servers (see schema.ts). An insert adds its
// run; deletes and merges recompute the days they touched from the runs.
import type { InStatement } from '@libsql/client';
import { sql } from 'drizzle-orm';
import type { Orm } from '../db/client.ts';
import { insertStatement } from '../db/insert-statement.ts';
import { backupDays, type NewBackup } from '../db/schema.ts';

/** Everything stored for a day starts with it and sorts below day + 'U' ('T' < 'U'). */
export const dayEnd = (day: string) => `${day}U`;

type DayRun = Pick<NewBackup, 'date' | 'uploadedSize' | 'durationSeconds' | 'examinedFiles' | 'size' | 'knownFileSize' | 'backupListCount'>;

export function addRunToDay(row: DayRun): InStatement {
  return insertStatement(
    backupDays,
    {
      day: row.date.slice(0, 10),
      firstDate: row.date,
      runs: 1,
      uploaded: row.uploadedSize ?? 0,
      duration: row.durationSeconds,
      fileCount: row.examinedFiles ?? 0,
      size: row.size ?? 0,
      storage: row.knownFileSize ?? 0,
      versions: row.backupListCount ?? 0,
    },
    `ON CONFLICT (day) DO UPDATE SET first_date = min(first_date, excluded.first_date), runs = runs + 1,
       uploaded = uploaded + excluded.uploaded, duration = duration + excluded.duration, file_count = file_count + excluded.file_count,
       size = size + excluded.size, storage = storage + excluded.storage, versions = versions + excluded.versions`,
  );
}

const DAY_TOTALS = `substr(date, 1, 10), min(date), count(*), total(uploaded_size), total(duration_seconds), total(examined_files),
  total(size), total(known_file_size), total(backup_list_count)`;

/** Rebuilds every day from the runs (bulk import, seeding), for client.batch. */
export function refreshAllDays(): InStatement[] {
  return ['DELETE FROM backup_days', `INSERT INTO backup_days SELECT ${DAY_TOTALS} FROM backups GROUP BY 1`];
}

/** Rebuilds the given days from the runs; put these after the change in the same batch. */
export function refreshDays(orm: Orm, days: string[]) {
  return days.flatMap((day) => [
    orm.run(sql`DELETE FROM backup_days WHERE day = ${day}`),
    orm.run(sql`INSERT INTO backup_days SELECT ${sql.raw(DAY_TOTALS)} FROM backups WHERE date >= ${day} AND date < ${dayEnd(day)} GROUP BY 1`),
  ]);
}

/** The UTC days on which these servers have runs: the days a delete or merge of them changes. */
export async function daysOfServers(orm: Orm, serverIds: string[]): Promise<string[]> {
  const rows = await orm.all<{ day: string }>(
    sql`SELECT DISTINCT substr(date, 1, 10) AS day FROM backups WHERE server_id IN (SELECT value FROM json_each(${JSON.stringify(serverIds)}))`,
  );
  return rows.map((r) => r.day);
}
