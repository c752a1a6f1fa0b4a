// The backup_days table: per-UTC-day totals over all servers (see schema.ts). An insert adds its
// run; deletes and merges recompute the days they touched from the runs.
import type { InStatement } from '@libsql/client';
import { sql } from 'drizzle-orm';
import type { Orm } from '../db/client.ts';
import { backupDays, type NewBackup } from '../db/schema.ts';

/** Everything stored for a day starts with it and sorts below day + 'U' ('T' < 'U'). */
export const dayEnd = (day: string) => `${day}U`;

type DayRun = Pick<NewBackup, 'date' | 'uploadedSize' | 'durationSeconds' | 'examinedFiles' | 'size' | 'knownFileSize' | 'backupListCount'>;

export function addRunToDay(orm: Orm, row: DayRun) {
  const add = (column: keyof typeof backupDays.$inferSelect & string) => sql`${sql.identifier(backupDays[column].name)} + excluded.${sql.identifier(backupDays[column].name)}`;
  return orm
    .insert(backupDays)
    .values({
      day: row.date.slice(0, 10),
      firstDate: row.date,
      runs: 1,
      uploaded: row.uploadedSize ?? 0,
      duration: row.durationSeconds,
      fileCount: row.examinedFiles ?? 0,
      size: row.size ?? 0,
      storage: row.knownFileSize ?? 0,
      versions: row.backupListCount ?? 0,
    })
    .onConflictDoUpdate({
      target: backupDays.day,
      set: {
        firstDate: sql`min(first_date, excluded.first_date)`,
        runs: add('runs'),
        uploaded: add('uploaded'),
        duration: add('duration'),
        fileCount: add('fileCount'),
        size: add('size'),
        storage: add('storage'),
        versions: add('versions'),
      },
    });
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
