// Reading the audit trail (spec 04 §9.1, §9.4–9.6): filters, pages, CSV/JSON export.
import { and, asc, count, desc, eq, gte, lt, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { auditLog, type AuditRow } from '../db/schema.ts';

export interface AuditFilter {
  startDate?: string;
  endDate?: string;
  userId?: string;
  username?: string;
  action?: string;
  category?: string;
  status?: string;
}

export const MAX_EXPORT_ROWS = 10_000;

function where(f: AuditFilter): SQL | undefined {
  const exact = (['userId', 'username', 'action', 'category', 'status'] as const)
    .filter((k) => f[k])
    .map((k) => eq(auditLog[k], f[k]!));
  return and(
    ...exact,
    f.startDate ? gte(auditLog.timestamp, f.startDate) : undefined,
    // The end date includes its whole day.
    f.endDate ? lt(auditLog.timestamp, sql`datetime(${f.endDate}, '+1 day')`) : undefined,
  );
}

export function auditRecord(r: AuditRow) {
  let details: unknown = null;
  try {
    details = r.details ? JSON.parse(r.details) : null;
  } catch {
    details = r.details;
  }
  return {
    id: r.id, timestamp: r.timestamp, userId: r.userId, username: r.username, action: r.action, category: r.category,
    targetType: r.targetType, targetId: r.targetId, details, ipAddress: r.ipAddress, userAgent: r.userAgent,
    status: r.status, errorMessage: r.errorMessage,
  };
}

export type AuditRecord = ReturnType<typeof auditRecord>;

export async function listAudit(db: Database, filter: AuditFilter, page: { limit: number; offset: number }) {
  const condition = where(filter);
  const [{ total }] = await db.orm.select({ total: count() }).from(auditLog).where(condition);
  const rows = await db.orm.select().from(auditLog).where(condition).orderBy(desc(auditLog.timestamp), desc(auditLog.id)).limit(page.limit).offset(page.offset);
  return { logs: rows.map(auditRecord), total };
}

export async function exportAudit(db: Database, filter: AuditFilter): Promise<AuditRecord[]> {
  const rows = await db.orm.select().from(auditLog).where(where(filter)).orderBy(desc(auditLog.timestamp), desc(auditLog.id)).limit(MAX_EXPORT_ROWS);
  return rows.map(auditRecord);
}

export async function auditFilterValues(db: Database) {
  const distinct = async (column: typeof auditLog.action | typeof auditLog.category | typeof auditLog.status) =>
    (await db.orm.selectDistinct({ v: column }).from(auditLog).where(sql`${column} IS NOT NULL AND ${column} <> ''`).orderBy(asc(column))).map((r) => r.v);
  return { actions: await distinct(auditLog.action), categories: await distinct(auditLog.category), statuses: await distinct(auditLog.status) };
}

const CSV_HEADER = 'ID,Timestamp,User ID,Username,Action,Category,Target Type,Target ID,Status,IP Address,User Agent,Details,Error Message';

function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function auditCsv(records: AuditRecord[]): string {
  const lines = records.map((r) =>
    [r.id, r.timestamp, r.userId, r.username, r.action, r.category, r.targetType, r.targetId, r.status, r.ipAddress, r.userAgent, r.details === null ? null : JSON.stringify(r.details), r.errorMessage]
      .map(csvCell)
      .join(','),
  );
  return [CSV_HEADER, ...lines].join('\n');
}
