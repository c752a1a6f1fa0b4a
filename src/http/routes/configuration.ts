// Configuration Management (spec 03 §2): reads for signed-in users, writes for admins.
import { Hono } from 'hono';
import { issueCsrfToken } from '../../auth/sessions.ts';
import { replaceBackupSettings } from '../../settings/backup-settings.ts';
import {
  deleteEmail, deleteWebhook, publicSmtp, saveEmail, setEmailPassword, setFrequency, setNtfy, setTolerance, setWebhook, updateTemplates,
} from '../../settings/config-ops.ts';
import { getFrequency, getNtfyConfig, getSmtpConfig, getTolerance, getWebhookConfig, publicNtfy } from '../../settings/store.ts';
import { unifiedConfiguration } from '../../settings/unified.ts';
import { defaultTemplates, isTemplateLanguage } from '../../notify/templates.ts';
import type { Outcome } from '../../outcome.ts';
import { jsonObject } from '../body.ts';
import { actorOf } from '../client-info.ts';
import type { AppDeps } from '../deps.ts';
import type { AppEnv } from '../env.ts';
import { sendError, sendFailure } from '../errors.ts';
import { noStore } from '../no-store.ts';
import type { Context } from 'hono';

export function configurationRoutes({ db, secrets, now = () => new Date() }: AppDeps) {
  const app = new Hono<AppEnv>();
  const answer = <T>(c: Context<AppEnv>, result: Outcome<T>, body: (value: T) => unknown) =>
    result.ok ? c.json(body(result.value) as object) : sendFailure(c, result);

  app.get('/api/configuration/unified', noStore, async (c) => {
    c.header('Expires', '0');
    return c.json(await unifiedConfiguration(db, secrets));
  });

  app.get('/api/configuration/email', async (c) => {
    const smtp = await getSmtpConfig(db, secrets).catch(() => null);
    if (!smtp) return c.json({ configured: false, config: null, message: 'Email is not configured. Please configure SMTP settings.' });
    return c.json({ configured: true, config: publicSmtp(smtp), message: 'Email is configured and ready to use.' });
  });

  app.post('/api/configuration/email', async (c) => {
    const body = await jsonObject(c);
    if (!body.ok) return sendFailure(c, body);
    return answer(c, await saveEmail(db, secrets, body.value, actorOf(c)), () => ({ success: true, message: 'SMTP configuration saved successfully' }));
  });

  app.delete('/api/configuration/email', async (c) =>
    answer(c, await deleteEmail(db, actorOf(c)), () => ({ success: true, message: 'SMTP configuration deleted successfully' })),
  );

  app.get('/api/configuration/email/password', async (c) => c.json({ csrfToken: await issueCsrfToken(db, c.get('session')!, now()) }));

  app.patch('/api/configuration/email/password', async (c) => {
    const body = await jsonObject(c);
    if (!body.ok) return sendFailure(c, body);
    return answer(c, await setEmailPassword(db, secrets, body.value, actorOf(c)), () => ({ message: 'Email password updated successfully' }));
  });

  app.get('/api/configuration/notifications', async (c) => c.json({ value: await getFrequency(db) }));

  app.post('/api/configuration/notifications', async (c) => {
    const body = await jsonObject(c);
    if (!body.ok) return sendFailure(c, body);
    if (Object.hasOwn(body.value, 'value')) return answer(c, await setFrequency(db, body.value.value, actorOf(c)), (value) => ({ value }));
    return answer(c, await setNtfy(db, secrets, body.value.ntfy, actorOf(c)), (ntfy) => ({ message: 'NTFY config updated successfully', ntfy }));
  });

  app.get('/api/configuration/ntfy', async (c) => c.json({ ntfy: publicNtfy(await getNtfyConfig(db, secrets)) }));

  app.get('/api/configuration/overdue-tolerance', async (c) => c.json({ overdue_tolerance: await getTolerance(db) }));

  app.post('/api/configuration/overdue-tolerance', async (c) => {
    const body = await jsonObject(c);
    if (!body.ok) return sendFailure(c, body);
    return answer(c, await setTolerance(db, body.value.overdue_tolerance, actorOf(c)), () => ({ message: 'Overdue tolerance updated successfully' }));
  });

  app.post('/api/configuration/templates', async (c) => {
    const body = await jsonObject(c);
    if (!body.ok) return sendFailure(c, body);
    return answer(c, await updateTemplates(db, body.value.templates, actorOf(c)), () => ({ message: 'Notification templates updated successfully' }));
  });

  app.get('/api/configuration/templates/defaults', (c) => {
    const language = c.req.query('language') ?? 'en-GB';
    if (!isTemplateLanguage(language)) return sendError(c, 400, 'Invalid language', `Unsupported language: ${language}`);
    const { success, warning, overdueBackup } = defaultTemplates(language);
    return c.json({ success, warning, overdueBackup });
  });

  app.post('/api/configuration/backup-settings', async (c) => {
    const body = await jsonObject(c);
    if (!body.ok) return sendFailure(c, body);
    return answer(c, await replaceBackupSettings(db, body.value.backupSettings, actorOf(c)), (value) => value);
  });

  app.get('/api/configuration/webhook', async (c) => {
    const webhook = await getWebhookConfig(db, secrets).catch(() => null);
    return c.json({ configured: !!webhook, config: webhook && { url: webhook.url, enabled: webhook.enabled, hasToken: !!webhook.token } });
  });

  app.post('/api/configuration/webhook', async (c) => {
    const body = await jsonObject(c);
    if (!body.ok) return sendFailure(c, body);
    return answer(c, await setWebhook(db, secrets, body.value, actorOf(c)), () => ({ success: true, message: 'Webhook configuration saved successfully' }));
  });

  app.delete('/api/configuration/webhook', async (c) =>
    answer(c, await deleteWebhook(db, actorOf(c)), () => ({ success: true, message: 'Webhook configuration deleted successfully' })),
  );
  return app;
}
