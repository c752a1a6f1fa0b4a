// Configuration changes (spec 03 §2), validated and audited in one place so the HTTP routes and
// `duplistatus config set` behave the same.
import { audit, type Actor } from '../audit/audit.ts';
import type { SecretBox } from '../auth/secrets.ts';
import type { Database } from '../db/client.ts';
import { readSetting, writeSetting } from '../db/settings.ts';
import { TOLERANCES } from '../monitor/overdue.ts';
import type { SmtpConnectionType } from '../notify/email.ts';
import { isValidAddress } from '../notify/mime.ts';
import { findUnknownVariables, isTemplateLanguage, TEMPLATE_KINDS, type NotificationTemplate, type TemplateKind } from '../notify/templates.ts';
import { fail, ok, type Outcome } from '../outcome.ts';
import {
  generateTopic, getFrequency, getNtfyConfig, getSmtpConfig, getTemplates, getTolerance, getWebhookConfig, isFrequency,
  publicNtfy, saveNtfyConfig, saveSmtpConfig, saveTemplates, saveWebhookConfig, FREQUENCIES, type SmtpConfig,
} from './store.ts';

const configAudit = (db: Database, actor: Actor, action: string, targetId: string, details: Record<string, unknown>) =>
  audit(db, actor, { action, category: 'config', targetType: 'configuration', targetId, details });

export function httpUrlProblem(value: unknown, field: string): string | null {
  if (typeof value !== 'string' || value.trim() === '') return `${field} is required`;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? null : `${field} must use http or https`;
  } catch {
    return `${field} is not a valid URL: ${JSON.stringify(value)}`;
  }
}

export async function setTolerance(db: Database, value: unknown, actor: Actor): Promise<Outcome<string>> {
  if (value === undefined) return fail(400, 'overdue_tolerance is required');
  if (typeof value !== 'string' || !Object.hasOwn(TOLERANCES, value)) {
    return fail(400, 'Invalid overdue tolerance', `overdue_tolerance must be one of ${Object.keys(TOLERANCES).join(', ')}`);
  }
  const oldValue = await getTolerance(db);
  await writeSetting(db, 'overdue_tolerance', value);
  await configAudit(db, actor, 'overdue_tolerance_updated', 'overdue_tolerance', { oldValue, newValue: value });
  return ok(value);
}

export async function setFrequency(db: Database, value: unknown, actor: Actor): Promise<Outcome<string>> {
  if (!isFrequency(value)) return fail(400, 'Invalid value', `notification frequency must be one of ${FREQUENCIES.join(', ')}`);
  const oldValue = await getFrequency(db);
  await writeSetting(db, 'notification_frequency', value);
  await configAudit(db, actor, 'notification_frequency_updated', 'notification_frequency', { oldValue, newValue: value });
  return ok(value);
}

export async function setNtfy(db: Database, secrets: SecretBox, posted: unknown, actor: Actor): Promise<Outcome<ReturnType<typeof publicNtfy>>> {
  if (!posted || typeof posted !== 'object' || Array.isArray(posted)) return fail(400, 'ntfy config is required');
  const ntfy = { ...(posted as Record<string, unknown>) };
  const problem = httpUrlProblem(ntfy.url, 'ntfy url');
  if (problem) return fail(400, 'Invalid ntfy configuration', problem);
  if (ntfy.accessToken !== undefined && typeof ntfy.accessToken !== 'string') return fail(400, 'Invalid ntfy configuration', 'accessToken must be a string');
  if (ntfy.enabled !== undefined && typeof ntfy.enabled !== 'boolean') return fail(400, 'Invalid ntfy configuration', 'enabled must be a boolean');
  // Saving ntfy settings switches the channel on unless the admin says otherwise.
  ntfy.enabled = ntfy.enabled !== false;
  if (typeof ntfy.topic !== 'string' || ntfy.topic.trim() === '') ntfy.topic = generateTopic();
  else if (!/^[-_A-Za-z0-9]{1,64}$/.test(ntfy.topic)) return fail(400, 'Invalid ntfy configuration', 'topic may only contain letters, digits, - and _ (at most 64)');
  const before = await getNtfyConfig(db, secrets);
  // An omitted token keeps the stored one (the API never hands it out, so clients cannot echo it).
  if (ntfy.accessToken === undefined) ntfy.accessToken = before.accessToken;
  await saveNtfyConfig(db, secrets, ntfy);
  const changed = ['url', 'topic'].filter((k) => before[k] !== ntfy[k]);
  if (changed.length || !!before.accessToken !== !!ntfy.accessToken) {
    await configAudit(db, actor, 'ntfy_config_updated', 'ntfy_config', { changed, hasAccessToken: !!ntfy.accessToken });
  }
  return ok(publicNtfy(ntfy as typeof before));
}

export async function updateTemplates(db: Database, posted: unknown, actor: Actor): Promise<Outcome<void>> {
  if (!posted || typeof posted !== 'object' || Array.isArray(posted)) return fail(400, 'templates are required');
  const body = posted as Record<string, unknown>;
  if (body.language !== undefined && !isTemplateLanguage(body.language)) return fail(400, 'Invalid language', `language must be one of the supported locales`);
  for (const kind of TEMPLATE_KINDS) {
    const t = body[kind];
    if (t === undefined || t === null) continue;
    if (typeof t !== 'object' || Array.isArray(t)) return fail(400, 'Invalid template', `${kind} must be an object with title, message, priority and tags`);
    for (const field of ['title', 'message', 'priority', 'tags']) {
      const v = (t as Record<string, unknown>)[field];
      if (v !== undefined && typeof v !== 'string') return fail(400, 'Invalid template', `${kind}.${field} must be a string`);
    }
  }
  const unknown = findUnknownVariables(body as Partial<Record<TemplateKind, Partial<NotificationTemplate>>>);
  if (unknown.length) {
    const list = unknown.map((u) => `${u.template}: ${u.variables.map((v) => `{${v}}`).join(', ')}`).join('; ');
    return fail(400, 'Unknown template variables', `These variables do not exist for their template: ${list}`, { unknownVariables: unknown });
  }
  const current = await getTemplates(db);
  const next = { ...current, ...(body.language ? { language: body.language as string } : {}) };
  const changes: Record<string, string[]> = {};
  for (const kind of TEMPLATE_KINDS) {
    const t = body[kind] as Partial<NotificationTemplate> | undefined;
    if (!t) continue;
    next[kind] = { ...current[kind], ...t };
    changes[kind] = (['title', 'message', 'priority', 'tags'] as const).filter((f) => next[kind][f] !== current[kind][f]);
  }
  await saveTemplates(db, next);
  await configAudit(db, actor, 'notification_template_updated', 'notification_templates', { changes, languageChanged: next.language !== current.language });
  return ok(undefined);
}

/** SMTP settings without the secrets, as the API shows them. */
export function publicSmtp(config: SmtpConfig) {
  const { password, ...rest } = config;
  return { ...rest, requireAuth: config.requireAuth !== false, hasPassword: !!password && password.trim() !== '' };
}

const CONNECTION_TYPES: SmtpConnectionType[] = ['plain', 'starttls', 'ssl'];

export async function saveEmail(db: Database, secrets: SecretBox, body: Record<string, unknown>, actor: Actor): Promise<Outcome<void>> {
  const { host, port, mailto } = body;
  if (host === undefined || port === undefined || mailto === undefined) return fail(400, 'Missing required fields: host, port, mailto');
  const requireAuth = body.requireAuth !== false;
  if (requireAuth && body.username === undefined) return fail(400, 'Missing required field: username (required when authentication is enabled)');
  const portNumber = typeof port === 'number' ? port : typeof port === 'string' && /^\s*\d+\s*$/.test(port) ? Number.parseInt(port, 10) : NaN;
  if (!Number.isInteger(portNumber) || portNumber < 1 || portNumber > 65535) return fail(400, 'Port must be a valid number between 1 and 65535');
  if (typeof host !== 'string' || host.trim() === '') return fail(400, 'Invalid SMTP host', 'host must be a non-empty string');
  const recipients = typeof mailto === 'string' ? mailto.split(',').map((a) => a.trim()).filter(Boolean) : [];
  if (recipients.length === 0 || !recipients.every((a) => a.includes('@'))) return fail(400, 'Recipient email must contain "@" symbol');
  const bad = recipients.find((a) => !isValidAddress(a));
  if (bad) return fail(400, 'Invalid recipient email address', `"${bad}" is not a valid e-mail address`);
  const fromAddress = typeof body.fromAddress === 'string' ? body.fromAddress.trim() : '';
  if (fromAddress && (!fromAddress.includes('@') || !isValidAddress(fromAddress))) return fail(400, 'From address must contain "@" symbol', `"${fromAddress}" is not a valid e-mail address`);
  for (const field of ['username', 'password', 'senderName'] as const) {
    if (body[field] !== undefined && typeof body[field] !== 'string') return fail(400, `${field} must be a string`);
  }
  if (body.rejectUnauthorized !== undefined && typeof body.rejectUnauthorized !== 'boolean') return fail(400, 'rejectUnauthorized must be a boolean');
  const legacySecure = String(body.secure).toLowerCase() === 'true';
  const connectionType = CONNECTION_TYPES.includes(body.connectionType as SmtpConnectionType) ? (body.connectionType as SmtpConnectionType) : legacySecure ? 'ssl' : 'starttls';
  const previous = await getSmtpConfig(db, secrets).catch(() => null);
  const senderName = typeof body.senderName === 'string' ? body.senderName.trim() : '';
  const next: SmtpConfig = {
    host: host.trim(),
    port: portNumber,
    connectionType,
    mailto: recipients.join(', '),
    requireAuth,
    username: typeof body.username === 'string' ? body.username.trim() : (previous?.username ?? ''),
    password: typeof body.password === 'string' ? body.password : (previous?.password ?? ''),
    ...(senderName && { senderName }),
    ...(fromAddress && { fromAddress }),
    // Certificates are verified unless the admin opts out explicitly (self-signed servers).
    rejectUnauthorized: body.rejectUnauthorized !== false,
  };
  await saveSmtpConfig(db, secrets, next);
  const before = previous ? publicSmtp(previous) : null;
  const after = publicSmtp(next);
  const changes = Object.fromEntries(
    Object.entries(after)
      .filter(([k, v]) => JSON.stringify((before as Record<string, unknown> | null)?.[k]) !== JSON.stringify(v))
      .map(([k, v]) => [k, { from: (before as Record<string, unknown> | null)?.[k] ?? null, to: v }]),
  );
  if (Object.keys(changes).length) await configAudit(db, actor, 'email_config_updated', 'smtp_config', changes);
  return ok(undefined);
}

export async function deleteEmail(db: Database, actor: Actor): Promise<Outcome<void>> {
  if ((await readSetting(db, 'smtp_config')) === null) return fail(404, 'No SMTP configuration found to delete');
  await db.client.execute({ sql: 'DELETE FROM configurations WHERE key = ?', args: ['smtp_config'] });
  await configAudit(db, actor, 'email_config_deleted', 'smtp_config', {});
  return ok(undefined);
}

export async function setEmailPassword(db: Database, secrets: SecretBox, body: Record<string, unknown>, actor: Actor): Promise<Outcome<void>> {
  if (typeof body.password !== 'string') return fail(400, 'Password must be a string');
  const current = await getSmtpConfig(db, secrets);
  const given = (body.config && typeof body.config === 'object' ? body.config : undefined) as Record<string, unknown> | undefined;
  let next: SmtpConfig;
  if (!current) {
    if (!given?.host || !given.port || !given.username || !given.mailto) {
      return fail(400, 'SMTP configuration not found. Please save the basic SMTP settings first (host, port, username, mailto).');
    }
    const saved = await saveEmail(db, secrets, { ...given, password: body.password }, actor);
    if (!saved.ok) return saved;
    next = (await getSmtpConfig(db, secrets))!;
  } else {
    next = { ...current, password: body.password };
    if (given?.senderName !== undefined) next.senderName = String(given.senderName);
    if (given?.fromAddress !== undefined) next.fromAddress = String(given.fromAddress);
    if (given?.requireAuth !== undefined) next.requireAuth = given.requireAuth !== false;
    await saveSmtpConfig(db, secrets, next);
  }
  await configAudit(db, actor, 'email_password_updated', 'smtp_password', { hasPassword: !!body.password });
  return ok(undefined);
}

export async function setWebhook(db: Database, secrets: SecretBox, body: Record<string, unknown>, actor: Actor): Promise<Outcome<void>> {
  const problem = httpUrlProblem(body.url, 'url');
  if (problem) return fail(400, 'Invalid webhook configuration', problem);
  if (body.token !== undefined && typeof body.token !== 'string') return fail(400, 'Invalid webhook configuration', 'token must be a string');
  if (body.enabled !== undefined && typeof body.enabled !== 'boolean') return fail(400, 'Invalid webhook configuration', 'enabled must be a boolean');
  const previous = await getWebhookConfig(db, secrets).catch(() => null);
  const token = typeof body.token === 'string' ? body.token : previous?.token;
  await saveWebhookConfig(db, secrets, { url: (body.url as string).trim(), token, enabled: body.enabled !== false });
  await configAudit(db, actor, 'webhook_config_updated', 'webhook_config', { url: body.url, hasToken: !!token, enabled: body.enabled !== false });
  return ok(undefined);
}

export async function deleteWebhook(db: Database, actor: Actor): Promise<Outcome<void>> {
  if ((await readSetting(db, 'webhook_config')) === null) return fail(404, 'No webhook configuration found to delete');
  await db.client.execute({ sql: 'DELETE FROM configurations WHERE key = ?', args: ['webhook_config'] });
  await configAudit(db, actor, 'webhook_config_deleted', 'webhook_config', {});
  return ok(undefined);
}
