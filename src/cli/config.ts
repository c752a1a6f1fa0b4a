// `duplistatus config get [key]` / `config set <key> <value>`: the same validated operations as the
// configuration API, run on the host.
import type { Command } from 'commander';
import type { Actor } from '../audit/audit.ts';
import { setRetentionDays, retentionDays } from '../audit/retention.ts';
import type { SecretBox } from '../auth/secrets.ts';
import type { Database } from '../db/client.ts';
import { readSetting, writeSetting } from '../db/settings.ts';
import type { Outcome } from '../outcome.ts';
import { publicSmtp, setFrequency, setNtfy, setTolerance, setWebhook } from '../settings/config-ops.ts';
import { getCronConfig, getFrequency, getNtfyConfig, getSmtpConfig, getTolerance, getWebhookConfig } from '../settings/store.ts';
import { databaseOptions, reportFailure, withDatabase } from './database.ts';

interface Key {
  describe: string;
  get(db: Database, secrets: SecretBox): Promise<unknown>;
  set?(db: Database, secrets: SecretBox, value: string, actor: Actor): Promise<Outcome<unknown>>;
}

async function changeNtfy(db: Database, secrets: SecretBox, change: Record<string, string>, actor: Actor) {
  return setNtfy(db, secrets, { ...(await getNtfyConfig(db, secrets)), ...change }, actor);
}

const KEYS: Record<string, Key> = {
  overdue_tolerance: { describe: 'grace period before a job counts as overdue (no_tolerance, 5min … 1d)', get: getTolerance, set: (db, _s, v, a) => setTolerance(db, v, a) },
  notification_frequency: { describe: 'overdue re-notification (onetime, every_day, every_week, every_month)', get: getFrequency, set: (db, _s, v, a) => setFrequency(db, v, a) },
  'ntfy.url': { describe: 'ntfy server URL', get: async (db, s) => (await getNtfyConfig(db, s)).url, set: (db, s, v, a) => changeNtfy(db, s, { url: v }, a) },
  'ntfy.topic': { describe: 'ntfy topic', get: async (db, s) => (await getNtfyConfig(db, s)).topic, set: (db, s, v, a) => changeNtfy(db, s, { topic: v }, a) },
  'ntfy.accessToken': {
    describe: 'ntfy access token (shown as set/unset)',
    get: async (db, s) => ((await getNtfyConfig(db, s)).accessToken ? '(set)' : '(unset)'),
    set: (db, s, v, a) => changeNtfy(db, s, { accessToken: v }, a),
  },
  'webhook.url': {
    describe: 'generic webhook URL (JSON POST)',
    get: async (db, s) => (await getWebhookConfig(db, s))?.url ?? '(unset)',
    set: (db, s, v, a) => setWebhook(db, s, { url: v }, a),
  },
  audit_retention_days: { describe: 'audit log retention in days (30–365)', get: retentionDays, set: (db, _s, v, a) => setRetentionDays(db, Number(v), a) },
  upload_token: {
    describe: 'token required by /api/upload (empty = none); UPLOAD_TOKEN overrides it',
    get: async (db) => ((await readSetting(db, 'upload_token')) ? '(set)' : '(unset)'),
    set: async (db, _s, v) => {
      await writeSetting(db, 'upload_token', v);
      return { ok: true, value: v ? '(set)' : '(unset)' };
    },
  },
  email: { describe: 'SMTP settings (set them in the dashboard or with POST /api/configuration/email)', get: async (db, s) => { const smtp = await getSmtpConfig(db, s); return smtp ? publicSmtp(smtp) : '(not configured)'; } },
  cron: { describe: 'scheduler tasks', get: getCronConfig },
};

const show = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value, null, 2));

export function registerConfig(program: Command) {
  const config = program.command('config').description('read and change settings directly on the database');
  const cli: Actor = { username: 'cli' };

  databaseOptions(config.command('get [key]').description(`show one setting or all (${Object.keys(KEYS).join(', ')})`)).action((key: string | undefined, flags) =>
    withDatabase(flags, async (db, _config, secrets) => {
      if (key && !KEYS[key]) return reportFailure(`unknown key "${key}"; known keys: ${Object.keys(KEYS).join(', ')}`);
      for (const [name, entry] of Object.entries(KEYS)) {
        if (!key || key === name) console.log(key ? show(await entry.get(db, secrets)) : `${name} = ${show(await entry.get(db, secrets))}`);
      }
    }),
  );

  databaseOptions(config.command('set <key> <value>').description('change a setting (validated like the API, and audited)')).action((key: string, value: string, flags) =>
    withDatabase(flags, async (db, _config, secrets) => {
      const entry = KEYS[key];
      if (!entry?.set) return reportFailure(`"${key}" cannot be set here; settable keys: ${Object.keys(KEYS).filter((k) => KEYS[k].set).join(', ')}`);
      const result = await entry.set(db, secrets, value, cli);
      if (!result.ok) return reportFailure(`${result.error}${result.message !== result.error ? `: ${result.message}` : ''}`);
      console.log(`${key} = ${show(await entry.get(db, secrets))}`);
    }),
  );
}
