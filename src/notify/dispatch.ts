// Notification dispatch (spec 03 §7, decision 15): who gets told about a stored backup run or an
// overdue job, over which channels, with retries on network errors, an audit row per delivery and
// a console.error per failure. Uploads only enqueue (createNotifier().backupStored); nothing here can
// delay or fail an upload.
import { setTimeout as sleep } from 'node:timers/promises';
import { eq } from 'drizzle-orm';
import { audit, SYSTEM } from '../audit/audit.ts';
import type { SecretBox } from '../auth/secrets.ts';
import type { Database } from '../db/client.ts';
import { backups, servers, type Backup } from '../db/schema.ts';
import { effectiveSettings, type EffectiveSettings } from '../settings/backup-settings.ts';
import { getNtfyConfig, ntfyEnabled, getSmtpConfig, getTemplates, getWebhookConfig, type SmtpConfig, type WebhookSettings } from '../settings/store.ts';
import { sendEmail } from './email.ts';
import { sendNtfy, type NtfyConfig } from './ntfy.ts';
import {
  backupVariables,
  overdueVariables,
  renderNotification,
  type NotificationTemplate,
  type OverdueJob,
  type ServerInfo,
} from './templates.ts';
import { originOf, sendWebhook } from './webhook.ts';

// ── retries ─────────────────────────────────────────────────────────────────────────────────────

export interface RetryOptions {
  /** Attempts in all, first one included (default 5). 1 = no retry. */
  attempts?: number;
  /** Wait before the 2nd attempt; doubles each time (default 1000 ms). */
  baseDelayMs?: number;
  /** Upper bound of one wait (default 30 s). */
  maxDelayMs?: number;
}

export const DEFAULT_RETRY: Required<RetryOptions> = { attempts: 5, baseDelayMs: 1000, maxDelayMs: 30_000 };

// §8.1's "network-type" failures: errno-style codes anywhere in the cause chain, or the wording
// our channels use for a request that never got an answer. An HTTP or SMTP refusal is not retried.
const NETWORK_CODE = /^(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ECONNRESET|ENETUNREACH|EHOSTUNREACH|EPIPE|ECONNABORTED|UND_ERR_\w+)$/;
const NETWORK_TEXT =
  /Cannot connect to NTFY server|Failed to resolve NTFY server|timed out|Network error when sending|Could not reach webhook|did not answer within|Could not connect to SMTP server|fetch failed/i;

/** True when the request never got an answer (worth retrying). */
export function isNetworkError(err: unknown): boolean {
  const top = (err as { message?: unknown })?.message;
  if (typeof top === 'string' && NETWORK_TEXT.test(top)) return true;
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, name } = e as { code?: unknown; name?: unknown };
    if (name === 'TimeoutError') return true;
    if (typeof code === 'string' && NETWORK_CODE.test(code)) return true;
  }
  return false;
}

/**
 * Runs `send` until it succeeds, fails with something other than a network error, runs out of
 * attempts, or `signal` aborts (the daemon is stopping). Waits base, 2·base, 4·base … (capped).
 * Resolves to the number of attempts used; rejects with the last error (`attempts` attached).
 */
export async function withRetry(send: () => Promise<void>, retry: RetryOptions = {}, signal?: AbortSignal): Promise<number> {
  const attempts = retry.attempts ?? DEFAULT_RETRY.attempts;
  const baseDelayMs = retry.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs;
  const maxDelayMs = retry.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs;
  for (let attempt = 1; ; attempt++) {
    try {
      await send();
      return attempt;
    } catch (err) {
      if (attempt >= attempts || !isNetworkError(err) || signal?.aborted) throw Object.assign(toError(err), { attempts: attempt });
      try {
        await sleep(Math.min(baseDelayMs * 2 ** (attempt - 1), maxDelayMs), undefined, { signal });
      } catch {
        throw Object.assign(toError(err), { attempts: attempt }); // aborted while waiting
      }
    }
  }
}

const toError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

// ── delivery of one message over one channel ────────────────────────────────────────────────────

export type NotificationType = 'backup' | 'overdue';
export type ChannelName = 'NTFY' | 'Email' | 'Webhook' | 'Additional NTFY' | 'Additional Email';

export interface DispatchOptions {
  retry?: RetryOptions;
  /** Per request (HTTP) or per SMTP step. Default 20 s (§8.2). */
  timeoutMs?: number;
  /** Aborts retry waits (daemon shutdown). */
  signal?: AbortSignal;
  /** Formatting time zone for dates in messages; defaults to the process TZ. */
  timeZone?: string;
  now?: () => Date;
  /** Told about every delivery (the notifier counts them). */
  onDelivery?: (result: { ok: true } | { ok: false; error: string }) => void;
}

interface Subject {
  type: NotificationType;
  server: ServerInfo;
  backupName: string;
  backupId?: string;
  status?: string;
}

const AUDIT_ACTIONS: Record<'ntfy' | 'email' | 'webhook', [string, string]> = {
  ntfy: ['notification_sent', 'notification_failed'],
  email: ['email_sent', 'email_failed'],
  webhook: ['notification_sent', 'notification_failed'],
};

/** One delivery with retries, its audit row, and a console.error when it fails. Rejects on failure. */
async function deliver(
  db: Database,
  subject: Subject,
  channel: ChannelName,
  kind: 'ntfy' | 'email' | 'webhook',
  where: Record<string, string>,
  send: () => Promise<void>,
  options: DispatchOptions,
): Promise<void> {
  const [sentAction, failedAction] = AUDIT_ACTIONS[kind];
  const details = {
    type: subject.type,
    channel,
    serverId: subject.server.id,
    serverName: subject.server.name,
    backupName: subject.backupName,
    ...(subject.backupId && { backupId: subject.backupId }),
    ...(subject.status && { status: subject.status }),
    ...where,
  };
  try {
    const attempts = await withRetry(send, options.retry, options.signal);
    await audit(db, SYSTEM, { action: sentAction, category: 'system', details: { ...details, attempts } });
    options.onDelivery?.({ ok: true });
  } catch (err) {
    const error = toError(err);
    const attempts = (error as { attempts?: number }).attempts ?? 1;
    console.error(`[notify] ${subject.type} notification via ${channel} for ${subject.server.name}/${subject.backupName} failed after ${attempts} attempt(s): ${error.message}`);
    await audit(db, SYSTEM, { action: failedAction, category: 'system', status: 'error', details: { ...details, attempts }, errorMessage: error.message });
    options.onDelivery?.({ ok: false, error: `${channel}: ${error.message}` });
    throw error;
  }
}

// ── what a message goes to ──────────────────────────────────────────────────────────────────────

/** §3.2: does a report with this status pass the event filter? Unknown values behave as `all`. */
export function passesEvent(event: string | undefined, run: { status: string; errors: number }): boolean {
  switch (event) {
    case 'off':
      return false;
    case 'warnings':
      return run.status !== 'Success';
    case 'errors':
      return run.status === 'Error' || run.status === 'Fatal' || run.errors > 0;
    default:
      return true;
  }
}

/** The additional e-mail addresses of §7.1 step 5: split on commas, trimmed, only ones with an @. */
export function additionalAddresses(list: string | undefined): string[] {
  return (list ?? '').split(',').map((a) => a.trim()).filter((a) => a !== '' && a.includes('@'));
}

interface Channels {
  ntfy: NtfyConfig;
  /** ntfy is off until an admin saved its settings (see settings/store.ts). */
  ntfyOn: boolean;
  /** null = e-mail not configured; an Error = stored config unreadable (e.g. key changed). */
  smtp: SmtpConfig | null | Error;
  webhook: WebhookSettings | null;
}

async function loadChannels(db: Database, secrets: SecretBox): Promise<Channels> {
  const smtp = await getSmtpConfig(db, secrets).catch((e: unknown) => toError(e));
  const webhook = await getWebhookConfig(db, secrets).catch((e: unknown) => {
    console.error(`[notify] webhook configuration unreadable: ${toError(e).message}`);
    return null;
  });
  const ntfy = await getNtfyConfig(db, secrets);
  return { ntfy, ntfyOn: ntfyEnabled(ntfy), smtp, webhook };
}

const smtpUsable = (smtp: Channels['smtp']): smtp is SmtpConfig => !!smtp && !(smtp instanceof Error) && !!smtp.host?.trim();

/** Settles every promise, then rejects with the first failure (so all channels are tried in parallel). */
async function allOrFirstError(tasks: Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(tasks);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

interface Plan {
  /** Send to the main channels (ntfy / e-mail by their switches, webhook when enabled). */
  main: boolean;
  /** Send to the additional destinations. */
  additional: boolean;
}

/**
 * §7.1 steps 4–5 and §7.2 steps 3–4: the main channels in parallel (any failure rejects, and the
 * additional destinations are then not attempted), then the additional ones (failures only logged
 * and audited).
 */
async function sendAll(
  db: Database,
  secrets: SecretBox,
  subject: Subject,
  settings: EffectiveSettings,
  message: NotificationTemplate,
  payload: Record<string, unknown>,
  plan: Plan,
  options: DispatchOptions,
): Promise<void> {
  const channels = await loadChannels(db, secrets);
  const timeoutMs = options.timeoutMs ?? 20_000;
  const ntfyMessage = { title: message.title, message: message.message, priority: message.priority, tags: message.tags };
  const ntfy = (config: NtfyConfig) => () => sendNtfy(config, ntfyMessage, { attempts: 1, timeoutMs });
  const mail = (to: string) => () => {
    if (channels.smtp instanceof Error) throw channels.smtp;
    return sendEmail(channels.smtp!, { to: [to], subject: message.title, text: message.message }, { timeoutMs });
  };
  const go = (channel: ChannelName, kind: 'ntfy' | 'email' | 'webhook', where: Record<string, string>, send: () => Promise<void>) =>
    deliver(db, subject, channel, kind, where, send, options);

  if (plan.main) {
    const tasks: Promise<void>[] = [];
    if (channels.ntfyOn && settings.ntfyEnabled !== false) tasks.push(go('NTFY', 'ntfy', { topic: channels.ntfy.topic }, ntfy(channels.ntfy)));
    const smtpSet = channels.smtp instanceof Error || smtpUsable(channels.smtp);
    if (settings.emailEnabled === true && smtpSet) {
      const to = channels.smtp instanceof Error ? '' : channels.smtp!.mailto;
      tasks.push(go('Email', 'email', { recipient: to }, mail(to)));
    }
    const hook = channels.webhook;
    if (hook && hook.enabled !== false) {
      // Only the origin is recorded: webhook paths often carry a secret (Discord, Slack).
      tasks.push(go('Webhook', 'webhook', { url: originOf(hook.url) }, () => sendWebhook(hook, payload, { timeoutMs })));
    }
    await allOrFirstError(tasks);
  }
  if (plan.additional) {
    const tasks: Promise<void>[] = [];
    if (smtpUsable(channels.smtp)) {
      for (const to of additionalAddresses(settings.additionalEmails)) tasks.push(go('Additional Email', 'email', { recipient: to }, mail(to)));
    }
    const topic = settings.additionalNtfyTopic?.trim();
    if (topic && channels.ntfyOn && channels.ntfy.url?.trim()) {
      tasks.push(go('Additional NTFY', 'ntfy', { topic }, ntfy({ url: channels.ntfy.url, accessToken: channels.ntfy.accessToken, topic })));
    }
    await Promise.allSettled(tasks); // already logged and audited
  }
}

// ── backup reports (§7.1) ───────────────────────────────────────────────────────────────────────

async function serverInfo(db: Database, id: string): Promise<ServerInfo | null> {
  const [row] = await db.orm
    .select({ id: servers.id, name: servers.name, alias: servers.alias, note: servers.note, serverUrl: servers.serverUrl })
    .from(servers)
    .where(eq(servers.id, id));
  return row ?? null;
}

function backupPayload(run: Backup, server: ServerInfo, message: NotificationTemplate): Record<string, unknown> {
  return {
    event: 'backup',
    title: message.title,
    message: message.message,
    priority: message.priority,
    tags: message.tags,
    server: server.name,
    serverId: server.id,
    serverAlias: server.alias ?? '',
    backup: run.backupName,
    backupId: run.id,
    status: run.status,
    date: run.date,
    durationSeconds: run.durationSeconds,
    warnings: run.warnings,
    errors: run.errors,
    uploadedSize: run.uploadedSize,
    knownFileSize: run.knownFileSize,
    versions: run.backupListCount,
  };
}

/**
 * Notifications for one stored run (§7.1). Resolves when done; rejects when a main channel failed
 * (each failure is already logged and audited).
 */
export async function notifyBackup(db: Database, secrets: SecretBox, backupId: string, options: DispatchOptions = {}): Promise<void> {
  const [run] = await db.orm.select().from(backups).where(eq(backups.id, backupId));
  if (!run) return;
  const settings = await effectiveSettings(db, run.serverId, run.backupName);
  if (!settings) return;
  const plan = { main: passesEvent(settings.notificationEvent, run), additional: passesEvent(settings.additionalNotificationEvent, run) };
  if (!plan.main && !plan.additional) return;
  const server = await serverInfo(db, run.serverId);
  if (!server) return;
  const templates = await getTemplates(db);
  const now = options.now?.() ?? new Date();
  const vars = backupVariables(run, server, { language: templates.language, timeZone: options.timeZone, now });
  const message = renderNotification(run.status === 'Success' ? templates.success : templates.warning, vars);
  const subject: Subject = { type: 'backup', server, backupName: run.backupName, backupId: run.id, status: run.status };
  await sendAll(db, secrets, subject, settings, message, backupPayload(run, server, message), plan, options);
}

// ── overdue alerts (§7.2) ───────────────────────────────────────────────────────────────────────

export interface OverdueAlert {
  server: ServerInfo;
  job: OverdueJob;
}

/**
 * One overdue alert (§7.2). No settings record → resolves without sending. Rejects when a main
 * channel failed (the caller then keeps the job's alert timestamp); additional destinations are
 * attempted only after the main ones succeeded, and their failures are swallowed.
 */
export async function sendOverdueAlert(db: Database, secrets: SecretBox, alert: OverdueAlert, options: DispatchOptions = {}): Promise<void> {
  const { server, job } = alert;
  const settings = await effectiveSettings(db, server.id, job.backupName);
  if (!settings) return;
  const templates = await getTemplates(db);
  const now = options.now?.() ?? new Date();
  const vars = overdueVariables(job, server, { language: templates.language, timeZone: options.timeZone, now });
  const message = renderNotification(templates.overdueBackup, vars);
  const payload = {
    event: 'overdue',
    title: message.title,
    message: message.message,
    priority: message.priority,
    tags: message.tags,
    server: server.name,
    serverId: server.id,
    serverAlias: server.alias ?? '',
    backup: job.backupName,
    status: 'Overdue',
    date: job.lastBackupDate,
    expectedDate: job.expectedDate,
    expectedInterval: job.expectedInterval,
    tolerance: job.tolerance,
  };
  const plan = { main: true, additional: settings.additionalNotificationEvent !== 'off' };
  await sendAll(db, secrets, { type: 'overdue', server, backupName: job.backupName }, settings, message, payload, plan, options);
}

// ── the queue behind uploads ────────────────────────────────────────────────────────────────────

export interface NotifierStatus {
  /** Reports waiting or being sent. */
  queued: number;
  /** Deliveries that succeeded (one per channel and recipient). */
  sent: number;
  /** Deliveries that failed after their retries. */
  failed: number;
  lastError: string | null;
}

export interface Notifier {
  /** Enqueue the notifications of a stored run. Never throws, never waits. */
  backupStored(backupId: string): void;
  /** One overdue alert with this notifier's retry settings and counters (for the overdue check). */
  sendOverdue(alert: OverdueAlert): Promise<void>;
  /** Resolves once everything enqueued so far has been sent or has failed. */
  idle(): Promise<void>;
  status(): NotifierStatus;
  /** Stop accepting work, cut retry waits short, wait at most `graceMs` for deliveries in flight. */
  close(graceMs?: number): Promise<void>;
}

export interface NotifierOptions extends Omit<DispatchOptions, 'signal' | 'onDelivery'> {
  /** Reports processed at the same time (default 4); the rest wait their turn. */
  concurrency?: number;
}

/**
 * The secret box with decrypted values remembered: each decrypt is a 100 000-round PBKDF2 (~50 ms of
 * blocked event loop), which a burst of notified uploads must not pay per message. Keyed by the
 * sealed text, so a changed setting is simply a new entry.
 */
export function cachingSecretBox(box: SecretBox, max = 32): SecretBox {
  const plain = new Map<string, string>();
  return {
    fingerprint: box.fingerprint,
    encrypt: (value) => box.encrypt(value),
    decrypt(sealed) {
      const known = plain.get(sealed);
      if (known !== undefined) return known;
      const value = box.decrypt(sealed);
      if (plain.size >= max) plain.delete(plain.keys().next().value!);
      plain.set(sealed, value);
      return value;
    },
  };
}

export function createNotifier(db: Database, box: SecretBox, options: NotifierOptions = {}): Notifier {
  const secrets = cachingSecretBox(box);
  const counts: NotifierStatus = { queued: 0, sent: 0, failed: 0, lastError: null };
  const stopping = new AbortController();
  const inFlight = new Set<Promise<void>>();
  const waiting: Array<() => void> = [];
  const concurrency = Math.max(1, options.concurrency ?? 4);
  let running = 0;

  const dispatchOptions: DispatchOptions = {
    ...options,
    signal: stopping.signal,
    onDelivery: (result) => {
      if (result.ok) counts.sent += 1;
      else {
        counts.failed += 1;
        counts.lastError = result.error;
      }
    },
  };

  async function slot<T>(work: () => Promise<T>): Promise<T> {
    if (running >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    running += 1;
    try {
      return await work();
    } finally {
      running -= 1;
      waiting.shift()?.();
    }
  }

  async function idle(): Promise<void> {
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  }

  function track(task: Promise<void>): void {
    inFlight.add(task);
    void task.finally(() => inFlight.delete(task));
  }

  return {
    backupStored(backupId) {
      try {
        if (stopping.signal.aborted) return;
        counts.queued += 1;
        const task = Promise.resolve()
          .then(() => slot(() => notifyBackup(db, secrets, backupId, dispatchOptions)))
          .catch((err: unknown) => {
            // Channel failures are counted and logged where they happen; anything else (say, a
            // database error) is counted here.
            const error = toError(err);
            if (!(error as { attempts?: number }).attempts) {
              counts.failed += 1;
              counts.lastError = error.message;
              console.error(`[notify] notifications for backup ${backupId} failed: ${error.message}`);
            }
          })
          .finally(() => {
            counts.queued -= 1;
          });
        track(task);
      } catch (err) {
        console.error('[notify] could not enqueue notifications:', err);
      }
    },
    sendOverdue(alert) {
      const task = sendOverdueAlert(db, secrets, alert, dispatchOptions);
      track(task.catch(() => {}));
      return task;
    },
    idle,
    status: () => ({ ...counts }),
    async close(graceMs = 2000) {
      stopping.abort();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([idle(), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
    },
  };
}
