// The `ExternalBackup` object of /api/lastbackup(s) (spec 02 §0.3 with decision 2: real arrays).
import type { Backup, Server } from '../db/schema.ts';
import { runSummary, stringArray } from './detail-backup.ts';

export function externalBackup(run: Backup) {
  return {
    ...runSummary(run),
    // Unrounded here, floored in the list views (spec 02 §0.2).
    durationInMinutes: run.durationSeconds / 60,
    messages_array: stringArray(run.messagesArray),
    warnings_array: stringArray(run.warningsArray),
    errors_array: stringArray(run.errorsArray),
  };
}

/** The `server` object of /api/lastbackup(s) (decision 3). */
export function externalServer(server: Server, latest: Backup | undefined) {
  return {
    id: server.id,
    name: server.name,
    alias: server.alias ?? '',
    note: server.note ?? '',
    created_at: server.createdAt,
    ...(latest && { backup_name: latest.backupName, backup_id: latest.backupId }),
  };
}
