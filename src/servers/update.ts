// PATCH /api/servers/:id (spec 02 §3.4): alias, note and Duplicati URL of one server.
import { eq } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { servers } from '../db/schema.ts';
import { withWriteLock } from '../db/write-lock.ts';
import { fail, type Failure, type Outcome } from '../outcome.ts';

export const serverNotFound = (id: string) => fail(404, 'Server not found', `No server found with id: ${id}`);

const FIELDS = ['server_url', 'alias', 'note'] as const;
type Fields = Record<(typeof FIELDS)[number], string>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Each field becomes `value || ''`: as in the reference, an omitted field is cleared. */
function parseFields(patch: unknown): Fields | Failure {
  if (!isObject(patch)) return fail(400, 'Invalid request body', 'The body must be a JSON object');
  const wrong = FIELDS.filter((f) => patch[f] != null && typeof patch[f] !== 'string');
  if (wrong.length) return fail(400, 'Invalid field types', `These fields must be strings: ${wrong.join(', ')}`);
  const fields = Object.fromEntries(FIELDS.map((f) => [f, (patch[f] as string | null | undefined) || ''])) as Fields;
  return checkUrl(fields.server_url) ?? fields;
}

// The reference answers URL problems with 404; spec 02 §3.4 keeps that.
function checkUrl(url: string): Failure | null {
  if (url === '') return null;
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    return fail(404, 'Invalid URL format', `Not a URL: ${url}`);
  }
  return protocol === 'http:' || protocol === 'https:'
    ? null
    : fail(404, 'URL must use HTTP or HTTPS protocol', `Unsupported protocol ${protocol} in ${url}`);
}

export type UpdatedServer = { message: string; serverId: string } & Fields;

/** Replaces alias, note and server_url; name and password stay. */
export async function updateServer(db: Database, id: string, patch: unknown): Promise<Outcome<UpdatedServer>> {
  if (id === '') return fail(400, 'Server ID is required', 'The path names no server');
  const fields = parseFields(patch);
  if ('ok' in fields) return fields;
  // Under the lock so the update never lands between the steps of a merge or delete of this server.
  return withWriteLock(db, async () => {
    const { rowsAffected } = await db.orm
      .update(servers)
      .set({ serverUrl: fields.server_url, alias: fields.alias, note: fields.note })
      .where(eq(servers.id, id));
    if (rowsAffected === 0) return serverNotFound(id);
    return { ok: true, value: { message: 'Server updated successfully', serverId: id, ...fields } };
  });
}
