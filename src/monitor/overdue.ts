// The one home of "when is a backup job next expected, and is it overdue" (spec 03 §3–§4, 02 §1,
// decisions 8 and 17). Pure functions: the clock is always passed in, all date arithmetic is UTC.

import { addInterval, intervalLengthDays, parseInterval } from './interval.ts';

export type NotificationEvent = 'all' | 'warnings' | 'errors' | 'off';

/** Per-job record stored under backup_settings["<serverId>:<backupName>"] (spec 03 §3.1). */
export interface BackupSettings {
  notificationEvent: NotificationEvent;
  overdueBackupCheckEnabled: boolean;
  expectedInterval: string;
  /** UTC weekdays, 0 = Sunday; missing or empty = every day. */
  allowedWeekDays?: number[];
  /** Next expected run (moving anchor), ISO, or '' when not yet known. */
  time: string;
  /** Newest run seen when `time` was last computed. */
  lastBackupDate?: string;
  ntfyEnabled: boolean;
  emailEnabled: boolean;
  additionalNotificationEvent?: NotificationEvent;
  additionalEmails?: string;
  additionalNtfyTopic?: string;
}

export function defaultBackupSettings(): BackupSettings {
  return {
    notificationEvent: 'warnings',
    overdueBackupCheckEnabled: true,
    expectedInterval: '1D',
    allowedWeekDays: [0, 1, 2, 3, 4, 5, 6],
    time: '',
    ntfyEnabled: true,
    emailEnabled: true,
  };
}

/** Global overdue tolerance codes (spec 03 §3.5); the label is what templates show. */
export const TOLERANCES = {
  no_tolerance: { minutes: 0, label: 'No tolerance' },
  '5min': { minutes: 5, label: '5 min' },
  '15min': { minutes: 15, label: '15 min' },
  '30min': { minutes: 30, label: '30 min' },
  '1h': { minutes: 60, label: '1 hour' },
  '2h': { minutes: 120, label: '2 hours' },
  '4h': { minutes: 240, label: '4 hours' },
  '6h': { minutes: 360, label: '6 hours' },
  '12h': { minutes: 720, label: '12 hours' },
  '1d': { minutes: 1440, label: '1 day' },
} as const satisfies Record<string, { minutes: number; label: string }>;

export type ToleranceCode = keyof typeof TOLERANCES;

/** Decision 17: the reference's docs and code disagree; 2 hours wins. */
export const DEFAULT_TOLERANCE: ToleranceCode = '2h';

/** Minutes for a stored tolerance code; anything unknown (or missing) reads as the default. */
export function toleranceMinutes(code: string | null | undefined): number {
  // hasOwn, so "toString" and friends are not mistaken for codes.
  const known = code != null && Object.hasOwn(TOLERANCES, code);
  return TOLERANCES[known ? (code as ToleranceCode) : DEFAULT_TOLERANCE].minutes;
}

const NOT_AVAILABLE = 'N/A';
const MAX_STEPS = 50_000;
const ONE_DAY = [{ value: 1, unit: 'D' as const }];

function parseDate(text: string, what: string): Date {
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) throw new Error(`Invalid ${what} date: "${text}"`);
  return d;
}

/**
 * First expected run strictly more than 1 s after `lastBackup`, starting from the anchor `base` and
 * stepping by `interval`, on an allowed UTC weekday (spec 03 §4.2). Returns an ISO string; throws on an
 * invalid date, an unusable interval, or when a step cap is reached.
 */
export function nextRun(lastBackup: string, base: string, interval: string, allowedWeekDays?: number[]): string {
  const after = parseDate(lastBackup, 'lastBackup').getTime() + 1000;
  const start = parseDate(base, 'base');
  const days = allowedWeekDays ?? [];
  const allowed = (d: Date) => days.length === 0 || days.includes(d.getUTCDay());

  if (start.getTime() >= after && allowed(start)) return start.toISOString();

  // Parsed only now, so an anchor that already qualifies survives a bad interval (§4.2).
  const tokens = parseInterval(interval);
  let c = start;
  for (let i = 0; i < MAX_STEPS && c.getTime() <= after; i++) c = addInterval(c, tokens);
  // Written as !(c > after) so that an interval overflowing into an invalid date also throws.
  if (!(c.getTime() > after)) throw new Error(`No run after ${lastBackup} within ${MAX_STEPS} steps of ${interval}`);
  if (allowed(c)) return c.toISOString();

  // Day-or-longer intervals slide to the next allowed day; sub-day ones keep their own rhythm (§4.5 ex. 9).
  const longInterval = intervalLengthDays(tokens) >= 1;
  const step = longInterval ? ONE_DAY : tokens;
  for (let i = 0; i < (longInterval ? 8 : MAX_STEPS); i++) {
    c = addInterval(c, step);
    if (allowed(c)) return c.toISOString();
  }
  throw new Error(`No allowed weekday found after ${lastBackup} for interval ${interval}`);
}

function nextRunOr(fallback: string, ...args: Parameters<typeof nextRun>): string {
  try {
    return nextRun(...args);
  } catch {
    return fallback;
  }
}

/** §4.3 step 2: move the anchor to the first slot after `latest`, keeping its time of day. */
function advanceAnchor(s: BackupSettings, latest: string): string {
  const last = parseDate(latest, 'latest backup');
  let t = s.time || latest;
  const anchor = parseDate(t, 'anchor');
  if (anchor > last) {
    // A future anchor (imported, or set by hand) is first pulled back onto the newest run's UTC day.
    const rebased = Date.UTC(
      last.getUTCFullYear(), last.getUTCMonth(), last.getUTCDate(),
      anchor.getUTCHours(), anchor.getUTCMinutes(), anchor.getUTCSeconds(), anchor.getUTCMilliseconds(),
    );
    t = rebased <= last.getTime() ? new Date(rebased).toISOString() : latest;
  }
  // t <= latest now, and nextRun always returns a time after latest, so the reference's
  // "while t <= latest (max 1000 rounds)" loop ends after this single call.
  return nextRun(latest, t, s.expectedInterval, s.allowedWeekDays);
}

/**
 * Reconciles one job's record with its newest run `latest` (spec 03 §4.3). Jobs without runs are left
 * alone. Never mutates `entry`; returns it unchanged (same object) when nothing moved.
 */
export function reconcileSettings(
  entry: BackupSettings | undefined,
  latest: string | null,
  force: boolean,
): { settings: BackupSettings | undefined; changed: boolean } {
  if (!latest) return { settings: entry, changed: false };

  let s: BackupSettings = entry ?? {
    ...defaultBackupSettings(),
    lastBackupDate: latest,
    time: nextRunOr(latest, latest, latest, '1D'),
  };
  const anchorWasEmpty = !s.time;

  if (force || s.lastBackupDate !== latest) {
    try {
      s = { ...s, lastBackupDate: latest, time: advanceAnchor(s, latest) };
    } catch {
      // e.g. an invalid interval: keep the anchor, but remember which run we have seen.
      s = { ...s, lastBackupDate: latest };
    }
  }
  if (anchorWasEmpty) s = { ...s, time: nextRunOr(latest, latest, latest, s.expectedInterval, s.allowedWeekDays) };

  const changed = !entry || s.time !== entry.time || s.lastBackupDate !== entry.lastBackupDate;
  return { settings: changed ? s : entry, changed };
}

/**
 * The effective next expected run, used by summary, dashboard, detail and the overdue check alike.
 * null = the job is not monitored. Pass reconciled settings.
 */
export function dueAt(input: {
  settings: BackupSettings | undefined;
  latest: string | null;
  duplicatiNextRun?: string | null;
}): string | null {
  const { settings, latest, duplicatiNextRun } = input;
  if (!settings?.overdueBackupCheckEnabled) return null;
  if (!latest || latest === NOT_AVAILABLE || !settings.time || settings.time === NOT_AVAILABLE) return null;

  // Decision 8: Duplicati's own schedule is more exact than a configured interval, but only while it
  // is still ahead of the newest run; otherwise it is stale (e.g. a manual run went past it).
  const scheduled = duplicatiNextRun ? Date.parse(duplicatiNextRun) : NaN;
  if (scheduled > Date.parse(latest)) return new Date(scheduled).toISOString();

  try {
    return nextRun(latest, settings.time, settings.expectedInterval, settings.allowedWeekDays);
  } catch {
    const anchor = Date.parse(settings.time);
    return Number.isNaN(anchor) ? null : new Date(anchor).toISOString();
  }
}

/** Overdue ⇔ now > due + tolerance, strictly, in whole milliseconds (spec 03 §4.4). */
export function isOverdue(due: string | null, toleranceMin: number, now: Date): boolean {
  if (due === null) return false;
  const dueMs = Date.parse(due);
  return !Number.isNaN(dueMs) && now.getTime() > dueMs + toleranceMin * 60_000;
}

/**
 * The same rule turned around for SQL: a job is overdue iff its dueAt (toISOString form) < the returned
 * string, so `due_at < ?` can use an index. ISO strings of one shape sort like the instants they name.
 */
export function overdueThreshold(toleranceMin: number, now: Date): string {
  return new Date(now.getTime() - toleranceMin * 60_000).toISOString();
}
