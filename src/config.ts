// The only module that reads the environment. Precedence: CLI flags > environment > defaults (decision 14).
import path from 'node:path';
import { passwordPolicy, type PasswordPolicy } from './auth/passwords.ts';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string;
  databaseAuthToken: string | undefined;
  timeZone: string;
  uploadToken: string | undefined;
  development: boolean;
  /** Mark cookies Secure (behind an HTTPS proxy), decision 12. */
  secureCookies: boolean;
  passwordPolicy: PasswordPolicy;
  /** First wait before a failed notification is retried (doubles each retry); env NOTIFY_RETRY_DELAY_MS. */
  notifyRetryDelayMs?: number;
  /** GET /metrics (Prometheus): on with METRICS=true; METRICS_TOKEN makes it want that bearer token. */
  metrics: { enabled: boolean; token?: string };
}

export interface ConfigFlags {
  port?: string | number;
  host?: string;
  dataDir?: string;
  databaseUrl?: string;
}

export class ConfigError extends Error {}

export function loadConfig(flags: ConfigFlags = {}, env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable counts as unset, as in most shells' `VAR= cmd` usage.
  const read = (name: string) => env[name] || undefined;
  const rawPort = flags.port ?? read('PORT') ?? 9666;
  const port = Number(rawPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`Invalid port "${rawPort}": expected an integer from 0 to 65535`);
  }
  const dataDir = path.resolve(flags.dataDir ?? read('DATA_DIR') ?? 'data');
  return {
    port,
    host: flags.host ?? read('HOST') ?? '0.0.0.0',
    dataDir,
    databaseUrl: flags.databaseUrl ?? read('DATABASE_URL') ?? localDatabaseUrl(dataDir),
    databaseAuthToken: read('DATABASE_AUTH_TOKEN'),
    timeZone: read('TZ') ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
    uploadToken: read('UPLOAD_TOKEN'),
    development: read('NODE_ENV') === 'development',
    secureCookies: read('SECURE_COOKIES') === 'true',
    passwordPolicy: passwordPolicy(env),
    notifyRetryDelayMs: milliseconds(read('NOTIFY_RETRY_DELAY_MS'), 1000),
    metrics: { enabled: read('METRICS') === 'true', token: read('METRICS_TOKEN') },
  };
}

export function localDatabaseUrl(dataDir: string): string {
  return `file:${path.join(dataDir, 'backups.db')}`;
}

/** A non-negative whole number of milliseconds, else the default. */
function milliseconds(text: string | undefined, fallback: number): number {
  const n = Number(text);
  return text !== undefined && Number.isInteger(n) && n >= 0 ? n : fallback;
}
