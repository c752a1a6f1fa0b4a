// The `ExternalBackup` object of /api/lastbackup(s) (spec 02 §0.3 with decision 2: real arrays).
import type { Backup, Server } from '../db/schema.ts';
import { formatHms } from '../format.ts';

export function externalBackup(run: Backup) {
  return {
    id: run.id,
    server_id: run.serverId,
    name: run.backupName,
    date: run.date,
    status: run.status,
    warnings: run.warnings,
    errors: run.errors,
    messages: run.messagesActualLength,
    fileCount: run.examinedFiles,
    fileSize: run.size,
    uploadedSize: run.uploadedSize,
    duration: formatHms(run.durationSeconds),
    duration_seconds: run.durationSeconds,
    durationInMinutes: run.durationSeconds / 60,
    knownFileSize: run.knownFileSize,
    backup_list_count: run.backupListCount,
    messages_array: jsonArray(run.messagesArray),
    warnings_array: jsonArray(run.warningsArray),
    errors_array: jsonArray(run.errorsArray),
    available_backups: jsonArray(run.availableBackups),
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

function jsonArray(text: string | null): string[] {
  if (!text) return [];
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}
