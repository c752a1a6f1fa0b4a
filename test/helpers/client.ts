// A tiny browser stand-in for the end-to-end tests: one cookie jar per instance, the CSRF token
// from GET /api/csrf remembered and sent as X-CSRF-Token, and every response body kept so a test
// can check at the end that no secret ever left the daemon. Spec 04 §5–§7, decisions 1, 9, 12.
// Also: a second connection to the daemon's database file and a runner for the `duplistatus`
// command line, for the tests that need to move the clock or act on the host.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { createClient, type Client as DbClient } from '@libsql/client';
import { startDaemon, type Daemon } from './daemon.ts';

export const DEFAULT_ADMIN = 'admin';
export const DEFAULT_PASSWORD = 'Duplistatus09';

export interface ClientResponse {
  status: number;
  headers: Headers;
  /** Parsed body, or undefined when the body is not JSON. */
  json: any;
  text: string;
  /** The raw Set-Cookie lines of this response (attributes included). */
  setCookies: string[];
}

export interface RequestOptions {
  /** Sent as JSON with Content-Type: application/json. */
  json?: unknown;
  /** Sent as is (use `headers` for its Content-Type). */
  body?: string;
  headers?: Record<string, string>;
  /**
   * X-CSRF-Token header. Omitted: the remembered token is sent on non-GET calls when there is one.
   * `true`: make sure there is one (GET /api/csrf first if needed) and send it. `false`: never
   * send the header. A string: send exactly that value.
   */
  csrf?: boolean | string;
}

export interface ClientOptions {
  userAgent?: string;
  /** Headers sent with every request (e.g. X-Forwarded-For). */
  headers?: Record<string, string>;
}

export class TestClient {
  readonly cookies = new Map<string, string>();
  csrfToken: string | undefined;
  /** Every response body this client received, in order. */
  readonly bodies: string[] = [];

  constructor(
    readonly baseUrl: string,
    readonly options: ClientOptions = {},
  ) {}

  /** A client already signed in (asserts the sign-in worked). */
  static async signedIn(baseUrl: string, username: string, password: string, options?: ClientOptions): Promise<TestClient> {
    const client = new TestClient(baseUrl, options);
    const res = await client.login(username, password);
    assert.equal(res.status, 200, `sign-in of ${username} failed: ${res.text}`);
    return client;
  }

  get sessionId(): string | undefined {
    return this.cookies.get('sessionId');
  }

  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  async request(method: string, urlPath: string, options: RequestOptions = {}): Promise<ClientResponse> {
    const headers: Record<string, string> = { ...this.options.headers };
    if (this.options.userAgent) headers['User-Agent'] = this.options.userAgent;
    const reading = method === 'GET' || method === 'HEAD';
    // Fetching a token may set the session cookie, so it comes before the Cookie header.
    if (options.csrf === true) headers['X-CSRF-Token'] = this.csrfToken ?? (await this.csrf());
    else if (typeof options.csrf === 'string') headers['X-CSRF-Token'] = options.csrf;
    else if (options.csrf === undefined && !reading && this.csrfToken) headers['X-CSRF-Token'] = this.csrfToken;
    const cookie = this.cookieHeader();
    if (cookie) headers.Cookie = cookie;
    let body: string | undefined = options.body;
    if (options.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    Object.assign(headers, options.headers);
    const res = await fetch(`${this.baseUrl}${urlPath}`, { method, headers, body });
    const setCookies = res.headers.getSetCookie();
    for (const line of setCookies) this.storeCookie(line);
    const text = await res.text();
    this.bodies.push(text);
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, json, text, setCookies };
  }

  get(urlPath: string, options?: RequestOptions) {
    return this.request('GET', urlPath, options);
  }
  post(urlPath: string, options?: RequestOptions) {
    return this.request('POST', urlPath, options);
  }
  patch(urlPath: string, options?: RequestOptions) {
    return this.request('PATCH', urlPath, options);
  }
  delete(urlPath: string, options?: RequestOptions) {
    return this.request('DELETE', urlPath, options);
  }

  /** GET /api/csrf: remembers the token (and the sessionId cookie it sets) and returns it. */
  async csrf(): Promise<string> {
    const res = await this.get('/api/csrf');
    assert.equal(res.status, 200, `GET /api/csrf answered ${res.status}: ${res.text}`);
    assert.match(res.json.token, /^[0-9a-f]{64}$/);
    this.csrfToken = res.json.token;
    return res.json.token;
  }

  /** POST /api/auth/login with the remembered CSRF token (fetched first when there is none). */
  async login(username: string, password: string): Promise<ClientResponse> {
    return this.post('/api/auth/login', { json: { username, password }, csrf: true });
  }

  async logout(): Promise<ClientResponse> {
    return this.post('/api/auth/logout', { csrf: true });
  }

  private storeCookie(line: string): void {
    const [pair, ...attributes] = line.split(';').map((s) => s.trim());
    const eq = pair.indexOf('=');
    if (eq < 1) return;
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    const attr = (key: string) => attributes.find((a) => a.toLowerCase().startsWith(`${key}=`))?.slice(key.length + 1);
    const maxAge = attr('max-age');
    const expires = attr('expires');
    const gone = value === '' || (maxAge !== undefined && Number(maxAge) <= 0) || (expires !== undefined && Date.parse(expires) <= Date.now());
    if (gone) this.cookies.delete(name);
    else this.cookies.set(name, value);
  }
}

/** The attributes of a Set-Cookie line, lower-cased names (`httponly: ''`, `max-age: '86400'`). */
export function cookieAttributes(line: string): { name: string; value: string; attributes: Record<string, string> } {
  const [pair, ...rest] = line.split(';').map((s) => s.trim());
  const eq = pair.indexOf('=');
  const attributes: Record<string, string> = {};
  for (const a of rest) {
    const i = a.indexOf('=');
    attributes[(i < 0 ? a : a.slice(0, i)).toLowerCase()] = i < 0 ? '' : a.slice(i + 1);
  }
  return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attributes };
}

/**
 * First start: sign in as admin with the documented default password and choose `newPassword`
 * (asserting each step). Returns the signed-in client.
 */
export async function signInFirstAdmin(baseUrl: string, newPassword: string, options?: ClientOptions): Promise<TestClient> {
  const client = await TestClient.signedIn(baseUrl, DEFAULT_ADMIN, DEFAULT_PASSWORD, options);
  const res = await client.post('/api/auth/change-password', { json: { newPassword } });
  assert.equal(res.status, 200, `first password change failed: ${res.text}`);
  return client;
}

/** Creates a user through the API (admin client) and returns its id. */
export async function createUserVia(admin: TestClient, username: string, password: string, isAdmin = false): Promise<string> {
  const res = await admin.post('/api/users', { json: { username, password, isAdmin, requirePasswordChange: false } });
  assert.equal(res.status, 201, `creating ${username} failed: ${res.text}`);
  return res.json.user.id;
}

/**
 * A second connection to the daemon's own SQLite file, for what HTTP cannot do in test time
 * (expire a session, age audit rows). The daemon runs WAL with a busy timeout; so does this.
 */
export async function openDaemonDb(dataDir: string): Promise<DbClient> {
  const db = createClient({ url: `file:${path.join(dataDir, 'backups.db')}` });
  await db.execute('PRAGMA busy_timeout = 5000');
  return db;
}

/** `YYYY-MM-DD HH:MM:SS` (UTC), the SQLite CURRENT_TIMESTAMP format of audit_log.timestamp. */
export function sqliteTimestamp(date: Date): string {
  return date.toISOString().replace('T', ' ').slice(0, 19);
}

/** Fails when `haystack` contains any of the secrets (hashes, passwords, tokens). */
export function assertNoSecrets(haystack: string, secrets: string[], where: string): void {
  for (const secret of secrets) {
    if (!secret) continue;
    assert.ok(!haystack.includes(secret), `${where} contains a secret (${secret.slice(0, 12)}…)`);
  }
  assert.doesNotMatch(haystack, /scrypt\$\d+\$/, `${where} contains a password hash`);
  assert.doesNotMatch(haystack, /password_?hash/i, `${where} mentions a password hash field`);
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `duplistatus <args>` (the real executable) on the host, e.g. `user unlock admin` against
 * the data dir of a running daemon. `input` is written to its stdin.
 */
export function runCli(args: string[], options: { dataDir?: string; env?: Record<string, string>; input?: string } = {}): Promise<CliResult> {
  const bin = fileURLToPath(new URL('../../bin/duplistatus', import.meta.url));
  const all = options.dataDir ? [...args, '--data-dir', options.dataDir] : args;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...all], {
      cwd: path.dirname(path.dirname(bin)),
      env: { ...process.env, NODE_ENV: 'production', DATABASE_URL: '', DATA_DIR: '', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('error', reject);
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

export interface SignedInDaemon {
  daemon: Daemon;
  db: DbClient;
  admin: TestClient;
}

/** For a describe block: a fresh daemon whose admin has chosen `password`, and a connection to its database. */
export function useSignedInDaemon(password: string): SignedInDaemon {
  const env = {} as SignedInDaemon;
  before(async () => {
    env.daemon = await startDaemon();
    env.db = await openDaemonDb(env.daemon.dataDir);
    env.admin = await signInFirstAdmin(env.daemon.url, password);
  });
  after(async () => {
    env.db?.close();
    await env.daemon?.dispose();
  });
  return env;
}
