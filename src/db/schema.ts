// The single source of the stored shape (spec 01 §1). Row types flow from here to the routes.
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

const createdAt = () => text('created_at').default(sql`CURRENT_TIMESTAMP`);
const counter = (name: string) => integer(name).notNull().default(0);
const flag = (name: string) => integer(name).notNull().default(0);

export const servers = sqliteTable('servers', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  serverUrl: text('server_url').default(''),
  alias: text('alias').default(''),
  note: text('note').default(''),
  serverPassword: text('server_password').default(''),
  createdAt: createdAt(),
});

export const backups = sqliteTable(
  'backups',
  {
    id: text('id').primaryKey(),
    serverId: text('server_id').notNull().references(() => servers.id),
    backupName: text('backup_name').notNull(),
    backupId: text('backup_id').notNull(),
    date: text('date').notNull(),
    status: text('status').notNull(),
    durationSeconds: real('duration_seconds').notNull(),
    size: counter('size'),
    uploadedSize: counter('uploaded_size'),
    examinedFiles: counter('examined_files'),
    warnings: counter('warnings'),
    errors: counter('errors'),
    createdAt: createdAt(),
    deletedFiles: counter('deleted_files'),
    deletedFolders: counter('deleted_folders'),
    modifiedFiles: counter('modified_files'),
    openedFiles: counter('opened_files'),
    addedFiles: counter('added_files'),
    addedFolders: counter('added_folders'),
    modifiedFolders: counter('modified_folders'),
    modifiedSymlinks: counter('modified_symlinks'),
    deletedSymlinks: counter('deleted_symlinks'),
    addedSymlinks: counter('added_symlinks'),
    sizeOfModifiedFiles: counter('size_of_modified_files'),
    sizeOfAddedFiles: counter('size_of_added_files'),
    sizeOfExaminedFiles: counter('size_of_examined_files'),
    sizeOfOpenedFiles: counter('size_of_opened_files'),
    notProcessedFiles: counter('not_processed_files'),
    tooLargeFiles: counter('too_large_files'),
    filesWithError: counter('files_with_error'),
    warningsActualLength: counter('warnings_actual_length'),
    errorsActualLength: counter('errors_actual_length'),
    messagesActualLength: counter('messages_actual_length'),
    partialBackup: flag('partial_backup'),
    dryrun: flag('dryrun'),
    interrupted: flag('interrupted'),
    mainOperation: text('main_operation').notNull(),
    parsedResult: text('parsed_result').notNull(),
    version: text('version'),
    beginTime: text('begin_time').notNull(),
    // Nullable: a crashed 2.2+ run reports the unset .NET date (decision 4).
    endTime: text('end_time'),
    bytesDownloaded: counter('bytes_downloaded'),
    knownFileSize: counter('known_file_size'),
    lastBackupDate: text('last_backup_date'),
    backupListCount: counter('backup_list_count'),
    reportedQuotaError: flag('reported_quota_error'),
    reportedQuotaWarning: flag('reported_quota_warning'),
    backendMainOperation: text('backend_main_operation'),
    backendParsedResult: text('backend_parsed_result'),
    backendInterrupted: flag('backend_interrupted'),
    backendVersion: text('backend_version'),
    backendBeginTime: text('backend_begin_time'),
    backendDuration: text('backend_duration'),
    backendWarningsActualLength: counter('backend_warnings_actual_length'),
    backendErrorsActualLength: counter('backend_errors_actual_length'),
    // Large text last: scans over the numeric columns never touch their overflow pages.
    availableBackups: text('available_backups').notNull().default('[]'),
    messagesArray: text('messages_array').notNull().default('[]'),
    warningsArray: text('warnings_array').notNull().default('[]'),
    errorsArray: text('errors_array').notNull().default('[]'),
  },
  (t) => [
    // The duplicate rule (decision 5), enforced inside the insert itself.
    uniqueIndex('backups_run_unique').on(t.serverId, t.backupName, t.date),
    index('backups_server_date_idx').on(t.serverId, t.date),
    index('backups_date_idx').on(t.date),
  ],
);

// One row per backup job, maintained on every insert, so "latest run of each job", the summary
// totals and the overdue count read a few thousand rows instead of the whole history.
export const backupJobs = sqliteTable(
  'backup_jobs',
  {
    serverId: text('server_id').notNull().references(() => servers.id),
    backupName: text('backup_name').notNull(),
    latestBackupId: text('latest_backup_id').notNull(),
    latestDate: text('latest_date').notNull(),
    runCount: counter('run_count'),
    uploadedTotal: counter('uploaded_total'),
    // Duplicati 2.2+ `Extra.next-scheduled-run` of the newest run that carried one (decision 8).
    duplicatiNextRun: text('duplicati_next_run'),
    // BackupSettings (spec 03 §3.1) as JSON text.
    settings: text('settings').notNull(),
    // Effective next expected run from monitor/overdue.ts#dueAt; NULL = not monitored.
    dueAt: text('due_at'),
    // When the last overdue alert for this job went out (spec 03 §5.2; the reference's overdue_notifications map).
    overdueNotifiedAt: text('overdue_notified_at'),
    // Copies of the latest run's sizes, so the summary totals never touch the runs table.
    latestKnownFileSize: counter('latest_known_file_size'),
    latestSize: counter('latest_size'),
    // The last RECENT_RUNS runs as JSON [[date, status], …], oldest first: the dashboard's status bar.
    recentRuns: text('recent_runs').notNull().default('[]'),
  },
  (t) => [
    primaryKey({ columns: [t.serverId, t.backupName] }),
    index('backup_jobs_due_idx').on(t.dueAt),
    // Covers every column the summary reads, so it never touches the wide rows (settings, recent runs).
    index('backup_jobs_summary_idx').on(t.serverId, t.latestDate, t.latestKnownFileSize, t.latestSize, t.runCount, t.uploadedTotal),
  ],
);

// Per-UTC-day totals over all servers, kept with every insert, so the all-servers chart over a
// year reads at most 366 rows instead of every run (spec 02 §4.1 variant D).
export const backupDays = sqliteTable('backup_days', {
  day: text('day').primaryKey(),
  firstDate: text('first_date').notNull(),
  runs: counter('runs'),
  uploaded: counter('uploaded'),
  duration: real('duration').notNull().default(0),
  fileCount: counter('file_count'),
  size: counter('size'),
  storage: counter('storage'),
  versions: counter('versions'),
});

export const configurations = sqliteTable('configurations', {
  key: text('key').primaryKey(),
  value: text('value'),
});

export const users = sqliteTable(
  'users',
  {
    id: text('id').primaryKey(),
    // Stored trimmed and lower-case, so look-ups are case-insensitive (decision 11).
    username: text('username').notNull().unique(),
    passwordHash: text('password_hash').notNull(),
    isAdmin: flag('is_admin'),
    mustChangePassword: flag('must_change_password'),
    createdAt: createdAt(),
    updatedAt: text('updated_at').default(sql`CURRENT_TIMESTAMP`),
    lastLoginAt: text('last_login_at'),
    lastLoginIp: text('last_login_ip'),
    failedLoginAttempts: counter('failed_login_attempts'),
    // ISO, UTC.
    lockedUntil: text('locked_until'),
  },
);

export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    // NULL = anonymous session (it can fetch a CSRF token and sign in, nothing else).
    userId: text('user_id').references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    lastAccessed: text('last_accessed').default(sql`CURRENT_TIMESTAMP`),
    // ISO, UTC; absolute lifetime, never extended.
    expiresAt: text('expires_at').notNull(),
    ipAddress: text('ip_address'),
    userAgent: text('user_agent'),
    csrfToken: text('csrf_token'),
    csrfExpiresAt: text('csrf_expires_at'),
  },
  (t) => [index('sessions_user_idx').on(t.userId), index('sessions_expires_idx').on(t.expiresAt)],
);

export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    timestamp: text('timestamp').notNull().default(sql`CURRENT_TIMESTAMP`),
    userId: text('user_id').references(() => users.id, { onDelete: 'set null' }),
    username: text('username'),
    action: text('action').notNull(),
    category: text('category').notNull(),
    targetType: text('target_type'),
    targetId: text('target_id'),
    details: text('details'),
    ipAddress: text('ip_address'),
    userAgent: text('user_agent'),
    status: text('status').notNull(),
    errorMessage: text('error_message'),
  },
  (t) => [
    index('audit_timestamp_idx').on(t.timestamp),
    index('audit_user_idx').on(t.userId),
    index('audit_action_idx').on(t.action),
    index('audit_category_idx').on(t.category),
    index('audit_status_idx').on(t.status),
  ],
);

export type Server = typeof servers.$inferSelect;
export type User = typeof users.$inferSelect;
export type Session = typeof sessions.$inferSelect;
export type AuditRow = typeof auditLog.$inferSelect;
export type Backup = typeof backups.$inferSelect;
export type NewBackup = typeof backups.$inferInsert;
export type BackupJob = typeof backupJobs.$inferSelect;
