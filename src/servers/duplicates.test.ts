import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { tempDatabase } from '../../test/helpers/db.ts';
import { servers } from '../db/schema.ts';
import { findDuplicateServers } from './duplicates.ts';

describe('findDuplicateServers', () => {
  let db: Awaited<ReturnType<typeof tempDatabase>>;
  before(async () => (db = await tempDatabase()));
  after(() => db.dispose());

  it('no duplicates → []', async () => {
    await db.orm.insert(servers).values([{ id: 'a', name: 'alpha' }, { id: 'b', name: 'Alpha' }]);
    assert.deepEqual(await findDuplicateServers(db), []);
  });

  it('groups servers sharing a name (binary), newest first; URL ids are not machines', async () => {
    await db.orm.insert(servers).values([
      { id: 'old', name: 'WSJ-SER5', createdAt: '2025-04-21 00:38:34', alias: 'Main box', serverUrl: 'http://10.0.0.5:8200' },
      { id: 'new', name: 'WSJ-SER5', createdAt: '2025-06-01 10:00:00', alias: null, note: null, serverUrl: null },
      { id: 'http://10.0.0.5:8200', name: 'WSJ-SER5', createdAt: '2025-07-01 00:00:00' },
      { id: 'zoe-1', name: 'Zoë’s MacBook Pro', createdAt: '2025-01-01 00:00:00', note: 'before reinstall' },
      { id: 'zoe-2', name: 'Zoë’s MacBook Pro', createdAt: '2025-01-01 00:00:00' },
      // Only one machine with this name once the URL id is left out.
      { id: 'https://nas', name: 'nas', createdAt: '2025-01-01 00:00:00' },
      { id: 'nas-1', name: 'nas', createdAt: '2025-01-02 00:00:00' },
    ]);
    assert.deepEqual(await findDuplicateServers(db), [
      {
        name: 'WSJ-SER5',
        servers: [
          { id: 'new', created_at: '2025-06-01 10:00:00', alias: '', note: '', server_url: '' },
          { id: 'old', created_at: '2025-04-21 00:38:34', alias: 'Main box', note: '', server_url: 'http://10.0.0.5:8200' },
        ],
      },
      {
        name: 'Zoë’s MacBook Pro',
        servers: [
          { id: 'zoe-1', created_at: '2025-01-01 00:00:00', alias: '', note: 'before reinstall', server_url: '' },
          { id: 'zoe-2', created_at: '2025-01-01 00:00:00', alias: '', note: '', server_url: '' },
        ],
      },
    ]);
  });
});
