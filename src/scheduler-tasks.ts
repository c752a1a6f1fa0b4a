// The work behind the scheduler's two tasks (spec 03 §10.1, spec 04 §9.9), shaped as the task
// results of §10.1. server.ts hands them to createScheduler().
import { audit, SYSTEM } from './audit/audit.ts';
import { cleanupAudit, retentionDays } from './audit/retention.ts';
import type { Database } from './db/client.ts';

/**
 * `audit-log-cleanup`: delete audit rows older than `audit_retention_days` (default 90). A stored
 * value outside 30–365 deletes nothing: an `audit_cleanup` error event is logged and 0 reported —
 * the task itself still succeeds.
 */
export async function auditLogCleanupTask(db: Database, now: Date): Promise<{ message: string; deletedCount: number }> {
  const days = await retentionDays(db);
  if (!(Number.isInteger(days) && days >= 30 && days <= 365)) {
    const errorMessage = 'Retention days must be between 30 and 365';
    console.error(`[scheduler] audit-log-cleanup: ${errorMessage} (audit_retention_days = ${days}); nothing deleted`);
    await audit(db, SYSTEM, { action: 'audit_cleanup', category: 'system', status: 'error', details: { retentionDays: days, deletedCount: 0 }, errorMessage });
    return { message: `Cleaned up 0 audit log entries older than ${days} days`, deletedCount: 0 };
  }
  const result = await cleanupAudit(db, { retentionDays: days }, SYSTEM, now);
  if (!result.ok) throw new Error(result.message);
  const { deletedCount } = result.value as { deletedCount: number };
  return { message: `Cleaned up ${deletedCount} audit log entries older than ${days} days`, deletedCount };
}

/** `overdue-backup-check`: the scheduled (force = false) overdue check; §10.1 result message. */
export async function overdueCheckTask(check: () => Promise<{ statistics?: unknown }>): Promise<{ message: string; statistics: unknown }> {
  const { statistics } = await check();
  return { message: 'Task executed successfully', statistics: statistics ?? { checkedBackups: 0, overdueBackupsFound: 0, notificationsSent: 0 } };
}
