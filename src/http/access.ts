// THE route -> access level table (decision 9, spec 04 §5.5). The guard reads it for every
// request; a test walks the app's routes and fails when one has no entry here.
export type Level =
  | 'public' // no checks
  | 'login' // POST /api/auth/login: CSRF header rules of spec 04 §5.4 step 2
  | 'session' // a valid session, anonymous allowed (+ CSRF unless GET); reveals nothing but the caller's own state
  | 'user' // a signed-in user (+ CSRF unless GET)
  | 'admin'; // a signed-in administrator (+ CSRF unless GET)

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export const ACCESS: [Method, string, Level][] = [
  ['POST', '/api/upload', 'public'],
  ['GET', '/api/summary', 'public'],
  ['GET', '/api/lastbackup/:serverId', 'public'],
  ['GET', '/api/lastbackups/:serverId', 'public'],
  ['GET', '/api/health', 'public'],
  ['GET', '/api/ping', 'public'],
  ['POST', '/api/session', 'public'],
  ['GET', '/api/session', 'public'],
  ['DELETE', '/api/session', 'public'],
  ['GET', '/api/csrf', 'public'],
  ['GET', '/api/auth/password-policy', 'public'],
  ['GET', '/api/auth/admin-must-change-password', 'public'],
  ['POST', '/api/auth/login', 'login'],
  ['POST', '/api/auth/logout', 'session'],
  ['GET', '/api/auth/me', 'session'],
  ['POST', '/api/auth/change-password', 'user'],
  ['GET', '/api/users', 'admin'],
  ['POST', '/api/users', 'admin'],
  ['PATCH', '/api/users/:id', 'admin'],
  ['DELETE', '/api/users/:id', 'admin'],
  ['GET', '/api/audit-log', 'user'],
  ['GET', '/api/audit-log/filters', 'user'],
  ['GET', '/api/audit-log/download', 'user'],
  ['GET', '/api/audit-log/retention', 'user'],
  ['PATCH', '/api/audit-log/retention', 'admin'],
  ['POST', '/api/audit-log/cleanup', 'admin'],
  ['POST', '/api/notifications/check-overdue', 'user'],
  ['POST', '/api/notifications/clear-overdue-timestamps', 'user'],
  ['POST', '/api/notifications/test', 'user'],
  ['GET', '/api/cron-config', 'user'],
  ['POST', '/api/cron-config', 'user'],
  ['GET', '/api/cron/health', 'user'],
  ['POST', '/api/cron/trigger/:task', 'user'],
  ['POST', '/api/cron/stop/:task', 'user'],
  ['POST', '/api/cron/start/:task', 'user'],
  ['POST', '/api/cron/reload-config', 'user'],
  ['GET', '/api/configuration/unified', 'user'],
  ['GET', '/api/configuration/email', 'user'],
  ['POST', '/api/configuration/email', 'admin'],
  ['DELETE', '/api/configuration/email', 'admin'],
  ['GET', '/api/configuration/email/password', 'user'],
  ['PATCH', '/api/configuration/email/password', 'admin'],
  ['GET', '/api/configuration/notifications', 'user'],
  ['POST', '/api/configuration/notifications', 'admin'],
  ['GET', '/api/configuration/ntfy', 'user'],
  ['GET', '/api/configuration/overdue-tolerance', 'user'],
  ['POST', '/api/configuration/overdue-tolerance', 'admin'],
  ['POST', '/api/configuration/templates', 'admin'],
  ['GET', '/api/configuration/templates/defaults', 'public'],
  ['POST', '/api/configuration/backup-settings', 'admin'],
  ['GET', '/api/configuration/webhook', 'user'],
  ['POST', '/api/configuration/webhook', 'admin'],
  ['DELETE', '/api/configuration/webhook', 'admin'],
  ['GET', '/api/dashboard', 'user'],
  ['GET', '/api/detail/:serverId', 'user'],
  ['GET', '/api/servers', 'user'],
  ['GET', '/api/servers/duplicates', 'admin'],
  ['POST', '/api/servers/merge', 'admin'],
  ['GET', '/api/servers/:id', 'user'],
  ['PATCH', '/api/servers/:id', 'admin'],
  ['DELETE', '/api/servers/:id', 'admin'],
  ['GET', '/api/chart-data/aggregated', 'user'],
  ['GET', '/api/chart-data/server/:serverId', 'user'],
  ['GET', '/api/chart-data/server/:serverId/backup/:backupName', 'user'],
];

const compiled = ACCESS.map(([method, pattern, level]) => ({
  method,
  pattern,
  level,
  regex: new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z]+/g, '[^/]+')}/?$`),
}));

export type Access = { kind: 'level'; level: Level } | { kind: 'wrong-method'; allowed: string[] } | { kind: 'unknown' };

export function accessFor(method: string, path: string): Access {
  const matches = compiled.filter((r) => r.regex.test(path));
  const exact = matches.find((r) => r.method === method || (method === 'HEAD' && r.method === 'GET'));
  if (exact) return { kind: 'level', level: exact.level };
  return matches.length ? { kind: 'wrong-method', allowed: matches.map((r) => r.method) } : { kind: 'unknown' };
}
