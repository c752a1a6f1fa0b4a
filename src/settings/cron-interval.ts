// The overdue-check interval codes of spec 03 §10.2: code ↔ task configuration, with the labels
// the audit entry `overdue_monitoring_interval_updated` records.
import type { CronTask } from './store.ts';

export const OVERDUE_TASK = 'overdue-backup-check';

export const CRON_INTERVALS = {
  disabled: { cronExpression: '0 0 1 1 0', enabled: false, label: 'Disabled' },
  '1min': { cronExpression: '*/1 * * * *', enabled: true, label: '1 minute' },
  '5min': { cronExpression: '*/5 * * * *', enabled: true, label: '5 minutes' },
  '10min': { cronExpression: '*/10 * * * *', enabled: true, label: '10 minutes' },
  '15min': { cronExpression: '*/15 * * * *', enabled: true, label: '15 minutes' },
  '20min': { cronExpression: '*/20 * * * *', enabled: true, label: '20 minutes' },
  '30min': { cronExpression: '*/30 * * * *', enabled: true, label: '30 minutes' },
  '1hour': { cronExpression: '0 * * * *', enabled: true, label: '1 hour' },
  '2hours': { cronExpression: '0 */2 * * *', enabled: true, label: '2 hours' },
} as const;

export type CronInterval = keyof typeof CRON_INTERVALS;
export const DEFAULT_CRON_INTERVAL: CronInterval = '5min';

export const isCronInterval = (value: unknown): value is CronInterval => typeof value === 'string' && Object.hasOwn(CRON_INTERVALS, value);

/** The task configuration an interval code stands for. */
export function taskForInterval(code: CronInterval): CronTask {
  const { cronExpression, enabled } = CRON_INTERVALS[code];
  return { cronExpression, enabled };
}

const collapse = (s: unknown) => (typeof s === 'string' ? s.trim().replace(/\s+/g, ' ') : '');

/** Back from a task to its code: expression (whitespace collapsed) and `enabled` must match; else `5min`. */
export function intervalOf(task: CronTask | undefined): CronInterval {
  if (!task) return DEFAULT_CRON_INTERVAL;
  const found = (Object.keys(CRON_INTERVALS) as CronInterval[]).find(
    (code) => CRON_INTERVALS[code].cronExpression === collapse(task.cronExpression) && CRON_INTERVALS[code].enabled === Boolean(task.enabled),
  );
  return found ?? DEFAULT_CRON_INTERVAL;
}
