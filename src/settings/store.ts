// Typed access to the configuration keys of spec 03 §1.3 (defaults from decision 17).
// Every read is fresh from the database; every write replaces the key's whole value.
import { randomInt } from 'node:crypto';
import type { SecretBox } from '../auth/secrets.ts';
import type { Database } from '../db/client.ts';
import { readSetting, writeSetting } from '../db/settings.ts';
import { DEFAULT_TOLERANCE, TOLERANCES } from '../monitor/overdue.ts';
import type { SmtpSettings } from '../notify/email.ts';
import type { NtfyConfig } from '../notify/ntfy.ts';
import { DEFAULT_LANGUAGE, defaultTemplates, isTemplateLanguage, TEMPLATE_KINDS, type TemplateSet } from '../notify/templates.ts';
import type { WebhookConfig } from '../notify/webhook.ts';

async function readJson<T>(db: Database, key: string): Promise<T | null> {
  const text = await readSetting(db, key);
  if (text === null) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

const writeJson = (db: Database, key: string, value: unknown) => writeSetting(db, key, JSON.stringify(value));

// ── overdue tolerance and re-notification frequency ──────────────────────────
export async function getTolerance(db: Database): Promise<string> {
  const code = await readSetting(db, 'overdue_tolerance');
  return code && Object.hasOwn(TOLERANCES, code) ? code : DEFAULT_TOLERANCE;
}

export const FREQUENCIES = ['onetime', 'every_day', 'every_week', 'every_month'] as const;
export type Frequency = (typeof FREQUENCIES)[number];
export const isFrequency = (v: unknown): v is Frequency => FREQUENCIES.includes(v as Frequency);

export async function getFrequency(db: Database): Promise<Frequency> {
  const value = await readSetting(db, 'notification_frequency');
  return isFrequency(value) ? value : 'every_day';
}

// ── ntfy ──────────────────────────────────────────────────────────────────────
const TOPIC_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
export const generateTopic = () => `duplistatus-${Array.from({ length: 12 }, () => TOPIC_CHARS[randomInt(TOPIC_CHARS.length)]).join('')}`;

/**
 * The stored ntfy settings with the access token decrypted (decision 10: it is a secret at rest).
 * A missing or blank topic is generated and persisted (spec 03 §1.3).
 */
export async function getNtfyConfig(db: Database, box: SecretBox): Promise<NtfyConfig & Record<string, unknown>> {
  const stored = await readJson<Record<string, unknown>>(db, 'ntfy_config');
  const valid = stored && typeof stored === 'object' && typeof stored.topic === 'string' && stored.topic.trim() !== '';
  if (!valid) {
    // Off until an admin saves ntfy settings: nothing about the backups leaves for a public
    // server unless someone chose that (the reference sends to ntfy.sh from the first report).
    const fixed = { url: 'https://ntfy.sh/', accessToken: '', enabled: false, ...(stored ?? {}), topic: generateTopic() };
    await writeJson(db, 'ntfy_config', fixed);
    return getNtfyConfig(db, box);
  }
  const token = typeof stored.accessToken === 'string' && stored.accessToken ? box.decrypt(stored.accessToken) : '';
  return { url: 'https://ntfy.sh/', ...stored, accessToken: token } as NtfyConfig & Record<string, unknown>;
}

export const saveNtfyConfig = (db: Database, box: SecretBox, config: Record<string, unknown>) =>
  writeJson(db, 'ntfy_config', { ...config, accessToken: typeof config.accessToken === 'string' && config.accessToken ? box.encrypt(config.accessToken) : '' });

/** What the API shows: whether a token is set, never the token. */
export function publicNtfy(config: NtfyConfig & Record<string, unknown>) {
  const { accessToken, ...rest } = config;
  return { ...rest, enabled: ntfyEnabled(config), hasAccessToken: !!accessToken };
}

/** Saved settings send unless they say `enabled: false`; the generated default says so. */
export const ntfyEnabled = (config: Record<string, unknown>) => config.enabled !== false;

// ── templates ─────────────────────────────────────────────────────────────────
export type StoredTemplates = TemplateSet & { language: string };

export async function getTemplates(db: Database): Promise<StoredTemplates> {
  const stored = (await readJson<Partial<StoredTemplates>>(db, 'notification_templates')) ?? {};
  const language = isTemplateLanguage(stored.language) ? stored.language : DEFAULT_LANGUAGE;
  const defaults = defaultTemplates(language);
  const kinds = Object.fromEntries(TEMPLATE_KINDS.map((k) => [k, stored[k] && typeof stored[k] === 'object' ? { ...defaults[k], ...stored[k] } : defaults[k]]));
  return { language, ...(kinds as TemplateSet) };
}

export const saveTemplates = (db: Database, templates: StoredTemplates) => writeJson(db, 'notification_templates', templates);

// ── e-mail (username and password encrypted at rest, decision 10) ───────────
export type SmtpConfig = SmtpSettings & { mailto: string };

export async function getSmtpConfig(db: Database, box: SecretBox): Promise<SmtpConfig | null> {
  const stored = await readJson<SmtpConfig>(db, 'smtp_config');
  if (!stored || typeof stored !== 'object') return null;
  const open = (v: unknown) => (typeof v === 'string' && v !== '' ? box.decrypt(v) : '');
  return { ...stored, username: open(stored.username), password: open(stored.password) };
}

export async function saveSmtpConfig(db: Database, box: SecretBox, config: SmtpConfig): Promise<void> {
  const seal = (v: string | undefined) => (v ? box.encrypt(v) : '');
  await writeJson(db, 'smtp_config', { ...config, username: seal(config.username), password: seal(config.password) });
  if ((await readSetting(db, 'master_key_fingerprint')) === null) await writeSetting(db, 'master_key_fingerprint', box.fingerprint);
}

// ── generic webhook (beyond the reference) ───────────────────────────────────
export type WebhookSettings = WebhookConfig & { enabled: boolean };

export async function getWebhookConfig(db: Database, box: SecretBox): Promise<WebhookSettings | null> {
  const stored = await readJson<WebhookSettings>(db, 'webhook_config');
  if (!stored || typeof stored.url !== 'string' || !stored.url) return null;
  return { ...stored, token: stored.token ? box.decrypt(stored.token) : undefined };
}

export async function saveWebhookConfig(db: Database, box: SecretBox, config: WebhookSettings): Promise<void> {
  await writeJson(db, 'webhook_config', { ...config, token: config.token ? box.encrypt(config.token) : '' });
}

// ── scheduler (spec 03 §10.1) ─────────────────────────────────────────────────
export interface CronTask {
  cronExpression: string;
  enabled: boolean;
}
export interface CronConfig {
  port: number;
  tasks: Record<string, CronTask>;
}

export const DEFAULT_CRON: CronConfig = {
  port: 9667,
  tasks: {
    'overdue-backup-check': { cronExpression: '*/5 * * * *', enabled: true },
    'audit-log-cleanup': { cronExpression: '0 2 * * *', enabled: true },
  },
};

/** Stored values merged over the defaults, task by task. */
export async function getCronConfig(db: Database): Promise<CronConfig> {
  const stored = await readJson<Partial<CronConfig>>(db, 'cron_service');
  const tasks = { ...DEFAULT_CRON.tasks };
  for (const [name, task] of Object.entries(stored?.tasks ?? {})) tasks[name] = { ...tasks[name], ...task };
  return { port: typeof stored?.port === 'number' ? stored.port : DEFAULT_CRON.port, tasks };
}

export const saveCronConfig = (db: Database, config: CronConfig) => writeJson(db, 'cron_service', config);
