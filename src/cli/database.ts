// Admin commands work straight on the database (also while the daemon runs: WAL + busy timeout).
import type { Command } from 'commander';
import { loadOrCreateKey, secretBox, type SecretBox } from '../auth/secrets.ts';
import { ensureDefaultAdmin } from '../auth/users.ts';
import { loadConfig, type Config, type ConfigFlags } from '../config.ts';
import { openDatabase, type Database } from '../db/client.ts';

export function databaseOptions(command: Command): Command {
  return command
    .option('--data-dir <dir>', 'data directory (env DATA_DIR, default ./data)')
    .option('--database-url <url>', 'file:… or libsql://… / https://… (env DATABASE_URL)');
}

/** Runs `work` with an open, migrated database and closes it afterwards. */
export async function withDatabase<T>(flags: ConfigFlags, work: (db: Database, config: Config, secrets: SecretBox) => Promise<T>): Promise<T> {
  const config = loadConfig(flags);
  const db = await openDatabase(config.databaseUrl, config.databaseAuthToken);
  try {
    await ensureDefaultAdmin(db);
    return await work(db, config, secretBox(loadOrCreateKey(config.dataDir)));
  } finally {
    db.close();
  }
}

/** Prints a failure the way a shell user expects and sets a non-zero exit code. */
export function reportFailure(message: string): void {
  console.error(`Error: ${message}`);
  process.exitCode = 1;
}
