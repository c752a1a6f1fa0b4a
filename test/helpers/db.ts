// A fresh migrated database file in a temp dir, for tests of the domain modules.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { tempDir } from './daemon.ts';

export async function tempDatabase(): Promise<Database & { dispose(): void }> {
  const dir = tempDir('duplistatus-db-');
  const db = await openDatabase(`file:${path.join(dir, 'backups.db')}`);
  return {
    ...db,
    dispose() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
