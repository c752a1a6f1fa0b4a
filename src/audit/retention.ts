// Audit retention (spec 04 §9.7–9.9; decision 17: 90 days by default, 30–365 allowed).
import { count, gte, lt, min } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { readSetting, writeSetting } from '../db/settings.ts';
import { auditLog } from '../db/schema.ts';
import { fail, ok, type Outcome } from '../outcome.ts';
import { audit, auditInsert, type Actor } from './audit.ts';

export const DEFAULT_RETENTION_DAYS = 90;
const inRange = (days: number) => Number.isInteger(days) && days >= 30 && days <= 365;

export async function retentionDays(db: Database): Promise<number> {
  const stored = Number(await readSetting(db, 'audit_retention_days'));
  return Number.isInteger(stored) && stored > 0 ? stored : DEFAULT_RETENTION_DAYS;
}

export async function setRetentionDays(db: Database, value: unknown, actor: Actor): Promise<Outcome<number>> {
  if (typeof value !== 'number' || value === 0) return fail(400, 'retentionDays must be a number');
  if (!inRange(value)) return fail(400, 'Retention days must be between 30 and 365');
  const oldValue = String(await retentionDays(db));
  await writeSetting(db, 'audit_retention_days', String(value));
  await audit(db, actor, { action: 'audit_retention_updated', category: 'config', targetType: 'configuration', targetId: 'audit_retention_days', details: { oldValue, newValue: String(value) } });
  return ok(value);
}

/** SQLite-timestamp text of `now − days`, comparable with audit_log.timestamp. */
function cutoff(now: Date, days: number): string {
  return new Date(now.getTime() - days * 86400_000).toISOString().replace('T', ' ').slice(0, 19);
}

async function oldestFrom(db: Database, limit?: string): Promise<string | null> {
  const [row] = await db.orm.select({ t: min(auditLog.timestamp) }).from(auditLog).where(limit ? gte(auditLog.timestamp, limit) : undefined);
  return row?.t ?? null;
}

export async function cleanupAudit(db: Database, options: { retentionDays?: unknown; dryRun?: boolean }, actor: Actor, now: Date) {
  let days: number;
  if (options.retentionDays) {
    days = Number.parseInt(String(options.retentionDays), 10);
    if (!inRange(days)) return fail(400, 'Retention days must be between 30 and 365');
  } else {
    days = await retentionDays(db);
  }
  const limit = cutoff(now, days);
  // Rows written from now on are never older than the cut-off, so this count is what the delete removes.
  const [{ n }] = await db.orm.select({ n: count() }).from(auditLog).where(lt(auditLog.timestamp, limit));
  if (options.dryRun) {
    return ok({ dryRun: true, wouldDeleteCount: n, oldestRemaining: await oldestFrom(db, limit), retentionDays: days, cutoffDate: limit.slice(0, 10) });
  }
  await db.orm.batch([
    db.orm.delete(auditLog).where(lt(auditLog.timestamp, limit)),
    auditInsert(db, actor, { action: 'audit_cleanup', category: 'system', details: { retentionDays: days, deletedCount: n } }),
  ]);
  return ok({ success: true, deletedCount: n, oldestRemaining: await oldestFrom(db), retentionDays: days });
}
