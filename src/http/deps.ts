// What every route group receives: explicit data, no globals.
import type { SecretBox } from '../auth/secrets.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/client.ts';

export interface AppDeps {
  db: Database;
  config: Config;
  secrets: SecretBox;
  now?: () => Date;
}
