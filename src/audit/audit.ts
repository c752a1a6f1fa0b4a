// audit(): the one way every write records who did what (spec 04 §9). Never fails the caller.
import type { Database } from '../db/client.ts';
import { insertStatement } from '../db/insert-statement.ts';
import { auditLog } from '../db/schema.ts';

export type AuditCategory = 'auth' | 'user' | 'config' | 'backup' | 'server' | 'system';
export type AuditStatus = 'success' | 'failure' | 'error';

/** Who acted, and from where; `username: 'system'` for the daemon itself. */
export interface Actor {
  userId?: string | null;
  username?: string | null;
  ipAddress?: string | null;
  userAgent?: string | null;
}

export interface AuditEntry {
  action: string;
  category: AuditCategory;
  status?: AuditStatus;
  targetType?: string | null;
  targetId?: string | null;
  details?: Record<string, unknown> | null;
  errorMessage?: string | null;
}

export const SYSTEM: Actor = { username: 'system' };

const SENSITIVE = ['password', 'csrftoken', 'csrf_token', 'sessionid', 'session_id', 'token', 'secret', 'apikey', 'api_key'];
const ALLOWED = new Set(['must_change_password', 'mustChangePassword']);

/** Top-level keys that look like secrets are replaced (spec 04 §9.3). */
export function sanitizeDetails(details: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(details).map(([key, value]) => {
      const lower = key.toLowerCase();
      const secret = !ALLOWED.has(key) && SENSITIVE.some((s) => lower.includes(s));
      return [key, secret ? '[REDACTED]' : value];
    }),
  );
}

function auditValues(actor: Actor, entry: AuditEntry): typeof auditLog.$inferInsert {
  return {
    userId: actor.userId ?? null,
    username: actor.username ?? null,
    ipAddress: actor.ipAddress ?? null,
    userAgent: actor.userAgent ?? null,
    action: entry.action,
    category: entry.category,
    status: entry.status ?? 'success',
    targetType: entry.targetType ?? null,
    targetId: entry.targetId ?? null,
    details: entry.details ? JSON.stringify(sanitizeDetails(entry.details)) : null,
    errorMessage: entry.errorMessage ?? null,
  };
}

/** The audit row as a drizzle query, to commit in the same batch as the change it records. */
export function auditInsert(db: Database, actor: Actor, entry: AuditEntry) {
  return db.orm.insert(auditLog).values(auditValues(actor, entry));
}

/** The same row as a plain statement, for client.batch on the upload path. */
export function auditStatement(actor: Actor, entry: AuditEntry) {
  return insertStatement(auditLog, auditValues(actor, entry));
}

export async function audit(db: Database, actor: Actor, entry: AuditEntry): Promise<void> {
  try {
    await auditInsert(db, actor, entry);
  } catch (error) {
    console.error(`[audit] could not record ${entry.action}:`, (error as Error).message);
  }
}
