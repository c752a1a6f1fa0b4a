import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createClient } from '@libsql/client';
import { tempDatabase } from '../../test/helpers/db.ts';
import { eq } from 'drizzle-orm';
import { configurations } from '../db/schema.ts';
import { readCache } from './read-cache.ts';

let db: Awaited<ReturnType<typeof tempDatabase>>;
before(async () => (db = await tempDatabase()));
after(() => db.dispose());

test('reused until a write of this process, a write of another process, or the time limit', async () => {
  const cache = readCache<number>(5000);
  let computed = 0;
  const read = (at: number) => cache(db, new Date(at), async () => ++computed);
  assert.equal(await read(1000), 1);
  assert.equal(await read(2000), 1, 'nothing changed: cached');

  await db.client.execute("INSERT INTO configurations (key, value) VALUES ('a', '1')");
  assert.equal(await read(2000), 2, 'a write through this client invalidates');
  await db.orm.query.servers.findMany();
  await db.client.execute('WITH x AS (SELECT 1) SELECT * FROM x');
  assert.equal(await read(2000), 2, 'reads (also WITH … SELECT) do not');
  await db.orm.update(configurations).set({ value: '2' }).where(eq(configurations.key, 'a'));
  assert.equal(await read(2000), 3, 'writes through drizzle count too');

  const url = (await db.client.execute('PRAGMA database_list')).rows[0].file as string;
  const other = createClient({ url: `file:${url}` });
  await other.execute("INSERT INTO configurations (key, value) VALUES ('b', '2')");
  other.close();
  assert.equal(await read(2000), 4, "another process's commit invalidates (data_version)");

  assert.equal(await read(6999), 4);
  assert.equal(await read(7001), 5, 'older than the limit');
  assert.equal(await read(100), 6, 'a clock that went back never serves a future entry');
});
