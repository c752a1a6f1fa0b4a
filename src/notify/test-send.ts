// Test sends (spec 03 §6.3), shared by POST /api/notifications/test and `duplistatus notify test`.
// One attempt each, no retries: the user is waiting for the answer.
import { audit, type Actor } from '../audit/audit.ts';
import type { SecretBox } from '../auth/secrets.ts';
import type { Database } from '../db/client.ts';
import { getNtfyConfig, getSmtpConfig, getTemplates, getWebhookConfig, type SmtpConfig } from '../settings/store.ts';
import { sendEmail } from './email.ts';
import { sendNtfy, type NtfyConfig } from './ntfy.ts';
import { renderTestTemplate } from './templates.ts';
import { sendWebhook, type WebhookConfig } from './webhook.ts';

export type TestResult =
  | { ok: true; body: Record<string, unknown> }
  | { ok: false; status: 400 | 500; error: string; message: string };

export interface TestContext {
  db: Database;
  secrets: SecretBox;
  actor: Actor;
  now?: Date;
  timeZone?: string;
  /** Per request / SMTP step (default 20 s). */
  timeoutMs?: number;
}

const bad = (error: string, message = error): TestResult => ({ ok: false, status: 400, error, message });
const failed = (reason: string): TestResult => ({ ok: false, status: 500, error: `Failed to send test notification: ${reason}`, message: reason });
const reasonOf = (err: unknown) => (err instanceof Error ? err.message : String(err));
const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const text = (v: unknown) => (typeof v === 'string' ? v : '');

async function localTime(ctx: TestContext): Promise<string> {
  const { language } = await getTemplates(ctx.db);
  return new Intl.DateTimeFormat(language, { dateStyle: 'short', timeStyle: 'medium', timeZone: ctx.timeZone }).format(ctx.now ?? new Date());
}

const CONNECTION_WORDS = { plain: 'Plain SMTP (no encryption)', starttls: 'STARTTLS', ssl: 'Direct SSL/TLS connection' } as const;

/** §6.3 e-mail test body: what the configuration is, so the recipient can see which one worked. */
export function testEmailBody(smtp: SmtpConfig, to: string, sentAt: string): string {
  const type = smtp.connectionType in CONNECTION_WORDS ? smtp.connectionType : 'starttls';
  const auth = smtp.requireAuth !== false;
  const yes = (b: boolean) => (b ? 'Yes' : 'No');
  return [
    'This is a test email from duplistatus to verify your SMTP configuration.',
    '',
    `SMTP Server: ${smtp.host}`,
    `Port: ${smtp.port}`,
    `Connection Type: ${CONNECTION_WORDS[type]}`,
    `Secure (SSL/TLS): ${yes(type === 'ssl')}`,
    `Require TLS (STARTTLS): ${yes(type === 'starttls')}`,
    `Ignore TLS: ${yes(type === 'plain')}`,
    `SMTP Authentication: ${auth ? 'Required' : 'Not required'}`,
    ...(auth ? [`SMTP Username: ${smtp.username ?? ''}`] : []),
    `Recipient: ${to}`,
    `From Address: ${smtp.fromAddress?.trim() || smtp.username || ''}`,
    `Sender Name: ${smtp.senderName?.trim() || 'duplistatus'}`,
    `Sent at: ${sentAt}`,
    '',
    'If you received this email, your SMTP settings are working.',
  ].join('\n');
}

async function loadSmtp(ctx: TestContext): Promise<SmtpConfig | null | Error> {
  try {
    const smtp = await getSmtpConfig(ctx.db, ctx.secrets);
    return smtp && smtp.host?.trim() ? smtp : null;
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

/** `type: "email"`: one message to `toEmail` or the stored recipient. */
export async function testEmail(ctx: TestContext, toEmail?: string): Promise<TestResult> {
  const smtp = await loadSmtp(ctx);
  if (smtp === null) return bad('Email is not configured. Please configure SMTP settings.');
  const to = toEmail?.trim() || (smtp instanceof Error ? '' : smtp.mailto?.trim()) || '';
  const details = { type: 'email', channel: 'Email', recipient: to };
  let result: TestResult;
  if (smtp instanceof Error) result = failed(`Stored SMTP settings cannot be read: ${smtp.message}`);
  else if (!to) result = bad('No recipient', 'Set a recipient e-mail address in the e-mail settings, or pass toEmail');
  else {
    try {
      const sentAt = await localTime(ctx);
      await sendEmail(smtp, { to: [to], subject: 'Test Email from duplistatus', text: testEmailBody(smtp, to, sentAt) }, { timeoutMs: ctx.timeoutMs });
      result = { ok: true, body: { message: 'Test email sent successfully' } };
    } catch (err) {
      result = failed(reasonOf(err));
    }
  }
  await audit(ctx.db, ctx.actor, {
    action: 'test_email_sent',
    category: 'system',
    status: result.ok ? 'success' : 'error',
    details,
    errorMessage: result.ok ? null : result.message,
  });
  return result;
}

/**
 * The posted ntfy config; without an access token it borrows the stored one when the URL is the
 * stored URL (the token is a secret the UI never gets back).
 */
async function postedNtfy(ctx: TestContext, posted: unknown): Promise<NtfyConfig | TestResult> {
  if (!isObject(posted)) return bad('NTFY configuration is required');
  const url = text(posted.url).trim();
  const topic = text(posted.topic).trim();
  if (!url || !topic) return bad('NTFY URL and topic are required');
  let accessToken = text(posted.accessToken);
  if (!accessToken) {
    const stored = await getNtfyConfig(ctx.db, ctx.secrets).catch(() => null);
    if (stored && stored.url.trim().replace(/\/$/, '') === url.replace(/\/$/, '')) accessToken = stored.accessToken ?? '';
  }
  return { url, topic, accessToken };
}

async function auditTest(ctx: TestContext, details: Record<string, unknown>, result: TestResult): Promise<TestResult> {
  await audit(ctx.db, ctx.actor, {
    action: 'test_notification_sent',
    category: 'system',
    status: result.ok ? 'success' : 'error',
    details,
    errorMessage: result.ok ? null : result.message,
  });
  return result;
}

/** `type: "simple"` (and unknown types): one fixed message to the given ntfy server and topic. */
export async function testNtfy(ctx: TestContext, config: NtfyConfig): Promise<TestResult> {
  const message = `This is a test notification from duplistatus.\n(test sent at ${await localTime(ctx)})`;
  let result: TestResult;
  try {
    await sendNtfy(config, { title: 'Test Notification', message, priority: 'default', tags: 'test' }, { attempts: 1, timeoutMs: ctx.timeoutMs });
    result = { ok: true, body: { message: 'Test notification sent successfully' } };
  } catch (err) {
    result = failed(reasonOf(err));
  }
  return auditTest(ctx, { type: 'simple', channel: 'NTFY', topic: config.topic }, result);
}

/** `type: "template"`: the posted template with the test substitution, to ntfy and (if set up) e-mail. */
async function testTemplate(ctx: TestContext, config: NtfyConfig, template: Record<string, unknown>): Promise<TestResult> {
  const rendered = renderTestTemplate({ title: text(template.title), message: text(template.message) });
  const message = `${rendered.message}\n(test sent at ${await localTime(ctx)})`;
  const priority = text(template.priority) || 'default';
  const tags = text(template.tags);
  const smtp = await loadSmtp(ctx);
  const channels: string[] = [];
  const tasks: Promise<void>[] = [
    sendNtfy(config, { title: rendered.title, message, priority, tags }, { attempts: 1, timeoutMs: ctx.timeoutMs }).then(
      () => void channels.push('NTFY'),
      (err: unknown) => Promise.reject(new Error(`NTFY test failed: ${reasonOf(err)}`)),
    ),
  ];
  if (smtp !== null) {
    const send = smtp instanceof Error ? Promise.reject(smtp) : sendEmail(smtp, { to: [smtp.mailto], subject: rendered.title, text: message }, { timeoutMs: ctx.timeoutMs });
    tasks.push(
      send.then(
        () => void channels.push('Email'),
        (err: unknown) => Promise.reject(new Error(`Email test failed: ${reasonOf(err)}`)),
      ),
    );
  }
  const results = await Promise.allSettled(tasks);
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  const result: TestResult = failure
    ? failed(reasonOf(failure.reason))
    : { ok: true, body: { success: true, message: `Test notifications sent successfully via ${channels.join(' and ')}`, channels } };
  return auditTest(ctx, { type: 'template', channel: smtp === null ? 'NTFY' : 'NTFY+Email', topic: config.topic }, result);
}

/** `type: "webhook"` (beyond the reference): a test payload to the posted or the stored webhook. */
export async function testWebhook(ctx: TestContext, posted?: unknown): Promise<TestResult> {
  let config: WebhookConfig;
  if (posted !== undefined && posted !== null) {
    if (!isObject(posted) || !text(posted.url).trim()) return bad('Webhook URL is required');
    const url = text(posted.url).trim();
    let token = text(posted.token);
    if (!token) {
      const stored = await getWebhookConfig(ctx.db, ctx.secrets).catch(() => null);
      if (stored?.url.trim() === url) token = stored.token ?? '';
    }
    config = { url, token };
  } else {
    let stored;
    try {
      stored = await getWebhookConfig(ctx.db, ctx.secrets);
    } catch (err) {
      return auditTest(ctx, { type: 'webhook', channel: 'Webhook' }, failed(`Stored webhook settings cannot be read: ${reasonOf(err)}`));
    }
    if (!stored) return bad('Webhook is not configured. Please configure a webhook URL.');
    config = stored;
  }
  try {
    new URL(config.url);
  } catch {
    return bad('Invalid webhook URL', `"${config.url}" is not an absolute URL`);
  }
  const sentAt = await localTime(ctx);
  const payload = {
    event: 'test',
    title: 'Test Notification',
    message: `This is a test notification from duplistatus.\n(test sent at ${sentAt})`,
    priority: 'default',
    tags: 'test',
    server: '',
    backup: '',
    status: 'Test',
    date: (ctx.now ?? new Date()).toISOString(),
  };
  let result: TestResult;
  try {
    await sendWebhook(config, payload, { timeoutMs: ctx.timeoutMs });
    result = { ok: true, body: { success: true, message: 'Test webhook sent successfully' } };
  } catch (err) {
    result = failed(reasonOf(err));
  }
  return auditTest(ctx, { type: 'webhook', channel: 'Webhook', url: new URL(config.url).origin }, result);
}

/** POST /api/notifications/test with its body (§6.3 plus `type: "webhook"`). */
export async function sendTestNotification(ctx: TestContext, body: Record<string, unknown>): Promise<TestResult> {
  const type = body.type;
  if (type === 'email') return testEmail(ctx, typeof body.toEmail === 'string' ? body.toEmail : undefined);
  if (type === 'webhook') return testWebhook(ctx, body.webhookConfig);
  const config = await postedNtfy(ctx, body.ntfyConfig);
  if ('ok' in config) return config;
  if (type === 'template') {
    if (!isObject(body.template)) return bad('Template is required for template type');
    return testTemplate(ctx, config, body.template);
  }
  return testNtfy(ctx, config);
}
