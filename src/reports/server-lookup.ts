// Finds a server by the identifier a client put in the URL: id, then name, then alias (decision 3).
import { eq } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { servers, type Server } from '../db/schema.ts';

export type Lookup =
  | { kind: 'found'; server: Server }
  | { kind: 'missing' }
  | { kind: 'ambiguous'; matches: Pick<Server, 'id' | 'name'>[] };

export async function findServer(db: Database, identifier: string): Promise<Lookup> {
  for (const column of [servers.id, servers.name, servers.alias]) {
    if (identifier === '') break;
    const rows = await db.orm.select().from(servers).where(eq(column, identifier));
    if (rows.length === 1) return { kind: 'found', server: rows[0] };
    if (rows.length > 1) return { kind: 'ambiguous', matches: rows.map(({ id, name }) => ({ id, name })) };
  }
  return { kind: 'missing' };
}
