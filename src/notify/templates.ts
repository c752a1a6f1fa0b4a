// Notification templates (spec 03 §9): the three kinds and their defaults, the variables of §9.4
// built from stored rows, formatting (§9.5), substitution, and the test substitution of §9.6.
import type { Backup, Server } from '../db/schema.ts';
import { elapsedText, formatHumanDuration } from '../format.ts';
import { DEFAULT_TOLERANCE, TOLERANCES, type ToleranceCode } from '../monitor/overdue.ts';
import { DE, ES, FR, PT_BR } from './templates-i18n.ts';

export type TemplateKind = 'success' | 'warning' | 'overdueBackup';
export const TEMPLATE_KINDS: readonly TemplateKind[] = ['success', 'warning', 'overdueBackup'];

/** `title` and `message` are rendered; `priority` and `tags` go to ntfy literally. */
export interface NotificationTemplate {
  title: string;
  message: string;
  priority: string;
  tags: string;
}

export type TemplateSet = Record<TemplateKind, NotificationTemplate>;

/** The UI locales (§9.3); anything else reads as the default. */
export const TEMPLATE_LANGUAGES = ['en-GB', 'de', 'fr', 'es', 'pt-BR', 'hi-Latn', 'zh-Hans'] as const;
export type TemplateLanguage = (typeof TEMPLATE_LANGUAGES)[number];
export const DEFAULT_LANGUAGE: TemplateLanguage = 'en-GB';

export function isTemplateLanguage(value: unknown): value is TemplateLanguage {
  return TEMPLATE_LANGUAGES.includes(value as TemplateLanguage);
}

/** §9.2, text for text. Each message ends with a newline. */
const EN_GB: TemplateSet = {
  success: {
    title: '✅ {status} - {backup_name} @ {server_alias}',
    priority: 'default',
    tags: 'duplicati, duplistatus, success',
    message: [
      "Backup {backup_name} on {server_alias} completed with status '{status}' at {backup_date} in {duration}.",
      '',
      '🔍 Note: {server_note}',
      '☁️ Uploaded: {uploaded_size}',
      '💾 Store usage: {storage_size}',
      '🔃 Available versions: {available_versions}',
      '',
    ].join('\n'),
  },
  warning: {
    title: '⚠️ {status} - {backup_name} @ {server_alias}',
    priority: 'high',
    tags: 'duplicati, duplistatus, warning, error',
    message: [
      "Backup {backup_name} on {server_alias} completed with status '{status}' at {backup_date}.",
      '',
      '🔍 Note: {server_note}',
      '⏰ Duration: {duration}',
      '☁️ Uploaded: {uploaded_size}',
      '',
      '🚨 {warnings_count} warnings',
      '🛑 {errors_count} errors.',
      '',
      '📄 Log Messages:',
      '{log_text}',
      '',
      '⚠️ Check the duplicati server immediately {server_url}',
      '',
    ].join('\n'),
  },
  overdueBackup: {
    title: '🕑 Overdue - {backup_name} @ {server_alias}',
    priority: 'default',
    tags: 'duplicati, duplistatus, overdue',
    message: [
      'The backup {backup_name} is overdue on {server_alias}.',
      '',
      '🔍 Note: {server_note}',
      '🚨 Last backup received: {last_backup_date} ({last_elapsed})',
      '⏰ Expected backup time: {expected_date} ({expected_elapsed})',
      '',
      'Expected interval: {backup_interval} / Tolerance: {overdue_tolerance}',
      '',
      '⚠️ Check the duplicati server immediately {server_url}',
      '',
    ].join('\n'),
  },
};

// §9.3: translated sets for de, fr, es and pt-BR; hi-Latn, zh-Hans and anything else fall back to English.
const DEFAULTS = new Map<string, TemplateSet>([
  ['en-GB', EN_GB],
  ['de', DE],
  ['fr', FR],
  ['es', ES],
  ['pt-BR', PT_BR],
]);

/** Built-in defaults for a language (a fresh copy, safe to modify). */
export function defaultTemplates(language: string = DEFAULT_LANGUAGE): TemplateSet {
  return structuredClone(DEFAULTS.get(language) ?? EN_GB);
}

// ---- Variables (§9.4) -------------------------------------------------------------------------

const COMMON_VARIABLES = [
  'server_name',
  'server_id',
  'server_alias',
  'server_note',
  'server_url',
  'backup_name',
  'backup_interval_value',
  'backup_interval_type',
] as const;
const BACKUP_VARIABLES = [
  'status',
  'backup_date',
  'duration',
  'uploaded_size',
  'storage_size',
  'available_versions',
  'file_count',
  'file_size',
  'messages_count',
  'warnings_count',
  'errors_count',
  'log_text',
] as const;
const OVERDUE_VARIABLES = [
  'last_backup_date',
  'last_elapsed',
  'expected_date',
  'expected_elapsed',
  'backup_interval',
  'overdue_tolerance',
] as const;

export type BackupVariables = Record<(typeof COMMON_VARIABLES)[number] | (typeof BACKUP_VARIABLES)[number], string>;
export type OverdueVariables = Record<(typeof COMMON_VARIABLES)[number] | (typeof OVERDUE_VARIABLES)[number], string>;

/** Which variables each template may use (the "Available in" column). */
export const TEMPLATE_VARIABLES: Readonly<Record<TemplateKind, readonly string[]>> = {
  success: [...COMMON_VARIABLES, ...BACKUP_VARIABLES],
  warning: [...COMMON_VARIABLES, ...BACKUP_VARIABLES],
  overdueBackup: [...COMMON_VARIABLES, ...OVERDUE_VARIABLES],
};

export type ServerInfo = Pick<Server, 'id' | 'name' | 'alias' | 'note' | 'serverUrl'>;
export type BackupRun = Pick<
  Backup,
  | 'backupName'
  | 'status'
  | 'date'
  | 'durationSeconds'
  | 'uploadedSize'
  | 'knownFileSize'
  | 'backupListCount'
  | 'examinedFiles'
  | 'sizeOfExaminedFiles'
  | 'messagesActualLength'
  | 'warnings'
  | 'errors'
  | 'warningsArray'
  | 'errorsArray'
  | 'messagesArray'
>;

/** One overdue job as the overdue check sees it (§5.1, §4.4). */
export interface OverdueJob {
  backupName: string;
  /** Newest run's date. */
  lastBackupDate: string;
  /** Expected run (§4.4), or null when unknown. */
  expectedDate: string | null;
  /** Raw interval string, e.g. `1D2h30m`. */
  expectedInterval: string;
  /** Tolerance code (§3.5); unknown codes read as the default. */
  tolerance: string;
}

export interface FormatSettings {
  /** Stored template language; selects the formatting locale. Unknown ⇒ en-GB. */
  language?: string;
  /** Defaults to the process time zone (TZ). */
  timeZone?: string;
  /** Clock for relative times. */
  now?: Date;
}

// ---- Formatting (§9.5) ------------------------------------------------------------------------

const SQLITE_DATE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

/** ISO or SQLite `YYYY-MM-DD HH:MM:SS` (which is UTC); null for empty, `N/A` or unparsable. */
export function parseStoredDate(text: string | null | undefined): Date | null {
  if (!text || text === 'N/A') return null;
  const d = new Date(SQLITE_DATE.test(text) ? `${text.replace(' ', 'T')}Z` : text);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Short date and time in the locale, e.g. `04/01/2024, 14:00` (en-GB); `""` when unparsable. */
export function formatDateTime(text: string | null | undefined, locale: string, timeZone?: string): string {
  const d = parseStoredDate(text);
  return d ? new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'short', timeZone }).format(d) : '';
}

export function formatInteger(n: number, locale: string): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(Number.isFinite(n) ? n : 0);
}

const SIZE_UNITS = ['Bytes', 'KB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];

/** Base 1024, two decimals with locale separators: `1.50 KB`; not a positive number ⇒ `0 Bytes`. */
export function formatSize(bytes: number, locale: string): string {
  let value = Number(bytes);
  if (!Number.isFinite(value) || value <= 0) return '0 Bytes';
  let unit = 0;
  while (value >= 1024 && unit < SIZE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const number = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value);
  return `${number} ${SIZE_UNITS[unit]}`;
}

/** `just now`, `45 seconds ago`, `2 days ago`, `in 3 hours`, `1 year and 1 month ago`; `""` when unparsable. */
export function relativeTime(text: string | null | undefined, now: Date): string {
  const d = parseStoredDate(text);
  if (!d) return '';
  const diff = now.getTime() - d.getTime();
  const seconds = Math.floor(Math.abs(diff) / 1000);
  if (seconds < 15) return 'just now';
  // elapsedText measures the past from a minute up; a future date is mirrored into the past.
  const magnitude = seconds < 60 ? `${seconds} seconds` : elapsedText(new Date(now.getTime() - Math.abs(diff)).toISOString(), now);
  return diff > 0 ? `${magnitude} ago` : `in ${magnitude}`;
}

function toleranceLabel(code: string): string {
  return TOLERANCES[Object.hasOwn(TOLERANCES, code) ? (code as ToleranceCode) : DEFAULT_TOLERANCE].label;
}

/** A stored JSON array of log lines, without null/empty entries; anything else ⇒ []. */
function logLines(json: string | null | undefined): string[] {
  try {
    const value: unknown = JSON.parse(json ?? '[]');
    return Array.isArray(value) ? value.filter((l): l is string => typeof l === 'string' && l.trim() !== '') : [];
  } catch {
    return [];
  }
}

function locale(settings: FormatSettings): TemplateLanguage {
  return isTemplateLanguage(settings.language) ? settings.language : DEFAULT_LANGUAGE;
}

function commonVariables(server: ServerInfo, backupName: string, interval: string): Record<(typeof COMMON_VARIABLES)[number], string> {
  const alias = server.alias?.trim();
  return {
    server_name: server.name,
    server_id: server.id,
    server_alias: alias ? `${alias} (${server.name})` : server.name,
    server_note: server.note ?? '',
    server_url: server.serverUrl ?? '',
    backup_name: backupName,
    backup_interval_value: interval, // legacy alias of {backup_interval}
    backup_interval_type: '', // legacy, always empty
  };
}

/** Variables of a backup-report notification (success and warning templates). */
export function backupVariables(run: BackupRun, server: ServerInfo, settings: FormatSettings = {}): BackupVariables {
  const loc = locale(settings);
  const warnings = logLines(run.warningsArray);
  const errors = logLines(run.errorsArray);
  const log = warnings.length + errors.length > 0 ? [...warnings, ...errors] : logLines(run.messagesArray);
  return {
    ...commonVariables(server, run.backupName, ''),
    status: run.status,
    backup_date: formatDateTime(run.date, loc, settings.timeZone),
    duration: formatHumanDuration(run.durationSeconds),
    uploaded_size: formatSize(run.uploadedSize, loc),
    storage_size: formatSize(run.knownFileSize, loc),
    available_versions: formatInteger(run.backupListCount, loc),
    file_count: formatInteger(run.examinedFiles, loc),
    file_size: formatSize(run.sizeOfExaminedFiles, loc),
    messages_count: formatInteger(run.messagesActualLength, loc),
    warnings_count: formatInteger(run.warnings, loc),
    errors_count: formatInteger(run.errors, loc),
    log_text: log.join('\n'),
  };
}

/** Variables of an overdue alert. */
export function overdueVariables(job: OverdueJob, server: ServerInfo, settings: FormatSettings = {}): OverdueVariables {
  const loc = locale(settings);
  const now = settings.now ?? new Date();
  return {
    ...commonVariables(server, job.backupName, job.expectedInterval),
    last_backup_date: formatDateTime(job.lastBackupDate, loc, settings.timeZone),
    last_elapsed: relativeTime(job.lastBackupDate, now),
    expected_date: formatDateTime(job.expectedDate, loc, settings.timeZone),
    expected_elapsed: relativeTime(job.expectedDate, now) || 'N/A',
    backup_interval: job.expectedInterval,
    overdue_tolerance: toleranceLabel(job.tolerance),
  };
}

// ---- Substitution (§9.5, §9.6) ----------------------------------------------------------------

// `{{name}}` (escaped, renders as `{name}`) or `{name}`.
const PLACEHOLDER = /\{\{([0-9A-Za-z_]+)\}\}|\{([0-9A-Za-z_]+)\}/g;

function substitute(text: string, replace: (name: string, placeholder: string) => string): string {
  return text.replace(PLACEHOLDER, (whole, escaped: string | undefined, name: string | undefined) =>
    escaped !== undefined ? `{${escaped}}` : replace(name!, whole),
  );
}

/** §9.5: known variables become their value, unknown or null ones the empty string. */
export function renderTemplate(text: string, vars: Readonly<Record<string, unknown>>): string {
  return substitute(text, (name) => {
    const value = Object.hasOwn(vars, name) ? vars[name] : undefined;
    return value == null ? '' : String(value);
  });
}

/** Title and message rendered; priority and tags as they are. */
export function renderNotification(template: NotificationTemplate, vars: Readonly<Record<string, unknown>>): NotificationTemplate {
  return { ...template, title: renderTemplate(template.title, vars), message: renderTemplate(template.message, vars) };
}

/** Placeholders a template uses that its kind does not offer (each once, in order of appearance). */
export function unknownVariables(kind: TemplateKind, text: string): string[] {
  const unknown = new Set<string>();
  substitute(text, (name, placeholder) => {
    if (!TEMPLATE_VARIABLES[kind].includes(name)) unknown.add(name);
    return placeholder;
  });
  return [...unknown];
}

/** For the templates POST: every posted template whose title or message uses unknown variables. */
export function findUnknownVariables(
  templates: Partial<Record<TemplateKind, Partial<NotificationTemplate> | null>>,
): Array<{ template: TemplateKind; variables: string[] }> {
  return TEMPLATE_KINDS.flatMap((kind) => {
    const t = templates[kind];
    const variables = [...new Set([...unknownVariables(kind, t?.title ?? ''), ...unknownVariables(kind, t?.message ?? '')])];
    return variables.length > 0 ? [{ template: kind, variables }] : [];
  });
}

// The variables a test send shows by name; overdue-only ones stay as typed (§9.6).
const TEST_NAMED = new Set([
  'server_name',
  'server_alias',
  'server_note',
  'server_url',
  'backup_name',
  'backup_date',
  'status',
  'messages_count',
  'warnings_count',
  'errors_count',
  'duration',
  'file_count',
  'file_size',
  'uploaded_size',
  'storage_size',
  'available_versions',
]);
const TEST_LOG_TEXT = 'Sample warning 1\nSample error 1\nSample message 1';

/** §9.6 for one text: recognised placeholders show their own name, the rest stay untouched. */
export function renderTestText(text: string): string {
  return substitute(text, (name, placeholder) => {
    if (name === 'log_text') return TEST_LOG_TEXT;
    return TEST_NAMED.has(name) ? name : placeholder;
  });
}

/** §9.6 for a posted template; blank title/message fall back to `Test Notification`/`Test message`. */
export function renderTestTemplate(template: { title?: string; message?: string }): { title: string; message: string } {
  return {
    title: template.title?.trim() ? renderTestText(template.title) : 'Test Notification',
    message: template.message?.trim() ? renderTestText(template.message) : 'Test message',
  };
}
