// POST /api/upload: Duplicati's report in, one stored run out (spec 01 §2, decisions 4–5, 13).
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { readSetting } from '../../db/settings.ts';
import { parseDuplicatiReport } from '../../ingest/duplicati-report.ts';
import { storeRun } from '../../ingest/store.ts';
import type { AppDeps } from '../deps.ts';
import type { AppEnv } from '../env.ts';
import { clientInfo } from '../client-info.ts';
import { sendError } from '../errors.ts';
import { requireUploadToken } from '../middleware/upload-token.ts';

export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

export function uploadRoutes({ db, config, notifier, uploadCounters }: AppDeps) {
  const app = new Hono<AppEnv>();
  app.post(
    '/api/upload',
    requireUploadToken(async () => config.uploadToken ?? (await readSetting(db, 'upload_token')) ?? undefined),
    bodyLimit({
      maxSize: MAX_UPLOAD_BYTES,
      onError: (c) => {
        // The unread body is still on the socket: close it rather than keep it alive.
        c.header('Connection', 'close');
        return sendError(c, 413, 'Report too large', `Upload bodies are limited to ${MAX_UPLOAD_BYTES} bytes`);
      },
    }),
    async (c) => {
      // Parsed as JSON whatever the Content-Type says, like the reference.
      const text = (await c.req.text()).replace(/^\uFEFF/, '');
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        uploadCounters?.count('invalid');
        return sendError(c, 400, 'Invalid JSON', 'The body is not valid JSON; send Duplicati reports with --send-http-result-output-format=Json');
      }
      const outcome = parseDuplicatiReport(body, config.timeZone);
      if (outcome.kind === 'invalid') {
        uploadCounters?.count('invalid');
        return sendError(c, 400, outcome.error, outcome.message, outcome.extra);
      }
      if (outcome.kind === 'ignored') {
        uploadCounters?.count('ignored');
        return c.json({ success: true, ignored: true, reason: `${outcome.operation} reports are not stored; only Backup operations are monitored` });
      }
      const result = await storeRun(db, outcome.run, clientInfo(c));
      if (!result.stored) {
        uploadCounters?.count('duplicate');
        return sendError(c, 409, 'ignored, duplicated data', 'A run of this backup job with the same BeginTime is already stored');
      }
      // Decision 15: notifications go out after the commit, off the request path.
      notifier?.backupStored(result.id);
      uploadCounters?.count('accepted');
      return c.json({ success: true });
    },
  );
  return app;
}
