// What every route group receives: explicit data, no globals.
import type { SecretBox } from '../auth/secrets.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/client.ts';
import type { Scheduler } from '../scheduler.ts';
import type { Notifier } from '../notify/dispatch.ts';
import type { UploadCounters } from './upload-counters.ts';

export interface AppDeps {
  db: Database;
  config: Config;
  secrets: SecretBox;
  now?: () => Date;
  /** Sends notifications off the request path (absent: uploads notify nobody). */
  notifier?: Notifier;
  /** The in-process scheduler (absent: /api/cron/* answers 503). */
  scheduler?: Scheduler;
  /** How uploads were answered since start, for GET /metrics (createApp makes one when absent). */
  uploadCounters?: UploadCounters;
}
