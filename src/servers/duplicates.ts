// GET /api/servers/duplicates (spec 02 §3.7): servers sharing a name under different ids, the usual
// sign of a reinstalled Duplicati (new machine-id, same machine-name). Candidates for a merge.
import { asc, desc, inArray, sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { servers } from '../db/schema.ts';

export interface DuplicateGroup {
  name: string;
  servers: { id: string; created_at: string; alias: string; note: string; server_url: string }[];
}

// Ids that are URLs come from the reference's manual entries, not from a Duplicati machine.
const machineId = sql`${servers.id} <> '' AND substr(${servers.id}, 1, 7) <> 'http://' AND substr(${servers.id}, 1, 8) <> 'https://'`;

/** Groups by name (binary order); newest server first within a group. */
export async function findDuplicateServers(db: Database): Promise<DuplicateGroup[]> {
  const sharedNames = db.orm.select({ name: servers.name }).from(servers).where(machineId).groupBy(servers.name).having(sql`count(*) > 1`);
  const rows = await db.orm
    .select()
    .from(servers)
    .where(sql`${machineId} AND ${inArray(servers.name, sharedNames)}`)
    .orderBy(asc(servers.name), desc(servers.createdAt), asc(servers.id));
  const groups = new Map<string, DuplicateGroup>();
  for (const s of rows) {
    const group = groups.get(s.name) ?? { name: s.name, servers: [] };
    group.servers.push({ id: s.id, created_at: s.createdAt ?? '', alias: s.alias ?? '', note: s.note ?? '', server_url: s.serverUrl ?? '' });
    groups.set(s.name, group);
  }
  return [...groups.values()];
}
