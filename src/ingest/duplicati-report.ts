// Duplicati JSON report (POST /api/upload body) -> one backup run, or a reason why not.
// Spec 01 §1.2/§2 as amended by decisions 2 and 4–8.
import type { NewBackup } from '../db/schema.ts';
import { parseDotNetDuration } from './duration.ts';
import { buildMessageArrays } from './log-lines.ts';
import { toIsoUtc, parseNextScheduledRun } from './timestamps.ts';
import { parseAvailableBackups } from './versions.ts';

export interface ParsedRun {
  row: Omit<NewBackup, 'id' | 'createdAt'>;
  machineName: string;
  nextScheduledRun: string | null;
}

export type ParseOutcome =
  | { kind: 'run'; run: ParsedRun }
  | { kind: 'ignored'; operation: string }
  | { kind: 'invalid'; error: string; message: string; extra?: Record<string, unknown> };

type Json = Record<string, unknown>;

const IDENTITY = ['machine-id', 'machine-name', 'backup-name'] as const;

const DATA_COUNTERS = {
  deletedFiles: 'DeletedFiles',
  deletedFolders: 'DeletedFolders',
  modifiedFiles: 'ModifiedFiles',
  examinedFiles: 'ExaminedFiles',
  openedFiles: 'OpenedFiles',
  addedFiles: 'AddedFiles',
  sizeOfModifiedFiles: 'SizeOfModifiedFiles',
  sizeOfAddedFiles: 'SizeOfAddedFiles',
  sizeOfExaminedFiles: 'SizeOfExaminedFiles',
  sizeOfOpenedFiles: 'SizeOfOpenedFiles',
  notProcessedFiles: 'NotProcessedFiles',
  addedFolders: 'AddedFolders',
  tooLargeFiles: 'TooLargeFiles',
  filesWithError: 'FilesWithError',
  modifiedFolders: 'ModifiedFolders',
  modifiedSymlinks: 'ModifiedSymlinks',
  addedSymlinks: 'AddedSymlinks',
  deletedSymlinks: 'DeletedSymlinks',
  messagesActualLength: 'MessagesActualLength',
  warningsActualLength: 'WarningsActualLength',
  errorsActualLength: 'ErrorsActualLength',
} as const;

const BACKEND_COUNTERS = {
  uploadedSize: 'BytesUploaded',
  bytesDownloaded: 'BytesDownloaded',
  knownFileSize: 'KnownFileSize',
  backupListCount: 'BackupListCount',
  backendWarningsActualLength: 'WarningsActualLength',
  backendErrorsActualLength: 'ErrorsActualLength',
} as const;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const absent = (v: unknown) => v === undefined || v === null;

/** Reads typed fields from one section and remembers every field whose type is wrong. */
class SectionReader {
  readonly wrong: string[] = [];
  constructor(
    private readonly section: Json,
    private readonly prefix: string,
  ) {}

  count(key: string): number {
    const v = this.section[key];
    if (absent(v)) return 0;
    if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v);
    this.wrong.push(`${this.prefix}${key} (expected a number)`);
    return 0;
  }

  flag(key: string): number {
    const v = this.section[key];
    if (absent(v)) return 0;
    if (typeof v === 'boolean' || v === 0 || v === 1) return v ? 1 : 0;
    this.wrong.push(`${this.prefix}${key} (expected true or false)`);
    return 0;
  }

  text(key: string): string | null {
    const v = this.section[key];
    if (absent(v)) return null;
    if (typeof v === 'string') return v;
    this.wrong.push(`${this.prefix}${key} (expected a string)`);
    return null;
  }

  /** Optional date: unset (.NET year 1) and absent mean unknown; garbage is an error. */
  date(key: string): string | null {
    const raw = this.text(key);
    if (raw === null || raw === '') return null;
    const iso = toIsoUtc(raw);
    if (iso === null && !isUnsetDotNetDate(raw)) this.wrong.push(`${this.prefix}${key} (not a date: ${JSON.stringify(raw)})`);
    return iso;
  }
}

function isUnsetDotNetDate(text: string): boolean {
  return /^0001-01-01T00:00:00/.test(text);
}

function invalid(error: string, message: string, extra?: Record<string, unknown>): ParseOutcome {
  return { kind: 'invalid', error, message, extra };
}

export function parseDuplicatiReport(body: unknown, timeZone?: string): ParseOutcome {
  if (!isObject(body)) {
    const got = Array.isArray(body) ? 'an array' : body === null ? 'null' : `a ${typeof body}`;
    return invalid('Invalid report', `The body must be a JSON object with Data and Extra sections, got ${got}`);
  }
  const { Data: data = {}, Extra: extra = {} } = body;
  if (!isObject(data)) return invalid('Invalid report', 'Data must be a JSON object');
  if (!isObject(extra)) return invalid('Invalid report', 'Extra must be a JSON object');

  // Decision 5: other operations are acknowledged (Duplicati retries non-2xx) but not stored.
  const operation = typeof data.MainOperation === 'string' && data.MainOperation ? data.MainOperation : 'Backup';
  if (operation !== 'Backup') return { kind: 'ignored', operation };

  const missing = IDENTITY.filter((k) => typeof extra[k] !== 'string' || (extra[k] as string).trim() === '');
  if (missing.length) {
    return invalid(`Missing required fields in Extra section: ${missing.join(', ')}`, 'Extra must carry machine-id, machine-name and backup-name as non-empty strings', { missingFields: missing });
  }
  if (absent(data.BeginTime) || data.BeginTime === '') {
    return invalid('Missing required fields in Data section: BeginTime', 'Data.BeginTime is required', { missingFields: ['BeginTime'] });
  }
  const date = typeof data.BeginTime === 'string' ? toIsoUtc(data.BeginTime) : null;
  if (date === null) {
    return invalid('Invalid BeginTime', `Data.BeginTime is not a date: ${JSON.stringify(data.BeginTime)}`);
  }

  const d = new SectionReader(data, 'Data.');
  const backend = isObject(data.BackendStatistics) ? data.BackendStatistics : {};
  if (!absent(data.BackendStatistics) && !isObject(data.BackendStatistics)) d.wrong.push('Data.BackendStatistics (expected an object)');
  const b = new SectionReader(backend, 'Data.BackendStatistics.');
  const x = new SectionReader(extra, 'Extra.');

  const counters = Object.fromEntries(Object.entries(DATA_COUNTERS).map(([col, key]) => [col, d.count(key)])) as Record<keyof typeof DATA_COUNTERS, number>;
  const backendCounters = Object.fromEntries(Object.entries(BACKEND_COUNTERS).map(([col, key]) => [col, b.count(key)])) as Record<keyof typeof BACKEND_COUNTERS, number>;
  const parsedResult = d.text('ParsedResult') || 'Unknown';
  const endTime = d.date('EndTime');
  const durationSeconds = readDuration(d, data.Duration, date, endTime);
  const backupId = x.text('backup-id') ?? '';
  const version = d.text('Version');
  const row = {
    serverId: extra['machine-id'] as string,
    backupName: extra['backup-name'] as string,
    backupId,
    date,
    beginTime: date,
    endTime,
    // Spec 01 §2.6.1: a Success with warnings is shown as a Warning; parsed_result keeps the original.
    status: parsedResult === 'Success' && counters.warningsActualLength > 0 ? 'Warning' : parsedResult,
    parsedResult,
    mainOperation: operation,
    durationSeconds,
    size: counters.sizeOfExaminedFiles,
    warnings: counters.warningsActualLength,
    errors: counters.errorsActualLength,
    ...counters,
    ...backendCounters,
    partialBackup: d.flag('PartialBackup'),
    dryrun: d.flag('Dryrun'),
    interrupted: d.flag('Interrupted'),
    version,
    lastBackupDate: b.date('LastBackupDate'),
    reportedQuotaError: b.flag('ReportedQuotaError'),
    reportedQuotaWarning: b.flag('ReportedQuotaWarning'),
    backendMainOperation: b.text('MainOperation'),
    backendParsedResult: b.text('ParsedResult'),
    backendInterrupted: b.flag('Interrupted'),
    backendVersion: b.text('Version'),
    backendBeginTime: b.date('BeginTime'),
    backendDuration: b.text('Duration'),
  };
  const nextRunText = x.text('next-scheduled-run');
  const wrong = [...d.wrong, ...b.wrong, ...x.wrong];
  if (wrong.length) {
    return invalid('Invalid field types in report', `These fields have the wrong type or format: ${wrong.join('; ')}`, { invalidFields: wrong });
  }

  const logs = buildMessageArrays({ Data: data, LogLines: body.LogLines, Exception: body.Exception });
  return {
    kind: 'run',
    run: {
      row: {
        ...row,
        messagesArray: JSON.stringify(logs.messages),
        warningsArray: JSON.stringify(logs.warnings),
        errorsArray: JSON.stringify(logs.errors),
        availableBackups: JSON.stringify(parseAvailableBackups(logs.messages, { beginTime: date, timeZone })),
      },
      machineName: extra['machine-name'] as string,
      nextScheduledRun: parseNextScheduledRun(nextRunText),
    },
  };
}

// Duration is optional: when absent it is derived from the run's own times, else 0 (decision 4).
function readDuration(d: SectionReader, raw: unknown, begin: string, end: string | null): number {
  if (absent(raw) || raw === '') {
    return end && end >= begin ? (Date.parse(end) - Date.parse(begin)) / 1000 : 0;
  }
  const seconds = parseDotNetDuration(raw);
  if (seconds === null) d.wrong.push(`Data.Duration (not a [d.]hh:mm:ss duration: ${JSON.stringify(raw)})`);
  return seconds ?? 0;
}
